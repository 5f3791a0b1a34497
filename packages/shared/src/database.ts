import mongoose, { type Connection } from 'mongoose';

/** Each subgraph's database is named after it, `_` for `-` (e.g. `services_quality`). */
export function databaseNameFor(subgraph: string): string {
  return subgraph.replace(/-/g, '_');
}

export interface ConnectOptions {
  uri: string;
  dbName: string;
  /** Connection pool size; the driver's default (100) is too many for the embedded server. */
  maxPoolSize?: number;
}

/**
 * A mongoose connection of its own (never the global one), so several subgraphs can share a
 * process in `npm start` and the tests. Command monitoring is on so the batching proofs and the
 * benchmark can count what each request sends; the events cost nothing without listeners.
 */
export async function connectDatabase({ uri, dbName, maxPoolSize = 20 }: ConnectOptions): Promise<Connection> {
  const conn = mongoose.createConnection(uri, {
    dbName,
    maxPoolSize,
    monitorCommands: true,
    serverSelectionTimeoutMS: 10_000,
    autoIndex: true,
  });
  return conn.asPromise();
}

const NOT_COUNTED = new Set(['hello', 'ismaster', 'isMaster', 'ping', 'endSessions', 'buildInfo', 'saslStart', 'saslContinue']);

/** The collection a command reads or writes, when it names one. */
function collectionOf(name: string, command: Record<string, unknown>): string | undefined {
  if (name === 'getMore' || name === 'killCursors') return typeof command.collection === 'string' ? command.collection : undefined;
  const target = command[name];
  return typeof target === 'string' ? target : undefined;
}

export interface CommandCounter {
  /** Commands sent since the last reset, by collection (commands that name none are not counted). */
  byCollection(): Record<string, number>;
  total(): number;
  reset(): void;
  detach(): void;
}

/** Counts the commands a connection's driver sends to its database, for batching proofs. */
export function attachCommandCounter(conn: Connection): CommandCounter {
  const client = conn.getClient();
  const dbName = conn.name;
  let counts: Record<string, number> = {};
  const listener = (event: { commandName: string; databaseName: string; command: Record<string, unknown> }) => {
    if (event.databaseName !== dbName || NOT_COUNTED.has(event.commandName)) return;
    const collection = collectionOf(event.commandName, event.command);
    if (collection === undefined) return;
    counts[collection] = (counts[collection] ?? 0) + 1;
  };
  client.on('commandStarted', listener);
  return {
    byCollection: () => ({ ...counts }),
    total: () => Object.values(counts).reduce((a, b) => a + b, 0),
    reset: () => {
      counts = {};
    },
    detach: () => {
      client.off('commandStarted', listener);
    },
  };
}
