import { once } from 'node:events';
import * as net from 'node:net';
import { Long, UUID, type Document } from 'bson';
import { MongoClient } from 'mongodb';
import { startEmbeddedMongo, type EmbeddedMongo } from '../src';
import { RetryableWrites } from '../src/commands/retryable-writes';
import { MessageReader } from '../src/wire/framing';
import { parseMessage } from '../src/wire/messages';
import { RawClient } from './raw-client';

/**
 * A driver retries a write once, with the same lsid and txnNumber, when it lost the connection
 * before the reply came (retryable writes). The server must answer the retry with the first
 * attempt's reply instead of applying the write twice.
 */
describe('retryable writes over the wire', () => {
  let server: EmbeddedMongo;
  let c: RawClient;
  const db = 'retryable';
  beforeAll(async () => {
    server = await startEmbeddedMongo({ port: 0 });
    c = await RawClient.connect(server.port);
  });
  afterAll(async () => {
    c.destroy();
    await server.stop();
  });

  const session = () => ({ id: new UUID() });
  const docs = async (coll: string) => ((await c.command({ find: coll, $db: db, filter: {}, sort: { _id: 1 } }))?.cursor as Document).firstBatch as Document[];

  it('applies an insert and an $inc update retried with the same lsid + txnNumber once, and replies the same', async () => {
    const lsid = session();
    const insert = { insert: 'once', $db: db, ordered: false, lsid, txnNumber: Long.fromNumber(1) };
    const batch: Document[] = [{ _id: 1, v: 0 }, { _id: 2, v: 0 }];
    const first = await c.command(insert, 0, [['documents', batch]]);
    expect(first).toEqual({ n: 2, ok: 1 });
    // The retry comes on another connection, as it would after a pool clear.
    const other = await RawClient.connect(server.port);
    const retried = await other.command(insert, 0, [['documents', batch]]);
    expect(retried).toEqual(first);

    const update = { update: 'once', $db: db, lsid, txnNumber: Long.fromNumber(2), updates: [{ q: { _id: 1 }, u: { $inc: { v: 1 } } }] };
    const updated = await c.command(update);
    expect(updated).toEqual({ n: 1, nModified: 1, ok: 1 });
    expect(await other.command(update)).toEqual(updated);
    other.destroy();

    expect(await docs('once')).toEqual([{ _id: 1, v: 1 }, { _id: 2, v: 0 }]);
  });

  it('runs findAndModify and delete once per txnNumber too', async () => {
    const lsid = session();
    await c.command({ insert: 'fam', $db: db, documents: [{ _id: 1, v: 0 }, { _id: 2 }, { _id: 3 }] });
    const fam = { findAndModify: 'fam', $db: db, query: { _id: 1 }, update: { $inc: { v: 5 } }, new: true, lsid, txnNumber: Long.fromNumber(7) };
    const first = await c.command(fam);
    expect(first).toMatchObject({ value: { _id: 1, v: 5 }, ok: 1 });
    expect(await c.command(fam)).toEqual(first);
    const del = { delete: 'fam', $db: db, deletes: [{ q: {}, limit: 1 }], lsid, txnNumber: Long.fromNumber(8) };
    expect(await c.command(del)).toEqual({ n: 1, ok: 1 });
    expect(await c.command(del)).toEqual({ n: 1, ok: 1 });
    expect(await docs('fam')).toEqual([{ _id: 2 }, { _id: 3 }]);
  });

  it('refuses a txnNumber older than the session has used with TransactionTooOld (225)', async () => {
    const lsid = session();
    expect(await c.command({ insert: 'old', $db: db, documents: [{ _id: 1 }], lsid, txnNumber: Long.fromNumber(5) })).toEqual({ n: 1, ok: 1 });
    const stale = await c.command({ insert: 'old', $db: db, documents: [{ _id: 2 }], lsid, txnNumber: Long.fromNumber(4) });
    expect(stale).toMatchObject({ ok: 0, code: 225, codeName: 'TransactionTooOld' });
    expect(await docs('old')).toEqual([{ _id: 1 }]);
  });

  it('still runs every write that carries no txnNumber, and keeps sessions apart', async () => {
    const plain = { insert: 'plain', $db: db, documents: [{ _id: 1 }] };
    expect(await c.command(plain)).toEqual({ n: 1, ok: 1 });
    expect(await c.command(plain)).toMatchObject({ n: 0, writeErrors: [{ code: 11000 }], ok: 1 });
    // The same txnNumber on two sessions is two different writes.
    const a = { insert: 'apart', $db: db, documents: [{ _id: 'a' }], lsid: session(), txnNumber: Long.fromNumber(1) };
    const b = { insert: 'apart', $db: db, documents: [{ _id: 'b' }], lsid: session(), txnNumber: Long.fromNumber(1) };
    expect(await c.command(a)).toEqual({ n: 1, ok: 1 });
    expect(await c.command(b)).toEqual({ n: 1, ok: 1 });
    expect(await docs('apart')).toEqual([{ _id: 'a' }, { _id: 'b' }]);
  });

  it('answers a retry sent at the same time as the first attempt with the first reply', async () => {
    const lsid = session();
    const cmd = { insert: 'racing', $db: db, lsid, txnNumber: Long.fromNumber(3) };
    const batch = Array.from({ length: 20_000 }, (_, i) => ({ _id: i }));
    const other = await RawClient.connect(server.port);
    const [first, second] = await Promise.all([c.command(cmd, 0, [['documents', batch]]), other.command(cmd, 0, [['documents', batch]])]);
    other.destroy();
    expect(first).toEqual({ n: 20_000, ok: 1 });
    expect(second).toEqual(first);
  });
});

/**
 * A TCP proxy in front of the server that lets the first command named `victim` through to the
 * server but cuts the client's connection instead of passing its reply back: the write is
 * applied, and the driver sees a network error, exactly what a pool clear does to it.
 */
async function replyDroppingProxy(target: number, victim: string): Promise<{ port: number; dropped: () => number; close(): Promise<void> }> {
  let dropped = 0;
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    const reader = new MessageReader(64 * 1024 * 1024);
    let doomed = false;
    client.on('data', (chunk: Buffer) => {
      for (const msg of reader.push(chunk)) {
        if (dropped === 0 && Object.keys(parseMessage(msg).command)[0] === victim) {
          dropped++;
          doomed = true;
        }
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => (doomed ? client.destroy() : client.write(chunk)));
    for (const [a, b] of [[client, upstream], [upstream, client]]) {
      a.on('close', () => b.destroy());
      a.on('error', () => b.destroy());
    }
  });
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  return {
    port: (proxy.address() as net.AddressInfo).port,
    dropped: () => dropped,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => proxy.close(r));
    },
  };
}

describe('retryable writes through the driver', () => {
  it('an insertMany whose reply is lost is retried by the driver and inserts every document once', async () => {
    const server = await startEmbeddedMongo({ port: 0 });
    const proxy = await replyDroppingProxy(server.port, 'insert');
    const client = await MongoClient.connect(`mongodb://127.0.0.1:${proxy.port}/?directConnection=true`, { serverSelectionTimeoutMS: 10_000 });
    try {
      const docs = Array.from({ length: 5000 }, (_, i) => ({ _id: i, servant: `s${i}` }));
      // Before retryable writes were honoured: MongoBulkWriteError E11000 on all 5000 (insertedCount 0).
      const evaluations = client.db('retryable_driver').collection<{ _id: number; servant: string }>('evaluations');
      const result = await evaluations.insertMany(docs, { ordered: false });
      expect(proxy.dropped()).toBe(1);
      expect(result.insertedCount).toBe(5000);
      expect(await evaluations.countDocuments()).toBe(5000);
    } finally {
      await client.close();
      await proxy.close();
      await server.stop();
    }
  });
});

describe('RetryableWrites', () => {
  const ok = (n: number) => async () => ({ n, ok: 1 });

  it('waits for an attempt in flight and reruns one that failed as a whole', async () => {
    const w = new RetryableWrites();
    let release!: (d: Document) => void;
    let runs = 0;
    const slow = () => {
      runs++;
      return new Promise<Document>((r) => (release = r));
    };
    const a = w.run('s', 1n, slow);
    const b = w.run('s', 1n, slow);
    await new Promise((r) => setImmediate(r));
    release({ n: 1, ok: 1 });
    expect(await a).toEqual({ n: 1, ok: 1 });
    expect(await b).toEqual({ n: 1, ok: 1 });
    expect(runs).toBe(1);

    const failed = await w.run('s', 2n, async () => ({ ok: 0, code: 9 }));
    expect(failed).toMatchObject({ ok: 0 });
    expect(await w.run('s', 2n, ok(2))).toEqual({ n: 2, ok: 1 });
  });

  it('forgets idle sessions and the least recently used ones beyond its limit', async () => {
    let now = 0;
    const w = new RetryableWrites({ maxSessions: 2, idleMs: 1000, now: () => now });
    await w.run('a', 1n, ok(1));
    await w.run('b', 1n, ok(1));
    await w.run('a', 1n, ok(99)); // a retry: makes 'a' the most recently used
    await w.run('c', 1n, ok(1));
    expect(w.size).toBe(2);
    expect(w.highest('b')).toBeUndefined();
    expect(w.highest('a')).toBe(1n);
    now = 5000;
    await w.run('d', 1n, ok(1));
    expect(w.size).toBe(1);
    // A forgotten session runs the write again (what a restart does too).
    expect(await w.run('a', 1n, ok(3))).toEqual({ n: 3, ok: 1 });
  });
});
