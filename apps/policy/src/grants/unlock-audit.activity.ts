import { ApplicationFailure } from '@temporalio/common';
import type { DataSource } from 'typeorm';
import { isDataError } from '@lapse/db';
import { grantWorkflowId, type AdminUnlockRecord, type PolicyActivities } from '@lapse/contracts';
import type { ChangeRecorder } from '../changes/change-recorder';
import { isUuid } from '../common/ids';

/**
 * The activity the grant workflow calls after an admin unlock (before the update answers): the
 * audit entry `grant.unlocked` (with policy.changes.v1) and the grant's last-unlock columns, in
 * one transaction, once per unlock however often Temporal retries it.
 */
export function createPolicyActivities(ds: DataSource, changes: ChangeRecorder): PolicyActivities {
  return {
    recordAdminUnlock: (record) => recordAdminUnlock(ds, changes, record),
  };
}

async function recordAdminUnlock(
  ds: DataSource,
  changes: ChangeRecorder,
  r: AdminUnlockRecord,
): Promise<void> {
  // Policy's grants are between its users and resources; anything else no retry would fix.
  if (!isUuid(r.userId) || !isUuid(r.resourceId) || Number.isNaN(Date.parse(r.at))) {
    throw ApplicationFailure.nonRetryable(
      `not an unlock of a policy grant: ${r.resourceId}/${r.userId} at ${r.at}`,
      'InvalidUnlockRecord',
    );
  }
  const grantId = grantWorkflowId(r);
  await storeUnlock(ds, changes, r, grantId).catch((err: unknown) => {
    // Postgres refused the data itself (e.g. NUL in a field): no retry would store it.
    if (isDataError(err))
      throw ApplicationFailure.nonRetryable(
        `unlock refused by the database: ${(err as Error).message}`,
        'InvalidUnlockRecord',
      );
    throw err;
  });
}

async function storeUnlock(
  ds: DataSource,
  changes: ChangeRecorder,
  r: AdminUnlockRecord,
  grantId: string,
): Promise<void> {
  await ds.transaction(async (m) => {
    await changes.record(m, {
      kind: 'grant.unlocked',
      entityType: 'grant',
      entityId: grantId,
      resourceId: r.resourceId,
      userId: r.userId,
      actorId: r.actorId,
      at: r.at,
      before: r.before,
      after: { ...r.after, lastAdminUnlockAt: r.at },
      dedupKey: `unlock:${grantId}:${r.at}`,
    });
    // Newer unlocks win; a late retry of an older one changes nothing.
    await m.query(
      `INSERT INTO policy.grant_status (user_id, resource_id, last_admin_unlock_at, last_admin_unlock_by) VALUES ($1, $2, $3, $4)
       ON CONFLICT (user_id, resource_id) DO UPDATE SET last_admin_unlock_at = EXCLUDED.last_admin_unlock_at,
         last_admin_unlock_by = EXCLUDED.last_admin_unlock_by, updated_at = now()
       WHERE policy.grant_status.last_admin_unlock_at IS NULL OR policy.grant_status.last_admin_unlock_at < EXCLUDED.last_admin_unlock_at`,
      [r.userId, r.resourceId, r.at, r.actorId],
    );
  });
}
