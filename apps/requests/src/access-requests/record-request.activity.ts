import { ApplicationFailure } from '@temporalio/common';
import { accessRequestEventSchema, type RequestActivities } from '@lapse/contracts';
import type { RequestStore } from './request.store';

/**
 * The `recordRequest` activity (RequestActivities) the grant workflow calls for every request
 * transition, REQUESTED to EXPIRED: stores the row and writes the event to the outbox in one
 * transaction. Idempotent by id + status, so activity retries and the HTTP path's own record of
 * an update's answer never duplicate an event.
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
      await store.record(parsed.data.request);
    },
  };
}
