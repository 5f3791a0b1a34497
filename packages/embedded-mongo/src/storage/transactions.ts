import type { Document } from 'bson';
import type { LockOwner } from './collection';
import type { Engine } from './engine';
import { mongoError, type MongoError } from './errors';
import type { Mutation } from './mutation';
import { TxnStore } from './store';

/** MongoDB's default `transactionLifetimeLimitSeconds`. */
export const TXN_LIFETIME_MS = 60_000;

export class Txn implements LockOwner {
  state: 'active' | 'committed' | 'aborted' = 'active';
  readonly stores = new Map<string, TxnStore>();
  readonly startedAt = Date.now();

  constructor(
    readonly id: string,
    readonly number: bigint,
  ) {}

  store(engine: Engine, db: string, name: string, catalogLog: Mutation[]): TxnStore {
    const ns = `${db}.${name}`;
    let s = this.stores.get(ns);
    if (!s) this.stores.set(ns, (s = new TxnStore(engine, db, name, this, catalogLog)));
    return s;
  }

  /** Drops every change and lets writers waiting on this transaction's collections proceed. */
  release(engine: Engine, state: 'committed' | 'aborted'): void {
    this.state = state;
    for (const s of this.stores.values()) engine.collection(s.db, s.name)?.unlock(this);
  }
}

interface SessionState {
  txn: Txn | null;
  /** Highest txnNumber seen, to refuse stale ones. */
  highest: bigint;
}

function noSuchTransaction(n: bigint): MongoError {
  return mongoError('NoSuchTransaction', `Transaction with { txnNumber: ${n} } has been aborted.`, {}, ['TransientTransactionError']);
}

export function sessionKey(lsid: unknown): string | undefined {
  const id = (lsid as { id?: { buffer?: Uint8Array } } | undefined)?.id;
  if (!id?.buffer) return undefined;
  return Buffer.from(id.buffer).toString('hex');
}

/** The command's `txnNumber` (an int64 on the wire), if it has one; throws on a non-integer. */
export function txnNumberOf(cmd: Document): bigint | undefined {
  const n = cmd.txnNumber;
  if (n === undefined || n === null) return undefined;
  return BigInt(String(n));
}

/** Logical sessions and their multi-document transactions. */
export class Transactions {
  private readonly sessions = new Map<string, SessionState>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly engine: Engine) {
    // A client that vanishes mid-transaction must not hold collection locks forever.
    this.sweeper = setInterval(() => this.expire(), 5_000);
    this.sweeper.unref();
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const s of this.sessions.values()) if (s.txn?.state === 'active') s.txn.release(this.engine, 'aborted');
  }

  private expire(): void {
    const now = Date.now();
    for (const s of this.sessions.values()) {
      if (s.txn?.state === 'active' && now - s.txn.startedAt > TXN_LIFETIME_MS) s.txn.release(this.engine, 'aborted');
    }
  }

  /**
   * The transaction a command runs in, or undefined outside one. Starts a transaction on
   * `startTransaction`, and refuses commands for transactions that are unknown or over.
   */
  resolve(cmd: Document, commandName: string): Txn | undefined {
    if (cmd.autocommit !== false) return undefined;
    const key = sessionKey(cmd.lsid);
    const n = txnNumberOf(cmd);
    if (!key || n === undefined) throw mongoError('InvalidOptions', 'transactions require lsid and txnNumber');
    let s = this.sessions.get(key);
    if (!s) this.sessions.set(key, (s = { txn: null, highest: -1n }));
    if (n < s.highest) {
      throw mongoError('TransactionTooOld', `Cannot start transaction ${n} on session because a newer transaction ${s.highest} has already started`);
    }
    if (cmd.startTransaction === true) {
      if (s.txn && s.txn.number === n) throw mongoError('Location', `Transaction with { txnNumber: ${n} } has already been started`);
      if (s.txn?.state === 'active') s.txn.release(this.engine, 'aborted');
      s.highest = n;
      s.txn = new Txn(`${key}:${n}`, n);
      return s.txn;
    }
    const txn = s.txn;
    if (!txn || txn.number !== n) throw noSuchTransaction(n);
    if (txn.state === 'aborted') throw noSuchTransaction(n);
    if (txn.state === 'committed' && commandName !== 'commitTransaction') {
      throw mongoError('Location', `Transaction with { txnNumber: ${n} } has been committed.`);
    }
    return txn;
  }

  /** The highest txnNumber a transaction of this session has used, if the session is known. */
  highestTxnNumber(key: string): bigint | undefined {
    return this.sessions.get(key)?.highest;
  }

  abortOnError(txn: Txn | undefined): void {
    if (txn?.state === 'active') txn.release(this.engine, 'aborted');
  }

  /** Publishes the transaction's changes as one atomic, durable unit. */
  async commit(txn: Txn): Promise<void> {
    if (txn.state === 'committed') return;
    if (txn.state !== 'active') throw noSuchTransaction(txn.number);
    const planned: Mutation[] = [];
    try {
      for (const s of txn.stores.values()) planned.push(...s.prepareCommit());
    } catch (err) {
      txn.release(this.engine, 'aborted');
      throw err;
    }
    const log: Mutation[] = [];
    for (const m of planned) this.engine.apply(m, log);
    txn.release(this.engine, 'committed');
    await this.engine.persist(log);
  }

  abort(txn: Txn): void {
    if (txn.state !== 'active') throw noSuchTransaction(txn.number);
    txn.release(this.engine, 'aborted');
  }

  endSessions(ids: unknown[]): void {
    for (const lsid of ids) {
      const key = sessionKey(lsid);
      if (!key) continue;
      const s = this.sessions.get(key);
      if (s?.txn?.state === 'active') s.txn.release(this.engine, 'aborted');
      this.sessions.delete(key);
    }
  }
}
