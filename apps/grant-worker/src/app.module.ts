import { DynamicModule, Module } from '@nestjs/common';
import { DbModule } from '@lapse/db';
import { KafkaModule, kafkaSettingsOf } from '@lapse/kafka';
import { PlatformModule } from '@lapse/platform';
import { TemporalModule, temporalSettingsOf } from '@lapse/temporal';
import type { GrantWorkerConfig } from './config';
import { dataSourceOptions } from './db/data-source';
import { GRANT_WORKER_CONFIG } from './config.token';
import { GrantWorkerRunner } from './grant-worker.runner';

/** The grant-worker for `config`: the `accessGrant` Temporal worker plus /health and /metrics. */
export function createAppModule(config: GrantWorkerConfig): DynamicModule {
  return {
    module: AppModule,
    imports: [
      PlatformModule.forRoot({ service: 'grant-worker', logLevel: config.LOG_LEVEL }),
      DbModule.forRoot(dataSourceOptions(config.DATABASE_URL)),
      KafkaModule.forRoot(kafkaSettingsOf(config, config.KAFKA_CLIENT_ID ?? 'lapse-grant-worker')),
      TemporalModule.forRoot(temporalSettingsOf(config)),
    ],
    providers: [{ provide: GRANT_WORKER_CONFIG, useValue: config }, GrantWorkerRunner],
  };
}

@Module({})
export class AppModule {}
