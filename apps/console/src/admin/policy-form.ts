/**
 * The policy form of the resource page (a default policy) and of the assignment page (an
 * override, where each part may also inherit): the presets the console offers, the form's model
 * for the template, and the parsing of what was posted back into the REST API's policy shape.
 * The API accepts any duration from 1 second to 400 days; the console offers the product's
 * presets and a custom number of seconds.
 */
import {
  LIMITS,
  type AccessRequestsPolicy,
  type ApprovalMode,
  type AutoLockPolicy,
  type Policy,
  type PolicyOverride,
} from '@lapse/contracts';
import { formatDuration } from '@lapse/domain';

const DAY = 86400;
const HOUR = 3600;

/** Auto-lock durations the console offers (1, 7, 30, 60, 90 days). */
export const AUTO_LOCK_PRESETS: readonly number[] = [1, 7, 30, 60, 90].map((d) => d * DAY);

/** Just-in-time access periods the console offers (all within the 7-day limit). */
export const JIT_PRESETS: readonly number[] = [HOUR, 4 * HOUR, 8 * HOUR, DAY, 3 * DAY, 7 * DAY];

export type PolicyFormMode = 'default' | 'override';

export interface FieldError {
  field: string;
  message: string;
}

interface Option {
  value: string;
  label: string;
  checked: boolean;
}

/** One part of the form (auto-lock or JIT) as the template prints it. */
export interface PartModel {
  options: Option[];
  customSeconds: string;
  approvalManual: boolean;
  approvalAutomatic: boolean;
}

export interface PolicyFormModel {
  /** Distinguishes several forms' ids on one page. */
  prefix: string;
  autoLock: PartModel;
  jit: PartModel;
  errors: Record<string, string>;
  hasErrors: boolean;
}

/** The form for `policy` (a default) or an override (`undefined` parts inherit). */
export function policyFormModel(
  policy: PolicyOverride,
  mode: PolicyFormMode,
  prefix = 'policy',
  errors: FieldError[] = [],
): PolicyFormModel {
  return {
    prefix,
    autoLock: autoLockPart(policy.autoLock, mode),
    jit: jitPart(policy.accessRequests, mode),
    errors: Object.fromEntries(errors.map((e) => [e.field, e.message])),
    hasErrors: errors.length > 0,
  };
}

function approval(a: ApprovalMode | undefined) {
  return { approvalManual: a !== 'AUTOMATIC', approvalAutomatic: a === 'AUTOMATIC' };
}

function autoLockPart(p: AutoLockPolicy | null | undefined, mode: PolicyFormMode): PartModel {
  const seconds = p ? p.durationSeconds : null;
  const custom = seconds !== null && !AUTO_LOCK_PRESETS.includes(seconds);
  const options: Option[] = [];
  if (mode === 'override')
    options.push({ value: 'inherit', label: 'Inherit the default', checked: p === undefined });
  options.push({ value: 'off', label: 'Off', checked: p === null });
  for (const s of AUTO_LOCK_PRESETS)
    options.push({ value: String(s), label: formatDuration(s), checked: seconds === s });
  options.push({ value: 'custom', label: 'Custom (seconds)', checked: custom });
  return { options, customSeconds: custom ? String(seconds) : '', ...approval(p?.approval) };
}

function jitPart(p: AccessRequestsPolicy | null | undefined, mode: PolicyFormMode): PartModel {
  const period = p ? p.accessPeriodSeconds : null;
  const custom = typeof period === 'number' && !JIT_PRESETS.includes(period);
  const options: Option[] = [];
  if (mode === 'override')
    options.push({ value: 'inherit', label: 'Inherit the default', checked: p === undefined });
  options.push({ value: 'off', label: 'Off', checked: p === null });
  for (const s of JIT_PRESETS)
    options.push({ value: String(s), label: formatDuration(s), checked: period === s });
  options.push({
    value: 'CUSTOM',
    label: 'The requester chooses (up to 7 days)',
    checked: period === 'CUSTOM',
  });
  options.push({ value: 'custom', label: 'Custom (seconds, up to 7 days)', checked: custom });
  return { options, customSeconds: custom ? String(period) : '', ...approval(p?.approval) };
}

export type PolicyFormResult =
  | { ok: true; policy: PolicyOverride }
  | { ok: false; errors: FieldError[] };

const str = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

/**
 * The policy posted by the form. For a default every part is set (off or on); for an override a
 * part may inherit (left out of the result). Errors name the field they are about.
 */
export function parsePolicyForm(
  body: Record<string, unknown>,
  mode: PolicyFormMode,
): PolicyFormResult {
  const errors: FieldError[] = [];
  const policy: PolicyOverride = {};

  const autoLock = str(body['autoLock']);
  const autoLockApproval = approvalOf(body['autoLockApproval'], 'autoLockApproval', errors);
  if (autoLock === 'inherit' && mode === 'override') {
    // left out: inherits
  } else if (autoLock === 'off') policy.autoLock = null;
  else if (autoLock === 'custom') {
    const s = secondsOf(
      body['autoLockSeconds'],
      'autoLockSeconds',
      'Auto-lock duration',
      LIMITS.autoLockMaxSeconds,
      errors,
    );
    if (s !== null) policy.autoLock = { durationSeconds: s, approval: autoLockApproval };
  } else if (AUTO_LOCK_PRESETS.includes(Number(autoLock)))
    policy.autoLock = { durationSeconds: Number(autoLock), approval: autoLockApproval };
  else errors.push({ field: 'autoLock', message: 'Choose an auto-lock duration, or Off.' });

  const jit = str(body['jit']);
  const jitApproval = approvalOf(body['jitApproval'], 'jitApproval', errors);
  if (jit === 'inherit' && mode === 'override') {
    // left out: inherits
  } else if (jit === 'off') policy.accessRequests = null;
  else if (jit === 'CUSTOM')
    policy.accessRequests = { accessPeriodSeconds: 'CUSTOM', approval: jitApproval };
  else if (jit === 'custom') {
    const s = secondsOf(
      body['jitSeconds'],
      'jitSeconds',
      'Access period',
      LIMITS.customAccessPeriodMaxSeconds,
      errors,
    );
    if (s !== null) policy.accessRequests = { accessPeriodSeconds: s, approval: jitApproval };
  } else if (JIT_PRESETS.includes(Number(jit)))
    policy.accessRequests = { accessPeriodSeconds: Number(jit), approval: jitApproval };
  else errors.push({ field: 'jit', message: 'Choose a just-in-time access period, or Off.' });

  return errors.length ? { ok: false, errors } : { ok: true, policy };
}

function approvalOf(v: unknown, field: string, errors: FieldError[]): ApprovalMode {
  const s = str(v) || 'MANUAL';
  if (s === 'MANUAL' || s === 'AUTOMATIC') return s;
  errors.push({ field, message: 'Approval must be Manual or Automatic.' });
  return 'MANUAL';
}

function secondsOf(
  v: unknown,
  field: string,
  what: string,
  max: number,
  errors: FieldError[],
): number | null {
  const s = str(v);
  if (!/^\d+$/.test(s)) {
    errors.push({ field, message: `${what}: enter a whole number of seconds.` });
    return null;
  }
  const n = Number(s);
  if (n < 1 || n > max) {
    errors.push({
      field,
      message: `${what}: between 1 second and ${formatDuration(max)} (${max} seconds).`,
    });
    return null;
  }
  return n;
}

/** "30 days, manual approval" / "Off" / "Inherits: 30 days, …". */
export function describeAutoLock(p: AutoLockPolicy | null | undefined): string {
  if (p === undefined) return 'Inherits';
  if (p === null) return 'Off';
  return `${formatDuration(p.durationSeconds)}, ${p.approval === 'AUTOMATIC' ? 'automatic' : 'manual'} approval`;
}

export function describeJit(p: AccessRequestsPolicy | null | undefined): string {
  if (p === undefined) return 'Inherits';
  if (p === null) return 'Off';
  const period =
    p.accessPeriodSeconds === 'CUSTOM'
      ? 'requester chooses (up to 7 days)'
      : formatDuration(p.accessPeriodSeconds);
  return `${period}, ${p.approval === 'AUTOMATIC' ? 'automatic' : 'manual'} approval`;
}

/** The policy an assignment uses: its override's parts, else the resource default's. */
export function appliedPolicy(resourceDefault: Policy, override: PolicyOverride): Policy {
  return {
    autoLock: override.autoLock !== undefined ? override.autoLock : resourceDefault.autoLock,
    accessRequests:
      override.accessRequests !== undefined
        ? override.accessRequests
        : resourceDefault.accessRequests,
  };
}

/** Whether the override changes nothing (every part inherits). */
export const inheritsAll = (o: PolicyOverride) =>
  o.autoLock === undefined && o.accessRequests === undefined;
