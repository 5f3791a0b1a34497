/** `npm run gateway`: the gateway alone, in front of subgraphs running elsewhere. */
import { readFileSync } from 'node:fs';
import { authConfigFromEnv, ConfigError, createLogger, createTokenVerifier, runMain } from '@civil-service/shared';
import { loadGatewayConfig } from './config';
import { createGateway } from './gateway';
import { parseSafelist, Safelist } from './safelist';

/** LOG_LEVEL is checked by the logger; reported like any other configuration error. */
function gatewayLogger() {
  try {
    return createLogger('gateway');
  } catch (err) {
    throw new ConfigError('LOG_LEVEL', (err as Error).message.replace(/^LOG_LEVEL /, ''));
  }
}

/** GATEWAY_SAFELIST's manifest; an unreadable or altered one stops the start. */
function readSafelist(file: string): Safelist {
  let json: string;
  try {
    json = readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError('GATEWAY_SAFELIST', `cannot read ${file} (\`npm run safelist\` writes gateway/safelist.json)`);
  }
  try {
    return new Safelist(parseSafelist(json));
  } catch (err) {
    throw new ConfigError('GATEWAY_SAFELIST', `${file} ${(err as Error).message}`);
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
  const safelist = config.safelistPath ? readSafelist(config.safelistPath) : undefined;
  const verifier = await createTokenVerifier(authConfigFromEnv(process.env));
  const gateway = createGateway({ supergraphSdl, subgraphUrls: config.subgraphUrls, timeoutMs: config.timeoutMs, production: config.production, logger, verifier, limits: config.limits, safelist, resultShaping: config.resultShaping });
  const server = await gateway.listen(config.port, config.host);
  logger.info({ url: server.url, subgraphs: config.subgraphUrls, limits: config.limits, safelist: safelist ? `${config.safelistPath} (${safelist.size} documents)` : 'off' }, `gateway ready at ${server.url}`);

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
