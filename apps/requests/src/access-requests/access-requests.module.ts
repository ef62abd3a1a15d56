import { Module } from '@nestjs/common';
import { PolicyClient } from '../policy/policy.client';
import { AccessRequestsController } from './access-requests.controller';
import { OwnGrantsController } from './own-grants.controller';
import { AccessRequestsService } from './access-requests.service';
import { GrantGateway } from './grant.gateway';
import { RequestStore } from './request.store';
import { RequestsWorker } from './requests.worker';

@Module({
  controllers: [AccessRequestsController, OwnGrantsController],
  providers: [AccessRequestsService, RequestStore, GrantGateway, PolicyClient, RequestsWorker],
  exports: [AccessRequestsService, GrantGateway, PolicyClient],
})
export class AccessRequestsModule {}
