/**
 * Policy resolution: an assignment's override over the resource default, and a
 * grant's effective policy from all of a user's assignments to one resource.
 */
import { LIMITS } from '@lapse/contracts/workflow';
import type {
  AccessRequestsPolicy,
  ApprovalMode,
  AutoLockPolicy,
  EffectivePolicy,
  Policy,
  PolicyOverride,
} from '@lapse/contracts/workflow';
import { toMs } from './time';

/**
 * An assignment's complete policy: each override field that is present (including an explicit
 * `null`, which turns the feature off) replaces the default; an absent (`undefined`) field inherits.
 */
export function resolvePolicy(resourceDefault: Policy, override?: PolicyOverride | null): Policy {
  const o = override ?? {};
  return {
    autoLock: copyAutoLock(o.autoLock !== undefined ? o.autoLock : resourceDefault.autoLock),
    accessRequests: copyAccessRequests(
      o.accessRequests !== undefined ? o.accessRequests : resourceDefault.accessRequests,
    ),
  };
}

/** One of a user's assignments to a resource, with its policy already resolved (override, else default). */
export interface AssignmentPolicyInput {
  groupId: string;
  policy: Policy;
  /** ISO time the assignment expires, or null for never. */
  expiresAt: string | null;
}

/**
 * The rank of a JIT access period for "a longer period beats a shorter": CUSTOM counts as its
 * maximum (7 days). On a tie with a fixed 7-day period CUSTOM wins: it offers that period and
 * every shorter one. A fixed period longer than 7 days beats CUSTOM.
 */
export function accessPeriodRank(period: number | 'CUSTOM'): number {
  return period === 'CUSTOM' ? LIMITS.customAccessPeriodMaxSeconds + 0.5 : period;
}

/** The JIT access period of a request under `policy`: the fixed period, or the requester's CUSTOM choice. */
export function maxAccessPeriodSeconds(period: number | 'CUSTOM'): number {
  return period === 'CUSTOM' ? LIMITS.customAccessPeriodMaxSeconds : period;
}

const approvalRank = (a: ApprovalMode): number => (a === 'AUTOMATIC' ? 1 : 0);
const expiryRank = (e: string | null): number => (e === null ? Number.POSITIVE_INFINITY : toMs(e));

/**
 * A deciding component of the comparison: the value each assignment offers and which one wins.
 * `key` is an equality key (two assignments supply the same value iff their keys are equal).
 */
interface Component<T> {
  values: { groupId: string; value: T; key: string }[];
  rank: (v: T) => number;
}

function resolveComponent<T>(c: Component<T>): {
  winner: T;
  suppliers: string[];
  disputed: boolean;
} {
  let best = c.values[0];
  for (const v of c.values) if (c.rank(v.value) > c.rank(best.value)) best = v;
  const suppliers = c.values.filter((v) => v.key === best.key).map((v) => v.groupId);
  const disputed = c.values.some((v) => v.key !== best.key);
  return { winner: best.value, suppliers, disputed };
}

/**
 * The effective policy of a grant from the user's assignments to the resource:
 * the most permissive value of each field independently —
 * - auto-lock: off beats on; when every assignment has it on, the longest `durationSeconds`
 *   and AUTOMATIC over MANUAL (each possibly from a different assignment);
 * - JIT: off beats on; when every assignment has it on, the longest access period (see
 *   {@link accessPeriodRank} for CUSTOM) and AUTOMATIC over MANUAL;
 * - expiry: none beats any; else the latest.
 *
 * `sourceGroupIds` (sorted, unique): the groups whose assignment supplied a winning value on a
 * field where the assignments disagree (auto-lock on/off, duration, auto-lock approval, JIT
 * on/off, period, JIT approval, expiry). When they all agree on every field, every group is a
 * source. A group that only ties on undisputed fields is not a source.
 *
 * Expired assignments are the caller's business: pass the assignments that still exist; if all
 * of them are past `expiresAt`, the result's `expiresAt` is in the past and the grant expires.
 *
 * Returns null for no assignments (no grant).
 */
export function effectivePolicy(
  assignments: readonly AssignmentPolicyInput[],
): EffectivePolicy | null {
  if (assignments.length === 0) return null;
  const disputedSuppliers = new Set<string>();
  const take = <T>(c: Component<T>): T => {
    const r = resolveComponent(c);
    if (r.disputed) r.suppliers.forEach((g) => disputedSuppliers.add(g));
    return r.winner;
  };

  // Auto-lock: on/off first, then duration and approval among assignments that all have it on.
  const autoLockOn = take({
    values: assignments.map((a) => ({
      groupId: a.groupId,
      value: a.policy.autoLock !== null,
      key: String(a.policy.autoLock !== null),
    })),
    rank: (on) => (on ? 0 : 1),
  });
  let autoLock: AutoLockPolicy | null = null;
  if (autoLockOn) {
    const on = assignments.map((a) => ({
      groupId: a.groupId,
      p: a.policy.autoLock as AutoLockPolicy,
    }));
    autoLock = {
      durationSeconds: take({
        values: on.map((a) => ({
          groupId: a.groupId,
          value: a.p.durationSeconds,
          key: String(a.p.durationSeconds),
        })),
        rank: (d) => d,
      }),
      approval: take({
        values: on.map((a) => ({ groupId: a.groupId, value: a.p.approval, key: a.p.approval })),
        rank: approvalRank,
      }),
    };
  }

  const jitOn = take({
    values: assignments.map((a) => ({
      groupId: a.groupId,
      value: a.policy.accessRequests !== null,
      key: String(a.policy.accessRequests !== null),
    })),
    rank: (on) => (on ? 0 : 1),
  });
  let accessRequests: AccessRequestsPolicy | null = null;
  if (jitOn) {
    const on = assignments.map((a) => ({
      groupId: a.groupId,
      p: a.policy.accessRequests as AccessRequestsPolicy,
    }));
    accessRequests = {
      accessPeriodSeconds: take({
        values: on.map((a) => ({
          groupId: a.groupId,
          value: a.p.accessPeriodSeconds,
          key: String(a.p.accessPeriodSeconds),
        })),
        rank: accessPeriodRank,
      }),
      approval: take({
        values: on.map((a) => ({ groupId: a.groupId, value: a.p.approval, key: a.p.approval })),
        rank: approvalRank,
      }),
    };
  }

  const expiresAt = take({
    values: assignments.map((a) => ({
      groupId: a.groupId,
      value: a.expiresAt,
      key: a.expiresAt === null ? 'never' : String(toMs(a.expiresAt)),
    })),
    rank: expiryRank,
  });

  const sources =
    disputedSuppliers.size > 0 ? [...disputedSuppliers] : assignments.map((a) => a.groupId);
  return { autoLock, accessRequests, expiresAt, sourceGroupIds: [...new Set(sources)].sort() };
}

/** True when two policies (and, for effective policies, expiry) are the same. Source groups are ignored. */
export function samePolicy(
  a: Policy & { expiresAt?: string | null },
  b: Policy & { expiresAt?: string | null },
): boolean {
  const sameAutoLock =
    a.autoLock === null || b.autoLock === null
      ? a.autoLock === b.autoLock
      : a.autoLock.durationSeconds === b.autoLock.durationSeconds &&
        a.autoLock.approval === b.autoLock.approval;
  const sameJit =
    a.accessRequests === null || b.accessRequests === null
      ? a.accessRequests === b.accessRequests
      : a.accessRequests.accessPeriodSeconds === b.accessRequests.accessPeriodSeconds &&
        a.accessRequests.approval === b.accessRequests.approval;
  const ea = a.expiresAt ?? null;
  const eb = b.expiresAt ?? null;
  const sameExpiry = ea === null || eb === null ? ea === eb : toMs(ea) === toMs(eb);
  return sameAutoLock && sameJit && sameExpiry;
}

function copyAutoLock(p: AutoLockPolicy | null): AutoLockPolicy | null {
  return p === null ? null : { durationSeconds: p.durationSeconds, approval: p.approval };
}

function copyAccessRequests(p: AccessRequestsPolicy | null): AccessRequestsPolicy | null {
  return p === null ? null : { accessPeriodSeconds: p.accessPeriodSeconds, approval: p.approval };
}

/** Rule 4: a grant starts LOCKED when its policy has access requests on (JIT), else ACTIVE. */
export function initialGrantState(policy: EffectivePolicy): 'ACTIVE' | 'LOCKED' {
  return policy.accessRequests !== null ? 'LOCKED' : 'ACTIVE';
}
