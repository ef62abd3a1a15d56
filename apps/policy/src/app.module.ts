import {
  Module,
  RequestMethod,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
} from '@nestjs/common';
import { AuthModule, jwtSettingsOf } from '@lapse/auth';
import { DbModule } from '@lapse/db';
import { grantClientProvider } from '@lapse/grant-client';
import { KafkaModule, kafkaSettingsOf, outboxRelayProvider } from '@lapse/kafka';
import { PlatformModule } from '@lapse/platform';
import { TemporalModule, temporalSettingsOf } from '@lapse/temporal';
import { AssignmentsController } from './assignments/assignments.controller';
import { GroupAssignmentsController } from './assignments/group-assignments.controller';
import { AssignmentsService } from './assignments/assignments.service';
import { AuditController } from './audit/audit.controller';
import { AuditService } from './audit/audit.service';
import { BootstrapAdmin } from './auth/bootstrap-admin';
import { DbUserDirectory } from './auth/db-user-directory';
import { ChangeRecorder } from './changes/change-recorder';
import type { PolicyConfig } from './config';
import { POLICY_CONFIG } from './config.token';
import { PolicyConsumers } from './consumers/consumers.service';
import { SCHEMA, dataSourceOptions } from './db/data-source';
import { GrantSyncLifecycle } from './grant-sync/grant-sync.lifecycle';
import { PolicyActivityHost } from './grants/activity-host';
import { GrantsController } from './grants/grants.controller';
import { GrantsService } from './grants/grants.service';
import { ResourceGrantsController } from './grants/resource-grants.controller';
import { GroupsController } from './groups/groups.controller';
import { GroupsService } from './groups/groups.service';
import { ReportsController } from './reports/reports.controller';
import { ReportsService } from './reports/reports.service';
import { ResourcesController } from './resources/resources.controller';
import { ResourcesService } from './resources/resources.service';
import { ScimDiscoveryController } from './scim/scim-discovery.controller';
import { ScimFallbackController } from './scim/scim-fallback.controller';
import { ScimGroupsController } from './scim/scim-groups.controller';
import { ScimGroupsService } from './scim/scim-groups.service';
import { ScimHttpMiddleware } from './scim/scim-http.middleware';
import { ScimTokenController } from './scim/scim-token.controller';
import { ScimTokenGuard } from './scim/scim-token.guard';
import { ScimTokenService } from './scim/scim-token.service';
import { ScimUsersController } from './scim/scim-users.controller';
import { ScimUsersService } from './scim/scim-users.service';
import { SettingsController } from './settings/settings.controller';
import { SettingsService } from './settings/settings.service';
import { WebhookTester } from './settings/webhook-test';
import { UsersController } from './users/users.controller';
import { UsersService } from './users/users.service';

@Module({})
export class PolicyAppModule implements NestModule {
  /** SCIM speaks application/scim+json (bodies and answers). */
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(ScimHttpMiddleware)
      .forRoutes({ path: 'scim/v2/{*path}', method: RequestMethod.ALL });
  }
}

/** The policy service, configured by `config` (tests pass their own database, prefix and groups). */
export function createAppModule(config: PolicyConfig): DynamicModule {
  return {
    module: PolicyAppModule,
    imports: [
      PlatformModule.forRoot({ service: 'policy', logLevel: config.LOG_LEVEL }),
      DbModule.forRoot(dataSourceOptions(config.DATABASE_URL)),
      KafkaModule.forRoot(kafkaSettingsOf(config, config.KAFKA_CLIENT_ID ?? 'lapse-policy')),
      TemporalModule.forRoot(temporalSettingsOf(config)),
      AuthModule.forRoot({
        jwt: jwtSettingsOf(config, 'policy'),
        directory: { useClass: DbUserDirectory },
      }),
    ],
    controllers: [
      UsersController,
      GroupsController,
      ResourcesController,
      AssignmentsController,
      GroupAssignmentsController,
      GrantsController,
      ResourceGrantsController,
      AuditController,
      SettingsController,
      ReportsController,
      ScimTokenController,
      ScimDiscoveryController,
      ScimUsersController,
      ScimGroupsController,
      // Last: answers what the SCIM controllers above do not (404, 405, 501 as SCIM errors).
      ScimFallbackController,
    ],
    providers: [
      { provide: POLICY_CONFIG, useValue: config },
      grantClientProvider(POLICY_CONFIG, (c: PolicyConfig) => ({
        taskQueuePrefix: c.LAPSE_TASK_QUEUE_PREFIX,
        requestTtlSeconds: c.LAPSE_REQUEST_TTL,
      })),
      ChangeRecorder,
      UsersService,
      GroupsService,
      ResourcesService,
      AssignmentsService,
      GrantsService,
      AuditService,
      SettingsService,
      WebhookTester,
      ReportsService,
      BootstrapAdmin,
      // Background loops: the outbox relay (policy.changes.v1), grant sync and the reconciler,
      // the Kafka consumers, the activity host.
      outboxRelayProvider(SCHEMA),
      GrantSyncLifecycle,
      PolicyConsumers,
      PolicyActivityHost,
      ScimTokenService,
      ScimTokenGuard,
      ScimUsersService,
      ScimGroupsService,
    ],
  };
}
