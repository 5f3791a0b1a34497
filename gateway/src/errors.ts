import { GraphQLError, Lexer, TokenKind, type GraphQLFormattedError } from 'graphql';
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
 * Whether a parse error is the parser's `maxTokens` stop: it is thrown at the first token over the
 * limit, so exactly `maxTokens` tokens precede it, while a real syntax error comes earlier. Told
 * from the document rather than from graphql-js's wording, which is not part of its API.
 */
function isTokenLimitStop(error: unknown, maxTokens: number): boolean {
  if (!(error instanceof GraphQLError) || !error.source || !error.positions?.length) return false;
  const at = error.positions[0];
  const lexer = new Lexer(error.source);
  let count = 0;
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF && token.start < at; token = lexer.advance()) count++;
  } catch {
    return false;
  }
  return count >= maxTokens;
}

/**
 * Apollo's own refusals of a request as sent get the API's codes: the token limit (Apollo reports
 * every parse error as GRAPHQL_PARSE_FAILED) and a batch (BAD_REQUEST, `Operation batching
 * disabled.`, Apollo's fixed text).
 */
function relabelRefusal(formatted: GraphQLFormattedError, error: unknown, maxTokens: number | undefined): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (code === 'GRAPHQL_PARSE_FAILED' && maxTokens !== undefined && isTokenLimitStop(error, maxTokens)) {
    return {
      message: `Query token limit of ${maxTokens} exceeded: the document has more than ${maxTokens} tokens (names, punctuation, values)`,
      extensions: { code: ErrorCode.MAX_TOKENS_EXCEEDED, limit: maxTokens },
    };
  }
  if (code === 'BAD_REQUEST' && formatted.message === 'Operation batching disabled.') {
    return {
      message: 'Batched requests (a JSON array of operations) are not accepted: send one operation per request',
      extensions: { code: ErrorCode.BATCHING_NOT_ALLOWED, limit: 1 },
    };
  }
  return formatted;
}

export interface GatewayErrorFormatOptions {
  /** The parser's token limit, to tell its stop from other parse errors. */
  maxTokens?: number;
}

/**
 * Formats every error leaving the gateway. SUBGRAPH_UNAVAILABLE is reduced to its message, code and
 * subgraph in every mode, so no connection detail or stack escapes. Apollo's refusals of the token
 * limit and of batches get the API's codes (`relabelRefusal`). Errors relayed from a subgraph
 * also name it in `extensions.subgraph` (Apollo calls it `serviceName`). In production the internal
 * extensions go, and `formatErrorFor` hides any message whose code is not one of the API's.
 */
export function formatGatewayError(production: boolean, logger: Logger, { maxTokens }: GatewayErrorFormatOptions = {}) {
  const base = formatErrorFor(production, logger);
  return (original: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const formatted = relabelRefusal(original, error, maxTokens);
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
    // Apollo's HTTP-level refusals (CSRF, a body that is not a GraphQL request) describe the
    // request as sent, never the gateway's internals, and the caller needs their message.
    if (out.extensions?.code === 'BAD_REQUEST') return out;
    return base(out, error);
  };
}
