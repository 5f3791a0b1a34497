import type { Connection } from 'mongoose';
import { startEmbeddedMongo, type EmbeddedMongo } from '@civil-service/embedded-mongo';
import { allocateCounter, connectDatabase, registerDirectoryModels, renewCounter, ServantFacts, type DirectoryEntry, type DirectoryModels } from '../src';

/**
 * ServantFacts follows two change numbers: the directory's seq and the records' rev. After the
 * first read, a change costs a rebuild of the changed servants only; a reseed (a lower head, or a
 * renewed counter) rebuilds everything.
 */
let mongo: EmbeddedMongo;
let db: Connection;
let models: DirectoryModels;
let seq = 0;
/** Servant ids passed to `build`, in order. */
let built: string[] = [];

interface Row {
  servantId: string;
  points: number;
}
interface Facts {
  region: string | null;
  points: number;
}

function entry(id: string, region: string): DirectoryEntry {
  seq += 1;
  return {
    _id: id,
    seq,
    changedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)),
    status: 'ACTIVE',
    gender: 'FEMALE',
    birthYear: 1985,
    entryDate: null,
    stateBodyId: 'b1',
    stateBodyLevel: 'CENTRAL',
    region,
    corps: 'B',
    categoryCode: 'C-4',
    bodyChain: ['b1'],
    periods: [],
  };
}

async function put(id: string, region: string) {
  await models.Directory.collection.replaceOne({ _id: id } as never, entry(id, region), { upsert: true });
}

/** A record written the way write paths do: its number taken in the same transaction. */
async function record(servantId: string, points: number) {
  await db.transaction(async (session) => {
    const rev = await allocateCounter(db, 'rows', 1, session);
    await db.collection('rows').insertOne({ servantId, points, rev }, { session });
  });
}

const store = () =>
  new ServantFacts<Row, Facts>({
    db,
    Directory: models.Directory,
    directoryHead: async () => (await models.Directory.findOne({}, { seq: 1 }).sort({ seq: -1 }).lean())?.seq ?? 0,
    records: { collection: 'rows', counterId: 'rows', projection: { points: 1 } },
    build(e, rows) {
      built.push(e._id);
      return { region: e.region, points: rows.reduce((sum, r) => sum + r.points, 0) };
    },
  });

const view = async (facts: ServantFacts<Row, Facts>) => Object.fromEntries([...(await facts.current()).facts].map(([id, f]) => [id, `${f.region}:${f.points}`]));

beforeAll(async () => {
  mongo = await startEmbeddedMongo({ port: 0 });
  db = await connectDatabase({ uri: mongo.uri, dbName: 'servant_facts_test' });
  models = registerDirectoryModels(db);
  await models.Directory.init();
});
afterAll(async () => {
  await db.close();
  await mongo.stop();
});

describe('ServantFacts', () => {
  let facts: ServantFacts<Row, Facts>;
  beforeAll(() => {
    facts = store();
  });

  it('reads every servant with their records once, then nothing while nothing changes', async () => {
    await put('s1', 'ASTANA');
    await put('s2', 'ASTANA');
    await put('s3', 'ABAI');
    await db.collection('rows').insertMany([{ servantId: 's1', points: 2 }, { servantId: 's3', points: 5 }]);
    expect(await view(facts)).toEqual({ s1: 'ASTANA:2', s2: 'ASTANA:0', s3: 'ABAI:5' });
    built = [];
    const before = (await facts.current()).version;
    expect(await view(facts)).toEqual({ s1: 'ASTANA:2', s2: 'ASTANA:0', s3: 'ABAI:5' });
    expect(built).toEqual([]);
    expect((await facts.current()).version).toBe(before);
  });

  it('rebuilds only a servant whose entry changed, also when the last one read moves twice', async () => {
    built = [];
    await put('s3', 'KARAGANDA');
    await put('s3', 'PAVLODAR');
    expect(await view(facts)).toEqual({ s1: 'ASTANA:2', s2: 'ASTANA:0', s3: 'PAVLODAR:5' });
    expect(built).toEqual(['s3']);
  });

  it('leaves a snapshot a request holds as it was while later changes are read', async () => {
    const held = await facts.current();
    const before = held.facts.get('s1');
    await put('s1', 'ZHETISU');
    const now = await facts.current();
    expect(now.version).not.toBe(held.version);
    expect(now.facts.get('s1')?.region).toBe('ZHETISU');
    expect(held.facts.get('s1')).toBe(before);
    await put('s1', 'ASTANA');
    await facts.current();
  });

  it('rebuilds only a servant whose records were written', async () => {
    built = [];
    await record('s2', 7);
    expect(await view(facts)).toEqual({ s1: 'ASTANA:2', s2: 'ASTANA:7', s3: 'PAVLODAR:5' });
    expect(built).toEqual(['s2']);
  });

  it('computes a derived value once per version and key', async () => {
    let runs = 0;
    const total = () =>
      facts.derive('total', 'k', (all) => {
        runs += 1;
        return [...all.values()].reduce((sum, f) => sum + f.points, 0);
      });
    expect(await Promise.all([total(), total()])).toEqual([14, 14]);
    expect(runs).toBe(1);
    await record('s1', 1);
    expect(await total()).toBe(15);
    expect(runs).toBe(2);
  });

  it('reads everything again after the records are replaced wholesale (a reseed)', async () => {
    await db.collection('rows').deleteMany({});
    await db.collection('rows').insertOne({ servantId: 's1', points: 9 });
    await renewCounter(db, 'rows');
    built = [];
    expect(await view(facts)).toEqual({ s1: 'ASTANA:9', s2: 'ASTANA:0', s3: 'PAVLODAR:0' });
    expect(built.sort()).toEqual(['s1', 's2', 's3']);
  });

  it('reads everything again after the directory is replaced with lower numbers', async () => {
    await models.Directory.deleteMany({});
    seq = 0;
    await put('s9', 'ABAI');
    built = [];
    expect(await view(facts)).toEqual({ s9: 'ABAI:0' });
    expect(built).toEqual(['s9']);
  });
});
