/**
 * The stack under test, one process each: the embedded MongoDB, the four subgraphs, our gateway
 * and the peer (Hive Gateway), with counting proxies (bench/proxy.ts) so that subgraph requests
 * and database commands can be counted without touching the code under test. Each gateway runs
 * twice: the timed one calls the subgraphs directly, a second one through the proxies for the
 * probes that count. The subgraphs reach their MongoDB through a proxy in every run.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEV_AUDIENCE, DEV_ISSUER, devAuth } from '@civil-service/shared';
import { freePort, httpOk, REPO_ROOT, start, stop, tcpOpen, waitUntil, type Pinning, type Proc } from './proc';
import { startHttpCountingProxy, startMongoCountingProxy, type CountingProxy } from './proxy';

export const SUBGRAPHS = ['personnel', 'training', 'evaluation', 'services-quality'] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number];
export type GatewayName = 'ours' | 'hive';

export interface Stack {
  /**
   * The gateways the timed runs load: they call the subgraphs directly. A counting proxy in that
   * path costs CPU on the same two cores (piping ~3.5 MB per workforce answer by state body).
   */
  gateways: Record<GatewayName, { url: string; proc: Proc } | undefined>;
  /** The same gateways once more, calling the subgraphs through their counting proxies: for the probes, which count. */
  countedGateways: Record<GatewayName, { url: string; proc: Proc } | undefined>;
  subgraphs: Record<SubgraphName, { proc: Proc; url: string; proxiedUrl: string }>;
  /** HTTP requests reaching each subgraph (through its proxy). */
  subgraphProxies: Record<SubgraphName, CountingProxy>;
  /** Database commands each subgraph sends (through its own proxy to the one MongoDB). */
  mongoProxies: Record<SubgraphName, CountingProxy>;
  /** Each subgraph's own embedded MongoDB, as each agency runs its own database server. */
  mongos: Record<SubgraphName, Proc>;
  /** What every bench request carries: a monitoring token and a declared purpose. */
  headers: Record<string, string>;
  stop(): Promise<void>;
}

export interface StackOptions {
  servants: number;
  seed: string;
  pinning: Pinning;
  withPeer: boolean;
  log: (line: string) => void;
}

/** Quiet servers: a log line per request would be part of what we measure. */
const QUIET = { LOG_LEVEL: 'warn', NODE_ENV: 'production', APOLLO_TELEMETRY_DISABLED: 'true' };

/** The bench's own NODE_OPTIONS with V8 flags a child needs (as its `npm run` script sets them). */
const nodeOptions = (...flags: string[]) => [process.env.NODE_OPTIONS ?? '', ...flags].join(' ').trim();

const URL_ENV: Record<SubgraphName, string> = {
  personnel: 'PERSONNEL_URL',
  training: 'TRAINING_URL',
  evaluation: 'EVALUATION_URL',
  'services-quality': 'SERVICES_QUALITY_URL',
};

export async function startStack(options: StackOptions): Promise<Stack> {
  const { pinning, log } = options;
  const procs: Proc[] = [];
  const proxies: CountingProxy[] = [];
  let tmp: string | undefined;
  const stopAll = async () => {
    // Gateways first, so nothing keeps calling the subgraphs while they stop.
    for (const proc of [...procs].reverse()) await stop(proc);
    for (const proxy of proxies) await proxy.close();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  };
  try {
    // A signing key of the bench's own, as `npm start` makes under .data/auth; every server verifies with it.
    tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-'));
    const auth = await devAuth(path.join(tmp, 'auth'));
    // NODE_ENV=production (QUIET) makes issuer and audience mandatory: the development ones.
    const authEnv = { AUTH_KEY_FILE: auth.key.file, AUTH_ISSUER: DEV_ISSUER, AUTH_AUDIENCE: DEV_AUDIENCE };
    const headers = { authorization: `Bearer ${await auth.token({ role: 'monitoring', sub: 'bench' }, { ttlMinutes: 24 * 60 })}`, 'x-purpose': 'benchmark' };
    // Each subgraph its own server, as each agency runs its own MongoDB in production: four
    // heaps of a quarter of the data collect faster than one, and they can use more than one core.
    // The in-memory server holds its databases in its V8 heap; Node's default limit (about 4 GB)
    // is too small for personnel's at 100,000 servants. A cap, not a reservation.
    const heapMb = Math.floor((os.totalmem() / 1024 / 1024) * 0.5);
    const mongos = {} as Record<SubgraphName, Proc>;
    const mongoPorts = {} as Record<SubgraphName, number>;
    for (const name of SUBGRAPHS) {
      mongoPorts[name] = await freePort();
      // A young generation of 128 MB semi-spaces: an aggregation over 100,000 entries allocates far
      // more than the default 16 MB between collections, and what survives a few of those is promoted
      // into an old generation of millions of documents, whose full collections take seconds.
      const mongoEnv = { MONGO_PORT: String(mongoPorts[name]), MONGO_HOST: '127.0.0.1', NODE_OPTIONS: nodeOptions(`--max-old-space-size=${heapMb}`, '--max-semi-space-size=128') };
      mongos[name] = start(`mongo-${name}`, 'npx', ['tsx', 'packages/embedded-mongo/src/cli.ts'], mongoEnv, pinning.backend);
      procs.push(mongos[name]);
    }
    for (const name of SUBGRAPHS) await waitUntil(mongos[name], 'listening', tcpOpen(mongoPorts[name]));
    const mongoUri = (name: SubgraphName) => `mongodb://127.0.0.1:${mongoPorts[name]}/?directConnection=true`;
    log(`embedded MongoDB, one per subgraph: ${SUBGRAPHS.map((name) => `${name} on ${mongoPorts[name]}`).join(', ')} (heap limit ${heapMb} MB each)`);

    const seedStarted = Date.now();
    await seed(Object.fromEntries(SUBGRAPHS.map((name) => [name, mongoUri(name)])) as Record<SubgraphName, string>, options.servants, options.seed).catch((err: Error) => {
      const dead = SUBGRAPHS.filter((name) => mongos[name].child.exitCode !== null || mongos[name].child.signalCode !== null);
      const report = dead.map((name) => `the embedded MongoDB of ${name} died (${mongos[name].child.exitCode ?? mongos[name].child.signalCode}):\n${mongos[name].output()}`);
      throw dead.length ? new Error([err.message, ...report].join('\n')) : err;
    });
    log(`seeded ${options.servants} servants in ${((Date.now() - seedStarted) / 1000).toFixed(1)} s`);

    const subgraphs = {} as Stack['subgraphs'];
    const subgraphProxies = {} as Stack['subgraphProxies'];
    const mongoProxies = {} as Stack['mongoProxies'];
    const ports = {} as Record<SubgraphName, number>;
    for (const name of SUBGRAPHS) ports[name] = await freePort();
    for (const name of SUBGRAPHS) {
      const mongoProxy = await startMongoCountingProxy(mongoPorts[name]);
      proxies.push(mongoProxy);
      mongoProxies[name] = mongoProxy;
      const port = ports[name];
      // The hr scope lookup goes straight to personnel, not through its counting proxy: the bench's
      // monitoring token never needs it, and it is not a gateway's request.
      // After the first catch-up the copies poll once an hour, so their reads stay out of the per-request counts (the bench writes nothing).
      // The young generation `npm run subgraph` gives a subgraph (see README).
      const env = { ...QUIET, ...authEnv, NODE_OPTIONS: nodeOptions('--max-semi-space-size=64'), DIRECTORY_SYNC_INTERVAL_MS: '3600000', PORT: String(port), PERSONNEL_URL: `http://127.0.0.1:${ports.personnel}/graphql`, MONGODB_URI: `mongodb://127.0.0.1:${mongoProxy.port}/?directConnection=true` };
      const proc = start(name, 'npx', ['tsx', 'scripts/subgraph.ts', name], env, pinning.backend);
      procs.push(proc);
      const httpProxy = await startHttpCountingProxy(port);
      proxies.push(httpProxy);
      subgraphProxies[name] = httpProxy;
      subgraphs[name] = { proc, url: `http://127.0.0.1:${port}/graphql`, proxiedUrl: `http://127.0.0.1:${httpProxy.port}/graphql` };
    }
    // Started together, waited for together: tsx start-up is the slow part.
    for (const name of SUBGRAPHS) await waitUntil(subgraphs[name].proc, 'health', httpOk(subgraphs[name].url.replace(/graphql$/, 'health')));
    log(`subgraphs up: ${SUBGRAPHS.map((n) => `${n} ${subgraphs[n].url}`).join(', ')}`);
    const syncStarted = Date.now();
    for (const name of SUBGRAPHS.filter((n) => n !== 'personnel')) await waitUntil(subgraphs[name].proc, 'directory copy caught up', directoryCaughtUp(subgraphs[name].url), 600_000);
    log(`servant directory copies caught up with personnel in ${((Date.now() - syncStarted) / 1000).toFixed(1)} s`);

    const gateways: Stack['gateways'] = { ours: undefined, hive: undefined };
    const countedGateways: Stack['countedGateways'] = { ours: undefined, hive: undefined };
    const direct = Object.fromEntries(SUBGRAPHS.map((n) => [n, subgraphs[n].url])) as Record<SubgraphName, string>;
    const proxied = Object.fromEntries(SUBGRAPHS.map((n) => [n, subgraphs[n].proxiedUrl])) as Record<SubgraphName, string>;
    const startOurs = async (label: string, urls: Record<SubgraphName, string>) => {
      const port = await freePort();
      // The heap limit `npm run gateway` sets (see README): the gateway's live heap is about 65 MB,
      // and without a limit V8 let it grow past 250 MB between full collections.
      const env: Record<string, string> = { ...QUIET, ...authEnv, PORT: String(port), SUBGRAPH_TIMEOUT_MS: '5000', NODE_OPTIONS: nodeOptions('--max-old-space-size=192') };
      for (const name of SUBGRAPHS) env[URL_ENV[name]] = urls[name];
      const proc = start(label, 'npx', ['tsx', 'gateway/src/main.ts'], env, pinning.gateway);
      procs.push(proc);
      return { url: `http://127.0.0.1:${port}/graphql`, proc };
    };
    const startHive = async (label: string, urls: Record<SubgraphName, string>) => {
      const supergraph = path.join(tmp!, `supergraph-${label}.graphql`);
      writeFileSync(supergraph, rewriteSubgraphUrls(readFileSync(path.join(REPO_ROOT, 'schema', 'supergraph.graphql'), 'utf8'), urls));
      const port = await freePort();
      const proc = start(
        label,
        'npx',
        // No token, registry, CDN or OpenTelemetry option: Hive Gateway then makes no outside call.
        ['hive-gateway', 'supergraph', supergraph, '--hive-router-runtime', '--host', '127.0.0.1', '--port', String(port), '--polling', '1h', '--config-path', path.join(REPO_ROOT, 'bench', 'hive-gateway.config.ts')],
        { NODE_ENV: 'production', LOG_LEVEL: 'warn', HIVE_ROUTER_RUNTIME: 'true' },
        pinning.gateway,
      );
      procs.push(proc);
      return { url: `http://127.0.0.1:${port}/graphql`, proc };
    };
    gateways.ours = await startOurs('gateway', direct);
    countedGateways.ours = await startOurs('gateway-counted', proxied);
    if (options.withPeer) {
      gateways.hive = await startHive('hive-gateway', direct);
      countedGateways.hive = await startHive('hive-gateway-counted', proxied);
    }
    for (const g of [gateways.ours, countedGateways.ours]) await waitUntil(g.proc, 'health', httpOk(g.url.replace(/graphql$/, 'health')));
    for (const g of [gateways.hive, countedGateways.hive]) if (g) await waitUntil(g.proc, 'readiness', graphqlOk(g.url));
    log(`gateways up: ours ${gateways.ours.url}${gateways.hive ? `, Hive ${gateways.hive.url}` : ''}; for counting, through the proxies: ours ${countedGateways.ours.url}${countedGateways.hive ? `, Hive ${countedGateways.hive.url}` : ''}`);
    return { gateways, countedGateways, subgraphs, subgraphProxies, mongoProxies, mongos, headers, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function seed(uris: Record<SubgraphName, string>, servants: number, seedValue: string): Promise<void> {
  const env: Record<string, string> = { LOG_LEVEL: 'warn' };
  for (const name of SUBGRAPHS) env[`${name.toUpperCase().replace('-', '_')}_MONGODB_URI`] = uris[name];
  const proc = start('seed', 'npx', ['tsx', 'scripts/seed.ts', '--servants', String(servants), '--seed', seedValue], env);
  const code = await proc.exited;
  if (code !== 0) throw new Error(`seed exited with ${code}:\n${proc.output()}`);
}

/** The committed supergraph names placeholder URLs; the peer must call the running subgraphs (`urls`, by name). */
export function rewriteSubgraphUrls(sdl: string, urls: Record<SubgraphName, string>): string {
  return sdl.replace(/@join__graph\(name: "([^"]+)", url: "[^"]*"\)/g, (_whole, name: string) => {
    const target = (urls as Record<string, string | undefined>)[name];
    if (!target) throw new Error(`supergraph names subgraph ${name}, which the bench does not start`);
    return `@join__graph(name: "${name}", url: "${target}")`;
  });
}

/** Hive Gateway answers /health before its schema is loaded; a real query proves it is ready. */
function graphqlOk(url: string): () => Promise<boolean> {
  return async () => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
      signal: AbortSignal.timeout(2000),
    });
    return res.ok && ((await res.json()) as { data?: unknown }).data !== undefined;
  };
}

/** A directory copy has read all of personnel's feed (its `/ready` says how far it is). */
function directoryCaughtUp(graphqlUrl: string): () => Promise<boolean> {
  return async () => {
    const res = await fetch(graphqlUrl.replace(/graphql$/, 'ready'), { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { directory?: { cursor?: number; head?: number; behind?: number } };
    const d = body.directory;
    return !!d && typeof d.cursor === 'number' && d.cursor > 0 && d.behind === 0;
  };
}
