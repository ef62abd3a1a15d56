/**
 * Pure presentation for the admin console's pages: rows of grants, assignments and requests as
 * the templates print them (escaped). Times carry their zone (UTC: pages render on the server).
 */
import type { AccessRequest, GrantState, Policy, PolicyOverride } from '@lapse/contracts';
import { formatDuration } from '@lapse/domain';
import { GRANT_STATE_LABELS, STATUS_LABELS, formatTime } from '../pages/view-models';
import { describeAutoLock, describeJit } from './policy-form';

export const NEVER = 'never';

export function stateView(state: GrantState | null): { label: string; cls: string; code: string } {
  if (!state) return { label: 'Being set up', cls: 'state-pending', code: 'SYNCING' };
  return { label: GRANT_STATE_LABELS[state], cls: `state-${state.toLowerCase()}`, code: state };
}

/** A policy part of an assignment: its own override, or the default it inherits. */
export interface PartCell {
  text: string;
  inherits: boolean;
}

export function assignmentCells(
  resourceDefault: Policy,
  override: PolicyOverride,
): { autoLock: PartCell; jit: PartCell } {
  return {
    autoLock:
      override.autoLock === undefined
        ? { text: describeAutoLock(resourceDefault.autoLock), inherits: true }
        : { text: describeAutoLock(override.autoLock), inherits: false },
    jit:
      override.accessRequests === undefined
        ? { text: describeJit(resourceDefault.accessRequests), inherits: true }
        : { text: describeJit(override.accessRequests), inherits: false },
  };
}

export interface OpenRequestRow {
  id: string;
  userId: string;
  userName: string;
  userEmail: string;
  resourceId: string;
  resourceName: string;
  type: string;
  reason: string;
  duration: string;
  requestedAt: string;
  status: string;
  canDecide: boolean;
  whyNot: string | null;
}

export function openRequestRow(
  r: AccessRequest,
  ctx: {
    user: { name: string; email: string };
    resourceName: string;
    viewerId: string;
    viewerReviews: boolean;
  },
): OpenRequestRow {
  const own = r.userId === ctx.viewerId;
  return {
    id: r.id,
    userId: r.userId,
    userName: ctx.user.name,
    userEmail: ctx.user.email,
    resourceId: r.resourceId,
    resourceName: ctx.resourceName,
    type: r.type === 'JIT' ? 'Just-in-time' : 'Auto-lock',
    reason: r.reason,
    duration: r.durationSeconds === null ? '—' : formatDuration(r.durationSeconds),
    requestedAt: formatTime(r.requestedAt),
    status: STATUS_LABELS[r.status],
    canDecide: !own && ctx.viewerReviews && r.status === 'PENDING',
    whyNot: own ? 'Your request' : ctx.viewerReviews ? null : 'Read only',
  };
}

export const timeOr = (iso: string | null | undefined, none = '—') =>
  iso ? formatTime(iso) : none;

/** `2026-01-10T09:30` for a datetime-local input holding a UTC time. */
export function utcInputValue(iso: string | null): string {
  return iso ? new Date(iso).toISOString().slice(0, 16) : '';
}

/**
 * An expiry typed in a datetime-local input, read as UTC: null for none, 'INVALID' when it is not
 * a time or not in the future.
 */
export function parseExpiry(raw: string, nowMs: number): string | null | 'INVALID' {
  if (raw === '') return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(raw)) return 'INVALID';
  const ms = Date.parse(`${raw}${raw.length === 16 ? ':00' : ''}Z`);
  if (!Number.isFinite(ms) || ms <= nowMs) return 'INVALID';
  return new Date(ms).toISOString();
}
