import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ConfigError } from '@civil-service/shared';
import { DEFAULT_LIMITS, loadGatewayConfig } from '../src';

const VALID = {
  PERSONNEL_URL: 'http://127.0.0.1:4001/graphql',
  TRAINING_URL: 'http://127.0.0.1:4002/graphql',
  EVALUATION_URL: 'http://127.0.0.1:4003/graphql',
  SERVICES_QUALITY_URL: 'https://sq.example.kz/graphql',
};

function configError(env: Record<string, string>): ConfigError {
  try {
    loadGatewayConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('gateway configuration', () => {
  it('has defaults for everything but the subgraph URLs', () => {
    const config = loadGatewayConfig(VALID);
    expect(config).toMatchObject({ port: 4000, timeoutMs: 5000, production: false });
    expect(config.subgraphUrls).toEqual({
      personnel: VALID.PERSONNEL_URL,
      training: VALID.TRAINING_URL,
      evaluation: VALID.EVALUATION_URL,
      'services-quality': VALID.SERVICES_QUALITY_URL,
    });
    expect(loadGatewayConfig({ ...VALID, PORT: '8080', SUBGRAPH_TIMEOUT_MS: '250', NODE_ENV: 'production' })).toMatchObject({ port: 8080, timeoutMs: 250, production: true });
  });

  it('shapes answers with its own code unless told to use Apollo’s', () => {
    expect(loadGatewayConfig(VALID).resultShaping).toBe('fast');
    expect(loadGatewayConfig({ ...VALID, GATEWAY_RESULT_SHAPING: 'apollo' }).resultShaping).toBe('apollo');
    const err = configError({ ...VALID, GATEWAY_RESULT_SHAPING: 'quick' });
    expect(err.variable).toBe('GATEWAY_RESULT_SHAPING');
    expect(err.message).toBe("GATEWAY_RESULT_SHAPING: must be fast or apollo, got 'quick'");
  });

  it.each(Object.keys(VALID))('names %s when it is missing', (variable) => {
    const env: Record<string, string> = { ...VALID };
    delete env[variable];
    const err = configError(env);
    expect(err.variable).toBe(variable);
    expect(err.message).toContain(variable);
  });

  it.each([
    ['TRAINING_URL', 'localhost:4002'],
    ['EVALUATION_URL', 'ftp://host/graphql'],
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['SUBGRAPH_TIMEOUT_MS', '0'],
    ['SUBGRAPH_TIMEOUT_MS', '5s'],
  ])('refuses %s=%s, naming it', (variable, value) => {
    expect(configError({ ...VALID, [variable]: value }).variable).toBe(variable);
  });
});

describe('abuse limit configuration', () => {
  it('defaults to DEFAULT_LIMITS and no safelist', () => {
    const config = loadGatewayConfig(VALID);
    expect(config.limits).toEqual(DEFAULT_LIMITS);
    expect(config.limits).toEqual({ maxDepth: 10, maxAliases: 15, maxCost: 5000, maxTokens: 1000, maxBodyBytes: 1_048_576, rateLimitPerMinute: 120_000 });
    expect(config.safelistPath).toBeUndefined();
  });

  it('reads each variable', () => {
    const config = loadGatewayConfig({
      ...VALID,
      GATEWAY_MAX_DEPTH: '6',
      GATEWAY_MAX_ALIASES: '0',
      GATEWAY_MAX_COST: '800',
      GATEWAY_MAX_TOKENS: '500',
      GATEWAY_MAX_BODY_BYTES: '65536',
      GATEWAY_RATE_LIMIT_PER_MINUTE: '0',
      GATEWAY_SAFELIST: 'gateway/safelist.json',
    });
    expect(config.limits).toEqual({ maxDepth: 6, maxAliases: 0, maxCost: 800, maxTokens: 500, maxBodyBytes: 65536, rateLimitPerMinute: 0 });
    expect(config.safelistPath).toBe('gateway/safelist.json');
  });

  it.each([
    ['GATEWAY_MAX_DEPTH', '0'],
    ['GATEWAY_MAX_DEPTH', 'ten'],
    ['GATEWAY_MAX_ALIASES', '-1'],
    ['GATEWAY_MAX_COST', '0'],
    ['GATEWAY_MAX_TOKENS', '5'],
    ['GATEWAY_MAX_BODY_BYTES', '100'],
    ['GATEWAY_RATE_LIMIT_PER_MINUTE', '1.5'],
  ])('refuses %s=%s, naming it', (variable, value) => {
    expect(configError({ ...VALID, [variable]: value }).variable).toBe(variable);
  });
});

describe('npm run gateway with bad configuration', () => {
  it('stops at start with a message naming the variable', () => {
    const root = path.resolve(__dirname, '..', '..');
    const env: Record<string, string | undefined> = { ...process.env, ...VALID, TRAINING_URL: 'not a url' };
    const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'gateway', 'src', 'main.ts')], { env, cwd: root, encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Configuration error: TRAINING_URL');
  });

  it('stops when GATEWAY_SAFELIST cannot be read', () => {
    const root = path.resolve(__dirname, '..', '..');
    const env: Record<string, string | undefined> = { ...process.env, ...VALID, GATEWAY_SAFELIST: path.join(root, 'no-such-safelist.json') };
    const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'gateway', 'src', 'main.ts')], { env, cwd: root, encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Configuration error: GATEWAY_SAFELIST: cannot read');
  });
});
