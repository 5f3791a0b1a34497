import type { Document } from 'bson';

/**
 * The one seam between the storage engine and durability.
 *
 * Every change to the catalog or to a document is described as a Mutation. The engine applies
 * mutations to memory; the journal (when a data directory is configured) appends the same
 * mutations, fsyncs them, and only then is the client's write acknowledged. Replaying the journal
 * through `applyMutation` rebuilds exactly the acknowledged state.
 *
 * Documents are stored whole (post-image), never as update operators, so replay needs no query
 * engine and is deterministic.
 */
export type Mutation =
  | { op: 'createCollection'; db: string; coll: string }
  | { op: 'dropCollection'; db: string; coll: string }
  | { op: 'dropDatabase'; db: string }
  | { op: 'createIndex'; db: string; coll: string; spec: IndexSpec }
  | { op: 'dropIndex'; db: string; coll: string; name: string }
  | { op: 'insert'; db: string; coll: string; doc: Document }
  /** Replace the whole document whose `_id` is `doc._id`. */
  | { op: 'replace'; db: string; coll: string; doc: Document }
  | { op: 'delete'; db: string; coll: string; id: unknown };

/** An index as the `createIndexes` command describes it. */
export interface IndexSpec {
  name: string;
  key: Record<string, 1 | -1 | 'hashed' | 'text' | string | number>;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Document;
  expireAfterSeconds?: number;
}

/**
 * What the server needs from durability. The in-memory default is a no-op implementation.
 * `append` resolves only once the mutations are on stable storage (fsync), so the caller may
 * acknowledge the write. One `append` call is one atomic unit on replay (a committed transaction
 * or one write command's effects): replay applies all of it or none of it.
 */
export interface Durability {
  /** Mutations recovered at start (snapshot first, then journal), to apply in order. */
  recover(): Promise<Mutation[]>;
  append(mutations: Mutation[]): Promise<void>;
  /**
   * Called with a full dump of the state from time to time so the journal can be truncated.
   * `dump()` is called synchronously and must capture the state of that moment, but the mutations
   * may be read (once) long after, while other writes go on: so the documents in it must never be
   * changed in place (the engine replaces a document by a new object on every update).
   */
  maybeCompact(dump: () => Iterable<Mutation>): Promise<void>;
  close(): Promise<void>;
}
