import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ACTIVITY_TASK_QUEUES } from '@lapse/contracts';
import { HealthRegistry } from '@lapse/platform';
import { ActivityHost } from '@lapse/temporal';
import type { AccessTrackingConfig } from '../config';
import { ACCESS_TRACKING_CONFIG } from '../config.token';
import { IngestionFreshness } from '../kafka/freshness';
import { LastAccessRepository } from '../usage/last-access.repository';
import { createAccessTrackingActivities } from './latest-access.activities';

/** Hosts the `latestAccess` activity on this service's task queue (activities only, no workflows). */
@Injectable()
export class AccessTrackingActivityHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private host?: ActivityHost;
  private starting?: Promise<void>;
  private stopping = false;

  constructor(
    @Inject(ACCESS_TRACKING_CONFIG) private readonly config: AccessTrackingConfig,
    private readonly repo: LastAccessRepository,
    private readonly health: HealthRegistry,
    private readonly freshness: IngestionFreshness,
  ) {}

  /** Boot does not wait for Temporal: decisions serve meanwhile; health shows the worker starting. */
  onApplicationBootstrap(): void {
    if (!this.config.LAPSE_ACTIVITY_HOST_ENABLED) return;
    this.health.register('temporal-worker', async () => {
      throw new Error('activity worker starting (waiting for Temporal)');
    });
    this.starting = ActivityHost.forService(this.config, {
      service: 'access-tracking',
      queue: ACTIVITY_TASK_QUEUES.accessTracking,
      activities: createAccessTrackingActivities(this.repo, this.freshness),
      health: this.health,
    }).then(async (host) => {
      this.host = host;
      if (this.stopping) await host.stop();
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.host?.stop();
  }
}
