import { randomUUID } from 'node:crypto';
import type { ApolloServerPlugin, BaseContext, GraphQLRequestContextWillSendResponse } from '@apollo/server';
import { ErrorCode } from '../errors';
import type { Logger } from '../logger';
import { authenticationError } from './auth-errors';
import type { AuditWriter } from './audit-writer';
import { AuditCollector, attachRequestAuth, requestAuthOf } from './request-state';
import { bearerToken, type TokenVerifier } from './verify';

export interface AuthPluginOptions {
  verifier: TokenVerifier;
  /** Where audited reads go. Without one, any request that reads audited data gets no data. */
  auditWriter?: AuditWriter;
  /** Recorded in each audit entry. */
  subgraph: string;
  logger?: Logger;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** HTTP headers are Latin-1: a purpose in another script arrives percent-encoded. */
function headerText(value: string | undefined): string | undefined {
  if (value === undefined || !value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** Replaces an answer whose reads could not be audited: the data must not leave (rule 8). */
function withhold(rc: GraphQLRequestContextWillSendResponse<BaseContext>): void {
  const errors = [{ message: 'The access could not be recorded in the audit log, so no data is returned', extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } }];
  if (rc.response.body.kind === 'single') rc.response.body.singleResult = { data: null, errors };
  else rc.response.body = { kind: 'single', singleResult: { data: null, errors } };
  rc.response.http.status = 503;
}

/**
 * Authenticates every operation before anything resolves (no token, a bad token: UNAUTHENTICATED
 * and HTTP 401), and writes the request's audit entries in one insert after the last field has
 * resolved and before the response is sent. If that write fails the response carries no data.
 */
export function authPlugin<TContext extends BaseContext>(options: AuthPluginOptions): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          const headers = rc.request.http?.headers;
          const token = bearerToken(headers?.get('authorization'));
          if (!token) throw authenticationError('Authentication required: send Authorization: Bearer <token>');
          const caller = await options.verifier.verify(token, headerText(headers?.get('x-purpose')));
          const given = headers?.get('x-request-id');
          attachRequestAuth(rc.contextValue, {
            caller,
            requestId: given && REQUEST_ID.test(given) ? given : randomUUID(),
            operationName: rc.operationName ?? null,
            at: new Date(),
            audit: new AuditCollector(),
          });
        },
        async willSendResponse(rc) {
          const state = requestAuthOf(rc.contextValue);
          if (!state || state.audit.size === 0) return;
          const { caller } = state;
          try {
            if (!options.auditWriter) throw new Error('no audit writer is configured');
            await options.auditWriter.append(
              state.audit.drafts({
                at: state.at,
                requestId: state.requestId,
                subgraph: options.subgraph,
                operationName: state.operationName,
                actor: { sub: caller.sub, role: caller.role, stateBody: caller.stateBody ?? null },
                purpose: caller.purpose ?? null,
              }),
            );
          } catch (err) {
            options.logger?.error({ err, requestId: state.requestId }, 'audit write failed; response withheld');
            withhold(rc as GraphQLRequestContextWillSendResponse<BaseContext>);
          }
        },
      };
    },
  };
}
