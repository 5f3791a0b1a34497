import type { Document } from 'bson';
import { isPlainObject } from '../storage/values';
import { compileExpression, Unsupported, type Fn, type Scope } from './expression';

/**
 * $project, $addFields/$set and $unset as a tree of paths, applied copy-on-write: every object on
 * a changed path is a new object, so the stored documents the pipeline started from never change.
 * The semantics follow mongod's projection executor: a computed path walks into every element of
 * an array, and replaces a scalar (or fills a missing field) with a document of the computed fields.
 */

type Leaf = { kind: 'include' } | { kind: 'exclude' } | { kind: 'expr'; fn: Fn };

interface Node {
  children: Map<string, Node | Leaf>;
  /** Whether some computed field lies at or under this node. */
  computed: boolean;
}

const isLeaf = (x: Node | Leaf): x is Leaf => 'kind' in x;

/** An embedded document (not an array, a Date or a BSON value). */
export function isDocument(v: unknown): v is Document {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && (v as { _bsontype?: unknown })._bsontype === undefined;
}

function addPath(root: Node, path: string, leaf: Leaf): void {
  const parts = path.split('.');
  if (parts.some((p) => p === '' || p.startsWith('$'))) throw new Unsupported(`projection path ${path}`);
  let node = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = node.children.get(parts[i]);
    if (next && isLeaf(next)) throw new Unsupported('path collision');
    if (!next) node.children.set(parts[i], { children: new Map(), computed: false });
    node = node.children.get(parts[i]) as Node;
    if (leaf.kind === 'expr') node.computed = true;
  }
  const last = parts[parts.length - 1];
  if (node.children.has(last)) throw new Unsupported('path collision');
  node.children.set(last, leaf);
  if (leaf.kind === 'expr') {
    node.computed = true;
    root.computed = true;
  }
}

/** Spec entries with nested objects flattened into dotted paths (operator objects are leaves). */
function flatten(spec: Document, prefix = '', out: [string, unknown][] = []): [string, unknown][] {
  for (const [k, v] of Object.entries(spec)) {
    const path = prefix + k;
    if (isPlainObject(v) && !Object.keys(v).some((x) => x.startsWith('$'))) {
      if (Object.keys(v).length === 0) throw new Unsupported('empty sub-projection');
      flatten(v, `${path}.`, out);
    } else out.push([path, v]);
  }
  return out;
}

function emptyNode(): Node {
  return { children: new Map(), computed: false };
}

/** Writes the computed fields of `node` into `value` (a copy); see the file comment for arrays and scalars. */
function applyComputed(node: Node, value: unknown, root: Document, env: unknown[]): unknown {
  if (Array.isArray(value)) return value.map((el) => applyComputed(node, el, root, env));
  const out: Document = isDocument(value) ? { ...value } : {};
  for (const [k, child] of node.children) {
    if (isLeaf(child)) {
      if (child.kind !== 'expr') continue;
      const v = child.fn(root, env);
      if (v === undefined) delete out[k];
      else out[k] = v;
    } else if (child.computed) {
      out[k] = applyComputed(child, out[k], root, env);
    }
  }
  return out;
}

/** Inclusion: fields in the input's order, then computed fields in the spec's order. */
function applyInclusion(node: Node, value: Document, root: Document, env: unknown[]): Document {
  const out: Document = {};
  for (const k in value) {
    const child = node.children.get(k);
    if (!child) continue;
    if (isLeaf(child)) {
      if (child.kind === 'include') out[k] = value[k];
    } else {
      const v = includeValue(child, value[k], root, env);
      if (v !== undefined) out[k] = v;
    }
  }
  if (node.computed) {
    for (const [k, child] of node.children) {
      if (isLeaf(child)) {
        if (child.kind !== 'expr') continue;
        const v = child.fn(root, env);
        if (v !== undefined) out[k] = v;
      } else if (child.computed && !(k in value)) {
        out[k] = applyComputed(child, undefined, root, env);
      }
    }
  }
  return out;
}

function includeValue(node: Node, v: unknown, root: Document, env: unknown[]): unknown {
  if (isDocument(v)) return applyInclusion(node, v, root, env);
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const el of v) {
      const x = includeValue(node, el, root, env);
      if (x !== undefined) out.push(x);
    }
    return out;
  }
  return node.computed ? applyComputed(node, undefined, root, env) : undefined;
}

function applyExclusion(node: Node, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((el) => applyExclusion(node, el));
  if (!isDocument(value)) return value;
  const out: Document = {};
  for (const k in value) {
    const child = node.children.get(k);
    if (!child) out[k] = value[k];
    else if (!isLeaf(child)) out[k] = applyExclusion(child, value[k]);
  }
  return out;
}

export type DocFn = (doc: Document, env: unknown[]) => Document;

export function compileAddFields(spec: unknown, scope: Scope): DocFn {
  if (!isPlainObject(spec) || Object.keys(spec).length === 0) throw new Unsupported('$addFields spec');
  const root = emptyNode();
  for (const [path, v] of flatten(spec)) addPath(root, path, { kind: 'expr', fn: compileExpression(v, scope) });
  return (doc, env) => applyComputed(root, doc, doc, env) as Document;
}

export function compileUnset(spec: unknown): DocFn {
  const paths = typeof spec === 'string' ? [spec] : spec;
  if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string')) throw new Unsupported('$unset spec');
  const root = emptyNode();
  for (const p of paths as string[]) addPath(root, p, { kind: 'exclude' });
  return (doc) => applyExclusion(root, doc) as Document;
}

function isFlag(v: unknown): v is number | boolean {
  return typeof v === 'boolean' || typeof v === 'number';
}

export function compileProject(spec: unknown, scope: Scope): DocFn {
  if (!isPlainObject(spec) || Object.keys(spec).length === 0) throw new Unsupported('$project spec');
  const entries = flatten(spec);
  const nonId = entries.filter(([p]) => p !== '_id');
  const exclusion = nonId.length > 0 ? nonId.every(([, v]) => isFlag(v) && !v) : entries.every(([, v]) => isFlag(v) && !v);
  const root = emptyNode();
  if (exclusion) {
    for (const [path, v] of entries) {
      if (!isFlag(v) || v) throw new Unsupported('mixed projection');
      addPath(root, path, { kind: 'exclude' });
    }
    return (doc) => applyExclusion(root, doc) as Document;
  }
  let excludeId = false;
  for (const [path, v] of entries) {
    if (isFlag(v) && !v) {
      if (path !== '_id') throw new Unsupported('exclusion inside an inclusion projection');
      excludeId = true;
    } else if (isFlag(v)) addPath(root, path, { kind: 'include' });
    else if (v === null || v === undefined) throw new Unsupported('null in a projection');
    else addPath(root, path, { kind: 'expr', fn: compileExpression(v, scope) });
  }
  if (!excludeId && !root.children.has('_id')) {
    // _id comes first unless excluded; keep it ahead of the other fields as mongod does.
    const rest = [...root.children];
    root.children.clear();
    root.children.set('_id', { kind: 'include' });
    for (const [k, c] of rest) root.children.set(k, c);
  }
  return (doc, env) => applyInclusion(root, doc, doc, env);
}
