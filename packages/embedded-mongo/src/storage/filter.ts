import type { Document } from 'bson';
import { eqLeaf, FilterUnsupported, inLeaf, rangeLeaf, regexLeaf, type Leaf } from './filter-values';
import { isPlainObject } from './values';

/**
 * A query filter compiled once into a predicate over query-form documents, with MongoDB's
 * matching semantics (the classic matcher's path walk). Anything outside the subset throws
 * FilterUnsupported while compiling, and the caller falls back to mingo's Query.
 *
 * Path walk, as MongoDB does it: a document step looks the field up; an array step tries the
 * element at a numeric component and each document element (nested arrays and scalars are
 * skipped, so an array that holds no documents yields nothing at all); a scalar, null or missing
 * value met before the end yields "missing". At the end of the path an array is tested as a
 * whole and element by element (one level), except for array operators ($elemMatch, $size).
 * Negations ($ne, $nin, $not, $exists: false) negate the whole path's match.
 */

export type DocPredicate = (doc: Document) => boolean;

/** One operator's test at the end of a path. */
interface Test {
  leaf: Leaf;
  /** Whether an array at the end of the path is also tested element by element. */
  expand: boolean;
}

/** A field's condition: tests at the end of its path, combined; a negation covers the whole path. */
type Cond = { kind: 'test'; test: Test } | { kind: 'and'; of: Cond[] } | { kind: 'not'; of: Cond };

const test = (leaf: Leaf, expand = true): Cond => ({ kind: 'test', test: { leaf, expand } });
const not = (of: Cond): Cond => ({ kind: 'not', of });
const and = (of: Cond[]): Cond => (of.length === 1 ? of[0] : { kind: 'and', of });

// Names Object.prototype answers for; a plain lookup would find functions, so such paths fall back.
const PROTO_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));
const NUMERIC = /^\d+$/;

function splitPath(path: string): string[] {
  const parts = path.split('.');
  for (const p of parts) if (p === '' || p.startsWith('$') || PROTO_NAMES.has(p)) throw new FilterUnsupported(`path ${path}`);
  return parts;
}

function atEnd(test: Test, v: unknown): boolean {
  if (test.leaf(v)) return true;
  if (!test.expand || !Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (test.leaf(v[i])) return true;
  return false;
}

function walkPath(v: unknown, parts: string[], i: number, test: Test): boolean {
  if (i === parts.length) return atEnd(test, v);
  if (Array.isArray(v)) {
    if (NUMERIC.test(parts[i])) {
      const idx = Number(parts[i]);
      if (idx < v.length && walkPath(v[idx], parts, i + 1, test)) return true;
    }
    for (let j = 0; j < v.length; j++) {
      const e = v[j];
      if (isPlainObject(e) && walkPath(e, parts, i, test)) return true;
    }
    return false;
  }
  if (isPlainObject(v)) return walkPath(v[parts[i]], parts, i + 1, test);
  return atEnd(test, undefined);
}

/** A predicate over a document (or an array element) testing `test` at `path`. */
function onPath(parts: string[], test: Test): DocPredicate {
  if (parts.length === 1) {
    const name = parts[0];
    const { leaf, expand } = test;
    if (!expand) return (doc) => leaf(doc[name]);
    return (doc) => {
      const v = doc[name];
      if (leaf(v)) return true;
      if (!Array.isArray(v)) return false;
      for (let i = 0; i < v.length; i++) if (leaf(v[i])) return true;
      return false;
    };
  }
  return (doc) => walkPath(doc, parts, 0, test);
}

const OPERATORS = new Set(['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$not', '$elemMatch', '$size', '$regex', '$options']);

function isOperatorObject(cond: unknown): cond is Document {
  if (!isPlainObject(cond)) return false;
  const keys = Object.keys(cond);
  const ops = keys.filter((k) => k.startsWith('$')).length;
  if (ops > 0 && ops < keys.length) throw new FilterUnsupported('operators mixed with fields');
  return ops > 0;
}

function existsFlag(v: unknown): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  throw new FilterUnsupported('$exists operand');
}

/** The operators of one `{ $op: ... }` object, ANDed. */
function compileOperators(cond: Document): Cond[] {
  const out: Cond[] = [];
  for (const op of Object.keys(cond)) {
    if (!OPERATORS.has(op)) throw new FilterUnsupported(`operator ${op}`);
    const arg = cond[op];
    switch (op) {
      case '$eq':
        out.push(test(eqLeaf(arg)));
        break;
      case '$ne':
        out.push(not(test(eqLeaf(arg))));
        break;
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte':
        out.push(test(rangeLeaf(op, arg)));
        break;
      case '$in':
        out.push(test(inLeaf(arg)));
        break;
      case '$nin':
        out.push(not(test(inLeaf(arg))));
        break;
      case '$exists': {
        const exists = test((v) => v !== undefined, false);
        out.push(existsFlag(arg) ? exists : not(exists));
        break;
      }
      case '$size':
        if (typeof arg !== 'number' || !Number.isInteger(arg) || arg < 0) throw new FilterUnsupported('$size operand');
        out.push(test((v) => Array.isArray(v) && v.length === arg, false));
        break;
      case '$regex':
        out.push(test(regexLeaf(arg, cond.$options)));
        break;
      case '$options':
        if (!('$regex' in cond)) throw new FilterUnsupported('$options without $regex');
        break;
      case '$not':
        if (arg instanceof RegExp) out.push(not(test(regexLeaf(arg, undefined))));
        else if (isOperatorObject(arg) && !('$options' in arg && Object.keys(arg).length === 1)) out.push(not(and(compileOperators(arg))));
        else throw new FilterUnsupported('$not operand');
        break;
      default:
        out.push(test(elemMatchLeaf(arg), false));
    }
  }
  return out;
}

/** A single value against a condition, without opening up arrays ($elemMatch's value form). */
function onValue(cond: Cond): Leaf {
  switch (cond.kind) {
    case 'test':
      return cond.test.leaf;
    case 'not': {
      const inner = onValue(cond.of);
      return (v) => !inner(v);
    }
    default: {
      const parts = cond.of.map(onValue);
      return (v) => parts.every((p) => p(v));
    }
  }
}

/** `$elemMatch`: an array with an element that satisfies the operators, or the sub-filter. */
function elemMatchLeaf(spec: unknown): Leaf {
  if (!isPlainObject(spec) || Object.keys(spec).length === 0) throw new FilterUnsupported('$elemMatch operand');
  const keys = Object.keys(spec);
  const logical = (k: string) => k === '$and' || k === '$or' || k === '$nor';
  const valueForm = keys.every((k) => k.startsWith('$') && !logical(k));
  let element: (e: unknown) => boolean;
  if (valueForm) {
    // Each element is tested as a single value: a nested array is not opened up again.
    element = onValue(and(compileOperators(spec)));
  } else {
    if (keys.some((k) => k.startsWith('$') && !logical(k))) throw new FilterUnsupported('$elemMatch mixes forms');
    const sub = compileDocument(spec);
    // MongoDB matches an array element against the sub-filter as a document keyed "0", "1", ...
    element = (e) => (isPlainObject(e) ? sub(e) : Array.isArray(e) && sub(Object.fromEntries(e.entries())));
  }
  return (v) => {
    if (!Array.isArray(v)) return false;
    for (let i = 0; i < v.length; i++) if (element(v[i])) return true;
    return false;
  };
}

function onPathCond(parts: string[], cond: Cond): DocPredicate {
  switch (cond.kind) {
    case 'test':
      return onPath(parts, cond.test);
    case 'not': {
      const inner = onPathCond(parts, cond.of);
      return (doc) => !inner(doc);
    }
    default:
      return all(cond.of.map((c) => onPathCond(parts, c)));
  }
}

function compileField(path: string, spec: unknown): DocPredicate[] {
  const parts = splitPath(path);
  let conds: Cond[];
  if (spec instanceof RegExp) conds = [test(regexLeaf(spec, undefined))];
  else if (isOperatorObject(spec)) conds = compileOperators(spec);
  else conds = [test(eqLeaf(spec))];
  return conds.map((c) => onPathCond(parts, c));
}

function clauses(arg: unknown, op: string): DocPredicate[] {
  if (!Array.isArray(arg) || arg.length === 0) throw new FilterUnsupported(`${op} operand`);
  return arg.map((sub) => {
    if (!isPlainObject(sub)) throw new FilterUnsupported(`${op} clause`);
    return compileDocument(sub);
  });
}

function all(preds: DocPredicate[]): DocPredicate {
  switch (preds.length) {
    case 0:
      return () => true;
    case 1:
      return preds[0];
    case 2: {
      const [a, b] = preds;
      return (doc) => a(doc) && b(doc);
    }
    default:
      return (doc) => {
        for (const p of preds) if (!p(doc)) return false;
        return true;
      };
  }
}

function some(preds: DocPredicate[]): DocPredicate {
  if (preds.length === 1) return preds[0];
  return (doc) => {
    for (const p of preds) if (p(doc)) return true;
    return false;
  };
}

function compileDocument(filter: Document): DocPredicate {
  const preds: DocPredicate[] = [];
  // Predicates are pure, so their order is free: field conditions (usually the cheap, selective
  // ones) are tested before logical operators such as an $or of alternatives.
  const keys = Object.keys(filter).sort((a, b) => Number(a.startsWith('$')) - Number(b.startsWith('$')));
  for (const key of keys) {
    const arg = filter[key];
    if (key === '$and') preds.push(all(clauses(arg, key)));
    else if (key === '$or') preds.push(some(clauses(arg, key)));
    else if (key === '$nor') {
      const any = some(clauses(arg, key));
      preds.push((doc) => !any(doc));
    } else if (key.startsWith('$')) throw new FilterUnsupported(`top-level ${key}`);
    else preds.push(...compileField(key, arg));
  }
  return all(preds);
}

/** The filter (already in query form) as a predicate, or undefined when it needs mingo. */
export function compileFastFilter(filter: Document): DocPredicate | undefined {
  try {
    return compileDocument(filter);
  } catch (err) {
    if (err instanceof FilterUnsupported) return undefined;
    throw err;
  }
}

export { FilterUnsupported };
