import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled, ApolloServerPluginSchemaReportingDisabled, ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import { Kind, parse, type GraphQLFormattedError } from 'graphql';
import { bearerToken, authenticationError, createLogger, ErrorCode, listenApollo, type Listening, type Logger, type TokenVerifier } from '@civil-service/shared';
import { SubgraphDataSource, type GatewayContext } from './data-source';
import { formatGatewayError } from './errors';
import { readinessCheck } from './readiness';
import { validateScalarInput } from './scalars';

export interface GatewayOptions {
  /** The composed supergraph (schema/supergraph.graphql); the gateway never introspects. */
  supergraphSdl: string;
  /** Where each subgraph answers, by its name in the supergraph; overrides the file's placeholders. */
  subgraphUrls: Record<string, string>;
  /** Longest wait for one subgraph call. */
  timeoutMs: number;
  /** Hides internal messages and stacks; turns off the landing page and introspection. */
  production: boolean;
  logger?: Logger;
  /**
   * Verifies the bearer token before planning, so a bad or missing token gets 401 without any
   * subgraph being called. The subgraphs verify again (they may be reached directly); without a
   * verifier the gateway only forwards the credentials and relays the subgraphs' refusals.
   */
  verifier?: TokenVerifier;
}

export interface Gateway {
  /** Serves GraphQL at /graphql, GET /health and GET /ready; port 0 picks a free one. */
  listen(port: number, host?: string): Promise<Listening>;
}

/** The subgraph names a supergraph declares (the `@join__graph(name:)` of each `join__Graph` value). */
export function subgraphNamesOf(supergraphSdl: string): string[] {
  const names: string[] = [];
  for (const def of parse(supergraphSdl).definitions) {
    if (def.kind !== Kind.ENUM_TYPE_DEFINITION || def.name.value !== 'join__Graph') continue;
    for (const value of def.values ?? []) {
      const directive = value.directives?.find((d) => d.name.value === 'join__graph');
      const arg = directive?.arguments?.find((a) => a.name.value === 'name');
      if (arg?.value.kind === Kind.STRING) names.push(arg.value.value);
    }
  }
  return names;
}

/**
 * When several fetches of one query plan go to the same dead subgraph, each fails alike; the caller
 * needs to hear about that subgraph once.
 */
const oneErrorPerUnavailableSubgraph: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
        const seen = new Set<unknown>();
        const errors = response.body.singleResult.errors.filter((e: GraphQLFormattedError) => {
          if (e.extensions?.code !== ErrorCode.SUBGRAPH_UNAVAILABLE) return true;
          if (seen.has(e.extensions.subgraph)) return false;
          seen.add(e.extensions.subgraph);
          return true;
        });
        response.body.singleResult.errors = errors;
      },
    };
  },
};

/** UNAUTHENTICATED (HTTP 401) before anything is planned or fetched. */
function authenticateAtGateway(verifier: TokenVerifier): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          const headers = rc.request.http?.headers;
          const token = bearerToken(headers?.get('authorization'));
          if (!token) throw authenticationError('Authentication required: send Authorization: Bearer <token>');
          await verifier.verify(token);
        },
      };
    },
  };
}

/** The federated gateway: @apollo/gateway inside Apollo Server, over the shared HTTP layer. */
export function createGateway(options: GatewayOptions): Gateway {
  const { supergraphSdl, subgraphUrls, timeoutMs, production } = options;
  // @apollo/gateway must never call out: no telemetry, no usage or schema reporting, no Uplink
  // (a static supergraphSdl means none is polled).
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const logger = options.logger ?? createLogger('gateway');

  const names = subgraphNamesOf(supergraphSdl);
  if (names.length === 0) throw new Error('the supergraph declares no subgraphs (is it a composed supergraph?)');
  const missing = names.filter((name) => !subgraphUrls[name]);
  if (missing.length > 0) throw new Error(`no URL given for subgraph(s) ${missing.join(', ')}`);
  const urls = Object.fromEntries(names.map((name) => [name, subgraphUrls[name]]));

  const gateway = new ApolloGateway({
    supergraphSdl,
    logger,
    serviceHealthCheck: false,
    buildService: ({ name }) => new SubgraphDataSource({ name, url: urls[name], timeoutMs, logger }),
  });
  let loaded = false;
  gateway.onSchemaLoadOrUpdate(({ apiSchema }) => {
    validateScalarInput(apiSchema);
    loaded = true;
  });

  const server = new ApolloServer<GatewayContext>({
    gateway,
    logger,
    introspection: !production,
    includeStacktraceInErrorResponses: !production,
    formatError: formatGatewayError(production, logger),
    plugins: [
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      oneErrorPerUnavailableSubgraph as ApolloServerPlugin<GatewayContext>,
      ...(options.verifier ? [authenticateAtGateway(options.verifier)] : []),
      ...(production ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
  });
  const ready = readinessCheck({ subgraphUrls: urls, timeoutMs: Math.min(timeoutMs, 3000), loaded: () => loaded, production });

  let started: Promise<void> | undefined;
  return {
    async listen(port, host = '127.0.0.1') {
      started ??= server.start();
      await started;
      return listenApollo(server, { context: async ({ req }) => ({ headers: req.headers }), ready }, port, host);
    },
  };
}
