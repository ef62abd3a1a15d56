/**
 * The grant's business rules (rules 1–6, docs/domain.md) as pure functions over an immutable model.
 * No Temporal, no I/O, no clock: every function takes `nowMs` (the workflow passes its
 * deterministic `Date.now()`). The workflow (workflows.ts) only orchestrates: it feeds messages
 * and deadlines in, and turns the returned records and state changes into activities and
 * search-attribute upserts. Decisions are documented in docs/grant-workflow.md.
 */
import { GRANT_ERRORS, LIMITS, TERMINAL_GRANT_STATES } from '@lapse/contracts/workflow';
import type {
  AccessGrantInput,
  AccessRequest,
  AdminUnlockRecord,
  AdminUnlockUpdate,
  CancelRequestUpdate,
  CarriedGrantState,
  EffectivePolicy,
  EndAccessUpdate,
  GrantErrorType,
  GrantState,
  GrantView,
  LockReason,
  RequestEventType,
  RequestType,
  ReviewUpdate,
  SubmitRequestUpdate,
} from '@lapse/contracts/workflow';
import {
  accessPeriodFor,
  autoLockAt,
  dueDeadlines,
  initialGrantState,
  isIsoTime,
  laterOf,
  nextDeadline,
  requestExpiresAt,
  samePolicy,
  toIso,
  toMs,
  validateCustomAccessPeriod,
  validateNote,
  validateReason,
  type Deadline,
  type GrantTiming,
} from '@lapse/domain';

/** Continue-as-new at this many history events even if the server has not suggested it. */
export const CONTINUE_AS_NEW_AT_EVENTS = 4_000;

/** Resolved requests remembered for idempotency (submit retries, late reviews). */
export const RECENT_REQUESTS_KEPT = 20;

/** Everything the workflow knows about its grant. */
export interface GrantModel {
  userId: string;
  resourceId: string;
  createdAt: string;
  requestTtlSeconds: number;
  state: GrantState;
  policy: EffectivePolicy;
  lockReason: LockReason | null;
  lastAccessAt: string | null;
  lockedAt: string | null;
  activeUntil: string | null;
  lastAdminUnlockAt: string | null;
  lastAdminUnlockBy: string | null;
  openRequest: AccessRequest | null;
  version: number;
  /** Newest first, at most RECENT_REQUESTS_KEPT. */
  recentRequests: AccessRequest[];
}

export interface RequestRecord {
  event: RequestEventType;
  request: AccessRequest;
}

/** The result of applying an input: the new model, request records to deliver, and whether
 * the grant changed visibly (version bumped: publish it and upsert search attributes). */
export interface Transition {
  model: GrantModel;
  records: RequestRecord[];
  changed: boolean;
}

/** A refused update, as the workflow reports it (ApplicationFailure type + message). */
export interface GrantError {
  type: GrantErrorType;
  message: string;
}

export type Outcome<T> =
  | { ok: true; transition: Transition; value: T }
  | { ok: false; error: GrantError };

export const isTerminal = (s: GrantState): boolean => TERMINAL_GRANT_STATES.includes(s);

/** The request type of a grant under `policy`: JIT when access requests are on, else AutoLock. */
export function requestTypeFor(policy: EffectivePolicy): RequestType {
  return policy.accessRequests !== null ? 'JIT' : 'AutoLock';
}

// ---------------------------------------------------------------------------------------------
// Construction, views, carrying over continue-as-new

/**
 * The first version of a fresh grant (rule 11): its creation time in microseconds, so that a
 * grant given again after it ended (a new run, which starts afresh) publishes versions above
 * every version the ended run published — consumers keep the highest version, and a new run
 * starting at 1 would be ignored. A run would need a thousand state changes per millisecond of
 * its life to reach the next run's start. Stays a safe integer until the year 2255.
 */
export function freshVersion(createdAt: string): number {
  const ms = Date.parse(createdAt);
  return Number.isFinite(ms) && ms > 0 ? ms * 1000 : 1;
}

/**
 * A new grant (rule 4: JIT grants start LOCKED) at `firstVersion`, or the state carried by
 * continue-as-new (its version carried on).
 */
export function initialModel(input: AccessGrantInput, firstVersion = 1): GrantModel {
  const c = input.carried;
  if (c) {
    return {
      userId: c.userId,
      resourceId: c.resourceId,
      createdAt: c.createdAt,
      requestTtlSeconds: input.requestTtlSeconds,
      state: c.state,
      policy: c.policy,
      lockReason: c.lockReason,
      lastAccessAt: c.lastAccessAt,
      lockedAt: c.lockedAt,
      activeUntil: c.activeUntil,
      lastAdminUnlockAt: c.lastAdminUnlockAt,
      lastAdminUnlockBy: c.lastAdminUnlockBy,
      openRequest: c.openRequest,
      version: c.version,
      recentRequests: c.recentRequests,
    };
  }
  const jit = input.policy.accessRequests !== null;
  return {
    userId: input.userId,
    resourceId: input.resourceId,
    createdAt: input.createdAt,
    requestTtlSeconds: input.requestTtlSeconds,
    state: initialGrantState(input.policy),
    policy: input.policy,
    lockReason: jit ? 'JIT_NOT_REQUESTED' : null,
    lastAccessAt: null,
    lockedAt: jit ? input.createdAt : null,
    activeUntil: null,
    lastAdminUnlockAt: null,
    lastAdminUnlockBy: null,
    openRequest: null,
    version: firstVersion,
    recentRequests: [],
  };
}

function timing(m: GrantModel): GrantTiming {
  return {
    state: m.state,
    policy: m.policy,
    createdAt: m.createdAt,
    lastAccessAt: m.lastAccessAt,
    activeUntil: m.activeUntil,
    openRequestExpiresAt: m.openRequest?.expiresAt ?? null,
  };
}

/** What the `state` query returns and what is published. */
export function toView(m: GrantModel): GrantView {
  return {
    userId: m.userId,
    resourceId: m.resourceId,
    state: m.state,
    policy: m.policy,
    lockReason: m.lockReason,
    lastAccessAt: m.lastAccessAt,
    lockedAt: m.lockedAt,
    activeUntil: m.activeUntil,
    autoLockAt: autoLockAt(timing(m)),
    lastAdminUnlockAt: m.lastAdminUnlockAt,
    lastAdminUnlockBy: m.lastAdminUnlockBy,
    openRequest: m.openRequest,
    createdAt: m.createdAt,
    version: m.version,
  };
}

/** The state continue-as-new carries: the view, recent requests, undelivered records. */
export function toCarried(
  m: GrantModel,
  pendingRecords: RequestRecord[],
  pendingUnlocks: AdminUnlockRecord[] = [],
): CarriedGrantState {
  return { ...toView(m), recentRequests: m.recentRequests, pendingRecords, pendingUnlocks };
}

/** What the audit log keeps of an admin unlock that turned `before` into `after`. */
export function adminUnlockRecord(before: GrantModel, after: GrantModel): AdminUnlockRecord {
  if (after.lastAdminUnlockAt === null || after.lastAdminUnlockBy === null) {
    throw new Error('adminUnlockRecord: the grant was not unlocked by an admin');
  }
  return {
    userId: after.userId,
    resourceId: after.resourceId,
    actorId: after.lastAdminUnlockBy,
    at: after.lastAdminUnlockAt,
    before: { state: before.state, lockedAt: before.lockedAt, lastAccessAt: before.lastAccessAt },
    after: { state: after.state, lastAccessAt: after.lastAccessAt, activeUntil: after.activeUntil },
  };
}

/** The earliest deadline the workflow must wake for, or null. */
export function nextWake(m: GrantModel): Deadline | null {
  return nextDeadline(timing(m));
}

// ---------------------------------------------------------------------------------------------
// Internal helpers

const unchanged = (model: GrantModel): Transition => ({ model, records: [], changed: false });

function bump(
  m: GrantModel,
  patch: Partial<GrantModel>,
  records: RequestRecord[] = [],
): Transition {
  return { model: { ...m, ...patch, version: m.version + 1 }, records, changed: true };
}

function remember(m: GrantModel, r: AccessRequest): AccessRequest[] {
  return [r, ...m.recentRequests.filter((x) => x.id !== r.id)].slice(0, RECENT_REQUESTS_KEPT);
}

/** Resolve the open request (to APPROVED/DENIED/EXPIRED/CANCELLED), remembering it. */
function resolveOpen(
  m: GrantModel,
  status: Exclude<AccessRequest['status'], 'PENDING'>,
  nowIso: string,
  reviewerId: string | null,
  note: string | null,
): { patch: Partial<GrantModel>; records: RequestRecord[] } {
  if (!m.openRequest) return { patch: {}, records: [] };
  const reviewed = status === 'APPROVED' || status === 'DENIED';
  const request: AccessRequest = {
    ...m.openRequest,
    status,
    reviewerId,
    reviewedAt: reviewed ? nowIso : null,
    note,
  };
  return {
    patch: { openRequest: null, recentRequests: remember(m, request) },
    records: [{ event: status, request }],
  };
}

/** Rule 3/4: unlock at `nowIso`: ACTIVE, lastAccessAt reset to now (never backward), a JIT
 * window of `jitSeconds` when JIT applies (never shortening a window already open). */
function unlockPatch(
  m: GrantModel,
  nowIso: string,
  jitSeconds: number | null,
): Partial<GrantModel> {
  const windowEnd = jitSeconds === null ? null : toIso(toMs(nowIso) + jitSeconds * 1000);
  const keepOpenWindow = m.state === 'ACTIVE' && m.activeUntil !== null && windowEnd !== null;
  return {
    state: 'ACTIVE',
    lockReason: null,
    lastAccessAt: laterOf(m.lastAccessAt, nowIso),
    activeUntil: keepOpenWindow ? laterOf(m.activeUntil, windowEnd) : windowEnd,
  };
}

function lockPatch(nowIso: string, reason: LockReason): Partial<GrantModel> {
  return { state: 'LOCKED', lockReason: reason, lockedAt: nowIso, activeUntil: null };
}

function findRequest(m: GrantModel, id: string): AccessRequest | null {
  if (m.openRequest?.id === id) return m.openRequest;
  return m.recentRequests.find((r) => r.id === id) ?? null;
}

// ---------------------------------------------------------------------------------------------
// Signals

/**
 * `accessed(at)` (rule 1): moves lastAccessAt forward, never backward. A time more than the
 * allowed skew in the future is clamped to now + skew; an unparsable one is ignored. Not a
 * visible change (no version bump): it only moves the auto-lock deadline later. Events for a
 * locked grant update lastAccessAt but never unlock it (rule 2).
 */
export function applyAccess(m: GrantModel, at: unknown, nowMs: number): Transition {
  if (isTerminal(m.state) || !isIsoTime(at)) return unchanged(m);
  const clamped = Math.min(toMs(at), nowMs + LIMITS.usageMaxFutureSkewSeconds * 1000);
  const next = laterOf(m.lastAccessAt, toIso(clamped));
  return next === m.lastAccessAt
    ? unchanged(m)
    : { model: { ...m, lastAccessAt: next }, records: [], changed: false };
}

/**
 * `policyChanged(policy)` (rule 7). The new policy applies at once; deadlines (a shorter
 * auto-lock, an earlier expiry) are then evaluated by {@link tick}. Besides:
 * - JIT turned on while ACTIVE locks at once (no approved window);
 * - JIT turned off clears the window;
 * - a lock whose basis is gone (auto-lock or JIT turned off, nothing else requiring a lock)
 *   is released like an unlock (lastAccessAt reset to now);
 * - an open request of the wrong type for the new policy is CANCELLED.
 * Changed parameters (a longer duration, another period) never unlock by themselves.
 */
export function applyPolicy(m: GrantModel, policy: EffectivePolicy, nowMs: number): Transition {
  if (isTerminal(m.state)) return unchanged(m);
  const sameSources = policy.sourceGroupIds.join('\n') === m.policy.sourceGroupIds.join('\n');
  if (samePolicy(m.policy, policy) && sameSources) return unchanged(m);
  const now = toIso(nowMs);
  let patch: Partial<GrantModel> = { policy };
  let records: RequestRecord[] = [];
  const jitOn = policy.accessRequests !== null;
  const autoOn = policy.autoLock !== null;

  if (m.openRequest && m.openRequest.type !== requestTypeFor(policy)) {
    const r = resolveOpen(m, 'CANCELLED', now, null, 'the grant policy changed');
    patch = { ...patch, ...r.patch, state: 'LOCKED' };
    records = r.records;
  }
  const state = patch.state ?? m.state;
  if (state === 'ACTIVE') {
    if (jitOn && m.policy.accessRequests === null)
      patch = { ...patch, ...lockPatch(now, 'JIT_NOT_REQUESTED') };
    else if (!jitOn) patch = { ...patch, activeUntil: null };
  } else {
    const autoHolds = m.lockReason === 'AUTO_LOCK' && autoOn;
    if (!jitOn && !autoHolds) {
      const r = resolveOpen(
        { ...m, ...patch },
        'CANCELLED',
        now,
        null,
        'the grant policy no longer locks it',
      );
      patch = { ...patch, ...r.patch, ...unlockPatch(m, now, null) };
      records = [...records, ...r.records];
    } else if (m.lockReason === 'AUTO_LOCK' && !autoOn) {
      patch = { ...patch, lockReason: 'JIT_NOT_REQUESTED' };
    }
  }
  return bump(m, patch, records);
}

/** `revoke` (rule 7) or assignment expiry: terminal; an open request is CANCELLED. */
export function applyRevoke(
  m: GrantModel,
  outcome: 'REVOKED' | 'EXPIRED',
  nowMs: number,
): Transition {
  if (isTerminal(m.state)) return unchanged(m);
  const note = outcome === 'REVOKED' ? 'the grant was revoked' : 'the grant expired';
  const r = resolveOpen(m, 'CANCELLED', toIso(nowMs), null, note);
  return bump(m, { ...r.patch, state: outcome, lockReason: null, activeUntil: null }, r.records);
}

// ---------------------------------------------------------------------------------------------
// Deadlines

export interface Tick extends Transition {
  /** The auto-lock deadline is due: ask the access data owner, then tick again with `accessChecked`. */
  needsAccessCheck: boolean;
}

/**
 * Applies every deadline due at `nowMs`: expiry (terminal, EXPIRED), request TTL (EXPIRED
 * request, grant back to LOCKED), JIT window end (LOCKED, JIT_ENDED), and the auto-lock
 * deadline — which locks only when `accessChecked` (rule 1, docs/domain.md: the latest recorded
 * access was fetched and applied first); otherwise it asks for the check.
 */
export function tick(m0: GrantModel, nowMs: number, accessChecked: boolean): Tick {
  let t: Transition = unchanged(m0);
  const now = toIso(nowMs);
  const merge = (next: Transition) => {
    t = {
      model: next.model,
      records: [...t.records, ...next.records],
      changed: t.changed || next.changed,
    };
  };
  let needsAccessCheck = false;
  for (const d of dueDeadlines(timing(m0), nowMs)) {
    const m = t.model;
    if (isTerminal(m.state)) break;
    switch (d.kind) {
      case 'EXPIRY':
        merge(applyRevoke(m, 'EXPIRED', nowMs));
        break;
      case 'REQUEST_TTL': {
        if (!m.openRequest || toMs(m.openRequest.expiresAt) > nowMs) break;
        const r = resolveOpen(m, 'EXPIRED', now, null, null);
        merge(
          bump(m, { ...r.patch, state: m.state === 'PENDING' ? 'LOCKED' : m.state }, r.records),
        );
        break;
      }
      case 'JIT_END':
        if (m.state === 'ACTIVE') merge(bump(m, lockPatch(now, 'JIT_ENDED')));
        break;
      case 'AUTO_LOCK':
        if (m.state !== 'ACTIVE') break;
        if (accessChecked) merge(bump(m, lockPatch(now, 'AUTO_LOCK')));
        else needsAccessCheck = true;
        break;
    }
  }
  // A deadline handled above may have moved others (e.g. a lock clears the auto-lock deadline).
  const lockDue = dueDeadlines(timing(t.model), nowMs).some((d) => d.kind === 'AUTO_LOCK');
  return { ...t, needsAccessCheck: needsAccessCheck && lockDue && !isTerminal(t.model.state) };
}

// ---------------------------------------------------------------------------------------------
// Updates: validate (refuse with a typed error, changing nothing) and apply.

/** The access period a new JIT request of `u` gets; null for AutoLock requests. */
function requestedPeriod(m: GrantModel, durationSeconds: number | undefined): number | null {
  const jit = m.policy.accessRequests;
  return jit === null ? null : accessPeriodFor(jit, durationSeconds);
}

export function validateSubmitRequest(m: GrantModel, u: SubmitRequestUpdate): GrantError | null {
  if (u.userId !== m.userId) {
    return {
      type: GRANT_ERRORS.NOT_GRANT_USER,
      message: 'only the grant’s user can request access to it',
    };
  }
  if (typeof u.requestId !== 'string' || u.requestId.length === 0 || u.requestId.length > 200) {
    return {
      type: GRANT_ERRORS.INVALID_REQUEST_ID,
      message: 'requestId must be a non-empty string',
    };
  }
  if (findRequest(m, u.requestId)) return null; // a retry: returns the same request
  if (isTerminal(m.state))
    return { type: GRANT_ERRORS.GRANT_TERMINAL, message: `the grant is ${m.state}` };
  const reason = validateReason(u.reason);
  if (reason.length > 0) return { type: GRANT_ERRORS.INVALID_REASON, message: reason[0].message };
  if (m.openRequest) return null; // rule 5: returns the open one
  if (m.state === 'ACTIVE')
    return { type: GRANT_ERRORS.NOT_LOCKED, message: 'the grant is not locked' };
  if (m.policy.accessRequests?.accessPeriodSeconds === 'CUSTOM') {
    const d = validateCustomAccessPeriod(u.durationSeconds);
    if (d.length > 0) return { type: GRANT_ERRORS.INVALID_DURATION, message: d[0].message };
  }
  return null;
}

/**
 * `submitRequest` (rules 3–5): a retry returns the same request; while one is open, returns it;
 * otherwise creates one of the policy's type and approval mode. AUTOMATIC approves it at once
 * (recorded APPROVED, never PENDING); MANUAL makes the grant PENDING (recorded REQUESTED).
 */
export function submitRequest(
  m: GrantModel,
  u: SubmitRequestUpdate,
  nowMs: number,
): Outcome<AccessRequest> {
  const error = validateSubmitRequest(m, u);
  if (error) return { ok: false, error };
  const existing = findRequest(m, u.requestId) ?? m.openRequest;
  if (existing) return { ok: true, transition: unchanged(m), value: existing };

  const now = toIso(nowMs);
  const type = requestTypeFor(m.policy);
  const period = requestedPeriod(m, u.durationSeconds);
  const approvalMode = (m.policy.accessRequests ?? m.policy.autoLock)?.approval ?? 'MANUAL';
  const request: AccessRequest = {
    id: u.requestId,
    type,
    userId: m.userId,
    resourceId: m.resourceId,
    reason: u.reason,
    durationSeconds: period,
    approvalMode,
    status: 'PENDING',
    requestedAt: now,
    expiresAt: requestExpiresAt(now, m.requestTtlSeconds),
    reviewerId: null,
    reviewedAt: null,
    note: null,
  };
  if (approvalMode === 'AUTOMATIC') {
    const approved: AccessRequest = { ...request, status: 'APPROVED', reviewedAt: now };
    const transition = bump(
      m,
      { ...unlockPatch(m, now, period), recentRequests: remember(m, approved) },
      [{ event: 'APPROVED', request: approved }],
    );
    return { ok: true, transition, value: approved };
  }
  const transition = bump(m, { state: 'PENDING', openRequest: request }, [
    { event: 'REQUESTED', request },
  ]);
  return { ok: true, transition, value: request };
}

export function validateReview(m: GrantModel, u: ReviewUpdate): GrantError | null {
  if (isTerminal(m.state))
    return { type: GRANT_ERRORS.GRANT_TERMINAL, message: `the grant is ${m.state}` };
  const request = findRequest(m, u.requestId);
  if (!request)
    return {
      type: GRANT_ERRORS.REQUEST_NOT_FOUND,
      message: `no request ${u.requestId} on this grant`,
    };
  if (request.status !== 'PENDING') {
    return { type: GRANT_ERRORS.NOT_PENDING, message: `the request is already ${request.status}` };
  }
  if (u.reviewerId === request.userId) {
    return { type: GRANT_ERRORS.SELF_REVIEW, message: 'nobody reviews their own request' };
  }
  if (u.decision !== 'APPROVE' && u.decision !== 'DENY') {
    return { type: GRANT_ERRORS.INVALID_DECISION, message: 'decision must be APPROVE or DENY' };
  }
  const note = validateNote(u.note);
  if (note.length > 0) return { type: GRANT_ERRORS.INVALID_NOTE, message: note[0].message };
  return null;
}

/** `review` (rules 3, 4, 6): approve unlocks (JIT: opens the requested window); deny keeps it locked. */
export function review(m: GrantModel, u: ReviewUpdate, nowMs: number): Outcome<AccessRequest> {
  const error = validateReview(m, u);
  if (error) return { ok: false, error };
  const now = toIso(nowMs);
  const approve = u.decision === 'APPROVE';
  const open = m.openRequest as AccessRequest;
  const r = resolveOpen(m, approve ? 'APPROVED' : 'DENIED', now, u.reviewerId, u.note ?? null);
  const patch: Partial<GrantModel> = approve
    ? { ...r.patch, ...unlockPatch(m, now, open.type === 'JIT' ? open.durationSeconds : null) }
    : { ...r.patch, state: 'LOCKED' };
  return { ok: true, transition: bump(m, patch, r.records), value: r.records[0].request };
}

export function validateAdminUnlock(m: GrantModel, u: AdminUnlockUpdate): GrantError | null {
  if (u.actorId === m.userId)
    return {
      type: GRANT_ERRORS.SELF_UNLOCK,
      message: 'nobody unlocks their own grant (four eyes)',
    };
  if (isTerminal(m.state))
    return { type: GRANT_ERRORS.GRANT_TERMINAL, message: `the grant is ${m.state}` };
  if (
    u.durationSeconds !== undefined &&
    m.policy.accessRequests?.accessPeriodSeconds === 'CUSTOM'
  ) {
    const d = validateCustomAccessPeriod(u.durationSeconds);
    if (d.length > 0) return { type: GRANT_ERRORS.INVALID_DURATION, message: d[0].message };
  }
  return null;
}

/**
 * `adminUnlock` (rule 3), in any non-terminal state: ACTIVE with the auto-lock clock reset to
 * now; under JIT it opens a window of the policy's period (CUSTOM: `durationSeconds`, default
 * 7 days), never shortening an open one. An open request is CANCELLED (superseded).
 */
export function adminUnlock(
  m: GrantModel,
  u: AdminUnlockUpdate,
  nowMs: number,
): Outcome<GrantView> {
  const error = validateAdminUnlock(m, u);
  if (error) return { ok: false, error };
  const now = toIso(nowMs);
  const r = resolveOpen(m, 'CANCELLED', now, u.actorId, 'superseded by an admin unlock');
  const transition = bump(
    m,
    {
      ...r.patch,
      ...unlockPatch(m, now, requestedPeriod(m, u.durationSeconds)),
      lastAdminUnlockAt: now,
      lastAdminUnlockBy: u.actorId,
    },
    r.records,
  );
  return { ok: true, transition, value: toView(transition.model) };
}

// ---------------------------------------------------------------------------------------------
// Rule 14: the requester's own withdrawals.

export function validateCancelRequest(m: GrantModel, u: CancelRequestUpdate): GrantError | null {
  if (u.userId !== m.userId)
    return { type: GRANT_ERRORS.NOT_GRANT_USER, message: 'only the requester cancels a request' };
  const request = findRequest(m, u.requestId);
  if (!request)
    return {
      type: GRANT_ERRORS.REQUEST_NOT_FOUND,
      message: `no request ${u.requestId} on this grant`,
    };
  if (request.status === 'CANCELLED') return null; // a retry: returns it as it is
  if (request.status !== 'PENDING')
    return { type: GRANT_ERRORS.NOT_PENDING, message: `the request is already ${request.status}` };
  return null;
}

/** `cancelRequest`: the open request turns CANCELLED; the grant stays LOCKED. Idempotent. */
export function cancelRequest(
  m: GrantModel,
  u: CancelRequestUpdate,
  nowMs: number,
): Outcome<AccessRequest> {
  const error = validateCancelRequest(m, u);
  if (error) return { ok: false, error };
  const request = findRequest(m, u.requestId) as AccessRequest;
  if (request.status === 'CANCELLED') return { ok: true, transition: unchanged(m), value: request };
  const r = resolveOpen(m, 'CANCELLED', toIso(nowMs), null, 'cancelled by the requester');
  const transition = bump(
    m,
    { ...r.patch, state: m.state === 'PENDING' ? 'LOCKED' : m.state },
    r.records,
  );
  return { ok: true, transition, value: r.records[0].request };
}

export function validateEndAccess(m: GrantModel, u: EndAccessUpdate): GrantError | null {
  if (u.userId !== m.userId)
    return { type: GRANT_ERRORS.NOT_GRANT_USER, message: 'only the grant’s user ends its access' };
  if (isTerminal(m.state))
    return { type: GRANT_ERRORS.GRANT_TERMINAL, message: `the grant is ${m.state}` };
  if (m.state !== 'ACTIVE' || m.activeUntil === null)
    return { type: GRANT_ERRORS.NOT_ACTIVE, message: 'the grant has no active JIT period' };
  return null;
}

/** `endAccess`: the active JIT period ends now; the grant locks at once (JIT_ENDED). */
export function endAccess(m: GrantModel, u: EndAccessUpdate, nowMs: number): Outcome<GrantView> {
  const error = validateEndAccess(m, u);
  if (error) return { ok: false, error };
  const transition = bump(m, lockPatch(toIso(nowMs), 'JIT_ENDED'));
  return { ok: true, transition, value: toView(transition.model) };
}
