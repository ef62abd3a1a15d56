import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ACTIVITY_TASK_QUEUES } from '@lapse/contracts';
import { HealthRegistry } from '@lapse/platform';
import { ActivityHost } from '@lapse/temporal';
import { REQUESTS_CONFIG } from '../config.token';
import type { RequestsConfig } from '../config';
import { createRequestActivities } from './record-request.activity';
import { RequestStore } from './request.store';

/** Hosts the `recordRequest` activity on the (prefixed) `requests` task queue. */
@Injectable()
export class RequestsActivityHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private host?: ActivityHost;

  constructor(
    @Inject(REQUESTS_CONFIG) private readonly config: RequestsConfig,
    private readonly store: RequestStore,
    private readonly health: HealthRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.LAPSE_ACTIVITY_HOST_ENABLED) return;
    this.host = await ActivityHost.forService(this.config, {
      service: 'requests',
      queue: ACTIVITY_TASK_QUEUES.requests,
      activities: createRequestActivities(this.store),
      health: this.health,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.host?.stop();
  }
}
