import { BSON, type Document } from 'bson';
import type { IndexSpec, Mutation } from '../../src/storage/mutation';

/**
 * A deliberately tiny stand-in for the storage engine: applies mutations to maps and dumps its
 * state back as mutations. The persistence tests use it to check that "replay what was
 * recovered" reproduces "the state we had", independently of the real engine.
 */
export class Model {
  readonly dbs = new Map<string, Map<string, { docs: Map<string, Document>; indexes: Map<string, IndexSpec> }>>();

  apply(m: Mutation): void {
    switch (m.op) {
      case 'createCollection':
        this.coll(m.db, m.coll, true);
        return;
      case 'dropCollection':
        this.dbs.get(m.db)?.delete(m.coll);
        return;
      case 'dropDatabase':
        this.dbs.delete(m.db);
        return;
      case 'createIndex':
        this.coll(m.db, m.coll, true).indexes.set(m.spec.name, m.spec);
        return;
      case 'dropIndex':
        this.coll(m.db, m.coll, true).indexes.delete(m.name);
        return;
      case 'insert': {
        const docs = this.coll(m.db, m.coll, true).docs;
        const key = idKey(m.doc._id);
        if (docs.has(key)) throw new Error(`duplicate _id ${key} in ${m.db}.${m.coll}`);
        docs.set(key, m.doc);
        return;
      }
      case 'replace': {
        const docs = this.coll(m.db, m.coll, true).docs;
        const key = idKey(m.doc._id);
        if (!docs.has(key)) throw new Error(`replace of missing _id ${key}`);
        docs.set(key, m.doc);
        return;
      }
      case 'delete':
        this.coll(m.db, m.coll, true).docs.delete(idKey(m.id));
        return;
    }
  }

  applyAll(ms: Iterable<Mutation>): this {
    for (const m of ms) this.apply(m);
    return this;
  }

  dump(): Mutation[] {
    const out: Mutation[] = [];
    for (const [db, colls] of this.dbs) {
      for (const [coll, { docs, indexes }] of colls) {
        out.push({ op: 'createCollection', db, coll });
        for (const spec of indexes.values()) out.push({ op: 'createIndex', db, coll, spec });
        for (const doc of docs.values()) out.push({ op: 'insert', db, coll, doc });
      }
    }
    return out;
  }

  /** Canonical bytes of the whole state, for exact comparisons. */
  fingerprint(): string {
    return this.dump()
      .map((m) => Buffer.from(BSON.serialize(m, { checkKeys: false, ignoreUndefined: false })).toString('hex'))
      .join('\n');
  }

  docs(db: string, coll: string): Map<string, Document> {
    return this.dbs.get(db)?.get(coll)?.docs ?? new Map();
  }

  private coll(db: string, coll: string, create: boolean) {
    let colls = this.dbs.get(db);
    if (!colls) {
      if (!create) throw new Error(`no db ${db}`);
      colls = new Map();
      this.dbs.set(db, colls);
    }
    let c = colls.get(coll);
    if (!c) {
      c = { docs: new Map(), indexes: new Map() };
      colls.set(coll, c);
    }
    return c;
  }
}

export function idKey(id: unknown): string {
  return Buffer.from(BSON.serialize({ id }, { checkKeys: false })).toString('hex');
}
