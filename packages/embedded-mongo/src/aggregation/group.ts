import type { Document } from 'bson';
import { canonicalKey, compareValues, isPlainObject } from '../storage/values';
import { compileExpression, Scope, Unsupported, type Fn } from './expression';

/** $group with mongod's accumulator semantics, one hash table keyed by the canonical form of `_id`. */

interface Accumulator {
  step(v: unknown): void;
  result(): unknown;
}

type Factory = () => Accumulator;

const FACTORIES: Record<string, Factory> = {
  // Non-numbers (arrays included) are ignored inside $group, unlike $sum as an expression.
  $sum: () => {
    let s = 0;
    return { step: (v) => void (typeof v === 'number' && (s += v)), result: () => s };
  },
  $avg: () => {
    let s = 0;
    let n = 0;
    return {
      step: (v) => {
        if (typeof v === 'number') {
          s += v;
          n++;
        }
      },
      result: () => (n ? s / n : null),
    };
  },
  $min: () => extreme(-1),
  $max: () => extreme(1),
  $first: () => {
    let seen = false;
    let first: unknown;
    return {
      step: (v) => {
        if (!seen) {
          seen = true;
          first = v;
        }
      },
      result: () => first ?? null,
    };
  },
  $last: () => {
    let last: unknown;
    return { step: (v) => void (last = v), result: () => last ?? null };
  },
  // A missing value is not pushed (mongod), where null is.
  $push: () => {
    const out: unknown[] = [];
    return { step: (v) => void (v !== undefined && out.push(v)), result: () => out };
  },
  $addToSet: () => {
    const seen = new Map<string, unknown>();
    return {
      step: (v) => {
        if (v === undefined) return;
        const k = canonicalKey(v);
        if (!seen.has(k)) seen.set(k, v);
      },
      result: () => [...seen.values()],
    };
  },
};

function extreme(sign: number): Accumulator {
  let best: unknown;
  return {
    step: (v) => {
      if (v === undefined || v === null) return;
      if (best === undefined || sign * compareValues(v, best) > 0) best = v;
    },
    result: () => best ?? null,
  };
}

/**
 * canonicalKey's equality, cheaper for the usual ids: a string, or a flat document of strings
 * (segment keys), with lengths spelled out so no two different ids share a key.
 */
function groupKey(id: unknown): string {
  if (typeof id === 'string') return `S${id}`;
  if (!isPlainObject(id)) return canonicalKey(id);
  let key = 'O';
  for (const k in id) {
    const v = id[k];
    const part = typeof v === 'string' ? `S${v}` : canonicalKey(v);
    key += `${k.length}:${k}${part.length}:${part}`;
  }
  return key;
}

interface CompiledAccumulator {
  name: string;
  factory: Factory;
  arg: Fn;
}

/** A $group fed one document at a time, so the stages before it need not build an array. */
export interface GroupSink {
  add(doc: Document): void;
  finish(): Document[];
}

export type CompiledGroup = ((docs: Document[]) => Document[]) & { sink: () => GroupSink };

export function compileGroup(spec: unknown): CompiledGroup {
  if (!isPlainObject(spec) || !('_id' in spec)) throw new Unsupported('$group spec');
  const scope = new Scope();
  const idFn = compileExpression(spec._id, scope);
  const accs: CompiledAccumulator[] = [];
  for (const [name, value] of Object.entries(spec)) {
    if (name === '_id') continue;
    if (name.includes('.') || name.startsWith('$') || !isPlainObject(value) || Object.keys(value).length !== 1) throw new Unsupported('$group field');
    const [op] = Object.keys(value);
    if (op === '$count') {
      if (!isPlainObject(value.$count) || Object.keys(value.$count).length) throw new Unsupported('$count accumulator');
      accs.push({ name, factory: FACTORIES.$sum, arg: () => 1 });
      continue;
    }
    const factory = FACTORIES[op];
    if (!factory) throw new Unsupported(`accumulator ${op}`);
    // An array argument is an error for these accumulators in mongod; mingo decides.
    if (Array.isArray(value[op])) throw new Unsupported('accumulator with an array argument');
    accs.push({ name, factory, arg: compileExpression(value[op], scope) });
  }
  const slots = scope.slots;
  const sink = (): GroupSink => {
    const env = new Array<unknown>(slots.n);
    const groups = new Map<string, { id: unknown; accs: Accumulator[] }>();
    return {
      add(doc) {
        const id = idFn(doc, env) ?? null;
        const key = groupKey(id);
        let g = groups.get(key);
        if (!g) groups.set(key, (g = { id, accs: accs.map((a) => a.factory()) }));
        for (let i = 0; i < accs.length; i++) g.accs[i].step(accs[i].arg(doc, env));
      },
      finish() {
        const out: Document[] = [];
        for (const g of groups.values()) {
          const row: Document = { _id: g.id };
          for (let i = 0; i < accs.length; i++) row[accs[i].name] = g.accs[i].result();
          out.push(row);
        }
        return out;
      },
    };
  };
  const run = (docs: Document[]) => {
    const g = sink();
    for (const doc of docs) g.add(doc);
    return g.finish();
  };
  return Object.assign(run, { sink });
}
