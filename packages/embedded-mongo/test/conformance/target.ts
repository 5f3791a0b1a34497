import { randomBytes } from 'node:crypto';
import { MongoClient, type Db } from 'mongodb';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../src';

/**
 * The server a conformance file runs against: the embedded one by default, or the real
 * MongoDB named by MONGODB_URI (which must be a replica set for the transaction tests). The
 * same assertions run in both cases, which is the point of the suite.
 */
export interface Target {
  uri: string;
  client: MongoClient;
  /** True against the embedded server; only used to name what is being tested. */
  embedded: boolean;
  /** A database with a unique name; every database handed out is dropped by close(). */
  db(label: string): Db;
  close(): Promise<void>;
}

export async function openTarget(): Promise<Target> {
  const external = process.env.MONGODB_URI;
  let server: EmbeddedMongo | undefined;
  const uri = external ?? (server = await startEmbeddedMongo({ port: 0 })).uri;
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 10_000 });
  const used: Db[] = [];
  return {
    uri,
    client,
    embedded: !external,
    db(label) {
      const db = client.db(`conf_${label}_${randomBytes(4).toString('hex')}`);
      used.push(db);
      return db;
    },
    async close() {
      try {
        for (const db of used) await db.dropDatabase().catch(() => undefined);
      } finally {
        await client.close();
        await server?.stop();
      }
    },
  };
}

/** host and port of a mongodb:// URI, for tests that speak the wire protocol over a raw socket. */
export function hostPort(uri: string): { host: string; port: number } {
  const m = /^mongodb:\/\/(?:[^@/]*@)?(\[[^\]]+\]|[^:/,?]+)(?::(\d+))?/.exec(uri);
  if (!m) throw new Error(`cannot parse host from ${uri}`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2] ?? 27017) };
}
