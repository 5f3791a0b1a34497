import { Long, MongoBulkWriteError, MongoServerError, ObjectId, type Collection, type Document } from 'mongodb';
import { Engine } from '../src/storage/engine';
import { matchEntries, plan } from '../src/storage/query';
import { BaseStore } from '../src/storage/store';
import { counted, startWithClient } from './helpers';

/** Documents whose _id may be of any BSON type, as the tests below use. */
type AnyDoc = { _id?: number | string | ObjectId | Long; [field: string]: unknown };

describe('unique indexes through the driver', () => {
  let ctx: Awaited<ReturnType<typeof startWithClient>>;
  let people: Collection<AnyDoc>;
  beforeAll(async () => {
    ctx = await startWithClient();
  });
  afterAll(() => ctx.close());
  beforeEach(async () => {
    people = ctx.client.db('hr').collection<AnyDoc>(`people_${Math.random().toString(36).slice(2)}`);
  });

  it('reports a duplicate with the exact MongoDB error shape', async () => {
    await people.createIndex({ email: 1 }, { unique: true });
    await people.insertOne({ email: 'a@gov.kz' });
    const err = await people.insertOne({ email: 'a@gov.kz' }).catch((e: MongoServerError) => e);
    expect(err).toBeInstanceOf(MongoServerError);
    expect(err).toMatchObject({ code: 11000, keyPattern: { email: 1 }, keyValue: { email: 'a@gov.kz' } });
    expect((err as MongoServerError).message).toBe(
      `E11000 duplicate key error collection: hr.${people.collectionName} index: email_1 dup key: { email: "a@gov.kz" }`,
    );
  });

  it('enforces compound uniqueness on the full key only', async () => {
    await people.createIndex({ org: 1, tab: 1 }, { unique: true, name: 'org_tab' });
    await people.insertMany([
      { org: 'A', tab: 1 },
      { org: 'A', tab: 2 },
      { org: 'B', tab: 1 },
    ]);
    const err = await people.insertOne({ org: 'A', tab: 2 }).catch((e) => e);
    expect(err).toMatchObject({ code: 11000, keyPattern: { org: 1, tab: 1 }, keyValue: { org: 'A', tab: 2 } });
    expect(err.message).toContain('index: org_tab dup key: { org: "A", tab: 2 }');
  });

  it('stops ordered batches at the first duplicate and continues unordered ones', async () => {
    await people.createIndex({ iin: 1 }, { unique: true });
    const ordered = await people.insertMany([{ iin: 1 }, { iin: 1 }, { iin: 2 }]).catch((e: MongoBulkWriteError) => e);
    expect(ordered).toBeInstanceOf(MongoBulkWriteError);
    expect((ordered as MongoBulkWriteError).result.insertedCount).toBe(1);
    expect((ordered as MongoBulkWriteError).writeErrors).toMatchObject([{ index: 1, code: 11000 }]);
    const unordered = await people.insertMany([{ iin: 3 }, { iin: 1 }, { iin: 4 }], { ordered: false }).catch((e: MongoBulkWriteError) => e);
    expect((unordered as MongoBulkWriteError).result.insertedCount).toBe(2);
    expect(await people.countDocuments()).toBe(3);
  });

  it('checks updates, upserts and findAndModify against unique indexes', async () => {
    await people.createIndex({ email: 1 }, { unique: true });
    await people.insertMany([{ _id: 1, email: 'a' } as Document, { _id: 2, email: 'b' }]);
    await expect(people.updateOne({ _id: 2 }, { $set: { email: 'a' } })).rejects.toMatchObject({ code: 11000 });
    await expect(people.updateOne({ _id: 3 }, { $set: { email: 'b' } }, { upsert: true })).rejects.toMatchObject({ code: 11000 });
    await expect(people.findOneAndUpdate({ _id: 2 }, { $set: { email: 'a' } })).rejects.toMatchObject({
      code: 11000,
      keyValue: { email: 'a' },
    });
    expect(await people.find({}, { sort: { _id: 1 } }).toArray()).toEqual([
      { _id: 1, email: 'a' },
      { _id: 2, email: 'b' },
    ]);
    // Updating a document to its own value is not a duplicate of itself.
    await expect(people.updateOne({ _id: 1 }, { $set: { email: 'a', x: 1 } })).resolves.toMatchObject({ modifiedCount: 1 });
  });

  it('lets sparse and partial unique indexes skip documents without the key', async () => {
    await people.createIndex({ passport: 1 }, { unique: true, sparse: true });
    await people.createIndex({ badge: 1 }, { unique: true, partialFilterExpression: { active: true } });
    await people.insertMany([{ name: 'no passport' }, { name: 'still none' }]);
    await people.insertMany([
      { badge: 7, active: false },
      { badge: 7, active: true },
    ]);
    await expect(people.insertOne({ badge: 7, active: true })).rejects.toMatchObject({ code: 11000 });
    // A non-sparse unique index treats a missing field as null, so only one may lack it.
    await people.createIndex({ iin: 1 }, { unique: true }).catch((e) => e);
    const other = ctx.client.db('hr').collection('nulls');
    await other.createIndex({ iin: 1 }, { unique: true });
    await other.insertOne({ a: 1 });
    await expect(other.insertOne({ a: 2 })).rejects.toMatchObject({ code: 11000, keyValue: { iin: null } });
  });

  it('refuses to build a unique index over existing duplicates', async () => {
    await people.insertMany([{ tab: 5 }, { tab: 5 }]);
    await expect(people.createIndex({ tab: 1 }, { unique: true })).rejects.toMatchObject({ code: 11000 });
    expect((await people.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });

  it('treats 1, 1.0 and Long(1) as the same _id but keeps string and ObjectId ids apart', async () => {
    const hex = 'aaaaaaaaaaaaaaaaaaaaaaaa';
    await people.insertMany([{ _id: 1 } as Document, { _id: '1' }, { _id: hex }, { _id: new ObjectId(hex) }]);
    await expect(people.insertOne({ _id: Long.fromNumber(1) } as Document)).rejects.toMatchObject({ code: 11000 });
    await expect(people.insertOne({ _id: 1.0 } as Document)).rejects.toMatchObject({ code: 11000 });
    expect(await people.countDocuments()).toBe(4);
    expect(await people.findOne({ _id: new ObjectId(hex) })).toEqual({ _id: new ObjectId(hex) });
    expect(await people.findOne({ _id: hex } as Document)).toEqual({ _id: hex });
  });

  it('manages the index catalog with MongoDB error codes', async () => {
    await people.createIndex({ a: 1 });
    expect(await people.createIndex({ a: 1 })).toBe('a_1');
    await expect(people.createIndex({ a: 1 }, { name: 'a_1', unique: true })).rejects.toMatchObject({ code: 85 });
    await expect(people.createIndex({ b: 1 }, { name: 'a_1' })).rejects.toMatchObject({ code: 86 });
    await people.dropIndex('a_1');
    expect((await people.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
    await expect(people.dropIndex('nope')).rejects.toMatchObject({ code: 27 });
    await expect(ctx.client.db('hr').collection('missing').listIndexes().toArray()).rejects.toMatchObject({ code: 26 });
  });
});

describe('query planner', () => {
  function loaded(n: number) {
    const engine = new Engine();
    const log: never[] = [];
    const store = new BaseStore(engine, 'db', 'c', log);
    for (let i = 0; i < n; i++) {
      store.insert({ _id: i, k: i % 1000, tags: [`t${i % 7}`, `u${i % 3}`], when: new Date(i * 1000), ref: new ObjectId() });
    }
    engine.applyMutation({ op: 'createIndex', db: 'db', coll: 'c', spec: { name: 'k_1', key: { k: 1 } } });
    engine.applyMutation({ op: 'createIndex', db: 'db', coll: 'c', spec: { name: 'tags_1', key: { tags: 1 } } });
    engine.applyMutation({ op: 'createIndex', db: 'db', coll: 'c', spec: { name: 'when_1', key: { when: 1 } } });
    return store;
  }

  it('uses an index for equality, $in, ranges and top-level $and', () => {
    const store = loaded(10);
    expect(plan(store, { k: 5 }).index?.name).toBe('k_1');
    expect(plan(store, { k: { $in: [1, 2] } }).index?.name).toBe('k_1');
    expect(plan(store, { when: { $gte: new Date(0) } }).index?.name).toBe('when_1');
    expect(plan(store, { $and: [{ x: 1 }, { tags: 't1' }] }).index?.name).toBe('tags_1');
    expect(plan(store, { _id: { $in: [1, 2] }, k: { $gt: 3 } }).index?.name).toBe('_id_');
    expect(plan(store, { k: null }).index).toBeUndefined();
    expect(plan(store, { k: { $ne: 1 } }).index).toBeUndefined();
    expect(plan(store, { $or: [{ k: 1 }, { k: 2 }] }).index).toBeUndefined();
  });

  it('returns the same documents through an index as a scan would', async () => {
    const store = loaded(5000);
    const filters: Document[] = [
      { k: { $in: [3, 999, 500] } },
      { k: { $gte: 990 } },
      { k: { $gt: 10, $lte: 12 } },
      { k: { $lt: 2 } },
      { tags: 't3' },
      { tags: { $in: ['u1', 't0'] } },
      { when: { $gte: new Date(4_990_000), $lt: new Date(4_995_000) } },
      { k: { $gt: 'a' } },
      { k: 5, tags: 'u2' },
    ];
    for (const filter of filters) {
      const viaPlan = (await matchEntries(store, filter)).map((e) => e.doc._id).sort((a, b) => a - b);
      // The same filter wrapped in $or forces a full scan.
      const viaScan = (await matchEntries(store, { $or: [filter] })).map((e) => e.doc._id).sort((a, b) => a - b);
      expect(viaPlan).toEqual(viaScan);
    }
  });

  it('answers an indexed $in of 100 values by reading only the matching documents', async () => {
    const { view, seen } = counted(loaded(20_000));
    const values = Array.from({ length: 100 }, (_, i) => i * 7);
    const hits = await matchEntries(view, { k: { $in: values } });
    expect(hits).toHaveLength(100 * 20);
    expect(seen).toEqual({ gets: 100 * 20, scanned: 0 });
    // The same filter behind $or cannot use the index: every document is examined.
    await matchEntries(view, { $or: [{ k: { $in: values } }] });
    expect(seen.scanned).toBe(20_000);
  });

  it('keeps serving other work while a long scan runs', async () => {
    const store = loaded(200_000);
    // Count event-loop turns that other work gets while the scan is in progress.
    let turns = 0;
    let scanning = true;
    const spin = () => {
      if (!scanning) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    // $or hides the field from the planner, so this is a full collection scan matching nothing.
    const hits = await matchEntries(store, { 'ref.nothing': 1, $or: [{ k: -1 }] });
    scanning = false;
    expect(hits).toEqual([]);
    expect(turns).toBeGreaterThan(3);
  });
});
