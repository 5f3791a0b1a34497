import path from 'node:path';
import { ConfigError, httpUrl, integer, isProduction, optionalString, port } from '@civil-service/shared';
import { DEFAULT_LIMITS, type AbuseLimits } from './limits';
import type { ResultShaping } from './result-shaping';

type Env = Record<string, string | undefined>;

/** The variable that gives each subgraph's GraphQL URL, by subgraph name. */
export const SUBGRAPH_URL_VARIABLES = {
  personnel: 'PERSONNEL_URL',
  training: 'TRAINING_URL',
  evaluation: 'EVALUATION_URL',
  'services-quality': 'SERVICES_QUALITY_URL',
} as const;

export interface GatewayConfig {
  port: number;
  host: string;
  subgraphUrls: Record<string, string>;
  timeoutMs: number;
  production: boolean;
  supergraphPath: string;
  limits: AbuseLimits;
  /** GATEWAY_SAFELIST: the manifest of the only operations accepted; unset accepts any. */
  safelistPath?: string;
  /** GATEWAY_RESULT_SHAPING: `fast` (default) or `apollo`, @apollo/gateway's own (result-shaping.ts). */
  resultShaping: ResultShaping;
}

const RESULT_SHAPINGS: readonly ResultShaping[] = ['fast', 'apollo'];

function resultShaping(env: Env): ResultShaping {
  const raw = optionalString(env, 'GATEWAY_RESULT_SHAPING') ?? 'fast';
  if (!(RESULT_SHAPINGS as readonly string[]).includes(raw)) throw new ConfigError('GATEWAY_RESULT_SHAPING', `must be ${RESULT_SHAPINGS.join(' or ')}, got '${raw}'`);
  return raw as ResultShaping;
}

/** The abuse limits' variables (gateway/README.md); each must be a whole number in its range. */
export function loadLimits(env: Env): AbuseLimits {
  const d = DEFAULT_LIMITS;
  return {
    maxDepth: integer(env, 'GATEWAY_MAX_DEPTH', d.maxDepth, { min: 1, max: 1000 }),
    maxAliases: integer(env, 'GATEWAY_MAX_ALIASES', d.maxAliases, { min: 0, max: 10_000 }),
    maxCost: integer(env, 'GATEWAY_MAX_COST', d.maxCost, { min: 1, max: 100_000_000 }),
    maxTokens: integer(env, 'GATEWAY_MAX_TOKENS', d.maxTokens, { min: 10, max: 1_000_000 }),
    // At least a small query's worth; at most 100 MB, past which a GraphQL request is no request.
    maxBodyBytes: integer(env, 'GATEWAY_MAX_BODY_BYTES', d.maxBodyBytes, { min: 1024, max: 100 * 1_048_576 }),
    rateLimitPerMinute: integer(env, 'GATEWAY_RATE_LIMIT_PER_MINUTE', d.rateLimitPerMinute, { min: 0, max: 100_000_000 }),
  };
}

const DEFAULT_SUPERGRAPH = path.resolve(__dirname, '..', '..', 'schema', 'supergraph.graphql');

/** Reads and checks the gateway's environment; a bad value throws a ConfigError naming it. */
export function loadGatewayConfig(env: Env): GatewayConfig {
  const subgraphUrls = Object.fromEntries(Object.entries(SUBGRAPH_URL_VARIABLES).map(([name, variable]) => [name, httpUrl(env, variable)]));
  return {
    port: port(env, 'PORT', 4000),
    host: optionalString(env, 'HOST') ?? '127.0.0.1',
    subgraphUrls,
    // Longer than ten minutes is a hung subgraph, not a slow one.
    timeoutMs: integer(env, 'SUBGRAPH_TIMEOUT_MS', 5000, { min: 1, max: 600_000 }),
    production: isProduction(env),
    supergraphPath: optionalString(env, 'SUPERGRAPH_PATH') ?? DEFAULT_SUPERGRAPH,
    limits: loadLimits(env),
    safelistPath: optionalString(env, 'GATEWAY_SAFELIST'),
    resultShaping: resultShaping(env),
  };
}
