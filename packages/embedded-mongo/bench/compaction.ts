import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ObjectId } from 'bson';
import { createFileDurability } from '../src/persistence';
import { Engine } from '../src/storage/engine';
import type { Mutation } from '../src/storage/mutation';

/**
 * `node --max-old-space-size=8192 --import tsx packages/embedded-mongo/bench/compaction.ts [--docs N]`:
 * what a journal compaction costs the event loop. Fills an engine with N small documents, times
 * `dump()` (the one synchronous step), then runs one real compaction through the file durability
 * while a 1 ms timer measures the longest time the event loop went without running it (what
 * another connection, e.g. a driver's heartbeat, would have waited), and finally recovers the
 * directory to check the snapshot holds every document.
 */

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const DOCS = Number(arg('docs') ?? 500_000);
const db = 'compaction_bench';
const coll = 'people';

function fill(engine: Engine): void {
  engine.applyMutation({ op: 'createCollection', db, coll });
  engine.applyMutation({ op: 'createIndex', db, coll, spec: { name: 'region_1', key: { region: 1 } } });
  for (let i = 0; i < DOCS; i++) {
    engine.applyMutation({
      op: 'insert',
      db,
      coll,
      doc: { _id: new ObjectId(), n: i, name: `person ${i}`, region: `r${i % 17}`, active: i % 3 !== 0, since: new Date(Date.UTC(2000, 0, 1 + (i % 9000))) },
    });
  }
}

/** Longest gap between runs of a 1 ms interval while `work` runs. */
async function longestStall<T>(work: () => Promise<T>): Promise<{ result: T; stallMs: number; totalMs: number }> {
  let last = performance.now();
  let stallMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stallMs = Math.max(stallMs, now - last);
    last = now;
  }, 1);
  const start = performance.now();
  const result = await work();
  const totalMs = performance.now() - start;
  clearInterval(timer);
  stallMs = Math.max(stallMs, performance.now() - last);
  return { result, stallMs, totalMs };
}

async function main(): Promise<void> {
  const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kzm-compaction-bench-'));
  try {
    const durability = await createFileDurability(dir, { maxJournalRecords: 1, log: (m) => console.error(m) });
    await durability.recover();
    const engine = new Engine(durability);
    let t = performance.now();
    fill(engine);
    console.log(`${DOCS} documents in memory (${fmt(performance.now() - t)})`);

    t = performance.now();
    engine.dump();
    console.log(`dump(), the synchronous part of a compaction: ${fmt(performance.now() - t)}`);

    // One journaled write that crosses the threshold (maxJournalRecords: 1) and so compacts.
    const { stallMs, totalMs } = await longestStall(() => {
      const log: Mutation[] = [];
      engine.apply({ op: 'insert', db, coll, doc: { _id: new ObjectId(), n: -1 } }, log);
      return engine.persist(log);
    });
    const snapshot = await fs.stat(path.join(dir, 'snapshot.bson'));
    console.log(
      `compaction through the file durability: ${fmt(totalMs)} until the triggering write was acknowledged, ` +
        `longest event-loop stall ${fmt(stallMs)}, snapshot ${(snapshot.size / 1024 / 1024).toFixed(1)} MiB, ` +
        `compactions ${durability.stats().compactions}`,
    );
    await durability.close();

    t = performance.now();
    const reopened = await createFileDurability(dir, { log: (m) => console.error(m) });
    const recovered = await reopened.recover();
    const inserts = recovered.filter((m) => m.op === 'insert').length;
    console.log(`recovered ${inserts} documents in ${fmt(performance.now() - t)}`);
    await reopened.close();
    if (inserts !== DOCS + 1) throw new Error(`expected ${DOCS + 1} documents back, got ${inserts}`);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

void main();
