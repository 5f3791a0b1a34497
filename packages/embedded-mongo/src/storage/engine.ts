import { Collection, ID_INDEX, type Entry } from './collection';
import type { Durability, IndexSpec, Mutation } from './mutation';
import { canonicalKey } from './values';

/** Durability for the in-memory default: nothing to recover, nothing to write. */
export const memoryDurability: Durability = {
  recover: async () => [],
  append: async () => {},
  maybeCompact: async () => {},
  close: async () => {},
};

/**
 * The catalog (databases → collections) and the only place state changes. Every change goes
 * through `applyMutation`, both at runtime and when replaying the journal, so what is journaled
 * is exactly what memory holds.
 */
export class Engine {
  readonly dbs = new Map<string, Map<string, Collection>>();
  private compaction: Promise<void> = Promise.resolve();

  constructor(readonly durability: Durability = memoryDurability) {}

  collection(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  collections(db: string): Collection[] {
    return [...(this.dbs.get(db)?.values() ?? [])];
  }

  /** Applies one mutation to memory. Idempotent, because replay may see a change twice. */
  applyMutation(m: Mutation): void {
    switch (m.op) {
      case 'createCollection': {
        let db = this.dbs.get(m.db);
        if (!db) this.dbs.set(m.db, (db = new Map()));
        if (!db.has(m.coll)) db.set(m.coll, new Collection(m.db, m.coll));
        return;
      }
      case 'dropCollection':
        this.dbs.get(m.db)?.delete(m.coll);
        if (this.dbs.get(m.db)?.size === 0) this.dbs.delete(m.db);
        return;
      case 'dropDatabase':
        this.dbs.delete(m.db);
        return;
      case 'createIndex': {
        const c = this.ensure(m.db, m.coll);
        if (!c.indexes.has(m.spec.name)) c.buildIndex(m.spec);
        return;
      }
      case 'dropIndex':
        this.collection(m.db, m.coll)?.indexes.delete(m.name);
        return;
      case 'insert':
      case 'replace':
        this.ensure(m.db, m.coll).put(m.doc);
        return;
      case 'delete':
        this.collection(m.db, m.coll)?.remove(canonicalKey(m.id));
        return;
    }
  }

  private ensure(db: string, name: string): Collection {
    this.applyMutation({ op: 'createCollection', db, coll: name });
    return this.collection(db, name)!;
  }

  /** Applies a runtime change and records it for the command's durability append. */
  apply(m: Mutation, log: Mutation[]): void {
    this.applyMutation(m);
    log.push(m);
  }

  /** Collection for a write, created (and logged) when missing. */
  ensureCollection(db: string, name: string, log: Mutation[]): Collection {
    const existing = this.collection(db, name);
    if (existing) return existing;
    this.apply({ op: 'createCollection', db, coll: name }, log);
    return this.collection(db, name)!;
  }

  /**
   * Makes a command's changes durable; resolves when they may be acknowledged. Must be called
   * in the same tick as the changes were applied, so a compaction dump never holds a change
   * that is journaled after it.
   */
  async persist(log: Mutation[]): Promise<void> {
    if (log.length === 0) return;
    const appended = this.durability.append(log);
    // The write is durable once journaled. The snapshot it may trigger takes seconds at a few
    // million documents; acknowledging only after it held up this write, and every write a
    // client orders behind it (an audit chain appends one entry after another), for that long.
    const started = this.durability.maybeCompact(() => this.dump());
    // A write during a compaction starts none (it resolves at once): keep waiting for the running one.
    this.compaction = this.compaction.then(() => started);
    await appended;
  }

  /** Resolves when the last compaction a write started has installed its snapshot (or failed; it never rejects). */
  compacted(): Promise<void> {
    return this.compaction;
  }

  /**
   * The whole state as mutations that rebuild it from nothing. The state is captured now (each
   * collection's entries are copied into an array, which allocates nothing per document); the
   * mutations are made as they are read, once. Stored documents are never changed in place, so
   * reading later still yields the state of this moment.
   */
  dump(): Iterable<Mutation> {
    const parts: { db: string; coll: string; specs: IndexSpec[]; entries: Entry[] }[] = [];
    for (const [dbName, db] of this.dbs) {
      for (const [name, c] of db) {
        const specs = [...c.indexes.values()].filter((idx) => idx.name !== ID_INDEX.name).map((idx) => idx.spec);
        parts.push({ db: dbName, coll: name, specs, entries: Array.from(c.docs.values()) });
      }
    }
    return (function* (): Generator<Mutation> {
      for (const { db, coll, specs, entries } of parts) {
        yield { op: 'createCollection', db, coll };
        for (const spec of specs) yield { op: 'createIndex', db, coll, spec };
        for (const e of entries) yield { op: 'insert', db, coll, doc: e.doc };
      }
    })();
  }

  async recover(): Promise<void> {
    for (const m of await this.durability.recover()) this.applyMutation(m);
  }
}
