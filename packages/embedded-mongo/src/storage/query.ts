import type { Document } from 'bson';
import { Query } from 'mingo';
import type { Entry } from './collection';
import { mongoError } from './errors';
import { compileFastFilter } from './filter';
import type { Index, RangeBound } from './indexes';
import type { Store } from './store';
import { bsonType, canonicalKey, compareValues, isPlainObject, pathValues, toQueryForm, typeRank } from './values';

/** A scan yields to the event loop after this much continuous work, so other connections stay served. */
const SLICE_MS = 8;

export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Call once per document examined; resolves immediately unless the time slice is used up. */
class Slicer {
  private n = 0;
  private started = performance.now();

  /** True when the caller should `await yieldToEventLoop()` now. */
  due(): boolean {
    if ((++this.n & 127) !== 0) return false;
    if (performance.now() - this.started < SLICE_MS) return false;
    this.started = performance.now();
    return true;
  }

  async pause(): Promise<void> {
    await yieldToEventLoop();
    this.started = performance.now();
  }
}

type Predicate = { kind: 'eq'; values: unknown[] } | { kind: 'range'; lower?: RangeBound; upper?: RangeBound };

export interface Plan {
  /** Index used, or undefined for a collection scan. */
  index?: Index;
  predicate?: Predicate;
  /** Index walked in order to produce a sort without sorting (1 ascending, -1 descending). */
  sortedBy?: { index: Index; direction: number };
}

/**
 * A cheap necessary condition derived from the filter's simple top-level predicates. mingo
 * compares ObjectIds through their hex strings on every comparison, so testing `$in` with 100
 * ids against a million documents costs minutes; a canonical-key set lookup costs a second.
 */
export function prefilter(filter: Document): ((doc: Document) => boolean) | undefined {
  const checks: ((doc: Document) => boolean)[] = [];
  for (const [field, cond] of topLevelConditions(filter)) {
    const p = fieldPredicate(cond);
    if (!p) continue;
    if (p.kind === 'eq') {
      const keys = new Set(p.values.map(canonicalKey));
      checks.push((doc) => pathValues(doc, field).some((v) => keys.has(canonicalKey(v))));
    } else {
      const rank = typeRank((p.lower ?? p.upper)!.value);
      checks.push((doc) =>
        pathValues(doc, field).some((v) => {
          if (typeRank(v) !== rank) return false;
          if (p.lower) {
            const c = compareValues(v, p.lower.value);
            if (c < 0 || (c === 0 && !p.lower.inclusive)) return false;
          }
          if (p.upper) {
            const c = compareValues(v, p.upper.value);
            if (c > 0 || (c === 0 && !p.upper.inclusive)) return false;
          }
          return true;
        }),
      );
    }
  }
  if (checks.length === 0) return undefined;
  return (doc) => checks.every((c) => c(doc));
}

/** A value an index lookup can answer exactly like mingo's equality would (as a superset). */
function indexableEquality(v: unknown): boolean {
  if (v === null || v === undefined || v instanceof RegExp || Array.isArray(v)) return false;
  const t = bsonType(v);
  if (t === 'BSONRegExp' || t === 'MinKey' || t === 'MaxKey') return false;
  if (isPlainObject(v)) return !Object.keys(v).some((k) => k.startsWith('$'));
  return true;
}

function indexableBound(v: unknown): boolean {
  return indexableEquality(v) && !isPlainObject(v);
}

/** Turns one field's condition into something an index can answer, if possible. */
function fieldPredicate(cond: unknown): Predicate | undefined {
  if (!isPlainObject(cond) || !Object.keys(cond).some((k) => k.startsWith('$'))) {
    return indexableEquality(cond) ? { kind: 'eq', values: [cond] } : undefined;
  }
  if ('$eq' in cond && indexableEquality(cond.$eq)) return { kind: 'eq', values: [cond.$eq] };
  if ('$in' in cond && Array.isArray(cond.$in) && cond.$in.every(indexableEquality)) return { kind: 'eq', values: cond.$in };
  let lower: RangeBound | undefined;
  let upper: RangeBound | undefined;
  if ('$gt' in cond && indexableBound(cond.$gt)) lower = { value: cond.$gt, inclusive: false };
  if ('$gte' in cond && indexableBound(cond.$gte)) lower = { value: cond.$gte, inclusive: true };
  if ('$lt' in cond && indexableBound(cond.$lt)) upper = { value: cond.$lt, inclusive: false };
  if ('$lte' in cond && indexableBound(cond.$lte)) upper = { value: cond.$lte, inclusive: true };
  if (lower && upper && typeRank(lower.value) !== typeRank(upper.value)) upper = undefined;
  if (lower || upper) return { kind: 'range', lower, upper };
  return undefined;
}

function topLevelConditions(filter: Document, out: [string, unknown][] = []): [string, unknown][] {
  for (const [k, v] of Object.entries(filter)) {
    if (k === '$and' && Array.isArray(v)) {
      for (const sub of v) if (isPlainObject(sub)) topLevelConditions(sub, out);
    } else if (!k.startsWith('$')) out.push([k, v]);
  }
  return out;
}

/** Picks the most selective usable index: equality/$in beats range; unique beats non-unique. */
export function plan(store: Store, filter: Document): Plan {
  const coll = store.coll;
  if (!coll) return {};
  let best: Plan = {};
  let bestScore = 0;
  for (const [field, cond] of topLevelConditions(filter)) {
    const predicate = fieldPredicate(cond);
    if (!predicate) continue;
    for (const idx of coll.indexes.values()) {
      if (idx.fields[0] !== field || !idx.usableForPlanning) continue;
      let score = predicate.kind === 'eq' ? 10 : 5;
      if (idx.unique) score += 2;
      if (idx.fields.length === 1) score += 1;
      if (score > bestScore) {
        bestScore = score;
        best = { index: idx, predicate };
      }
    }
  }
  return best;
}

function* candidateKeys(store: Store, p: Plan): Iterable<string> {
  const { index, predicate } = p;
  if (!index || !predicate) return;
  if (predicate.kind === 'eq') {
    for (const v of predicate.values) yield* index.equal(v);
  } else {
    yield* index.range(predicate.lower, predicate.upper);
  }
  yield* store.extraCandidates();
}

export interface MatchOptions {
  /** Stop after this many matches (only when the caller does not sort). */
  stopAfter?: number;
  /** Wanted order; an index may deliver it (then the result comes back already sorted). */
  sort?: [string, number][];
}

/** An index that yields documents in the order of a single-field sort, when the filter gives no better plan. */
function sortPlan(store: Store, sort: [string, number][] | undefined): Plan['sortedBy'] {
  if (!sort || sort.length !== 1) return undefined;
  const [field, direction] = sort[0];
  for (const idx of store.coll?.indexes.values() ?? []) {
    if (idx.fields[0] === field && idx.usableForPlanning && !idx.sparse) return { index: idx, direction };
  }
  return undefined;
}

/**
 * A compound index walked in second-field order under an equality on its first field: it either
 * delivers the requested sort or, without a sort, narrows the candidates to a range of the second
 * field. Either way a limit stops the walk early instead of reading the whole first-field group.
 */
function orderedWalk(store: Store, filter: Document, sort: [string, number][]): Iterable<string> | undefined {
  const conds = topLevelConditions(filter);
  const eqOn = (field: string): unknown[] | undefined => {
    const values = conds.filter(([f]) => f === field).map(([, c]) => fieldPredicate(c));
    const eq = values.find((p) => p?.kind === 'eq');
    return eq?.kind === 'eq' && eq.values.length === 1 ? eq.values : undefined;
  };
  for (const idx of store.coll?.indexes.values() ?? []) {
    if (idx.fields.length < 2 || !idx.usableForPlanning) continue;
    const first = eqOn(idx.fields[0]);
    if (!first) continue;
    const second = idx.fields[1];
    // Several conditions on the field (e.g. via $and) would need intersecting; leave them to the filter.
    const seconds = conds.filter(([f]) => f === second).map(([, c]) => fieldPredicate(c));
    const range = seconds.length === 1 && seconds[0]?.kind === 'range' ? seconds[0] : undefined;
    // The first field is constant over the walk, so sorting on it first changes nothing.
    const rest = sort.filter(([f]) => f !== idx.fields[0]);
    const serves = rest.length === 1 && rest[0][0] === second;
    if (sort.length > 0 ? !serves : !range) continue;
    const keys = idx.ordered(first[0], serves ? rest[0][1] : 1, range?.lower, range?.upper);
    if (keys) return keys;
  }
  return undefined;
}

/**
 * The number of documents matching a filter of one equality on a string or ObjectId, read from
 * an index led by that field without reading a document (a list's total over a region costs one
 * lookup instead of reading thousands of documents). Undefined when the filter is of another
 * shape, no index leads with the field, or a transaction has changes of its own, which the
 * committed index does not know.
 */
export function countThroughIndex(store: Store, filter: Document): number | undefined {
  const fields = Object.keys(filter);
  if (fields.length !== 1 || fields[0].startsWith('$')) return undefined;
  const field = fields[0];
  let value: unknown = filter[field];
  if (isPlainObject(value)) {
    const ops = Object.keys(value);
    if (ops.length !== 1 || ops[0] !== '$eq') return undefined;
    value = value.$eq;
  }
  // Other values have equality rules of their own (null matches a missing field, numbers of any type, arrays whole or by element).
  if (typeof value !== 'string' && bsonType(value) !== 'ObjectId') return undefined;
  if (!store.coll) return 0;
  return committedIndexLedBy(store, field)?.countEqual(value);
}

/**
 * An index led by `field` that answers for `store`: none when a transaction has changes of its
 * own in the collection, which the committed indexes do not know.
 */
export function committedIndexLedBy(store: Store, field: string): Index | undefined {
  if (!store.extraCandidates()[Symbol.iterator]().next().done) return undefined;
  for (const idx of store.coll?.indexes.values() ?? []) if (idx.fields[0] === field && idx.usableForPlanning) return idx;
  return undefined;
}

/**
 * All visible documents matching `filter`, found through an index when one applies. Scans
 * yield to the event loop every few milliseconds so one long query cannot starve the other
 * connections. Returns `sorted: true` when the documents already come in the requested order.
 */
export async function matchEntries(store: Store, filter: Document, opts: MatchOptions = {}): Promise<Entry[]> {
  return (await matchWithOrder(store, filter, opts)).entries;
}

export async function matchWithOrder(store: Store, filter: Document, opts: MatchOptions = {}): Promise<{ entries: Entry[]; sorted: boolean }> {
  const q = compileFilter(filter);
  // The prefilter only pays off in front of mingo; a compiled filter is already as cheap.
  const pre = q.mingo ? prefilter(filter) : undefined;
  const test = (e: Entry) => (!pre || pre(e.doc)) && q.test(e.q);
  const p = plan(store, filter);
  const out: Entry[] = [];
  const slicer = new Slicer();
  // Index orders ignore transaction-local changes, so only a plain store may rely on them.
  const plain = store.extraCandidates()[Symbol.iterator]().next().done;
  // An equality on a unique index reads at most a few documents already.
  const walk = plain && !(p.index?.unique && p.predicate?.kind === 'eq') ? orderedWalk(store, filter, opts.sort ?? []) : undefined;
  const sortedBy = !walk && !p.index && plain ? sortPlan(store, opts.sort) : undefined;
  const inOrder = !!sortedBy || !!walk;
  const stopAfter = inOrder || !opts.sort?.length ? (opts.stopAfter ?? Infinity) : Infinity;
  if (stopAfter <= 0) return { entries: out, sorted: true };
  if (walk || p.index || sortedBy) {
    const ordered = sortedBy && (sortedBy.direction > 0 ? sortedBy.index.ascending() : sortedBy.index.descending());
    const keys = walk ?? ordered ?? candidateKeys(store, p);
    const seen = new Set<string>();
    for (const key of keys) {
      if (seen.has(key)) continue;
      seen.add(key);
      const e = store.get(key);
      if (e && test(e)) {
        out.push(e);
        if (out.length >= stopAfter) break;
      }
      if (slicer.due()) await slicer.pause();
    }
    return { entries: out, sorted: inOrder };
  }
  for (const [, e] of store.scan()) {
    if (test(e)) {
      out.push(e);
      if (out.length >= stopAfter) break;
    }
    if (slicer.due()) await slicer.pause();
  }
  return { entries: out, sorted: false };
}

/** A compiled filter over query-form documents. */
export interface Matcher {
  test(doc: Document): boolean;
  /** True when the filter is outside the compiled subset and mingo tests every document. */
  readonly mingo: boolean;
}

/**
 * The filter compiled into a JS predicate (filter.ts) when it is in the compiled subset,
 * otherwise mingo's Query, so a filter the compiler does not know behaves exactly as before.
 */
export function compileFilter(filter: Document | undefined): Matcher {
  if (filter !== undefined && filter !== null && !isPlainObject(filter)) throw mongoError('TypeMismatch', 'filter must be an object');
  const qf = toQueryForm(filter ?? {});
  const fast = compileFastFilter(qf);
  if (fast) return { test: fast, mingo: false };
  const q = mingoMatcher(qf);
  return { test: (doc) => q.test(doc), mingo: true };
}

/** mingo's matcher for a query-form filter (the fallback; tests and benches compare against it). */
export function mingoMatcher(queryForm: Document): Query {
  try {
    return new Query(queryForm);
  } catch (err) {
    throw mongoError('BadValue', err instanceof Error ? err.message : String(err));
  }
}

/** The value a document sorts by for one field: arrays sort by their least (asc) or greatest (desc) element. */
export function sortValue(doc: Document, field: string, dir: number): unknown {
  const values = pathValues(doc, field);
  if (values.length === 1) return values[0];
  let best = values[0];
  for (const v of values.slice(1)) {
    const c = compareValues(v, best);
    if ((dir > 0 && c < 0) || (dir < 0 && c > 0)) best = v;
  }
  return best;
}

export function parseSort(sort: unknown): [string, number][] {
  if (sort === undefined || sort === null) return [];
  if (!isPlainObject(sort)) throw mongoError('BadValue', 'sort must be an object');
  return Object.entries(sort).map(([f, d]) => {
    if (isPlainObject(d) && '$meta' in d) throw mongoError('BadValue', `$meta sort is not supported`);
    const n = Number(typeof d === 'object' && d !== null ? String(d) : d);
    if (n !== 1 && n !== -1) throw mongoError('BadValue', `$sort key ordering must be 1 (for ascending) or -1 (for descending)`);
    return [f, n];
  });
}

export function sortEntries(entries: Entry[], sort: [string, number][]): Entry[] {
  const spec = sort.filter(([f]) => f !== '$natural');
  if (spec.length === 0) return entries;
  const keyed = entries.map((e) => ({ e, k: spec.map(([f, d]) => sortValue(e.doc, f, d)) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < spec.length; i++) {
      const c = compareValues(a.k[i], b.k[i]);
      if (c) return c * spec[i][1];
    }
    return 0;
  });
  return keyed.map((x) => x.e);
}

/**
 * A projection of top-level fields only, all included or all excluded (`_id` either way),
 * applied by copying fields in the document's order, as MongoDB returns them; undefined for any
 * other projection. Through mingo every document went through its expression machinery: a third
 * of the evaluation server's CPU for a list page of 50 servants.
 */
export function plainProjector(projection: Document): ((doc: Document) => Document) | undefined {
  let include: boolean | undefined;
  let keepId = true;
  const fields = new Set<string>();
  for (const [field, value] of Object.entries(projection)) {
    if (field.includes('.') || field.startsWith('$')) return undefined;
    const on = value === 1 || value === true ? true : value === 0 || value === false ? false : undefined;
    if (on === undefined) return undefined;
    if (field === '_id') {
      keepId = on;
      continue;
    }
    // Mixed inclusion and exclusion is an error mingo reports.
    if (include !== undefined && include !== on) return undefined;
    include = on;
    fields.add(field);
  }
  // `{ _id: 1 }` keeps only _id; `{ _id: 0 }` drops only it.
  include ??= keepId;
  return (doc) => {
    const out: Document = {};
    for (const field of Object.keys(doc)) {
      const keep = field === '_id' ? keepId : fields.has(field) === include;
      if (keep && doc[field] !== undefined) out[field] = doc[field];
    }
    return out;
  };
}

/** A function applying a find projection to one selected document. */
export function projector(projection: Document | undefined, filter: Document | undefined): ((doc: Document) => Document) | undefined {
  if (!projection || Object.keys(projection).length === 0) return undefined;
  const plain = plainProjector(projection);
  if (plain) return plain;
  const positional = Object.keys(projection).some((k) => k.endsWith('.$'));
  let q: Query;
  try {
    q = new Query(positional ? toQueryForm(filter ?? {}) : {});
    q.find([], projection).all();
  } catch (err) {
    throw mongoError('BadValue', err instanceof Error ? err.message : String(err));
  }
  return (doc) => {
    try {
      const out = (q.find([doc], projection).all()[0] as Document | undefined) ?? doc;
      // mingo appends _id last; MongoDB keeps it first.
      if ('_id' in out && Object.keys(out)[0] !== '_id') {
        const { _id, ...rest } = out;
        return { _id, ...rest };
      }
      return out;
    } catch (err) {
      throw mongoError('BadValue', err instanceof Error ? err.message : String(err));
    }
  };
}

/** Applies a find projection to a few documents at once. */
export function project(docs: Document[], projection: Document | undefined, filter: Document | undefined): Document[] {
  const fn = projector(projection, filter);
  return fn ? docs.map(fn) : docs;
}

/** Matching documents sorted, skipped and limited, as `find` and `findAndModify` select them. */
export async function select(
  store: Store,
  filter: Document,
  opts: { sort?: unknown; skip?: number; limit?: number },
): Promise<Entry[]> {
  const sort = parseSort(opts.sort).filter(([f]) => f !== '$natural');
  const skip = Math.max(0, opts.skip ?? 0);
  const limit = opts.limit && opts.limit > 0 ? opts.limit : Infinity;
  const { entries, sorted } = await matchWithOrder(store, filter, { stopAfter: skip + limit, sort });
  const ordered = sorted ? entries : sortEntries(entries, sort);
  return ordered.slice(skip, limit === Infinity ? undefined : skip + limit);
}
