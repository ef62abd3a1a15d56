import { z } from 'zod';
import { activityHostEnv, commonEnvSchema, envPort, loadConfig } from '@lapse/config';

export const configSchema = commonEnvSchema
  .extend({
    PORT: envPort.default(3003),
    /** Host the `recordRequest` activity in this process. */
    ...activityHostEnv,
    /** How long answers from the policy service (resources, approvers, users) are reused. */
    LAPSE_POLICY_CACHE_MS: z.coerce.number().int().min(0).default(5000),
  })
  .superRefine((c, ctx) => {
    // The requests service asks the policy service for users, resources and approvers.
    if (!c.LAPSE_SERVICE_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['LAPSE_SERVICE_SECRET'],
        message: 'is required (calls to the policy service)',
      });
    }
  });
export type RequestsConfig = z.infer<typeof configSchema>;

export const loadServiceConfig = (
  env: Record<string, string | undefined> = process.env,
): RequestsConfig => loadConfig(configSchema, env);
