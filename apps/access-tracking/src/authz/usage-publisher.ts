import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { TOPICS, grantKey, type UsageEvent } from '@lapse/contracts';
import { JsonProducer, KAFKA } from '@lapse/kafka';
import { counter, gauge } from '@lapse/platform';
import type { AccessTrackingConfig } from '../config';
import { ACCESS_TRACKING_CONFIG } from '../config.token';
import { UsageCoalescer } from './usage-coalescer';

const published = counter(
  'lapse_authz_usage_published_total',
  'Usage events published to access.usage.v1 for requests forward-auth let through',
);
const failures = counter(
  'lapse_authz_usage_publish_failures_total',
  'Failed publishes of forward-auth usage (the events are kept and retried)',
);
const pendingGauge = gauge(
  'lapse_authz_usage_pending',
  'Grants with a use waiting to be published to access.usage.v1',
);

/** Messages per Kafka produce request. */
const BATCH = 1000;

/**
 * Publishes the uses forward-auth lets through to access.usage.v1, as a proxy would: the request
 * only records the use in memory (UsageCoalescer); a timer publishes what was recorded once per
 * window (LAPSE_AUTHZ_USAGE_FLUSH_MS, default 1 s), so at most one event per grant per window, in
 * batches. A failed publish keeps the events for the next flush; on shutdown (after the HTTP server
 * has stopped taking requests) the last ones are flushed, retried until the shutdown deadline.
 * Its own producer, so the shared one closing first cannot drop the last flush.
 */
@Injectable()
export class UsagePublisher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('authz-usage');
  private readonly coalescer = new UsageCoalescer();
  private readonly producer: JsonProducer;
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    @Inject(ACCESS_TRACKING_CONFIG) private readonly config: AccessTrackingConfig,
  ) {
    this.producer = new JsonProducer(kafka);
  }

  /** A use of the grant at `at` (epoch ms). Never waits, never throws. */
  record(userId: string, resourceId: string, at: number, proxyId?: string): void {
    this.coalescer.record(userId, resourceId, at, proxyId);
  }

  get pending(): number {
    return this.coalescer.size;
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.flush(), this.config.LAPSE_AUTHZ_USAGE_FLUSH_MS);
    this.timer.unref();
  }

  /** Publishes what is pending; one flush at a time (a flush asked meanwhile joins it). */
  flush(): Promise<void> {
    this.flushing ??= this.publishPending().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async publishPending(): Promise<void> {
    const events = this.coalescer.take();
    pendingGauge.set(0);
    for (let i = 0; i < events.length; i += BATCH) {
      const chunk = events.slice(i, i + BATCH);
      try {
        await this.send(chunk);
        published.inc(chunk.length);
      } catch (e) {
        const left = events.slice(i);
        this.coalescer.restore(left);
        pendingGauge.set(this.coalescer.size);
        failures.inc();
        this.log.warn({ err: e, kept: left.length }, 'publishing forward-auth usage failed');
        throw e;
      }
    }
  }

  private send(events: UsageEvent[]): Promise<void> {
    return this.producer.send(
      TOPICS.usage,
      events.map((e) => ({ key: grantKey(e), value: e })),
    );
  }

  /** The HTTP server is closed by now: no use is recorded after this last flush. */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    const deadline = Date.now() + Math.max(1000, this.config.SHUTDOWN_TIMEOUT_MS - 1000);
    let delay = 100;
    for (;;) {
      try {
        await this.flushing?.catch(() => undefined);
        await this.flush();
        if (this.coalescer.size === 0) break;
      } catch {
        if (Date.now() + delay >= deadline) {
          this.log.error(
            { lost: this.coalescer.size },
            'forward-auth usage could not be published before the shutdown deadline',
          );
          break;
        }
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 2000);
      }
    }
    await this.producer.disconnect();
  }
}
