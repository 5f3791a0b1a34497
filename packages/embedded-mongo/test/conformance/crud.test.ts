import { Decimal128, Long, ObjectId, type Collection, type Db, type Document } from 'mongodb';
import { openTarget, type Target } from './target';

/** Any _id type, as the tests insert numbers, strings, Longs and embedded documents. */
type Doc = Document & { _id?: number | string | ObjectId | Long | Document };

describe('conformance: reads and writes', () => {
  let t: Target;
  let db: Db;
  let n = 0;
  const fresh = (): Collection<Doc> => db.collection<Doc>(`c${n++}`);
  beforeAll(async () => {
    t = await openTarget();
    db = t.db('crud');
  });
  afterAll(() => t.close());

  it('keeps _id of any type as given and generates an ObjectId when absent', async () => {
    const c = fresh();
    const ids = ['text', 42, Long.fromString('9007199254740993'), { org: 'A', tab: 1 }, new ObjectId()];
    await c.insertMany(ids.map((_id) => ({ _id })));
    const { insertedId } = await c.insertOne({ generated: true });
    expect(insertedId).toBeInstanceOf(ObjectId);
    expect(await c.findOne({ generated: true })).toEqual({ _id: insertedId, generated: true });
    for (const _id of ids) expect((await c.findOne({ _id }, { promoteLongs: false }))?._id).toEqual(_id);
    await expect(c.insertOne({ _id: 'text' })).rejects.toMatchObject({ code: 11000 });
  });

  it('round-trips and orders Long, Decimal128 and Date values', async () => {
    const c = fresh();
    const big = Long.fromString('9007199254740993');
    await c.insertMany([
      { _id: 1, l: big, d: Decimal128.fromString('10.25'), at: new Date('2024-01-02T00:00:00Z') },
      { _id: 2, l: Long.fromNumber(5), d: Decimal128.fromString('2.5'), at: new Date('2023-05-01T00:00:00Z') },
    ]);
    const one = await c.findOne({ _id: 1 }, { promoteLongs: false });
    expect(one?.l).toEqual(big);
    expect(String(one?.d)).toBe('10.25');
    expect(one?.at).toEqual(new Date('2024-01-02T00:00:00Z'));
    const ids = async (filter: Doc, sort: Record<string, 1 | -1> = { _id: 1 }) => (await c.find(filter).sort(sort).toArray()).map((d) => d._id);
    expect(await ids({ l: { $gt: 6 } })).toEqual([1]);
    expect(await ids({ d: { $gte: Decimal128.fromString('3') } })).toEqual([1]);
    expect(await ids({ at: { $lt: new Date('2024-01-01T00:00:00Z') } })).toEqual([2]);
    expect(await ids({}, { l: 1 })).toEqual([2, 1]);
    await c.updateOne({ _id: 1 }, { $inc: { l: 1 } });
    expect((await c.findOne({ _id: 1 }, { promoteLongs: false }))?.l).toEqual(Long.fromString('9007199254740994'));
  });

  it('finds with filter, sort, skip, limit, projection, batchSize and singleBatch', async () => {
    const c = fresh();
    await c.insertMany(Array.from({ length: 30 }, (_, i) => ({ _id: i, g: i % 3, name: `n${i}`, secret: 'x' })));
    const page = await c.find({ g: 1 }, { sort: { _id: -1 }, skip: 2, limit: 3, projection: { name: 1 } }).toArray();
    expect(page).toEqual([
      { _id: 22, name: 'n22' },
      { _id: 19, name: 'n19' },
      { _id: 16, name: 'n16' },
    ]);
    expect(await c.findOne({ _id: 4 }, { projection: { secret: 0, g: 0 } })).toEqual({ _id: 4, name: 'n4' });
    // Several getMores, then the cursor is exhausted.
    expect((await c.find({}, { batchSize: 4 }).toArray()).map((d) => d._id)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    const single = await db.command({ find: c.collectionName, filter: {}, batchSize: 5, singleBatch: true });
    expect(single.cursor.firstBatch).toHaveLength(5);
    expect(Number(single.cursor.id)).toBe(0);
  });

  it('kills cursors and reports unknown ones to getMore', async () => {
    const c = fresh();
    await c.insertMany(Array.from({ length: 10 }, (_, i) => ({ _id: i })));
    const res = await db.command({ find: c.collectionName, filter: {}, batchSize: 2 });
    const id = res.cursor.id as Long;
    const killed = await db.command({ killCursors: c.collectionName, cursors: [id] });
    expect(killed.cursorsKilled.map(String)).toEqual([String(id)]);
    await expect(db.command({ getMore: id, collection: c.collectionName })).rejects.toMatchObject({ code: 43 });
  });

  it('updates one or many documents and reports matched and modified counts', async () => {
    const c = fresh();
    await c.insertMany([{ _id: 1, k: 'a', v: 1 }, { _id: 2, k: 'a', v: 1 }, { _id: 3, k: 'b', v: 1 }]);
    expect(await c.updateMany({ k: 'a' }, { $inc: { v: 1 } })).toMatchObject({ matchedCount: 2, modifiedCount: 2 });
    expect(await c.updateOne({ k: 'b' }, { $set: { v: 1 } })).toMatchObject({ matchedCount: 1, modifiedCount: 0 });
    expect(await c.replaceOne({ _id: 3 }, { k: 'c' })).toMatchObject({ modifiedCount: 1 });
    expect(await c.find({}, { sort: { _id: 1 } }).toArray()).toEqual([{ _id: 1, k: 'a', v: 2 }, { _id: 2, k: 'a', v: 2 }, { _id: 3, k: 'c' }]);
  });

  it('seeds an upsert from the filter equalities and applies $setOnInsert only on insert', async () => {
    const c = fresh();
    const up = await c.updateOne(
      { email: 'a@gov.kz', 'profile.city': 'Astana', age: { $gt: 18 } },
      { $set: { active: true }, $setOnInsert: { createdBy: 'upsert' } },
      { upsert: true },
    );
    expect(up.upsertedCount).toBe(1);
    expect(up.upsertedId).toBeInstanceOf(ObjectId);
    expect(await c.findOne({ _id: up.upsertedId ?? undefined }, { projection: { _id: 0 } })).toEqual({
      email: 'a@gov.kz',
      profile: { city: 'Astana' },
      active: true,
      createdBy: 'upsert',
    });
    await c.updateOne({ email: 'a@gov.kz' }, { $set: { active: false }, $setOnInsert: { createdBy: 'again' } }, { upsert: true });
    expect(await c.findOne({ email: 'a@gov.kz' }, { projection: { _id: 0, active: 1, createdBy: 1 } })).toEqual({ active: false, createdBy: 'upsert' });
    expect(await c.countDocuments()).toBe(1);
    const withId = await c.updateOne({ _id: 'given' }, { $set: { x: 1 } }, { upsert: true });
    expect(withId.upsertedId).toBe('given');
  });

  it('updates array elements with positional $, arrayFilters and pipeline updates', async () => {
    const c = fresh();
    await c.insertOne({ _id: 1, grades: [80, 90, 95], items: [{ n: 'a', q: 1 }, { n: 'b', q: 5 }] });
    await c.updateOne({ _id: 1, grades: 90 }, { $set: { 'grades.$': 91 } });
    await c.updateOne({ _id: 1 }, { $inc: { 'items.$[it].q': 10 } }, { arrayFilters: [{ 'it.q': { $gt: 2 } }] });
    await c.updateOne({ _id: 1 }, [{ $set: { total: { $sum: '$grades' } } }]);
    expect(await c.findOne({ _id: 1 })).toEqual({ _id: 1, grades: [80, 91, 95], items: [{ n: 'a', q: 1 }, { n: 'b', q: 15 }], total: 266 });
  });

  it('deletes one or many documents', async () => {
    const c = fresh();
    await c.insertMany([{ k: 1 }, { k: 1 }, { k: 1 }, { k: 2 }]);
    expect((await c.deleteOne({ k: 1 })).deletedCount).toBe(1);
    expect((await c.deleteMany({ k: 1 })).deletedCount).toBe(2);
    expect(await c.countDocuments()).toBe(1);
  });

  it('runs findAndModify with sort, fields, new, remove and upsert', async () => {
    const c = fresh();
    await c.insertMany([{ _id: 1, q: 'x', rank: 2 }, { _id: 2, q: 'x', rank: 1 }]);
    const before = await c.findOneAndUpdate({ q: 'x' }, { $set: { taken: true } }, { sort: { rank: 1 }, projection: { rank: 1 }, returnDocument: 'before' });
    expect(before).toEqual({ _id: 2, rank: 1 });
    const after = await c.findOneAndUpdate({ q: 'x', taken: { $exists: false } }, { $set: { taken: true } }, { returnDocument: 'after' });
    expect(after).toEqual({ _id: 1, q: 'x', rank: 2, taken: true });
    const upserted = await c.findOneAndUpdate({ _id: 3 }, { $set: { q: 'y' } }, { upsert: true, returnDocument: 'after' });
    expect(upserted).toEqual({ _id: 3, q: 'y' });
    expect(await c.findOneAndDelete({ q: 'x' }, { sort: { rank: -1 } })).toMatchObject({ _id: 1 });
    expect(await c.findOneAndUpdate({ _id: 99 }, { $set: { a: 1 } })).toBeNull();
    const raw = await db.command({ findAndModify: c.collectionName, query: { _id: 3 }, remove: true });
    expect(raw).toMatchObject({ ok: 1, value: { _id: 3, q: 'y' }, lastErrorObject: { n: 1 } });
  });

  it('counts and lists distinct values, unwinding arrays', async () => {
    const c = fresh();
    await c.insertMany([{ tags: ['a', 'b'], n: 1 }, { tags: ['b', 'c'], n: 2 }, { tags: 'd', n: 3 }, { n: 4 }]);
    expect(await c.countDocuments({ n: { $gte: 2 } })).toBe(3);
    expect(await c.estimatedDocumentCount()).toBe(4);
    expect((await db.command({ count: c.collectionName, query: { n: { $gt: 1 } }, skip: 1, limit: 1 })).n).toBe(1);
    expect((await c.distinct('tags')).sort()).toEqual(['a', 'b', 'c', 'd']);
    expect((await c.distinct('tags', { n: { $lte: 1 } })).sort()).toEqual(['a', 'b']);
  });
});
