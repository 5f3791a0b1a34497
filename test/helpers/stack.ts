import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Connection } from 'mongoose';
import { startEmbeddedMongo } from '@civil-service/embedded-mongo';
import { attachCommandCounter, connectDatabase, createLogger, databaseNameFor, devAuth, mintedServiceToken, type DevAuth, type DirectorySync, type Listening, type TokenClaims, type GraphQLResponse } from '@civil-service/shared';
import { createGateway } from '@civil-service/gateway';
import { seedAll } from '../../scripts/seed-lib';
import { createSubgraphOn, SUBGRAPHS, withPersonnelLookup, type SubgraphName } from '../../scripts/subgraph';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CONTRACT_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'contract');

export { SUBGRAPHS, type SubgraphName };

export type { GraphQLResponse };

/** How a test calls: a bearer token (null: none) and extra headers. */
export interface CallOptions {
  token?: string | null;
  headers?: Record<string, string>;
}

/** The token the contract's consumers are tested with by default: monitoring, with a purpose. */
export const DEFAULT_CLAIMS: TokenClaims = { role: 'monitoring', purpose: 'end-to-end contract check' };

export interface Stack {
  gatewayUrl: string;
  /** The embedded MongoDB's connection string, for commands run against the stack's data (`npm run audit:verify`). */
  mongoUri: string;
  /** Each subgraph's own URL, for calls that bypass the gateway. */
  subgraphUrls: Record<SubgraphName, string>;
  /** The stack's signing key (a temporary directory) and token mint. */
  auth: DevAuth;
  token(claims: TokenClaims): Promise<string>;
  dbs: Record<SubgraphName, Connection>;
  /** Driver commands sent to each subgraph's database, for the batching proofs. */
  counters: Record<SubgraphName, ReturnType<typeof attachCommandCounter>>;
  /** Through the gateway, as DEFAULT_CLAIMS unless `options.token` says otherwise. */
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, operationName?: string, options?: CallOptions): Promise<GraphQLResponse<T>>;
  /** POSTs to `url` and returns the HTTP status too. */
  post<T = Record<string, unknown>>(url: string, body: object, options?: CallOptions): Promise<{ status: number; body: GraphQLResponse<T> }>;
  /** Brings every subgraph's servant directory copy up to personnel's now (they also follow it every 500 ms). */
  syncDirectories(): Promise<void>;
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
export async function startStack({
  servants = 300,
  seed = 1,
  directorySyncIntervalMs = 60_000,
}: {
  servants?: number;
  seed?: number;
  /**
   * How often the directory copies poll personnel once caught up. Long by default, so the copies'
   * reads stay out of tests that count database commands; the stack catches them up at start and
   * `syncDirectories()` does it on demand.
   */
  directorySyncIntervalMs?: number;
} = {}): Promise<Stack> {
  // Quiet by default (a stopped subgraph is logged on purpose); LOG_LEVEL=debug shows everything.
  process.env.LOG_LEVEL ??= 'silent';
  // A signing key of its own per stack, in a temporary directory, as `npm start` makes under .data/auth.
  const keyDir = mkdtempSync(path.join(tmpdir(), 'csg-auth-'));
  const auth = await devAuth(keyDir);
  const defaultToken = await auth.token(DEFAULT_CLAIMS);
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
    // personnel listens first and keeps its port when restarted, so its URL holds for the others.
    const lookup = servers.personnel ? { url: `http://127.0.0.1:${ports.personnel}/graphql`, serviceToken: mintedServiceToken(auth.key, name), intervalMs: directorySyncIntervalMs } : undefined;
    const app = await createSubgraphOn(name, dbs[name], withPersonnelLookup(name, { verifier: auth.verifier }, lookup), lookup);
    servers[name] = await app.listen(ports[name] ?? 0, '127.0.0.1');
    ports[name] = servers[name].port;
    if (app.directorySync) syncs[name] = app.directorySync;
    if (app.factsCaughtUp) facts[name] = app.factsCaughtUp;
  };
  const syncs: Partial<Record<SubgraphName, DirectorySync>> = {};
  const facts: Partial<Record<SubgraphName, () => Promise<void>>> = {};
  // The facts in memory follow the copies in the background: tests count commands after both.
  const syncDirectories = async () => {
    for (const sync of Object.values(syncs)) await sync.catchUp();
    for (const caughtUp of Object.values(facts)) await caughtUp();
  };
  for (const name of SUBGRAPHS) await listen(name);
  // The copies start filling in the background; tests start from caught-up copies.
  await syncDirectories();

  const gateway = createGateway({
    supergraphSdl: readFileSync(path.join(REPO_ROOT, 'schema', 'supergraph.graphql'), 'utf8'),
    subgraphUrls: Object.fromEntries(SUBGRAPHS.map((n) => [n, servers[n].url])),
    timeoutMs: 5000,
    production: false,
    logger: createLogger('gateway'),
    verifier: auth.verifier,
  });
  const gatewayServer = await gateway.listen(0, '127.0.0.1');

  const post: Stack['post'] = async (url, body, options = {}) => {
    const token = options.token === undefined ? defaultToken : options.token;
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...options.headers },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as GraphQLResponse<never> };
  };
  return {
    gatewayUrl: gatewayServer.url,
    mongoUri: mongo.uri,
    get subgraphUrls() {
      return Object.fromEntries(SUBGRAPHS.map((n) => [n, servers[n].url])) as Record<SubgraphName, string>;
    },
    auth,
    syncDirectories,
    token: (claims) => auth.token(claims),
    dbs,
    counters,
    post,
    async query(query, variables, operationName, options) {
      return (await post(gatewayServer.url, { query, variables, operationName }, options)).body as GraphQLResponse<never>;
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
      rmSync(keyDir, { recursive: true, force: true });
    },
  };
}

/** The operations of one file of the consumer contract, as written. */
export function contractDocument(file: 'profile' | 'directory' | 'writes' | 'analytics'): string {
  return readFileSync(path.join(CONTRACT_DIR, `${file}.graphql`), 'utf8');
}
