import { Module } from '@nestjs/common';
import { GrantClient, grantClientProvider } from '@lapse/grant-client';
import { REQUESTS_CONFIG } from '../config.token';
import { AccessRequestsController } from './access-requests.controller';
import { OwnGrantsController } from './own-grants.controller';
import { AccessRequestsService } from './access-requests.service';
import { RequestStore } from './request.store';
import { RequestsWorker } from './requests.worker';

@Module({
  controllers: [AccessRequestsController, OwnGrantsController],
  providers: [
    AccessRequestsService,
    RequestStore,
    grantClientProvider(REQUESTS_CONFIG),
    RequestsWorker,
  ],
  exports: [AccessRequestsService, GrantClient],
})
export class AccessRequestsModule {}
