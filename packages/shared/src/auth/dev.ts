import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger } from '../logger';
import type { AuditWriter } from './audit-writer';
import type { AuthConfig } from './config';
import { DEV_AUDIENCE, DEV_ISSUER, ensureLocalSigningKey, mintToken, type LocalSigningKey, type MintOptions, type TokenClaims } from './keys';
import type { Target } from './policy';
import type { AuthPolicyOptions } from './transform';
import { createTokenVerifier, type TokenVerifier } from './verify';

/**
 * What a subgraph factory needs to verify callers: the verifier, and optionally the hr scope
 * lookup (`bodyChains`) when the subgraph cannot compute it from its own data. Required by every
 * factory, so that no subgraph can be built without authentication by forgetting an option.
 */
export interface SubgraphAuth {
  verifier: TokenVerifier;
  bodyChains?: AuthPolicyOptions['bodyChains'];
  /** Audit log writer; personnel makes its own on its database when not given. */
  auditWriter?: AuditWriter;
  logger?: Logger;
}

/** A local key with its verifier and a token mint: `npm start` and the tests. */
export interface DevAuth {
  key: LocalSigningKey;
  verifier: TokenVerifier;
  config: AuthConfig;
  token(claims: TokenClaims, options?: MintOptions): Promise<string>;
}

/** The development signing key under `dir` (made on first use) and everything built on it. */
export async function devAuth(dir: string): Promise<DevAuth> {
  const key = await ensureLocalSigningKey(dir);
  const config: AuthConfig = { keyFile: key.file, issuer: DEV_ISSUER, audience: DEV_AUDIENCE, clockToleranceSeconds: 30 };
  const verifier = await createTokenVerifier({ ...config, jwks: key.jwks });
  return { key, verifier, config, token: (claims, options) => mintToken(key, claims, options) };
}

/**
 * hr's write target of a mutation whose argument (or `input` argument's) `servantId` names the
 * servant written about: that servant's body chain, from `auth.bodyChains` (null without it: refused).
 */
export function servantWriteTarget(auth: SubgraphAuth, inputArg?: string) {
  return async (args: Record<string, unknown>, context: unknown): Promise<Target> => {
    const holder = (inputArg ? args[inputArg] : args) as { servantId?: unknown } | undefined;
    const servantId = typeof holder?.servantId === 'string' ? holder.servantId : null;
    if (!servantId || !auth.bodyChains) return { servantId, bodyChain: null };
    return { servantId, bodyChain: (await auth.bodyChains([servantId], context))[0] ?? null };
  };
}

/** A subgraph test's callers: a temporary key, a reader's token and a writer's token. */
export interface TestAuth extends DevAuth {
  /** `Authorization` header for `query`: the writer's token for a mutation, the reader's otherwise. */
  headersFor(query: string): Record<string, string>;
  /** A header for a token of `claims` (for tests that call as a particular role). */
  headersAs(claims: TokenClaims): Promise<Record<string, string>>;
  dispose(): Promise<void>;
}

/** Subgraph tests call with real tokens through the real verifier, signed by a throw-away key. */
export async function testAuth(writer: TokenClaims, reader: TokenClaims = { role: 'monitoring', purpose: 'subgraph test' }): Promise<TestAuth> {
  const dir = await mkdtemp(path.join(tmpdir(), 'csg-auth-'));
  const auth = await devAuth(dir);
  const [readToken, writeToken] = await Promise.all([auth.token(reader), auth.token(writer)]);
  return {
    ...auth,
    headersFor: (query) => ({ authorization: `Bearer ${/^\s*mutation\b/.test(query) ? writeToken : readToken}` }),
    headersAs: async (claims) => ({ authorization: `Bearer ${await auth.token(claims)}` }),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
