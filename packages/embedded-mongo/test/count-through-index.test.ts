import { ObjectId, type Document } from 'mongodb';
import { Engine } from '../src/storage/engine';
import { countThroughIndex, select } from '../src/storage/query';
import { BaseStore } from '../src/storage/store';
import { counted, startWithClient } from './helpers';

const REGIONS = ['KARAGANDA', 'ALMATY', 'ASTANA'];

describe('counting through an index', () => {
  const engine = new Engine();
  const store = new BaseStore(engine, 'db', 'servants', []);
  const bodies = [new ObjectId(), new ObjectId()];
  for (let i = 0; i < 3000; i++) {
    store.insert({ _id: new ObjectId(), region: REGIONS[i % 3], bodyId: bodies[i % 2], tags: i % 4 ? ['a', 'a', 'b'] : [], n: i % 5 });
  }
  engine.applyMutation({ op: 'createIndex', db: 'db', coll: 'servants', spec: { name: 'region_1', key: { region: 1 } } });
  engine.applyMutation({ op: 'createIndex', db: 'db', coll: 'servants', spec: { name: 'bodyId_1_region_1', key: { bodyId: 1, region: 1 } } });
  engine.applyMutation({ op: 'createIndex', db: 'db', coll: 'servants', spec: { name: 'tags_1', key: { tags: 1 } } });
  engine.applyMutation({ op: 'createIndex', db: 'db', coll: 'servants', spec: { name: 'n_1', key: { n: 1 } } });
  const matching = async (filter: Document) => (await select(store, filter, {})).length;

  it('counts an equality on a string or an ObjectId without reading a document, as a scan would', async () => {
    for (const filter of [{ region: 'ALMATY' }, { region: { $eq: 'ASTANA' } }, { bodyId: bodies[1] }, { tags: 'a' }, { region: 'NOWHERE' }]) {
      const { view, seen } = counted(store);
      expect(countThroughIndex(view, filter)).toBe(await matching(filter));
      expect(seen).toEqual({ gets: 0, scanned: 0 });
    }
    // A document whose array holds the value twice is counted once.
    expect(countThroughIndex(store, { tags: 'a' })).toBe(2250);
  });

  it('leaves other filters to the query', () => {
    for (const filter of [{}, { region: 'ALMATY', n: 1 }, { n: 1 }, { region: null }, { region: { $in: ['ALMATY'] } }, { tags: ['a', 'a', 'b'] }, { unindexed: 'x' }, { $and: [{ region: 'ALMATY' }] }]) {
      expect(countThroughIndex(store, filter)).toBeUndefined();
    }
  });
});

describe('countDocuments on the server', () => {
  it('agrees with the documents found, inside and outside a transaction, after inserts and deletes', async () => {
    const { client, close } = await startWithClient();
    try {
      const servants = client.db('count').collection('servants');
      await servants.createIndex({ region: 1 });
      await servants.createIndex({ tags: 1 });
      const body = new ObjectId();
      await servants.createIndex({ bodyId: 1 });
      await servants.insertMany(Array.from({ length: 500 }, (_, i) => ({ region: REGIONS[i % 3], bodyId: i % 2 ? body : new ObjectId(), tags: i % 2 ? ['x', 'y'] : ['y'] })));
      const agree = async (filter: Document, session?: import('mongodb').ClientSession) =>
        expect(await servants.countDocuments(filter, { session })).toBe((await servants.find(filter, { session }).toArray()).length);
      for (const filter of [{ region: 'ALMATY' }, { bodyId: body }, { tags: 'x' }, { region: 'NOWHERE' }, { region: 'ALMATY', tags: 'x' }]) await agree(filter);
      expect(await servants.countDocuments({ region: 'ALMATY' })).toBe(167);
      expect(await servants.countDocuments({ region: 'ALMATY' }, { limit: 10 })).toBe(10);

      await servants.deleteMany({ region: 'ALMATY', tags: 'x' });
      await agree({ region: 'ALMATY' });
      const session = client.startSession();
      try {
        await session.withTransaction(async () => {
          await servants.insertOne({ region: 'ALMATY', tags: [] }, { session });
          // The transaction's own insert, which the committed index does not hold yet.
          expect(await servants.countDocuments({ region: 'ALMATY' }, { session })).toBe(84);
          await agree({ region: 'ALMATY' }, session);
        });
      } finally {
        await session.endSession();
      }
      expect(await servants.countDocuments({ region: 'ALMATY' })).toBe(84);
    } finally {
      await close();
    }
  });
});
