export { createGateway, subgraphNamesOf, type Gateway, type GatewayOptions } from './gateway';
export { loadGatewayConfig, SUBGRAPH_URL_VARIABLES, type GatewayConfig } from './config';
export { SubgraphDataSource, timeoutFetcher } from './data-source';
export { formatGatewayError, subgraphUnavailable } from './errors';
export { probeSubgraph, readinessCheck, type SubgraphStatus } from './readiness';
