import type { EffectivePolicy, Policy, PolicyOverride } from '@lapse/contracts';
import { effectivePolicy, resolvePolicy, toMs } from '@lapse/domain';

/** One assignment a user holds on a resource through one of their groups. */
export interface UserAssignment {
  userId: string;
  groupId: string;
  override: PolicyOverride;
  /** ISO, or null for never. */
  expiresAt: string | null;
}

export type GrantAction =
  | { userId: string; action: 'APPLY'; policy: EffectivePolicy }
  | { userId: string; action: 'REVOKE'; outcome: 'REVOKED' | 'EXPIRED' };

/**
 * What each user's grant to one resource must become: the effective policy of the assignments
 * still in force (not past `expiresAt` at `nowMs`), or a revoke when none is left — EXPIRED when
 * the user had assignments that all expired, REVOKED when they have none.
 */
export function planGrants(
  userIds: readonly string[],
  resourceDefault: Policy,
  assignments: readonly UserAssignment[],
  nowMs: number,
): GrantAction[] {
  const byUser = new Map<string, UserAssignment[]>();
  for (const a of assignments) byUser.set(a.userId, [...(byUser.get(a.userId) ?? []), a]);
  return userIds.map((userId): GrantAction => {
    const all = byUser.get(userId) ?? [];
    const live = all.filter((a) => a.expiresAt === null || toMs(a.expiresAt) > nowMs);
    const policy = effectivePolicy(
      live.map((a) => ({
        groupId: a.groupId,
        policy: resolvePolicy(resourceDefault, a.override),
        expiresAt: a.expiresAt,
      })),
    );
    if (policy) return { userId, action: 'APPLY', policy };
    return { userId, action: 'REVOKE', outcome: all.length > 0 ? 'EXPIRED' : 'REVOKED' };
  });
}

/** Which policy fields an override leaves to the resource default. */
export function inheritsDefault(override: PolicyOverride): boolean {
  return override.autoLock === undefined || override.accessRequests === undefined;
}
