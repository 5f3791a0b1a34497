import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { encodeDocument } from './codec';
import { JOURNAL_MAGIC, RecordType, frameRecord, writeFully } from './framing';

/**
 * Journal files are named by generation: `journal-0000000007.log`. A snapshot of generation G
 * holds the effect of every journal below G, so recovery replays the snapshot and then the
 * journals G, G+1, ... in order. A compaction starts generation G+1 before it writes snapshot
 * G+1, which is what lets every intermediate state of a crash replay correctly (see index.ts).
 */

const JOURNAL_RE = /^journal-(\d{10})\.log$/;

export function journalName(gen: number): string {
  return `journal-${String(gen).padStart(10, '0')}.log`;
}

export async function listJournals(dir: string): Promise<number[]> {
  const gens: number[] = [];
  for (const name of await fs.readdir(dir)) {
    const m = JOURNAL_RE.exec(name);
    if (m) gens.push(Number(m[1]));
  }
  return gens.sort((a, b) => a - b);
}

/** Makes a directory entry (a create, rename or unlink in it) survive power loss. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export interface OpenJournal {
  gen: number;
  handle: FileHandle;
  /** Bytes of valid journal: where the next record goes. */
  size: number;
}

/**
 * Creates (or recreates, if a crash left a headerless one) the journal of a generation and
 * makes both its header and its directory entry durable before any record is written to it.
 */
export async function createJournal(dir: string, gen: number): Promise<OpenJournal> {
  const handle = await fs.open(path.join(dir, journalName(gen)), 'w');
  try {
    const header = frameRecord(RecordType.Header, encodeDocument({ kind: 'journal', format: 1, gen }));
    const bytes = Buffer.concat([JOURNAL_MAGIC, header]);
    await writeFully(handle, bytes, 0);
    await handle.sync();
    await fsyncDir(dir);
    return { gen, handle, size: bytes.length };
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
}

export class JournalFailedError extends Error {
  constructor(cause: unknown) {
    super(
      `journal write failed (${(cause as Error)?.message ?? String(cause)}); ` +
        'no further writes can be made durable, restart the server',
      { cause },
    );
    this.name = 'JournalFailedError';
  }
}

type Entry =
  | { kind: 'data'; bytes: Buffer; resolve: () => void; reject: (err: Error) => void }
  | { kind: 'switch'; gen: number; resolve: () => void; reject: (err: Error) => void };

/**
 * Appends records to the current journal with group commit: while one write+fsync is in flight,
 * new appends queue up and then all go out in a single write followed by a single fsync. Each
 * append's promise resolves only after the fsync that covers its bytes.
 *
 * Switching to the next generation is queued like an append, so everything enqueued before the
 * switch lands in the old journal and everything after it in the new one; that ordering is what
 * makes a compaction's dump line up exactly with a journal boundary.
 *
 * After any I/O error the writer refuses all further work: the journal's tail is then unknown
 * (written but maybe not synced, or partly written), and retrying an fsync after a failure can
 * report success without the data being on disk. Recovery at the next start sorts it out.
 */
export class GroupCommitWriter {
  private queue: Entry[] = [];
  private running = false;
  private draining: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  private closed = false;
  fsyncs = 0;
  records = 0;

  constructor(
    private readonly dir: string,
    private journal: OpenJournal,
    private readonly onFailure: (err: Error) => void = () => undefined,
  ) {}

  get generation(): number {
    return this.journal.gen;
  }

  get size(): number {
    return this.journal.size;
  }

  append(bytes: Buffer): Promise<void> {
    return this.enqueue((resolve, reject) => ({ kind: 'data', bytes, resolve, reject }));
  }

  /** Queues the start of generation `gen`: later appends go to its fresh journal. */
  switchTo(gen: number): Promise<void> {
    return this.enqueue((resolve, reject) => ({ kind: 'switch', gen, resolve, reject }));
  }

  /** Waits for queued work, then closes the journal. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.running) await this.draining;
    await this.journal.handle.close().catch(() => undefined);
  }

  private enqueue(make: (resolve: () => void, reject: (err: Error) => void) => Entry): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed) return Promise.reject(new Error('journal is closed'));
    return new Promise<void>((resolve, reject) => {
      this.queue.push(make(resolve, reject));
      if (!this.running) {
        this.running = true;
        this.draining = this.drain();
      }
    });
  }

  /**
   * `running` is cleared in the same synchronous step as the final "queue is empty" check, never
   * a microtask later (as a finally around an await would), so an append arriving at any moment
   * either lands in the queue this loop still drains or starts the next loop itself.
   */
  private async drain(): Promise<void> {
    for (;;) {
      if (this.queue.length === 0 || this.failure) {
        this.running = false;
        return;
      }
      try {
        await this.step();
      } catch (err) {
        this.fail(err, []);
      }
    }
  }

  /** Performs the queue's head: a journal switch, or one write + fsync of all leading appends. */
  private async step(): Promise<void> {
    const head = this.queue[0];
    if (head.kind === 'switch') {
      this.queue.shift();
      try {
        const next = await createJournal(this.dir, head.gen);
        const previous = this.journal;
        this.journal = next;
        await previous.handle.close().catch(() => undefined);
      } catch (err) {
        this.fail(err, [head]);
        return;
      }
      head.resolve();
      return;
    }
    let n = 1;
    while (n < this.queue.length && this.queue[n].kind === 'data') n++;
    const batch = this.queue.splice(0, n) as Extract<Entry, { kind: 'data' }>[];
    const bytes = batch.length === 1 ? batch[0].bytes : Buffer.concat(batch.map((e) => e.bytes));
    try {
      await writeFully(this.journal.handle, bytes, this.journal.size);
      // fdatasync also persists the new file length, which is all the metadata a reader needs.
      await this.journal.handle.datasync();
    } catch (err) {
      this.fail(err, batch);
      return;
    }
    this.journal.size += bytes.length;
    this.fsyncs++;
    this.records += batch.length;
    for (const entry of batch) entry.resolve();
  }

  private fail(cause: unknown, inFlight: Entry[]): void {
    const err = new JournalFailedError(cause);
    this.failure = err;
    const pending = [...inFlight, ...this.queue];
    this.queue = [];
    for (const entry of pending) entry.reject(err);
    this.onFailure(err);
  }
}
