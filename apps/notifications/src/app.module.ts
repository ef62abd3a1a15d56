import { Module, type DynamicModule } from '@nestjs/common';
import { AuthModule } from '@lapse/auth';
import { DbModule } from '@lapse/db';
import { KafkaModule, kafkaSettingsOf } from '@lapse/kafka';
import { PlatformModule } from '@lapse/platform';
import { PolicyClientModule, PolicyUserDirectory, policyClientOf } from '@lapse/policy-client';
import { TemporalModule, temporalSettingsOf } from '@lapse/temporal';
import type { NotificationsConfig } from './config';
import { dataSourceOptions } from './db/data-source';
import { NotificationsModule } from './notifications.module';

/** The notifications service for `config` (tests pass their own database, group id, task-queue prefix). */
export function createAppModule(config: NotificationsConfig): DynamicModule {
  const policy = policyClientOf(config, 'notifications');
  return {
    module: AppModule,
    imports: [
      PlatformModule.forRoot({ service: 'notifications', logLevel: config.LOG_LEVEL }),
      AuthModule.forService(config, 'notifications', new PolicyUserDirectory(policy)),
      PolicyClientModule.forRoot(policy),
      DbModule.forRoot(dataSourceOptions(config.DATABASE_URL)),
      KafkaModule.forRoot(kafkaSettingsOf(config, config.KAFKA_CLIENT_ID ?? 'lapse-notifications')),
      TemporalModule.forRoot(temporalSettingsOf(config)),
      NotificationsModule.forRoot(config),
    ],
  };
}

@Module({})
export class AppModule {}
