import type { EffectivePolicy } from '@lapse/contracts';
import type { UserAssignment } from '../grant-sync/grant-plan';

/**
 * Where a grant's effective policy came from: the winning group(s), and whether their
 * assignments took it from the resource default, an override, or a mix of both.
 */
export interface PolicySource {
  groupIds: string[];
  origin: 'DEFAULT' | 'OVERRIDE' | 'MIXED';
}

export function policySourceOf(
  policy: EffectivePolicy,
  assignments: readonly UserAssignment[],
): PolicySource {
  const sources = assignments.filter((a) => policy.sourceGroupIds.includes(a.groupId));
  const kinds = new Set(
    sources.flatMap((a) => [
      a.override.autoLock === undefined ? 'DEFAULT' : 'OVERRIDE',
      a.override.accessRequests === undefined ? 'DEFAULT' : 'OVERRIDE',
    ]),
  );
  const origin = kinds.size === 1 ? ([...kinds][0] as 'DEFAULT' | 'OVERRIDE') : 'MIXED';
  return { groupIds: policy.sourceGroupIds, origin };
}
