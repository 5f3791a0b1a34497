import type { JWTPayload } from 'jose';
import { authenticationError as unauthenticated } from './auth-errors';
import { isRole, ROLES, type Caller } from './policy';

const MAX_PURPOSE = 200;

/** A declared purpose: trimmed, non-empty, at most 200 characters of printable text. */
export function normalisePurpose(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const purpose = value.trim();
  if (!purpose) return undefined;
  // Stored in the audit log verbatim: no control characters, bounded size.
  if (purpose.length > MAX_PURPOSE || /[\u0000-\u001f\u007f]/.test(purpose)) {
    throw unauthenticated(`purpose must be at most ${MAX_PURPOSE} printable characters`);
  }
  return purpose;
}

function optionalClaim(payload: JWTPayload, name: string): string | undefined {
  const value = payload[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !value.trim()) throw unauthenticated(`token claim ${name} must be a non-empty string`);
  return value.trim();
}

/**
 * The caller a verified token describes. A token whose role lacks the claim that role needs is
 * refused as a whole: an hr token without a state body must not fall back to anything.
 */
export function callerFromClaims(payload: JWTPayload, headerPurpose?: string): Caller {
  if (typeof payload.sub !== 'string' || !payload.sub) throw unauthenticated('token has no subject (sub)');
  if (!isRole(payload.role)) throw unauthenticated(`token claim role must be one of ${ROLES.join(', ')}`);
  const caller: Caller = { sub: payload.sub, role: payload.role };
  const stateBody = optionalClaim(payload, 'stateBody');
  const servant = optionalClaim(payload, 'servant');
  if (payload.role === 'hr') {
    if (!stateBody) throw unauthenticated('an hr token needs a stateBody claim');
    caller.stateBody = stateBody;
  }
  if (payload.role === 'servant') {
    if (!servant) throw unauthenticated('a servant token needs a servant claim');
    caller.servant = servant;
  }
  // The header declares the purpose of this request; the claim is the token's standing purpose.
  const purpose = normalisePurpose(headerPurpose) ?? normalisePurpose(payload.purpose);
  if (purpose) caller.purpose = purpose;
  return caller;
}
