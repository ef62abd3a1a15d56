/**
 * Grant deadlines (rules 1, 4, 5 and expiry, docs/domain.md): when a grant locks, when a JIT window
 * closes, when an open request expires, when the grant expires. Pure; times are ISO strings.
 */
import type { AccessRequestsPolicy, EffectivePolicy, GrantState } from '@lapse/contracts/workflow';
import { maxAccessPeriodSeconds } from './policy';
import { addSeconds, toMs } from './time';

/** What the deadlines of a grant depend on (a subset of GrantView). */
export interface GrantTiming {
  state: GrantState;
  policy: Pick<EffectivePolicy, 'autoLock' | 'expiresAt'>;
  /** Creation time: the auto-lock clock starts here when there has been no access yet. */
  createdAt: string;
  /** Latest access (or unlock, which resets it); null when there has been none. */
  lastAccessAt: string | null;
  /** End of the current JIT window, null outside one. */
  activeUntil: string | null;
  /** When the open request expires, null when there is none. */
  openRequestExpiresAt: string | null;
}

export type DeadlineKind = 'EXPIRY' | 'AUTO_LOCK' | 'JIT_END' | 'REQUEST_TTL';

export interface Deadline {
  kind: DeadlineKind;
  /** Epoch ms. */
  at: number;
}

/** Rule 1: `(lastAccessAt ?? createdAt) + durationSeconds`, as ISO; null when auto-lock is off. */
export function autoLockDeadline(
  policy: Pick<EffectivePolicy, 'autoLock'>,
  createdAt: string,
  lastAccessAt: string | null,
): string | null {
  if (policy.autoLock === null) return null;
  return addSeconds(lastAccessAt ?? createdAt, policy.autoLock.durationSeconds);
}

/** When an ACTIVE grant auto-locks with no further access; null when not ACTIVE or auto-lock is off. */
export function autoLockAt(t: GrantTiming): string | null {
  return t.state === 'ACTIVE' ? autoLockDeadline(t.policy, t.createdAt, t.lastAccessAt) : null;
}

/** Rule 4: the end of a JIT window approved at `approvedAt` for `periodSeconds`. */
export function jitWindowEnd(approvedAt: string, periodSeconds: number): string {
  return addSeconds(approvedAt, periodSeconds);
}

/** Rule 5: when a request made at `requestedAt` expires if nobody reviews it. */
export function requestExpiresAt(requestedAt: string, ttlSeconds: number): string {
  return addSeconds(requestedAt, ttlSeconds);
}

/**
 * The access period a JIT request gets: the policy's fixed period, or under CUSTOM the
 * requester's choice (validated by the caller), defaulting to the 7-day maximum.
 */
export function accessPeriodFor(
  policy: AccessRequestsPolicy,
  requestedSeconds?: number | null,
): number {
  if (policy.accessPeriodSeconds !== 'CUSTOM') return policy.accessPeriodSeconds;
  return requestedSeconds ?? maxAccessPeriodSeconds('CUSTOM');
}

/**
 * Every deadline that applies now, earliest first: expiry (any non-terminal state), auto-lock
 * and JIT end (ACTIVE only), request TTL (while a request is open).
 */
export function pendingDeadlines(t: GrantTiming): Deadline[] {
  if (t.state === 'EXPIRED' || t.state === 'REVOKED') return [];
  const out: Deadline[] = [];
  if (t.policy.expiresAt !== null) out.push({ kind: 'EXPIRY', at: toMs(t.policy.expiresAt) });
  const lockAt = autoLockAt(t);
  if (lockAt !== null) out.push({ kind: 'AUTO_LOCK', at: toMs(lockAt) });
  if (t.state === 'ACTIVE' && t.activeUntil !== null)
    out.push({ kind: 'JIT_END', at: toMs(t.activeUntil) });
  if (t.openRequestExpiresAt !== null)
    out.push({ kind: 'REQUEST_TTL', at: toMs(t.openRequestExpiresAt) });
  return out.sort((a, b) => a.at - b.at);
}

/** The earliest deadline, or null when nothing is scheduled. */
export function nextDeadline(t: GrantTiming): Deadline | null {
  return pendingDeadlines(t)[0] ?? null;
}

/** The deadlines reached at `nowMs` (at ≤ now), earliest first. */
export function dueDeadlines(t: GrantTiming, nowMs: number): Deadline[] {
  return pendingDeadlines(t).filter((d) => d.at <= nowMs);
}
