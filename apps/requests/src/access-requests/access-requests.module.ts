import { Module } from '@nestjs/common';
import { GrantClient, grantClientProvider } from '@lapse/grant-client';
import { outboxRelayProvider } from '@lapse/kafka';
import { REQUESTS_CONFIG } from '../config.token';
import { SCHEMA } from '../db/data-source';
import { AccessRequestsController } from './access-requests.controller';
import { OwnGrantsController } from './own-grants.controller';
import { AccessRequestsService } from './access-requests.service';
import { RequestStore } from './request.store';
import { RequestsActivityHost } from './activity-host';

@Module({
  controllers: [AccessRequestsController, OwnGrantsController],
  providers: [
    AccessRequestsService,
    RequestStore,
    grantClientProvider(REQUESTS_CONFIG),
    RequestsActivityHost,
    // Publishes access-requests.v1 from the outbox.
    outboxRelayProvider(SCHEMA),
  ],
  exports: [AccessRequestsService, GrantClient],
})
export class AccessRequestsModule {}
