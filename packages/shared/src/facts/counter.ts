import { Types, type ClientSession, type Connection } from 'mongoose';

/** Where a subgraph keeps its change counters (one document per counter). */
export const COUNTERS_COLLECTION = 'counters';

interface CounterDoc {
  _id: string;
  seq: number;
  /** Renewed when the numbered data is replaced wholesale (a reseed): readers start over. */
  epoch?: string;
}

export function countersOf(db: Connection) {
  return db.collection<CounterDoc>(COUNTERS_COLLECTION);
}

/**
 * Hands out `n` numbers of the counter `id`; returns the first. Called inside the transaction that
 * writes what the numbers stamp: every such write updates the counter document, so two concurrent
 * writes conflict on it (a transient WriteConflict; `connection.transaction()` retries the loser from
 * the start) and numbers become visible in commit order. A reader that has seen number N has
 * therefore seen every number below it.
 */
export async function allocateCounter(db: Connection, id: string, n: number, session?: ClientSession): Promise<number> {
  const after = await countersOf(db).findOneAndUpdate({ _id: id }, { $inc: { seq: n } }, { upsert: true, returnDocument: 'after', session });
  if (!after) throw new Error(`the counter ${id} was not returned`);
  return after.seq - n + 1;
}

export interface CounterState {
  /** The last number handed out (0 before the first). */
  seq: number;
  /** null until the data is first replaced wholesale. */
  epoch: string | null;
}

export async function readCounter(db: Connection, id: string): Promise<CounterState> {
  const doc = await countersOf(db).findOne({ _id: id });
  return { seq: doc?.seq ?? 0, epoch: doc?.epoch ?? null };
}

/**
 * Marks the data the counter numbers as replaced (seeders call it after rewriting a collection
 * without numbers): whoever follows the numbers reads everything again.
 */
export async function renewCounter(db: Connection, id: string): Promise<void> {
  await countersOf(db).updateOne({ _id: id }, { $set: { epoch: new Types.ObjectId().toHexString() }, $setOnInsert: { seq: 0 } }, { upsert: true });
}

/**
 * A value read from the database and kept until one of `counters` moves (or its epoch is renewed)
 * or the caller's key changes (say, the day): one counter read per counter per call instead of the
 * read. Concurrent callers share one read; a failed read is not kept.
 */
export class CountedValue<T> {
  private memo: { key: string; value: Promise<T> } | null = null;

  constructor(
    private readonly db: Connection,
    private readonly counters: readonly string[],
  ) {}

  async get(key: string, read: () => Promise<T>): Promise<T> {
    const states = await Promise.all(this.counters.map((id) => readCounter(this.db, id)));
    const full = JSON.stringify([key, states]);
    if (this.memo?.key === full) return this.memo.value;
    const value = read();
    this.memo = { key: full, value };
    value.catch(() => {
      if (this.memo?.value === value) this.memo = null;
    });
    return value;
  }
}
