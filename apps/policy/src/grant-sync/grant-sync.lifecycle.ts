import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { GrantClient } from '@lapse/grant-client';
import { POLICY_CONFIG } from '../config.token';
import type { PolicyConfig } from '../config';
import { GrantSyncWorker } from './grant-sync.worker';
import { GrantReconciler } from './reconciler';

/**
 * Starts grant sync (unless LAPSE_GRANT_SYNC_ENABLED is off): the worker that runs sync jobs and
 * due expiries, and on the sync leader the reconciler (rule 11). Stops it on shutdown.
 */
@Injectable()
export class GrantSyncLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly sync: GrantSyncWorker;

  constructor(
    @InjectDataSource() ds: DataSource,
    grants: GrantClient,
    @Inject(POLICY_CONFIG) private readonly config: PolicyConfig,
  ) {
    this.sync = new GrantSyncWorker(
      ds,
      grants,
      {
        pageSize: config.LAPSE_GRANT_SYNC_PAGE_SIZE,
        concurrency: config.LAPSE_GRANT_SYNC_CONCURRENCY,
        pollMs: config.LAPSE_GRANT_SYNC_POLL_MS,
        logEvery: config.LAPSE_GRANT_SYNC_LOG_EVERY,
        pacing: {
          window: config.LAPSE_GRANT_SYNC_WINDOW,
          checkMs: config.LAPSE_GRANT_SYNC_WINDOW_CHECK_MS,
          maxWaitMs: config.LAPSE_GRANT_SYNC_WINDOW_MAX_WAIT_MS,
        },
      },
      config.LAPSE_RECONCILE_ENABLED
        ? new GrantReconciler(ds, grants, {
            intervalMs: config.LAPSE_RECONCILE_INTERVAL_MS,
            batchSize: config.LAPSE_RECONCILE_BATCH,
            // policy.grant_status is fed by the grant-state consumer: checked only where it runs.
            staleProjectionAfterMs: config.LAPSE_POLICY_CONSUMERS_ENABLED
              ? config.LAPSE_RECONCILE_STALE_AFTER_MS
              : null,
          })
        : undefined,
    );
  }

  onApplicationBootstrap(): void {
    if (this.config.LAPSE_GRANT_SYNC_ENABLED) this.sync.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.sync.stop();
  }
}
