import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IncomingMessage } from 'node:http';
import { ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { GraphQLError, parse, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { compiledExecution, executionFromEnv, type SubgraphExecution } from './compiled-execution';
import { enableAuth, type EnableAuthOptions } from './auth/enable';
import { ErrorCode, PUBLIC_CODES } from './errors';
import { listenApollo, stringifyAnswer, type Listening } from './http';
import { createLogger, type Logger } from './logger';
import { DateScalar, IINScalar } from './scalars';

/** The repository's `schema/` folder: each subgraph's SDL is its source of truth. */
export const SCHEMA_DIR = path.resolve(__dirname, '..', '..', '..', 'schema');

export function loadSubgraphSdl(name: string): string {
  return readFileSync(path.join(SCHEMA_DIR, `${name}.graphql`), 'utf8');
}

export interface SubgraphAppOptions<TContext extends BaseContext> {
  name: string;
  typeDefs: string;
  // The resolver map's value types vary per type; @apollo/subgraph types it loosely itself.
  resolvers: GraphQLResolverMap<TContext> | object;
  context: (input: { req: IncomingMessage }) => Promise<TContext>;
  /** Hides internal error messages and the landing page (NODE_ENV=production by default). */
  production?: boolean;
  logger?: Logger;
  /**
   * Authentication, the field policy and the audit (see auth/README.md). Every real subgraph's
   * factory requires it (anyone who can reach a subgraph can bypass the gateway); only test
   * fakes and the auth unit tests (which call enableAuth themselves) leave it out.
   */
  auth?: EnableAuthOptions;
  /** `GET /ready`'s answer (e.g. how far the servant directory copy lags personnel's). */
  ready?: () => Promise<{ ok: boolean; details?: Record<string, unknown> }>;
  /** How operations are executed; SUBGRAPH_EXECUTION's value by default (see compiled-execution.ts). */
  execution?: SubgraphExecution;
  /** Work that runs while the subgraph serves (the directory sync): started by listen, stopped by close. */
  background?: { start(): void; stop(): Promise<void> };
}

export interface SubgraphApp<TContext extends BaseContext> {
  name: string;
  schema: GraphQLSchema;
  server: ApolloServer<TContext>;
  /** Starts the server over HTTP; port 0 picks a free one. */
  listen(port: number, host?: string): Promise<Listening>;
}

/**
 * In production an error whose code is not one of the API's is reported as an internal error
 * without its message; the details go to the log, never to the caller.
 */
export function formatErrorFor(production: boolean, logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    // A scalar that refuses a literal (an invalid IIN written in the query) is reported by
    // validation; Apollo relabels it GRAPHQL_VALIDATION_FAILED, but the contract promises the
    // scalar's own BAD_USER_INPUT, the same code as for the same value sent as a variable.
    if (formatted.extensions?.code === 'GRAPHQL_VALIDATION_FAILED' && refusedInput(error)) {
      formatted = { ...formatted, extensions: { ...formatted.extensions, code: ErrorCode.BAD_USER_INPUT } };
    }
    const code = formatted.extensions?.code;
    const isPublic = typeof code === 'string' && (PUBLIC_CODES.has(code) || code.startsWith('GRAPHQL_') || code === 'PERSISTED_QUERY_NOT_FOUND' || code === 'OPERATION_RESOLUTION_FAILURE');
    if (isPublic) return formatted;
    logger.error({ err: error, path: formatted.path }, formatted.message);
    if (!production) return formatted;
    return { message: 'Internal server error', path: formatted.path, locations: formatted.locations, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  };
}

function refusedInput(error: unknown): boolean {
  const original = (error as { originalError?: unknown } | null)?.originalError;
  return original instanceof GraphQLError && original.extensions.code === ErrorCode.BAD_USER_INPUT;
}

/** A Federation 2 subgraph served by Apollo Server, with the shared scalars wired in. */
export function createSubgraphApp<TContext extends BaseContext>(options: SubgraphAppOptions<TContext>): SubgraphApp<TContext> {
  const production = options.production ?? process.env.NODE_ENV === 'production';
  const logger = options.logger ?? createLogger(options.name);
  const scalars: Record<string, unknown> = {};
  if (/\bscalar\s+Date\b/.test(options.typeDefs)) scalars.Date = DateScalar;
  if (/\bscalar\s+IIN\b/.test(options.typeDefs)) scalars.IIN = IINScalar;
  const schema = buildSubgraphSchema([
    { typeDefs: parse(options.typeDefs), resolvers: { ...scalars, ...options.resolvers } as GraphQLResolverMap<TContext> },
  ]);
  const execution = options.execution ?? executionFromEnv(process.env);
  const server = new ApolloServer<TContext>({
    ...(execution === 'compiled' ? { gateway: compiledExecution(schema) } : { schema }),
    logger,
    includeStacktraceInErrorResponses: !production,
    formatError: formatErrorFor(production, logger),
    stringifyResult: stringifyAnswer,
    // Traces are only for Apollo's usage reporting, which is off: nothing here may call out. No
    // field has a cache hint, and the cache-control plugin instruments every field resolved (a
    // list page resolves thousands): off; listenApollo marks every answer no-store instead.
    plugins: [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginCacheControlDisabled(), ...(production ? [ApolloServerPluginLandingPageDisabled()] : [])],
  });
  if (options.auth) enableAuth({ name: options.name, schema, server }, { logger, ...options.auth });
  let started: Promise<void> | undefined;
  return {
    name: options.name,
    schema,
    server,
    async listen(port, host = '127.0.0.1') {
      started ??= server.start();
      await started;
      const listening = await listenApollo(server, { context: options.context, ...(options.ready ? { ready: options.ready } : {}) }, port, host);
      const background = options.background;
      if (!background) return listening;
      background.start();
      return {
        ...listening,
        async close() {
          await background.stop();
          await listening.close();
        },
      };
    },
  };
}
