import { ConfigError, httpUrl, integer, isProduction, optionalString } from '../config';
import { DEV_AUDIENCE, DEV_ISSUER } from './keys';

type Env = Record<string, string | undefined>;

export interface AuthConfig {
  /** Where the issuer publishes its public keys (JWKS); wins over keyFile. */
  jwksUrl?: string;
  /** A local file holding a JWKS (`{"keys": [...]}`) or a key file made by ensureLocalSigningKey. */
  keyFile?: string;
  issuer: string;
  audience: string;
  /** Tolerated clock difference with the issuer, in seconds, for exp/nbf/iat. */
  clockToleranceSeconds: number;
}

/**
 * AUTH_JWKS_URL or AUTH_KEY_FILE (one is required), AUTH_ISSUER and AUTH_AUDIENCE (development
 * defaults, required in production so that no production service accepts development tokens),
 * AUTH_CLOCK_SKEW_SECONDS (30).
 */
export function authConfigFromEnv(env: Env = process.env): AuthConfig {
  const jwksUrl = optionalString(env, 'AUTH_JWKS_URL') === undefined ? undefined : httpUrl(env, 'AUTH_JWKS_URL');
  const keyFile = optionalString(env, 'AUTH_KEY_FILE');
  if (!jwksUrl && !keyFile) throw new ConfigError('AUTH_JWKS_URL', 'is required (or AUTH_KEY_FILE, a local JWKS or signing key file)');
  const production = isProduction(env);
  const issuer = optionalString(env, 'AUTH_ISSUER');
  const audience = optionalString(env, 'AUTH_AUDIENCE');
  if (production && !issuer) throw new ConfigError('AUTH_ISSUER', 'is required in production');
  if (production && !audience) throw new ConfigError('AUTH_AUDIENCE', 'is required in production');
  return {
    ...(jwksUrl ? { jwksUrl } : { keyFile }),
    issuer: issuer ?? DEV_ISSUER,
    audience: audience ?? DEV_AUDIENCE,
    clockToleranceSeconds: integer(env, 'AUTH_CLOCK_SKEW_SECONDS', 30, { min: 0, max: 300 }),
  };
}
