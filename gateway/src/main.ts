/** `npm run gateway`: the gateway alone, in front of subgraphs running elsewhere. */
import { readFileSync } from 'node:fs';
import { authConfigFromEnv, ConfigError, createLogger, createTokenVerifier, runMain } from '@civil-service/shared';
import { loadGatewayConfig } from './config';
import { createGateway } from './gateway';

/** LOG_LEVEL is checked by the logger; reported like any other configuration error. */
function gatewayLogger() {
  try {
    return createLogger('gateway');
  } catch (err) {
    throw new ConfigError('LOG_LEVEL', (err as Error).message.replace(/^LOG_LEVEL /, ''));
  }
}

async function main(): Promise<void> {
  const config = loadGatewayConfig(process.env);
  const logger = gatewayLogger();
  let supergraphSdl: string;
  try {
    supergraphSdl = readFileSync(config.supergraphPath, 'utf8');
  } catch {
    throw new ConfigError('SUPERGRAPH_PATH', `cannot read ${config.supergraphPath} (run \`npm run compose\`)`);
  }
  const verifier = await createTokenVerifier(authConfigFromEnv(process.env));
  const gateway = createGateway({ supergraphSdl, subgraphUrls: config.subgraphUrls, timeoutMs: config.timeoutMs, production: config.production, logger, verifier });
  const server = await gateway.listen(config.port, config.host);
  logger.info({ url: server.url, subgraphs: config.subgraphUrls }, `gateway ready at ${server.url}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal}: stopping`);
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

runMain(main);
