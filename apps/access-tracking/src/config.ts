import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { z } from 'zod';
import {
  activityHostEnv,
  commonEnvSchema,
  envBoolean,
  envPort,
  envSecret,
  loadConfig,
} from '@lapse/config';

const positiveInt = z.coerce.number().int().positive();

export const configSchema = commonEnvSchema
  .extend({
    PORT: envPort.default(3002),
    /** Proxies call decisions with proxy tokens (signed with it): required here. */
    LAPSE_SERVICE_SECRET: envSecret,
    /** Consumer group of usage ingestion (shared by every replica: partitions are split among them). */
    LAPSE_USAGE_GROUP_ID: z.string().min(1).default('lapse-access-tracking-usage'),
    /** A new usage group starts at the earliest retained event (true) or at the end (false). */
    LAPSE_USAGE_FROM_BEGINNING: envBoolean.default(true),
    /** Partitions of access.usage.v1 processed at once by one replica. */
    LAPSE_USAGE_CONCURRENCY: positiveInt.default(8),
    /**
     * Usage events consumed and not yet durable (per writer) past which the consumer waits for
     * the write in flight: a bound on memory (~8 bytes an event plus ~50 a grant) and on what a
     * crash makes redeliver (harmless: the write is monotonic). Larger lets a slow write coalesce
     * more and the consumer keep fetching meanwhile.
     */
    LAPSE_USAGE_MAX_PENDING_EVENTS: positiveInt.default(250_000),
    /**
     * Consumer group of the grant-state projection. Every replica needs every grant in memory,
     * so each replica has its own group (default: per host).
     */
    LAPSE_GRANT_STATE_GROUP_ID: z
      .string()
      .min(1)
      .default(`lapse-access-tracking-grant-state-${hostname()}`),
    /** How long boot waits for the projection to catch up with grants.state.v1 before ingesting. */
    LAPSE_PROJECTION_CATCHUP_MS: positiveInt.default(30_000),
    /**
     * The pre-lock access check answers only when usage ingestion covers every event published
     * up to this many ms ago; otherwise the lock waits and is checked again.
     */
    LAPSE_ACCESS_FRESHNESS_MS: positiveInt.default(15_000),
    /**
     * How often the lock-due sweep looks for ACTIVE grants past their auto-lock deadline, so
     * decisions refuse them before the workflow's LOCKED record arrives (ms).
     */
    LAPSE_LOCK_DUE_SWEEP_MS: positiveInt.default(250),
    /** Decisions say `stale: true` when the grant-state projection is older than this (ms). */
    LAPSE_DECISIONS_STALE_MS: positiveInt.default(30_000),
    /** Host the `latestAccess` activity in this process. */
    ...activityHostEnv,
    /**
     * Forward-auth: the proxies (CIDRs, comma-separated) that may ask without a proxy token and
     * whose identity header (LAPSE_AUTHZ_TRUSTED_HEADER) is believed. Empty: none.
     */
    LAPSE_AUTHZ_TRUSTED_PROXIES: z
      .string()
      .default('')
      .transform((s) =>
        s
          .split(',')
          .map((c) => c.trim())
          .filter(Boolean),
      ),
    /**
     * Forward-auth: the header carrying the user's email from a trusted proxy (e.g.
     * X-Auth-Request-Email). Every answer names it in `Vary`, so a proxy's cache keeps one answer
     * per user.
     */
    LAPSE_AUTHZ_TRUSTED_HEADER: z
      .string()
      .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected an HTTP header name')
      .optional(),
    /** Forward-auth: the console's `lapse_session` cookie key; without it cookies identify nobody. */
    LAPSE_SESSION_SECRET: envSecret.optional(),
    /**
     * Forward-auth: also answer `/v1/authz/*` on this Unix domain socket (e.g.
     * /run/lapse/authz.sock), for a proxy on the same host (nginx `server unix:…`): cheaper per
     * check than TCP loopback. Whoever can connect is a trusted proxy: the socket's file mode
     * (LAPSE_AUTHZ_SOCKET_MODE) and directory say who may.
     */
    LAPSE_AUTHZ_SOCKET: z.string().min(1).optional(),
    /** Forward-auth: the socket file's mode, octal (default 660: owner and group). */
    LAPSE_AUTHZ_SOCKET_MODE: z
      .string()
      .regex(/^[0-7]{3}$/, 'expected an octal file mode such as 660')
      .default('660'),
    /** Forward-auth: how often the uses it let through are published (one event per grant per flush). */
    LAPSE_AUTHZ_USAGE_FLUSH_MS: positiveInt.default(1000),
    /** Forward-auth: consumer group reading policy.changes.v1 (per host, like the projection). */
    LAPSE_AUTHZ_POLICY_GROUP_ID: z
      .string()
      .min(1)
      .default(`lapse-access-tracking-authz-policy-${hostname()}`),
  })
  .refine(
    (c) =>
      c.LAPSE_AUTHZ_TRUSTED_PROXIES.every((cidr) => {
        const [ip, len, ...rest] = cidr.split('/');
        const family = isIP(ip);
        const max = family === 4 ? 32 : 128;
        return (
          family !== 0 &&
          rest.length === 0 &&
          (len === undefined || (/^\d{1,3}$/.test(len) && Number(len) <= max))
        );
      }),
    { message: 'expected comma-separated CIDRs', path: ['LAPSE_AUTHZ_TRUSTED_PROXIES'] },
  )
  .refine((c) => c.LAPSE_JWT_SECRET !== undefined || c.LAPSE_JWKS_URL !== undefined, {
    message: 'LAPSE_JWT_SECRET or LAPSE_JWKS_URL must be set',
    path: ['LAPSE_JWT_SECRET'],
  });
export type AccessTrackingConfig = z.infer<typeof configSchema>;

export const loadServiceConfig = (
  env: Record<string, string | undefined> = process.env,
): AccessTrackingConfig => loadConfig(configSchema, env);
