import { readFile } from 'node:fs/promises';
import { SignJWT, generateKeyPair, importJWK } from 'jose';
import { DEV_AUDIENCE, DEV_ISSUER, authConfigFromEnv, createTokenVerifier, ensureLocalSigningKey, mintToken } from '../../src';
import { testKeys, type TestKeys } from './helpers';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function refusal(keys: TestKeys, token: string): Promise<{ code?: unknown; message: string }> {
  try {
    await keys.verifier.verify(token);
  } catch (err) {
    return { code: (err as { extensions?: { code?: unknown } }).extensions?.code, message: (err as Error).message };
  }
  throw new Error('token was accepted');
}

describe('bearer token verification', () => {
  let keys: TestKeys;
  beforeAll(async () => {
    keys = await testKeys();
  });
  afterAll(() => keys.cleanup());

  async function signed(claims: Record<string, unknown>, configure: (jwt: SignJWT) => SignJWT = (j) => j) {
    const privateKey = await importJWK(keys.key.privateJwk, 'ES256');
    const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: keys.key.kid }).setSubject('u1').setIssuedAt();
    return configure(jwt.setIssuer(DEV_ISSUER).setAudience(DEV_AUDIENCE).setExpirationTime('5m')).sign(privateKey);
  }

  it('accepts a valid token and returns its caller', async () => {
    const token = await keys.token({ role: 'hr', stateBody: 'B1', sub: 'alice', purpose: 'annual review' });
    await expect(keys.verifier.verify(token)).resolves.toEqual({ sub: 'alice', role: 'hr', stateBody: 'B1', purpose: 'annual review' });
    // The request's X-Purpose wins over the token's standing purpose.
    await expect(keys.verifier.verify(token, 'case 42')).resolves.toMatchObject({ purpose: 'case 42' });
  });

  it('refuses a token signed by another key (forged)', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ role: 'monitoring' })
      .setProtectedHeader({ alg: 'ES256', kid: keys.key.kid })
      .setSubject('mallory')
      .setIssuer(DEV_ISSUER)
      .setAudience(DEV_AUDIENCE)
      .setExpirationTime('5m')
      .sign(privateKey);
    expect(await refusal(keys, forged)).toEqual({ code: 'UNAUTHENTICATED', message: 'token signature is not valid' });
  });

  it('refuses a valid token whose payload was altered', async () => {
    const [header, , signature] = (await keys.token({ role: 'analyst' })).split('.');
    const altered = `${header}.${b64({ sub: 'x', role: 'monitoring', iss: DEV_ISSUER, aud: DEV_AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 })}.${signature}`;
    expect((await refusal(keys, altered)).code).toBe('UNAUTHENTICATED');
  });

  it('refuses an unsigned token (alg none)', async () => {
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'x', role: 'monitoring', iss: DEV_ISSUER, aud: DEV_AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 })}.`;
    expect((await refusal(keys, unsigned)).code).toBe('UNAUTHENTICATED');
  });

  it('refuses an HMAC token made with the public key as secret (algorithm confusion)', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(keys.key.jwks.keys[0]));
    const hs = await new SignJWT({ role: 'monitoring' }).setProtectedHeader({ alg: 'HS256' }).setSubject('x').setIssuer(DEV_ISSUER).setAudience(DEV_AUDIENCE).setExpirationTime('5m').sign(secret);
    expect(await refusal(keys, hs)).toEqual({ code: 'UNAUTHENTICATED', message: 'token algorithm is not accepted' });
  });

  it('refuses an expired token beyond the clock skew, accepts one within it', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await signed({ role: 'analyst' }, (j) => j.setExpirationTime(now - 120));
    expect(await refusal(keys, expired)).toEqual({ code: 'UNAUTHENTICATED', message: 'token has expired' });
    const justExpired = await signed({ role: 'analyst' }, (j) => j.setExpirationTime(now - 5));
    await expect(keys.verifier.verify(justExpired)).resolves.toMatchObject({ role: 'analyst' });
  });

  it('refuses a wrong audience and a wrong issuer', async () => {
    expect(await refusal(keys, await signed({ role: 'analyst' }, (j) => j.setAudience('urn:someone-else')))).toEqual({ code: 'UNAUTHENTICATED', message: 'token aud is not accepted' });
    expect(await refusal(keys, await signed({ role: 'analyst' }, (j) => j.setIssuer('urn:evil')))).toEqual({ code: 'UNAUTHENTICATED', message: 'token iss is not accepted' });
  });

  it('refuses a token without expiry, an unknown role, or a role without its claim', async () => {
    const privateKey = await importJWK(keys.key.privateJwk, 'ES256');
    const noExp = await new SignJWT({ role: 'analyst' }).setProtectedHeader({ alg: 'ES256', kid: keys.key.kid }).setSubject('x').setIssuer(DEV_ISSUER).setAudience(DEV_AUDIENCE).sign(privateKey);
    expect((await refusal(keys, noExp)).code).toBe('UNAUTHENTICATED');
    expect(await refusal(keys, await signed({ role: 'admin' }))).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await refusal(keys, await signed({ role: 'hr' }))).toEqual({ code: 'UNAUTHENTICATED', message: 'an hr token needs a stateBody claim' });
    expect(await refusal(keys, await signed({ role: 'servant' }))).toEqual({ code: 'UNAUTHENTICATED', message: 'a servant token needs a servant claim' });
    expect(await refusal(keys, 'not-a-token')).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('keeps a verified token no longer than its expiry', async () => {
    const verifier = await createTokenVerifier({ keyFile: keys.key.file, issuer: DEV_ISSUER, audience: DEV_AUDIENCE, clockToleranceSeconds: 0 });
    const exp = Math.floor(Date.now() / 1000) + 2;
    const token = await signed({ role: 'analyst' }, (jwt) => jwt.setExpirationTime(exp));
    await expect(verifier.verify(token)).resolves.toMatchObject({ role: 'analyst' });
    await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
    await expect(verifier.verify(token)).rejects.toMatchObject({ message: 'token has expired', extensions: { code: 'UNAUTHENTICATED' } });
  });

  it('checks a token that differs from a verified one by a byte on its own, and takes each request\'s purpose', async () => {
    const token = await signed({ role: 'monitoring' });
    await expect(keys.verifier.verify(token, 'inspection 1')).resolves.toMatchObject({ role: 'monitoring', purpose: 'inspection 1' });
    await expect(keys.verifier.verify(token, 'inspection 2')).resolves.toMatchObject({ role: 'monitoring', purpose: 'inspection 2' });
    const [header, payload, signature] = token.split('.');
    const forged = `${header}.${b64({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), role: 'monitoring', sub: 'someone-else' })}.${signature}`;
    expect(await refusal(keys, forged)).toEqual({ code: 'UNAUTHENTICATED', message: 'token signature is not valid' });
    const flipped = `${header}.${payload}.${signature!.slice(0, -2)}${signature!.endsWith('AA') ? 'BB' : 'AA'}`;
    expect((await refusal(keys, flipped)).code).toBe('UNAUTHENTICATED');
  });

  it('verifies with the key file (AUTH_KEY_FILE) as well as with a JWKS', async () => {
    const verifier = await createTokenVerifier({ keyFile: keys.key.file, issuer: DEV_ISSUER, audience: DEV_AUDIENCE, clockToleranceSeconds: 0 });
    await expect(verifier.verify(await keys.token({ role: 'academy' }))).resolves.toMatchObject({ role: 'academy' });
  });
});

describe('local signing key', () => {
  it('is created once, private, and reused', async () => {
    const keys = await testKeys();
    try {
      const dir = keys.key.file.replace(/signing-key\.json$/, 'fresh');
      // Two processes starting together on an empty directory end up with one key.
      const [a, b] = await Promise.all([ensureLocalSigningKey(dir), ensureLocalSigningKey(dir)]);
      expect(b.kid).toBe(a.kid);
      expect(a.kid).not.toBe(keys.key.kid);
      expect((await ensureLocalSigningKey(dir)).kid).toBe(a.kid);
      expect((await ensureLocalSigningKey(keys.key.file.replace(/signing-key\.json$/, ''))).kid).toBe(keys.key.kid);
      expect(a.jwks.keys[0]).not.toHaveProperty('d');
      expect(JSON.parse(await readFile(keys.key.file, 'utf8')).privateJwk).toHaveProperty('d');
      const token = await mintToken(keys.key, { role: 'servant', servant: 'S1' }, { ttlMinutes: 1 });
      await expect(keys.verifier.verify(token)).resolves.toEqual({ sub: 'dev-servant', role: 'servant', servant: 'S1' });
    } finally {
      await keys.cleanup();
    }
  });
});

describe('auth configuration', () => {
  it('needs a key source and, in production, an explicit issuer and audience', () => {
    expect(() => authConfigFromEnv({})).toThrow('AUTH_JWKS_URL');
    expect(authConfigFromEnv({ AUTH_KEY_FILE: '/k.json' })).toEqual({ keyFile: '/k.json', issuer: DEV_ISSUER, audience: DEV_AUDIENCE, clockToleranceSeconds: 30 });
    expect(() => authConfigFromEnv({ AUTH_JWKS_URL: 'https://idp/jwks', NODE_ENV: 'production' })).toThrow('AUTH_ISSUER');
    expect(() => authConfigFromEnv({ AUTH_JWKS_URL: 'ftp://x' })).toThrow('AUTH_JWKS_URL');
    expect(() => authConfigFromEnv({ AUTH_KEY_FILE: '/k', AUTH_CLOCK_SKEW_SECONDS: '999' })).toThrow('AUTH_CLOCK_SKEW_SECONDS');
  });
});
