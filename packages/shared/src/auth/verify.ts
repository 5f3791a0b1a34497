import { readFile } from 'node:fs/promises';
import type { JSONWebKeySet, JWTPayload, JWTVerifyGetKey } from 'jose';
import { LRUCache } from 'lru-cache';
import { authenticationError } from './auth-errors';
import { callerFromClaims } from './claims';
import type { AuthConfig } from './config';
import { loadJose } from './jose';
import type { Caller } from './policy';

/** Asymmetric algorithms only: a shared secret would let every subgraph mint tokens. */
export const ACCEPTED_ALGORITHMS = ['ES256', 'ES384', 'EdDSA', 'RS256', 'PS256'];

export interface TokenVerifier {
  /** The caller of a bearer token; throws UNAUTHENTICATED for anything not fully valid. */
  verify(token: string, headerPurpose?: string): Promise<Caller>;
}

export interface VerifierSource extends Omit<AuthConfig, 'jwksUrl' | 'keyFile'> {
  jwksUrl?: string;
  keyFile?: string;
  /** A JWKS given directly (tests). */
  jwks?: JSONWebKeySet;
}

async function jwksFromFile(file: string): Promise<JSONWebKeySet> {
  const data = JSON.parse(await readFile(file, 'utf8')) as { keys?: unknown; publicJwk?: unknown };
  if (Array.isArray(data.keys)) return data as JSONWebKeySet;
  if (data.publicJwk && typeof data.publicJwk === 'object') return { keys: [data.publicJwk as JSONWebKeySet['keys'][number]] };
  throw new Error(`AUTH_KEY_FILE ${file} holds neither a JWKS nor a signing key file`);
}

// What each jose failure means to the caller; the rest is "not valid" without detail.
const MESSAGES: Record<string, string> = {
  ERR_JWT_EXPIRED: 'token has expired',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'token signature is not valid',
  ERR_JOSE_ALG_NOT_ALLOWED: 'token algorithm is not accepted',
  ERR_JWKS_NO_MATCHING_KEY: 'token is signed by an unknown key',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'token key id is ambiguous',
  ERR_JWS_INVALID: 'token is malformed',
  ERR_JWT_INVALID: 'token is malformed',
};

/** Failures that are ours (the key set cannot be fetched), not the caller's: not a 401. */
const SERVER_SIDE = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID']);

function translate(err: unknown): Error {
  const code = (err as { code?: unknown }).code;
  if (typeof code !== 'string' || SERVER_SIDE.has(code) || !code.startsWith('ERR_J')) {
    return err instanceof Error ? err : new Error(String(err));
  }
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
    const claim = (err as { claim?: unknown }).claim;
    return authenticationError(`token ${typeof claim === 'string' ? claim : 'claim'} is not accepted`);
  }
  return authenticationError(MESSAGES[code] ?? 'token is not valid');
}

/**
 * How long a verified token is taken as verified without checking its signature again (never past
 * its expiry). A caller sends the same token with every request, and the gateway and each subgraph
 * verify it: an ES256 verification cost about 0.6 ms of CPU per request per process (a tenth of
 * personnel's CPU for a profile). A key withdrawn from the key set stops being trusted within this.
 */
export const VERIFIED_TOKEN_TTL_MS = 60_000;
/** Verified tokens kept: callers in the last minute, not one per request. */
const VERIFIED_TOKENS_MAX = 5_000;

export async function createTokenVerifier(source: VerifierSource): Promise<TokenVerifier> {
  const { createLocalJWKSet, createRemoteJWKSet, jwtVerify } = await loadJose();
  let keys: JWTVerifyGetKey;
  if (source.jwks) keys = createLocalJWKSet(source.jwks);
  else if (source.jwksUrl) keys = createRemoteJWKSet(new URL(source.jwksUrl), { timeoutDuration: 5000, cooldownDuration: 30_000 });
  else if (source.keyFile) keys = createLocalJWKSet(await jwksFromFile(source.keyFile));
  else throw new Error('createTokenVerifier needs jwks, jwksUrl or keyFile');
  // Only fully verified tokens, by their exact text: the same bytes verify the same way.
  const verified = new LRUCache<string, JWTPayload>({ max: VERIFIED_TOKENS_MAX });
  return {
    async verify(token, headerPurpose) {
      const known = verified.get(token);
      if (known) return callerFromClaims(known, headerPurpose);
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          issuer: source.issuer,
          audience: source.audience,
          algorithms: ACCEPTED_ALGORITHMS,
          clockTolerance: source.clockToleranceSeconds,
          requiredClaims: ['exp', 'sub'],
        }));
      } catch (err) {
        throw translate(err);
      }
      const caller = callerFromClaims(payload, headerPurpose);
      // exp is required above; kept no longer than it says (the clock tolerance is not extended).
      const ttl = Math.min(VERIFIED_TOKEN_TTL_MS, (payload.exp ?? 0) * 1000 - Date.now());
      if (ttl > 0) verified.set(token, payload, { ttl });
      return caller;
    },
  };
}

/** The token of an `Authorization: Bearer …` header; undefined when absent. */
export function bearerToken(header: string | null | undefined): string | undefined {
  if (!header) return undefined;
  const match = /^Bearer\s+([A-Za-z0-9\-_.~+/]+=*)\s*$/i.exec(header);
  if (!match) throw authenticationError('Authorization header must be "Bearer <token>"');
  return match[1];
}
