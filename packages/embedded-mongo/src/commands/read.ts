import { Long, type Document } from 'bson';
import { mongoError } from '../storage/errors';
import { matchEntries, projector, select } from '../storage/query';
import { canonicalKey, pathValues } from '../storage/values';
import { collectionName, optionalDoc, storeFor, toInt, type CommandContext, type Handler } from './context';

function cursorBatchSize(ctx: CommandContext): number | undefined {
  const cursor = optionalDoc(ctx.cmd.cursor, 'cursor');
  return toInt(cursor?.batchSize, 'batchSize');
}

async function find(ctx: CommandContext): Promise<Document> {
  const name = collectionName(ctx, 'find');
  const filter = optionalDoc(ctx.cmd.filter, 'filter') ?? {};
  const limit = toInt(ctx.cmd.limit, 'limit') ?? 0;
  const skip = toInt(ctx.cmd.skip, 'skip') ?? 0;
  if (skip < 0) throw mongoError('BadValue', 'skip value must be non-negative');
  const projection = optionalDoc(ctx.cmd.projection, 'projection');
  const transform = projector(projection, filter);
  const entries = await select(storeFor(ctx, name), filter, { sort: ctx.cmd.sort, skip, limit: Math.abs(limit) });
  const reply = ctx.cursors.create(
    `${ctx.db}.${name}`,
    entries.map((e) => e.doc),
    {
      batchSize: toInt(ctx.cmd.batchSize, 'batchSize'),
      singleBatch: ctx.cmd.singleBatch === true || limit < 0,
      transform,
    },
  );
  return { cursor: { firstBatch: reply.batch, id: reply.id, ns: reply.ns }, ok: 1 };
}

function getMore(ctx: CommandContext): Document {
  const name = collectionName(ctx, 'collection');
  const id = ctx.cmd.getMore;
  if (id === undefined || id === null) throw mongoError('TypeMismatch', 'getMore requires a cursor id');
  const reply = ctx.cursors.getMore(Long.fromString(String(id)).toString(), `${ctx.db}.${name}`, toInt(ctx.cmd.batchSize, 'batchSize'));
  return { cursor: { nextBatch: reply.batch, id: reply.id, ns: reply.ns }, ok: 1 };
}

function killCursors(ctx: CommandContext): Document {
  collectionName(ctx, 'killCursors');
  const ids = Array.isArray(ctx.cmd.cursors) ? ctx.cmd.cursors : [];
  const { killed, notFound } = ctx.cursors.kill(ids);
  return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
}

async function count(ctx: CommandContext): Promise<Document> {
  const name = collectionName(ctx, 'count');
  const store = storeFor(ctx, name);
  const filter = optionalDoc(ctx.cmd.query, 'query') ?? {};
  const skip = Math.max(0, toInt(ctx.cmd.skip, 'skip') ?? 0);
  const limit = Math.abs(toInt(ctx.cmd.limit, 'limit') ?? 0);
  let n = Object.keys(filter).length === 0 ? store.size : (await matchEntries(store, filter, { stopAfter: limit ? skip + limit : Infinity })).length;
  n = Math.max(0, n - skip);
  if (limit) n = Math.min(n, limit);
  return { n, ok: 1 };
}

async function distinct(ctx: CommandContext): Promise<Document> {
  const name = collectionName(ctx, 'distinct');
  const key = ctx.cmd.key;
  if (typeof key !== 'string' || key === '') throw mongoError('TypeMismatch', "BSON field 'distinct.key' is missing but a required field");
  const filter = optionalDoc(ctx.cmd.query, 'query') ?? {};
  const seen = new Map<string, unknown>();
  for (const e of await matchEntries(storeFor(ctx, name), filter)) {
    for (const v of pathValues(e.doc, key)) {
      if (v === undefined) continue;
      const k = canonicalKey(v);
      if (!seen.has(k)) seen.set(k, v);
    }
  }
  return { values: [...seen.values()], ok: 1 };
}

export const readCommands: Record<string, Handler> = {
  find,
  getMore,
  killCursors,
  count,
  distinct,
};

export { cursorBatchSize };
