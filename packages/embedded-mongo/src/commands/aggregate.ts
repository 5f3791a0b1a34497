import type { Document } from 'bson';
import { compilePipeline, runMingo, runsWithoutCopy } from '../aggregation/run';
import { MongoError, mongoError } from '../storage/errors';
import { committedIndexLedBy, compileFilter, countThroughIndex, matchEntries, project, select } from '../storage/query';
import type { Store } from '../storage/store';
import { applyUpdate, buildUpsert, sameDocument, validateId, validateUpdate } from '../storage/update';
import { canonicalKey, isPlainObject, toQueryForm } from '../storage/values';
import { collectionName, flush, optionalDoc, storeFor, type CommandContext, type Handler } from './context';
import { cursorBatchSize } from './read';
import { current, targets } from './write';

const UNSUPPORTED_STAGES = new Set(['$out', '$merge', '$changeStream', '$currentOp', '$listSessions', '$search', '$geoNear', '$collStats', '$indexStats']);

function visibleDocs(store: Store): Document[] {
  const out: Document[] = [];
  for (const [, e] of store.scan()) out.push(e.q);
  return out;
}

/**
 * Documents whose `field` equals a string, through an index led by that field (sparse ones hold
 * every string); undefined when there is none, or when a transaction has changes of its own in
 * the collection, which the committed index does not know.
 */
function equalThroughIndex(source: Store, field: string): ((value: string) => Document[]) | undefined {
  if (!source.coll) return () => [];
  const found = committedIndexLedBy(source, field);
  if (!found) return undefined;
  return (value) => {
    const out: Document[] = [];
    for (const key of found.equal(value)) {
      const entry = source.get(key);
      if (entry) out.push(entry.q);
    }
    return out;
  };
}

/**
 * The group stage of a plain count, as the drivers' countDocuments sends it after its $match:
 * `{ $group: { _id: <constant>, <name>: { $sum: 1 } } }`; the output field's name, or undefined.
 */
function plainCount(stage: Document | undefined): { id: unknown; name: string } | undefined {
  const group = stage?.$group;
  if (!isPlainObject(group)) return undefined;
  const fields = Object.keys(group);
  if (fields.length !== 2 || !('_id' in group)) return undefined;
  const id = group._id;
  if (!(id === null || typeof id === 'number' || (typeof id === 'string' && !id.startsWith('$')))) return undefined;
  const name = fields.find((f) => f !== '_id')!;
  const sum = group[name];
  return isPlainObject(sum) && Object.keys(sum).length === 1 && sum.$sum === 1 ? { id, name } : undefined;
}

async function aggregate(ctx: CommandContext): Promise<Document> {
  if (typeof ctx.cmd.aggregate !== 'string') throw mongoError('InvalidNamespace', 'aggregate on a database (aggregate: 1) is not supported');
  const name = collectionName(ctx, 'aggregate');
  if (!Array.isArray(ctx.cmd.pipeline)) throw mongoError('TypeMismatch', "'pipeline' option must be specified as an array");
  if (ctx.cmd.explain) throw mongoError('InvalidOptions', 'explain is not supported');
  let pipeline = ctx.cmd.pipeline as Document[];
  for (const stage of pipeline) {
    if (!isPlainObject(stage) || Object.keys(stage).length !== 1) throw mongoError('Location', 'A pipeline stage specification object must contain exactly one field.');
    const op = Object.keys(stage)[0];
    if (UNSUPPORTED_STAGES.has(op)) throw mongoError('Location', `${op} is not supported by the embedded server`);
  }
  const store = storeFor(ctx, name);
  // A leading $match is answered through the planner, so an indexed match never scans.
  let filter: Document = {};
  if (pipeline.length && isPlainObject(pipeline[0].$match)) {
    filter = pipeline[0].$match as Document;
    pipeline = pipeline.slice(1);
  }
  const answer = (results: Document[]) => {
    const reply = ctx.cursors.create(`${ctx.db}.${name}`, results, { batchSize: cursorBatchSize(ctx) });
    return { cursor: { firstBatch: reply.batch, id: reply.id, ns: reply.ns }, ok: 1 };
  };
  const count = pipeline.length === 1 ? plainCount(pipeline[0]) : undefined;
  const counted = count ? countThroughIndex(store, filter) : undefined;
  // Like $group over no documents: no group at all when nothing matches.
  if (count && counted !== undefined) return answer(counted > 0 ? [{ _id: count.id, [count.name]: counted }] : []);
  const storeOf = (other: string) => (other === name ? store : storeFor(ctx, other));
  const resolved = new Map<string, Document[]>();
  const resolve = (other: string) => {
    let docs = resolved.get(other);
    if (!docs) resolved.set(other, (docs = visibleDocs(storeOf(other))));
    return docs;
  };
  const indexedEqual = (other: string, field: string) => equalThroughIndex(storeOf(other), field);
  const variables = optionalDoc(ctx.cmd.let, 'let');
  const queryPipeline = toQueryForm(pipeline);
  // Compiled once for this command; command-level `let` variables are left to mingo.
  const fast = variables === undefined ? compilePipeline(queryPipeline, resolve, indexedEqual) : undefined;
  const entries = await matchEntries(store, filter);
  let results: Document[];
  try {
    if (fast) {
      // The compiled stages copy what they change, so they read the stored documents directly.
      results = fast(entries.map((e) => e.q));
    } else {
      const copyFree = runsWithoutCopy(pipeline);
      // Without a deep copy, a shallow one still keeps a stage's top-level edits off the stored document.
      const input = entries.map((e) => (copyFree ? { ...e.q } : e.q));
      results = runMingo(input, queryPipeline, { resolve, variables, copyFree });
    }
  } catch (err) {
    if (err instanceof MongoError) throw err;
    throw mongoError('Location', err instanceof Error ? err.message : String(err));
  }
  return answer(results);
}

async function findAndModify(ctx: CommandContext): Promise<Document> {
  const name = collectionName(ctx, ctx.cmd.findAndModify !== undefined ? 'findAndModify' : 'findandmodify');
  const store = storeFor(ctx, name);
  const filter = optionalDoc(ctx.cmd.query, 'query') ?? {};
  const fields = optionalDoc(ctx.cmd.fields, 'fields');
  const remove = ctx.cmd.remove === true;
  const returnNew = ctx.cmd.new === true;
  const upsert = ctx.cmd.upsert === true;
  const arrayFilters = Array.isArray(ctx.cmd.arrayFilters) ? (ctx.cmd.arrayFilters as Document[]) : undefined;
  if (remove && (ctx.cmd.update !== undefined || upsert || returnNew)) {
    throw mongoError('FailedToParse', 'Cannot specify update, upsert or new with remove:true');
  }
  if (!remove && ctx.cmd.update === undefined) throw mongoError('FailedToParse', 'Either an update or remove=true must be specified');
  const update = remove ? undefined : validateUpdate(ctx.cmd.update);
  const show = (doc: Document | undefined) => (doc ? project([doc], fields, filter)[0] : null);
  const q = compileFilter(filter);

  // Find the target first (respecting sort), then re-check it synchronously before writing.
  let found;
  for (;;) {
    if (!ctx.txn) await store.coll?.waitUnlocked();
    found = await select(store, filter, { sort: ctx.cmd.sort, limit: 1 });
    if (!ctx.txn && store.coll?.locked) continue;
    break;
  }
  let target = found[0] ? current(store, found[0], (now) => q.test(now.q)) : undefined;
  if (found[0] && !target) {
    // Someone changed it while we sorted; fall back to any document still matching.
    const again = await targets(ctx, store, filter, 1);
    target = again[0] ? [canonicalKey(again[0].doc._id), again[0]] : undefined;
  }

  if (remove) {
    if (!target) return { lastErrorObject: { n: 0 }, value: null, ok: 1 };
    store.delete(target[0]);
    flush(ctx);
    return { lastErrorObject: { n: 1 }, value: show(target[1].doc), ok: 1 };
  }
  if (!target) {
    if (!upsert) return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
    const doc = buildUpsert(filter, update!, arrayFilters);
    validateId(doc._id);
    store.insert(doc);
    flush(ctx);
    return { lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id }, value: returnNew ? show(doc) : null, ok: 1 };
  }
  const [key, entry] = target;
  const next = applyUpdate(entry.doc, update!, { arrayFilters, filter });
  if (!sameDocument(entry.doc, next)) {
    store.replace(key, next);
    flush(ctx);
  }
  return { lastErrorObject: { n: 1, updatedExisting: true }, value: show(returnNew ? next : entry.doc), ok: 1 };
}

export const aggregateCommands: Record<string, Handler> = {
  aggregate,
  findAndModify,
  findandmodify: findAndModify,
};

