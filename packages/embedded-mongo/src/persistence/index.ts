import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Durability, Mutation } from '../storage/mutation';
import { decodeDocument, decodeMutations, encodeMutations } from './codec';
import { JOURNAL_MAGIC, RecordType, frameRecord, scanFile } from './framing';
import { GroupCommitWriter, createJournal, fsyncDir, journalName, listJournals, type OpenJournal } from './journal';
import { acquireLock, type HeldLock } from './lock';
import { SNAPSHOT_TMP, readSnapshot, writeSnapshot } from './snapshot';

export { DataDirLockedError } from './lock';
export { SnapshotCorruptError } from './snapshot';
export { JournalFailedError } from './journal';

/**
 * File-backed durability for the embedded server.
 *
 * Data directory layout:
 *   mongod.lock                 owner pid (see lock.ts)
 *   snapshot.bson               state as of the start of generation G (optional)
 *   journal-<G>.log, <G+1>...   every acknowledged append since, one record per append
 *
 * Compaction, and why a crash at any step replays correctly (G = current generation):
 *   1. Synchronously: take the dump and queue "switch to generation G+1" behind every append
 *      already queued. The dump contains exactly the appends queued so far (the engine applies a
 *      write to memory before it calls append), and those all go to journal G. The dump refers to
 *      the stored documents, which are never changed in place, so it keeps describing this moment
 *      while it is encoded later, in slices. Crash here: nothing on disk changed.
 *   2. The writer creates journal G+1 (header written and fsync'd, directory fsync'd) and sends
 *      later appends there. Crash: the old snapshot + journals ..G, G+1 replay everything.
 *   3. Write snapshot.bson.tmp (encoding as it goes, yielding to the event loop every few ms) and
 *      fsync it. Crash: the temp file is ignored and deleted at start.
 *   4. Rename it over snapshot.bson and fsync the directory. From here recovery reads snapshot
 *      G+1 and skips journals below G+1 (their contents are in the snapshot). Crash before the
 *      directory fsync is durable: either name may survive, and both are consistent.
 *   5. Delete journals below G+1. Crash: leftovers are deleted at the next start.
 */

export interface FileDurabilityOptions {
  /** Compact once the current journal holds this many bytes. Default 64 MiB, env MONGO_JOURNAL_MAX_BYTES. */
  maxJournalBytes?: number;
  /** Compact once the current journal holds this many records. Default 500,000, env MONGO_JOURNAL_MAX_RECORDS. */
  maxJournalRecords?: number;
  /**
   * ...and not before the journal has also grown to this percentage of the last snapshot (bytes,
   * and records against the snapshot's mutations). Default 100, env MONGO_JOURNAL_GROWTH_PERCENT.
   * Why: a compaction rewrites the whole state. With a fixed threshold, an 800 MB snapshot was
   * rewritten for every 64 MB of writes (seconds of CPU each, under load); relative to the
   * snapshot, the rewriting per byte written stays bounded and seeding compacts a logarithmic
   * number of times. The price: a restart may replay a journal as large as the snapshot.
   */
  journalGrowthPercent?: number;
  /** Where warnings go (torn tail discarded, compaction failed). Default: stderr. */
  log?: (message: string) => void;
}

export interface FileDurabilityStats {
  generation: number;
  /** Size and record count of the current journal, counting appends still being written. */
  journalBytes: number;
  journalRecords: number;
  appends: number;
  fsyncs: number;
  compactions: number;
  /** Size and mutation count of the snapshot the current generation started from (0 without one). */
  snapshotBytes: number;
  snapshotMutations: number;
  /** Bytes cut off the journal's tail at recovery (a record being written when the process died). */
  discardedTailBytes: number;
}

export interface FileDurability extends Durability {
  readonly dataDir: string;
  stats(): FileDurabilityStats;
}

export async function createFileDurability(dataDir: string, opts: FileDurabilityOptions = {}): Promise<FileDurability> {
  const dir = path.resolve(dataDir);
  await fs.mkdir(dir, { recursive: true });
  const lock = await acquireLock(dir);
  return new FileDurabilityImpl(dir, lock, {
    maxJournalBytes: opts.maxJournalBytes ?? envNumber('MONGO_JOURNAL_MAX_BYTES') ?? 64 * 1024 * 1024,
    maxJournalRecords: opts.maxJournalRecords ?? envNumber('MONGO_JOURNAL_MAX_RECORDS') ?? 500_000,
    // 0 turns the growth rule off (the fixed thresholds alone).
    journalGrowthPercent: opts.journalGrowthPercent ?? envNumber('MONGO_JOURNAL_GROWTH_PERCENT', { allowZero: true }) ?? 100,
    log: opts.log ?? ((message) => process.stderr.write(`[embedded-mongo] ${message}\n`)),
  });
}

function envNumber(name: string, { allowZero = false } = {}): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || (n === 0 && !allowZero)) {
    throw new Error(`${name} must be a ${allowZero ? 'number of 0 or more' : 'positive number'}, got ${JSON.stringify(raw)}`);
  }
  return n;
}

export class JournalCorruptError extends Error {
  constructor(file: string, reason: string) {
    super(`journal ${file} is damaged (${reason}); refusing to start rather than lose data`);
    this.name = 'JournalCorruptError';
  }
}

class FileDurabilityImpl implements FileDurability {
  private writer: GroupCommitWriter | null = null;
  private recovering = false;
  private closed = false;
  private compacting: Promise<void> | null = null;
  private generation = 0;
  private journalBytes = 0;
  private journalRecords = 0;
  private appends = 0;
  private compactions = 0;
  private discardedTailBytes = 0;
  private snapshotBytes = 0;
  private snapshotMutations = 0;

  constructor(
    readonly dataDir: string,
    private readonly lock: HeldLock,
    private readonly opts: Required<FileDurabilityOptions>,
  ) {}

  async recover(): Promise<Mutation[]> {
    if (this.recovering || this.writer) throw new Error('recover() may only be called once');
    if (this.closed) throw new Error('durability is closed');
    this.recovering = true;
    const dir = this.dataDir;
    await fs.rm(path.join(dir, SNAPSHOT_TMP), { force: true });

    const snapshot = await readSnapshot(dir);
    const firstGen = snapshot?.gen ?? 0;
    const mutations: Mutation[] = snapshot ? snapshot.mutations : [];
    this.snapshotBytes = snapshot?.bytes ?? 0;
    this.snapshotMutations = mutations.length;

    const gens = await listJournals(dir);
    for (const gen of gens.filter((g) => g < firstGen)) {
      // Left over from a compaction that crashed after installing its snapshot.
      await fs.rm(path.join(dir, journalName(gen)), { force: true });
    }
    const live = gens.filter((g) => g >= firstGen);
    if (snapshot && live[0] !== firstGen) {
      throw new JournalCorruptError(journalName(firstGen), 'missing, yet the snapshot says it was started');
    }
    live.forEach((gen, i) => {
      if (gen !== firstGen + i) throw new JournalCorruptError(journalName(firstGen + i), 'missing between its neighbours');
    });

    let current: OpenJournal | null = null;
    for (let i = 0; i < live.length; i++) {
      const isLast = i === live.length - 1;
      const replayed = await this.replayJournal(live[i], isLast, mutations);
      if (isLast) current = replayed;
    }
    if (!current) current = await createJournal(dir, firstGen);

    this.generation = current.gen;
    this.journalBytes = current.size;
    this.writer = new GroupCommitWriter(dir, current, (err) => this.opts.log(err.message));
    return mutations;
  }

  /** Appends the journal's mutations to `out`; for the last journal, returns it open for appending. */
  private async replayJournal(gen: number, isLast: boolean, out: Mutation[]): Promise<OpenJournal | null> {
    const file = path.join(this.dataDir, journalName(gen));
    const handle = await fs.open(file, isLast ? 'r+' : 'r');
    let keepOpen = false;
    try {
      const scan = await scanFile(handle, JOURNAL_MAGIC);
      const [header, ...records] = scan.records;
      const headerOk =
        scan.magicOk && header?.type === RecordType.Header && decodeDocument(header.payload).gen === gen;
      if (!headerOk) {
        // Only the newest journal can be caught half-created, and then it holds nothing yet.
        if (isLast && scan.records.length <= 1) {
          await handle.close();
          this.noteDiscarded(file, scan.fileLength, 'journal header never completed');
          return await createJournal(this.dataDir, gen);
        }
        throw new JournalCorruptError(file, scan.stopReason ?? 'bad header');
      }
      if (scan.stopReason && !isLast) {
        // The writer starts a journal only after the previous one's last write is fsync'd.
        throw new JournalCorruptError(file, scan.stopReason);
      }
      for (const record of records) {
        if (record.type !== RecordType.Mutations) throw new JournalCorruptError(file, `unexpected record type ${record.type}`);
        for (const m of decodeMutations(record.payload)) out.push(m);
      }
      if (!isLast) return null;
      if (scan.validLength < scan.fileLength) {
        // A record that was being written when the process died: never acknowledged, so drop it.
        await handle.truncate(scan.validLength);
        await handle.sync();
        this.noteDiscarded(file, scan.fileLength - scan.validLength, scan.stopReason ?? 'torn tail');
      }
      this.journalRecords = records.length;
      keepOpen = true;
      return { gen, handle, size: scan.validLength };
    } finally {
      if (!keepOpen) await handle.close().catch(() => undefined);
    }
  }

  private noteDiscarded(file: string, bytes: number, reason: string): void {
    this.discardedTailBytes += bytes;
    this.opts.log(`discarded ${bytes} unacknowledged bytes at the end of ${file}: ${reason}`);
  }

  append(mutations: Mutation[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('durability is closed'));
    if (!this.writer) return Promise.reject(new Error('recover() must complete before append()'));
    if (mutations.length === 0) return Promise.resolve();
    let record: Buffer;
    try {
      // Encoded now, not when the writer gets to it: the caller may change these objects next.
      record = frameRecord(RecordType.Mutations, encodeMutations(mutations));
    } catch (err) {
      return Promise.reject(err);
    }
    this.appends++;
    this.journalBytes += record.length;
    this.journalRecords++;
    return this.writer.append(record);
  }

  /**
   * Cheap when no compaction is due, so it can be called after every write. `dump()` is called
   * synchronously, before this returns, and must describe exactly the state produced by every
   * mutation passed to append() so far. What it returns, documents included, must never be
   * changed afterwards: it is encoded later, while other work goes on. The promise resolves when the snapshot is installed
   * (never rejects; failures are logged and the journals keep everything); callers need not
   * wait for it before acknowledging anything.
   */
  maybeCompact(dump: () => Iterable<Mutation>): Promise<void> {
    // A write arriving while a compaction runs has nothing to wait for: it is in the new journal.
    if (this.closed || !this.writer || this.compacting) return Promise.resolve();
    if (!this.compactionDue()) return Promise.resolve();
    const running = this.compact(this.writer, dump)
      .catch((err: unknown) => this.opts.log(`compaction failed, the journal keeps everything: ${(err as Error).message}`))
      .finally(() => {
        this.compacting = null;
      });
    this.compacting = running;
    return running;
  }

  private compactionDue(): boolean {
    const growth = this.opts.journalGrowthPercent / 100;
    return (
      this.journalBytes >= Math.max(this.opts.maxJournalBytes, this.snapshotBytes * growth) ||
      this.journalRecords >= Math.max(this.opts.maxJournalRecords, this.snapshotMutations * growth)
    );
  }

  /** Steps 1-5 of the comment at the top; everything before the first await runs synchronously. */
  private async compact(writer: GroupCommitWriter, dump: () => Iterable<Mutation>): Promise<void> {
    const gen = this.generation + 1;
    const state = dump();
    const switched = writer.switchTo(gen);
    this.generation = gen;
    this.journalBytes = JOURNAL_MAGIC.length;
    this.journalRecords = 0;
    await switched;
    const written = await writeSnapshot(this.dataDir, gen, state);
    for (const old of await listJournals(this.dataDir)) {
      if (old < gen) await fs.rm(path.join(this.dataDir, journalName(old)), { force: true });
    }
    await fsyncDir(this.dataDir);
    this.compactions++;
    this.snapshotBytes = written.bytes;
    this.snapshotMutations = written.mutations;
  }

  stats(): FileDurabilityStats {
    return {
      generation: this.generation,
      journalBytes: this.journalBytes,
      journalRecords: this.journalRecords,
      appends: this.appends,
      fsyncs: this.writer?.fsyncs ?? 0,
      compactions: this.compactions,
      snapshotBytes: this.snapshotBytes,
      snapshotMutations: this.snapshotMutations,
      discardedTailBytes: this.discardedTailBytes,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.compacting) await this.compacting;
    if (this.writer) await this.writer.close();
    await this.lock.release();
  }
}
