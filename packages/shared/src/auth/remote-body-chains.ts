import type { Logger } from '../logger';
import { loadLocalSigningKey, mintToken, type LocalSigningKey, type MintOptions } from './keys';
import type { AuthPolicyOptions } from './transform';

type BodyChains = NonNullable<AuthPolicyOptions['bodyChains']>;

const QUERY = 'query ServantBodyChains($ids: [ID!]!) { servantBodyChains(ids: $ids) { servantId chain } }';
/** personnel's own bound (subgraphs/personnel/src/auth.ts); a larger operation is asked in parts. */
const BATCH = 1000;

export interface RemoteBodyChainsOptions {
  /** personnel's GraphQL endpoint (`PERSONNEL_URL`). */
  url: string;
  /** A `service` token for personnel, fresh on every call (see `serviceTokenSource`). */
  serviceToken: () => Promise<string>;
  /** A slow personnel must not hold the caller's request for long: hr is then refused instead. */
  timeoutMs?: number;
  logger?: Logger;
}

interface ChainsResponse {
  data?: { servantBodyChains?: Array<{ servantId: string; chain: string[] | null }> | null } | null;
  errors?: Array<{ message?: string }>;
}

async function ask(options: RemoteBodyChainsOptions, ids: readonly string[]): Promise<Map<string, string[] | null>> {
  const res = await fetch(options.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await options.serviceToken()}` },
    body: JSON.stringify({ query: QUERY, variables: { ids } }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 2000),
  });
  const body = (await res.json()) as ChainsResponse;
  const rows = body.data?.servantBodyChains;
  if (!res.ok || body.errors?.length || !Array.isArray(rows)) {
    throw new Error(`personnel answered ${res.status}: ${body.errors?.map((e) => e.message).join('; ') ?? 'no servantBodyChains'}`);
  }
  return new Map(rows.map((r) => [r.servantId, Array.isArray(r.chain) ? r.chain : null]));
}

/**
 * hr's scope in a subgraph that holds no assignments: asks the personnel subgraph over HTTP, one
 * request for all the servants of an operation (the transform batches them per request). Every
 * failure (personnel down, slow, refusing the token, answering nonsense) yields null chains, so
 * hr is refused, never let through on a guess. No subgraph reads another's database.
 */
export function remoteBodyChains(options: RemoteBodyChainsOptions): BodyChains {
  return async (servantIds) => {
    try {
      const found = new Map<string, string[] | null>();
      for (let i = 0; i < servantIds.length; i += BATCH) {
        for (const [id, chain] of await ask(options, servantIds.slice(i, i + BATCH))) found.set(id, chain);
      }
      return servantIds.map((id) => found.get(id) ?? null);
    } catch (err) {
      options.logger?.warn({ err, url: options.url }, 'personnel body chain lookup failed: hr is refused scoped fields');
      return servantIds.map(() => null);
    }
  };
}

/**
 * A `service` token minted with a local signing key, re-minted before it expires: for `npm start`,
 * the tests and the bench. `sub` names the calling subgraph so personnel's logs can tell them apart.
 */
export function mintedServiceToken(key: LocalSigningKey, subgraph: string, options: MintOptions = {}): () => Promise<string> {
  const ttlMinutes = options.ttlMinutes ?? 60;
  let current: { token: Promise<string>; renewAt: number } | undefined;
  return () => {
    if (!current || Date.now() >= current.renewAt) {
      current = { token: mintToken(key, { role: 'service', sub: `service:${subgraph}` }, { ...options, ttlMinutes }), renewAt: Date.now() + (ttlMinutes * 60_000) / 2 };
      // A failed mint must not be cached: the next call tries again.
      current.token.catch(() => (current = undefined));
    }
    return current.token;
  };
}

/**
 * The service token from the environment: `AUTH_SERVICE_TOKEN` (issued by the identity provider;
 * production), else one minted with the signing key in `AUTH_KEY_FILE` when that file holds the
 * private key (development). Undefined when neither: the caller then fails closed for hr.
 */
export async function serviceTokenSource(env: NodeJS.ProcessEnv, subgraph: string): Promise<(() => Promise<string>) | undefined> {
  const fixed = env.AUTH_SERVICE_TOKEN?.trim();
  if (fixed) return () => Promise.resolve(fixed);
  const file = env.AUTH_KEY_FILE?.trim();
  if (!file) return undefined;
  const key = await loadLocalSigningKey(file).catch(() => undefined);
  return key ? mintedServiceToken(key, subgraph, { ...(env.AUTH_ISSUER ? { issuer: env.AUTH_ISSUER } : {}), ...(env.AUTH_AUDIENCE ? { audience: env.AUTH_AUDIENCE } : {}) }) : undefined;
}
