import type { Document } from 'bson';
import { compileFilter, parseSort, sortValue } from '../storage/query';
import { canonicalKey, compareValues, isPlainObject } from '../storage/values';
import './array-operators';
import { compileExpression, fail, pathGetter, Scope, truthy, Unsupported } from './expression';
import { compileGroup, type GroupSink } from './group';
import './operators';
import { compileAddFields, compileProject, compileUnset, isDocument, type DocFn } from './project';

/** One compiled stage: documents in, documents out; it never changes the documents it is given. */
export type StageFn = (docs: Document[]) => Document[];

/** A stage applied to one document: its output, or undefined when the document is dropped. */
type RowFn = (doc: Document) => Document | undefined;

/**
 * A compiled stage, with its one-document form when it has one (`row`, made once per run) and,
 * for $group, its one-document input (`sink`). Consecutive one-document stages run fused, each
 * document through all of them before the next (a real server streams the same way): the
 * intermediate documents die young instead of living as arrays of every document between
 * stages, which in a server holding millions of documents cost more in garbage collection than
 * the stages themselves.
 */
type Compiled = StageFn & { row?: () => RowFn; sink?: () => GroupSink };

export interface CompileOptions {
  /** The documents of another collection (in query form), for $lookup. */
  resolve(collection: string): Document[];
  /**
   * The documents of `collection` whose `field` equals a string, through an index on that field;
   * undefined when no such index can answer (none, or a transaction's own changes to consider).
   */
  indexedEqual?(collection: string, field: string): ((value: string) => Document[]) | undefined;
}

/** A stage defined by its one-document form; the array form applies it to each document. */
function rowStage(row: () => RowFn): Compiled {
  const run = (docs: Document[]) => {
    const fn = row();
    const out: Document[] = [];
    for (const doc of docs) {
      const next = fn(doc);
      if (next !== undefined) out.push(next);
    }
    return out;
  };
  return Object.assign(run, { row });
}

function perDocument(build: (scope: Scope) => DocFn): Compiled {
  const scope = new Scope();
  const fn = build(scope);
  return rowStage(() => {
    const env = new Array<unknown>(scope.slots.n);
    return (doc) => fn(doc, env);
  });
}

function compileMatch(spec: unknown): Compiled {
  if (!isPlainObject(spec)) throw new Unsupported('$match spec');
  const keys = Object.keys(spec);
  if (keys.length === 1 && keys[0] === '$expr') {
    const scope = new Scope();
    const test = compileExpression(spec.$expr, scope);
    return rowStage(() => {
      const env = new Array<unknown>(scope.slots.n);
      return (doc) => (truthy(test(doc, env)) ? doc : undefined);
    });
  }
  let query;
  try {
    query = compileFilter(spec);
  } catch {
    throw new Unsupported('$match filter');
  }
  return rowStage(() => (doc) => (query.test(doc) ? doc : undefined));
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

function compileLookup(spec: unknown, opts: CompileOptions): Compiled {
  if (!isPlainObject(spec)) throw new Unsupported('$lookup spec');
  const keys = Object.keys(spec).sort().join(',');
  if (keys !== 'as,foreignField,from,localField') throw new Unsupported('$lookup form');
  const { from, localField, foreignField, as } = spec;
  if (typeof from !== 'string' || typeof localField !== 'string' || typeof foreignField !== 'string' || typeof as !== 'string') throw new Unsupported('$lookup fields');
  if (as === '' || as.includes('.') || as.startsWith('$') || localField === '' || foreignField === '' || foreignField.startsWith('$')) throw new Unsupported('$lookup paths');
  const local = pathGetter(localField);
  const foreignParts = foreignField.split('.');
  /** Every foreign document hashed by its join keys: for keys no index can answer. */
  const hashJoin = () => {
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
    return (v: unknown): Document[] => {
      let hits: number[];
      if (typeof v === 'string') hits = byString.get(v) ?? [];
      else {
        const ks = localKeys(v);
        hits = ks.length === 1 ? find(ks[0]) : [...new Set(ks.flatMap(find))].sort((a, b) => a - b);
      }
      return hits.map((i) => foreign[i]);
    };
  };
  return rowStage(() => {
    // String keys (ids) are looked up one by one through the foreign field's index, as a real
    // server does: hashing the whole foreign collection cost more than the rest of the pipeline.
    const probe = opts.indexedEqual?.(from, foreignField);
    let hashed: ((v: unknown) => Document[]) | undefined;
    return (doc) => {
      const v = local(doc);
      const out = { ...doc };
      out[as] = typeof v === 'string' && probe ? probe(v) : (hashed ??= hashJoin())(v);
      return out;
    };
  });
}

function compileReplaceRoot(expr: unknown): Compiled {
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

function compileStage(stage: Document, opts: CompileOptions): Compiled {
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

/** Consecutive one-document stages as one pass, feeding a following $group directly when there is one. */
function fuse(rows: Compiled[], group: Compiled | undefined): StageFn {
  return (docs) => {
    const fns = rows.map((stage) => stage.row!());
    const sink = group?.sink?.();
    const out: Document[] = [];
    next: for (const doc of docs) {
      let d: Document | undefined = doc;
      for (const fn of fns) {
        d = fn(d);
        if (d === undefined) continue next;
      }
      if (sink) sink.add(d);
      else out.push(d);
    }
    return sink ? sink.finish() : out;
  };
}

/** The whole pipeline as one function; throws Unsupported when any part of it is outside the compiled subset. */
export function compileStages(pipeline: Document[], opts: CompileOptions): StageFn {
  const stages = pipeline.map((s) => compileStage(s, opts));
  const passes: StageFn[] = [];
  for (let i = 0; i < stages.length; ) {
    if (!stages[i].row) {
      passes.push(stages[i++]);
      continue;
    }
    const rows: Compiled[] = [];
    while (i < stages.length && stages[i].row) rows.push(stages[i++]);
    const group = i < stages.length && stages[i].sink ? stages[i++] : undefined;
    passes.push(fuse(rows, group));
  }
  return (docs) => passes.reduce((acc, run) => run(acc), docs);
}
