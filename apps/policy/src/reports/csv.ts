import type { Policy, PolicyOverride } from '@lapse/contracts';
import { resolvePolicy } from '@lapse/domain';

/** RFC 4180 field: quoted when it holds a comma, quote or newline; formula-leading characters neutralised. */
export function csvField(v: string | number | boolean | null): string {
  if (v === null) return '';
  let s = String(v);
  if (/^[=+\-@\t\r]/.test(s) && typeof v === 'string') s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: (string | number | boolean | null)[]): string {
  return values.map(csvField).join(',') + '\r\n';
}

/** Rule 10: groups with access and the policy each uses, expiry, auto-lock, and per user locked now / last admin unlock. */
export const REPORT_COLUMNS = [
  'resource_id',
  'resource_name',
  'group_id',
  'group_name',
  'policy_source',
  'auto_lock_seconds',
  'auto_lock_approval',
  'access_requests',
  'access_period_seconds',
  'access_requests_approval',
  'expires_at',
  'user_id',
  'user_email',
  'user_name',
  'grant_state',
  'locked_now',
  'last_admin_unlock_at',
] as const;

export interface ReportRow {
  resource_id: string;
  resource_name: string;
  resource_policy: Policy;
  group_id: string;
  group_name: string;
  override: PolicyOverride;
  expires_at: Date | null;
  user_id: string | null;
  user_email: string | null;
  user_name: string | null;
  state: string | null;
  last_admin_unlock_at: Date | null;
}

/** One CSV line of a report row: the assignment's policy resolved (override over default). */
export function reportLine(r: ReportRow): string {
  const p = resolvePolicy(r.resource_policy, r.override);
  const overridden = [r.override.autoLock, r.override.accessRequests].filter(
    (f) => f !== undefined,
  ).length;
  const source = overridden === 0 ? 'DEFAULT' : overridden === 2 ? 'OVERRIDE' : 'PARTIAL_OVERRIDE';
  return csvLine([
    r.resource_id,
    r.resource_name,
    r.group_id,
    r.group_name,
    source,
    p.autoLock ? p.autoLock.durationSeconds : 'OFF',
    p.autoLock ? p.autoLock.approval : null,
    p.accessRequests ? 'ON' : 'OFF',
    p.accessRequests ? p.accessRequests.accessPeriodSeconds : null,
    p.accessRequests ? p.accessRequests.approval : null,
    r.expires_at ? r.expires_at.toISOString() : null,
    r.user_id,
    r.user_email,
    r.user_name,
    r.user_id ? r.state : null,
    r.user_id ? r.state === 'LOCKED' || r.state === 'PENDING' : null,
    r.last_admin_unlock_at ? r.last_admin_unlock_at.toISOString() : null,
  ]);
}
