import { z } from 'zod';
import { commonEnvSchema, envPort, loadConfig } from '@lapse/config';

export const configSchema = commonEnvSchema.extend({
  PORT: envPort.default(3002),
});
export type AccessTrackingConfig = z.infer<typeof configSchema>;

export const loadServiceConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(configSchema, env);
