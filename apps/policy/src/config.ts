import { z } from 'zod';
import { activityHostEnv, commonEnvSchema, envBoolean, envPort, loadConfig } from '@lapse/config';

export const configSchema = commonEnvSchema.extend({
  PORT: envPort.default(3001),
  /** Run the grant sync worker in this process (turn off to run it elsewhere, or in tests). */
  LAPSE_GRANT_SYNC_ENABLED: envBoolean.default(true),
  /** Users per page while a sync job walks a group (bounded memory). */
  LAPSE_GRANT_SYNC_PAGE_SIZE: z.coerce.number().int().min(1).max(5000).default(500),
  /** Temporal calls in flight per page. */
  LAPSE_GRANT_SYNC_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(16),
  /**
   * Pacing (docs/decisions.md §25): grants the sync lets wait in Temporal's task queue for a
   * grant worker at once; it starts more as the grant workers pick them up. 0: unpaced.
   */
  LAPSE_GRANT_SYNC_WINDOW: z.coerce.number().int().min(0).max(10_000).default(64),
  /** While the window is full, how often the sync asks whether the grant workers moved on. */
  LAPSE_GRANT_SYNC_WINDOW_CHECK_MS: z.coerce.number().int().min(10).default(100),
  /** A full window that does not move for this long is let go (no grant worker polling). */
  LAPSE_GRANT_SYNC_WINDOW_MAX_WAIT_MS: z.coerce.number().int().min(0).default(10_000),
  /** How often the sync worker looks for jobs and due expiries when idle. */
  LAPSE_GRANT_SYNC_POLL_MS: z.coerce.number().int().min(10).default(500),
  /** Rule 11: sweep for drift between policy and the grant workflows (on the sync leader). */
  LAPSE_RECONCILE_ENABLED: envBoolean.default(true),
  /** Pause between two reconciler batches. */
  LAPSE_RECONCILE_INTERVAL_MS: z.coerce.number().int().min(10).default(5_000),
  /** Grants compared per reconciler batch. */
  LAPSE_RECONCILE_BATCH: z.coerce.number().int().min(1).max(5000).default(200),
  /** How long a grant-state projection row may stay behind its workflow before it is repaired. */
  LAPSE_RECONCILE_STALE_AFTER_MS: z.coerce.number().int().min(0).default(60_000),
  /** Log progress every this many (user, resource) pairs. */
  LAPSE_GRANT_SYNC_LOG_EVERY: z.coerce.number().int().min(1).default(1000),
  /** Kafka consumer group of the audit consumer (access-requests.v1). */
  LAPSE_POLICY_AUDIT_GROUP: z.string().min(1).default('policy-audit'),
  /** Kafka consumer group of the grant-state projection (grants.state.v1). */
  LAPSE_POLICY_GRANT_STATE_GROUP: z.string().min(1).default('policy-grant-state'),
  /** Host policy's activity (`recordAdminUnlock`, the audit of admin unlocks) in this process. */
  ...activityHostEnv,
  /** Run the Kafka consumers (audit, grant-state projection) in this process. */
  LAPSE_POLICY_CONSUMERS_ENABLED: envBoolean.default(true),
  /**
   * Webhook hosts (names or addresses, comma-separated) that may be loopback, private or
   * link-local; the settings API refuses every other such URL. `npm start` lists 127.0.0.1.
   */
  LAPSE_WEBHOOK_ALLOW_HOSTS: z.string().default(''),
});
export type PolicyConfig = z.infer<typeof configSchema>;

export const loadServiceConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(configSchema, env);
