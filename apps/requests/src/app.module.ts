import { Global, Module, type DynamicModule } from '@nestjs/common';
import { AuthModule } from '@lapse/auth';
import { DbModule } from '@lapse/db';
import { KafkaModule, kafkaSettingsOf } from '@lapse/kafka';
import { PlatformModule } from '@lapse/platform';
import { PolicyClientModule, PolicyUserDirectory, policyClientOf } from '@lapse/policy-client';
import { TemporalModule, temporalSettingsOf } from '@lapse/temporal';
import { AccessRequestsModule } from './access-requests/access-requests.module';
import type { RequestsConfig } from './config';
import { REQUESTS_CONFIG } from './config.token';
import { dataSourceOptions } from './db/data-source';

@Global()
@Module({})
class ConfigModule {
  static forRoot(config: RequestsConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: REQUESTS_CONFIG, useValue: config }],
      exports: [REQUESTS_CONFIG],
    };
  }
}

/** The requests service for `config` (tests pass their own database, prefix and policy URL). */
export function createAppModule(config: RequestsConfig): DynamicModule {
  const policy = policyClientOf(config, 'requests');
  return {
    module: AppModule,
    imports: [
      ConfigModule.forRoot(config),
      PlatformModule.forRoot({ service: 'requests', logLevel: config.LOG_LEVEL }),
      AuthModule.forService(config, 'requests', new PolicyUserDirectory(policy)),
      PolicyClientModule.forRoot(policy),
      DbModule.forRoot(dataSourceOptions(config.DATABASE_URL)),
      KafkaModule.forRoot(kafkaSettingsOf(config, config.KAFKA_CLIENT_ID ?? 'lapse-requests')),
      TemporalModule.forRoot(temporalSettingsOf(config)),
      AccessRequestsModule,
    ],
  };
}

@Module({})
export class AppModule {}
