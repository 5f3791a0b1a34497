import { GraphQLError } from 'graphql';
import { HeaderMap } from '@apollo/server';
import { ErrorCode } from '../errors';

/**
 * UNAUTHENTICATED with HTTP 401 and a WWW-Authenticate challenge, as RFC 6750 asks. Apollo Server
 * uses `extensions.http` for the response status and strips it from what the caller sees.
 */
export function authenticationError(message: string): GraphQLError {
  return new GraphQLError(message, {
    extensions: {
      code: ErrorCode.UNAUTHENTICATED,
      http: { status: 401, headers: new HeaderMap([['www-authenticate', 'Bearer realm="civil-service-graph"']]) },
    },
  });
}

/** FORBIDDEN for one field; `reason` says which rule refused, never what the data is. */
export function forbiddenField(path: string, reason: string): GraphQLError {
  return new GraphQLError(`${path}: ${reason}`, { extensions: { code: ErrorCode.FORBIDDEN } });
}
