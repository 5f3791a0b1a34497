/** A configuration problem, named by its variable; processes print it and exit at start. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/** A required, non-empty variable. */
export function requiredString(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new ConfigError(name, 'is required and not set');
  return value;
}

export function optionalString(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** A whole number in [min, max], with a default when unset. */
export function integer(env: Env, name: string, fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got '${raw}'`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

export function port(env: Env, name: string, fallback: number): number {
  return integer(env, name, fallback, { min: 0, max: 65535 });
}

/** An http(s) URL. */
export function httpUrl(env: Env, name: string): string {
  const value = requiredString(env, name);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(name, `must be an http(s) URL, got '${value}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(name, `must be an http(s) URL, got '${value}'`);
  return value;
}

/** A MongoDB connection string. */
export function mongoUri(env: Env, name: string, { required }: { required: boolean }): string | undefined {
  const value = required ? requiredString(env, name) : optionalString(env, name);
  if (value !== undefined && !/^mongodb(\+srv)?:\/\//.test(value)) {
    throw new ConfigError(name, `must start with mongodb:// or mongodb+srv://, got '${value}'`);
  }
  return value;
}

/** True when NODE_ENV is `production`: internal messages hidden, landing page off. */
export function isProduction(env: Env): boolean {
  return env.NODE_ENV === 'production';
}

/** Runs a process's `main`, printing a configuration error as one clear line and exiting 1. */
export function runMain(main: () => Promise<unknown>): void {
  main().catch((err: unknown) => {
    if (err instanceof ConfigError) console.error(`Configuration error: ${err.message}`);
    else console.error(err);
    process.exit(1);
  });
}
