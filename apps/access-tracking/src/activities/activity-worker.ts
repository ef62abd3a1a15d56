import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ACTIVITY_TASK_QUEUES } from '@lapse/contracts';
import { HealthRegistry } from '@lapse/platform';
import { ActivityHost } from '@lapse/temporal';
import { ACCESS_TRACKING_CONFIG, type AccessTrackingConfig } from '../config';
import { LastAccessRepository } from '../usage/last-access.repository';
import { createAccessTrackingActivities } from './latest-access.activities';

/** Hosts the `latestAccess` activity on this service's task queue (activities only, no workflows). */
@Injectable()
export class ActivityWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private host?: ActivityHost;

  constructor(
    @Inject(ACCESS_TRACKING_CONFIG) private readonly config: AccessTrackingConfig,
    private readonly repo: LastAccessRepository,
    private readonly health: HealthRegistry,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.LAPSE_ACTIVITY_WORKER_ENABLED) return;
    this.host = await ActivityHost.forService(this.config, {
      service: 'access-tracking',
      queue: ACTIVITY_TASK_QUEUES.accessTracking,
      activities: createAccessTrackingActivities(this.repo),
      health: this.health,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.host?.stop();
  }
}
