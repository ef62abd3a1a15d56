/**
 * `npm run token -- <email>`: prints a HS256 user token (LAPSE_JWT_SECRET) for an existing user,
 * looked up by email (case-insensitive) in the policy schema of DATABASE_URL. Exits 1 when the
 * user does not exist or the secret is not set.
 *
 * `npm run token -- --proxy <proxyId> [--ttl 30d]`: prints a proxy token (LAPSE_SERVICE_SECRET):
 * caller `proxy`, audience access-tracking, good for `GET /v1/decisions` and `/v1/authz/*` only.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { commonEnvSchema, envSecret, loadConfig } from '@lapse/config';
import { signProxyToken, signUserToken } from '@lapse/auth';

const USAGE =
  'usage: npm run token -- <email>   |   npm run token -- --proxy <proxyId> [--ttl 30d]';

/**
 * The development secrets `npm start` keeps under the cache (LAPSE_CACHE, ~/.cache/lapse), for a
 * shell that has not set them: the token then works in any shell once the stack has run. Only
 * read, never created; a secret set in the environment wins.
 */
function devSecretsFromCache(): void {
  const cache = process.env.LAPSE_CACHE ?? join(homedir(), '.cache', 'lapse');
  for (const [name, file] of [
    ['LAPSE_JWT_SECRET', 'dev-jwt-secret'],
    ['LAPSE_SERVICE_SECRET', 'dev-service-secret'],
  ] as const) {
    const path = join(cache, file);
    if (!process.env[name] && existsSync(path))
      process.env[name] = readFileSync(path, 'utf8').trim();
  }
}

async function main(): Promise<number> {
  devSecretsFromCache();
  const args = process.argv.slice(2);
  if (args[0] === '--proxy') return proxyToken(args.slice(1));
  const email = args[0];
  if (!email) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig(
    commonEnvSchema.extend({
      LAPSE_JWT_SECRET: envSecret,
    }),
  );
  const db = new Client({ connectionString: config.DATABASE_URL });
  await db.connect();
  try {
    const { rows } = await db.query<{ id: string }>(
      'SELECT id FROM policy.users WHERE lower(email) = lower($1)',
      [email.trim()],
    );
    if (!rows[0]) {
      console.error(
        `no user with email ${email}: create it first (POST /v1/users) or set LAPSE_BOOTSTRAP_ADMIN_EMAIL`,
      );
      return 1;
    }
    const token = await signUserToken(config.LAPSE_JWT_SECRET, rows[0].id, '12h', {
      issuer: config.LAPSE_JWT_ISSUER,
      audience: config.LAPSE_JWT_AUDIENCE,
    });
    process.stdout.write(`${token}\n`);
    return 0;
  } finally {
    await db.end();
  }
}

async function proxyToken(args: string[]): Promise<number> {
  const [proxyId, flag, ttl] = args;
  if (!proxyId || proxyId.startsWith('--') || (flag !== undefined && (flag !== '--ttl' || !ttl))) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfig(
    commonEnvSchema.extend({
      LAPSE_SERVICE_SECRET: envSecret,
    }),
  );
  process.stdout.write(`${await signProxyToken(config.LAPSE_SERVICE_SECRET, proxyId, ttl)}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`token: ${(e as Error).message}`);
    process.exit(1);
  },
);
