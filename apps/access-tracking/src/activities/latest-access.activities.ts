import { Logger } from '@nestjs/common';
import { ApplicationFailure } from '@temporalio/common';
import type { AccessTrackingActivities } from '@lapse/contracts';
import { counter } from '@lapse/platform';

const deferred = counter(
  'lapse_deferred_locks_total',
  'Pre-lock access checks answered "access data not current": the grant workflow retries, so the lock waits',
);

export interface LatestAccessSource {
  latestAccess(userId: string, resourceId: string): Promise<string | null>;
}

/** How current the access data is (ingestion lag). */
export interface AccessFreshness {
  accessDataCurrent(): { current: boolean; behindMs: number };
}

const ALWAYS_CURRENT: AccessFreshness = {
  accessDataCurrent: () => ({ current: true, behindMs: 0 }),
};

const log = new Logger('latest-access');

/**
 * The activities this service hosts for the grant workflow (read from this service's data).
 * `latestAccess` answers only when ingestion is current: while usage events may still be waiting
 * in Kafka (a backlog, a broker outage) it fails retryably (`AccessDataStale`), so the workflow's
 * retry policy defers the lock and checks again (bounded by the activity's schedule-to-close
 * timeout) instead of locking a user whose latest uses are not recorded yet.
 */
export function createAccessTrackingActivities(
  source: LatestAccessSource,
  freshness: AccessFreshness = ALWAYS_CURRENT,
): AccessTrackingActivities {
  return {
    latestAccess: async ({ userId, resourceId }) => {
      const { current, behindMs } = freshness.accessDataCurrent();
      if (!current) {
        deferred.inc();
        const behind = Number.isFinite(behindMs) ? `${Math.round(behindMs / 1000)} s` : 'unknown';
        log.warn({
          msg: 'access data not current: deferring the lock check',
          userId,
          resourceId,
          behind,
        });
        throw ApplicationFailure.retryable(
          `access data may be behind (ingestion lag ${behind}): the lock waits`,
          'AccessDataStale',
        );
      }
      return source.latestAccess(userId, resourceId);
    },
  };
}
