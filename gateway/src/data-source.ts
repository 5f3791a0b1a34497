import type { IncomingHttpHeaders } from 'node:http';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import type { Caller, Logger } from '@civil-service/shared';
import { subgraphUnavailable } from './errors';
import { httpFetcher } from './http-fetcher';

// Named through @apollo/gateway's own types so the gateway depends on no transitive package.
type GatewayGraphQLResponse = Awaited<ReturnType<RemoteGraphQLDataSource['process']>>;

export interface SubgraphDataSourceOptions {
  /** The subgraph's name in the supergraph (e.g. `services-quality`). */
  name: string;
  url: string;
  /** Longest wait for one subgraph call, connection to last byte. */
  timeoutMs: number;
  logger: Logger;
}

/** What a failed call was, in words for the log. */
function describeFailure(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && err.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  // node:http puts the system error's code on the error itself (ECONNREFUSED, ECONNRESET, …).
  const code = err instanceof Error ? (err as NodeJS.ErrnoException).code : undefined;
  if (code) return `${code}: ${(err as Error).message}`;
  return err instanceof Error ? err.message : String(err);
}

/** GraphQL errors a subgraph put in a non-2xx answer (Apollo Server sends 400 for bad variables). */
function graphqlErrorsInBody(err: unknown): GatewayGraphQLResponse | undefined {
  if (!(err instanceof GraphQLError)) return undefined;
  const response = err.extensions.response as { body?: unknown } | undefined;
  const body = response?.body;
  if (typeof body !== 'object' || body === null) return undefined;
  const { errors, data } = body as GatewayGraphQLResponse;
  if (!Array.isArray(errors) || errors.length === 0) return undefined;
  return data === undefined ? { errors } : { data, errors };
}

/** The caller's credentials and request identity, which every subgraph checks again itself. */
export const FORWARDED_HEADERS = ['authorization', 'x-purpose', 'x-request-id'] as const;

/** The gateway's per-request context: the incoming request's headers, for forwarding. */
export interface GatewayContext extends Record<string, unknown> {
  headers?: IncomingHttpHeaders;
  /** The bearer token's verification, started once per request when there is a verifier. */
  verified?: Promise<Caller>;
}

/**
 * Calls one subgraph. A subgraph that answers with GraphQL errors (at any HTTP status) has them
 * relayed with their own codes; one that cannot be reached, times out or answers something that
 * is not GraphQL becomes SUBGRAPH_UNAVAILABLE naming it, so the query plan carries on and the
 * caller gets everything the other subgraphs could provide.
 */
export class SubgraphDataSource extends RemoteGraphQLDataSource {
  readonly subgraph: string;
  private readonly timeoutMs: number;
  private readonly log: Logger;

  constructor({ name, url, timeoutMs, logger }: SubgraphDataSourceOptions) {
    super({ url, fetcher: httpFetcher(timeoutMs) });
    this.subgraph = name;
    this.timeoutMs = timeoutMs;
    this.log = logger;
  }

  /** Passes the caller's Authorization, X-Purpose and X-Request-Id on: subgraphs authorise, not the gateway. */
  override willSendRequest({ request, context }: Parameters<NonNullable<RemoteGraphQLDataSource<GatewayContext>['willSendRequest']>>[0]): void {
    const headers = (context as GatewayContext | undefined)?.headers;
    if (!headers || !request.http) return;
    for (const name of FORWARDED_HEADERS) {
      const value = headers[name];
      if (typeof value === 'string') request.http.headers.set(name, value);
    }
  }

  override async process(options: GraphQLDataSourceProcessOptions<Record<string, unknown>>): Promise<GatewayGraphQLResponse> {
    try {
      return await super.process(options);
    } catch (err) {
      const relayed = graphqlErrorsInBody(err);
      if (relayed) return relayed;
      this.log.warn({ subgraph: this.subgraph, url: this.url, reason: describeFailure(err, this.timeoutMs) }, `subgraph ${this.subgraph} unavailable`);
      throw subgraphUnavailable(this.subgraph);
    }
  }
}
