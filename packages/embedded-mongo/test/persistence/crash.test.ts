import { promises as fs } from 'node:fs';
import { Binary, Decimal128, EJSON, Long } from 'bson';
import { MongoClient, type Collection } from 'mongodb';
import { tempDir } from './helpers';
import { freePort, startServer, type ServerProcess } from './server-process';

/**
 * The durability requirement, end to end: the server CLI with a data directory, the official
 * driver writing with acknowledgement, SIGKILL while writes are in flight, restart on the same
 * directory, and every acknowledged write must be there with its final value, with nothing
 * half-written. Done twice, so the second crash hits a journal that was itself recovered from a
 * crash. The small MONGO_JOURNAL_MAX_RECORDS (without the growth rule) makes compactions happen throughout.
 */

const PHASE1_SINGLE = 1500;
const PHASE1_MANY = 10;
const PHASE1_MANY_SIZE = 50;
const WORKERS = 8;
const ENV = { MONGO_JOURNAL_MAX_RECORDS: '400', MONGO_JOURNAL_GROWTH_PERCENT: '0' };

/** The driver types `_id` as ObjectId unless the schema says otherwise; ours are numbers. */
interface Doc {
  _id: number;
  v: number;
  edits?: number;
  name?: string;
  iin?: string;
  salary?: Long;
  grade?: Decimal128;
  hired?: Date;
  photo?: Binary;
  ratio?: number;
  tags?: string[];
  org?: { code: string; level: number };
  k?: number;
  j?: number;
  pad?: string;
}

function connect(port: number): MongoClient {
  return new MongoClient(`mongodb://127.0.0.1:${port}/?directConnection=true`, {
    // A retried write would wait for a server that is dead on purpose; fail fast instead.
    retryWrites: false,
    retryReads: false,
    serverSelectionTimeoutMS: 5000,
    maxPoolSize: 24,
    promoteLongs: false,
  });
}

function baseDoc(i: number): Doc {
  return {
    _id: i,
    name: `Қызметкер ${i}`,
    iin: String(800101300000 + i),
    salary: Long.fromString(String(9_000_000_000_000 + i)),
    grade: Decimal128.fromString(`${i}.25`),
    hired: new Date(Date.UTC(2001, 0, 1) + i * 86_400_000),
    photo: new Binary(Buffer.from([i & 255, (i >> 8) & 255, 7])),
    ratio: i + 0.5,
    tags: ['civil', i % 2 ? 'odd' : 'even'],
    org: { code: `ORG-${i % 13}`, level: i % 4 },
    v: 0,
  };
}

const canonical = (docs: Doc[]) =>
  docs
    .map((d) => EJSON.stringify(d, { relaxed: false }))
    .sort()
    .join('\n');

async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
}

/** Phase 1: 2,000 documents, every third updated, every seventh deleted; all acknowledged. */
async function phase1(people: Collection<Doc>): Promise<Map<number, { v: number; edits: number; level: number }>> {
  const expected = new Map<number, { v: number; edits: number; level: number }>();
  const ids = Array.from({ length: PHASE1_SINGLE }, (_, i) => i);
  await pool(ids, 20, (i) => people.insertOne(baseDoc(i)));
  for (let b = 0; b < PHASE1_MANY; b++) {
    const docs = Array.from({ length: PHASE1_MANY_SIZE }, (_, j) => baseDoc(PHASE1_SINGLE + b * PHASE1_MANY_SIZE + j));
    const res = await people.insertMany(docs);
    expect(res.insertedCount).toBe(PHASE1_MANY_SIZE);
  }
  const all = Array.from({ length: PHASE1_SINGLE + PHASE1_MANY * PHASE1_MANY_SIZE }, (_, i) => i);
  for (const i of all) expected.set(i, { v: 0, edits: 0, level: i % 4 });
  await pool(all.filter((i) => i % 3 === 0), 20, async (i) => {
    const res = await people.updateOne({ _id: i }, { $set: { v: 1, 'org.level': 99 }, $inc: { edits: 1 } });
    expect(res.modifiedCount).toBe(1);
    expected.set(i, { v: 1, edits: 1, level: 99 });
  });
  await pool(all.filter((i) => i % 7 === 0), 20, async (i) => {
    expect((await people.deleteOne({ _id: i })).deletedCount).toBe(1);
    expected.delete(i);
  });
  await pool(all.filter((i) => i % 5 === 0 && expected.has(i)), 20, async (i) => {
    await people.updateOne({ _id: i }, { $set: { v: 2 }, $inc: { edits: 1 } });
    const e = expected.get(i)!;
    expected.set(i, { ...e, v: 2, edits: e.edits + 1 });
  });
  return expected;
}

type State = Map<number, number>; // _id -> v, for one worker's documents

/**
 * A worker of the in-flight stream. It owns its ids, runs one operation at a time, and keeps the
 * state after its last acknowledged operation plus the state if the in-flight one also landed:
 * after the crash its documents must equal one of the two, exactly.
 */
class StreamWorker {
  acked: State = new Map();
  ifPendingLanded: State = new Map();
  ackCount = 0;
  private stopped = false;

  constructor(
    private readonly coll: Collection<Doc>,
    private readonly base: number,
  ) {}

  id(k: number, j = 0): number {
    return this.base + k * 10 + j;
  }

  async run(): Promise<void> {
    for (let k = 0; !this.stopped; k++) {
      const next = new Map(this.acked);
      let op: () => Promise<unknown>;
      if (k % 8 === 3) {
        const docs = Array.from({ length: 5 }, (_, j) => ({ _id: this.id(k, j), k, j, v: 0, pad: 'm'.repeat(k % 300) }));
        docs.forEach((d) => next.set(d._id, 0));
        op = () => this.coll.insertMany(docs);
      } else if (k % 8 === 7) {
        next.delete(this.id(k - 7));
        op = () => this.coll.deleteOne({ _id: this.id(k - 7) });
      } else if (k % 4 === 2) {
        next.set(this.id(k - 1), k);
        op = () => this.coll.updateOne({ _id: this.id(k - 1) }, { $set: { v: k } });
      } else {
        next.set(this.id(k), 0);
        op = () => this.coll.insertOne({ _id: this.id(k), k, v: 0, pad: 'p'.repeat(k % 200) });
      }
      this.ifPendingLanded = next;
      try {
        await op();
      } catch {
        return; // the server was killed under this operation
      }
      this.acked = next;
      this.ackCount++;
    }
  }

  async check(coll: Collection<Doc>): Promise<'acked' | 'pending'> {
    const docs = await coll.find({ _id: { $gte: this.base, $lt: this.base + 1_000_000 } }).toArray();
    const actual = new Map(docs.map((d) => [d._id, d.v]));
    const same = (s: State) => s.size === actual.size && [...s].every(([id, v]) => actual.get(id) === v);
    if (same(this.acked)) return 'acked';
    if (same(this.ifPendingLanded)) return 'pending';
    throw new Error(
      `worker ${this.base}: recovered ${JSON.stringify([...actual])} is neither the acknowledged state ` +
        `${JSON.stringify([...this.acked])} nor that plus the in-flight write`,
    );
  }

  /** After a restart has settled which way the in-flight write went, that is the new truth. */
  settle(outcome: 'acked' | 'pending'): void {
    if (outcome === 'pending') this.acked = this.ifPendingLanded;
  }
}

/** Runs workers until `acks` writes were acknowledged, then SIGKILLs the server mid-stream. */
async function streamThenKill(server: ServerProcess, client: MongoClient, base: number, acks: number) {
  const coll = client.db('hr').collection<Doc>('stream');
  const workers = Array.from({ length: WORKERS }, (_, w) => new StreamWorker(coll, base + w * 1_000_000));
  const running = workers.map((w) => w.run());
  while (workers.reduce((n, w) => n + w.ackCount, 0) < acks) await new Promise((r) => setTimeout(r, 5));
  await server.kill();
  await Promise.all(running);
  await client.close(true);
  return workers;
}

describe('crash test: SIGKILL the server while acknowledged writes stream in', () => {
  it('keeps every acknowledged write and no half-written one, across two crashes', async () => {
    const dir = await tempDir('kzm-crash-');
    const port = await freePort();

    let server = await startServer(dir, port, ENV);
    let client = connect(port);
    const people = client.db('hr').collection<Doc>('people');
    const expected = await phase1(people);
    const before = canonical(await people.find({}).toArray());
    const firstStream = await streamThenKill(server, client, 10_000_000, 300 + Math.floor(Math.random() * 300));

    // First restart.
    server = await startServer(dir, port, ENV);
    client = connect(port);
    let recoveredPeople = await client.db('hr').collection<Doc>('people').find({}).toArray();
    expect(recoveredPeople).toHaveLength(expected.size);
    for (const doc of recoveredPeople) {
      const e = expected.get(doc._id);
      expect({ id: doc._id, v: doc.v, edits: doc.edits ?? 0, level: doc.org?.level }).toEqual({ id: doc._id, ...e });
    }
    // Byte-for-byte the same documents as the server served before the crash (Long, Decimal128...).
    expect(canonical(recoveredPeople)).toBe(before);
    const stream = client.db('hr').collection<Doc>('stream');
    for (const w of firstStream) w.settle(await w.check(stream));
    // The restarted server takes writes on top of the recovered journal.
    await client.db('hr').collection<Doc>('people').insertOne(baseDoc(5_000_000));
    const secondStream = await streamThenKill(server, client, 20_000_000, 200 + Math.floor(Math.random() * 300));

    // Second restart: everything from before both crashes is still there.
    server = await startServer(dir, port, ENV);
    client = connect(port);
    try {
      recoveredPeople = await client.db('hr').collection<Doc>('people').find({}).toArray();
      expect(recoveredPeople).toHaveLength(expected.size + 1);
      expect(canonical(recoveredPeople.filter((d) => d._id !== 5_000_000))).toBe(before);
      const again = client.db('hr').collection<Doc>('stream');
      for (const w of firstStream) expect(await w.check(again)).toBe('acked');
      for (const w of secondStream) await w.check(again);
      expect(firstStream.reduce((n, w) => n + w.acked.size, 0)).toBeGreaterThan(0);
      // The crashes happened with compactions in the mix: a snapshot and a later journal exist.
      const files = await fs.readdir(dir);
      expect(files).toContain('snapshot.bson');
      expect(files.filter((f) => f.startsWith('journal-') && f !== 'journal-0000000000.log').length).toBeGreaterThan(0);
    } finally {
      await client.close();
      await server.stop();
    }
  }, 300_000);
});
