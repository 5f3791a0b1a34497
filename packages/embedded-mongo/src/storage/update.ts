import { Decimal128, Long, ObjectId, type Document } from 'bson';
import { update as mingoUpdate, updateOne as mingoUpdateOne } from 'mingo';
import { mongoError } from './errors';
import { bsonType, cloneDoc, compareValues, getPath, isPlainObject, numericValue, setPath, toQueryForm, canonicalKey } from './values';

const OPERATORS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$push',
  '$pull',
  '$pullAll',
  '$addToSet',
  '$pop',
  '$rename',
  '$currentDate',
  '$bit',
  '$setOnInsert',
]);

export type UpdateSpec = Document | Document[];

export function isPipeline(u: UpdateSpec): u is Document[] {
  return Array.isArray(u);
}

export function isOperatorUpdate(u: UpdateSpec): boolean {
  if (isPipeline(u)) return false;
  const keys = Object.keys(u);
  return keys.length > 0 && keys[0].startsWith('$');
}

export function validateUpdate(u: unknown): UpdateSpec {
  if (Array.isArray(u)) {
    if (!u.every(isPlainObject)) throw mongoError('FailedToParse', 'pipeline update stages must be objects');
    return u as Document[];
  }
  if (!isPlainObject(u)) throw mongoError('FailedToParse', 'Update argument must be either an object or an array');
  const keys = Object.keys(u);
  const ops = keys.filter((k) => k.startsWith('$'));
  if (ops.length && ops.length !== keys.length) {
    throw mongoError('FailedToParse', 'Update document cannot mix update operators and plain fields');
  }
  for (const op of ops) {
    if (!OPERATORS.has(op)) throw mongoError('FailedToParse', `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
    if (!isPlainObject(u[op])) throw mongoError('FailedToParse', `Modifiers operate on fields but we found type ${typeof u[op]} instead.`);
  }
  return u;
}

function isWrapped(v: unknown): boolean {
  const t = bsonType(v);
  return t === 'Long' || t === 'Decimal128';
}

/** $inc / $mul on int64 and decimal values, which mingo cannot do arithmetic on. */
function arithmetic(op: '$inc' | '$mul', cur: unknown, operand: unknown): unknown {
  const a = cur === undefined ? (op === '$inc' ? 0 : 0) : cur;
  if (bsonType(a) === 'Decimal128' || bsonType(operand) === 'Decimal128') {
    const x = numericValue(a)!;
    const y = numericValue(operand)!;
    return Decimal128.fromString(String(op === '$inc' ? x + y : x * y));
  }
  const x = numericValue(a);
  const y = numericValue(operand);
  if (x === undefined || y === undefined) throw mongoError('TypeMismatch', `Cannot apply ${op} to a value of non-numeric type`);
  if (Number.isInteger(x) && Number.isInteger(y)) {
    const la = bsonType(a) === 'Long' ? (a as Long) : Long.fromNumber(x);
    const lb = bsonType(operand) === 'Long' ? (operand as Long) : Long.fromNumber(y);
    return op === '$inc' ? la.add(lb) : la.multiply(lb);
  }
  return op === '$inc' ? x + y : x * y;
}

/** Moves operations on int64/decimal values out of mingo's hands into a plain `$set`. */
function rewriteWideNumbers(doc: Document, mod: Document): Document {
  const out: Document = { ...mod };
  const set: Document = { ...(out.$set ?? {}) };
  let changed = false;
  for (const op of ['$inc', '$mul', '$min', '$max'] as const) {
    if (!out[op]) continue;
    const rest: Document = {};
    for (const [path, operand] of Object.entries(out[op] as Document)) {
      const cur = getPath(doc, path);
      if (path.includes('$') || !(isWrapped(cur) || isWrapped(operand))) {
        rest[path] = operand;
        continue;
      }
      changed = true;
      if (op === '$inc' || op === '$mul') set[path] = arithmetic(op, cur, operand);
      else {
        const c = cur === undefined ? (op === '$min' ? 1 : -1) : compareValues(operand, cur);
        set[path] = (op === '$min' ? c < 0 : c > 0) ? operand : cur;
      }
    }
    if (Object.keys(rest).length) out[op] = rest;
    else delete out[op];
  }
  if (changed) out.$set = set;
  return out;
}

export interface ApplyOptions {
  arrayFilters?: Document[];
  /** The command's filter, needed by the positional `$` operator. */
  filter?: Document;
  /** True when the update creates the document (upsert): `$setOnInsert` applies. */
  inserting?: boolean;
}

/** Returns the updated copy of `doc`; `doc` itself is never modified. */
export function applyUpdate(doc: Document, u: UpdateSpec, opts: ApplyOptions = {}): Document {
  let next: Document;
  try {
    if (isPipeline(u)) {
      const arr = [cloneDoc(doc)];
      mingoUpdateOne(arr, {}, u as never, { cloneMode: 'none' });
      next = arr[0];
    } else if (!isOperatorUpdate(u)) {
      if ('_id' in u && canonicalKey(u._id) !== canonicalKey(doc._id)) throw immutableId();
      next = { _id: doc._id, ...u };
      if (doc._id === undefined) delete next._id;
    } else {
      let mod: Document = { ...u };
      if (mod.$setOnInsert) {
        if (opts.inserting) mod.$set = { ...(mod.$set ?? {}), ...mod.$setOnInsert };
        delete mod.$setOnInsert;
      }
      next = cloneDoc(doc);
      mod = rewriteWideNumbers(next, mod);
      if (Object.keys(mod).length) {
        const positional = JSON.stringify(Object.values(mod).map((v) => Object.keys(v as Document))).match(/\.\$(?![[\w])/);
        mingoUpdate(next, mod as never, opts.arrayFilters?.map((f) => toQueryForm(f)), positional ? toQueryForm(opts.filter ?? {}) : undefined, {
          cloneMode: 'none',
        });
      }
    }
  } catch (err) {
    if (err instanceof Error && err.name === 'MongoError') throw err;
    throw mongoError('BadValue', err instanceof Error ? err.message : String(err));
  }
  if (doc._id !== undefined && canonicalKey(next._id) !== canonicalKey(doc._id)) throw immutableId();
  return next;
}

function immutableId() {
  return mongoError('ImmutableField', "Performing an update on the path '_id' would modify the immutable field '_id'");
}

/** The document an upsert starts from: the filter's equality conditions. */
export function upsertSeed(filter: Document): Document {
  const seed: Document = {};
  const visit = (f: Document) => {
    for (const [k, v] of Object.entries(f)) {
      if (k === '$and' && Array.isArray(v)) {
        for (const sub of v) if (isPlainObject(sub)) visit(sub);
        continue;
      }
      if (k.startsWith('$')) continue;
      if (isPlainObject(v) && Object.keys(v).some((x) => x.startsWith('$'))) {
        if ('$eq' in v) setPath(seed, k, cloneDoc(v.$eq));
        continue;
      }
      setPath(seed, k, cloneDoc(v));
    }
  };
  visit(filter);
  return seed;
}

/** The document an upsert inserts, with `_id` first (generated when neither filter nor update gives one). */
export function buildUpsert(filter: Document, u: UpdateSpec, arrayFilters?: Document[]): Document {
  let doc: Document;
  if (!isPipeline(u) && !isOperatorUpdate(u)) {
    const seed = upsertSeed(filter);
    doc = { ...u };
    if (doc._id === undefined && seed._id !== undefined) doc._id = seed._id;
  } else {
    doc = applyUpdate(upsertSeed(filter), u, { arrayFilters, inserting: true, filter });
  }
  return withId(doc);
}

export function withId(doc: Document): Document {
  if (doc._id === undefined) return { _id: new ObjectId(), ...doc };
  if (Object.keys(doc)[0] === '_id') return doc;
  const { _id, ...rest } = doc;
  return { _id, ...rest };
}

export function validateId(id: unknown): void {
  if (Array.isArray(id)) throw mongoError('BadValue', `The '_id' value cannot be of type array`);
  if (id instanceof RegExp || bsonType(id) === 'BSONRegExp') throw mongoError('BadValue', `can't use a regex for _id`);
}

export function sameDocument(a: Document, b: Document): boolean {
  return canonicalKey(a) === canonicalKey(b);
}
