/**
 * What the reconciler repairs (rule 11), decided by pure functions: policy's expected grant
 * (planGrants) against what Temporal holds for it, and the grant-state projection against the
 * workflow's state.
 */
import type { EffectivePolicy, GrantState } from '@lapse/contracts';
import { samePolicy } from '@lapse/domain';
import type { GrantAction } from './grant-plan';

/** A grant workflow as observed: running (with its state and policy), ended, or never started. */
export type ObservedGrant =
  | { status: 'RUNNING'; state: GrantState; policy: EffectivePolicy; version: number }
  | { status: 'ENDED' }
  | { status: 'MISSING' };

export const REPAIR_KINDS = [
  'MISSING_WORKFLOW',
  'ENDED_WORKFLOW',
  'WRONG_POLICY',
  'UNEXPECTED_GRANT',
  'STALE_PROJECTION',
] as const;
export type RepairKind = (typeof REPAIR_KINDS)[number];

export type Repair =
  | {
      kind: Exclude<RepairKind, 'UNEXPECTED_GRANT' | 'STALE_PROJECTION'>;
      action: 'APPLY';
      policy: EffectivePolicy;
    }
  | { kind: 'UNEXPECTED_GRANT'; action: 'REVOKE'; outcome: 'REVOKED' | 'EXPIRED' }
  | { kind: 'STALE_PROJECTION'; action: 'REPUBLISH' };

/** A grant's row in the projection of grants.state.v1 (policy.grant_status). */
export interface ProjectedGrant {
  state: GrantState;
  version: number;
}

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

/**
 * Whether the projection of a running grant is behind its workflow: no row, an older version, or
 * the same version with another state (a row written by hand or by a bug). A row ahead of the
 * workflow is not stale by this test: republishing could not lower it (consumers keep the
 * highest version).
 */
export function projectionStale(
  row: ProjectedGrant | null,
  observed: { state: GrantState; version: number },
): boolean {
  if (!row) return true;
  if (row.version < observed.version) return true;
  return row.version === observed.version && row.state !== observed.state;
}
