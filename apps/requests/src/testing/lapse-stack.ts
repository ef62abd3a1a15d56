/**
 * Integration-test stack for the requests service: the shared Lapse stack (policy, grant
 * workflow, access-tracking as child processes on a private prefix) with this service in-process
 * (Nest) on a free port, so its tests reach into it.
 */
import type { INestApplication } from '@nestjs/common';
import {
  startLapseStack as startSharedStack,
  type LapseStack as SharedStack,
} from '@lapse/testing/lapse-stack';
import { bootInProcess, kafkaEnvAs, type RunningService } from '@lapse/testing';
import { createAppModule } from '../app.module';
import { loadServiceConfig, type RequestsConfig } from '../config';
import { configureApp } from '../http/configure-app';

export interface LapseStack extends SharedStack {
  /** access-tracking (decisions), when started. */
  accessTracking: RunningService | null;
  requests: INestApplication;
  requestsUrl: string;
  config: RequestsConfig;
}

export async function startLapseStack(
  label: string,
  opts: { accessTracking?: boolean } = {},
): Promise<LapseStack> {
  const shared = await startSharedStack(label, {
    services: opts.accessTracking === false ? [] : ['access-tracking'],
  });
  try {
    const config = loadServiceConfig({
      ...shared.env,
      ...kafkaEnvAs('requests'),
      LOG_LEVEL: 'error',
      LAPSE_POLICY_URL: shared.policy.url,
      LAPSE_POLICY_CACHE_MS: '0',
      KAFKA_CLIENT_ID: `requests-${shared.suffix}`,
      NODE_ENV: 'test',
    });
    const { app: requests, url: requestsUrl } = await bootInProcess(createAppModule(config), {
      configure: configureApp,
    });
    return {
      ...shared,
      accessTracking: shared.services['access-tracking'] ?? null,
      requests,
      requestsUrl,
      config,
      stop: async () => {
        await requests.close();
        await shared.stop();
      },
    };
  } catch (e) {
    await shared.stop().catch(() => undefined);
    throw e;
  }
}
