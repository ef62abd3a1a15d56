/**
 * `npm run token -- <email>`: prints a HS256 user token (LAPSE_JWT_SECRET) for an existing user,
 * looked up by email (case-insensitive) in the policy schema of DATABASE_URL. Exits 1 when the
 * user does not exist or the secret is not set.
 */
import { Client } from 'pg';
import { z } from 'zod';
import { commonEnvSchema, loadConfig } from '@lapse/config';
import { signUserToken } from '@lapse/auth';

async function main(): Promise<number> {
  const email = process.argv[2];
  if (!email) {
    console.error('usage: npm run token -- <email>');
    return 2;
  }
  const config = loadConfig(
    commonEnvSchema.extend({
      LAPSE_JWT_SECRET: z.string().min(16, 'must be set (at least 16 characters)'),
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

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`token: ${(e as Error).message}`);
    process.exit(1);
  },
);
