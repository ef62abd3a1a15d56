import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { TOPICS } from '@lapse/contracts';
import { ConsumerLagMonitor, KAFKA } from '@lapse/kafka';
import { gauge } from '@lapse/platform';
import type { AccessTrackingConfig } from '../config';
import { ACCESS_TRACKING_CONFIG } from '../config.token';
import { GrantProjection } from '../grants/grant-projection';

const decisionsStale = gauge(
  'lapse_decisions_stale',
  '1 while decisions answer from a grant-state projection older than LAPSE_DECISIONS_STALE_MS',
);

/** The projection counts as current when it covers every grant state published this long ago. */
const PROJECTION_CURRENT_MS = 15_000;

/**
 * How current this service's data is: usage ingestion (for the pre-lock access check) and the
 * grant-state projection (for decisions), each from its consumer group's committed offsets
 * against the log end, per partition.
 */
@Injectable()
export class IngestionFreshness implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly usage: ConsumerLagMonitor;
  readonly grantState: ConsumerLagMonitor;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(ACCESS_TRACKING_CONFIG) private readonly config: AccessTrackingConfig,
    private readonly projection: GrantProjection,
  ) {
    this.usage = new ConsumerLagMonitor(kafka, {
      groupId: config.LAPSE_USAGE_GROUP_ID,
      topic: TOPICS.usage,
      fromBeginning: config.LAPSE_USAGE_FROM_BEGINNING,
    });
    this.grantState = new ConsumerLagMonitor(kafka, {
      groupId: config.LAPSE_GRANT_STATE_GROUP_ID,
      topic: TOPICS.grantState,
      fromBeginning: true,
    });
  }

  /** Whether last-access data covers every usage event published up to the freshness bound. */
  accessDataCurrent(now = Date.now()): { current: boolean; behindMs: number } {
    const behindMs = this.usage.staleness(now);
    return { current: behindMs <= this.config.LAPSE_ACCESS_FRESHNESS_MS, behindMs };
  }

  /** Whether decisions may be answering from an old projection. */
  decisionsStale(now = Date.now()): boolean {
    return this.grantState.staleness(now) > this.config.LAPSE_DECISIONS_STALE_MS;
  }

  onApplicationBootstrap(): void {
    this.usage.start();
    this.grantState.start();
    this.timer = setInterval(() => {
      this.projection.current = this.grantState.staleness() <= PROJECTION_CURRENT_MS;
      this.projection.stale = this.decisionsStale();
      decisionsStale.set(this.projection.stale ? 1 : 0);
    }, 1000);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await Promise.all([this.usage.stop(), this.grantState.stop()]);
  }
}
