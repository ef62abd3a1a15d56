import { Module, type Type } from '@nestjs/common';
import { AuthModule } from '@lapse/auth';
import { DbModule } from '@lapse/db';
import { KafkaModule, kafkaSettingsOf } from '@lapse/kafka';
import { PlatformModule } from '@lapse/platform';
import { PolicyClientModule, PolicyUserDirectory, policyClientOf } from '@lapse/policy-client';
import { TemporalModule, temporalSettingsOf } from '@lapse/temporal';
import { AUTHZ_CONTROLLERS, AUTHZ_PROVIDERS } from './authz/authz.providers';
import { AccessTrackingActivityHost } from './activities/activity-host';
import { LockDueSweep } from './auto-lock/lock-due-sweep';
import type { AccessTrackingConfig } from './config';
import { ACCESS_TRACKING_CONFIG } from './config.token';
import { dataSourceOptions } from './db/data-source';
import { DecisionsController } from './decisions/decisions.controller';
import { DecisionsFastPath } from './decisions/decisions-fast-path';
import { GrantProjection } from './grants/grant-projection';
import { IngestionFreshness } from './kafka/freshness';
import { GrantStateConsumer } from './grants/grant-state.consumer';
import { GrantStateRepository } from './grants/grant-state.repository';
import { LastAccessRepository } from './usage/last-access.repository';
import { UsageIngestor } from './usage/usage.ingestor';

/** The access-tracking app for `config` (tests pass their own database, groups and prefix). */
export function createAppModule(config: AccessTrackingConfig): Type<unknown> {
  const policy = policyClientOf(config, 'access-tracking');
  @Module({
    imports: [
      PlatformModule.forRoot({
        service: 'access-tracking',
        logLevel: config.LOG_LEVEL,
        quietPaths: ['/v1/decisions'],
      }),
      DbModule.forRoot(dataSourceOptions(config.DATABASE_URL)),
      KafkaModule.forRoot(
        kafkaSettingsOf(config, config.KAFKA_CLIENT_ID ?? 'lapse-access-tracking'),
      ),
      TemporalModule.forRoot(temporalSettingsOf(config)),
      AuthModule.forService(config, 'access-tracking', new PolicyUserDirectory(policy)),
      PolicyClientModule.forRoot(policy),
    ],
    controllers: [DecisionsController, ...AUTHZ_CONTROLLERS],
    providers: [
      { provide: ACCESS_TRACKING_CONFIG, useValue: config },
      { provide: GrantProjection, useValue: new GrantProjection() },
      GrantStateRepository,
      GrantStateConsumer,
      IngestionFreshness,
      LastAccessRepository,
      UsageIngestor,
      LockDueSweep,
      AccessTrackingActivityHost,
      DecisionsFastPath,
      ...AUTHZ_PROVIDERS,
    ],
  })
  class AccessTrackingAppModule {}
  return AccessTrackingAppModule;
}
