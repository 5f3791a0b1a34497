import { MongoBulkWriteError, MongoServerError, type Db, type Document, type Long, type ObjectId } from 'mongodb';
import { openTarget, type Target } from './target';

/** Any _id type, as the tests insert numbers, strings, Longs and embedded documents. */
type Doc = Document & { _id?: number | string | ObjectId | Long | Document };

describe('conformance: catalog and unique indexes', () => {
  let t: Target;
  let db: Db;
  beforeAll(async () => {
    t = await openTarget();
    db = t.db('catalog');
  });
  afterAll(() => t.close());

  it('creates, lists and drops collections with MongoDB error codes', async () => {
    await db.createCollection('made');
    await expect(db.createCollection('made')).rejects.toMatchObject({ code: 48, codeName: 'NamespaceExists' });
    await db.collection('implicit').insertOne({ a: 1 });
    expect((await db.listCollections().toArray()).map((c) => c.name).sort()).toEqual(['implicit', 'made']);
    expect(await db.listCollections({ name: 'made' }, { nameOnly: true }).toArray()).toEqual([{ name: 'made', type: 'collection' }]);
    expect(await db.collection('made').drop()).toBe(true);
    expect((await db.listCollections().toArray()).map((c) => c.name)).toEqual(['implicit']);
  });

  it('lists databases and drops a whole database', async () => {
    const other = t.db('dropme');
    await other.collection('x').insertOne({ a: 1 });
    const names = (await t.client.db('admin').admin().listDatabases()).databases.map((d) => d.name);
    expect(names).toContain(other.databaseName);
    await other.dropDatabase();
    const after = (await t.client.db('admin').admin().listDatabases()).databases.map((d) => d.name);
    expect(after).not.toContain(other.databaseName);
  });

  it('reports dbStats for a database', async () => {
    const stats = await db.stats();
    expect(stats).toMatchObject({ db: db.databaseName, ok: 1 });
    expect(stats.collections).toBeGreaterThanOrEqual(1);
    expect(stats.objects).toBeGreaterThanOrEqual(1);
  });

  it('creates, lists and drops indexes', async () => {
    const c = db.collection<Doc>('idx');
    await c.insertOne({ a: 1, b: 1 });
    expect(await c.createIndexes([{ key: { a: 1 } }, { key: { a: 1, b: -1 }, name: 'ab', unique: true }])).toEqual(['a_1', 'ab']);
    const listed = await c.listIndexes().toArray();
    expect(listed.map((i) => [i.name, i.key, i.unique ?? false])).toEqual([
      ['_id_', { _id: 1 }, false],
      ['a_1', { a: 1 }, false],
      ['ab', { a: 1, b: -1 }, true],
    ]);
    await c.dropIndex('a_1');
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_', 'ab']);
    await c.dropIndexes();
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
    await expect(db.collection('missing').listIndexes().toArray()).rejects.toMatchObject({ code: 26, codeName: 'NamespaceNotFound' });
  });

  it('reports a duplicate key with the exact error shape', async () => {
    const c = db.collection<Doc>('people');
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertOne({ email: 'a@gov.kz' });
    const err = await c.insertOne({ email: 'a@gov.kz' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MongoServerError);
    expect(err).toMatchObject({ code: 11000, keyPattern: { email: 1 }, keyValue: { email: 'a@gov.kz' } });
    expect((err as Error).message).toBe(`E11000 duplicate key error collection: ${db.databaseName}.people index: email_1 dup key: { email: "a@gov.kz" }`);
  });

  it('enforces compound unique indexes on the whole key', async () => {
    const c = db.collection<Doc>('staff');
    await c.createIndex({ org: 1, tab: 1 }, { unique: true });
    await c.insertMany([{ org: 'A', tab: 1 }, { org: 'A', tab: 2 }, { org: 'B', tab: 1 }]);
    await expect(c.insertOne({ org: 'B', tab: 1 })).rejects.toMatchObject({
      code: 11000,
      keyPattern: { org: 1, tab: 1 },
      keyValue: { org: 'B', tab: 1 },
      message: expect.stringContaining('index: org_1_tab_1 dup key: { org: "B", tab: 1 }'),
    });
  });

  it('stops an ordered batch at the first duplicate and lets an unordered one continue', async () => {
    const c = db.collection<Doc>('batches');
    await c.createIndex({ iin: 1 }, { unique: true });
    const ordered = (await c.insertMany([{ iin: 1 }, { iin: 1 }, { iin: 2 }]).catch((e: unknown) => e)) as MongoBulkWriteError;
    expect(ordered).toBeInstanceOf(MongoBulkWriteError);
    expect(ordered.result.insertedCount).toBe(1);
    expect(ordered.writeErrors).toMatchObject([{ index: 1, code: 11000 }]);
    const unordered = (await c.insertMany([{ iin: 3 }, { iin: 1 }, { iin: 4 }, { iin: 3 }], { ordered: false }).catch((e: unknown) => e)) as MongoBulkWriteError;
    expect(unordered.result.insertedCount).toBe(2);
    expect(unordered.writeErrors).toMatchObject([{ index: 1, code: 11000 }, { index: 3, code: 11000 }]);
    expect((await c.find({}, { sort: { iin: 1 }, projection: { _id: 0 } }).toArray())).toEqual([{ iin: 1 }, { iin: 3 }, { iin: 4 }]);
  });

  it('enforces uniqueness on update, upsert and findAndModify (there as a command error)', async () => {
    const c = db.collection<Doc>('emails');
    await c.createIndex({ email: 1 }, { unique: true });
    await c.insertMany([{ _id: 1, email: 'a' }, { _id: 2, email: 'b' }]);
    await expect(c.updateOne({ _id: 2 }, { $set: { email: 'a' } })).rejects.toMatchObject({ code: 11000, keyValue: { email: 'a' } });
    await expect(c.updateOne({ _id: 3 }, { $set: { email: 'b' } }, { upsert: true })).rejects.toMatchObject({ code: 11000 });
    const cmd = await db.command({ findAndModify: 'emails', query: { _id: 2 }, update: { $set: { email: 'a' } } }).catch((e: unknown) => e);
    expect(cmd).toBeInstanceOf(MongoServerError);
    expect(cmd).toMatchObject({ code: 11000, keyPattern: { email: 1 }, keyValue: { email: 'a' } });
    expect(await c.find({}, { sort: { _id: 1 } }).toArray()).toEqual([{ _id: 1, email: 'a' }, { _id: 2, email: 'b' }]);
    // Rewriting a document with its own key is not a duplicate.
    expect((await c.updateOne({ _id: 1 }, { $set: { email: 'a', seen: true } })).modifiedCount).toBe(1);
  });

  it('refuses to build a unique index over existing duplicates', async () => {
    const c = db.collection<Doc>('dups');
    await c.insertMany([{ tab: 5 }, { tab: 5 }]);
    await expect(c.createIndex({ tab: 1 }, { unique: true })).rejects.toMatchObject({ code: 11000 });
    expect((await c.listIndexes().toArray()).map((i) => i.name)).toEqual(['_id_']);
  });
});
