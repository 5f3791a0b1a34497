import type { Document } from 'bson';
import { compileFilter, parseSort, sortValue } from '../storage/query';
import { canonicalKey, compareValues, isPlainObject } from '../storage/values';
import './array-operators';
import { compileExpression, fail, pathGetter, Scope, truthy, Unsupported } from './expression';
import { compileGroup } from './group';
import './operators';
import { compileAddFields, compileProject, compileUnset, isDocument, type DocFn } from './project';

/** One compiled stage: documents in, documents out; it never changes the documents it is given. */
export type StageFn = (docs: Document[]) => Document[];

export interface CompileOptions {
  /** The documents of another collection (in query form), for $lookup. */
  resolve(collection: string): Document[];
  /**
   * The documents of `collection` whose `field` equals a string, through an index on that field;
   * undefined when no such index can answer (none, or a transaction's own changes to consider).
   */
  indexedEqual?(collection: string, field: string): ((value: string) => Document[]) | undefined;
}

function perDocument(build: (scope: Scope) => DocFn): StageFn {
  const scope = new Scope();
  const fn = build(scope);
  return (docs) => {
    const env = new Array<unknown>(scope.slots.n);
    const out = new Array<Document>(docs.length);
    for (let i = 0; i < docs.length; i++) out[i] = fn(docs[i], env);
    return out;
  };
}

function compileMatch(spec: unknown): StageFn {
  if (!isPlainObject(spec)) throw new Unsupported('$match spec');
  const keys = Object.keys(spec);
  if (keys.length === 1 && keys[0] === '$expr') {
    const scope = new Scope();
    const test = compileExpression(spec.$expr, scope);
    return (docs) => {
      const env = new Array<unknown>(scope.slots.n);
      return docs.filter((d) => truthy(test(d, env)));
    };
  }
  let query;
  try {
    query = compileFilter(spec);
  } catch {
    throw new Unsupported('$match filter');
  }
  return (docs) => docs.filter((d) => query.test(d));
}

function compileSort(spec: unknown): StageFn {
  let keys: [string, number][];
  try {
    keys = parseSort(spec).filter(([f]) => f !== '$natural');
  } catch {
    throw new Unsupported('$sort spec');
  }
  if (keys.length === 0) throw new Unsupported('empty $sort');
  return (docs) => {
    const keyed = docs.map((doc, i) => ({ doc, i, k: keys.map(([f, d]) => sortValue(doc, f, d)) }));
    keyed.sort((a, b) => {
      for (let j = 0; j < keys.length; j++) {
        const c = compareValues(a.k[j], b.k[j]);
        if (c) return c * keys[j][1];
      }
      return a.i - b.i;
    });
    return keyed.map((x) => x.doc);
  };
}

function positiveInt(spec: unknown, allowZero: boolean): number {
  if (typeof spec !== 'number' || !Number.isInteger(spec) || spec < 0 || (!allowZero && spec === 0)) throw new Unsupported('$limit/$skip value');
  return spec;
}

function compileCount(spec: unknown): StageFn {
  if (typeof spec !== 'string' || spec === '' || spec.startsWith('$') || spec.includes('.')) throw new Unsupported('$count spec');
  return (docs) => (docs.length ? [{ [spec]: docs.length }] : []);
}

function compileUnwind(spec: unknown): StageFn {
  const o = typeof spec === 'string' ? { path: spec } : spec;
  if (!isPlainObject(o) || typeof o.path !== 'string' || !o.path.startsWith('$') || o.path.startsWith('$$')) throw new Unsupported('$unwind spec');
  for (const k of Object.keys(o)) if (!['path', 'includeArrayIndex', 'preserveNullAndEmptyArrays'].includes(k)) throw new Unsupported(`$unwind ${k}`);
  const path = o.path.slice(1);
  const parts = path.split('.');
  if (parts.some((p) => p === '' || p.startsWith('$'))) throw new Unsupported('$unwind path');
  const index = o.includeArrayIndex;
  if (index !== undefined && (typeof index !== 'string' || index === '' || index.startsWith('$') || index.includes('.'))) throw new Unsupported('includeArrayIndex');
  const preserve = o.preserveNullAndEmptyArrays ?? false;
  if (typeof preserve !== 'boolean') throw new Unsupported('preserveNullAndEmptyArrays');
  return (docs) => {
    const out: Document[] = [];
    for (const doc of docs) {
      const v = valueAt(doc, parts);
      if (Array.isArray(v) && v.length > 0) {
        for (let i = 0; i < v.length; i++) {
          const row = withValue(doc, parts, 0, v[i]);
          if (index !== undefined) row[index] = i;
          out.push(row);
        }
      } else if (!Array.isArray(v) && v !== undefined && v !== null) {
        out.push(index !== undefined ? { ...doc, [index]: null } : doc);
      } else if (preserve) {
        const row = Array.isArray(v) ? withValue(doc, parts, 0, undefined) : index !== undefined ? { ...doc } : doc;
        if (index !== undefined) row[index] = null;
        out.push(row);
      }
    }
    return out;
  };
}

/** The value at a dotted path through embedded documents only ($unwind does not walk arrays on the way). */
function valueAt(doc: Document, parts: string[]): unknown {
  let cur: unknown = doc;
  for (const p of parts) {
    if (!isDocument(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

/** A copy of `doc` with the path set to `value` (undefined removes it), sharing everything off the path. */
function withValue(doc: Document, parts: string[], i: number, value: unknown): Document {
  const out = { ...doc };
  if (i === parts.length - 1) {
    if (value === undefined) delete out[parts[i]];
    else out[parts[i]] = value;
  } else out[parts[i]] = withValue(out[parts[i]] as Document, parts, i + 1, value);
  return out;
}

/** canonicalKey's equality; strings (the usual join keys) skip its JSON quoting. canonicalKey never starts with 'S'. */
const keyOf = (v: unknown): string => (typeof v === 'string' ? `S${v}` : canonicalKey(v));

/** Keys a foreign document is found under by an equality on `path`: each array element and the array itself; missing is null. */
function foreignKeys(doc: unknown, parts: string[], i: number, out: Set<string>): void {
  if (i === parts.length) {
    if (Array.isArray(doc)) for (const e of doc) out.add(keyOf(e));
    out.add(keyOf(doc));
    return;
  }
  if (Array.isArray(doc)) {
    for (const e of doc) if (isDocument(e)) foreignKeys(e, parts, i, out);
    return;
  }
  if (!isDocument(doc)) return void out.add(keyOf(null));
  foreignKeys(doc[parts[i]], parts, i + 1, out);
}

/** The local values a $lookup looks for: array elements (an empty array or a missing field means null). */
function localKeys(v: unknown): string[] {
  if (!Array.isArray(v)) return [keyOf(v)];
  if (v.length === 0) return [keyOf(null)];
  return [...new Set(v.map(keyOf))];
}

function compileLookup(spec: unknown, opts: CompileOptions): StageFn {
  if (!isPlainObject(spec)) throw new Unsupported('$lookup spec');
  const keys = Object.keys(spec).sort().join(',');
  if (keys !== 'as,foreignField,from,localField') throw new Unsupported('$lookup form');
  const { from, localField, foreignField, as } = spec;
  if (typeof from !== 'string' || typeof localField !== 'string' || typeof foreignField !== 'string' || typeof as !== 'string') throw new Unsupported('$lookup fields');
  if (as === '' || as.includes('.') || as.startsWith('$') || localField === '' || foreignField === '' || foreignField.startsWith('$')) throw new Unsupported('$lookup paths');
  const local = pathGetter(localField);
  const foreignParts = foreignField.split('.');
  return (docs) => {
    if (docs.length === 0) return docs;
    // String keys (ids) looked up one by one through the foreign field's index, as a real server
    // does: hashing the whole foreign collection cost more than the rest of the pipeline.
    const probe = docs.every((doc) => typeof local(doc) === 'string') ? opts.indexedEqual?.(from, foreignField) : undefined;
    if (probe) {
      return docs.map((doc) => {
        const out = { ...doc };
        out[as] = probe(local(doc) as string);
        return out;
      });
    }
    const foreign = opts.resolve(from);
    // String join keys (the usual case) index by the string itself: building prefixed keys for
    // 300,000 foreign documents cost more than the rest of the join.
    const byString = new Map<string, number[]>();
    const byKey = new Map<string, number[]>();
    const add = (map: Map<string, number[]>, k: string, i: number) => {
      const list = map.get(k);
      if (list) list.push(i);
      else map.set(k, [i]);
    };
    const keysOf = new Set<string>();
    for (let i = 0; i < foreign.length; i++) {
      const top = foreignParts.length === 1 ? foreign[i][foreignField] : undefined;
      if (typeof top === 'string') {
        add(byString, top, i);
        continue;
      }
      keysOf.clear();
      foreignKeys(foreign[i], foreignParts, 0, keysOf);
      for (const k of keysOf) {
        if (k.startsWith('S')) add(byString, k.slice(1), i);
        else add(byKey, k, i);
      }
    }
    const find = (k: string) => (k.startsWith('S') ? byString.get(k.slice(1)) : byKey.get(k)) ?? [];
    return docs.map((doc) => {
      const v = local(doc);
      let hits: number[];
      if (typeof v === 'string') hits = byString.get(v) ?? [];
      else {
        const ks = localKeys(v);
        hits = ks.length === 1 ? find(ks[0]) : [...new Set(ks.flatMap(find))].sort((a, b) => a - b);
      }
      const out = { ...doc };
      out[as] = hits.map((i) => foreign[i]);
      return out;
    });
  };
}

function compileReplaceRoot(expr: unknown): StageFn {
  return perDocument((scope) => {
    const fn = compileExpression(expr, scope);
    return (doc, env) => {
      const v = fn(doc, env);
      if (!isDocument(v)) fail(`'newRoot' expression must evaluate to an object, but resulting value was: ${JSON.stringify(v ?? 'MISSING')}`);
      return v as Document;
    };
  });
}

function compileFacet(spec: unknown, opts: CompileOptions): StageFn {
  if (!isPlainObject(spec) || Object.keys(spec).length === 0) throw new Unsupported('$facet spec');
  const facets = Object.entries(spec).map(([name, sub]) => {
    if (!Array.isArray(sub) || name.startsWith('$') || name.includes('.')) throw new Unsupported('$facet pipeline');
    return [name, compileStages(sub as Document[], opts)] as const;
  });
  return (docs) => [Object.fromEntries(facets.map(([name, run]) => [name, run(docs)]))];
}

function compileStage(stage: Document, opts: CompileOptions): StageFn {
  if (!isPlainObject(stage) || Object.keys(stage).length !== 1) throw new Unsupported('stage shape');
  const [op] = Object.keys(stage);
  const spec = stage[op] as unknown;
  switch (op) {
    case '$match':
      return compileMatch(spec);
    case '$project':
      return perDocument((scope) => compileProject(spec, scope));
    case '$addFields':
    case '$set':
      return perDocument((scope) => compileAddFields(spec, scope));
    case '$unset':
      return perDocument(() => compileUnset(spec));
    case '$group':
      return compileGroup(spec);
    case '$sort':
      return compileSort(spec);
    case '$limit': {
      const n = positiveInt(spec, false);
      return (docs) => docs.slice(0, n);
    }
    case '$skip': {
      const n = positiveInt(spec, true);
      return (docs) => docs.slice(n);
    }
    case '$count':
      return compileCount(spec);
    case '$unwind':
      return compileUnwind(spec);
    case '$lookup':
      return compileLookup(spec, opts);
    case '$replaceRoot':
      if (!isPlainObject(spec) || Object.keys(spec).join() !== 'newRoot') throw new Unsupported('$replaceRoot spec');
      return compileReplaceRoot(spec.newRoot);
    case '$replaceWith':
      return compileReplaceRoot(spec);
    case '$facet':
      return compileFacet(spec, opts);
    case '$sortByCount': {
      if (!(typeof spec === 'string' && spec.startsWith('$')) && !(isPlainObject(spec) && Object.keys(spec)[0]?.startsWith('$'))) throw new Unsupported('$sortByCount spec');
      const group = compileGroup({ _id: spec, count: { $sum: 1 } });
      const sort = compileSort({ count: -1 });
      return (docs) => sort(group(docs));
    }
    default:
      throw new Unsupported(`stage ${op}`);
  }
}

/** The whole pipeline as one function; throws Unsupported when any part of it is outside the compiled subset. */
export function compileStages(pipeline: Document[], opts: CompileOptions): StageFn {
  const stages = pipeline.map((s) => compileStage(s, opts));
  return (docs) => stages.reduce((acc, run) => run(acc), docs);
}
