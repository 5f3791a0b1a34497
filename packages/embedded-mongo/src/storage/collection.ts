import { UUID, type Document } from 'bson';
import { MongoError, mongoError } from './errors';
import { Index, type IndexKeys } from './indexes';
import type { IndexSpec } from './mutation';
import { canonicalKey, toQueryForm } from './values';

/** A stored document and the form mingo matches against (the same object unless it holds longs/decimals). */
export interface Entry {
  doc: Document;
  q: Document;
}

export function makeEntry(doc: Document): Entry {
  return { doc, q: toQueryForm(doc) };
}

/** Something that can hold a collection's write lock: an open transaction. */
export interface LockOwner {
  readonly id: string;
}

export const ID_INDEX: IndexSpec = { name: '_id_', key: { _id: 1 } };

export class Collection {
  readonly docs = new Map<string, Entry>();
  readonly indexes = new Map<string, Index>();
  readonly uuid = new UUID();
  /** Open transactions that changed this collection; other writers wait for them. */
  readonly holders = new Set<LockOwner>();
  /** Which open transaction changed each document, to detect write conflicts between them. */
  readonly docOwners = new Map<string, LockOwner>();
  private waiters: (() => void)[] = [];

  constructor(
    readonly db: string,
    readonly name: string,
  ) {
    this.indexes.set(ID_INDEX.name, new Index(ID_INDEX));
  }

  get ns(): string {
    return `${this.db}.${this.name}`;
  }

  get locked(): boolean {
    return this.holders.size > 0;
  }

  /** Resolves once no transaction holds this collection. */
  async waitUnlocked(): Promise<void> {
    while (this.holders.size) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Claims a document for a transaction; false when another open transaction already did. */
  claim(owner: LockOwner, key: string): boolean {
    const current = this.docOwners.get(key);
    if (current && current !== owner) return false;
    this.holders.add(owner);
    this.docOwners.set(key, owner);
    return true;
  }

  unlock(owner: LockOwner): void {
    if (!this.holders.delete(owner)) return;
    for (const [k, o] of this.docOwners) if (o === owner) this.docOwners.delete(k);
    if (this.holders.size) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  get(key: string): Entry | undefined {
    return this.docs.get(key);
  }

  private indexKeys(entry: Entry): Map<Index, IndexKeys | null> {
    const out = new Map<Index, IndexKeys | null>();
    for (const idx of this.indexes.values()) out.set(idx, idx.keysOf(entry.doc, entry.q));
    return out;
  }

  /** Puts the document in place (insert or whole replacement); no constraint checks. */
  put(doc: Document): void {
    const key = canonicalKey(doc._id);
    const old = this.docs.get(key);
    if (old) for (const [idx, keys] of this.indexKeys(old)) idx.remove(key, keys);
    const entry = makeEntry(doc);
    this.docs.set(key, entry);
    for (const [idx, keys] of this.indexKeys(entry)) idx.add(key, keys);
  }

  remove(key: string): boolean {
    const old = this.docs.get(key);
    if (!old) return false;
    for (const [idx, keys] of this.indexKeys(old)) idx.remove(key, keys);
    this.docs.delete(key);
    return true;
  }

  buildIndex(spec: IndexSpec): Index {
    const idx = new Index(spec);
    for (const [key, entry] of this.docs) idx.add(key, idx.keysOf(entry.doc, entry.q));
    this.indexes.set(spec.name, idx);
    return idx;
  }

  /**
   * The first unique-index violation `entry` would cause if stored under `key`, looking at
   * committed documents. `ignore` hides documents a transaction has changed or deleted.
   */
  uniqueViolation(key: string, entry: Entry, ignore?: (docKey: string) => boolean): MongoError | null {
    for (const idx of this.indexes.values()) {
      if (!idx.unique) continue;
      const keys = idx.keysOf(entry.doc, entry.q);
      if (!keys) continue;
      for (const h of idx.holders(keys.full, key)) {
        if (ignore?.(h.docKey)) continue;
        return duplicateKeyError(this.ns, idx, h.values);
      }
    }
    return null;
  }
}

export function duplicateKeyError(ns: string, idx: Index, values: unknown[]): MongoError {
  const keyValue: Document = {};
  idx.fields.forEach((f, i) => (keyValue[f] = values[i] ?? null));
  const shown = idx.fields.map((f, i) => `${f}: ${formatValue(values[i])}`).join(', ');
  return mongoError('DuplicateKey', `E11000 duplicate key error collection: ${ns} index: ${idx.name} dup key: { ${shown} }`, {
    keyPattern: idx.spec.key,
    keyValue,
  });
}

/** Renders a key value the way mongod's duplicate key messages do. */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (Array.isArray(v)) return `[ ${v.map(formatValue).join(', ')} ]`;
  const t = (v as { _bsontype?: string })._bsontype;
  if (t === 'ObjectId') return `ObjectId('${(v as { toHexString(): string }).toHexString()}')`;
  if (t === 'Long' || t === 'Int32' || t === 'Double') return String(v);
  if (t === 'Decimal128') return `Decimal128("${String(v)}")`;
  if (t) return String(v);
  const obj = v as Document;
  return `{ ${Object.keys(obj)
    .map((k) => `${k}: ${formatValue(obj[k])}`)
    .join(', ')} }`;
}
