import { randomUUID } from 'node:crypto';
import { GENESIS_HASH, hashEntry } from './audit-chain';
import type { AuditEntry, AuditModel } from './audit-model';

/** An entry before it has a place in the chain. */
export type AuditDraft = Omit<AuditEntry, 'seq' | 'prevHash' | 'hash' | 'batch'>;

export interface AuditWriterOptions {
  /** Attempts when another process took the same seq first. */
  maxAttempts?: number;
}

function isDuplicateKey(err: unknown): boolean {
  const e = err as { code?: unknown; writeErrors?: Array<{ code?: unknown; err?: { code?: unknown } }> };
  return e.code === 11000 || (e.writeErrors ?? []).some((w) => w.code === 11000 || w.err?.code === 11000);
}

/**
 * Appends a request's entries to the chain in one insert. Within a process, writes queue behind
 * one another, so this process never races itself; across processes, the unique index on `seq`
 * makes the slower writer fail, and it re-reads the tail and tries again. Entries of a batch that
 * did land before a collision are found by their batch id and not written twice.
 */
export class AuditWriter {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly maxAttempts: number;

  constructor(
    readonly model: AuditModel,
    options: AuditWriterOptions = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 8;
  }

  /** Resolves once every draft is durably in the chain; rejects if they could not be written. */
  append(drafts: readonly AuditDraft[]): Promise<AuditEntry[]> {
    if (drafts.length === 0) return Promise.resolve([]);
    const run = this.queue.then(() => this.write(drafts));
    // The next writer waits for this one to finish, whether or not it succeeded.
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async write(drafts: readonly AuditDraft[]): Promise<AuditEntry[]> {
    const batch = randomUUID();
    const written: AuditEntry[] = [];
    for (let attempt = 1; ; attempt++) {
      const landed = written.length === 0 ? 0 : await this.model.countDocuments({ batch });
      written.length = landed;
      const pending = drafts.slice(landed);
      const tail = await this.model.findOne({}, { seq: 1, hash: 1 }).sort({ seq: -1 }).lean<Pick<AuditEntry, 'seq' | 'hash'>>();
      let seq = tail?.seq ?? 0;
      let prevHash = tail?.hash ?? GENESIS_HASH;
      const entries = pending.map((draft) => {
        const unhashed = { ...draft, seq: ++seq, prevHash, batch };
        prevHash = hashEntry(unhashed);
        return { ...unhashed, hash: prevHash };
      });
      written.push(...entries);
      try {
        await this.model.insertMany(entries, { ordered: true });
        return written;
      } catch (err) {
        if (!isDuplicateKey(err) || attempt >= this.maxAttempts) throw err;
      }
    }
  }
}
