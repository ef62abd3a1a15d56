import type { DataSource } from 'typeorm';
import { ChangeRecorder } from '../changes/change-recorder';
import { returning } from '../common/sql';

/**
 * Assignments whose `expiresAt` has passed: recorded once (audit + event) and queued for a grant
 * sync, so users who keep access through another assignment get their recomputed policy. Grants
 * left with no assignment end EXPIRED on their own (the workflow holds `expiresAt`); the sync's
 * revoke(EXPIRED) is then a no-op.
 */
export async function queueExpiredAssignments(
  ds: DataSource,
  recorder = new ChangeRecorder(),
): Promise<number> {
  return ds.transaction(async (m) => {
    const rows = await returning<{
      resource_id: string;
      group_id: string;
      override: unknown;
      expires_at: Date;
    }>(
      m,
      `UPDATE policy.assignments SET expiry_synced = true
       WHERE (resource_id, group_id) IN (
         SELECT resource_id, group_id FROM policy.assignments
         WHERE NOT expiry_synced AND expires_at IS NOT NULL AND expires_at <= now()
         LIMIT 100 FOR UPDATE SKIP LOCKED)
       RETURNING resource_id, group_id, override, expires_at`,
    );
    for (const r of rows) {
      const snapshot = {
        resourceId: r.resource_id,
        groupId: r.group_id,
        policy: r.override,
        expiresAt: r.expires_at.toISOString(),
      };
      await recorder.record(m, {
        kind: 'assignment.expired',
        entityType: 'assignment',
        entityId: `${r.resource_id}:${r.group_id}`,
        actorId: null,
        resourceId: r.resource_id,
        before: snapshot,
        after: { ...snapshot, expired: true },
        sync: [{ kind: 'RESOURCE_GROUPS', resourceId: r.resource_id, groupIds: [r.group_id] }],
      });
    }
    return rows.length;
  });
}
