import { z } from 'zod';
import { commonEnvSchema, envPort, loadConfig } from '@lapse/config';

const positiveMs = z.coerce.number().int().positive();

export const configSchema = commonEnvSchema
  .extend({
    PORT: envPort.default(3004),
    /** Where mail goes: the local mail sink in development (tools/mail-sink). */
    SMTP_URL: z.string().url().default('smtp://127.0.0.1:1025'),
    SMTP_FROM: z.string().min(3).default('Lapse <lapse@lapse.local>'),
    /** `tenant` in webhook bodies; default: the host name of LAPSE_PUBLIC_URL. */
    LAPSE_TENANT: z.string().min(1).optional(),
    /** Kafka consumer group of the access-requests consumer. */
    LAPSE_NOTIFICATIONS_GROUP_ID: z.string().min(1).default('lapse-notifications'),
    /** Retry policy of every delivery: first retry after this, doubling, capped, given up after the deadline. */
    LAPSE_WEBHOOK_INITIAL_RETRY_MS: positiveMs.default(1000),
    LAPSE_DELIVERY_MAX_RETRY_MS: positiveMs.default(3_600_000),
    LAPSE_DELIVERY_DEADLINE_MS: positiveMs.default(24 * 3_600_000),
    /**
     * Webhook hosts (names or addresses, comma-separated) that may be loopback, private or
     * link-local; every other such target is refused. `npm start` lists 127.0.0.1.
     */
    LAPSE_WEBHOOK_ALLOW_HOSTS: z.string().default(''),
    /** How long one attempt (an HTTP POST or an SMTP conversation) may take. */
    LAPSE_DELIVERY_ATTEMPT_TIMEOUT_MS: positiveMs.default(30_000),
  })
  .superRefine((c, ctx) => {
    if (!c.LAPSE_SERVICE_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['LAPSE_SERVICE_SECRET'],
        message: 'is required: notifications reads users and settings from the policy service',
      });
    }
  })
  .transform((c) => ({
    ...c,
    LAPSE_SERVICE_SECRET: c.LAPSE_SERVICE_SECRET ?? '',
    LAPSE_TENANT: c.LAPSE_TENANT ?? new URL(c.LAPSE_PUBLIC_URL).hostname,
  }));
export type NotificationsConfig = z.infer<typeof configSchema>;

export const loadServiceConfig = (
  env: Record<string, string | undefined> = process.env,
): NotificationsConfig => loadConfig(configSchema, env);
