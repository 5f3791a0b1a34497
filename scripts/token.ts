/**
 * `npm run token -- --role <role> [--state-body <id>] [--servant <id>] [--purpose <text>]
 * [--ttl <minutes>] [--sub <subject>]`: mints a development token with the local signing key
 * (created under .data/auth on first use, or AUTH_KEY_FILE's directory). The token alone goes to
 * stdout, so `TOKEN=$(npm run -s token -- --role monitoring)` works; what it says goes to stderr.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureLocalSigningKey, isRole, mintToken, optionalString, ROLES, type TokenClaims } from '@civil-service/shared';

const USAGE = `usage: npm run token -- --role <${ROLES.join('|')}> [--state-body <id>] [--servant <id>] [--purpose <text>] [--ttl <minutes>] [--sub <subject>]`;
const MAX_TTL_MINUTES = 24 * 60;

class UsageError extends Error {}

function parse(argv: string[]): { claims: TokenClaims; ttlMinutes: number } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        role: { type: 'string' },
        'state-body': { type: 'string' },
        servant: { type: 'string' },
        purpose: { type: 'string' },
        ttl: { type: 'string' },
        sub: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) throw new UsageError('');
  const role = values.role;
  if (!role) throw new UsageError('--role is required');
  if (!isRole(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got '${role}'`);
  const stateBody = values['state-body'];
  const servant = values.servant;
  if (role === 'hr' && !stateBody) throw new UsageError('--role hr needs --state-body <id>');
  if (role !== 'hr' && stateBody) throw new UsageError('--state-body applies to --role hr only');
  if (role === 'servant' && !servant) throw new UsageError('--role servant needs --servant <id>');
  if (role !== 'servant' && servant) throw new UsageError('--servant applies to --role servant only');
  const ttlRaw = values.ttl ?? '60';
  if (!/^\d+$/.test(ttlRaw) || Number(ttlRaw) < 1 || Number(ttlRaw) > MAX_TTL_MINUTES) {
    throw new UsageError(`--ttl must be whole minutes between 1 and ${MAX_TTL_MINUTES}, got '${ttlRaw}'`);
  }
  const purpose = values.purpose?.trim();
  if (values.purpose !== undefined && !purpose) throw new UsageError('--purpose must not be empty');
  return { claims: { role, sub: values.sub, stateBody, servant, purpose }, ttlMinutes: Number(ttlRaw) };
}

async function main(): Promise<void> {
  const { claims, ttlMinutes } = parse(process.argv.slice(2));
  const keyFile = optionalString(process.env, 'AUTH_KEY_FILE');
  const key = await ensureLocalSigningKey(keyFile ? path.dirname(keyFile) : path.resolve('.data', 'auth'));
  const token = await mintToken(key, claims, {
    issuer: optionalString(process.env, 'AUTH_ISSUER'),
    audience: optionalString(process.env, 'AUTH_AUDIENCE'),
    ttlMinutes,
  });
  const described = Object.entries(claims).filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${String(v)}`);
  console.error(`token (${described.join(', ')}; ${ttlMinutes} min) signed with ${key.file}`);
  console.log(token);
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    if (err.message) console.error(`error: ${err.message}`);
    console.error(USAGE);
    process.exit(2);
  }
  console.error(err);
  process.exit(1);
});
