/**
 * `npm run subgraph -- <name>`: one subgraph, on its own database. Also the one place that knows
 * how to start a subgraph from its factory, shared with `npm start` and the end-to-end tests.
 */
import type { Connection } from 'mongoose';
import {
  authConfigFromEnv,
  ConfigError,
  createTokenVerifier,
  connectDatabase,
  createLogger,
  databaseNameFor,
  executionFromEnv,
  integer,
  mongoUri,
  optionalString,
  port,
  remoteBodyChains,
  requiredString,
  runMain,
  serviceTokenSource,
  type DirectoryFeedOptions,
  type DirectorySync,
  type Listening,
  type Logger,
  type SubgraphAuth,
} from '@civil-service/shared';
import { createPersonnelSubgraph } from '@civil-service/personnel';
import { createTrainingSubgraph } from '@civil-service/training';
import { createEvaluationSubgraph } from '@civil-service/evaluation';
import { createServicesQualitySubgraph } from '@civil-service/services-quality';

export const SUBGRAPHS = ['personnel', 'training', 'evaluation', 'services-quality'] as const;
export type SubgraphName = (typeof SUBGRAPHS)[number];

/** What every subgraph factory returns that starting it needs. */
interface SubgraphFactoryResult {
  listen(port: number, host?: string): Promise<Listening>;
  /** The subgraph's mongoose models, by name. */
  models: object;
  /** The servant directory copy's sync (not personnel, which keeps the master). */
  directorySync?: DirectorySync;
  /** Work before serving (personnel: build the directory of a register that has none). */
  prepare?: () => Promise<unknown>;
  /** Resolves once the facts the subgraph keeps in memory have caught up with its database. */
  factsCaughtUp?: () => Promise<void>;
}

type FactoryOptions = { db: Connection; auth: SubgraphAuth; directoryFeed?: DirectoryFeedOptions };

const FACTORIES: Record<SubgraphName, (options: FactoryOptions) => SubgraphFactoryResult> = {
  personnel: createPersonnelSubgraph,
  training: createTrainingSubgraph,
  evaluation: createEvaluationSubgraph,
  'services-quality': createServicesQualitySubgraph,
};

export function isSubgraphName(name: string): name is SubgraphName {
  return (SUBGRAPHS as readonly string[]).includes(name);
}

/** Where personnel answers the other subgraphs' lookups (body chains, directory feed), and the token to ask with. */
export interface PersonnelLookup {
  url: string;
  serviceToken: () => Promise<string>;
  /** For the directory copy: the pause between polls once caught up. */
  intervalMs?: number;
}

/**
 * hr's scope outside personnel: training, evaluation and services-quality hold no assignments, so
 * they ask the personnel subgraph over HTTP (never its database: each agency owns its data).
 * Without a lookup hr is refused their scoped fields there (fail closed).
 */
export function withPersonnelLookup(name: SubgraphName, auth: SubgraphAuth, personnel: PersonnelLookup | undefined): SubgraphAuth {
  if (name === 'personnel' || auth.bodyChains) return auth;
  if (!personnel) {
    auth.logger?.warn('PERSONNEL_URL or a service token is missing: hr is refused every scoped field of this subgraph');
    return auth;
  }
  return { ...auth, bodyChains: remoteBodyChains({ ...personnel, ...(auth.logger ? { logger: auth.logger } : {}) }) };
}

/**
 * Builds the subgraph on `db` and makes sure its collections and indexes exist before it serves:
 * the unique indexes are business rules (one IIN per servant), not an optimisation to add later.
 */
export async function createSubgraphOn(name: SubgraphName, db: Connection, auth: SubgraphAuth, personnel?: PersonnelLookup): Promise<SubgraphFactoryResult> {
  if (name !== 'personnel' && !personnel) auth.logger?.warn('PERSONNEL_URL or a service token is missing: the servant directory copy is not fed');
  const app = FACTORIES[name]({ db, auth, ...(name !== 'personnel' && personnel ? { directoryFeed: personnel } : {}) });
  for (const model of Object.values(app.models) as Array<{ init(): Promise<unknown> }>) await model.init();
  await app.prepare?.();
  return app;
}

export interface RunningSubgraph {
  name: SubgraphName;
  url: string;
  port: number;
  db: Connection;
  /** Stops serving, then closes the database connection. */
  close(): Promise<void>;
}

export interface StartSubgraphOptions {
  name: SubgraphName;
  uri: string;
  port: number;
  host?: string;
  auth: SubgraphAuth;
  /** personnel, for the other subgraphs' directory feed. */
  personnel?: PersonnelLookup;
}

/** Connects to the subgraph's own database (`databaseNameFor(name)`) and serves it over HTTP. */
export async function startSubgraph({ name, uri, port: listenPort, host = '127.0.0.1', auth, personnel }: StartSubgraphOptions): Promise<RunningSubgraph> {
  const db = await connectDatabase({ uri, dbName: databaseNameFor(name) });
  try {
    const app = await createSubgraphOn(name, db, auth, personnel);
    const server = await app.listen(listenPort, host);
    return {
      name,
      url: server.url,
      port: server.port,
      db,
      async close() {
        await server.close();
        await db.close();
      },
    };
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
}

/** Stops `close` on the first SIGINT or SIGTERM, then exits; a second signal exits at once. */
export function closeOnSignals(logger: Logger, close: () => Promise<void>): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    logger.info(`${signal}: stopping`);
    close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

async function main(): Promise<void> {
  const name = process.argv[2];
  if (!name) throw new ConfigError('subgraph name', `missing; usage: npm run subgraph -- <${SUBGRAPHS.join('|')}>`);
  if (!isSubgraphName(name)) throw new ConfigError('subgraph name', `unknown subgraph '${name}'; one of ${SUBGRAPHS.join(', ')}`);
  requiredString(process.env, 'PORT');
  const listenPort = port(process.env, 'PORT', 0);
  const uri = mongoUri(process.env, 'MONGODB_URI', { required: true })!;
  const host = optionalString(process.env, 'HOST') ?? '127.0.0.1';
  // Checked here so a wrong value stops the start with its name; createSubgraphApp reads it.
  executionFromEnv(process.env);
  const logger = createLogger(name);
  const verifier = await createTokenVerifier(authConfigFromEnv(process.env));

  const personnelUrl = optionalString(process.env, 'PERSONNEL_URL');
  const serviceToken = name === 'personnel' ? undefined : await serviceTokenSource(process.env, name);
  // How often a caught-up directory copy asks personnel for changes.
  const intervalMs = integer(process.env, 'DIRECTORY_SYNC_INTERVAL_MS', 500, { min: 50, max: 3_600_000 });
  const lookup = personnelUrl && serviceToken ? { url: personnelUrl, serviceToken, intervalMs } : undefined;
  const auth = withPersonnelLookup(name, { verifier, logger }, lookup);

  const subgraph = await startSubgraph({ name, uri, port: listenPort, host, auth, ...(lookup ? { personnel: lookup } : {}) });
  logger.info({ url: subgraph.url, database: databaseNameFor(name) }, `${name} subgraph ready at ${subgraph.url}`);
  closeOnSignals(logger, () => subgraph.close());
}

if (require.main === module) runMain(main);
