import { calculateObjectSize, type Document } from 'bson';
import type { Entry } from '../storage/collection';
import { asMongoError, mongoError } from '../storage/errors';
import { compileFilter, matchEntries } from '../storage/query';
import type { Store } from '../storage/store';
import { applyUpdate, buildUpsert, sameDocument, validateId, validateUpdate, withId, type UpdateSpec } from '../storage/update';
import { canonicalKey, isPlainObject } from '../storage/values';
import { MAX_BSON_OBJECT_SIZE } from '../wire/messages';
import { collectionName, flush, optionalDoc, storeFor, type CommandContext, type Handler } from './context';
import { MAX_WRITE_BATCH_SIZE } from './handshake';

function batch(ctx: CommandContext, field: string): Document[] {
  const items = ctx.cmd[field];
  if (!Array.isArray(items)) throw mongoError('FailedToParse', `BSON field '${field}' is missing but a required field`);
  if (items.length > MAX_WRITE_BATCH_SIZE) throw mongoError('InvalidLength', `Write batch sizes must be between 1 and ${MAX_WRITE_BATCH_SIZE}. Got ${items.length} operations.`);
  return items as Document[];
}

/**
 * Waits until no other transaction holds the collection, then finds the documents a write
 * statement targets. On return, the caller may write synchronously without anyone else
 * holding the lock. Inside a transaction there is nothing to wait for: a conflicting lock
 * fails the write instead.
 */
export async function targets(ctx: CommandContext, store: Store, filter: Document, limit: number): Promise<Entry[]> {
  for (;;) {
    if (!ctx.txn) await store.coll?.waitUnlocked();
    const found = await matchEntries(store, filter, { stopAfter: limit });
    if (!ctx.txn && store.coll?.locked) continue;
    return found;
  }
}

/** The current version of a document found earlier, if it still matches (others may have written in between). */
export function current(store: Store, found: Entry, stillMatches: (e: Entry) => boolean): [string, Entry] | undefined {
  const key = canonicalKey(found.doc._id);
  const now = store.get(key);
  if (!now) return undefined;
  if (now !== found && !stillMatches(now)) return undefined;
  return [key, now];
}

async function insert(ctx: CommandContext): Promise<Document> {
  const name = collectionName(ctx, 'insert');
  const docs = batch(ctx, 'documents');
  const ordered = ctx.cmd.ordered !== false;
  const store = storeFor(ctx, name);
  if (!ctx.txn) await store.coll?.waitUnlocked();
  let n = 0;
  const writeErrors: Document[] = [];
  for (let i = 0; i < docs.length; i++) {
    try {
      const raw = docs[i];
      if (!isPlainObject(raw)) throw mongoError('TypeMismatch', 'documents to insert must be objects');
      const doc = withId(raw);
      validateId(doc._id);
      if (calculateObjectSize(doc) > MAX_BSON_OBJECT_SIZE) throw mongoError('BSONObjectTooLarge', 'object to insert too large');
      store.insert(doc);
      n++;
    } catch (err) {
      writeErrors.push(statementError(err, i));
      if (ordered) break;
    }
  }
  flush(ctx);
  return writeErrors.length ? { n, writeErrors, ok: 1 } : { n, ok: 1 };
}

export interface UpdateOutcome {
  n: number;
  nModified: number;
  upserted?: unknown;
  /** Before and after images of the last document touched (for findAndModify). */
  before?: Document;
  after?: Document;
}

export interface UpdateStatement {
  filter: Document;
  update: UpdateSpec;
  multi: boolean;
  upsert: boolean;
  arrayFilters?: Document[];
  sort?: unknown;
}

/** Runs one update statement; throws on the first error, keeping changes made before it. */
export async function runUpdate(ctx: CommandContext, store: Store, st: UpdateStatement, found?: Entry[]): Promise<UpdateOutcome> {
  const q = compileFilter(st.filter);
  const entries = found ?? (await targets(ctx, store, st.filter, st.multi ? Infinity : 1));
  const out: UpdateOutcome = { n: 0, nModified: 0 };
  if (entries.length === 0) {
    if (!st.upsert) return out;
    const doc = buildUpsert(st.filter, st.update, st.arrayFilters);
    validateId(doc._id);
    store.insert(doc);
    return { n: 1, nModified: 0, upserted: doc._id, after: doc };
  }
  for (const e of entries) {
    const cur = current(store, e, (now) => q.test(now.q));
    if (!cur) continue;
    const [key, entry] = cur;
    const next = applyUpdate(entry.doc, st.update, { arrayFilters: st.arrayFilters, filter: st.filter });
    out.n++;
    out.before = entry.doc;
    out.after = next;
    if (!sameDocument(entry.doc, next)) {
      if (calculateObjectSize(next) > MAX_BSON_OBJECT_SIZE) throw mongoError('BSONObjectTooLarge', 'Resulting document after update is larger than 16777216');
      store.replace(key, next);
      out.nModified++;
    }
  }
  return out;
}

export function parseStatement(raw: unknown): UpdateStatement {
  if (!isPlainObject(raw)) throw mongoError('FailedToParse', 'update statement must be an object');
  return {
    filter: optionalDoc(raw.q, 'q') ?? {},
    update: validateUpdate(raw.u),
    multi: raw.multi === true,
    upsert: raw.upsert === true,
    arrayFilters: Array.isArray(raw.arrayFilters) ? (raw.arrayFilters as Document[]) : undefined,
  };
}

async function update(ctx: CommandContext): Promise<Document> {
  const name = collectionName(ctx, 'update');
  const statements = batch(ctx, 'updates');
  const ordered = ctx.cmd.ordered !== false;
  const store = storeFor(ctx, name);
  let n = 0;
  let nModified = 0;
  const upserted: Document[] = [];
  const writeErrors: Document[] = [];
  for (let i = 0; i < statements.length; i++) {
    try {
      const st = parseStatement(statements[i]);
      if (st.multi && !Array.isArray(st.update) && !Object.keys(st.update)[0]?.startsWith('$') && Object.keys(st.update).length) {
        throw mongoError('FailedToParse', 'multi update is not supported for replacement-style update');
      }
      const r = await runUpdate(ctx, store, st);
      n += r.n;
      nModified += r.nModified;
      if (r.upserted !== undefined) upserted.push({ index: i, _id: r.upserted });
    } catch (err) {
      writeErrors.push(statementError(err, i));
      if (ordered) break;
    } finally {
      flush(ctx);
    }
  }
  const reply: Document = { n, nModified, ok: 1 };
  if (upserted.length) reply.upserted = upserted;
  if (writeErrors.length) reply.writeErrors = writeErrors;
  return reply;
}

async function del(ctx: CommandContext): Promise<Document> {
  const name = collectionName(ctx, 'delete');
  const statements = batch(ctx, 'deletes');
  const ordered = ctx.cmd.ordered !== false;
  const store = storeFor(ctx, name);
  let n = 0;
  const writeErrors: Document[] = [];
  for (let i = 0; i < statements.length; i++) {
    try {
      const raw = statements[i];
      if (!isPlainObject(raw)) throw mongoError('FailedToParse', 'delete statement must be an object');
      const filter = optionalDoc(raw.q, 'q') ?? {};
      const limit = Number(raw.limit ?? 0);
      if (limit !== 0 && limit !== 1) throw mongoError('FailedToParse', 'The limit field in delete objects must be 0 or 1');
      const entries = await targets(ctx, store, filter, limit === 1 ? 1 : Infinity);
      const q = compileFilter(filter);
      for (const e of entries) {
        const cur = current(store, e, (now) => q.test(now.q));
        if (!cur) continue;
        store.delete(cur[0]);
        n++;
      }
    } catch (err) {
      writeErrors.push(statementError(err, i));
      if (ordered) break;
    } finally {
      flush(ctx);
    }
  }
  return writeErrors.length ? { n, writeErrors, ok: 1 } : { n, ok: 1 };
}

/**
 * A statement's failure as a `writeErrors` entry. Transient transaction errors (write
 * conflicts) fail the whole command instead, carrying their label, as mongod does, so
 * drivers retry the transaction.
 */
function statementError(err: unknown, index: number): Document {
  const e = asMongoError(err);
  if (e.errorLabels.length) throw e;
  return e.toWriteError(index);
}

export const writeCommands: Record<string, Handler> = {
  insert,
  update,
  delete: del,
};
