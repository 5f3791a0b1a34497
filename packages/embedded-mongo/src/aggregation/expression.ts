import type { Document } from 'bson';
import { mongoError } from '../storage/errors';
import { compareValues, isPlainObject } from '../storage/values';

/**
 * An aggregation expression compiled once per command. `doc` is $$ROOT/$$CURRENT; `env` holds the
 * variables bound by $filter/$map/$reduce/$let, each binding site owning one slot, so evaluating
 * an element costs an array store instead of a fresh variables object.
 * `undefined` stands for MongoDB's "missing" (distinct from null).
 */
export type Fn = (doc: Document, env: unknown[]) => unknown;

/** Thrown while compiling: the pipeline uses something outside the compiled subset and goes to mingo. */
export class Unsupported extends Error {}

export class Scope {
  constructor(
    readonly slots: { n: number } = { n: 0 },
    private readonly names: ReadonlyMap<string, number> = new Map(),
  ) {}

  bind(names: string[]): { scope: Scope; slots: number[] } {
    const next = new Map(this.names);
    const slots = names.map((name) => {
      if (!/^[a-z_][A-Za-z0-9_]*$/.test(name) && !/^[^\x00-\x7F]/.test(name)) throw new Unsupported(`variable name ${name}`);
      const slot = this.slots.n++;
      next.set(name, slot);
      return slot;
    });
    return { scope: new Scope(this.slots, next), slots };
  }

  slot(name: string): number | undefined {
    return this.names.get(name);
  }
}

export function truthy(v: unknown): boolean {
  return !(v === undefined || v === null || v === false || v === 0);
}

/** MongoDB's comparison inside expressions: like BSON order, except that missing sorts below null. */
export function exprCompare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number' && a === a && b === b) return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Date && b instanceof Date) {
    const x = a.getTime();
    const y = b.getTime();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a === undefined) return b === undefined ? 0 : -1;
  if (b === undefined) return 1;
  return compareValues(a, b);
}

export function typeName(v: unknown): string {
  if (v === undefined) return 'missing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'double';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  const t = (v as { _bsontype?: string })._bsontype;
  return t ? t.toLowerCase() : 'object';
}

export function fail(message: string): never {
  throw mongoError('Location', message);
}

/** A value's own field: BSON wrappers (ObjectId, Date...) have no fields an expression can reach. */
function field(v: unknown, name: string): unknown {
  if (v === null || typeof v !== 'object' || v instanceof Date || (v as { _bsontype?: unknown })._bsontype !== undefined) return undefined;
  const out = (v as Document)[name];
  return typeof out === 'function' ? undefined : out;
}

/**
 * MongoDB's field-path walk: an array met before the last step yields the path's values in its
 * object elements (missing ones dropped, nested arrays and scalars skipped), not an index lookup.
 */
function walkFrom(v: unknown, parts: string[], i: number): unknown {
  let cur = v;
  for (; i < parts.length; i++) {
    if (Array.isArray(cur)) return walkArray(cur, parts, i);
    cur = field(cur, parts[i]);
    if (cur === undefined) return undefined;
  }
  return cur;
}

function walkArray(arr: unknown[], parts: string[], i: number): unknown[] {
  const out: unknown[] = [];
  for (const el of arr) {
    if (el === null || typeof el !== 'object' || Array.isArray(el)) continue;
    const v = walkFrom(el, parts, i);
    if (v !== undefined) out.push(v);
  }
  return out;
}

export function pathGetter(path: string): (v: unknown) => unknown {
  if (path === '') return (v) => v;
  const parts = path.split('.');
  if (parts.some((p) => p === '' || p.startsWith('$'))) throw new Unsupported(`field path ${path}`);
  if (parts.length === 1) {
    const name = parts[0];
    return (v) => field(v, name);
  }
  if (parts.length === 2) {
    const [a, b] = parts;
    return (v) => {
      const x = field(v, a);
      if (Array.isArray(x)) return walkArray(x, parts, 1);
      return x === undefined ? undefined : field(x, b);
    };
  }
  return (v) => walkFrom(v, parts, 0);
}

type OpCompiler = (arg: unknown, scope: Scope) => Fn;
const operators = new Map<string, OpCompiler>();

export function defineOperators(table: Record<string, OpCompiler>): void {
  for (const [name, fn] of Object.entries(table)) operators.set(name, fn);
}

function compileString(s: string, scope: Scope): Fn {
  if (!s.startsWith('$')) return () => s;
  if (s === '$' || s === '$$') throw new Unsupported('empty field path');
  if (!s.startsWith('$$')) {
    const get = pathGetter(s.slice(1));
    return (doc) => get(doc);
  }
  const dot = s.indexOf('.');
  const name = dot < 0 ? s.slice(2) : s.slice(2, dot);
  const get = pathGetter(dot < 0 ? '' : s.slice(dot + 1));
  if (name === 'ROOT' || name === 'CURRENT') return (doc) => get(doc);
  if (name === 'REMOVE') return () => undefined;
  const slot = scope.slot(name);
  if (slot === undefined) throw new Unsupported(`variable $$${name}`);
  return (_doc, env) => get(env[slot]);
}

export function compileExpression(expr: unknown, scope: Scope): Fn {
  if (typeof expr === 'string') return compileString(expr, scope);
  if (Array.isArray(expr)) {
    const items = expr.map((e) => compileExpression(e, scope));
    return (doc, env) => items.map((f) => f(doc, env) ?? null);
  }
  if (isPlainObject(expr)) {
    const keys = Object.keys(expr);
    if (keys.length === 1 && keys[0].startsWith('$')) {
      const op = operators.get(keys[0]);
      if (!op) throw new Unsupported(`operator ${keys[0]}`);
      return op(expr[keys[0]], scope);
    }
    if (keys.some((k) => k.startsWith('$') || k.includes('.'))) throw new Unsupported('object expression keys');
    const values = keys.map((k) => compileExpression(expr[k], scope));
    return (doc, env) => {
      const out: Document = {};
      for (let i = 0; i < keys.length; i++) {
        const v = values[i](doc, env);
        if (v !== undefined) out[keys[i]] = v;
      }
      return out;
    };
  }
  if (expr === undefined) throw new Unsupported('undefined in an expression');
  return () => expr;
}

/** Operator arguments: an array is the argument list, anything else is a single argument. */
export function compileArgs(arg: unknown, scope: Scope, min: number, max = min): Fn[] {
  const list = Array.isArray(arg) ? arg : [arg];
  if (list.length < min || list.length > max) throw new Unsupported('argument count');
  return list.map((a) => compileExpression(a, scope));
}

/** The named fields of an operator's object argument, each compiled; unknown fields fall back. */
export function namedArgs(arg: unknown, allowed: string[], required: string[]): Record<string, unknown> {
  if (!isPlainObject(arg)) throw new Unsupported('operator argument');
  for (const k of Object.keys(arg)) if (!allowed.includes(k)) throw new Unsupported(`argument ${k}`);
  for (const k of required) if (!(k in arg)) throw new Unsupported(`missing ${k}`);
  return arg;
}
