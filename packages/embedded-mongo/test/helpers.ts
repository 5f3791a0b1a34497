import { MongoClient } from 'mongodb';
import { startEmbeddedMongo, type EmbeddedMongo, type EmbeddedMongoOptions } from '../src';

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
