import type { Document } from 'bson';
import { Collection, duplicateKeyError, makeEntry, type Entry, type LockOwner } from './collection';
import type { Engine } from './engine';
import { mongoError } from './errors';
import type { Mutation } from './mutation';
import { canonicalKey } from './values';

/**
 * One collection as a command sees it: the committed state, or a transaction's private overlay
 * on top of it. Reads and writes of every command family go through this interface, so each
 * command works the same inside and outside a transaction.
 */
export interface Store {
  readonly db: string;
  readonly name: string;
  /** The committed collection, if it exists. */
  readonly coll: Collection | undefined;
  get(key: string): Entry | undefined;
  /** Every visible document, committed ones first then transaction-local ones. */
  scan(): Iterable<[string, Entry]>;
  /** Keys that must be checked in addition to an index's candidates (transaction-local changes). */
  extraCandidates(): Iterable<string>;
  readonly size: number;
  insert(doc: Document): void;
  replace(key: string, doc: Document): void;
  delete(key: string): void;
}

export class BaseStore implements Store {
  constructor(
    private readonly engine: Engine,
    readonly db: string,
    readonly name: string,
    private readonly log: Mutation[],
  ) {}

  get coll(): Collection | undefined {
    return this.engine.collection(this.db, this.name);
  }

  get(key: string): Entry | undefined {
    return this.coll?.get(key);
  }

  scan(): Iterable<[string, Entry]> {
    return this.coll?.docs ?? [];
  }

  extraCandidates(): Iterable<string> {
    return [];
  }

  get size(): number {
    return this.coll?.docs.size ?? 0;
  }

  private writable(): Collection {
    return this.engine.ensureCollection(this.db, this.name, this.log);
  }

  insert(doc: Document): void {
    const coll = this.writable();
    const key = canonicalKey(doc._id);
    if (coll.docs.has(key)) throw duplicateKeyError(coll.ns, coll.indexes.get('_id_')!, [doc._id]);
    const violation = coll.uniqueViolation(key, makeEntry(doc));
    if (violation) throw violation;
    this.engine.apply({ op: 'insert', db: this.db, coll: this.name, doc }, this.log);
  }

  replace(key: string, doc: Document): void {
    const coll = this.writable();
    const violation = coll.uniqueViolation(key, makeEntry(doc));
    if (violation) throw violation;
    this.engine.apply({ op: 'replace', db: this.db, coll: this.name, doc }, this.log);
  }

  delete(key: string): void {
    const entry = this.coll?.get(key);
    if (!entry) return;
    this.engine.apply({ op: 'delete', db: this.db, coll: this.name, id: entry.doc._id }, this.log);
  }
}

/** A transaction's view of one collection: its own changes over the committed documents. */
export class TxnStore implements Store {
  /** Changed documents; null marks a deletion. */
  readonly overlay = new Map<string, Entry | null>();
  /** The committed version each changed document had when the transaction first touched it. */
  readonly seen = new Map<string, Entry | undefined>();

  constructor(
    private readonly engine: Engine,
    readonly db: string,
    readonly name: string,
    private readonly owner: LockOwner,
    /** Where catalog changes (implicit collection creation) are logged; they are not transactional. */
    private readonly catalogLog: Mutation[],
  ) {}

  get coll(): Collection | undefined {
    return this.engine.collection(this.db, this.name);
  }

  get(key: string): Entry | undefined {
    if (this.overlay.has(key)) return this.overlay.get(key) ?? undefined;
    return this.coll?.get(key);
  }

  *scan(): Iterable<[string, Entry]> {
    for (const [k, e] of this.coll?.docs ?? []) if (!this.overlay.has(k)) yield [k, e];
    for (const [k, e] of this.overlay) if (e) yield [k, e];
  }

  extraCandidates(): Iterable<string> {
    return this.overlay.keys();
  }

  get size(): number {
    let n = this.coll?.docs.size ?? 0;
    for (const [k, e] of this.overlay) {
      const base = this.coll?.docs.has(k);
      if (base && !e) n--;
      if (!base && e) n++;
    }
    return n;
  }

  /** Claims the document for this transaction, or fails like a write conflict. */
  private lock(key: string): Collection {
    const coll = this.engine.ensureCollection(this.db, this.name, this.catalogLog);
    if (!coll.claim(this.owner, key)) {
      throw mongoError(
        'WriteConflict',
        'WriteConflict error: this operation conflicted with another operation. Please retry your operation or multi-document transaction.',
        {},
        ['TransientTransactionError'],
      );
    }
    return coll;
  }

  private touch(coll: Collection, key: string): void {
    if (!this.seen.has(key)) this.seen.set(key, coll.get(key));
  }

  private checkUnique(coll: Collection, key: string, entry: Entry): void {
    const violation = coll.uniqueViolation(key, entry, (dk) => this.overlay.has(dk));
    if (violation) throw violation;
    for (const idx of coll.indexes.values()) {
      if (!idx.unique) continue;
      const mine = idx.keysOf(entry.doc, entry.q);
      if (!mine) continue;
      const wanted = new Set(mine.full.map((f) => f.key));
      for (const [k, other] of this.overlay) {
        if (k === key || !other) continue;
        const theirs = idx.keysOf(other.doc, other.q);
        const clash = theirs?.full.find((f) => wanted.has(f.key));
        if (clash) throw duplicateKeyError(coll.ns, idx, clash.values);
      }
    }
  }

  insert(doc: Document): void {
    const key = canonicalKey(doc._id);
    const coll = this.lock(key);
    if (this.get(key)) throw duplicateKeyError(coll.ns, coll.indexes.get('_id_')!, [doc._id]);
    const entry = makeEntry(doc);
    this.checkUnique(coll, key, entry);
    this.touch(coll, key);
    this.overlay.set(key, entry);
  }

  replace(key: string, doc: Document): void {
    const coll = this.lock(key);
    const entry = makeEntry(doc);
    this.checkUnique(coll, key, entry);
    this.touch(coll, key);
    this.overlay.set(key, entry);
  }

  delete(key: string): void {
    if (!this.get(key)) return;
    const coll = this.lock(key);
    this.touch(coll, key);
    this.overlay.set(key, null);
  }

  /**
   * Checks that committing is still valid and returns the mutations that publish this
   * transaction's changes. Throws a transient WriteConflict when someone else changed a
   * document this transaction changed, or the collection was dropped meanwhile.
   */
  prepareCommit(): Mutation[] {
    if (this.overlay.size === 0) return [];
    const coll = this.coll;
    const conflict = () =>
      mongoError('WriteConflict', 'WriteConflict error: a document changed while the transaction was open', {}, ['TransientTransactionError']);
    if (!coll) throw conflict();
    for (const [k, before] of this.seen) if (coll.get(k) !== before) throw conflict();
    const out: Mutation[] = [];
    for (const [k, e] of this.overlay) {
      if (e) {
        const violation = coll.uniqueViolation(k, e, (dk) => this.overlay.has(dk));
        if (violation) throw violation;
        out.push({ op: coll.docs.has(k) ? 'replace' : 'insert', db: this.db, coll: this.name, doc: e.doc });
      } else {
        const base = coll.get(k);
        if (base) out.push({ op: 'delete', db: this.db, coll: this.name, id: base.doc._id });
      }
    }
    return out;
  }
}
