import type { Connection, Model } from 'mongoose';
import type { DirectoryEntry } from '../directory/model';
import type { Logger } from '../logger';
import { readCounter } from './counter';

/** Directory entries (and their servants' records) read per batch while catching up. */
const BATCH = 5000;

const NO_COUNTER = { seq: 0, epoch: null };

/** A record of the subgraph's own facts about a servant, as read for the cache. */
export interface ServantRecord {
  servantId: string;
}

export interface ServantFactsOptions<R extends ServantRecord, F> {
  db: Connection;
  Directory: Model<DirectoryEntry>;
  /**
   * The highest directory number whose entries are all written: a copy's applied cursor (its
   * pages are written unordered), or the master's newest number (numbers commit in order).
   */
  directoryHead: () => Promise<number>;
  /**
   * The subgraph's own records about servants, if the facts need any: every write stamps `rev`
   * from the counter `counterId`; `projection` is what `build` needs (servantId is always read).
   */
  records?: { collection: string; counterId: string; projection: Record<string, 1> };
  /** A servant's facts from its entry and all its records; null keeps nothing for the servant. */
  build: (entry: DirectoryEntry, records: R[]) => F | null;
  logger?: Logger;
}

export interface FactsSnapshot<F> {
  /** Changes whenever any servant's facts may have changed (and after a reseed). */
  version: string;
  facts: ReadonlyMap<string, F>;
}

/**
 * Per-servant facts kept in memory by one subgraph instance, caught up from two change numbers:
 * the directory's `seq` (who the servant is, where they serve, their history) and the subgraph's
 * own `rev`, stamped on its records in the transaction that writes them (`allocateCounter`). Why:
 * compliance alerts judge every servant in scope by rules no index answers (a servant's whole
 * record history against effective-dated rules); reading 100,000 servants and their records per
 * request costs seconds. With the facts here a request costs two indexed reads of the newest
 * numbers, and only the servants whose entry or records changed are read again. Several
 * instances of a subgraph each keep their own and agree, since the numbers are in the database.
 */
export class ServantFacts<R extends ServantRecord, F> {
  private facts = new Map<string, F>();
  private seq = 0;
  private rev = 0;
  /** The counter's epoch when last read (undefined before the first read). */
  private epoch: string | null | undefined;
  /** The last entry read (id, number, time): a reseed puts another servant or time there. */
  private mark: { id: string; seq: number; changedAt: number } | null = null;
  private generation = 0;
  private catchingUp: Promise<void> | null = null;
  private readonly derived = new Map<string, { key: string; value: Promise<unknown> }>();

  constructor(private readonly options: ServantFactsOptions<R, F>) {}

  /** The facts, caught up with the database. */
  async current(): Promise<FactsSnapshot<F>> {
    await this.catchUp();
    return { version: `${this.generation}:${this.seq}:${this.rev}`, facts: this.facts };
  }

  /**
   * A value computed from the facts once per version and `key` (say, the day the rules are judged
   * on), shared by concurrent requests: a whole-country list is then computed once, not per request.
   * One value is kept per name (the latest version and key asked).
   */
  async derive<T>(name: string, key: string, compute: (facts: ReadonlyMap<string, F>) => T | Promise<T>, at?: FactsSnapshot<F>): Promise<T> {
    // `at`: a snapshot already read, so that values derived together come from the same version.
    const { version, facts } = at ?? (await this.current());
    const full = `${version}|${key}`;
    const memo = this.derived.get(name);
    if (memo?.key === full) return memo.value as Promise<T>;
    const value = Promise.resolve().then(() => compute(facts));
    this.derived.set(name, { key: full, value });
    // A failed computation is not kept: the next request tries again.
    value.catch(() => {
      if (this.derived.get(name)?.value === value) this.derived.delete(name);
    });
    return value;
  }

  /** Catches up in the background (after a directory page is applied, at start); failures are logged. */
  refresh(): void {
    this.catchUp().catch((err: unknown) => this.options.logger?.warn({ err, records: this.options.records?.collection }, 'servant facts not caught up; the next request tries again'));
  }

  /** One catch-up at a time: concurrent requests share it instead of each reading the changes. */
  catchUp(): Promise<void> {
    this.catchingUp ??= this.readChanges().finally(() => {
      this.catchingUp = null;
    });
    return this.catchingUp;
  }

  /**
   * Reads the changes into a copy and swaps it in at the end, with the numbers: a request holding
   * a snapshot (`current()`) keeps reading the facts it was given while a catch-up runs, and a
   * catch-up that fails half-way leaves nothing half-applied.
   */
  private async readChanges(): Promise<void> {
    const { db, Directory, directoryHead, records } = this.options;
    // Both heads first: changes committed after them are read by the next catch-up.
    const [head, counter] = await Promise.all([directoryHead(), records ? readCounter(db, records.counterId) : NO_COUNTER]);
    const replaced = this.epoch !== undefined && counter.epoch !== this.epoch;
    const restart = replaced || head < this.seq || counter.seq < this.rev || !(await this.stillSame());
    let seq = restart ? 0 : this.seq;
    let rev = restart ? 0 : this.rev;
    let mark = restart ? null : this.mark;
    let next: Map<string, F> | null = restart ? new Map() : null;
    const writable = () => (next ??= new Map(this.facts));
    while (seq < head) {
      const entries = await Directory.find({ seq: { $gt: seq, $lte: head } })
        .sort({ seq: 1 })
        .limit(BATCH)
        .lean<DirectoryEntry[]>();
      if (entries.length === 0) break;
      await this.apply(entries, writable());
      const last = entries[entries.length - 1];
      seq = last.seq;
      mark = { id: last._id, seq: last.seq, changedAt: last.changedAt.getTime() };
    }
    if (records && counter.seq > rev) {
      const changed = (await this.recordsCollection(records.collection).distinct('servantId', { rev: { $gt: rev, $lte: counter.seq } })) as string[];
      for (let i = 0; i < changed.length; i += BATCH) {
        const entries = await Directory.find({ _id: { $in: changed.slice(i, i + BATCH) } }).lean<DirectoryEntry[]>();
        await this.apply(entries, writable());
      }
      rev = counter.seq;
    }
    if (restart) this.generation += 1;
    if (next) this.facts = next;
    this.seq = seq;
    this.rev = rev;
    this.mark = mark;
    this.epoch = counter.epoch;
  }

  /** Whether the last entry read is still there, or its servant has moved on to a newer number. */
  private async stillSame(): Promise<boolean> {
    if (!this.mark) return true;
    const now = await this.options.Directory.findById(this.mark.id, { seq: 1, changedAt: 1 }).lean<Pick<DirectoryEntry, '_id' | 'seq' | 'changedAt'>>();
    if (!now) return false;
    return now.seq > this.mark.seq || (now.seq === this.mark.seq && now.changedAt.getTime() === this.mark.changedAt);
  }

  private recordsCollection(name: string) {
    return this.options.db.collection(name);
  }

  private async apply(entries: DirectoryEntry[], into: Map<string, F>): Promise<void> {
    if (entries.length === 0) return;
    const { records } = this.options;
    const rows = records
      ? ((await this.recordsCollection(records.collection)
          .find({ servantId: { $in: entries.map((e) => e._id) } }, { projection: { ...records.projection, servantId: 1 } })
          .toArray()) as unknown as R[])
      : [];
    const recordsOf = new Map<string, R[]>();
    for (const row of rows) {
      const list = recordsOf.get(row.servantId);
      if (list) list.push(row);
      else recordsOf.set(row.servantId, [row]);
    }
    for (const entry of entries) {
      const facts = this.options.build(entry, recordsOf.get(entry._id) ?? []);
      if (facts === null) into.delete(entry._id);
      else into.set(entry._id, facts);
    }
  }
}
