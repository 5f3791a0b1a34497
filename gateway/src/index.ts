export { createGateway, subgraphNamesOf, type Gateway, type GatewayOptions } from './gateway';
export { loadGatewayConfig, loadLimits, SUBGRAPH_URL_VARIABLES, type GatewayConfig } from './config';
export { SubgraphDataSource, timeoutFetcher } from './data-source';
export { formatGatewayError, subgraphUnavailable, type GatewayErrorFormatOptions } from './errors';
export { COST_MODEL, costLimitRule, operationCost, type CostLimitOptions, type CostOptions } from './cost';
export { DEFAULT_LIMITS, operationLimitErrors, operationLimitsChecker, operationLimitsPlugin, type AbuseLimits, type OperationCheck } from './limits';
export { rateLimitKey, TokenBucketLimiter } from './rate-limit';
export { buildSafelist, parseSafelist, readOperationFiles, Safelist, SAFELIST_FORMAT, serializeSafelist, sha256, type SafelistEntry, type SafelistManifest } from './safelist';
export { probeSubgraph, readinessCheck, type SubgraphStatus } from './readiness';
