/**
 * Pure presentation of requests and grants for the pages: durations, ages, labels. Templates
 * only print these (escaped); no logic in Handlebars.
 */
import type {
  AccessRequest,
  GrantState,
  GrantView,
  LockReason,
  Policy,
  RequestStatus,
} from '@lapse/contracts';
import { formatDuration } from '@lapse/domain';

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86400;

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** How long ago, coarse: "just now", "5 minutes ago", "3 hours ago", "2 days ago". */
export function formatAge(iso: string, nowMs: number): string {
  const s = Math.max(0, Math.floor((nowMs - Date.parse(iso)) / 1000));
  if (s < MINUTE) return 'just now';
  if (s < HOUR) return `${plural(Math.floor(s / MINUTE), 'minute')} ago`;
  if (s < DAY) return `${plural(Math.floor(s / HOUR), 'hour')} ago`;
  return `${plural(Math.floor(s / DAY), 'day')} ago`;
}

/** "2026-01-10 09:30 UTC": pages are rendered on the server, which does not know the reader's zone. */
export function formatTime(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 16)} UTC`;
}

export const STATUS_LABELS: Record<RequestStatus, string> = {
  PENDING: 'Waiting for approval',
  APPROVED: 'Approved',
  DENIED: 'Denied',
  EXPIRED: 'Expired',
  CANCELLED: 'Cancelled',
};

export const GRANT_STATE_LABELS: Record<GrantState, string> = {
  ACTIVE: 'Active',
  LOCKED: 'Locked',
  PENDING: 'Locked, request pending',
  EXPIRED: 'Expired',
  REVOKED: 'Revoked',
};

export const LOCK_REASON_LABELS: Record<LockReason, string> = {
  AUTO_LOCK: 'Locked after a period without use',
  JIT_ENDED: 'Your access period ended',
  JIT_NOT_REQUESTED: 'Just-in-time access: request it when you need it',
};

/** One sentence per policy part, for the request page. */
export function describePolicy(p: Policy): string[] {
  const lines: string[] = [];
  if (p.autoLock) {
    lines.push(
      `Locks after ${formatDuration(p.autoLock.durationSeconds)} without use; unlocking is ${p.autoLock.approval === 'AUTOMATIC' ? 'automatic with a reason' : 'approved by a reviewer'}.`,
    );
  }
  if (p.accessRequests) {
    const period =
      p.accessRequests.accessPeriodSeconds === 'CUSTOM'
        ? 'a period you choose (up to 7 days)'
        : formatDuration(p.accessRequests.accessPeriodSeconds);
    lines.push(
      `Just-in-time access for ${period}; ${p.accessRequests.approval === 'AUTOMATIC' ? 'granted automatically with a reason' : 'approved by a reviewer'}.`,
    );
  }
  return lines;
}

/** Choices for a CUSTOM access period (all within the 7-day limit). */
export const CUSTOM_PERIOD_CHOICES: readonly { seconds: number; label: string }[] = [
  { seconds: HOUR, label: '1 hour' },
  { seconds: 4 * HOUR, label: '4 hours' },
  { seconds: 8 * HOUR, label: '8 hours' },
  { seconds: DAY, label: '1 day' },
  { seconds: 3 * DAY, label: '3 days' },
  { seconds: 7 * DAY, label: '7 days' },
];

/**
 * What the request page shows for the grant. LOCKING: ACTIVE in the workflow but past its
 * auto-lock deadline — decisions already refuse it (rule 1) and the workflow's lock follows;
 * access can be requested once it is LOCKED, so the page waits for that.
 */
export type RequestPageMode = 'FORM' | 'WAITING' | 'ACTIVE' | 'LOCKING' | 'ENDED';

export function requestPageMode(
  grant: Pick<GrantView, 'state' | 'openRequest'> & Partial<Pick<GrantView, 'autoLockAt'>>,
  nowMs = Date.now(),
): RequestPageMode {
  switch (grant.state) {
    case 'LOCKED':
      return 'FORM';
    case 'PENDING':
      return grant.openRequest ? 'WAITING' : 'FORM';
    case 'ACTIVE':
      return grant.autoLockAt && Date.parse(grant.autoLockAt) <= nowMs ? 'LOCKING' : 'ACTIVE';
    case 'EXPIRED':
    case 'REVOKED':
      return 'ENDED';
  }
}

export interface PersonView {
  name: string;
  email: string;
}

/** A row of the review page. */
export interface RequestRow {
  id: string;
  user: PersonView;
  resourceName: string;
  resourceId: string;
  type: string;
  reason: string;
  duration: string;
  requestedAt: string;
  requestedAtIso: string;
  age: string;
  status: RequestStatus;
  statusLabel: string;
  statusClass: string;
  approvalMode: string;
  reviewer: PersonView | null;
  reviewedAt: string;
  note: string | null;
  canDecide: boolean;
  whyNot: string | null;
}

export function requestRow(
  r: AccessRequest,
  ctx: {
    user: PersonView;
    resourceName: string;
    reviewer: PersonView | null;
    canDecide: boolean;
    whyNot: string | null;
    nowMs: number;
  },
): RequestRow {
  return {
    id: r.id,
    user: ctx.user,
    resourceName: ctx.resourceName,
    resourceId: r.resourceId,
    type: r.type === 'JIT' ? 'Just-in-time' : 'Auto-lock',
    reason: r.reason,
    duration: r.durationSeconds === null ? '—' : formatDuration(r.durationSeconds),
    requestedAt: formatTime(r.requestedAt),
    requestedAtIso: r.requestedAt,
    age: formatAge(r.requestedAt, ctx.nowMs),
    status: r.status,
    statusLabel:
      r.status === 'APPROVED' && r.approvalMode === 'AUTOMATIC'
        ? 'Approved automatically'
        : STATUS_LABELS[r.status],
    statusClass: `status-${r.status.toLowerCase()}`,
    approvalMode: r.approvalMode === 'AUTOMATIC' ? 'Automatic' : 'Manual',
    reviewer: ctx.reviewer,
    reviewedAt: formatTime(r.reviewedAt),
    note: r.note,
    canDecide: ctx.canDecide && r.status === 'PENDING',
    whyNot: r.status === 'PENDING' ? ctx.whyNot : null,
  };
}
