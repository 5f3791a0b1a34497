import { GraphQLError } from 'graphql';

/** The stable `extensions.code` values of the API (see the contract README). */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  SUBGRAPH_UNAVAILABLE: 'SUBGRAPH_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  // The gateway's abuse limits (gateway/README.md): each refusal names the limit and the value.
  MAX_DEPTH_EXCEEDED: 'MAX_DEPTH_EXCEEDED',
  MAX_ALIASES_EXCEEDED: 'MAX_ALIASES_EXCEEDED',
  MAX_COST_EXCEEDED: 'MAX_COST_EXCEEDED',
  MAX_TOKENS_EXCEEDED: 'MAX_TOKENS_EXCEEDED',
  BATCHING_NOT_ALLOWED: 'BATCHING_NOT_ALLOWED',
  RATE_LIMITED: 'RATE_LIMITED',
  OPERATION_NOT_IN_SAFELIST: 'OPERATION_NOT_IN_SAFELIST',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes whose message is meant for the caller; anything else is hidden in production. */
export const PUBLIC_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode).filter((c) => c !== 'INTERNAL_SERVER_ERROR'));

/** Invalid argument or input; `field` names the offending input field. */
export function badUserInput(message: string, field?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT, ...(field ? { field } : {}) } });
}

/** A referenced record does not exist. */
export function notFound(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.NOT_FOUND } });
}

/** A uniqueness or business rule is violated. */
export function conflict(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.CONFLICT } });
}

export function unauthenticated(message = 'Authentication required'): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.UNAUTHENTICATED } });
}

export function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.FORBIDDEN } });
}

interface DriverErrorShape {
  name?: string;
  code?: number;
  keyValue?: Record<string, unknown>;
  errors?: Record<string, { path?: string; message?: string }>;
  path?: string;
  message?: string;
}

/**
 * Translates what the driver or mongoose throws into an API error: a duplicate key is a CONFLICT
 * naming the key, a validation or cast failure is BAD_USER_INPUT naming the field. Anything else is
 * returned unchanged (an internal error, whose message production hides).
 */
export function mongoErrorToGraphQL(err: unknown): unknown {
  if (err instanceof GraphQLError) return err;
  if (typeof err !== 'object' || err === null) return err;
  const e = err as DriverErrorShape;
  if (e.code === 11000) {
    const key = e.keyValue ? Object.keys(e.keyValue).join(', ') : 'a unique key';
    return conflict(`${key}: a record with this value already exists`);
  }
  if (e.name === 'ValidationError' && e.errors) {
    const [first] = Object.values(e.errors);
    return badUserInput(first?.message ?? e.message ?? 'invalid input', first?.path);
  }
  if (e.name === 'CastError') return badUserInput(`${e.path ?? 'value'}: ${e.message ?? 'invalid value'}`, e.path);
  return err;
}
