import type { Document } from 'bson';
import { canonicalKey } from '../src/storage/values';

/**
 * Seeded generators for the differential aggregation test: documents with nulls, missing fields,
 * arrays, dates and embedded documents, and pipelines drawn from the compiled subset. They stay
 * clear of the places where mingo departs from MongoDB on purpose (missing vs null in comparisons,
 * $push of missing values, dotted $addFields into arrays), which the hand-written cases pin down.
 */

export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];
const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1));

export function randomDocs(rng: Rng, n: number): Document[] {
  const docs: Document[] = [];
  for (let i = 0; i < n; i++) {
    const doc: Document = { _id: i, g: pick(rng, ['g1', 'g2', 'g3']), q: int(rng, -5, 20) };
    const r = rng();
    if (r < 0.7) doc.a = int(rng, 0, 50) / (rng() < 0.3 ? 4 : 1);
    else if (r < 0.85) doc.a = null;
    if (rng() < 0.8) doc.b = rng() < 0.15 ? null : pick(rng, ['x', 'y', 'z']);
    if (rng() < 0.8) doc.c = rng() < 0.1 ? null : Array.from({ length: int(rng, 0, 4) }, () => int(rng, 0, 9));
    if (rng() < 0.8) doc.d = rng() < 0.15 ? null : new Date(Date.UTC(int(rng, 2019, 2024), int(rng, 0, 11), int(rng, 1, 28), int(rng, 0, 23)));
    if (rng() < 0.7) doc.n = rng() < 0.2 ? { y: pick(rng, ['p', 'q']) } : { x: int(rng, 0, 9), y: pick(rng, ['p', 'q']) };
    if (rng() < 0.8) doc.items = Array.from({ length: int(rng, 0, 3) }, () => ({ k: pick(rng, ['k1', 'k2']), v: int(rng, 0, 9), ...(rng() < 0.3 ? { w: null } : {}) }));
    docs.push(doc);
  }
  return docs;
}

/** A second collection for $lookup: several rows per `_id` of the main one, some with no partner. */
export function randomOthers(rng: Rng, n: number, ids: number): Document[] {
  return Array.from({ length: n }, (_, i) => ({ _id: 1000 + i, ref: rng() < 0.1 ? null : int(rng, 0, ids + 5), status: pick(rng, ['OK', 'NO']), h: int(rng, 0, 8) }));
}

// mingo's date operators throw on null and missing, where MongoDB returns null.
const DATE_OR_DEFAULT = { $ifNull: ['$d', new Date(Date.UTC(2020, 1, 29))] };

function num(rng: Rng, depth: number): unknown {
  if (depth <= 0) return pick(rng, ['$q', int(rng, -3, 10), '$q', '$n.x']);
  const d = depth - 1;
  switch (int(rng, 0, 13)) {
    case 0:
      return { $add: [num(rng, d), num(rng, d)] };
    case 1:
      return { $subtract: [num(rng, d), num(rng, d)] };
    case 2:
      return { $multiply: [num(rng, d), int(rng, 0, 3)] };
    case 3:
      return { $abs: num(rng, d) };
    case 4:
      return { $cond: [bool(rng, d), num(rng, d), num(rng, d)] };
    case 5:
      return { $ifNull: ['$a', num(rng, d)] };
    case 6:
      return { $size: { $ifNull: ['$c', []] } };
    case 7:
      return { $sum: ['$a', '$q', num(rng, d)] };
    case 8:
      // mingo refuses a single non-array operand (c after $unwind); MongoDB takes the value itself.
      return { $max: { $cond: [{ $isArray: '$c' }, '$c', []] } };
    case 9:
      return { $arrayElemAt: [{ $ifNull: ['$c', [0]] }, pick(rng, [0, -1, 1])] };
    case 10:
      return { $floor: { $divide: [num(rng, d), pick(rng, [2, 3, 4])] } };
    case 11:
      // mingo throws on $mod of null, where MongoDB returns null.
      return { $mod: [{ $ifNull: ['$q', 0] }, pick(rng, [2, 3, 5])] };
    case 12:
      return { $size: { $filter: { input: { $ifNull: ['$items', []] }, as: 'it', cond: bool(rng, d, '$$it.v') } } };
    default:
      return { $reduce: { input: { $ifNull: ['$c', []] }, initialValue: 0, in: { $add: ['$$value', '$$this'] } } };
  }
}

function bool(rng: Rng, depth: number, numField = '$q'): unknown {
  const d = depth - 1;
  switch (depth <= 0 ? int(rng, 0, 3) : int(rng, 0, 7)) {
    case 0:
      return { [pick(rng, ['$gt', '$gte', '$lt', '$lte', '$eq', '$ne'])]: [{ $ifNull: [numField, -1] }, int(rng, 0, 9)] };
    case 1:
      return { $eq: ['$b', pick(rng, ['x', 'y'])] };
    case 2:
      return { $in: ['$g', pick(rng, [['g1'], ['g2', 'g3']])] };
    case 3:
      return { $gt: ['$d', new Date(Date.UTC(2021, 5, 1))] };
    case 4:
      return { $and: [bool(rng, d, numField), bool(rng, d, numField)] };
    case 5:
      return { $or: [bool(rng, d, numField), bool(rng, d, numField)] };
    case 6:
      return { $not: [bool(rng, d, numField)] };
    default:
      return { $gte: [{ $ifNull: [num(rng, d), -1] }, int(rng, 0, 10)] };
  }
}

function value(rng: Rng, depth: number): unknown {
  switch (int(rng, 0, 9)) {
    case 0:
      return bool(rng, depth);
    case 1:
      return { $concat: ['$g', '-', { $toString: '$q' }] };
    case 2:
      return { $dateToString: { format: '%Y-%m-%d', date: '$d' } };
    case 3:
      return { $cond: { if: bool(rng, depth), then: { $year: DATE_OR_DEFAULT }, else: { $month: DATE_OR_DEFAULT } } };
    case 4:
      return { $map: { input: { $ifNull: ['$items', []] }, as: 'it', in: { $multiply: ['$$it.v', 2] } } };
    case 5:
      return { $filter: { input: '$items', as: 'it', cond: { $eq: ['$$it.k', 'k1'] } } };
    case 6:
      return { $switch: { branches: [{ case: bool(rng, depth), then: 'one' }, { case: bool(rng, depth), then: 'two' }], default: 'none' } };
    case 7:
      return { $let: { vars: { t: num(rng, depth) }, in: { $add: ['$$t', 1] } } };
    case 8:
      // Inside $ifNull it is an expression: a bare object in $addFields merges into an existing field in MongoDB, where mingo replaces it.
      return { $ifNull: [{ pair: ['$g', '$b'], sub: { x: '$n.x' } }, null] };
    default:
      return num(rng, depth);
  }
}

const ACCUMULATORS: readonly ((rng: Rng) => Document)[] = [
  () => ({ $sum: 1 }),
  (rng) => ({ $sum: num(rng, 1) }),
  () => ({ $avg: '$a' }),
  () => ({ $min: '$a' }),
  () => ({ $max: '$d' }),
  () => ({ $first: '$b' }),
  () => ({ $last: '$q' }),
  // MongoDB skips a missing value in $push where mingo pushes null.
  () => ({ $push: { $ifNull: ['$q', 'none'] } }),
  () => ({ $count: {} }),
];

function stage(rng: Rng, allowFacet: boolean): Document {
  switch (int(rng, 0, allowFacet ? 13 : 12)) {
    case 0:
      return { $match: pick(rng, [{ a: { $gt: int(rng, 0, 30) } }, { b: pick(rng, ['x', 'y']) }, { g: { $in: ['g1', 'g2'] } }, { c: int(rng, 0, 9) }]) };
    case 1:
      return { $match: { $expr: bool(rng, 2) } };
    case 2:
      return { $addFields: { [pick(rng, ['f1', 'f2'])]: value(rng, 2) } };
    case 3:
      return { $project: { g: 1, q: 1, d: 1, c: 1, items: 1, b: 1, a: 1, v: value(rng, 2), ...(rng() < 0.3 ? { _id: 0 } : {}) } };
    case 4: {
      const out: Document = { _id: pick(rng, ['$g', '$b', { g: '$g', b: '$b' }, null, { $year: DATE_OR_DEFAULT }]) };
      for (let i = int(rng, 1, 3); i > 0; i--) out[`acc${i}`] = pick(rng, ACCUMULATORS)(rng);
      if (rng() < 0.3) out.set_g = { $addToSet: { $ifNull: ['$g', 'none'] } };
      return { $group: out };
    }
    case 5:
      return { $sort: pick(rng, [{ q: 1, _id: 1 }, { a: -1, _id: 1 }, { d: 1, _id: -1 }, { b: 1, _id: 1 }]) };
    case 6:
      return rng() < 0.5 ? { $limit: int(rng, 1, 30) } : { $skip: int(rng, 0, 10) };
    case 7:
      return rng() < 0.5 ? { $unwind: '$c' } : { $unwind: { path: '$items', preserveNullAndEmptyArrays: rng() < 0.5, includeArrayIndex: 'ix' } };
    case 8:
      return { $skip: 1 };
    case 9:
      return { $sortByCount: pick(rng, ['$g', '$b']) };
    case 10:
      return { $replaceRoot: { newRoot: { key: '$_id', g: '$g', v: value(rng, 1) } } };
    case 11:
      // No dotted paths: mingo's $unset edits embedded documents that other rows (after $unwind, $filter) still share.
      return { $unset: pick(rng, ['a', ['b', 'items']]) };
    case 12:
      return { $lookup: { from: 'others', localField: '_id', foreignField: 'ref', as: pick(rng, ['r', 'lk']) } };
    default:
      return { $facet: { one: randomPipeline(rng, false), two: randomPipeline(rng, false) } };
  }
}

/** $count comes only last: mingo's $count on no input outputs { total: 0 } (MongoDB: nothing), which later stages would build on. */
export function randomPipeline(rng: Rng, allowFacet = true): Document[] {
  const stages = Array.from({ length: int(rng, 1, 4) }, () => stage(rng, allowFacet));
  if (rng() < 0.15) stages.push({ $count: 'total' });
  return stages;
}

/** Key order, $addToSet order and row order are not defined by MongoDB: compare without them. */
export function normalize(v: unknown, name = ''): unknown {
  if (Array.isArray(v)) {
    // mingo's $count on no input outputs { total: 0 }; MongoDB outputs nothing. mingo leaves a
    // missing value in an array literal undefined, which BSON writes as null (MongoDB's value).
    const items = v.filter((x) => !(x && typeof x === 'object' && Object.keys(x).join() === 'total' && (x as Document).total === 0)).map((x) => (x === undefined ? null : normalize(x)));
    return name.startsWith('set_') || name === 'one' || name === 'two' ? items.sort((a, b) => (canonicalKey(a) < canonicalKey(b) ? -1 : 1)) : items;
  }
  if (v === null || typeof v !== 'object' || v instanceof Date || (v as { _bsontype?: unknown })._bsontype) return v;
  const out: Document = {};
  // mingo keeps a missing value in an object expression as an undefined field, which BSON drops.
  for (const k of Object.keys(v).sort()) if ((v as Document)[k] !== undefined) out[k] = normalize((v as Document)[k], k);
  return out;
}

export function asMultiset(rows: Document[]): unknown[] {
  return (normalize(rows) as unknown[]).sort((a, b) => (canonicalKey(a) < canonicalKey(b) ? -1 : canonicalKey(a) > canonicalKey(b) ? 1 : 0));
}
