/**
 * `npm start`: the whole system in one process, needing nothing installed or running. The embedded
 * MongoDB keeps its data in ./.data (unless MONGODB_URI points elsewhere), the demo data is seeded
 * on the first run only, then the four subgraphs and the gateway start through the same factories
 * as their own processes. Ctrl-C stops everything and flushes the journal.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startEmbeddedMongo, type EmbeddedMongo } from '@civil-service/embedded-mongo';
import { ConfigError, connectDatabase, devAuth, mintedServiceToken, type DevAuth, createLogger, databaseNameFor, integer, isProduction, mongoUri, port, runMain, type Listening } from '@civil-service/shared';
import { createGateway, loadLimits } from '@civil-service/gateway';
import { registerModels, type PersonnelModels } from '@civil-service/personnel';
import { seedAll, type SeedProgress } from './seed-lib';
import { closeOnSignals, startSubgraph, SUBGRAPHS, withPersonnelLookup, type RunningSubgraph } from './subgraph';

const REPO_ROOT = path.resolve(__dirname, '..');
const DATA_DIR = path.join(REPO_ROOT, '.data');
/** Where the subgraphs listen when those ports are free; any free port otherwise. */
const PREFERRED_PORTS = [4001, 4002, 4003, 4004];
/** The demo data set is the same on every machine. */
const DEMO_SEED = 1;

function readConfig(env: NodeJS.ProcessEnv) {
  return {
    gatewayPort: port(env, 'PORT', 4000),
    mongoUri: mongoUri(env, 'MONGODB_URI', { required: false }),
    mongoPort: port(env, 'MONGO_PORT', 0),
    servants: integer(env, 'SEED_SERVANTS', 2000, { min: 1, max: 1_000_000 }),
    timeoutMs: integer(env, 'SUBGRAPH_TIMEOUT_MS', 5000, { min: 1, max: 600_000 }),
    production: isProduction(env),
  };
}

/** Runs `read` against the register through personnel's own models (they know its collections). */
async function withRegister<T>(uri: string, read: (models: PersonnelModels) => Promise<T>): Promise<T> {
  const db = await connectDatabase({ uri, dbName: databaseNameFor('personnel'), maxPoolSize: 1 });
  try {
    return await read(registerModels(db));
  } finally {
    await db.close();
  }
}

/** True when the register holds no servant yet: the first run against this database. */
function registerIsEmpty(uri: string): Promise<boolean> {
  return withRegister(uri, async ({ CivilServant }) => (await CivilServant.estimatedDocumentCount()) === 0);
}

/** One active servant's IIN, for the sample query. */
function sampleIin(uri: string): Promise<string | undefined> {
  return withRegister(uri, async ({ CivilServant }) => {
    const servant = await CivilServant.findOne({ status: 'ACTIVE' }, { iin: 1 }).lean<{ iin?: unknown }>();
    return typeof servant?.iin === 'string' ? servant.iin : undefined;
  });
}

/** A servant in service and their current body, for the printed hr and servant tokens. */
function sampleServant(uri: string): Promise<{ id: string; stateBody: string } | undefined> {
  return withRegister(uri, async ({ CivilServant }) => {
    const s = await CivilServant.findOne({ status: 'ACTIVE', currentStateBodyId: { $ne: null } }, { currentStateBodyId: 1 }).lean<{ _id: unknown; currentStateBodyId: unknown }>();
    return s ? { id: String(s._id), stateBody: String(s.currentStateBodyId) } : undefined;
  });
}

/** Ready-to-use development tokens, one per role, valid for 12 hours. */
async function printTokens(auth: DevAuth, sample: { id: string; stateBody: string } | undefined): Promise<void> {
  const ttl = { ttlMinutes: 12 * 60 };
  const tokens: Array<[string, string]> = [
    ['monitoring (purpose: demo)', await auth.token({ role: 'monitoring', purpose: 'demo' }, ttl)],
    ['analyst', await auth.token({ role: 'analyst' }, ttl)],
    ['academy', await auth.token({ role: 'academy' }, ttl)],
  ];
  if (sample) {
    tokens.push([`hr of body ${sample.stateBody} (purpose: demo)`, await auth.token({ role: 'hr', stateBody: sample.stateBody, purpose: 'demo' }, ttl)]);
    tokens.push([`servant ${sample.id}`, await auth.token({ role: 'servant', servant: sample.id, sub: `servant-${sample.id}` }, ttl)]);
  }
  console.log('\nTokens (send as Authorization: Bearer <token>; more: npm run token -- --role <role>):');
  for (const [label, token] of tokens) console.log(`  ${label}:\n    ${token}`);
}

/** Progress on one line per subgraph, every tenth of the way (readable in a terminal and a log). */
function seedProgressPrinter() {
  const shown = new Map<string, number>();
  return ({ subgraph, done, total }: SeedProgress) => {
    const step = Math.floor((10 * done) / Math.max(total, 1));
    if ((shown.get(subgraph) ?? -1) >= step) return;
    shown.set(subgraph, step);
    process.stdout.write(`  seeding ${subgraph.padEnd(16)} ${String(step * 10).padStart(3)}%\n`);
  };
}

/** Listens on the preferred port, or any free one when it is taken. */
async function startOnPreferredPort(start: (port: number) => Promise<RunningSubgraph>, preferred: number): Promise<RunningSubgraph> {
  try {
    return await start(preferred);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    return start(0);
  }
}

function sampleQuery(iin: string | undefined): string {
  return [
    'query CivilServantProfile($iin: IIN!) {',
    '  civilServant(iin: $iin) {',
    '    lastName firstName corps status',
    '    currentAssignment { startDate position { title categoryCode stateBody { name region } } }',
    '    civilServiceTenure { years months days }',
    '    trainingOverdue latestAnnualBand assessmentRequired',
    '    serviceQuality { requestsHandled onTimeRate averageRating }',
    '  }',
    '}',
    `variables: { "iin": "${iin ?? '<an IIN from the register>'}" }`,
  ].join('\n');
}

async function main(): Promise<void> {
  const config = readConfig(process.env);
  const logger = createLogger('start');
  const stops: Array<() => Promise<void>> = [];
  // Everything started so far, newest first, so a failure half-way leaves nothing running.
  const stopAll = async () => {
    for (const stop of stops.reverse().splice(0)) await stop().catch((err: unknown) => logger.error({ err }, 'error while stopping'));
  };
  closeOnSignals(logger, stopAll);

  try {
    let uri = config.mongoUri;
    if (!uri) {
      const mongo: EmbeddedMongo = await startEmbeddedMongo({ port: config.mongoPort, dataDir: DATA_DIR });
      stops.push(() => mongo.stop());
      uri = mongo.uri;
      console.log(`Embedded MongoDB on ${uri} (data in ${path.relative(process.cwd(), DATA_DIR) || DATA_DIR})`);
    }

    if (await registerIsEmpty(uri)) {
      console.log(`First run: seeding ${config.servants} servants (seed ${DEMO_SEED})…`);
      const started = Date.now();
      const { counts } = await seedAll({ uri, servants: config.servants, seed: DEMO_SEED, onProgress: seedProgressPrinter() });
      const written = Object.values(counts).reduce((n, c) => n + Object.values(c).reduce((a, b) => a + b, 0), 0);
      console.log(`Seeded ${written} documents in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    } else {
      console.log('The register already holds data: not seeding.');
    }

    // The development signing key, made on the first run; every process here verifies with it.
    const auth = await devAuth(path.join(DATA_DIR, 'auth'));
    const subgraphUrls: Record<string, string> = {};
    for (const [i, name] of SUBGRAPHS.entries()) {
      // personnel starts first, so the others know where to ask for hr's scope.
      const lookup = subgraphUrls.personnel ? { url: subgraphUrls.personnel, serviceToken: mintedServiceToken(auth.key, name) } : undefined;
      const subgraphAuth = withPersonnelLookup(name, { verifier: auth.verifier, logger: createLogger(name) }, lookup);
      const subgraph = await startOnPreferredPort((p) => startSubgraph({ name, uri, port: p, auth: subgraphAuth, ...(lookup ? { personnel: lookup } : {}) }), PREFERRED_PORTS[i]);
      stops.push(() => subgraph.close());
      subgraphUrls[name] = subgraph.url;
    }

    const supergraphSdl = readFileSync(path.join(REPO_ROOT, 'schema', 'supergraph.graphql'), 'utf8');
    const gateway = createGateway({ supergraphSdl, subgraphUrls, timeoutMs: config.timeoutMs, production: config.production, logger: createLogger('gateway'), verifier: auth.verifier, limits: loadLimits(process.env) });
    let server: Listening;
    try {
      server = await gateway.listen(config.gatewayPort, '127.0.0.1');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new ConfigError('PORT', `${config.gatewayPort} is in use; set PORT to a free port`);
      throw err;
    }
    stops.push(() => server.close());

    const url = `http://localhost:${server.port}/graphql`;
    console.log('');
    for (const name of SUBGRAPHS) console.log(`  ${name.padEnd(16)} ${subgraphUrls[name]}`);
    await printTokens(auth, await sampleServant(uri));
    console.log(`\nGateway ready at ${url}\n\nTry (with the monitoring token):\n${sampleQuery(await sampleIin(uri))}\n\nCtrl-C stops everything.`);
  } catch (err) {
    await stopAll();
    throw err;
  }
}

runMain(main);
