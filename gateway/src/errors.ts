import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { ErrorCode, formatErrorFor, type Logger } from '@civil-service/shared';

/**
 * The error a caller sees when one subgraph could not be reached or did not answer in time. The
 * fields it owns are null in the same answer; the cause (refused connection, timeout) is logged,
 * never sent.
 */
export function subgraphUnavailable(subgraph: string): GraphQLError {
  return new GraphQLError(`The ${subgraph} subgraph is unavailable; the fields it provides are null in this answer`, {
    extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, subgraph },
  });
}

/** Extensions that describe the gateway's or a subgraph's internals, never the caller's request. */
const INTERNAL_EXTENSIONS = ['stacktrace', 'exception', 'response'];

/**
 * Formats every error leaving the gateway. SUBGRAPH_UNAVAILABLE is reduced to its message, code and
 * subgraph in every mode, so no connection detail or stack escapes. Errors relayed from a subgraph
 * also name it in `extensions.subgraph` (Apollo calls it `serviceName`). In production the internal
 * extensions go, and `formatErrorFor` hides any message whose code is not one of the API's.
 */
export function formatGatewayError(production: boolean, logger: Logger) {
  const base = formatErrorFor(production, logger);
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const extensions = formatted.extensions ?? {};
    if (extensions.code === ErrorCode.SUBGRAPH_UNAVAILABLE) {
      return {
        message: formatted.message,
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: ErrorCode.SUBGRAPH_UNAVAILABLE, subgraph: extensions.subgraph },
      };
    }
    let out = formatted;
    if (typeof extensions.serviceName === 'string' && extensions.subgraph === undefined) {
      out = { ...out, extensions: { ...extensions, subgraph: extensions.serviceName } };
    }
    if (production && out.extensions) {
      const kept = Object.fromEntries(Object.entries(out.extensions).filter(([key]) => !INTERNAL_EXTENSIONS.includes(key)));
      out = { ...out, extensions: kept };
    }
    return base(out, error);
  };
}
