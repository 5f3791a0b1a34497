import { startEmbeddedMongo } from './index';

/**
 * `npm run mongo`: MONGO_PORT (default 27017), MONGO_HOST (default 127.0.0.1), MONGO_DATA_DIR
 * (optional; without it data is kept in memory only).
 */

function fail(message: string): never {
  process.stderr.write(`embedded-mongo: ${message}\n`);
  process.exit(2);
}

function readConfig(env: NodeJS.ProcessEnv): { port: number; host: string; dataDir?: string } {
  const rawPort = env.MONGO_PORT ?? '27017';
  if (!/^\d+$/.test(rawPort) || Number(rawPort) > 65535) {
    fail(`MONGO_PORT must be an integer between 0 and 65535, got ${JSON.stringify(rawPort)}`);
  }
  const host = env.MONGO_HOST ?? '127.0.0.1';
  if (host.trim() === '' || /\s/.test(host)) fail(`MONGO_HOST must be a host name or IP address, got ${JSON.stringify(host)}`);
  const dataDir = env.MONGO_DATA_DIR;
  if (dataDir !== undefined && dataDir.trim() === '') fail('MONGO_DATA_DIR is set but empty; unset it for an in-memory server');
  return { port: Number(rawPort), host, dataDir };
}

async function main(): Promise<void> {
  const config = readConfig(process.env);
  const warn = (m: string) => process.stderr.write(`[embedded-mongo] ${m}\n`);
  let server;
  try {
    server = await startEmbeddedMongo({ ...config, logger: { info: () => {}, warn } });
  } catch (err) {
    fail(`could not start: ${err instanceof Error ? err.message : String(err)}`);
  }
  const mode = config.dataDir ? `journaled in ${config.dataDir}` : 'in memory only';
  process.stdout.write(`embedded-mongo ready on ${server.uri} (${mode})\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server
      .stop()
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        process.stderr.write(`embedded-mongo: error while stopping on ${signal}: ${String(err)}\n`);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

void main();
