/**
 * Activities hosted by the grant-worker on the `grants` queue.
 *
 *   const activities = createGrantStateActivities({ publish: (topic, key, value) => producer.send(...) });
 *
 * `publish(topic, key, value)` sends one record (JSON value) and resolves once the broker has it;
 * a rejection makes Temporal retry the activity. Records are idempotent by `version`.
 */
import { ApplicationFailure } from '@temporalio/common';
import {
  TOPICS,
  grantKey,
  grantStateEventSchema,
  type GrantStateActivities,
  type GrantStateEvent,
  type GrantView,
} from '@lapse/contracts';

export type PublishGrantStateRecord = (
  topic: typeof TOPICS.grantState,
  key: string,
  value: GrantStateEvent,
) => Promise<void>;

export interface GrantStateActivityDeps {
  publish: PublishGrantStateRecord;
}

/** The `grants.state.v1` value of a grant view. */
export function toGrantStateEvent(view: GrantView): GrantStateEvent {
  const parsed = grantStateEventSchema.safeParse({
    userId: view.userId,
    resourceId: view.resourceId,
    state: view.state,
    lastAccessAt: view.lastAccessAt,
    lockedAt: view.lockedAt,
    activeUntil: view.activeUntil,
    expiresAt: view.policy.expiresAt,
    autoLockAt: view.autoLockAt,
    autoLockDurationSeconds: view.policy.autoLock?.durationSeconds ?? null,
    version: view.version,
  });
  if (!parsed.success) {
    // A malformed view never becomes valid on retry.
    throw ApplicationFailure.nonRetryable(
      `invalid grant state event: ${parsed.error.message}`,
      'InvalidGrantState',
    );
  }
  return parsed.data;
}

export function createGrantStateActivities({
  publish,
}: GrantStateActivityDeps): GrantStateActivities {
  return {
    async publishGrantState(view: GrantView): Promise<void> {
      await publish(TOPICS.grantState, grantKey(view), toGrantStateEvent(view));
    },
  };
}
