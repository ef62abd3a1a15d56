/**
 * Where the real servers are for integration tests: the env that `tools/stack/stack.sh env`
 * prints (npm test exports it), with the same defaults as the stack.
 */
import { randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import { commonEnvSchema, loadConfig } from '@lapse/config';
import { temporalSettingsOf, type TemporalSettings } from '@lapse/temporal';

export const stack = {
  /** The owner's URL (its password is made on each machine: never a default in the repo). */
  get databaseUrl(): string {
    const url = process.env.DATABASE_URL;
    if (!url)
      throw new Error(
        'DATABASE_URL is not set: run the tests through `npm test`, or eval "$(bash tools/stack/stack.sh env)" first',
      );
    return url;
  },
  kafkaBrokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  temporalAddress: process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
  temporalNamespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
  temporalTestServerPath:
    process.env.TEMPORAL_TEST_SERVER_PATH ??
    `${process.env.HOME}/.cache/lapse/bin/temporal-test-server`,
};

/** Where a service a test starts finds the servers (as its config reads them). */
export function stackServiceEnv(): Record<string, string> {
  return {
    KAFKA_BROKERS: stack.kafkaBrokers.join(','),
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_NAMESPACE: stack.temporalNamespace,
  };
}

/**
 * The stack's Temporal settings (TEMPORAL_* from the env, TLS and API key included), for
 * `connectTemporal` / `connectTemporalWorker`: tests connect the way the services do.
 */
export function stackTemporalSettings(
  env: Record<string, string | undefined> = process.env,
): TemporalSettings {
  const config = loadConfig(
    commonEnvSchema.pick({
      TEMPORAL_ADDRESS: true,
      TEMPORAL_NAMESPACE: true,
      TEMPORAL_TLS: true,
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: true,
      TEMPORAL_TLS_CLIENT_CERT_PATH: true,
      TEMPORAL_TLS_CLIENT_KEY_PATH: true,
      TEMPORAL_TLS_SERVER_NAME: true,
      TEMPORAL_API_KEY: true,
    }),
    env,
  );
  return temporalSettingsOf(config);
}

/** The Kafka principals `stack.sh env` prints credentials for (rule 16: one per party). */
export type KafkaPrincipal =
  | 'policy'
  | 'access-tracking'
  | 'requests'
  | 'notifications'
  | 'grant-worker'
  | 'proxy'
  | 'ops';

const envName = (p: string) => p.toUpperCase().replace(/-/g, '_');

/**
 * A principal's Kafka settings from the stack's env, as a service's config reads them
 * (`KAFKA_SECURITY_PROTOCOL`, `KAFKA_USERNAME`, …): for a service started by a test. Empty
 * when the stack prints no credentials (a plaintext broker).
 */
export function kafkaEnvAs(principal: KafkaPrincipal): Record<string, string> {
  const username = process.env[`LAPSE_${envName(principal)}_KAFKA_USERNAME`];
  const password = process.env[`LAPSE_${envName(principal)}_KAFKA_PASSWORD`];
  const protocol = process.env.KAFKA_SECURITY_PROTOCOL;
  if (!protocol || protocol === 'PLAINTEXT') return {};
  return {
    KAFKA_SECURITY_PROTOCOL: protocol,
    KAFKA_SASL_MECHANISM: process.env.KAFKA_SASL_MECHANISM ?? 'scram-sha-512',
    ...(process.env.KAFKA_CA_FILE ? { KAFKA_CA_FILE: process.env.KAFKA_CA_FILE } : {}),
    ...(username ? { KAFKA_USERNAME: username } : {}),
    ...(password ? { KAFKA_PASSWORD: password } : {}),
  };
}

/** A principal's settings for `createKafka({ brokers, clientId, security })` in a test. */
export function kafkaSecurityAs(principal: KafkaPrincipal) {
  const e = kafkaEnvAs(principal);
  if (!e.KAFKA_SECURITY_PROTOCOL) return undefined;
  return {
    protocol: e.KAFKA_SECURITY_PROTOCOL as 'PLAINTEXT' | 'SSL' | 'SASL_SSL' | 'SASL_PLAINTEXT',
    mechanism: e.KAFKA_SASL_MECHANISM as 'scram-sha-512' | 'scram-sha-256' | 'plain',
    username: e.KAFKA_USERNAME,
    password: e.KAFKA_PASSWORD,
    caFile: e.KAFKA_CA_FILE,
  };
}

/** The Lapse services that have a database role of their own (`lapse_<schema>`). */
export type DatabaseService =
  | 'policy'
  | 'access-tracking'
  | 'requests'
  | 'notifications'
  | 'grant-worker'
  | 'console';

/**
 * The URL a service uses for database `databaseUrl` (e.g. a test database, created and migrated
 * as the owner): the same server and database, logged in as the service's own role, whose
 * credentials `stack.sh env` prints as `LAPSE_<SERVICE>_DATABASE_URL`. Services never get the
 * owner's credentials.
 */
export function databaseUrlAs(service: DatabaseService, databaseUrl: string): string {
  const name = `LAPSE_${envName(service)}_DATABASE_URL`;
  const own = process.env[name];
  if (!own) {
    throw new Error(
      `${name} is not set: services log in as their own database role (eval "$(npm run -s stack -- env)")`,
    );
  }
  const role = new URL(own);
  const u = new URL(databaseUrl);
  u.username = role.username;
  u.password = role.password;
  return u.toString();
}

function withDatabase(url: string, db: string): string {
  const u = new URL(url);
  u.pathname = `/${db}`;
  return u.toString();
}

/**
 * A fresh, empty database for one test file (suites share no state, so they can run in
 * parallel). Returns its URL and a function that drops it.
 */
export async function createTestDatabase(
  label: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `lapse_t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomUUID().slice(0, 8)}`;
  const admin = new PgClient({ connectionString: stack.databaseUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  return {
    url: withDatabase(stack.databaseUrl, name),
    drop: () => dropDatabase(name),
  };
}

/**
 * DROP ... WITH (FORCE) ends the sessions still open in the database, but a role without
 * pg_signal_backend (an external DATABASE_URL) may not end an autovacuum worker that is
 * visiting it: that worker finishes within moments, so the refusal is retried.
 */
async function dropDatabase(name: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const c = new PgClient({ connectionString: stack.databaseUrl });
    await c.connect();
    try {
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      return;
    } catch (e) {
      const insufficientPrivilege = (e as { code?: string }).code === '42501';
      if (!insufficientPrivilege || Date.now() > deadline) throw e;
    } finally {
      await c.end();
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A unique suffix for topics, task queues and ids, so parallel suites never collide. */
export function uniqueSuffix(): string {
  return randomUUID().slice(0, 8);
}

/**
 * Polls `probe` until it returns a value that is not undefined (or throws its last error).
 * For conditions that depend on another process; never a fixed sleep. A probe that never
 * settles (a query to a worker that does not answer) fails at the deadline too, saying so,
 * rather than hanging until the test's own timeout hides where it stopped.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 20_000, intervalMs = 50, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await within('the probe', Math.max(0, deadline - Date.now()) + 1, probe);
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * `fn()`, or an error naming `what` once `ms` pass while it is still pending: a call that never
 * returns (a query, signal, update or time skip nobody answers) then says where a test stopped
 * instead of running into the test's own timeout.
 */
export async function within<T>(what: string, ms: number, fn: () => Promise<T> | T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([Promise.resolve().then(fn), late]);
  } finally {
    clearTimeout(timer);
  }
}
