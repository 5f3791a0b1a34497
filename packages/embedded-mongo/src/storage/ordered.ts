import type { RangeBound } from './indexes';
import { canonicalKey, compareValues, typeRank } from './values';

interface Slot {
  v: unknown;
  /** A single key is kept bare: most values of an `_id`-like second field hold one document. */
  keys: string | Set<string>;
}

/**
 * Documents grouped by one value, walkable in value order. A compound index keeps one of these
 * per value of its first field, keyed by the second field, so that "equality on the first field,
 * range/sort on the second" reads only as many entries as the query returns.
 *
 * The sorted array is rebuilt lazily: new slots wait in `pending` and are merged on the next
 * walk, emptied slots stay until they outnumber live ones (walks skip them by identity).
 */
export class OrderedGroups {
  private readonly byValue = new Map<string, Slot>();
  private sorted: Slot[] | null = null;
  private pending: Slot[] = [];
  private dead = 0;

  get size(): number {
    return this.byValue.size;
  }

  add(v: unknown, docKey: string): void {
    const ck = canonicalKey(v);
    const s = this.byValue.get(ck);
    if (!s) {
      const slot: Slot = { v, keys: docKey };
      this.byValue.set(ck, slot);
      if (this.sorted) this.pending.push(slot);
    } else if (typeof s.keys === 'string') {
      if (s.keys !== docKey) s.keys = new Set([s.keys, docKey]);
    } else s.keys.add(docKey);
  }

  remove(v: unknown, docKey: string): void {
    const ck = canonicalKey(v);
    const s = this.byValue.get(ck);
    if (!s) return;
    if (typeof s.keys === 'string') {
      if (s.keys !== docKey) return;
      s.keys = new Set();
    } else if (!s.keys.delete(docKey)) return;
    if (s.keys.size === 0) {
      this.byValue.delete(ck);
      this.dead++;
    }
  }

  /**
   * Keys in value order (direction 1 or -1), restricted to a range when bounds are given. As in
   * `Index.range`, a bound only matches values of its own type class.
   */
  *walk(direction: number, lower?: RangeBound, upper?: RangeBound): Iterable<string> {
    const sorted = this.ensureSorted();
    const bound = lower ?? upper;
    const rank = bound ? typeRank(bound.value) : -1;
    const inside = (s: Slot): number => {
      // -1: before the range, 0: inside, 1: after it (in ascending order).
      if (bound) {
        const r = typeRank(s.v);
        if (r !== rank) return r < rank ? -1 : 1;
      }
      if (lower) {
        const c = compareValues(s.v, lower.value);
        if (c < 0 || (c === 0 && !lower.inclusive)) return -1;
      }
      if (upper) {
        const c = compareValues(s.v, upper.value);
        if (c > 0 || (c === 0 && !upper.inclusive)) return 1;
      }
      return 0;
    };
    if (direction > 0) {
      const start = lower ? firstNotBefore(sorted, lower.value) : bound ? firstOfRank(sorted, rank) : 0;
      for (let i = start; i < sorted.length; i++) {
        const where = inside(sorted[i]);
        if (where > 0) break;
        if (where === 0) yield* this.live(sorted[i]);
      }
    } else {
      for (let i = sorted.length - 1; i >= 0; i--) {
        const where = inside(sorted[i]);
        if (where < 0) break;
        if (where === 0) yield* this.live(sorted[i]);
      }
    }
  }

  private *live(s: Slot): Iterable<string> {
    if (this.byValue.get(canonicalKey(s.v)) !== s) return;
    if (typeof s.keys === 'string') yield s.keys;
    else yield* [...s.keys];
  }

  private ensureSorted(): Slot[] {
    if (!this.sorted || this.dead > this.byValue.size) {
      this.sorted = [...this.byValue.values()].sort((a, b) => compareValues(a.v, b.v));
      this.pending = [];
      this.dead = 0;
    } else if (this.pending.length) {
      this.sorted = withPending(this.sorted, this.pending);
      this.pending = [];
    }
    return this.sorted;
  }
}

/** Index of the first entry whose value is not below `value` (entries sorted by `v`). */
export function firstNotBefore<T extends { v: unknown }>(sorted: readonly T[], value: unknown): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareValues(sorted[mid].v, value) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first entry whose value's BSON type ranks at or after `rank`. */
export function firstOfRank<T extends { v: unknown }>(sorted: readonly T[], rank: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (typeRank(sorted[mid].v) < rank) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * `sorted` with the new entries `add` (in any order) in their places. Entries that all sort after
 * the last one, as ascending keys do (sequence numbers, dates, ObjectIds: an audit log, a change
 * feed), are appended in place: merging them cost a comparison per entry already there, for every
 * write read back in order, which made an append-only collection quadratic. Few others are spliced
 * in place, many are merged into a new array.
 */
export function withPending<T extends { v: unknown }>(sorted: T[], add: T[]): T[] {
  if (add.length === 0) return sorted;
  add.sort((a, b) => compareValues(a.v, b.v));
  if (sorted.length === 0 || compareValues(sorted[sorted.length - 1].v, add[0].v) < 0) {
    for (const entry of add) sorted.push(entry);
    return sorted;
  }
  if (add.length < 64) {
    for (const entry of add) sorted.splice(firstNotBefore(sorted, entry.v), 0, entry);
    return sorted;
  }
  return mergeSorted(sorted, add);
}

/** Merges two lists sorted by `v` into one. */
export function mergeSorted<T extends { v: unknown }>(a: readonly T[], b: readonly T[]): T[] {
  const out = new Array<T>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = compareValues(a[i].v, b[j].v) <= 0 ? a[i++] : b[j++];
  while (i < a.length) out[k++] = a[i++];
  while (j < b.length) out[k++] = b[j++];
  return out;
}
