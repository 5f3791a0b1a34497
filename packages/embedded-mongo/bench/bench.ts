import { spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { MongoClient, ObjectId, type Document } from 'mongodb';

/**
 * `npm run bench:mongo [-- --docs N] [-- --uri mongodb://...]`: insertMany throughput, then
 * 100-value `$in` lookups on an indexed field against the same lookup on an unindexed field
 * (a collection scan), and a keyset-paged list of one region under a compound `{region, _id}`
 * index against a first-field-only index, all through the official driver. The embedded server runs as its own
 * process, as `npm run mongo` would, so client and server do not share an event loop.
 */

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const DOCS = Number(arg('docs') ?? 1_000_000);
const BATCH = 10_000;
const LOOKUPS = Number(arg('lookups') ?? 25);
const SCANS = Number(arg('scans') ?? 5);
if (!Number.isInteger(DOCS) || DOCS < 1000) throw new Error('--docs must be an integer >= 1000');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function p95(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)];
}

async function freePort(): Promise<number> {
  const server = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

async function startServer(): Promise<{ uri: string; stop(): void }> {
  const port = await freePort();
  const cli = path.resolve(__dirname, '../src/cli.ts');
  // Without MONGO_DATA_DIR the server keeps data in memory only: the bench measures the engine, not the disk.
  const { MONGO_DATA_DIR: _ignored, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', cli], {
    env: { ...env, MONGO_PORT: String(port), MONGO_HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
    child.stdout!.on('data', (c: Buffer) => {
      if (c.toString().includes('ready')) resolve();
    });
  });
  return { uri: `mongodb://127.0.0.1:${port}/?directConnection=true`, stop: () => child.kill('SIGTERM') };
}

async function main(): Promise<void> {
  const external = arg('uri');
  const server = external ? undefined : await startServer();
  const uri = external ?? server!.uri;
  const client = await MongoClient.connect(uri);
  const db = client.db(`bench_${Date.now()}`);
  const coll = db.collection('people');
  try {
    await coll.createIndex({ k: 1 });
    // The same region twice: under a compound index (walked in _id order) and a first-field-only one.
    await coll.createIndex({ region: 1, _id: 1 });
    await coll.createIndex({ region1: 1 });
    const batchRates: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < DOCS; i += BATCH) {
      const docs = [];
      for (let j = i; j < Math.min(DOCS, i + BATCH); j++) {
        docs.push({ _id: new ObjectId(), k: j, u: j, name: `servant ${j}`, org: `org-${j % 500}`, hired: new Date(1_500_000_000_000 + j * 1000), region: `r-${j % 20}`, region1: `r-${j % 20}` });
      }
      const b0 = performance.now();
      await coll.insertMany(docs, { ordered: false });
      batchRates.push(docs.length / ((performance.now() - b0) / 1000));
    }
    const insertSeconds = (performance.now() - t0) / 1000;

    // Deterministic values spread over the whole key range.
    const values = (round: number) => Array.from({ length: 100 }, (_, i) => ((i * 9973 + round * 7919) % DOCS));
    const indexed: number[] = [];
    for (let r = 0; r < LOOKUPS; r++) {
      const q0 = performance.now();
      const found = await coll.find({ k: { $in: values(r) } }).toArray();
      indexed.push(performance.now() - q0);
      if (found.length !== 100) throw new Error(`indexed lookup returned ${found.length} documents, expected 100`);
    }
    const scanned: number[] = [];
    for (let r = 0; r < SCANS; r++) {
      const q0 = performance.now();
      const found = await coll.find({ u: { $in: values(r) } }).toArray();
      scanned.push(performance.now() - q0);
      if (found.length !== 100) throw new Error(`scan returned ${found.length} documents, expected 100`);
    }

    // The personnel list shape: one region, keyset-paged by _id, 51 per page.
    const pages = async (field: string): Promise<number[]> => {
      const times: number[] = [];
      let after: unknown;
      for (let r = 0; r < LOOKUPS; r++) {
        const q0 = performance.now();
        const filter: Document = { [field]: 'r-7', ...(after ? { _id: { $gt: after } } : {}) };
        const page = await coll.find(filter).sort({ _id: 1 }).limit(51).toArray();
        times.push(performance.now() - q0);
        if (page.length !== 51) throw new Error(`list page returned ${page.length} documents, expected 51`);
        after = page[50]._id;
      }
      return times;
    };
    const listCompound = await pages('region');
    const listFirstOnly = await pages('region1');

    const rows: [string, string, string, string][] = [
      ['insertMany (10,000/batch)', `${DOCS.toLocaleString('en-US')} docs`, `${Math.round(median(batchRates)).toLocaleString('en-US')} docs/s`, `total ${insertSeconds.toFixed(1)} s, ${Math.round(DOCS / insertSeconds).toLocaleString('en-US')} docs/s overall`],
      ['find $in 100 values, indexed k', `${LOOKUPS} runs`, `${median(indexed).toFixed(1)} ms`, `p95 ${p95(indexed).toFixed(1)} ms`],
      ['find $in 100 values, unindexed u (scan)', `${SCANS} runs`, `${median(scanned).toFixed(1)} ms`, `p95 ${p95(scanned).toFixed(1)} ms`],
      ['speed-up of the index', '', `${(median(scanned) / median(indexed)).toFixed(0)}x`, ''],
      ['list page, {region, _id} index', `${LOOKUPS} pages`, `${median(listCompound).toFixed(1)} ms`, `p95 ${p95(listCompound).toFixed(1)} ms, ${(DOCS / 20).toLocaleString('en-US')} docs in the region`],
      ['list page, {region1} index only', `${LOOKUPS} pages`, `${median(listFirstOnly).toFixed(1)} ms`, `p95 ${p95(listFirstOnly).toFixed(1)} ms (reads and sorts the whole region)`],
    ];
    const header: [string, string, string, string] = ['operation', 'runs / size', 'median', 'notes'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
    console.log(`\nembedded-mongo bench against ${external ? 'an external server' : 'the embedded server'}, ${DOCS.toLocaleString('en-US')} documents\n`);
    console.log(line(header));
    console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
    for (const r of rows) console.log(line(r));
  } finally {
    await db.dropDatabase().catch(() => undefined);
    await client.close();
    server?.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
