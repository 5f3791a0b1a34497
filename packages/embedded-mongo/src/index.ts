import { Engine, memoryDurability } from './storage/engine';
import type { Durability } from './storage/mutation';
import { WireServer, silentLogger, type Logger } from './server';

export type { Durability, Mutation, IndexSpec } from './storage/mutation';
export type { Logger } from './server';
export { Engine, memoryDurability } from './storage/engine';

export interface EmbeddedMongoOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Directory for the journal and snapshots. Without it, data lives in memory only. */
  dataDir?: string;
  /** Overrides the durability implementation (tests); wins over `dataDir`. */
  durability?: Durability;
  logger?: Logger;
}

export interface EmbeddedMongo {
  /** Connection string for the official driver and mongoose. */
  uri: string;
  port: number;
  host: string;
  /** Stops accepting connections, closes open ones and flushes/closes the journal. */
  stop(): Promise<void>;
}

/**
 * Starts an embedded MongoDB-compatible server. With `dataDir`, every acknowledged write is
 * journaled and fsync'd first, and the state is recovered from the directory at start.
 */
export async function startEmbeddedMongo(opts: EmbeddedMongoOptions = {}): Promise<EmbeddedMongo> {
  const host = opts.host ?? '127.0.0.1';
  const logger = opts.logger ?? silentLogger;
  let durability = opts.durability;
  if (!durability && opts.dataDir) {
    const { createFileDurability } = await import('./persistence');
    durability = await createFileDurability(opts.dataDir, { log: (m) => logger.warn(m) });
  }
  durability ??= memoryDurability;
  const engine = new Engine(durability);
  try {
    await engine.recover();
  } catch (err) {
    await durability.close().catch(() => undefined);
    throw err;
  }
  const server = new WireServer(engine, logger);
  let port: number;
  try {
    port = await server.listen(opts.port ?? 0, host);
  } catch (err) {
    await durability.close().catch(() => undefined);
    throw err;
  }
  let stopping: Promise<void> | undefined;
  const uriHost = host.includes(':') ? `[${host}]` : host;
  return {
    uri: `mongodb://${uriHost}:${port}/?directConnection=true`,
    port,
    host,
    stop() {
      stopping ??= (async () => {
        await server.close();
        await durability.close();
      })();
      return stopping;
    },
  };
}
