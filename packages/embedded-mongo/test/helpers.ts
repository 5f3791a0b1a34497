import { MongoClient } from 'mongodb';
import { startEmbeddedMongo, type EmbeddedMongo, type EmbeddedMongoOptions } from '../src';
import type { Store } from '../src/storage/store';

/** A fresh in-memory server on a random port and a connected driver client. */
export async function startWithClient(opts: EmbeddedMongoOptions = {}): Promise<{ server: EmbeddedMongo; client: MongoClient; close(): Promise<void> }> {
  const server = await startEmbeddedMongo({ port: 0, ...opts });
  const client = await MongoClient.connect(server.uri, { serverSelectionTimeoutMS: 5000 });
  return {
    server,
    client,
    async close() {
      await client.close();
      await server.stop();
    },
  };
}

/** A view of `store` that counts the documents a query reads: by key (`gets`) and by scan. */
export function counted(store: Store): { view: Store; seen: { gets: number; scanned: number } } {
  const seen = { gets: 0, scanned: 0 };
  const view: Store = Object.create(store) as Store;
  Object.defineProperty(view, 'get', { value: (k: string) => (seen.gets++, store.get(k)) });
  Object.defineProperty(view, 'scan', {
    value: function* () {
      for (const e of store.scan()) {
        seen.scanned++;
        yield e;
      }
    },
  });
  return { view, seen };
}
