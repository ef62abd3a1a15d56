import type { DataSource } from 'typeorm';
import type { Policy, PolicyOverride } from '@lapse/contracts';
import { planGrants, type GrantAction, type UserAssignment } from './grant-plan';

/**
 * What each of `userIds`' grants to one resource must be, from ALL their assignments to it
 * (through every group; inactive users hold none, rule 12). Used by the sync worker and the
 * reconciler alike.
 */
export async function planResourceGrants(
  ds: DataSource,
  resourceId: string,
  resourceDefault: Policy,
  userIds: string[],
): Promise<GrantAction[]> {
  const rows: {
    user_id: string;
    group_id: string;
    override: PolicyOverride;
    expires_at: Date | null;
  }[] = await ds.query(
    `SELECT m.user_id, a.group_id, a.override, a.expires_at
     FROM policy.memberships m JOIN policy.assignments a ON a.group_id = m.group_id AND a.resource_id = $1
     JOIN policy.users u ON u.id = m.user_id AND u.active
     WHERE m.user_id = ANY($2::uuid[])`,
    [resourceId, userIds],
  );
  const assignments: UserAssignment[] = rows.map((r) => ({
    userId: r.user_id,
    groupId: r.group_id,
    override: r.override,
    expiresAt: r.expires_at ? r.expires_at.toISOString() : null,
  }));
  return planGrants(userIds, resourceDefault, assignments, Date.now());
}
