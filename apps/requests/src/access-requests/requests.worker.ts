import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { ActivityHost } from '@lapse/temporal';
import type { DataSource } from 'typeorm';
import { ACTIVITY_TASK_QUEUES } from '@lapse/contracts';
import { JsonProducer, OutboxRelay } from '@lapse/kafka';
import { HealthRegistry } from '@lapse/platform';
import { REQUESTS_CONFIG } from '../config.token';
import type { RequestsConfig } from '../config';
import { SCHEMA } from '../db/data-source';
import { createRequestActivities } from './record-request.activity';
import { RequestStore } from './request.store';

/**
 * Runs what carries request changes out of this service: the Temporal worker hosting
 * `recordRequest` on the (prefixed) `requests` task queue, and the outbox relay that publishes
 * access-requests.v1. Both stop cleanly on shutdown.
 */
@Injectable()
export class RequestsWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly relay: OutboxRelay;
  private host?: ActivityHost;

  constructor(
    @Inject(REQUESTS_CONFIG) private readonly config: RequestsConfig,
    @InjectDataSource() ds: DataSource,
    producer: JsonProducer,
    private readonly store: RequestStore,
    private readonly health: HealthRegistry,
  ) {
    this.relay = new OutboxRelay(ds, SCHEMA, producer);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.relay.start();
    if (!this.config.LAPSE_REQUESTS_WORKER_ENABLED) return;
    this.host = await ActivityHost.forService(this.config, {
      service: 'requests',
      queue: ACTIVITY_TASK_QUEUES.requests,
      activities: createRequestActivities(this.store),
      health: this.health,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.host?.stop();
    await this.relay.stop();
  }
}
