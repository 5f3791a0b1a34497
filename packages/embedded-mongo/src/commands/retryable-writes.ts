import type { Document } from 'bson';
import { mongoError } from '../storage/errors';

/**
 * Retryable writes, as in MongoDB's "Retryable Writes" specification.
 *
 * Why this exists: drivers (the Node driver by default, `retryWrites=true`) send every
 * insert/update/delete/findAndModify outside a transaction with the session's `lsid` and a
 * `txnNumber`, and retry the command ONCE, with the same lsid and txnNumber, after a network
 * error or a pool clear (e.g. when a heartbeat timed out while the server was busy). The first
 * attempt may well have been applied: the driver just never saw its reply. mongod recognises the
 * retry by lsid + txnNumber and answers it with the first attempt's result instead of running it
 * again. Without that, a retried insertMany fails with E11000 on every document it had already
 * inserted, and a retried `$inc` is applied twice.
 *
 * What is kept: per session, the highest txnNumber run as a retryable write and its reply (a
 * promise, so a retry that arrives while the first attempt is still running, say waiting for the
 * journal's fsync, waits for it and gets the same reply). A txnNumber below the session's highest
 * is refused with TransactionTooOld (225), as mongod does. mongod remembers the outcome of each
 * statement (stmtId); this keeps the whole reply of the command, which is what a driver's retry of
 * the same command needs.
 *
 * A first attempt that failed as a whole (`ok: 0`: a parse error, a durability failure) is not
 * remembered as done: its retry runs again, as it would on mongod where nothing was recorded.
 *
 * Memory is bounded: sessions idle for longer than the logical session timeout (30 minutes, what
 * `hello` advertises) are forgotten, and so are the least recently used ones beyond `maxSessions`.
 * It lives in memory only: a server restart forgets it (a retry after a restart can then run a
 * second time), which is acceptable for a development server.
 */

/** Commands that drivers send as retryable writes (findandmodify: the lower-case spelling). */
export const RETRYABLE_WRITE_COMMANDS: ReadonlySet<string> = new Set(['insert', 'update', 'delete', 'findAndModify', 'findandmodify']);

export const RETRYABLE_SESSION_IDLE_MS = 30 * 60_000;
export const RETRYABLE_MAX_SESSIONS = 10_000;

interface Attempt {
  txnNumber: bigint;
  reply: Promise<Document>;
  lastUsed: number;
}

export interface RetryableWritesOptions {
  maxSessions?: number;
  idleMs?: number;
  now?: () => number;
}

export class RetryableWrites {
  /** Session key → its latest retryable write. Map order is least recently used first. */
  private readonly sessions = new Map<string, Attempt>();
  private readonly maxSessions: number;
  private readonly idleMs: number;
  private readonly now: () => number;

  constructor(opts: RetryableWritesOptions = {}) {
    this.maxSessions = opts.maxSessions ?? RETRYABLE_MAX_SESSIONS;
    this.idleMs = opts.idleMs ?? RETRYABLE_SESSION_IDLE_MS;
    this.now = opts.now ?? Date.now;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** The highest txnNumber a retryable write of this session has used, if it is remembered. */
  highest(session: string): bigint | undefined {
    return this.sessions.get(session)?.txnNumber;
  }

  /**
   * Runs `execute` once per (session, txnNumber): a repeat gets the first attempt's reply.
   * `execute` must never reject (runCommand turns every failure into an error reply).
   */
  async run(session: string, txnNumber: bigint, execute: () => Promise<Document>): Promise<Document> {
    this.expire();
    for (;;) {
      const seen = this.sessions.get(session);
      if (seen && txnNumber < seen.txnNumber) {
        return mongoError(
          'TransactionTooOld',
          `Retryable write with txnNumber ${txnNumber} is prohibited on session because a newer retryable write with txnNumber ${seen.txnNumber} has already started on this session.`,
        ).toReply();
      }
      if (seen && txnNumber === seen.txnNumber) {
        this.touch(session, seen);
        const first = await seen.reply;
        if (first.ok === 1) return first;
        // The first attempt failed as a whole: run it again, unless another retry already does.
        if (this.sessions.get(session) !== seen) continue;
      }
      // Registered in the same synchronous step as `execute` starts, so a concurrent retry finds it.
      const attempt: Attempt = { txnNumber, reply: execute(), lastUsed: this.now() };
      this.sessions.delete(session);
      this.sessions.set(session, attempt);
      this.evict();
      return attempt.reply;
    }
  }

  /** endSessions / killSessions: the client says it will not use these sessions again. */
  forget(sessions: Iterable<string>): void {
    for (const s of sessions) this.sessions.delete(s);
  }

  private touch(session: string, attempt: Attempt): void {
    attempt.lastUsed = this.now();
    this.sessions.delete(session);
    this.sessions.set(session, attempt);
  }

  private expire(): void {
    const cutoff = this.now() - this.idleMs;
    for (const [session, attempt] of this.sessions) {
      if (attempt.lastUsed > cutoff) break; // the rest were used more recently
      this.sessions.delete(session);
    }
  }

  private evict(): void {
    for (const session of this.sessions.keys()) {
      if (this.sessions.size <= this.maxSessions) break;
      this.sessions.delete(session);
    }
  }
}
