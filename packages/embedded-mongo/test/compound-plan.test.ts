import { ObjectId, type Document } from 'mongodb';
import { Engine } from '../src/storage/engine';
import { select } from '../src/storage/query';
import { BaseStore, type Store } from '../src/storage/store';
import { canonicalKey } from '../src/storage/values';
import { counted } from './helpers';

const REGIONS = ['KARAGANDA', 'ALMATY', 'ASTANA', 'AKTOBE'];

/** The same documents twice: one collection with compound indexes, one with only `_id`. */
function twins(n: number) {
  const engine = new Engine();
  const indexed = new BaseStore(engine, 'db', 'indexed', []);
  const bare = new BaseStore(engine, 'db', 'bare', []);
  const ids = Array.from({ length: n }, (_, i) => ObjectId.createFromTime(1_700_000_000 + i));
  // Insert out of _id order so an index walk cannot succeed by following insertion order.
  for (let i = 0; i < n; i++) {
    const j = (i * 7919) % n;
    const doc = { _id: ids[j], currentRegion: REGIONS[j % 4], status: j % 3 ? 'ACTIVE' : 'RETIRED', tags: [`t${j % 5}`, `u${j % 2}`] };
    indexed.insert(doc);
    bare.insert(doc);
  }
  const keys: Record<string, number>[] = [{ currentRegion: 1, _id: 1 }, { status: 1, _id: 1 }, { currentRegion: 1, tags: 1 }];
  for (const key of keys) {
    const name = Object.keys(key).join('_');
    engine.applyMutation({ op: 'createIndex', db: 'db', coll: 'indexed', spec: { name, key } });
  }
  return { indexed, bare, ids };
}

describe('compound index planning', () => {
  const { indexed, bare, ids } = twins(20_000);
  const idsOf = async (store: Store, filter: Document, opts: { sort?: Document; skip?: number; limit?: number }) =>
    (await select(store, filter, opts)).map((e) => String(e.doc._id));

  it('pages through one region reading about `limit` documents, not the whole region', async () => {
    let after: ObjectId | undefined;
    for (let page = 0; page < 3; page++) {
      const filter: Document = { currentRegion: 'KARAGANDA', ...(after ? { _id: { $gt: after } } : {}) };
      const { view, seen } = counted(indexed);
      const got = await idsOf(view, filter, { sort: { _id: 1 }, limit: 51 });
      expect(seen).toEqual({ gets: 51, scanned: 0 });
      expect(got).toEqual(await idsOf(bare, filter, { sort: { _id: 1 }, limit: 51 }));
      after = ObjectId.createFromHexString(got[50]);
    }
  });

  it('matches the unindexed answer for descending order, skip, extra filters and a bounded range', async () => {
    const mid = ids[10_000];
    const cases: [Document, { sort?: Document; skip?: number; limit?: number }][] = [
      [{ currentRegion: 'ALMATY', _id: { $lt: mid } }, { sort: { _id: -1 }, limit: 51 }],
      [{ currentRegion: 'ALMATY', _id: { $gte: mid } }, { sort: { currentRegion: 1, _id: -1 }, skip: 20, limit: 10 }],
      [{ currentRegion: 'ASTANA', status: 'RETIRED', _id: { $gt: ids[5] } }, { sort: { _id: 1 }, limit: 25 }],
      [{ currentRegion: 'AKTOBE', _id: { $gt: ids[100], $lte: ids[400] } }, {}],
      [{ status: 'ACTIVE' }, { sort: { _id: -1 }, limit: 7 }],
      [{ currentRegion: 'KARAGANDA', _id: { $gt: 'a string' } }, { sort: { _id: 1 }, limit: 5 }],
      [{ currentRegion: 'NOWHERE' }, { sort: { _id: 1 }, limit: 5 }],
      // An array-valued second field cannot give MongoDB's sort order: this must fall back.
      [{ currentRegion: 'ALMATY' }, { sort: { tags: 1 }, limit: 30 }],
    ];
    for (const [filter, opts] of cases) {
      expect(await idsOf(indexed, filter, opts)).toEqual(await idsOf(bare, filter, opts));
    }
    const { view, seen } = counted(indexed);
    await idsOf(view, { currentRegion: 'ALMATY', _id: { $lt: mid } }, { sort: { _id: -1 }, limit: 51 });
    expect(seen.gets).toBe(51);
  });

  it('stays correct after documents move between regions or disappear', async () => {
    const engine = new Engine();
    const store = new BaseStore(engine, 'db', 'c', []);
    const plainStore = new BaseStore(engine, 'db', 'plain', []);
    engine.applyMutation({ op: 'createIndex', db: 'db', coll: 'c', spec: { name: 'r_id', key: { r: 1, _id: 1 } } });
    for (let i = 0; i < 500; i++) for (const s of [store, plainStore]) s.insert({ _id: i, r: i % 2 ? 'A' : 'B' });
    for (let i = 0; i < 500; i += 3) {
      for (const s of [store, plainStore]) {
        if (i % 2) s.delete(canonicalKey(i));
        else s.replace(canonicalKey(i), { _id: i, r: 'A' });
      }
    }
    for (const filter of [{ r: 'A', _id: { $gt: 100 } }, { r: 'B' }]) {
      for (const sort of [{ _id: 1 }, { _id: -1 }]) {
        expect(await idsOf(store, filter, { sort, limit: 40 })).toEqual(await idsOf(plainStore, filter, { sort, limit: 40 }));
      }
    }
  });
});
