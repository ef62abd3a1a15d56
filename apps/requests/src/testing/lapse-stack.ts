/**
 * Integration-test stack for the requests service: the shared Lapse stack (policy, grant
 * workflow, access-tracking as child processes on a private prefix) with this service in-process
 * (Nest) on a free port, so its tests reach into it.
 */
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { lapseValidationPipe } from '@lapse/platform';
import {
  startLapseStack as startSharedStack,
  type LapseStack as SharedStack,
} from '@lapse/grant-runtime/testing';
import { kafkaEnvAs, type RunningService } from '@lapse/testing';
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
  let app: INestApplication | undefined;
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
    app = await NestFactory.create(createAppModule(config), { logger: ['error', 'warn'] });
    app.useGlobalPipes(lapseValidationPipe());
    configureApp(app);
    await app.listen(0, '127.0.0.1');
    const requests = app;
    return {
      ...shared,
      accessTracking: shared.services['access-tracking'] ?? null,
      requests,
      requestsUrl: (await app.getUrl()).replace('[::1]', '127.0.0.1'),
      config,
      stop: async () => {
        await requests.close();
        await shared.stop();
      },
    };
  } catch (e) {
    await app?.close().catch(() => undefined);
    await shared.stop().catch(() => undefined);
    throw e;
  }
}
