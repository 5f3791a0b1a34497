import type { Document } from 'bson';
import { compileArgs, compileExpression, defineOperators, exprCompare, fail, namedArgs, truthy, typeName, Unsupported, type Fn, type Scope } from './expression';

/**
 * Comparison, logic, arithmetic, string and date operators. Values are in the server's query form
 * (every BSON number is a JS number), so numeric checks are `typeof v === 'number'`.
 */

const isNullish = (v: unknown): v is null | undefined => v === undefined || v === null;

function comparison(test: (c: number) => boolean): (arg: unknown, scope: Scope) => Fn {
  return (arg, scope) => {
    const [a, b] = compileArgs(arg, scope, 2);
    return (doc, env) => test(exprCompare(a(doc, env), b(doc, env)));
  };
}

function numeric(name: string, v: unknown): number {
  if (typeof v !== 'number') fail(`${name} only supports numeric types, not ${typeName(v)}`);
  return v;
}

/** A one-number operator: null or missing in, null out. */
function unaryMath(name: string, f: (x: number) => number): (arg: unknown, scope: Scope) => Fn {
  return (arg, scope) => {
    const [a] = compileArgs(arg, scope, 1);
    return (doc, env) => {
      const v = a(doc, env);
      return isNullish(v) ? null : f(numeric(name, v));
    };
  };
}

/** MongoDB's $round: half to even, at `place` decimal digits. */
export function roundHalfEven(x: number, place: number): number {
  if (!Number.isFinite(x)) return x;
  const scale = 10 ** place;
  const y = x * scale;
  const r = Math.round(y);
  const even = Math.abs(y - Math.trunc(y)) === 0.5 ? 2 * Math.round(y / 2) : r;
  return even / scale;
}

function asDate(name: string, v: unknown): Date {
  if (v instanceof Date) return v;
  const t = v as { _bsontype?: string; getTimestamp?: () => Date };
  if (t && t._bsontype === 'ObjectId' && t.getTimestamp) return t.getTimestamp();
  return fail(`${name} requires a date, found ${typeName(v)}`);
}

function datePart(name: string, part: (d: Date) => number): (arg: unknown, scope: Scope) => Fn {
  return (arg, scope) => {
    let inner = arg;
    if (Array.isArray(arg)) {
      if (arg.length !== 1) throw new Unsupported('date operator arity');
      inner = arg[0];
    } else if (arg !== null && typeof arg === 'object' && 'date' in (arg as Document) && !('$date' in (arg as Document))) {
      inner = namedArgs(arg, ['date'], ['date']).date;
    }
    const d = compileExpression(inner, scope);
    return (doc, env) => {
      const v = d(doc, env);
      return isNullish(v) ? null : part(asDate(name, v));
    };
  };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function dayOfYear(d: Date): number {
  return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}

const FORMAT: Record<string, (d: Date) => string> = {
  Y: (d) => pad(d.getUTCFullYear(), 4),
  m: (d) => pad(d.getUTCMonth() + 1),
  d: (d) => pad(d.getUTCDate()),
  H: (d) => pad(d.getUTCHours()),
  M: (d) => pad(d.getUTCMinutes()),
  S: (d) => pad(d.getUTCSeconds()),
  L: (d) => pad(d.getUTCMilliseconds(), 3),
  j: (d) => pad(dayOfYear(d), 3),
  w: (d) => String(d.getUTCDay() + 1),
  '%': () => '%',
};

function compileFormat(format: string): (d: Date) => string {
  const parts: ((d: Date) => string)[] = [];
  for (let i = 0; i < format.length; i++) {
    if (format[i] !== '%') {
      const c = format[i];
      parts.push(() => c);
      continue;
    }
    const spec = FORMAT[format[++i]];
    if (!spec) throw new Unsupported(`$dateToString format ${format}`);
    parts.push(spec);
  }
  return (d) => parts.map((p) => p(d)).join('');
}

function toStringValue(v: unknown): unknown {
  if (isNullish(v)) return null;
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) return v.toISOString();
  const t = v as { _bsontype?: string; toHexString?: () => string };
  if (t._bsontype === 'ObjectId' && t.toHexString) return t.toHexString();
  return fail(`Unsupported conversion from ${typeName(v)} to string in $convert with no onError value`);
}

defineOperators({
  $literal: (arg) => () => arg,
  $eq: comparison((c) => c === 0),
  $ne: comparison((c) => c !== 0),
  $gt: comparison((c) => c > 0),
  $gte: comparison((c) => c >= 0),
  $lt: comparison((c) => c < 0),
  $lte: comparison((c) => c <= 0),
  $cmp: (arg, scope) => {
    const [a, b] = compileArgs(arg, scope, 2);
    return (doc, env) => Math.sign(exprCompare(a(doc, env), b(doc, env)));
  },
  $and: (arg, scope) => {
    const fs = compileArgs(arg, scope, 0, Infinity);
    return (doc, env) => {
      for (let i = 0; i < fs.length; i++) if (!truthy(fs[i](doc, env))) return false;
      return true;
    };
  },
  $or: (arg, scope) => {
    const fs = compileArgs(arg, scope, 0, Infinity);
    return (doc, env) => {
      for (let i = 0; i < fs.length; i++) if (truthy(fs[i](doc, env))) return true;
      return false;
    };
  },
  $not: (arg, scope) => {
    const [a] = compileArgs(arg, scope, 1);
    return (doc, env) => !truthy(a(doc, env));
  },
  $cond: (arg, scope) => {
    const [c, t, e] = Array.isArray(arg)
      ? compileArgs(arg, scope, 3)
      : (() => {
          const o = namedArgs(arg, ['if', 'then', 'else'], ['if', 'then', 'else']);
          return [o.if, o.then, o.else].map((x) => compileExpression(x, scope));
        })();
    return (doc, env) => (truthy(c(doc, env)) ? t(doc, env) : e(doc, env));
  },
  $ifNull: (arg, scope) => {
    const fs = compileArgs(arg, scope, 2, Infinity);
    const last = fs.length - 1;
    return (doc, env) => {
      for (let i = 0; i < last; i++) {
        const v = fs[i](doc, env);
        if (!isNullish(v)) return v;
      }
      return fs[last](doc, env);
    };
  },
  $switch: (arg, scope) => {
    const o = namedArgs(arg, ['branches', 'default'], ['branches']);
    if (!Array.isArray(o.branches) || o.branches.length === 0) throw new Unsupported('$switch branches');
    const branches = o.branches.map((b) => {
      const br = namedArgs(b, ['case', 'then'], ['case', 'then']);
      return [compileExpression(br.case, scope), compileExpression(br.then, scope)] as const;
    });
    const dflt = 'default' in o ? compileExpression(o.default, scope) : undefined;
    return (doc, env) => {
      for (const [c, t] of branches) if (truthy(c(doc, env))) return t(doc, env);
      if (!dflt) return fail('$switch could not find a matching branch for an input, and no default was specified.');
      return dflt(doc, env);
    };
  },
  $add: (arg, scope) => {
    const fs = compileArgs(arg, scope, 0, Infinity);
    return (doc, env) => {
      let sum = 0;
      let date: Date | undefined;
      for (const f of fs) {
        const v = f(doc, env);
        if (isNullish(v)) return null;
        if (typeof v === 'number') sum += v;
        else if (v instanceof Date && !date) date = v;
        else if (v instanceof Date) fail('only one date allowed in an $add expression');
        else fail(`$add only supports numeric or date types, not ${typeName(v)}`);
      }
      return date ? new Date(date.getTime() + Math.round(sum)) : sum;
    };
  },
  $subtract: (arg, scope) => {
    const [a, b] = compileArgs(arg, scope, 2);
    return (doc, env) => {
      const x = a(doc, env);
      const y = b(doc, env);
      if (isNullish(x) || isNullish(y)) return null;
      if (typeof x === 'number' && typeof y === 'number') return x - y;
      if (x instanceof Date && y instanceof Date) return x.getTime() - y.getTime();
      if (x instanceof Date && typeof y === 'number') return new Date(x.getTime() - Math.round(y));
      return fail(`can't $subtract ${typeName(y)} from ${typeName(x)}`);
    };
  },
  $multiply: (arg, scope) => {
    const fs = compileArgs(arg, scope, 0, Infinity);
    return (doc, env) => {
      let p = 1;
      for (const f of fs) {
        const v = f(doc, env);
        if (isNullish(v)) return null;
        p *= numeric('$multiply', v);
      }
      return p;
    };
  },
  $divide: (arg, scope) => {
    const [a, b] = compileArgs(arg, scope, 2);
    return (doc, env) => {
      const x = a(doc, env);
      const y = b(doc, env);
      if (isNullish(x) || isNullish(y)) return null;
      if (numeric('$divide', y) === 0) fail("can't $divide by zero");
      return numeric('$divide', x) / (y as number);
    };
  },
  $mod: (arg, scope) => {
    const [a, b] = compileArgs(arg, scope, 2);
    return (doc, env) => {
      const x = a(doc, env);
      const y = b(doc, env);
      if (isNullish(x) || isNullish(y)) return null;
      if (numeric('$mod', y) === 0) fail("can't $mod by zero");
      return numeric('$mod', x) % (y as number);
    };
  },
  $abs: unaryMath('$abs', Math.abs),
  $floor: unaryMath('$floor', Math.floor),
  $ceil: unaryMath('$ceil', Math.ceil),
  $round: (arg, scope) => {
    const [a, p] = compileArgs(arg, scope, 1, 2);
    return (doc, env) => {
      const v = a(doc, env);
      const place = p ? p(doc, env) : 0;
      if (isNullish(v) || isNullish(place)) return null;
      return roundHalfEven(numeric('$round', v), numeric('$round', place));
    };
  },
  $toString: (arg, scope) => {
    const [a] = compileArgs(arg, scope, 1);
    return (doc, env) => toStringValue(a(doc, env));
  },
  $concat: (arg, scope) => {
    const fs = compileArgs(arg, scope, 0, Infinity);
    return (doc, env) => {
      let out = '';
      for (const f of fs) {
        const v = f(doc, env);
        if (isNullish(v)) return null;
        if (typeof v !== 'string') fail(`$concat only supports strings, not ${typeName(v)}`);
        out += v;
      }
      return out;
    };
  },
  $year: datePart('$year', (d) => d.getUTCFullYear()),
  $month: datePart('$month', (d) => d.getUTCMonth() + 1),
  $dayOfMonth: datePart('$dayOfMonth', (d) => d.getUTCDate()),
  $dayOfWeek: datePart('$dayOfWeek', (d) => d.getUTCDay() + 1),
  $dayOfYear: datePart('$dayOfYear', dayOfYear),
  $hour: datePart('$hour', (d) => d.getUTCHours()),
  $minute: datePart('$minute', (d) => d.getUTCMinutes()),
  $second: datePart('$second', (d) => d.getUTCSeconds()),
  $millisecond: datePart('$millisecond', (d) => d.getUTCMilliseconds()),
  $dateToString: (arg, scope) => {
    const o = namedArgs(arg, ['date', 'format', 'onNull'], ['date']);
    const fmt = o.format ?? '%Y-%m-%dT%H:%M:%S.%LZ';
    if (typeof fmt !== 'string') throw new Unsupported('$dateToString format must be a constant string');
    const format = compileFormat(fmt);
    const date = compileExpression(o.date, scope);
    const onNull = 'onNull' in o ? compileExpression(o.onNull, scope) : undefined;
    return (doc, env) => {
      const v = date(doc, env);
      if (isNullish(v)) return onNull ? onNull(doc, env) : null;
      return format(asDate('$dateToString', v));
    };
  },
});
