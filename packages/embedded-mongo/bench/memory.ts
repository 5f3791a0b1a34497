import { deserialize, ObjectId, serialize, type Document } from 'bson';
import { Engine } from '../src/storage/engine';
import type { Mutation } from '../src/storage/mutation';
import { BaseStore } from '../src/storage/store';

/**
 * `npx tsx packages/embedded-mongo/bench/memory.ts [--docs N]`: memory per stored document.
 * Inserts N assignment-shaped documents (the project's commonest shape) into an in-process engine
 * with two secondary indexes, the way the insert command does (each document decoded from BSON,
 * as it arrives off the wire), then reports V8 heap and RSS growth per document after a full GC.
 * It re-runs itself with --expose-gc when started without it.
 */

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const DOCS = Number(arg('docs') ?? 1_000_000);
const BATCH = 10_000;

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (!g) throw new Error('run with node --expose-gc (tsx does: NODE_OPTIONS=--expose-gc)');
  g();
  g();
}

function mb(n: number): string {
  return `${(n / 1024 / 1024).toFixed(0)} MB`;
}

/** One batch as an insert command would receive it: a single BSON buffer, decoded. */
function batch(start: number, servants: ObjectId[], positions: ObjectId[], bodies: ObjectId[]): Document[] {
  const docs: Document[] = [];
  for (let i = start; i < start + BATCH && i < DOCS; i++) {
    docs.push({
      _id: new ObjectId(),
      servantId: servants[i % servants.length],
      positionId: positions[i % positions.length],
      stateBodyId: bodies[i % bodies.length],
      startDate: new Date(Date.UTC(2000 + (i % 24), i % 12, 1 + (i % 28))),
      endDate: i % 3 === 0 ? null : new Date(Date.UTC(2001 + (i % 24), i % 12, 1)),
      endReason: i % 3 === 0 ? null : ['transfer', 'promotion', 'retirement'][i % 3],
      orderNumber: `ORD-${2000 + (i % 24)}-${String(i).padStart(7, '0')}`,
    });
  }
  return Object.values(deserialize(serialize({ documents: docs }))['documents'] as Record<string, Document>);
}

function main(): void {
  gc();
  const before = process.memoryUsage();
  const engine = new Engine();
  const log: Mutation[] = [];
  const db = 'memory_bench';
  const coll = 'assignments';
  engine.apply({ op: 'createCollection', db, coll }, log);
  engine.apply({ op: 'createIndex', db, coll, spec: { name: 'servantId_1', key: { servantId: 1 } } }, log);
  engine.apply({ op: 'createIndex', db, coll, spec: { name: 'positionId_1_startDate_-1', key: { positionId: 1, startDate: -1 } } }, log);
  const store = new BaseStore(engine, db, coll, log);
  const servants = Array.from({ length: Math.max(1, DOCS / 4) }, () => new ObjectId());
  const positions = Array.from({ length: Math.max(1, DOCS / 10) }, () => new ObjectId());
  const bodies = Array.from({ length: 500 }, () => new ObjectId());
  gc();
  const base = process.memoryUsage();
  const started = Date.now();
  for (let i = 0; i < DOCS; i += BATCH) {
    for (const doc of batch(i, servants, positions, bodies)) store.insert(doc);
    log.length = 0;
  }
  const elapsed = Date.now() - started;
  gc();
  const after = process.memoryUsage();
  const heap = after.heapUsed + after.external - (base.heapUsed + base.external);
  console.log(`${DOCS} documents inserted in ${(elapsed / 1000).toFixed(1)} s (${Math.round(DOCS / (elapsed / 1000))} docs/s)`);
  console.log(`heap+external: ${mb(heap)} total, ${Math.round(heap / DOCS)} bytes/document`);
  console.log(`RSS: ${mb(after.rss)} (started at ${mb(before.rss)}), ${Math.round((after.rss - base.rss) / DOCS)} bytes/document`);
  if (engine.collection(db, coll)?.docs.size !== DOCS) throw new Error('document count mismatch');
}

main();
