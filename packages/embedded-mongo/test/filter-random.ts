import { ObjectId, type Document } from 'bson';
import type { Rng } from './aggregation-random';

/**
 * Seeded generators for the differential filter test: documents with nulls, missing fields,
 * mixed types, dates, ObjectIds and arrays of documents, and filters drawn from the compiled
 * subset. Dates and ObjectIds come from small pools so that equality and ranges hit.
 */

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

const IDS = Array.from({ length: 6 }, (_, i) => new ObjectId((0x65000000 + i * 7).toString(16).padStart(8, '0') + '0000000000000000'));
const DATES = Array.from({ length: 6 }, (_, i) => new Date(Date.UTC(2020 + i, i, 1 + i)));
const STRINGS = ['x', 'y', 'X', 'ab', 'abc', ''];
const REGIONS = ['R1', 'R2', 'R3'];

/** A fresh copy of a pooled ObjectId: the compiled filter must compare ids by value, not identity. */
const oid = (rng: Rng) => new ObjectId(pick(rng, IDS).toHexString());
const date = (rng: Rng) => new Date(pick(rng, DATES).getTime());

function scalar(rng: Rng): unknown {
  const r = rng();
  if (r < 0.3) return int(rng, -2, 9) / (rng() < 0.2 ? 2 : 1);
  if (r < 0.5) return pick(rng, STRINGS);
  if (r < 0.6) return null;
  if (r < 0.7) return rng() < 0.5;
  if (r < 0.8) return date(rng);
  if (r < 0.9) return oid(rng);
  return int(rng, 0, 3);
}

/** Every element is a document holding every field filters reach through the array (see the header). */
function item(rng: Rng): Document {
  const it: Document = { k: rng() < 0.1 ? null : pick(rng, ['k1', 'k2', 'k3']), v: rng() < 0.15 ? pick(rng, [null, 'v']) : int(rng, 0, 9) };
  if (rng() < 0.4) it.t = Array.from({ length: int(rng, 0, 3) }, () => int(rng, 0, 5));
  it.sub = { z: int(rng, 0, 3) };
  return it;
}

function period(rng: Rng): Document {
  const from = date(rng);
  const p: Document = { from, region: pick(rng, REGIONS), to: rng() < 0.4 ? null : new Date(from.getTime() + int(rng, 1, 800) * 86_400_000) };
  if (rng() < 0.3) p.managerial = rng() < 0.5;
  return p;
}

export function randomFilterDocs(rng: Rng, n: number): Document[] {
  const docs: Document[] = [];
  for (let i = 0; i < n; i++) {
    const doc: Document = { _id: rng() < 0.7 ? new ObjectId() : i };
    const r = rng();
    if (r < 0.55) doc.a = scalar(rng);
    else if (r < 0.8) doc.a = Array.from({ length: int(rng, 0, 3) }, () => scalar(rng));
    if (rng() < 0.8) doc.s = rng() < 0.15 ? null : rng() < 0.2 ? [pick(rng, STRINGS), pick(rng, STRINGS)] : pick(rng, STRINGS);
    if (rng() < 0.75) doc.d = rng() < 0.15 ? null : date(rng);
    if (rng() < 0.6) doc.o = rng() < 0.1 ? null : oid(rng);
    const rn = rng();
    if (rn < 0.5) doc.n = rng() < 0.3 ? { y: pick(rng, ['p', 'q']) } : { x: int(rng, 0, 5), y: pick(rng, ['p', 'q']) };
    else if (rn < 0.6) doc.n = null;
    else if (rn < 0.7) doc.n = 4;
    if (rng() < 0.8) doc.items = Array.from({ length: int(rng, 0, 3) }, () => item(rng));
    if (rng() < 0.6) doc.periods = Array.from({ length: int(rng, 1, 3) }, () => period(rng));
    if (rng() < 0.5) doc.g = pick(rng, ['FEMALE', 'MALE']);
    docs.push(doc);
  }
  return docs;
}

/**
 * How a path meets arrays decides which operators mingo gets right there: `top` paths cross no
 * array before their last step, `leafArray` ones end on an array of documents, `traversed` ones
 * walk through such an array, `numeric` ones index into one.
 */
type PathKind = 'top' | 'leafArray' | 'traversed' | 'numeric';
const PATHS: Record<string, PathKind> = {
  a: 'top',
  s: 'top',
  d: 'top',
  o: 'top',
  _id: 'top',
  n: 'top',
  'n.x': 'top',
  'n.y': 'top',
  g: 'top',
  missing: 'top',
  'missing.deep': 'top',
  items: 'leafArray',
  periods: 'leafArray',
  'items.k': 'traversed',
  'items.v': 'traversed',
  'items.sub.z': 'traversed',
  'periods.region': 'traversed',
  'periods.to': 'traversed',
  'items.0.k': 'numeric',
  'a.0': 'numeric',
};
const ELEMENT_PATHS: Record<string, PathKind> = { k: 'top', v: 'top', t: 'top', 'sub.z': 'top', region: 'top', to: 'top', from: 'top', managerial: 'top' };

/** A value of the type a path usually holds, or something else now and then. */
function valueFor(rng: Rng, path: string): unknown {
  if (rng() < 0.15) return scalar(rng);
  if (path === 'd' || path.endsWith('.to') || path.endsWith('from')) return date(rng);
  if (path === 'o' || path === '_id') return oid(rng);
  if (path === 's' || path === 'g') return pick(rng, [...STRINGS, 'FEMALE']);
  if (path.endsWith('.k') || path === 'items.0.k') return pick(rng, ['k1', 'k2', 'k3']);
  if (path.endsWith('region')) return pick(rng, REGIONS);
  if (path === 'n') return pick(rng, [{ x: 1, y: 'p' }, { y: 'q' }, 4]);
  if (path === 't' || path === 'items') return pick(rng, [[1, 2], [], 3]);
  return int(rng, -1, 9);
}

function operatorCondition(rng: Rng, path: string, kind: PathKind, depth: number): Document {
  const nullable = kind === 'top' || kind === 'leafArray';
  const v = () => {
    for (;;) {
      const x = valueFor(rng, path);
      if (x !== null || nullable) return x;
    }
  };
  const nul = () => (nullable && rng() < 0.3 ? null : v());
  const r = rng();
  if (r < 0.12) return { $eq: v() };
  if (r < 0.22) return { $ne: nul() };
  if (r < 0.42) {
    const ops = ['$gt', '$gte', '$lt', '$lte'];
    const out: Document = { [pick(rng, ops)]: v() };
    if (rng() < 0.4) out[pick(rng, ops)] = v();
    return out;
  }
  const scalars = () => {
    for (;;) {
      const x = nul();
      if (!Array.isArray(x)) return x;
    }
  };
  if (r < 0.52) return { $in: Array.from({ length: int(rng, 1, 4) }, scalars) };
  if (r < 0.58) return { $nin: Array.from({ length: int(rng, 1, 3) }, scalars) };
  if (r < 0.66) return { $exists: rng() < 0.5 };
  if (r < 0.78) return { $regex: pick(rng, ['^a', 'b', '^x$', 'Y', '^k']), ...(rng() < 0.4 ? { $options: 'i' } : {}) };
  if (r < 0.86 && depth < 2) return { $not: operatorCondition(rng, path, kind, depth + 1) };
  // mingo treats the values collected through an array as an array of their own.
  if (kind === 'traversed' || kind === 'numeric' || depth >= 2) return { $gte: v() };
  if (r < 0.9) return { $size: int(rng, 0, 3) };
  // mingo tests a scalar element against a sub-filter as if it were the document (see the hand tests).
  if (kind !== 'leafArray' || rng() < 0.5) return { $elemMatch: operatorCondition(rng, '', 'top', depth + 1) };
  return { $elemMatch: randomFilter(rng, depth + 1, ELEMENT_PATHS) };
}

/** One filter: field conditions and logical operators, nested up to depth 2. */
export function randomFilter(rng: Rng, depth = 0, paths: Record<string, PathKind> = PATHS): Document {
  const filter: Document = {};
  const names = Object.keys(paths);
  const n = int(rng, 1, 2);
  for (let i = 0; i < n; i++) {
    const r = rng();
    if (r < 0.15 && depth < 2) {
      const op = pick(rng, ['$and', '$or', '$nor']);
      filter[op] = Array.from({ length: int(rng, 1, 3) }, () => randomFilter(rng, depth + 1, paths));
      continue;
    }
    const path = pick(rng, names);
    const kind = paths[path];
    const c = rng();
    if (c < 0.3) {
      const x = valueFor(rng, path);
      filter[path] = x === null && kind !== 'top' && kind !== 'leafArray' ? 1 : x;
    } else if (c < 0.35) filter[path] = new RegExp(pick(rng, ['^k', '1$', 'x']));
    else filter[path] = operatorCondition(rng, path, kind, depth);
  }
  return filter;
}
