import type { Document } from 'bson';
import { MongoError, asMongoError, mongoError } from '../storage/errors';
import { aggregateCommands } from './aggregate';
import { catalogCommands } from './catalog';
import { flush, type CommandContext, type Handler } from './context';
import { handshakeCommands } from './handshake';
import { indexCommands } from './indexes';
import { readCommands } from './read';
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

/**
 * Runs one command and returns its reply; never throws. The reply waits until the command's
 * changes are durable.
 */
export async function runCommand(base: Omit<CommandContext, 'cmd' | 'db' | 'log' | 'pending' | 'txn'>, db: string, cmd: Document): Promise<Document> {
  const rawName = commandName(cmd);
  const name = rawName === undefined ? undefined : handlers.has(rawName) ? rawName : lowerCaseNames.get(rawName.toLowerCase());
  if (rawName === undefined || name === undefined) {
    return mongoError('CommandNotFound', `no such command: '${rawName ?? ''}'`).toReply();
  }
  const ctx: CommandContext = { ...base, db, cmd, log: [], pending: [] };
  try {
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
