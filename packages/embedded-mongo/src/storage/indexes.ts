import type { Document } from 'bson';
import { Query } from 'mingo';
import type { IndexSpec } from './mutation';
import { firstNotBefore, firstOfRank, OrderedGroups, withPending } from './ordered';
import { canonicalKey, compareValues, pathValues, toQueryForm, typeRank } from './values';

/** All documents that share one value of an index's first field (or one full compound key). */
interface Group {
  v: unknown;
  /** One key is stored bare: most groups of unique-ish fields hold a single document. */
  keys: string | Set<string>;
}

function addKey(g: Group, k: string): void {
  if (typeof g.keys === 'string') {
    if (g.keys !== k) g.keys = new Set([g.keys, k]);
  } else g.keys.add(k);
}

function removeKey(g: Group, k: string): boolean {
  if (typeof g.keys === 'string') {
    if (g.keys !== k) return false;
    g.keys = new Set();
    return true;
  }
  return g.keys.delete(k);
}

function groupSize(g: Group): number {
  return typeof g.keys === 'string' ? 1 : g.keys.size;
}

export function* groupKeys(g: Group): Iterable<string> {
  if (typeof g.keys === 'string') yield g.keys;
  else yield* g.keys;
}

export interface RangeBound {
  value: unknown;
  inclusive: boolean;
}

export interface IndexKeys {
  /** Distinct values of the first field (multikey: one per array element). */
  first: unknown[];
  /** Distinct full keys: canonical string plus the field values, for unique checks. */
  full: { key: string; values: unknown[] }[];
}

/**
 * A secondary (or the `_id`) index: a hash map for equality/$in on the first field, a hash map of
 * full compound keys for uniqueness, and a lazily sorted array of the first field's distinct
 * values for range predicates.
 */
export class Index {
  readonly fields: string[];
  private readonly partial: Query | null;
  private readonly byFirst = new Map<string, Group>();
  /**
   * Full compound keys, which only unique checks read: none for a non-unique compound index, where
   * it held a key string, a group and a values array per document for nothing.
   */
  private readonly byFull: Map<string, Group> | null;
  private sorted: Group[] | null = null;
  private pending: Group[] = [];
  private dead = 0;
  /** Compound indexes: per first-field value, the documents in second-field order. */
  private readonly bySecond: Map<string, OrderedGroups> | null;
  /**
   * Set for good once some document has other than exactly one second-field value (an array or
   * an empty array): walking the second level would then not reproduce MongoDB's sort order.
   */
  private secondMultikey = false;

  constructor(readonly spec: IndexSpec) {
    this.fields = Object.keys(spec.key);
    this.partial = spec.partialFilterExpression ? new Query(toQueryForm(spec.partialFilterExpression)) : null;
    this.byFull = this.fields.length === 1 ? this.byFirst : this.unique ? new Map() : null;
    this.bySecond = this.fields.length === 1 ? null : new Map();
  }

  get name(): string {
    return this.spec.name;
  }

  get unique(): boolean {
    return this.spec.unique === true;
  }

  /** Whether the planner may use this index to answer a predicate on its first field. */
  get usableForPlanning(): boolean {
    return !this.partial && !Object.values(this.spec.key).some((v) => v === 'text' || v === '2d' || v === '2dsphere');
  }

  get sparse(): boolean {
    return this.spec.sparse === true;
  }

  /** Keys of `doc` in this index, or null when the document is not in it (sparse / partial). */
  keysOf(doc: Document, queryForm: Document): IndexKeys | null {
    if (this.partial && !this.partial.test(queryForm)) return null;
    const raw = this.fields.map((f) => pathValues(doc, f));
    if (this.sparse && raw.every((vals) => vals.length === 1 && vals[0] === undefined)) return null;
    const perField = raw.map(dedupe);
    const first = perField[0];
    if (this.fields.length === 1) {
      return { first, full: first.map((v) => ({ key: canonicalKey(v), values: [v] })) };
    }
    const full: IndexKeys['full'] = [];
    const combos = cartesian(perField);
    for (const values of combos) full.push({ key: values.map(canonicalKey).join('\u0000'), values });
    return { first, full };
  }

  add(docKey: string, keys: IndexKeys | null): void {
    if (!keys) return;
    for (const v of keys.first) {
      let ck = canonicalKey(v);
      // In the _id index the key is the document's own key: hold that string, not a copy of it.
      if (ck === docKey) ck = docKey;
      let g = this.byFirst.get(ck);
      if (!g) {
        g = { v, keys: docKey };
        this.byFirst.set(ck, g);
        if (this.sorted) this.pending.push(g);
      } else addKey(g, docKey);
    }
    if (this.byFull && this.byFull !== this.byFirst) {
      for (const f of keys.full) {
        const g = this.byFull.get(f.key);
        if (!g) this.byFull.set(f.key, { v: f.values, keys: docKey });
        else addKey(g, docKey);
      }
    }
    if (this.bySecond) {
      if (!this.secondMultikey && new Set(keys.full.map((f) => canonicalKey(f.values[1]))).size !== 1) this.secondMultikey = true;
      for (const f of keys.full) {
        const ck = canonicalKey(f.values[0]);
        let o = this.bySecond.get(ck);
        if (!o) this.bySecond.set(ck, (o = new OrderedGroups()));
        o.add(f.values[1], docKey);
      }
    }
  }

  remove(docKey: string, keys: IndexKeys | null): void {
    if (!keys) return;
    for (const v of keys.first) {
      const ck = canonicalKey(v);
      const g = this.byFirst.get(ck);
      if (g && removeKey(g, docKey) && groupSize(g) === 0) {
        this.byFirst.delete(ck);
        this.dead++;
      }
    }
    if (this.byFull && this.byFull !== this.byFirst) {
      for (const f of keys.full) {
        const g = this.byFull.get(f.key);
        if (g && removeKey(g, docKey) && groupSize(g) === 0) this.byFull.delete(f.key);
      }
    }
    if (this.bySecond) {
      for (const f of keys.full) {
        const ck = canonicalKey(f.values[0]);
        const o = this.bySecond.get(ck);
        if (!o) continue;
        o.remove(f.values[1], docKey);
        if (o.size === 0) this.bySecond.delete(ck);
      }
    }
  }

  /**
   * Documents whose first field equals `first`, in the order of the second field (optionally
   * restricted to a range of it), or undefined when this index cannot give that order.
   */
  ordered(first: unknown, direction: number, lower?: RangeBound, upper?: RangeBound): Iterable<string> | undefined {
    if (!this.bySecond || this.secondMultikey) return undefined;
    return this.bySecond.get(canonicalKey(first))?.walk(direction, lower, upper) ?? [];
  }

  /** Documents (other than `selfKey`) holding any of the given full keys, for unique checks (unique indexes only). */
  *holders(full: IndexKeys['full'], selfKey: string): Iterable<{ values: unknown[]; docKey: string }> {
    if (!this.byFull) throw new Error(`index ${this.name} is not unique: it keeps no full keys to check`);
    for (const f of full) {
      const g = this.byFull.get(f.key);
      if (!g) continue;
      for (const k of groupKeys(g)) if (k !== selfKey) yield { values: f.values, docKey: k };
    }
  }

  /** Documents whose first field equals `value` (after multikey expansion). */
  equal(value: unknown): Iterable<string> {
    const g = this.byFirst.get(canonicalKey(value));
    return g ? groupKeys(g) : [];
  }

  /** How many documents hold `value` in their first field (each once, whatever its array holds). */
  countEqual(value: unknown): number {
    const g = this.byFirst.get(canonicalKey(value));
    return g ? groupSize(g) : 0;
  }

  /**
   * Documents whose first field lies in the range. Like MongoDB, a bound only matches values
   * of its own type class ($gt: 5 never returns strings).
   */
  *range(lower: RangeBound | undefined, upper: RangeBound | undefined): Iterable<string> {
    const sorted = this.ensureSorted();
    const rank = typeRank((lower ?? upper)!.value);
    let lo = 0;
    if (lower) {
      lo = firstNotBefore(sorted, lower.value);
    } else {
      lo = firstOfRank(sorted, rank);
    }
    for (let i = lo; i < sorted.length; i++) {
      const g = sorted[i];
      if (typeRank(g.v) !== rank) {
        if (typeRank(g.v) > rank) break;
        continue;
      }
      if (lower && !lower.inclusive && compareValues(g.v, lower.value) === 0) continue;
      if (upper) {
        const c = compareValues(g.v, upper.value);
        if (c > 0 || (c === 0 && !upper.inclusive)) break;
      }
      if (this.byFirst.get(canonicalKey(g.v)) !== g) continue;
      yield* groupKeys(g);
    }
  }

  /** Distinct first-field values in ascending order (used for sorted scans). */
  *ascending(): Iterable<string> {
    for (const g of this.ensureSorted()) {
      if (this.byFirst.get(canonicalKey(g.v)) !== g) continue;
      yield* groupKeys(g);
    }
  }

  *descending(): Iterable<string> {
    const sorted = this.ensureSorted();
    for (let i = sorted.length - 1; i >= 0; i--) {
      const g = sorted[i];
      if (this.byFirst.get(canonicalKey(g.v)) !== g) continue;
      yield* groupKeys(g);
    }
  }

  get distinctValues(): number {
    return this.byFirst.size;
  }

  private ensureSorted(): Group[] {
    if (!this.sorted || this.dead > this.byFirst.size) {
      this.sorted = [...this.byFirst.values()].sort((a, b) => compareValues(a.v, b.v));
      this.pending = [];
      this.dead = 0;
      return this.sorted;
    }
    if (this.pending.length) {
      this.sorted = withPending(this.sorted, this.pending);
      this.pending = [];
    }
    return this.sorted;
  }
}

function dedupe(values: unknown[]): unknown[] {
  if (values.length < 2) return values.map((v) => (v === undefined ? null : v));
  const seen = new Map<string, unknown>();
  for (const v of values) {
    const k = canonicalKey(v);
    if (!seen.has(k)) seen.set(k, v === undefined ? null : v);
  }
  return [...seen.values()];
}

function cartesian(lists: unknown[][]): unknown[][] {
  let acc: unknown[][] = [[]];
  for (const list of lists) {
    const next: unknown[][] = [];
    for (const prefix of acc) for (const v of list) next.push([...prefix, v]);
    acc = next;
  }
  return acc;
}

export function defaultIndexName(key: Record<string, unknown>): string {
  return Object.entries(key)
    .map(([k, v]) => `${k}_${String(v)}`)
    .join('_');
}
