import { ApplicationFailure } from '@temporalio/common';
import { accessRequestEventSchema, type RequestActivities } from '@lapse/contracts';
import { isDataError } from '@lapse/db';
import type { RequestStore } from './request.store';

/**
 * The `recordRequest` activity (RequestActivities) the grant workflow calls for every request
 * transition, REQUESTED to EXPIRED: stores the row and writes the event to the outbox in one
 * transaction. Idempotent by id + status, so activity retries and the HTTP path's own record of
 * an update's answer never duplicate an event. A record that can never be stored is a
 * non-retryable failure, so it cannot wedge the grant's effects.
 */
export function createRequestActivities(store: Pick<RequestStore, 'record'>): RequestActivities {
  return {
    async recordRequest(input) {
      const parsed = accessRequestEventSchema.safeParse(input);
      if (!parsed.success) {
        throw ApplicationFailure.nonRetryable(
          `invalid request record: ${parsed.error.issues[0]?.message}`,
          'InvalidRequestRecord',
        );
      }
      try {
        await store.record(parsed.data.request);
      } catch (err) {
        // Postgres refused the data itself: every retry would fail the same way and block the
        // grant's later records. Anything else (Postgres down) is retried.
        if (isDataError(err))
          throw ApplicationFailure.nonRetryable(
            `request record refused by the database: ${(err as Error).message}`,
            'InvalidRequestRecord',
          );
        throw err;
      }
    },
  };
}
