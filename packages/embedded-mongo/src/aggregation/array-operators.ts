import { compareValues } from '../storage/values';
import { compileArgs, compileExpression, defineOperators, exprCompare, fail, namedArgs, typeName, Unsupported, type Fn, type Scope } from './expression';

/** Array operators, the variable-binding ones ($filter, $map, $reduce, $let) and $sum/$avg/$min/$max as expressions. */

const isNullish = (v: unknown): v is null | undefined => v === undefined || v === null;

function arrayArg(name: string, v: unknown): unknown[] {
  if (!Array.isArray(v)) fail(`${name} requires an array, found ${typeName(v)}`);
  return v;
}

function varName(v: unknown, fallback: string): string {
  if (v === undefined) return fallback;
  if (typeof v !== 'string') throw new Unsupported('variable name');
  return v;
}

/** Accumulating operators used as expressions: one operand that is an array means its elements. */
function accumulatorExpression(reduce: (values: unknown[]) => unknown): (arg: unknown, scope: Scope) => Fn {
  return (arg, scope) => {
    const fs = compileArgs(arg, scope, 1, Infinity);
    if (fs.length === 1) {
      const [a] = fs;
      return (doc, env) => {
        const v = a(doc, env);
        return reduce(Array.isArray(v) ? v : [v]);
      };
    }
    return (doc, env) => reduce(fs.map((f) => f(doc, env)));
  };
}

export function sumOf(values: unknown[]): number {
  let s = 0;
  for (const v of values) if (typeof v === 'number') s += v;
  return s;
}

export function avgOf(values: unknown[]): number | null {
  let s = 0;
  let n = 0;
  for (const v of values) {
    if (typeof v === 'number') {
      s += v;
      n++;
    }
  }
  return n ? s / n : null;
}

function extremeOf(sign: number): (values: unknown[]) => unknown {
  return (values) => {
    let best: unknown = null;
    for (const v of values) {
      if (isNullish(v)) continue;
      if (best === null || sign * compareValues(v, best) > 0) best = v;
    }
    return best;
  };
}

defineOperators({
  $size: (arg, scope) => {
    const [a] = compileArgs(arg, scope, 1);
    return (doc, env) => {
      const v = a(doc, env);
      if (!Array.isArray(v)) fail(`The argument to $size must be an array. Type of argument: ${typeName(v)}`);
      return v.length;
    };
  },
  $isArray: (arg, scope) => {
    const [a] = compileArgs(arg, scope, 1);
    return (doc, env) => Array.isArray(a(doc, env));
  },
  $arrayElemAt: (arg, scope) => {
    const [a, i] = compileArgs(arg, scope, 2);
    return (doc, env) => {
      const arr = a(doc, env);
      const idx = i(doc, env);
      if (isNullish(arr) || isNullish(idx)) return null;
      arrayArg('$arrayElemAt', arr);
      if (typeof idx !== 'number' || !Number.isInteger(idx)) fail(`$arrayElemAt's second argument must be an integer, found ${typeName(idx)}`);
      const arrv = arr as unknown[];
      return idx < 0 ? arrv[arrv.length + idx] : arrv[idx];
    };
  },
  $first: (arg, scope) => {
    const [a] = compileArgs(arg, scope, 1);
    return (doc, env) => {
      const v = a(doc, env);
      return isNullish(v) ? null : arrayArg('$first', v)[0];
    };
  },
  $last: (arg, scope) => {
    const [a] = compileArgs(arg, scope, 1);
    return (doc, env) => {
      const v = a(doc, env);
      if (isNullish(v)) return null;
      const arr = arrayArg('$last', v);
      return arr[arr.length - 1];
    };
  },
  $in: (arg, scope) => {
    const [x, a] = compileArgs(arg, scope, 2);
    return (doc, env) => {
      const v = x(doc, env);
      const arr = a(doc, env);
      if (!Array.isArray(arr)) fail(`$in requires an array as a second argument, found: ${typeName(arr)}`);
      for (const e of arr) if (exprCompare(v, e) === 0) return true;
      return false;
    };
  },
  $concatArrays: (arg, scope) => {
    const fs = compileArgs(arg, scope, 0, Infinity);
    return (doc, env) => {
      const out: unknown[] = [];
      for (const f of fs) {
        const v = f(doc, env);
        if (isNullish(v)) return null;
        for (const e of arrayArg('$concatArrays', v)) out.push(e);
      }
      return out;
    };
  },
  $slice: (arg, scope) => {
    const fs = compileArgs(arg, scope, 2, 3);
    return (doc, env) => {
      const vals = fs.map((f) => f(doc, env));
      if (vals.some(isNullish)) return null;
      const arr = arrayArg('$slice', vals[0]);
      for (const n of vals.slice(1)) if (typeof n !== 'number' || !Number.isInteger(n)) fail('$slice requires integer arguments');
      if (vals.length === 2) {
        const n = vals[1] as number;
        return n >= 0 ? arr.slice(0, n) : arr.slice(Math.max(0, arr.length + n));
      }
      const pos = vals[1] as number;
      const n = vals[2] as number;
      if (n <= 0) fail(`Third argument to $slice must be positive: ${n}`);
      const start = pos < 0 ? Math.max(0, arr.length + pos) : Math.min(pos, arr.length);
      return arr.slice(start, start + n);
    };
  },
  $filter: (arg, scope) => {
    const o = namedArgs(arg, ['input', 'as', 'cond', 'limit'], ['input', 'cond']);
    const input = compileExpression(o.input, scope);
    const limit = o.limit === undefined ? undefined : compileExpression(o.limit, scope);
    const { scope: inner, slots } = scope.bind([varName(o.as, 'this')]);
    const cond = compileExpression(o.cond, inner);
    const slot = slots[0];
    return (doc, env) => {
      const v = input(doc, env);
      if (isNullish(v)) return null;
      const arr = arrayArg('$filter', v);
      let max = Infinity;
      if (limit) {
        const l = limit(doc, env);
        if (!isNullish(l)) {
          if (typeof l !== 'number' || !Number.isInteger(l) || l < 1) fail('$filter: limit must be a positive integer');
          max = l;
        }
      }
      const out: unknown[] = [];
      for (let i = 0; i < arr.length && out.length < max; i++) {
        env[slot] = arr[i];
        const c = cond(doc, env);
        if (!(c === undefined || c === null || c === false || c === 0)) out.push(arr[i]);
      }
      return out;
    };
  },
  $map: (arg, scope) => {
    const o = namedArgs(arg, ['input', 'as', 'in'], ['input', 'in']);
    const input = compileExpression(o.input, scope);
    const { scope: inner, slots } = scope.bind([varName(o.as, 'this')]);
    const body = compileExpression(o.in, inner);
    const slot = slots[0];
    return (doc, env) => {
      const v = input(doc, env);
      if (isNullish(v)) return null;
      const arr = arrayArg('$map', v);
      const out = new Array<unknown>(arr.length);
      for (let i = 0; i < arr.length; i++) {
        env[slot] = arr[i];
        out[i] = body(doc, env) ?? null;
      }
      return out;
    };
  },
  $reduce: (arg, scope) => {
    const o = namedArgs(arg, ['input', 'initialValue', 'in'], ['input', 'initialValue', 'in']);
    const input = compileExpression(o.input, scope);
    const init = compileExpression(o.initialValue, scope);
    const { scope: inner, slots } = scope.bind(['value', 'this']);
    const body = compileExpression(o.in, inner);
    const [valueSlot, thisSlot] = slots;
    return (doc, env) => {
      const v = input(doc, env);
      if (isNullish(v)) return null;
      let acc = init(doc, env);
      for (const e of arrayArg('$reduce', v)) {
        env[valueSlot] = acc;
        env[thisSlot] = e;
        acc = body(doc, env);
      }
      return acc;
    };
  },
  $let: (arg, scope) => {
    const o = namedArgs(arg, ['vars', 'in'], ['vars', 'in']);
    if (o.vars === null || typeof o.vars !== 'object' || Array.isArray(o.vars)) throw new Unsupported('$let vars');
    const names = Object.keys(o.vars);
    const values = names.map((n) => compileExpression((o.vars as Record<string, unknown>)[n], scope));
    const { scope: inner, slots } = scope.bind(names);
    const body = compileExpression(o.in, inner);
    return (doc, env) => {
      const vs = values.map((f) => f(doc, env));
      for (let i = 0; i < slots.length; i++) env[slots[i]] = vs[i];
      return body(doc, env);
    };
  },
  $sum: accumulatorExpression(sumOf),
  $avg: accumulatorExpression(avgOf),
  $max: accumulatorExpression(extremeOf(1)),
  $min: accumulatorExpression(extremeOf(-1)),
});
