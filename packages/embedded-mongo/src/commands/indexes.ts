import type { Document } from 'bson';
import { ID_INDEX, duplicateKeyError } from '../storage/collection';
import { mongoError } from '../storage/errors';
import { Index, defaultIndexName } from '../storage/indexes';
import type { IndexSpec } from '../storage/mutation';
import { isPlainObject } from '../storage/values';
import { collectionName, flush, type CommandContext, type Handler } from './context';

function parseSpec(raw: unknown): IndexSpec {
  if (!isPlainObject(raw) || !isPlainObject(raw.key) || Object.keys(raw.key).length === 0) {
    throw mongoError('BadValue', 'index specification must contain a non-empty key object');
  }
  const key: IndexSpec['key'] = {};
  for (const [f, v] of Object.entries(raw.key)) {
    const n = typeof v === 'object' && v !== null ? Number(String(v)) : v;
    if (typeof n === 'number' && n !== 0 && Number.isFinite(n)) key[f] = n > 0 ? 1 : -1;
    else if (typeof n === 'string' && ['hashed', 'text', '2d', '2dsphere'].includes(n)) key[f] = n;
    else throw mongoError('BadValue', `Values in the index key pattern can't be ${String(v)}`);
  }
  const spec: IndexSpec = { name: typeof raw.name === 'string' && raw.name ? raw.name : defaultIndexName(key), key };
  if (raw.unique === true || raw.unique === 1) spec.unique = true;
  if (raw.sparse === true || raw.sparse === 1) spec.sparse = true;
  if (isPlainObject(raw.partialFilterExpression)) spec.partialFilterExpression = raw.partialFilterExpression;
  if (raw.expireAfterSeconds !== undefined) spec.expireAfterSeconds = Number(raw.expireAfterSeconds);
  return spec;
}

function sameKey(a: IndexSpec, b: IndexSpec): boolean {
  return JSON.stringify(a.key) === JSON.stringify(b.key);
}

function sameOptions(a: IndexSpec, b: IndexSpec): boolean {
  return (
    !!a.unique === !!b.unique &&
    !!a.sparse === !!b.sparse &&
    JSON.stringify(a.partialFilterExpression ?? null) === JSON.stringify(b.partialFilterExpression ?? null)
  );
}

async function createIndexes(ctx: CommandContext): Promise<Document> {
  const name = collectionName(ctx, 'createIndexes');
  if (!Array.isArray(ctx.cmd.indexes) || ctx.cmd.indexes.length === 0) throw mongoError('BadValue', 'Must specify at least one index to create');
  const specs = ctx.cmd.indexes.map(parseSpec);
  const existing = ctx.engine.collection(ctx.db, name);
  if (existing) await existing.waitUnlocked();
  const createdCollectionAutomatically = !ctx.engine.collection(ctx.db, name);
  const coll = ctx.engine.ensureCollection(ctx.db, name, ctx.log);
  const numIndexesBefore = coll.indexes.size;
  const toBuild: IndexSpec[] = [];
  for (const spec of specs) {
    const sameName = coll.indexes.get(spec.name)?.spec ?? toBuild.find((s) => s.name === spec.name);
    if (sameName) {
      if (!sameKey(sameName, spec)) {
        throw mongoError('IndexKeySpecsConflict', `An existing index has the same name as the requested index. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(sameName)}`);
      }
      if (!sameOptions(sameName, spec)) {
        throw mongoError('IndexOptionsConflict', `An equivalent index already exists with the same name but different options. Requested index: ${JSON.stringify(spec)}`);
      }
      continue;
    }
    const sameKeyIdx = [...coll.indexes.values()].find((i) => sameKey(i.spec, spec) && sameOptions(i.spec, spec));
    if (sameKeyIdx) {
      if (spec.name !== sameKeyIdx.name && (ctx.cmd.indexes as Document[]).some((r) => r.name)) {
        throw mongoError('IndexOptionsConflict', `Index already exists with a different name: ${sameKeyIdx.name}`);
      }
      continue;
    }
    if (spec.name === ID_INDEX.name) throw mongoError('BadValue', 'cannot create an index named _id_ with a different key');
    // A unique index over existing duplicates fails the whole command, like mongod's index build.
    if (spec.unique) {
      const probe = new Index(spec);
      for (const [key, entry] of coll.docs) {
        const keys = probe.keysOf(entry.doc, entry.q);
        if (!keys) continue;
        for (const h of probe.holders(keys.full, key)) throw duplicateKeyError(coll.ns, probe, h.values);
        probe.add(key, keys);
      }
    }
    toBuild.push(spec);
  }
  for (const spec of toBuild) ctx.engine.apply({ op: 'createIndex', db: ctx.db, coll: name, spec }, ctx.log);
  flush(ctx);
  const reply: Document = { numIndexesBefore, numIndexesAfter: coll.indexes.size, createdCollectionAutomatically, ok: 1 };
  if (toBuild.length === 0) reply.note = 'all indexes already exist';
  return reply;
}

function describe(idx: Index): Document {
  const d: Document = { v: 2, key: idx.spec.key, name: idx.name };
  if (idx.spec.unique) d.unique = true;
  if (idx.spec.sparse) d.sparse = true;
  if (idx.spec.partialFilterExpression) d.partialFilterExpression = idx.spec.partialFilterExpression;
  if (idx.spec.expireAfterSeconds !== undefined) d.expireAfterSeconds = idx.spec.expireAfterSeconds;
  return d;
}

function listIndexes(ctx: CommandContext): Document {
  const name = collectionName(ctx, 'listIndexes');
  const coll = ctx.engine.collection(ctx.db, name);
  if (!coll) throw mongoError('NamespaceNotFound', `ns does not exist: ${ctx.db}.${name}`);
  const reply = ctx.cursors.create(`${ctx.db}.${name}`, [...coll.indexes.values()].map(describe), {
    batchSize: (ctx.cmd.cursor as Document | undefined)?.batchSize as number | undefined,
  });
  return { cursor: { id: reply.id, ns: reply.ns, firstBatch: reply.batch }, ok: 1 };
}

async function dropIndexes(ctx: CommandContext): Promise<Document> {
  const name = collectionName(ctx, 'dropIndexes');
  const found = ctx.engine.collection(ctx.db, name);
  if (!found) throw mongoError('NamespaceNotFound', `ns not found ${ctx.db}.${name}`);
  await found.waitUnlocked();
  const coll = ctx.engine.collection(ctx.db, name);
  if (!coll) throw mongoError('NamespaceNotFound', `ns not found ${ctx.db}.${name}`);
  const nIndexesWas = coll.indexes.size;
  const target = ctx.cmd.index;
  let names: string[];
  if (target === '*') {
    names = [...coll.indexes.keys()].filter((n) => n !== ID_INDEX.name);
  } else if (typeof target === 'string') {
    names = [target];
  } else if (Array.isArray(target)) {
    names = target.map(String);
  } else if (isPlainObject(target)) {
    const match = [...coll.indexes.values()].find((i) => JSON.stringify(i.spec.key) === JSON.stringify(target));
    if (!match) throw mongoError('IndexNotFound', `can't find index with key: ${JSON.stringify(target)}`);
    names = [match.name];
  } else {
    throw mongoError('BadValue', 'index must be a name, a key pattern, an array of names or "*"');
  }
  for (const n of names) {
    if (n === ID_INDEX.name) throw mongoError('InvalidOptions', 'cannot drop _id index');
    if (!coll.indexes.has(n)) throw mongoError('IndexNotFound', `index not found with name [${n}]`);
  }
  for (const n of names) ctx.engine.apply({ op: 'dropIndex', db: ctx.db, coll: name, name: n }, ctx.log);
  flush(ctx);
  return { nIndexesWas, ok: 1 };
}

export const indexCommands: Record<string, Handler> = {
  createIndexes,
  listIndexes,
  dropIndexes,
  deleteIndexes: dropIndexes,
};
