/**
 * What the reconciler repairs (rule 11), decided by a pure function: policy's expected grant
 * (planGrants) against what Temporal holds for it.
 */
import type { EffectivePolicy, GrantState } from '@lapse/contracts';
import { samePolicy } from '@lapse/domain';
import type { GrantAction } from './grant-plan';

/** A grant workflow as observed: running (with its state and policy), ended, or never started. */
export type ObservedGrant =
  | { status: 'RUNNING'; state: GrantState; policy: EffectivePolicy }
  | { status: 'ENDED' }
  | { status: 'MISSING' };

export const REPAIR_KINDS = [
  'MISSING_WORKFLOW',
  'ENDED_WORKFLOW',
  'WRONG_POLICY',
  'UNEXPECTED_GRANT',
] as const;
export type RepairKind = (typeof REPAIR_KINDS)[number];

export type Repair =
  | { kind: Exclude<RepairKind, 'UNEXPECTED_GRANT'>; action: 'APPLY'; policy: EffectivePolicy }
  | { kind: 'UNEXPECTED_GRANT'; action: 'REVOKE'; outcome: 'REVOKED' | 'EXPIRED' };

const ENDED: readonly GrantState[] = ['REVOKED', 'EXPIRED'];

/** The repair a drifted grant needs, or null when Temporal matches policy. */
export function repairFor(expected: GrantAction, observed: ObservedGrant): Repair | null {
  if (expected.action === 'REVOKE') {
    if (observed.status === 'RUNNING' && !ENDED.includes(observed.state))
      return { kind: 'UNEXPECTED_GRANT', action: 'REVOKE', outcome: expected.outcome };
    return null;
  }
  const policy = expected.policy;
  if (observed.status === 'MISSING') return { kind: 'MISSING_WORKFLOW', action: 'APPLY', policy };
  if (observed.status === 'ENDED') return { kind: 'ENDED_WORKFLOW', action: 'APPLY', policy };
  // Running but ended (delivering its last effects): applying gives it again (the next run).
  if (ENDED.includes(observed.state)) return { kind: 'ENDED_WORKFLOW', action: 'APPLY', policy };
  const sameSources =
    observed.policy.sourceGroupIds.join('\n') === policy.sourceGroupIds.join('\n');
  if (!samePolicy(observed.policy, policy) || !sameSources)
    return { kind: 'WRONG_POLICY', action: 'APPLY', policy };
  return null;
}
