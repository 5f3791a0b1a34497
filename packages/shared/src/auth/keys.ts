import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { JWK } from 'jose';
import { loadJose } from './jose';
import type { Role } from './policy';

export const SIGNING_ALG = 'ES256';
export const KEY_FILE_NAME = 'signing-key.json';
/** Development defaults; production sets AUTH_ISSUER and AUTH_AUDIENCE (see config.ts). */
export const DEV_ISSUER = 'urn:civil-service-graph:dev-issuer';
export const DEV_AUDIENCE = 'urn:civil-service-graph';

/** What the key file holds: the private key never leaves it except to sign dev tokens. */
interface KeyFile {
  kid: string;
  alg: string;
  createdAt: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

export interface LocalSigningKey {
  file: string;
  kid: string;
  alg: string;
  privateJwk: JWK;
  /** The public half as a JWKS, what verifiers are given. */
  jwks: { keys: JWK[] };
}

function toKey(file: string, data: KeyFile): LocalSigningKey {
  return { file, kid: data.kid, alg: data.alg, privateJwk: data.privateJwk, jwks: { keys: [data.publicJwk] } };
}

async function readKeyFile(file: string): Promise<KeyFile> {
  const data = JSON.parse(await readFile(file, 'utf8')) as Partial<KeyFile>;
  if (!data.kid || !data.alg || !data.privateJwk || !data.publicJwk) throw new Error(`${file} is not a signing key file`);
  return data as KeyFile;
}

/** The signing key file at `file` (made by `ensureLocalSigningKey`); throws when it holds no private key. */
export async function loadLocalSigningKey(file: string): Promise<LocalSigningKey> {
  const resolved = path.resolve(file);
  return toKey(resolved, await readKeyFile(resolved));
}

/**
 * The development signing key under `dir` (e.g. `.data/auth`), created on first use. The file is
 * written with `wx` so that two processes starting together keep one key: the loser reads the
 * winner's file instead of overwriting it and invalidating tokens already handed out.
 */
export async function ensureLocalSigningKey(dir: string): Promise<LocalSigningKey> {
  const file = path.resolve(dir, KEY_FILE_NAME);
  try {
    return toKey(file, await readKeyFile(file));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const { generateKeyPair, exportJWK } = await loadJose();
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const kid = randomUUID();
  const meta = { kid, alg: SIGNING_ALG, use: 'sig' };
  const data: KeyFile = {
    kid,
    alg: SIGNING_ALG,
    createdAt: new Date().toISOString(),
    privateJwk: { ...(await exportJWK(privateKey)), ...meta },
    publicJwk: { ...(await exportJWK(publicKey)), ...meta },
  };
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    await writeFile(file, `${JSON.stringify(data, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
    return toKey(file, data);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return toKey(file, await readKeyFile(file));
  }
}

export interface TokenClaims {
  role: Role;
  sub?: string;
  stateBody?: string;
  servant?: string;
  purpose?: string;
}

export interface MintOptions {
  issuer?: string;
  audience?: string;
  ttlMinutes?: number;
}

/** Signs a token with a local key: for development, `npm run token` and the tests. */
export async function mintToken(key: LocalSigningKey, claims: TokenClaims, options: MintOptions = {}): Promise<string> {
  const { SignJWT, importJWK } = await loadJose();
  const privateKey = await importJWK(key.privateJwk, key.alg);
  const { sub = `dev-${claims.role}`, ...rest } = claims;
  const payload = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined));
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setSubject(sub)
    .setIssuer(options.issuer ?? DEV_ISSUER)
    .setAudience(options.audience ?? DEV_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${options.ttlMinutes ?? 60}m`)
    .sign(privateKey);
}
