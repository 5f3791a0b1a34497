import type { Document, ObjectId } from 'bson';
import { bsonType, isPlainObject } from './values';

/**
 * Single-value tests for the compiled filter (filter.ts): each takes one value the path reached
 * (`undefined` = missing) and answers MongoDB's matchesSingleElement for it. Values are in query
 * form, so every BSON number is already a JS number and numbers form one comparison class.
 */

export type Leaf = (v: unknown) => boolean;

/** Thrown while compiling: the filter uses something outside the compiled subset and goes to mingo. */
export class FilterUnsupported extends Error {}

function isObjectId(v: unknown): v is ObjectId {
  return bsonType(v) === 'ObjectId';
}

/** Types whose equality and order this module reproduces exactly; anything else falls back. */
function supportedScalar(v: unknown): boolean {
  if (v === null) return true;
  switch (typeof v) {
    case 'number':
    case 'string':
    case 'boolean':
      return true;
    case 'object':
      return v instanceof Date || isObjectId(v);
    default:
      return false;
  }
}

/** A literal that equality can compare: scalars above, and arrays/documents made of them. */
function supportedLiteral(v: unknown): boolean {
  if (supportedScalar(v)) return true;
  if (Array.isArray(v)) return v.every(supportedLiteral);
  if (isPlainObject(v)) return Object.keys(v).every((k) => !k.startsWith('$') && supportedLiteral(v[k]));
  return false;
}

/**
 * MongoDB equality of two values: numbers by value (1 == 1.0, NaN == NaN), documents by field
 * names, order and values (mingo ignores field order; MongoDB does not), arrays element-wise.
 * Values of types this module does not know never compare equal, which is safe because
 * operands of such types are refused at compile time and stored ones then differ in type.
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return a !== undefined;
  if (typeof a === 'number') return typeof b === 'number' && a !== a && b !== b;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime();
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
    return true;
  }
  if (isObjectId(a)) return isObjectId(b) && a.equals(b);
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i] || !sameValue(a[ka[i]], (b as Document)[kb[i]])) return false;
  }
  return true;
}

/** `$eq` against one value; null also matches missing. */
export function eqLeaf(x: unknown): Leaf {
  if (!supportedLiteral(x)) throw new FilterUnsupported('equality operand');
  if (x === null) return (v) => v === null || v === undefined;
  switch (typeof x) {
    case 'number':
      return x === x ? (v) => v === x : (v) => typeof v === 'number' && v !== v;
    case 'string':
    case 'boolean':
      return (v) => v === x;
    default:
      break;
  }
  if (x instanceof Date) {
    const t = x.getTime();
    return (v) => v instanceof Date && v.getTime() === t;
  }
  if (isObjectId(x)) return (v) => isObjectId(v) && x.equals(v);
  return (v) => sameValue(v, x);
}

/**
 * `$in`: primitives through a Set (SameValueZero: 1 and 1.0 are one JS number, NaN finds NaN),
 * ObjectIds through their hex strings, other values one by one.
 */
export function inLeaf(list: unknown): Leaf {
  if (!Array.isArray(list)) throw new FilterUnsupported('$in operand');
  const prims = new Set<unknown>();
  const ids = new Set<string>();
  const times = new Set<number>();
  const others: unknown[] = [];
  let withNull = false;
  for (const x of list) {
    if (x instanceof RegExp || !supportedLiteral(x)) throw new FilterUnsupported('$in element');
    if (x === null) withNull = true;
    else if (typeof x !== 'object') prims.add(x);
    else if (x instanceof Date) times.add(x.getTime());
    else if (isObjectId(x)) ids.add(x.toHexString());
    else others.push(x);
  }
  return (v) => {
    if (v === null || v === undefined) return withNull;
    if (typeof v !== 'object') return prims.has(v);
    if (v instanceof Date) return times.has(v.getTime());
    if (isObjectId(v)) return ids.size > 0 && ids.has(v.toHexString());
    for (const x of others) if (sameValue(v, x)) return true;
    return false;
  };
}

type Op = '$gt' | '$gte' | '$lt' | '$lte';

function ordered<T>(op: Op, x: T): (a: T) => boolean {
  switch (op) {
    case '$gt':
      return (a) => a > x;
    case '$gte':
      return (a) => a >= x;
    case '$lt':
      return (a) => a < x;
    default:
      return (a) => a <= x;
  }
}

/**
 * A range bound, bracketed by type as MongoDB does: a number bound only matches numbers, a Date
 * only Dates. NaN never satisfies a numeric bound (MongoDB; mingo lets NaN pass $gte/$lte).
 * Bounds of other types (null, MinKey, documents, arrays...) fall back.
 */
export function rangeLeaf(op: Op, x: unknown): Leaf {
  switch (typeof x) {
    case 'number': {
      if (x !== x) throw new FilterUnsupported('NaN bound');
      const f = ordered(op, x);
      return (v) => typeof v === 'number' && f(v);
    }
    case 'string': {
      const f = ordered(op, x);
      return (v) => typeof v === 'string' && f(v);
    }
    case 'boolean': {
      const f = ordered(op, Number(x));
      return (v) => typeof v === 'boolean' && f(Number(v));
    }
    default:
      break;
  }
  if (x instanceof Date) {
    const f = ordered(op, x.getTime());
    return (v) => v instanceof Date && f(v.getTime());
  }
  // ObjectIds order by their bytes, which is the order of their lower-case hex strings.
  if (isObjectId(x)) {
    const f = ordered(op, x.toHexString());
    return (v) => isObjectId(v) && f(v.toHexString());
  }
  throw new FilterUnsupported(`${op} bound`);
}

const REGEX_FLAGS = /^[imsu]*$/;

/** `$regex` (with `$options`) or a regex literal, compiled once; it only ever matches strings. */
export function regexLeaf(pattern: unknown, options: unknown): Leaf {
  let re: RegExp;
  if (pattern instanceof RegExp) {
    if (options !== undefined || !REGEX_FLAGS.test(pattern.flags)) throw new FilterUnsupported('$regex flags');
    re = pattern;
  } else {
    if (typeof pattern !== 'string' || (options !== undefined && typeof options !== 'string')) throw new FilterUnsupported('$regex operand');
    const flags = options ?? '';
    if (!REGEX_FLAGS.test(flags)) throw new FilterUnsupported('$regex options');
    try {
      re = new RegExp(pattern, flags);
    } catch {
      throw new FilterUnsupported('$regex pattern');
    }
  }
  return (v) => typeof v === 'string' && re.test(v);
}
