import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { WorkflowNotFoundError } from '@temporalio/client';
import { GrantClient } from '@lapse/grant-client';
import type { AccessTrackingConfig } from '../config';
import { ACCESS_TRACKING_CONFIG } from '../config.token';
import { counter, gauge } from '@lapse/platform';
import { SignalWindow } from './signal-window';

export interface AccessToSignal {
  key: string;
  userId: string;
  resourceId: string;
  /** Epoch ms of the latest access. */
  at: number;
}

const signals = counter('lapse_access_signals_total', '`accessed` signals by outcome', ['outcome']);
const queued = gauge('lapse_access_signals_queued', '`accessed` signals waiting to be sent');

/**
 * Sends `accessed` to grant workflows after the access is durable, at most once per grant per
 * window, with bounded concurrency. Losing one is safe: the workflow asks `latestAccess`
 * before it locks.
 */
@Injectable()
export class AccessSignaler implements OnApplicationShutdown {
  private readonly log = new Logger('signals');
  private readonly window: SignalWindow;
  private readonly pending = new Map<string, AccessToSignal>();
  private inFlight = 0;
  private idle: (() => void)[] = [];
  private stopped = false;
  private readonly pruner: NodeJS.Timeout;
  readonly stats = { admitted: 0, sent: 0, notFound: 0, failed: 0, dropped: 0, coalesced: 0 };

  constructor(
    private readonly grants: GrantClient,
    @Inject(ACCESS_TRACKING_CONFIG) private readonly config: AccessTrackingConfig,
  ) {
    const windowMs = config.LAPSE_SIGNAL_WINDOW_SECONDS * 1000;
    this.window = new SignalWindow(windowMs);
    this.pruner = setInterval(() => this.window.prune(Date.now()), windowMs);
    this.pruner.unref();
  }

  /** Offers the latest durable accesses of ACTIVE grants; signals those whose window allows. */
  offer(accesses: Iterable<AccessToSignal>, now = Date.now()): void {
    if (!this.config.LAPSE_SIGNALS_ENABLED || this.stopped) return;
    for (const a of accesses) {
      if (!this.window.admit(a.key, now)) {
        this.stats.coalesced++;
        continue;
      }
      if (this.pending.size >= this.config.LAPSE_SIGNAL_QUEUE_MAX) {
        this.window.forget(a.key);
        this.stats.dropped++;
        signals.inc({ outcome: 'dropped' });
        continue;
      }
      this.stats.admitted++;
      this.pending.set(a.key, a);
    }
    queued.set(this.pending.size);
    this.pump();
  }

  /** Resolves when nothing is queued or in flight. */
  drained(): Promise<void> {
    if (this.pending.size === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private pump(): void {
    while (
      !this.stopped &&
      this.inFlight < this.config.LAPSE_SIGNAL_CONCURRENCY &&
      this.pending.size > 0
    ) {
      const [key, access] = this.pending.entries().next().value as [string, AccessToSignal];
      this.pending.delete(key);
      this.inFlight++;
      void this.send(access).finally(() => {
        this.inFlight--;
        queued.set(this.pending.size);
        this.pump();
        if (this.inFlight === 0 && (this.pending.size === 0 || this.stopped))
          this.idle.splice(0).forEach((r) => r());
      });
    }
  }

  private async send(a: AccessToSignal): Promise<void> {
    try {
      await this.grants.accessed(a, new Date(a.at).toISOString());
      this.stats.sent++;
      signals.inc({ outcome: 'sent' });
    } catch (e) {
      if (e instanceof WorkflowNotFoundError) {
        this.stats.notFound++;
        signals.inc({ outcome: 'not_found' });
        return;
      }
      this.stats.failed++;
      signals.inc({ outcome: 'failed' });
      this.window.forget(a.key);
      this.log.warn({ err: e, grant: a.key }, 'accessed signal failed; the next access retries it');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pruner);
    this.pending.clear();
    await this.drained();
  }
}
