import { Decimal128, Long, type Document } from 'bson';

/**
 * BSON value helpers: canonical keys (for maps and indexes), MongoDB's cross-type ordering, and
 * the "query form" of a document that mingo can compare.
 *
 * mingo compares values of the same class through their string form, so Long(10) < Long(5)
 * and Long(5) never equals 5. Documents keep their original types; a converted shadow with
 * plain numbers is handed to mingo for matching, sorting and aggregation.
 */

export function bsonType(v: unknown): string | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const t = (v as { _bsontype?: unknown })._bsontype;
  return typeof t === 'string' ? t : undefined;
}

export function isPlainObject(v: unknown): v is Document {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Numeric value of any BSON number type, or undefined when `v` is not a number. */
export function numericValue(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  switch (bsonType(v)) {
    case 'Long':
      return (v as Long).toNumber();
    case 'Int32':
    case 'Double':
      return (v as { value: number }).value;
    case 'Decimal128':
      return Number((v as Decimal128).toString());
    default:
      return undefined;
  }
}

/**
 * `prefix + body` as one flat string. A template literal or `+` gives V8 a rope (ConsString) once
 * the result has 13 characters or more, and bson's toHexString is itself a rope of seven nodes.
 * Canonical keys are kept as map keys for every document and index entry: as ropes they took ~5×
 * the memory of the flat string (264 vs 56 bytes for an ObjectId), and every full garbage
 * collection walks them. Array.join with two non-empty parts copies into one flat string.
 */
function joined(prefix: string, body: string): string {
  // Shorter than 13 characters `+` gives a flat string already, five times cheaper than a join.
  return prefix.length + body.length < 13 ? prefix + body : [prefix, body].join('');
}

function numberKey(v: unknown): string {
  // Long keeps exact digits beyond 2^53 so two different large longs never collide.
  if (bsonType(v) === 'Long') {
    const l = v as Long;
    const n = l.toNumber();
    return joined('n', Number.isSafeInteger(n) ? String(n) : l.toString());
  }
  const n = numericValue(v)!;
  if (Number.isNaN(n)) return 'nNaN';
  if (Number.isInteger(n) && !Number.isSafeInteger(n) && Math.abs(n) < 1e19) return joined('n', BigInt(n).toString());
  return joined('n', String(n === 0 ? 0 : n));
}

/**
 * A string that is equal for two values exactly when MongoDB treats them as equal: 1, 1.0 and
 * Long(1) share a key; ObjectId('a..') and the string 'a..' do not. Null and missing share one.
 */
export function canonicalKey(v: unknown): string {
  if (v === null || v === undefined) return 'z';
  switch (typeof v) {
    case 'number':
      return numberKey(v);
    case 'string':
      return joined('s', JSON.stringify(v));
    case 'boolean':
      return v ? 'b1' : 'b0';
    case 'bigint':
      return joined('n', v.toString());
    default:
      break;
  }
  if (v instanceof Date) return joined('t', String(v.getTime()));
  if (v instanceof RegExp) return joined('r', `${JSON.stringify(v.source)}/${v.flags}`);
  if (Array.isArray(v)) return ['[', v.map(canonicalKey).join(','), ']'].join('');
  switch (bsonType(v)) {
    case 'ObjectId':
      return joined('o', (v as { toHexString(): string }).toHexString());
    case 'Long':
    case 'Int32':
    case 'Double':
    case 'Decimal128':
      return numberKey(v);
    case 'Binary': {
      const b = v as { sub_type: number; buffer: Uint8Array };
      return joined('x', `${b.sub_type}:${Buffer.from(b.buffer).toString('base64')}`);
    }
    case 'Timestamp':
      return joined('T', (v as { toString(): string }).toString());
    case 'MinKey':
      return 'm';
    case 'MaxKey':
      return 'M';
    case 'BSONRegExp': {
      const r = v as { pattern: string; options: string };
      return joined('r', `${JSON.stringify(r.pattern)}/${r.options}`);
    }
    case 'BSONSymbol':
      return joined('s', JSON.stringify(String((v as { value: unknown }).value)));
    case 'Code':
      return joined('c', JSON.stringify(String((v as { code: unknown }).code)));
    case 'DBRef': {
      const d = v as { toJSON(): Document };
      return joined('d', canonicalKey(d.toJSON()));
    }
    default:
      break;
  }
  if (Buffer.isBuffer(v)) return joined('x', `0:${v.toString('base64')}`);
  const obj = v as Document;
  const fields = Object.keys(obj)
    .map((k) => `${JSON.stringify(k)}:${canonicalKey(obj[k])}`)
    .join(',');
  return ['{', fields, '}'].join('');
}

/** MongoDB's comparison order of BSON types (numbers are one class). */
export function typeRank(v: unknown): number {
  if (v === undefined || v === null) return 1;
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return 2;
    case 'string':
      return 3;
    case 'boolean':
      return 8;
    default:
      break;
  }
  if (v instanceof Date) return 9;
  if (v instanceof RegExp) return 11;
  if (Array.isArray(v)) return 5;
  switch (bsonType(v)) {
    case 'MinKey':
      return 0;
    case 'Long':
    case 'Int32':
    case 'Double':
    case 'Decimal128':
      return 2;
    case 'BSONSymbol':
      return 3;
    case 'Binary':
      return 6;
    case 'ObjectId':
      return 7;
    case 'Timestamp':
      return 10;
    case 'BSONRegExp':
      return 11;
    case 'MaxKey':
      return 12;
    default:
      return Buffer.isBuffer(v) ? 6 : 4;
  }
}

function cmp<T>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Total order over BSON values as MongoDB sorts them (arrays compared element-wise). */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0:
    case 1:
    case 12:
      return 0;
    case 2: {
      if (bsonType(a) === 'Long' && bsonType(b) === 'Long') return (a as Long).compare(b as Long);
      const na = numericValue(a) ?? Number(a);
      const nb = numericValue(b) ?? Number(b);
      if (Number.isNaN(na)) return Number.isNaN(nb) ? 0 : -1;
      if (Number.isNaN(nb)) return 1;
      return cmp(na, nb);
    }
    case 3:
      return cmp(String(bsonType(a) ? (a as { value: unknown }).value : a), String(bsonType(b) ? (b as { value: unknown }).value : b));
    case 4: {
      const ka = Object.keys(a as Document);
      const kb = Object.keys(b as Document);
      for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
        const byValueType = typeRank((a as Document)[ka[i]]) - typeRank((b as Document)[kb[i]]);
        if (byValueType) return byValueType;
        const byName = cmp(ka[i], kb[i]);
        if (byName) return byName;
        const byValue = compareValues((a as Document)[ka[i]], (b as Document)[kb[i]]);
        if (byValue) return byValue;
      }
      return ka.length - kb.length;
    }
    case 5: {
      const xa = a as unknown[];
      const xb = b as unknown[];
      for (let i = 0; i < Math.min(xa.length, xb.length); i++) {
        const c = compareValues(xa[i], xb[i]);
        if (c) return c;
      }
      return xa.length - xb.length;
    }
    case 6:
      return Buffer.compare(binaryBytes(a), binaryBytes(b));
    case 7:
      return cmp((a as { toHexString(): string }).toHexString(), (b as { toHexString(): string }).toHexString());
    case 8:
      return cmp(a as boolean, b as boolean);
    case 9:
      return cmp((a as Date).getTime(), (b as Date).getTime());
    case 10:
      return (a as Long).compare(b as Long);
    default:
      return cmp(String(a), String(b));
  }
}

function binaryBytes(v: unknown): Buffer {
  if (Buffer.isBuffer(v)) return v;
  return Buffer.from((v as { buffer: Uint8Array }).buffer);
}

function needsQueryForm(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.some(needsQueryForm);
  const t = bsonType(v);
  if (t) return t === 'Long' || t === 'Decimal128' || t === 'Int32' || t === 'Double';
  if (!isPlainObject(v)) return false;
  for (const k in v) if (needsQueryForm(v[k])) return true;
  return false;
}

function convert(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(convert);
  const t = bsonType(v);
  if (t) return t === 'Long' || t === 'Decimal128' || t === 'Int32' || t === 'Double' ? numericValue(v) : v;
  if (!isPlainObject(v)) return v;
  const out: Document = {};
  for (const k of Object.keys(v)) out[k] = convert(v[k]);
  return out;
}

/**
 * The value with every BSON number wrapper turned into a JS number, for mingo. Returns the
 * same object when nothing needs converting, so ordinary documents cost nothing extra.
 */
export function toQueryForm<T>(v: T): T {
  return needsQueryForm(v) ? (convert(v) as T) : v;
}

/** Deep copy of plain objects, arrays and Dates; BSON value objects are immutable and shared. */
export function cloneDoc<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(cloneDoc) as T;
  if (v instanceof Date) return new Date(v.getTime()) as T;
  if (!isPlainObject(v)) return v;
  const out: Document = {};
  for (const k of Object.keys(v)) out[k] = cloneDoc((v as Document)[k]);
  return out as T;
}

/**
 * Every value a dotted path reaches, walking into arrays the way multikey indexes do: an array
 * on the way contributes each element; an array at the end contributes its elements (an empty
 * one contributes `undefined`). An absent path yields `undefined` once.
 */
export function pathValues(doc: unknown, path: string): unknown[] {
  const out: unknown[] = [];
  walk(doc, path.split('.'), 0, out);
  if (out.length === 0) out.push(undefined);
  return out;
}

function walk(v: unknown, parts: string[], i: number, out: unknown[]): void {
  if (i === parts.length) {
    if (Array.isArray(v)) {
      if (v.length === 0) out.push(undefined);
      for (const e of v) out.push(e);
    } else {
      out.push(v);
    }
    return;
  }
  if (v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    const idx = /^\d+$/.test(parts[i]) ? Number(parts[i]) : -1;
    if (idx >= 0 && idx < v.length) walk(v[idx], parts, i + 1, out);
    for (const e of v) if (e !== null && typeof e === 'object' && !Array.isArray(e)) walk(e, parts, i, out);
    return;
  }
  const next = (v as Document)[parts[i]];
  if (next === undefined) return;
  walk(next, parts, i + 1, out);
}

/** Value at a dotted path without array expansion (numeric segments index arrays). */
export function getPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Document)[p];
  }
  return cur;
}

export function setPath(doc: Document, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur: Document = doc;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = cur[parts[i]];
    if (next === null || typeof next !== 'object') cur[parts[i]] = {};
    cur = cur[parts[i]] as Document;
  }
  cur[parts[parts.length - 1]] = value;
}

export { Long, Decimal128 };
