import type { IncomingMessage } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled, ApolloServerPluginSchemaReportingDisabled, ApolloServerPluginUsageReportingDisabled } from '@apollo/server/plugin/disabled';
import { Kind, parse, type GraphQLFormattedError } from 'graphql';
import { bearerToken, authenticationError, createLogger, ErrorCode, listenApollo, type Caller, type Listening, type Logger, type TokenVerifier } from '@civil-service/shared';
import { SubgraphDataSource, type GatewayContext } from './data-source';
import { formatGatewayError } from './errors';
import { DEFAULT_LIMITS, operationLimitsPlugin, type AbuseLimits } from './limits';
import { rateLimited, rateLimitKey, TokenBucketLimiter } from './rate-limit';
import { readinessCheck } from './readiness';
import { useResultShaping, type ResultShaping } from './result-shaping';
import type { Safelist } from './safelist';
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
  /** Abuse limits; each one not given is `DEFAULT_LIMITS`' (gateway/README.md). */
  limits?: Partial<AbuseLimits>;
  /** When given, only its documents are accepted (OPERATION_NOT_IN_SAFELIST otherwise). */
  safelist?: Safelist;
  /**
   * How the merged answer is shaped for the caller (result-shaping.ts); default `fast`. It is a
   * setting of the process, not of one gateway: the last gateway created decides.
   */
  resultShaping?: ResultShaping;
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
          // Verified once per request, when the context was made (for the rate limit's key).
          await (rc.contextValue.verified ?? verifier.verify(token));
        },
      };
    },
  };
}

/**
 * The per-request context, made before Apollo parses anything: the headers to forward, the token's
 * verification (shared with `authenticateAtGateway`), and the rate limit, so a limited client costs
 * no parsing. A token that fails verification is answered 401 later by the auth plugin; here it
 * only means the request is counted by address.
 */
function gatewayContext(verifier: TokenVerifier | undefined, limiter: TokenBucketLimiter | undefined) {
  return async ({ req }: { req: IncomingMessage }): Promise<GatewayContext> => {
    let token: string | undefined;
    try {
      token = bearerToken(req.headers.authorization);
    } catch {
      // A malformed header is refused by the auth plugin with its own message.
    }
    const verified = token && verifier ? verifier.verify(token) : undefined;
    if (limiter) {
      const caller: Caller | undefined = await verified?.catch(() => undefined);
      const { key, who } = rateLimitKey(caller, req);
      const wait = limiter.take(key);
      if (wait > 0) throw rateLimited(limiter.perMinute, who, wait);
    } else {
      // Settled by the auth plugin; without this an early failure would be an unhandled rejection.
      verified?.catch(() => undefined);
    }
    return { headers: req.headers, ...(verified ? { verified } : {}) };
  };
}

/** The federated gateway: @apollo/gateway inside Apollo Server, over the shared HTTP layer. */
export function createGateway(options: GatewayOptions): Gateway {
  const { supergraphSdl, subgraphUrls, timeoutMs, production, safelist } = options;
  const limits: AbuseLimits = { ...DEFAULT_LIMITS, ...options.limits };
  // @apollo/gateway must never call out: no telemetry, no usage or schema reporting, no Uplink
  // (a static supergraphSdl means none is polled).
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const logger = options.logger ?? createLogger('gateway');
  const shaping = options.resultShaping ?? 'fast';
  if (useResultShaping(shaping) !== shaping) logger.warn(`result shaping '${shaping}' is not tested with this @apollo/gateway; using Apollo's own`);

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
    formatError: formatGatewayError(production, logger, { maxTokens: limits.maxTokens }),
    // Apollo's own stringifyResult: the subgraphs' stringifyAnswer measured no faster here (its
    // 2 MB workforce answer: 25 ms either way, in the process; see json-bytes.ts).
    parseOptions: { maxTokens: limits.maxTokens },
    // Apollo's defaults, stated because the abuse limits rely on them: one operation per request
    // (a batch would multiply the cost budget and the rate limit by its length), and no request a
    // browser could send cross-site without a preflight.
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    // With a safelist, a persisted query may name only a listed document, and none is remembered.
    ...(safelist ? { persistedQueries: { cache: safelist.persistedQueryCache(), ttl: null } } : {}),
    plugins: [
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      oneErrorPerUnavailableSubgraph as ApolloServerPlugin<GatewayContext>,
      operationLimitsPlugin(limits, safelist),
      ...(options.verifier ? [authenticateAtGateway(options.verifier)] : []),
      ...(production ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
  });
  const limiter = limits.rateLimitPerMinute > 0 ? new TokenBucketLimiter(limits.rateLimitPerMinute) : undefined;
  const ready = readinessCheck({ subgraphUrls: urls, timeoutMs: Math.min(timeoutMs, 3000), loaded: () => loaded, production });

  let started: Promise<void> | undefined;
  return {
    async listen(port, host = '127.0.0.1') {
      started ??= server.start();
      await started;
      return listenApollo(server, { context: gatewayContext(options.verifier, limiter), ready, maxBodyBytes: limits.maxBodyBytes }, port, host);
    },
  };
}
