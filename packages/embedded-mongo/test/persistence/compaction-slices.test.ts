import { performance } from 'node:perf_hooks';
import type { Document } from 'bson';
import { readSnapshot, writeSnapshot } from '../../src/persistence/snapshot';
import { Engine } from '../../src/storage/engine';
import type { Mutation } from '../../src/storage/mutation';
import { insert, open, reopen, tempDir } from './helpers';
import { Model } from './model';

/**
 * A compaction writes the whole state. Encoding it in one synchronous step blocked the server
 * for seconds (about 30 s for 2,000,000 small documents), long enough for drivers' heartbeats to
 * time out and retry writes. It is now encoded in slices from a dump taken at one instant.
 */

/** Calls `work` while a 1 ms timer measures the longest time the event loop did not run it. */
async function longestStall(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let stall = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    stall = Math.max(stall, now - last);
    last = now;
  }, 1);
  await work();
  clearInterval(timer);
  return Math.max(stall, performance.now() - last);
}

describe('compaction in slices', () => {
  it('captures the state when dump() is called, however late the dump is read', () => {
    const engine = new Engine();
    const log: Mutation[] = [];
    engine.apply({ op: 'createCollection', db: 'hr', coll: 'people' }, log);
    engine.apply({ op: 'createIndex', db: 'hr', coll: 'people', spec: { name: 'v_1', key: { v: 1 } } }, log);
    for (let i = 0; i < 5; i++) engine.apply(insert(i, { v: i }), log);
    const before = new Model().applyAll(engine.dump()).fingerprint();

    const dump = engine.dump();
    engine.apply({ op: 'replace', db: 'hr', coll: 'people', doc: { _id: 1, v: 100 } }, log);
    engine.apply({ op: 'delete', db: 'hr', coll: 'people', id: 2 }, log);
    engine.apply(insert(9), log);
    engine.apply({ op: 'dropIndex', db: 'hr', coll: 'people', name: 'v_1' }, log);
    engine.apply({ op: 'createCollection', db: 'hr', coll: 'later' }, log);

    expect(new Model().applyAll(dump).fingerprint()).toBe(before);
  });

  it('yields to the event loop while it encodes, and reads back exactly what it was given', async () => {
    const dir = await tempDir();
    const mutations: Mutation[] = [{ op: 'createCollection', db: 'hr', coll: 'people' }];
    for (let i = 0; i < 60_000; i++) mutations.push(insert(i, { blob: 'x'.repeat(i % 300) }));
    // Larger than one 4 MiB record: written as a record of its own.
    mutations.push(insert(-1, { big: 'y'.repeat(5 * 1024 * 1024) }));
    mutations.push(insert(-2, { after: true }));

    let turns = 0;
    let counting = true;
    const tick = () => {
      turns++;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);
    try {
      await writeSnapshot(dir, 3, mutations, { sliceMs: 0 });
    } finally {
      counting = false;
    }
    // sliceMs 0: a turn after every 256 mutations (the clock is read that often).
    expect(turns).toBeGreaterThanOrEqual(Math.floor(mutations.length / 256));

    const read = await readSnapshot(dir);
    expect(read?.gen).toBe(3);
    expect(new Model().applyAll(read!.mutations).fingerprint()).toBe(new Model().applyAll(mutations).fingerprint());
  });

  it('compacts 200,000 documents without blocking the event loop for more than a moment', async () => {
    const dir = await tempDir();
    const { d } = await open(dir, { maxJournalRecords: 1 });
    const engine = new Engine(d);
    engine.applyMutation({ op: 'createCollection', db: 'hr', coll: 'people' });
    for (let i = 0; i < 200_000; i++) engine.applyMutation(insert(i, { region: `r${i % 17}`, since: new Date(Date.UTC(2000, 0, 1 + (i % 9000))) }));

    // One journaled write crosses maxJournalRecords and starts the compaction.
    const stall = await longestStall(async () => {
      const log: Mutation[] = [];
      engine.apply(insert(-1), log);
      await engine.persist(log);
      await engine.compacted();
    });
    expect(d.stats().compactions).toBe(1);
    // Encoding it all at once took about 600 ms on a 2-core machine; in slices the longest stall is about 30 ms.
    expect(stall).toBeLessThan(250);
    await d.close();

    const { recovered } = await reopen(dir);
    expect(recovered.filter((m) => m.op === 'insert')).toHaveLength(200_001);
  });

  it('acknowledges the write that starts a compaction, and the writes after it, before the snapshot is installed', async () => {
    const dir = await tempDir();
    const { d } = await open(dir, { maxJournalRecords: 1 });
    const engine = new Engine(d);
    engine.applyMutation({ op: 'createCollection', db: 'hr', coll: 'people' });
    for (let i = 0; i < 200_000; i++) engine.applyMutation(insert(i, { region: `r${i % 17}` }));

    // A client that writes one entry after another (as the audit chain does) must not wait for
    // the snapshot between them: it takes seconds at a few million documents.
    for (let i = 0; i < 3; i++) {
      const log: Mutation[] = [];
      engine.apply(insert(-1 - i), log);
      await engine.persist(log);
    }
    expect(d.stats().compactions).toBe(0);
    await engine.compacted();
    expect(d.stats().compactions).toBe(1);
    await d.close();

    const { recovered } = await reopen(dir);
    expect(recovered.filter((m) => m.op === 'insert')).toHaveLength(200_003);
  });

  it('stays exact when documents are replaced, deleted and inserted while the snapshot is written', async () => {
    const dir = await tempDir();
    const model = new Model();
    const { d } = await open(dir, { maxJournalRecords: 2 });
    const seed: Mutation[] = [{ op: 'createCollection', db: 'hr', coll: 'people' }];
    for (let i = 0; i < 30_000; i++) seed.push(insert(i, { v: 0, pad: 'p'.repeat(100) }));
    model.applyAll(seed);
    await d.append(seed);
    const due = [insert(-1)];
    model.applyAll(due);
    await d.append(due); // the second record: a compaction is due

    const compaction = d.maybeCompact(() => model.dump());
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 300; i++) {
      const ms: Mutation[] = [
        { op: 'replace', db: 'hr', coll: 'people', doc: { _id: i * 50, v: i } as Document },
        { op: 'delete', db: 'hr', coll: 'people', id: i * 50 + 1 },
        insert(100_000 + i),
      ];
      model.applyAll(ms);
      writes.push(d.append(ms));
      if (i % 10 === 0) await new Promise((r) => setImmediate(r));
    }
    await Promise.all([compaction, ...writes]);
    expect(d.stats().compactions).toBe(1);
    await d.close();

    const { recovered } = await reopen(dir);
    expect(new Model().applyAll(recovered).fingerprint()).toBe(model.fingerprint());
  });
});
