import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Connection } from 'mongoose';
import { startEmbeddedMongo } from '@civil-service/embedded-mongo';
import { attachCommandCounter, connectDatabase, createLogger, databaseNameFor, type Listening } from '@civil-service/shared';
import { createGateway } from '@civil-service/gateway';
import { seedAll } from '../../scripts/seed-lib';
import { createSubgraphOn, SUBGRAPHS, type SubgraphName } from '../../scripts/subgraph';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CONTRACT_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'contract');

export { SUBGRAPHS, type SubgraphName };

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

export interface Stack {
  gatewayUrl: string;
  dbs: Record<SubgraphName, Connection>;
  /** Driver commands sent to each subgraph's database, for the batching proofs. */
  counters: Record<SubgraphName, ReturnType<typeof attachCommandCounter>>;
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, operationName?: string): Promise<GraphQLResponse<T>>;
  /** Stops one subgraph's HTTP server, as if its process had died. */
  stopSubgraph(name: SubgraphName): Promise<void>;
  /** Starts it again on the same port, through the same factory. */
  startSubgraph(name: SubgraphName): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The whole system in one process, built through the same factories as `npm start`: the embedded
 * MongoDB, the demo data, the four subgraphs on their own ports and the gateway over HTTP.
 */
export async function startStack({ servants = 300, seed = 1 }: { servants?: number; seed?: number } = {}): Promise<Stack> {
  // Quiet by default (a stopped subgraph is logged on purpose); LOG_LEVEL=debug shows everything.
  process.env.LOG_LEVEL ??= 'silent';
  const mongo = await startEmbeddedMongo({ port: 0 });
  await seedAll({ uri: mongo.uri, servants, seed });

  const dbs = {} as Record<SubgraphName, Connection>;
  const counters = {} as Stack['counters'];
  const servers = {} as Record<SubgraphName, Listening>;
  const ports = {} as Record<SubgraphName, number>;
  for (const name of SUBGRAPHS) {
    dbs[name] = await connectDatabase({ uri: mongo.uri, dbName: databaseNameFor(name) });
    counters[name] = attachCommandCounter(dbs[name]);
  }
  const listen = async (name: SubgraphName) => {
    const app = await createSubgraphOn(name, dbs[name]);
    servers[name] = await app.listen(ports[name] ?? 0, '127.0.0.1');
    ports[name] = servers[name].port;
  };
  for (const name of SUBGRAPHS) await listen(name);

  const gateway = createGateway({
    supergraphSdl: readFileSync(path.join(REPO_ROOT, 'schema', 'supergraph.graphql'), 'utf8'),
    subgraphUrls: Object.fromEntries(SUBGRAPHS.map((n) => [n, servers[n].url])),
    timeoutMs: 5000,
    production: false,
    logger: createLogger('gateway'),
  });
  const gatewayServer = await gateway.listen(0, '127.0.0.1');

  return {
    gatewayUrl: gatewayServer.url,
    dbs,
    counters,
    async query(query, variables, operationName) {
      const res = await fetch(gatewayServer.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables, operationName }),
      });
      return (await res.json()) as GraphQLResponse<never>;
    },
    async stopSubgraph(name) {
      await servers[name].close();
    },
    async startSubgraph(name) {
      await listen(name);
    },
    async stop() {
      await gatewayServer.close();
      for (const name of SUBGRAPHS) await servers[name].close().catch(() => undefined);
      for (const name of SUBGRAPHS) await dbs[name].close();
      await mongo.stop();
    },
  };
}

/** The operations of one file of the consumer contract, as written. */
export function contractDocument(file: 'profile' | 'directory' | 'writes' | 'analytics'): string {
  return readFileSync(path.join(CONTRACT_DIR, `${file}.graphql`), 'utf8');
}
