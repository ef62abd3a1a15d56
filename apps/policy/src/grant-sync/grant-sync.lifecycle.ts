import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { GrantClient } from '@lapse/grant-client';
import { JsonProducer, OutboxRelay } from '@lapse/kafka';
import { HealthRegistry } from '@lapse/platform';
import { POLICY_CONFIG } from '../config.token';
import type { PolicyConfig } from '../config';
import { SCHEMA } from '../db/data-source';
import { GrantSyncWorker } from './grant-sync.worker';
import { GrantReconciler } from './reconciler';

/** Runs the outbox relay and (unless disabled) the grant sync worker; stops both on shutdown. */
@Injectable()
export class BackgroundWork implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly sync: GrantSyncWorker;
  private readonly relay: OutboxRelay;

  constructor(
    @InjectDataSource() ds: DataSource,
    grants: GrantClient,
    producer: JsonProducer,
    health: HealthRegistry,
    @Inject(POLICY_CONFIG) private readonly config: PolicyConfig,
  ) {
    this.relay = new OutboxRelay(ds, SCHEMA, producer);
    this.sync = new GrantSyncWorker(
      ds,
      grants,
      {
        pageSize: config.LAPSE_GRANT_SYNC_PAGE_SIZE,
        concurrency: config.LAPSE_GRANT_SYNC_CONCURRENCY,
        pollMs: config.LAPSE_GRANT_SYNC_POLL_MS,
        logEvery: config.LAPSE_GRANT_SYNC_LOG_EVERY,
      },
      config.LAPSE_RECONCILE_ENABLED
        ? new GrantReconciler(ds, grants, {
            intervalMs: config.LAPSE_RECONCILE_INTERVAL_MS,
            batchSize: config.LAPSE_RECONCILE_BATCH,
          })
        : undefined,
    );
    void health;
  }

  onApplicationBootstrap(): void {
    this.relay.start();
    if (this.config.LAPSE_GRANT_SYNC_ENABLED) this.sync.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sync.stop();
    await this.relay.stop();
  }
}
