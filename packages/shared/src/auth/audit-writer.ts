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

/** Most entries written by one insert when requests are waiting together. */
const MAX_GROUP_ENTRIES = 1000;

interface Waiting {
  drafts: readonly AuditDraft[];
  resolve: (entries: AuditEntry[]) => void;
  reject: (err: unknown) => void;
}

/**
 * Appends requests' entries to the chain. Within a process one write runs at a time, so this
 * process never races itself, and the requests that arrive while it runs are written together
 * by the next one (a read of the tail and one insert, however many requests: under load each
 * request paid both, one after another); each request still waits until its own entries are in.
 * Across processes, the unique index on `seq` makes the slower writer fail, and it re-reads the
 * tail and tries again. Entries of a batch that did land before a collision are found by their
 * batch id and not written twice. A write that fails fails every request written with it.
 */
export class AuditWriter {
  private waiting: Waiting[] = [];
  private writing = false;
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
    return new Promise<AuditEntry[]>((resolve, reject) => {
      this.waiting.push({ drafts, resolve, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.takeGroup();
        try {
          const written = await this.write(group.flatMap((w) => w.drafts));
          let at = 0;
          for (const w of group) {
            w.resolve(written.slice(at, at + w.drafts.length));
            at += w.drafts.length;
          }
        } catch (err) {
          for (const w of group) w.reject(err);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  /** The requests waiting longest, up to MAX_GROUP_ENTRIES entries (at least one request). */
  private takeGroup(): Waiting[] {
    let n = 0;
    let entries = 0;
    while (n < this.waiting.length && (n === 0 || entries + this.waiting[n]!.drafts.length <= MAX_GROUP_ENTRIES)) {
      entries += this.waiting[n]!.drafts.length;
      n++;
    }
    return this.waiting.splice(0, n);
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
        // Lean: the entries are built here, typed, and hashed as they are; mongoose's casting and
        // validation of every entry cost a fifth of personnel's CPU for a list page of 50 servants.
        await this.model.insertMany(entries, { ordered: true, lean: true });
        return written;
      } catch (err) {
        if (!isDuplicateKey(err) || attempt >= this.maxAttempts) throw err;
      }
    }
  }
}
