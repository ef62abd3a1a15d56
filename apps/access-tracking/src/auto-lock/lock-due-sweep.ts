import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { counter, gauge, histogram } from '@lapse/platform';
import type { AccessTrackingConfig } from '../config';
import { ACCESS_TRACKING_CONFIG } from '../config.token';
import { GrantProjection } from '../grants/grant-projection';
import { IngestionFreshness } from '../kafka/freshness';
import { LastAccessRepository } from '../usage/last-access.repository';
import { checkLockDue } from './lock-due';

const checked = counter(
  'lapse_lock_due_checks_total',
  'Auto-lock deadlines checked by the lock-due sweep, by outcome (marked, moved, kept, superseded)',
  ['outcome'],
);
const deferred = counter(
  'lapse_lock_due_deferred_total',
  'Lock-due sweeps that found deadlines passed but did nothing: access data or the projection not current',
);
const lateness = histogram(
  'lapse_lock_due_lateness_seconds',
  'From a grant’s auto-lock deadline to the sweep marking it lock due (decisions refuse it from then on)',
  [],
  [0.1, 0.25, 0.5, 1, 2, 5, 15, 60],
);
const sweepSeconds = gauge(
  'lapse_lock_due_sweep_seconds',
  'Duration of the last lock-due sweep that checked grants (scan, query, marks)',
);

/** At most this many grants per sweep (one query); the rest wait for the next sweep. */
export const LOCK_CHECKS_PER_SWEEP = 20_000;

/**
 * The lock-due sweep (rule 1, docs/decisions.md): every LAPSE_LOCK_DUE_SWEEP_MS it finds the
 * ACTIVE grants whose auto-lock deadline has passed, and — only while usage ingestion is current
 * (the freshness rule of `latestAccess`) and the projection is not stale — reads their latest
 * recorded uses in one query. A grant with no newer use is marked lock due: decisions refuse it
 * as LOCKED at once, before the workflow (which checks the same data at the same deadline)
 * publishes its LOCKED record. A newer use moves the deadline. A marked grant is checked once
 * more LAPSE_ACCESS_FRESHNESS_MS later, for a use from before the mark ingested after it.
 */
@Injectable()
export class LockDueSweep implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('lock-due');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    @Inject(ACCESS_TRACKING_CONFIG) private readonly config: AccessTrackingConfig,
    private readonly projection: GrantProjection,
    private readonly freshness: IngestionFreshness,
    private readonly lastAccess: LastAccessRepository,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running) return; // a slow sweep: the next tick starts after it
      this.running = this.sweep()
        .then(() => undefined)
        .catch((err: unknown) => this.log.warn({ err, msg: 'lock-due sweep failed' }))
        .finally(() => (this.running = undefined));
    }, this.config.LAPSE_LOCK_DUE_SWEEP_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /**
   * One sweep of the deadlines passed at `now`; returns how many grants it checked against the
   * recorded uses (0 when none was due or the data was not current).
   */
  async sweep(now = Date.now()): Promise<number> {
    const started = performance.now();
    const current = !this.projection.stale && this.freshness.accessDataCurrent().current;
    const checks = this.projection.lockChecksDue(
      now,
      this.config.LAPSE_ACCESS_FRESHNESS_MS,
      current ? LOCK_CHECKS_PER_SWEEP : 1,
    );
    if (checks.length === 0) return 0;
    if (!current) {
      deferred.inc();
      return 0;
    }
    const uses = await this.lastAccess.latestAccessOf(
      checks.map((c) => {
        const colon = c.key.indexOf(':');
        return { userId: c.key.slice(0, colon), resourceId: c.key.slice(colon + 1) };
      }),
    );
    for (const c of checks) {
      const result = checkLockDue(c, uses.get(c.key) ?? null, now);
      const outcome = !this.projection.settleLockCheck(c, result, now)
        ? 'superseded'
        : !result.due
          ? 'moved'
          : c.markedAt === null
            ? 'marked'
            : 'kept';
      checked.inc({ outcome });
      if (outcome === 'marked' && result.due) lateness.observe((now - result.lockDueAt) / 1000);
    }
    sweepSeconds.set((performance.now() - started) / 1000);
    return checks.length;
  }
}
