import { z } from 'zod';
import { commonEnvSchema, envPort, loadConfig } from '@lapse/config';

export const configSchema = commonEnvSchema.extend({
  PORT: envPort.default(3005),
  /** Prebuilt workflow bundle (production); unset: bundle from source at start-up (dev). */
  LAPSE_GRANT_WORKFLOW_BUNDLE: z.string().optional(),
  /** Concurrent workflow and activity tasks this worker runs. */
  LAPSE_GRANT_WORKER_CONCURRENCY: z.coerce.number().int().positive().default(100),
});
export type GrantWorkerConfig = z.infer<typeof configSchema>;

export const loadServiceConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(configSchema, env);
