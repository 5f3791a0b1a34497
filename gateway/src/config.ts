import path from 'node:path';
import { httpUrl, integer, isProduction, optionalString, port } from '@civil-service/shared';

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
  };
}
