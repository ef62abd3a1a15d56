/**
 * Typed configuration, validated once at boot. A bad value stops the service with a
 * message naming the variable. No hand-rolled `Boolean(process.env.X)` parsing anywhere else.
 */
import { z } from 'zod';

/** 'true'/'1'/'yes' → true, 'false'/'0'/'no'/'' → false; anything else is an error. */
export const envBoolean = z
  .string()
  .trim()
  .toLowerCase()
  .transform((v, ctx) => {
    if (['true', '1', 'yes'].includes(v)) return true;
    if (['false', '0', 'no', ''].includes(v)) return false;
    ctx.addIssue({ code: 'custom', message: `expected true or false, got "${v}"` });
    return z.NEVER;
  });

export const envPort = z.coerce.number().int().min(0).max(65535);
export const envSeconds = z.coerce.number().int().positive();

/** Bytes a signing secret must have at least (HS256 keys as long as the hash). */
export const SECRET_MIN_BYTES = 32;
/** A signing secret: at least 32 bytes (e.g. `openssl rand -hex 32`). */
export const envSecret = z
  .string()
  .refine((s) => Buffer.byteLength(s, 'utf8') >= SECRET_MIN_BYTES, {
    message: `must be at least ${SECRET_MIN_BYTES} bytes (e.g. openssl rand -hex 32)`,
  });
/**
 * Secrets that must all differ: a key that signs one kind of token never signs another (a user
 * token can never pass as a service token). `loadConfig` checks every one that is set.
 */
export const DISTINCT_SECRETS = [
  'LAPSE_JWT_SECRET',
  'LAPSE_SERVICE_SECRET',
  'LAPSE_CSRF_SECRET',
  'LAPSE_SESSION_SECRET',
] as const;

/** Settings every service shares. */
export const commonEnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** No default: its password is a secret (`stack.sh env` prints the local stack's). */
  DATABASE_URL: z
    .string({
      error: (i) =>
        i.input === undefined
          ? 'required: the database owner URL (`stack.sh env` prints the local stack’s)'
          : undefined,
    })
    .url(),
  KAFKA_BROKERS: z
    .string()
    .default('127.0.0.1:9092')
    .transform((s) =>
      s
        .split(',')
        .map((b) => b.trim())
        .filter(Boolean),
    ),
  KAFKA_CLIENT_ID: z.string().optional(),
  /** How clients reach the brokers: SASL_SSL (SCRAM) wherever the brokers are secured (rule 16). */
  KAFKA_SECURITY_PROTOCOL: z
    .enum(['PLAINTEXT', 'SSL', 'SASL_SSL', 'SASL_PLAINTEXT'])
    .default('PLAINTEXT'),
  KAFKA_SASL_MECHANISM: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['scram-sha-512', 'scram-sha-256', 'plain']))
    .default('scram-sha-512'),
  /** This service's own principal (each service has its own; `npm start` and tests set them). */
  KAFKA_USERNAME: z.string().min(1).optional(),
  KAFKA_PASSWORD: z.string().min(1).optional(),
  /** PEM file of the CA that signed the brokers' certificates (default: the system's CAs). */
  KAFKA_CA_FILE: z.string().min(1).optional(),
  TEMPORAL_ADDRESS: z.string().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().default('default'),
  // Temporal's own client settings (the names its CLI and SDKs read): TLS with the server's CA,
  // mTLS with a client certificate and key, an API key (Temporal Cloud), for every client and
  // worker connection (rule 16). TLS is on when any of them is set, unless TEMPORAL_TLS=false.
  TEMPORAL_TLS: envBoolean.optional(),
  /** PEM file of the CA that signed the frontend's certificate (default: the system's CAs). */
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: z.string().min(1).optional(),
  /** mTLS: this service's client certificate (PEM) and its key; both or neither. */
  TEMPORAL_TLS_CLIENT_CERT_PATH: z.string().min(1).optional(),
  TEMPORAL_TLS_CLIENT_KEY_PATH: z.string().min(1).optional(),
  /** The name the frontend's certificate is checked against, when not the address's host. */
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
  /** An API key sent as a bearer token on every call (Temporal Cloud). */
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  /** Prefix of every Temporal task queue this service uses or starts work on (tests isolate with it). */
  LAPSE_TASK_QUEUE_PREFIX: z.string().default(''),
  /** Public base URL of the request and review pages, i.e. the console (links in emails and webhooks). */
  LAPSE_PUBLIC_URL: z.string().url().default('http://127.0.0.1:3000'),
  /** Public base URL of the admin console (user and resource links). */
  LAPSE_CONSOLE_URL: z.string().url().default('http://127.0.0.1:3000'),
  /** Open request time-to-live in seconds (rule 5, docs/domain.md): 7 days. */
  LAPSE_REQUEST_TTL: envSeconds.default(7 * 24 * 3600),
  /** HS256 secret for Bearer JWTs; required unless a JWKS URL is set. */
  LAPSE_JWT_SECRET: envSecret.optional(),
  /** JWKS of an OpenID provider whose tokens are accepted (https only; issuer and audience required). */
  LAPSE_JWKS_URL: z
    .string()
    .url()
    .refine((u) => u.startsWith('https://'), { message: 'must be an https:// URL' })
    .optional(),
  LAPSE_JWT_ISSUER: z.string().min(1).optional(),
  LAPSE_JWT_AUDIENCE: z.string().min(1).optional(),
  /** Algorithms accepted from the JWKS (comma-separated); HS256 for Lapse's own tokens. */
  LAPSE_JWT_ALGORITHMS: z
    .string()
    .default('RS256,ES256,PS256,EdDSA')
    .transform((s) =>
      s
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    ),
  /** HS256 secret for service-to-service and proxy tokens (internal calls, decisions). */
  LAPSE_SERVICE_SECRET: envSecret.optional(),
  /** Where the policy service answers (user directory, settings, groups). */
  LAPSE_POLICY_URL: z.string().url().default('http://127.0.0.1:3001'),
  LAPSE_BOOTSTRAP_ADMIN_EMAIL: z.string().email().optional(),
  /** Grace period for in-flight work on SIGTERM. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});
export type CommonConfig = z.infer<typeof commonEnvSchema>;

/**
 * Settings of a service that hosts Temporal activities on its own task queue (policy, requests,
 * access-tracking): one name in every service.
 */
export const activityHostEnv = {
  /** Host this service's activities in this process (off only to run them elsewhere, or in tests). */
  LAPSE_ACTIVITY_HOST_ENABLED: envBoolean.default(true),
};

/**
 * Renamed settings: the old name (deprecated) still works while the new one is unset, so a
 * deployment that sets it keeps its meaning.
 */
export const DEPRECATED_ENV_NAMES: Readonly<Record<string, string>> = {
  LAPSE_ACTIVITY_WORKER_ENABLED: 'LAPSE_ACTIVITY_HOST_ENABLED',
  LAPSE_REQUESTS_WORKER_ENABLED: 'LAPSE_ACTIVITY_HOST_ENABLED',
  LAPSE_POLICY_WORKER_ENABLED: 'LAPSE_ACTIVITY_HOST_ENABLED',
};

/** `env` with each deprecated name's value under its new name (unless the new one is set). */
export function withCurrentNames(
  env: Record<string, string | undefined>,
): Record<string, string | undefined> {
  const out = { ...env };
  for (const [old, current] of Object.entries(DEPRECATED_ENV_NAMES)) {
    if (out[current] === undefined && env[old] !== undefined) out[current] = env[old];
  }
  return out;
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses `env` with `schema` (usually `commonEnvSchema.extend({...})`).
 * Throws ConfigError listing every bad variable by name.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const result = schema.safeParse(withCurrentNames(env));
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`),
    );
  }
  const data = result.data as Record<string, unknown>;
  const issues = [...reusedSecrets(data), ...temporalTlsIssues(data)];
  if (issues.length > 0) throw new ConfigError(issues);
  return result.data;
}

/** One message per pair of DISTINCT_SECRETS set to the same value. */
export function reusedSecrets(config: Record<string, unknown>): string[] {
  const seen = new Map<string, string>();
  const issues: string[] = [];
  for (const name of DISTINCT_SECRETS) {
    const value = config[name];
    if (typeof value !== 'string' || value === '') continue;
    const other = seen.get(value);
    if (other) issues.push(`${name}: must differ from ${other} (one secret per kind of token)`);
    else seen.set(value, name);
  }
  return issues;
}

/**
 * Temporal connection settings that cannot work together, one message each naming the variable:
 * a client certificate without its key (or a key without its certificate), and TLS settings or
 * an API key with TLS explicitly off.
 */
export function temporalTlsIssues(config: Record<string, unknown>): string[] {
  const set = (name: string) => typeof config[name] === 'string' && config[name] !== '';
  const issues: string[] = [];
  const cert = 'TEMPORAL_TLS_CLIENT_CERT_PATH';
  const key = 'TEMPORAL_TLS_CLIENT_KEY_PATH';
  if (set(cert) && !set(key))
    issues.push(`${key}: required with ${cert} (mTLS needs the client certificate and its key)`);
  if (set(key) && !set(cert))
    issues.push(`${cert}: required with ${key} (mTLS needs the client certificate and its key)`);
  if (config.TEMPORAL_TLS === false) {
    const needTls = [
      'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
      cert,
      key,
      'TEMPORAL_TLS_SERVER_NAME',
      'TEMPORAL_API_KEY',
    ].filter(set);
    if (needTls.length > 0)
      issues.push(
        `TEMPORAL_TLS: is false, but ${needTls.join(', ')} need TLS (unset them or TEMPORAL_TLS)`,
      );
  }
  return issues;
}
