import type { Document } from 'bson';
import { MongoError, asMongoError, mongoError } from '../storage/errors';
import { sessionKey, txnNumberOf } from '../storage/transactions';
import { aggregateCommands } from './aggregate';
import { catalogCommands } from './catalog';
import { flush, type CommandContext, type Handler } from './context';
import { handshakeCommands } from './handshake';
import { indexCommands } from './indexes';
import { readCommands } from './read';
import { RETRYABLE_WRITE_COMMANDS } from './retryable-writes';
import { writeCommands } from './write';

const transactionCommands: Record<string, Handler> = {
  commitTransaction: async (ctx) => {
    if (!ctx.txn) throw mongoError('IllegalOperation', 'commitTransaction must be run within a transaction');
    await ctx.transactions.commit(ctx.txn);
    return { ok: 1 };
  },
  abortTransaction: (ctx) => {
    if (!ctx.txn) throw mongoError('IllegalOperation', 'abortTransaction must be run within a transaction');
    ctx.transactions.abort(ctx.txn);
    return { ok: 1 };
  },
};

const handlers = new Map<string, Handler>(
  Object.entries({
    ...handshakeCommands,
    ...catalogCommands,
    ...indexCommands,
    ...writeCommands,
    ...readCommands,
    ...aggregateCommands,
    ...transactionCommands,
  }),
);

/** Commands whose first field is not the command name in the case the driver sends. */
const lowerCaseNames = new Map([...handlers.keys()].map((k) => [k.toLowerCase(), k]));

/** Commands allowed inside a multi-document transaction (others get OperationNotSupportedInTransaction). */
const TRANSACTIONAL = new Set([
  'find',
  'getMore',
  'killCursors',
  'insert',
  'update',
  'delete',
  'findAndModify',
  'findandmodify',
  'aggregate',
  'count',
  'distinct',
  'commitTransaction',
  'abortTransaction',
  'create',
  'createIndexes',
]);

export function commandName(cmd: Document): string | undefined {
  return Object.keys(cmd)[0];
}

type BaseContext = Omit<CommandContext, 'cmd' | 'db' | 'log' | 'pending' | 'txn'>;

/**
 * Runs one command and returns its reply; never throws. The reply waits until the command's
 * changes are durable. A retryable write (lsid + txnNumber, outside a transaction) that was
 * already run gets the first attempt's reply instead of running again (see retryable-writes.ts).
 */
export async function runCommand(base: BaseContext, db: string, cmd: Document): Promise<Document> {
  const rawName = commandName(cmd);
  const name = rawName === undefined ? undefined : handlers.has(rawName) ? rawName : lowerCaseNames.get(rawName.toLowerCase());
  if (rawName === undefined || name === undefined) {
    return mongoError('CommandNotFound', `no such command: '${rawName ?? ''}'`).toReply();
  }
  if (RETRYABLE_WRITE_COMMANDS.has(name) && cmd.autocommit !== false) {
    const session = sessionKey(cmd.lsid);
    let txnNumber: bigint | undefined;
    try {
      txnNumber = session === undefined ? undefined : txnNumberOf(cmd);
    } catch {
      return mongoError('TypeMismatch', 'txnNumber must be an integer').toReply();
    }
    if (session !== undefined && txnNumber !== undefined) {
      const used = base.transactions.highestTxnNumber(session);
      if (used !== undefined && txnNumber < used) {
        return mongoError('TransactionTooOld', `Retryable write with txnNumber ${txnNumber} is prohibited on session because a newer transaction with txnNumber ${used} has already started on this session.`).toReply();
      }
      return base.retryableWrites.run(session, txnNumber, () => execute(base, name, db, cmd));
    }
  }
  return execute(base, name, db, cmd);
}

async function execute(base: BaseContext, name: string, db: string, cmd: Document): Promise<Document> {
  // Named fields, not `{ ...base }`: under load at 100,000 servants the spread here allocated an
  // object of ~16 KB per command (sampling heap profile of personnel's server) that died in the old
  // generation, ~3 MB/s, a full collection every ~100 s; built field by field, none.
  const ctx: CommandContext = {
    engine: base.engine,
    cursors: base.cursors,
    transactions: base.transactions,
    retryableWrites: base.retryableWrites,
    server: base.server,
    connectionId: base.connectionId,
    db,
    cmd,
    log: [],
    pending: [],
  };
  try {
    if (cmd.autocommit === false && cmd.startTransaction === true) refuseOlderThanRetryableWrites(ctx);
    ctx.txn = ctx.transactions.resolve(cmd, name);
    if (ctx.txn && !TRANSACTIONAL.has(name)) {
      throw new MongoError(263, 'OperationNotSupportedInTransaction', `Cannot run '${name}' in a multi-document transaction.`);
    }
    const reply = await handlers.get(name)!(ctx);
    flush(ctx);
    await Promise.all(ctx.pending);
    if (ctx.txn && Array.isArray(reply.writeErrors) && reply.writeErrors.length) ctx.transactions.abortOnError(ctx.txn);
    return reply;
  } catch (err) {
    // Whatever the command changed before failing is in memory, so it must be made durable too.
    flush(ctx);
    let error = asMongoError(err);
    try {
      await Promise.all(ctx.pending);
    } catch (durabilityErr) {
      error = mongoError('Location', `durability failure: ${durabilityErr instanceof Error ? durabilityErr.message : String(durabilityErr)}`);
    }
    if (ctx.txn && name !== 'commitTransaction' && name !== 'abortTransaction') ctx.transactions.abortOnError(ctx.txn);
    return error.toReply();
  }
}

/** A transaction may not start with a txnNumber below one a retryable write of its session used. */
function refuseOlderThanRetryableWrites(ctx: CommandContext): void {
  const session = sessionKey(ctx.cmd.lsid);
  const txnNumber = txnNumberOf(ctx.cmd);
  const used = session === undefined ? undefined : ctx.retryableWrites.highest(session);
  if (used !== undefined && txnNumber !== undefined && txnNumber < used) {
    throw mongoError('TransactionTooOld', `Cannot start transaction ${txnNumber} on session because a newer retryable write with txnNumber ${used} has already started on this session.`);
  }
}
