import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** One JSON logger per process part; LOG_LEVEL (pino levels) applies to all. */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  if (!LEVELS.includes(level)) throw new Error(`LOG_LEVEL must be one of ${LEVELS.join(', ')}, got '${level}'`);
  return pino({ name, level, base: { name } });
}
