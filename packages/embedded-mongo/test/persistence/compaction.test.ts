import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { SnapshotCorruptError, createFileDurability, type FileDurability } from '../../src/persistence';
import type { Mutation } from '../../src/storage/mutation';
import { insert, journalFiles, open, reopen, tempDir } from './helpers';
import { Model } from './model';

/** The i-th write of a workload that inserts, rewrites and deletes, with indexes and drops. */
function workload(i: number): Mutation[] {
  const ms: Mutation[] = [insert(i, { v: 0, blob: 'z'.repeat(i % 97) })];
  if (i % 3 === 2) ms.push({ op: 'replace', db: 'hr', coll: 'people', doc: { _id: i - 1, name: `renamed ${i - 1}`, v: i } });
  if (i % 5 === 4) ms.push({ op: 'delete', db: 'hr', coll: 'people', id: i - 2 });
  if (i % 40 === 10) {
    ms.push({ op: 'createCollection', db: 'tmp', coll: `c${i}` }, { op: 'insert', db: 'tmp', coll: `c${i}`, doc: { _id: 'x', i } });
    ms.push({ op: 'createIndex', db: 'hr', coll: 'people', spec: { name: `v_${i}`, key: { v: -1 }, sparse: true } });
  }
  if (i % 40 === 30) ms.push({ op: 'dropDatabase', db: 'tmp' }, { op: 'dropIndex', db: 'hr', coll: 'people', name: `v_${i - 20}` });
  return ms;
}

describe('compaction', () => {
  it('snapshots the state, starts a fresh journal, and replays snapshot + journal to the same state', async () => {
    const dir = await tempDir();
    const model = new Model();
    // A fixed threshold: the growth rule (tested below) would space the compactions out.
    const { d } = await open(dir, { maxJournalRecords: 10, journalGrowthPercent: 0 });
    for (let i = 0; i < 95; i++) {
      const ms = workload(i);
      model.applyAll(ms);
      await d.append(ms);
      await d.maybeCompact(() => model.dump());
    }
    const stats = d.stats();
    expect(stats.compactions).toBe(9);
    expect(stats.generation).toBe(9);
    await d.close();
    // Only the current generation's journal is left, next to the snapshot.
    expect(await journalFiles(dir)).toEqual(['journal-0000000009.log']);
    expect((await fs.readdir(dir)).sort()).toEqual(['journal-0000000009.log', 'snapshot.bson']);

    const { recovered } = await reopen(dir, { maxJournalRecords: 10 });
    expect(new Model().applyAll(recovered).fingerprint()).toBe(model.fingerprint());
    // And the recovered stream is snapshot-then-journal: 5 journal records after the last compaction.
    expect(model.docs('hr', 'people').size).toBeGreaterThan(50);
  });

  it('compacts by size as well as by record count', async () => {
    const dir = await tempDir();
    const model = new Model();
    const { d } = await open(dir, { maxJournalBytes: 8 * 1024, journalGrowthPercent: 0 });
    for (let i = 0; i < 200; i++) {
      const ms = [insert(i, { text: 'q'.repeat(200) })];
      model.applyAll(ms);
      await d.append(ms);
      await d.maybeCompact(() => model.dump());
    }
    expect(d.stats().compactions).toBeGreaterThanOrEqual(4);
    await d.close();
    const size = (await fs.stat(path.join(dir, (await journalFiles(dir))[0]))).size;
    expect(size).toBeLessThan(8 * 1024 + 1024);
    const { recovered } = await reopen(dir);
    expect(new Model().applyAll(recovered).fingerprint()).toBe(model.fingerprint());
  });

  it('stays exact when appends are in flight while a compaction starts', async () => {
    const dir = await tempDir();
    const model = new Model();
    const { d } = await open(dir, { maxJournalRecords: 25 });
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 400; i++) {
      const ms = workload(i);
      // The engine's contract: apply to memory, then append, in the same synchronous step.
      model.applyAll(ms);
      pending.push(d.append(ms));
      if (i % 7 === 0) pending.push(d.maybeCompact(() => model.dump()));
      if (i % 50 === 49) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
    expect(d.stats().compactions).toBeGreaterThanOrEqual(5);
    await d.close();
    const { recovered } = await reopen(dir);
    expect(new Model().applyAll(recovered).fingerprint()).toBe(model.fingerprint());
  });
});

describe('compaction relative to the snapshot', () => {
  /** Appends `count` single inserts from `from` on, offering a compaction after each; returns the journal's size at each compaction. */
  async function insertAll(d: FileDurability, model: Model, from: number, count: number, pad = 0): Promise<Array<{ records: number; bytes: number }>> {
    const at: Array<{ records: number; bytes: number }> = [];
    for (let i = from; i < from + count; i++) {
      const ms = [insert(i, { pad: 'p'.repeat(pad) })];
      model.applyAll(ms);
      await d.append(ms);
      const { journalRecords, journalBytes, compactions } = d.stats();
      await d.maybeCompact(() => model.dump());
      if (d.stats().compactions > compactions) at.push({ records: journalRecords, bytes: journalBytes });
    }
    return at;
  }

  it('waits until the journal has grown to the given share of the last snapshot', async () => {
    const dir = await tempDir();
    const model = new Model();
    const { d } = await open(dir, { maxJournalRecords: 10, journalGrowthPercent: 100 });
    // The state only grows, so each snapshot holds everything so far: 10, then 10 more (20), 20 more (40)...
    const at = await insertAll(d, model, 0, 100);
    expect(at.map((a) => a.records)).toEqual([10, 11, 22, 44]);
    expect(d.stats().snapshotMutations).toBe(88);
    await d.close();
    const { recovered } = await reopen(dir);
    expect(new Model().applyAll(recovered).fingerprint()).toBe(model.fingerprint());
  });

  it('measures the journal in bytes against the snapshot file, also after a restart', async () => {
    const dir = await tempDir();
    const model = new Model();
    let { d } = await open(dir, { maxJournalBytes: 4 * 1024, journalGrowthPercent: 50 });
    await insertAll(d, model, 0, 40, 500);
    expect(d.stats().compactions).toBeGreaterThanOrEqual(1);
    const snapshotBytes = (await fs.stat(path.join(dir, 'snapshot.bson'))).size;
    expect(d.stats().snapshotBytes).toBe(snapshotBytes);
    await d.close();

    // After a restart the rule still knows the snapshot: no compaction before half its size.
    ({ d } = await open(dir, { maxJournalBytes: 4 * 1024, journalGrowthPercent: 50 }));
    expect(d.stats().snapshotBytes).toBe(snapshotBytes);
    const at = await insertAll(d, model, 1000, 100, 500);
    // Each insert journals about 560 bytes: the first compaction comes with the write that crosses half the snapshot.
    expect(at[0].bytes).toBeGreaterThanOrEqual(snapshotBytes / 2);
    expect(at[0].bytes).toBeLessThan(snapshotBytes / 2 + 600);
    await d.close();
    const { recovered } = await reopen(dir);
    expect(new Model().applyAll(recovered).fingerprint()).toBe(model.fingerprint());
  });
});

describe('crash at each step of a compaction', () => {
  /** Journal 0 with 30 writes, then a compaction to generation 1 and 20 more writes. */
  async function scenario() {
    const dir = await tempDir();
    const model = new Model();
    let { d } = await open(dir, { maxJournalRecords: 1000 });
    for (let i = 0; i < 30; i++) {
      model.applyAll(workload(i));
      await d.append(workload(i));
    }
    await d.close();
    const journal0 = await fs.readFile(path.join(dir, 'journal-0000000000.log'));
    ({ d } = await open(dir, { maxJournalRecords: 30 }));
    await d.maybeCompact(() => model.dump());
    expect(d.stats().compactions).toBe(1);
    for (let i = 30; i < 50; i++) {
      model.applyAll(workload(i));
      await d.append(workload(i));
    }
    await d.close();
    const journal1 = await fs.readFile(path.join(dir, 'journal-0000000001.log'));
    const snapshot = await fs.readFile(path.join(dir, 'snapshot.bson'));
    return { model, journal0, journal1, snapshot };
  }

  async function dirWith(files: Record<string, Buffer | string>): Promise<string> {
    const dir = await tempDir();
    for (const [name, content] of Object.entries(files)) await fs.writeFile(path.join(dir, name), content);
    return dir;
  }

  it('recovers the same state whichever files the crash left behind', async () => {
    const { model, journal0, journal1, snapshot } = await scenario();
    const j0 = 'journal-0000000000.log';
    const j1 = 'journal-0000000001.log';
    const states: Record<string, Record<string, Buffer | string>> = {
      'journal 1 started, no snapshot yet': { [j0]: journal0, [j1]: journal1 },
      'snapshot temp file half written': { [j0]: journal0, [j1]: journal1, 'snapshot.bson.tmp': snapshot.subarray(0, 100) },
      'snapshot renamed, old journal not yet deleted': { [j0]: journal0, [j1]: journal1, 'snapshot.bson': snapshot },
      'compaction finished': { [j1]: journal1, 'snapshot.bson': snapshot },
    };
    for (const [label, files] of Object.entries(states)) {
      const dir = await dirWith(files);
      const { recovered } = await reopen(dir);
      expect({ label, state: new Model().applyAll(recovered).fingerprint() }).toEqual({ label, state: model.fingerprint() });
      // Leftovers are cleaned up, so the next start sees the final layout.
      const left = (await fs.readdir(dir)).sort();
      expect({ label, left }).toEqual({
        label,
        left: 'snapshot.bson' in files ? [j1, 'snapshot.bson'] : [j0, j1],
      });
    }
  });

  it('refuses to start on a damaged snapshot instead of silently losing its data', async () => {
    const { snapshot, journal1 } = await scenario();
    const flipped = Buffer.from(snapshot);
    flipped[Math.floor(flipped.length / 2)] ^= 0x10;
    for (const bad of [snapshot.subarray(0, snapshot.length - 3), flipped]) {
      const dir = await dirWith({ 'snapshot.bson': bad, 'journal-0000000001.log': journal1 });
      const d = await createFileDurability(dir, { log: () => undefined });
      await expect(d.recover()).rejects.toBeInstanceOf(SnapshotCorruptError);
      await d.close();
    }
  });

  it('keeps every write in the journals when writing the snapshot fails', async () => {
    const dir = await tempDir();
    const model = new Model();
    const warnings: string[] = [];
    const d = await createFileDurability(dir, { maxJournalRecords: 5, log: (m) => warnings.push(m) });
    await d.recover();
    // A directory where the temp snapshot goes makes opening it fail.
    await fs.mkdir(path.join(dir, 'snapshot.bson.tmp'));
    for (let i = 0; i < 12; i++) {
      model.applyAll(workload(i));
      await d.append(workload(i));
      await d.maybeCompact(() => model.dump());
    }
    expect(d.stats().compactions).toBe(0);
    expect(warnings.join('\n')).toMatch(/compaction failed/);
    await d.close();
    await fs.rmdir(path.join(dir, 'snapshot.bson.tmp'));
    expect(await journalFiles(dir)).toEqual(['journal-0000000000.log', 'journal-0000000001.log', 'journal-0000000002.log']);
    const { recovered } = await reopen(dir);
    expect(new Model().applyAll(recovered).fingerprint()).toBe(model.fingerprint());
  });
});
