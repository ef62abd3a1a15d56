import { z } from 'zod';
import { commonEnvSchema, envPort, loadConfig } from '@lapse/config';

export const configSchema = commonEnvSchema.extend({
  PORT: envPort.default(3005),
  /** Prebuilt workflow bundle (production); unset: bundle from source at start-up (dev). */
  LAPSE_GRANT_WORKFLOW_BUNDLE: z.string().optional(),
  /** Concurrent activity tasks this worker runs (publishing grant states: waiting on Kafka). */
  LAPSE_GRANT_WORKER_CONCURRENCY: z.coerce.number().int().positive().default(100),
  /**
   * Workflow tasks this worker holds at once. They run one at a time on its workflow thread, so
   * more only queue inside the worker, where a task's 10 s timeout runs: under a burst (a big
   * group assigned, thousands of locks due together) tasks timed out and ran again, each 10 s
   * late. Fewer wait in Temporal's queue instead, where no timeout runs.
   */
  LAPSE_GRANT_WORKER_WORKFLOW_TASKS: z.coerce.number().int().min(2).default(10),
});
export type GrantWorkerConfig = z.infer<typeof configSchema>;

export const loadServiceConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(configSchema, env);
