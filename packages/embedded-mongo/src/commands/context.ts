import type { Document } from 'bson';
import type { Cursors } from '../storage/cursors';
import type { Engine } from '../storage/engine';
import { mongoError } from '../storage/errors';
import type { Mutation } from '../storage/mutation';
import { BaseStore, type Store } from '../storage/store';
import type { Transactions, Txn } from '../storage/transactions';
import type { RetryableWrites } from './retryable-writes';

export interface ServerInfo {
  host: string;
  port: number;
  startedAt: Date;
  /** Identifies this server process's term as replica-set primary. */
  electionId: import('bson').ObjectId;
}

export interface CommandContext {
  engine: Engine;
  cursors: Cursors;
  transactions: Transactions;
  /** Replies of retryable writes already run, by session (see retryable-writes.ts). */
  retryableWrites: RetryableWrites;
  server: ServerInfo;
  connectionId: number;
  db: string;
  cmd: Document;
  /** The transaction this command runs in, if any. */
  txn?: Txn;
  /** Changes made by this command and not yet handed to durability. */
  log: Mutation[];
  /** Durability appends in flight; the reply waits for all of them. */
  pending: Promise<void>[];
}

export type Handler = (ctx: CommandContext) => Promise<Document> | Document;

/** The collection a command addresses, as seen from its transaction (if any). */
export function storeFor(ctx: CommandContext, name: string): Store {
  if (ctx.txn) return ctx.txn.store(ctx.engine, ctx.db, name, ctx.log);
  return new BaseStore(ctx.engine, ctx.db, name, ctx.log);
}

/**
 * Makes the command's changes so far durable. Called right after a synchronous batch of
 * changes, before any other await, so the journal sees changes in the order memory did.
 */
export function flush(ctx: CommandContext): void {
  if (ctx.log.length === 0) return;
  const p = ctx.engine.persist(ctx.log.splice(0));
  // Awaited by the dispatcher before replying; this only keeps an early failure from being reported as unhandled.
  p.catch(() => {});
  ctx.pending.push(p);
}

export function collectionName(ctx: CommandContext, field: string): string {
  const name = ctx.cmd[field];
  if (typeof name !== 'string' || name === '') {
    throw mongoError('InvalidNamespace', `collection name has invalid type ${typeof name}`);
  }
  if (name.includes('$') || name.includes('\0')) throw mongoError('InvalidNamespace', `Invalid collection name: ${name}`);
  return name;
}

export function optionalDoc(v: unknown, what: string): Document | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw mongoError('TypeMismatch', `${what} must be an object`);
  return v as Document;
}

export function toInt(v: unknown, what: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = Number(typeof v === 'object' ? String(v) : v);
  if (!Number.isFinite(n)) throw mongoError('TypeMismatch', `${what} must be a number`);
  return Math.trunc(n);
}
