import { GRANT_ERRORS } from '@lapse/contracts';
import type { AccessGrantInput, EffectivePolicy } from '@lapse/contracts';
import {
  adminUnlock,
  adminUnlockRecord,
  applyAccess,
  applyPolicy,
  applyRevoke,
  cancelRequest,
  endAccess,
  freshVersion,
  initialModel,
  nextWake,
  review,
  submitRequest,
  tick,
  toCarried,
  toView,
  type GrantModel,
  type Outcome,
  type Transition,
} from './grant-machine';

const DAY = 86_400_000;
const T0 = Date.parse('2025-01-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

function policy(over: Partial<EffectivePolicy> = {}): EffectivePolicy {
  return { autoLock: null, accessRequests: null, expiresAt: null, sourceGroupIds: ['g1'], ...over };
}
const autoLock = (days: number, approval: 'MANUAL' | 'AUTOMATIC' = 'MANUAL') =>
  policy({ autoLock: { durationSeconds: (days * DAY) / 1000, approval } });
const jit = (
  period: number | 'CUSTOM',
  approval: 'MANUAL' | 'AUTOMATIC' = 'MANUAL',
  over: Partial<EffectivePolicy> = {},
) => policy({ accessRequests: { accessPeriodSeconds: period, approval }, ...over });

function grant(p: EffectivePolicy, over: Partial<AccessGrantInput> = {}): GrantModel {
  return initialModel({
    userId: 'u1',
    resourceId: 'r1',
    policy: p,
    createdAt: iso(T0),
    requestTtlSeconds: 7 * 86_400,
    ...over,
  });
}

function ok<T>(o: Outcome<T>): { model: GrantModel; value: T; t: Transition } {
  if (!o.ok) throw new Error(`refused: ${o.error.type} ${o.error.message}`);
  return { model: o.transition.model, value: o.value, t: o.transition };
}
function refused<T>(o: Outcome<T>): string {
  if (o.ok) throw new Error('expected a refusal');
  return o.error.type;
}
/** Tick with the access check already done. */
const lockIfDue = (m: GrantModel, now: number) => tick(m, now, true).model;
const req = (
  id: string,
  over: Partial<{ userId: string; reason: string; durationSeconds: number }> = {},
) => ({
  requestId: id,
  userId: 'u1',
  reason: 'need it',
  ...over,
});

describe('initial state', () => {
  it('auto-lock or no policy: ACTIVE, version 1', () => {
    expect(grant(autoLock(30))).toMatchObject({
      state: 'ACTIVE',
      lockReason: null,
      version: 1,
      lockedAt: null,
    });
    expect(grant(policy()).state).toBe('ACTIVE');
  });
  it('JIT grants start LOCKED (rule 4)', () => {
    expect(grant(jit(3600))).toMatchObject({
      state: 'LOCKED',
      lockReason: 'JIT_NOT_REQUESTED',
      lockedAt: iso(T0),
    });
  });
  it('carried state round-trips through continue-as-new', () => {
    const locked = lockIfDue(grant(autoLock(1)), T0 + DAY);
    const pending = ok(submitRequest(locked, req('r1'), T0 + DAY + 1)).model;
    const carried = toCarried(pending, [
      {
        event: 'REQUESTED',
        request: pending.openRequest as NonNullable<GrantModel['openRequest']>,
      },
    ]);
    const again = initialModel({
      userId: 'x',
      resourceId: 'y',
      policy: pending.policy,
      createdAt: 'ignored',
      requestTtlSeconds: 7 * 86_400,
      carried,
    });
    expect(again).toEqual(pending);
    expect(carried.pendingRecords).toHaveLength(1);
    expect(carried.pendingUnlocks).toEqual([]);
  });
});

describe('auto-lock (rule 1)', () => {
  const m0 = grant(autoLock(30));

  it('locks at createdAt + duration, not before, and only after the access check', () => {
    expect(tick(m0, T0 + 30 * DAY - 1, false)).toMatchObject({
      needsAccessCheck: false,
      changed: false,
    });
    const due = tick(m0, T0 + 30 * DAY, false);
    expect(due.needsAccessCheck).toBe(true);
    expect(due.model.state).toBe('ACTIVE');
    const locked = lockIfDue(m0, T0 + 30 * DAY);
    expect(locked).toMatchObject({
      state: 'LOCKED',
      lockReason: 'AUTO_LOCK',
      lockedAt: iso(T0 + 30 * DAY),
      version: 2,
    });
  });

  it('an access moves the deadline forward, never backward, without a version bump', () => {
    const t = applyAccess(m0, iso(T0 + 10 * DAY), T0 + 10 * DAY);
    expect(t.changed).toBe(false);
    expect(t.model.lastAccessAt).toBe(iso(T0 + 10 * DAY));
    expect(applyAccess(t.model, iso(T0 + 5 * DAY), T0 + 11 * DAY).model.lastAccessAt).toBe(
      iso(T0 + 10 * DAY),
    );
    expect(nextWake(t.model)).toEqual({ kind: 'AUTO_LOCK', at: T0 + 40 * DAY });
    expect(tick(t.model, T0 + 30 * DAY, true).model.state).toBe('ACTIVE');
    expect(toView(t.model).autoLockAt).toBe(iso(T0 + 40 * DAY));
  });

  it('clamps far-future access times and ignores garbage', () => {
    expect(applyAccess(m0, iso(T0 + DAY), T0).model.lastAccessAt).toBe(iso(T0 + 5 * 60_000));
    expect(applyAccess(m0, 'yesterday', T0).model).toBe(m0);
    expect(applyAccess(m0, 42, T0).model).toBe(m0);
  });

  it('events for a locked grant do not unlock it (rule 2)', () => {
    const locked = lockIfDue(m0, T0 + 30 * DAY);
    const t = applyAccess(locked, iso(T0 + 31 * DAY), T0 + 31 * DAY);
    expect(t.model.state).toBe('LOCKED');
    expect(t.model.lastAccessAt).toBe(iso(T0 + 31 * DAY));
  });
});

describe('requests under auto-lock (rules 3, 5, 6)', () => {
  const locked = lockIfDue(grant(autoLock(7)), T0 + 7 * DAY);
  const lockedAuto = lockIfDue(grant(autoLock(7, 'AUTOMATIC')), T0 + 7 * DAY);
  const now = T0 + 8 * DAY;

  it('AUTOMATIC: approved at once, unlocks, resets lastAccessAt, recorded APPROVED', () => {
    const { model, value, t } = ok(submitRequest(lockedAuto, req('a1'), now));
    expect(value).toMatchObject({
      id: 'a1',
      type: 'AutoLock',
      status: 'APPROVED',
      approvalMode: 'AUTOMATIC',
      reviewedAt: iso(now),
      reviewerId: null,
      durationSeconds: null,
    });
    expect(model).toMatchObject({
      state: 'ACTIVE',
      lastAccessAt: iso(now),
      openRequest: null,
      version: 3,
    });
    expect(t.records.map((r) => r.event)).toEqual(['APPROVED']);
    // A retry with the same id returns the same request and changes nothing.
    const retry = ok(submitRequest(model, req('a1'), now + 1000));
    expect(retry.value).toEqual(value);
    expect(retry.t.changed).toBe(false);
  });

  it('MANUAL: PENDING until reviewed; submitting again returns the open request', () => {
    const { model, value, t } = ok(submitRequest(locked, req('m1'), now));
    expect(value).toMatchObject({
      status: 'PENDING',
      expiresAt: iso(now + 7 * DAY),
      approvalMode: 'MANUAL',
    });
    expect(model.state).toBe('PENDING');
    expect(model.lockReason).toBe('AUTO_LOCK');
    expect(t.records).toEqual([{ event: 'REQUESTED', request: value }]);
    expect(ok(submitRequest(model, req('m2'), now + 1)).value.id).toBe('m1');
  });

  it('approve unlocks; deny keeps it locked; a second review is refused', () => {
    const pending = ok(submitRequest(locked, req('m1'), now)).model;
    const approved = ok(
      review(
        pending,
        { requestId: 'm1', reviewerId: 'boss', decision: 'APPROVE', note: 'ok' },
        now + 1000,
      ),
    );
    expect(approved.value).toMatchObject({
      status: 'APPROVED',
      reviewerId: 'boss',
      reviewedAt: iso(now + 1000),
      note: 'ok',
    });
    expect(approved.model).toMatchObject({
      state: 'ACTIVE',
      lastAccessAt: iso(now + 1000),
      openRequest: null,
    });
    expect(approved.t.records.map((r) => r.event)).toEqual(['APPROVED']);
    expect(
      refused(
        review(
          approved.model,
          { requestId: 'm1', reviewerId: 'boss', decision: 'DENY' },
          now + 2000,
        ),
      ),
    ).toBe(GRANT_ERRORS.NOT_PENDING);

    const denied = ok(
      review(pending, { requestId: 'm1', reviewerId: 'boss', decision: 'DENY' }, now + 1000),
    );
    expect(denied.model).toMatchObject({ state: 'LOCKED', openRequest: null });
    expect(denied.value.status).toBe('DENIED');
    expect(
      refused(
        review(denied.model, { requestId: 'm1', reviewerId: 'boss', decision: 'APPROVE' }, now),
      ),
    ).toBe(GRANT_ERRORS.NOT_PENDING);
  });

  it('refuses self-review, unknown requests, bad notes', () => {
    const pending = ok(submitRequest(locked, req('m1'), now)).model;
    expect(
      refused(review(pending, { requestId: 'm1', reviewerId: 'u1', decision: 'APPROVE' }, now)),
    ).toBe(GRANT_ERRORS.SELF_REVIEW);
    expect(
      refused(review(pending, { requestId: 'zz', reviewerId: 'b', decision: 'APPROVE' }, now)),
    ).toBe(GRANT_ERRORS.REQUEST_NOT_FOUND);
    expect(
      refused(
        review(
          pending,
          { requestId: 'm1', reviewerId: 'b', decision: 'APPROVE', note: 'x'.repeat(1001) },
          now,
        ),
      ),
    ).toBe(GRANT_ERRORS.INVALID_NOTE);
    expect(
      refused(
        review(pending, { requestId: 'm1', reviewerId: 'b', decision: 'MAYBE' as 'APPROVE' }, now),
      ),
    ).toBe(GRANT_ERRORS.INVALID_DECISION);
  });

  it('refuses requests by others, without a reason, and while ACTIVE', () => {
    expect(refused(submitRequest(locked, req('x', { userId: 'u2' }), now))).toBe(
      GRANT_ERRORS.NOT_GRANT_USER,
    );
    expect(refused(submitRequest(locked, req('x', { reason: ' ' }), now))).toBe(
      GRANT_ERRORS.INVALID_REASON,
    );
    expect(refused(submitRequest(locked, req(''), now))).toBe(GRANT_ERRORS.INVALID_REQUEST_ID);
    expect(refused(submitRequest(grant(autoLock(7)), req('x'), now))).toBe(GRANT_ERRORS.NOT_LOCKED);
  });

  it('an unreviewed request expires after the TTL (rule 5)', () => {
    const pending = ok(submitRequest(locked, req('m1'), now)).model;
    expect(nextWake(pending)).toEqual({ kind: 'REQUEST_TTL', at: now + 7 * DAY });
    expect(tick(pending, now + 7 * DAY - 1, false).changed).toBe(false);
    const t = tick(pending, now + 7 * DAY, false);
    expect(t.model).toMatchObject({ state: 'LOCKED', openRequest: null });
    expect(t.records).toEqual([
      {
        event: 'EXPIRED',
        request: expect.objectContaining({ id: 'm1', status: 'EXPIRED', reviewedAt: null }),
      },
    ]);
    expect(
      refused(review(t.model, { requestId: 'm1', reviewerId: 'b', decision: 'APPROVE' }, now)),
    ).toBe(GRANT_ERRORS.NOT_PENDING);
  });
});

describe('JIT (rule 4)', () => {
  it('approval opens a window of the fixed period, then it locks again', () => {
    const m = grant(jit(3600, 'AUTOMATIC'));
    const { model, value } = ok(submitRequest(m, req('j1', { durationSeconds: 99 }), T0 + 1000));
    expect(value).toMatchObject({ type: 'JIT', durationSeconds: 3600, status: 'APPROVED' });
    expect(model).toMatchObject({ state: 'ACTIVE', activeUntil: iso(T0 + 1000 + 3600_000) });
    expect(lockIfDue(model, T0 + 1000 + 3600_000 - 1).state).toBe('ACTIVE');
    expect(tick(model, T0 + 1000 + 3600_000, false)).toMatchObject({
      needsAccessCheck: false,
      model: expect.objectContaining({
        state: 'LOCKED',
        lockReason: 'JIT_ENDED',
        activeUntil: null,
      }),
    });
  });

  it('CUSTOM: up to 7 days accepted, 7 days + 1 s refused, a duration required', () => {
    const m = grant(jit('CUSTOM'));
    expect(
      ok(submitRequest(m, req('c1', { durationSeconds: 7 * 86_400 }), T0)).value.durationSeconds,
    ).toBe(7 * 86_400);
    expect(refused(submitRequest(m, req('c2', { durationSeconds: 7 * 86_400 + 1 }), T0))).toBe(
      GRANT_ERRORS.INVALID_DURATION,
    );
    expect(refused(submitRequest(m, req('c3'), T0))).toBe(GRANT_ERRORS.INVALID_DURATION);
  });

  it('with auto-lock too: ACTIVE needs the window AND recent access; whichever ends first locks', () => {
    const both = jit(7 * 86_400, 'AUTOMATIC', {
      autoLock: { durationSeconds: 86_400, approval: 'MANUAL' },
    });
    const active = ok(submitRequest(grant(both), req('j1'), T0)).model;
    expect(nextWake(active)).toEqual({ kind: 'AUTO_LOCK', at: T0 + DAY });
    const idle = lockIfDue(active, T0 + DAY);
    expect(idle).toMatchObject({ state: 'LOCKED', lockReason: 'AUTO_LOCK', activeUntil: null });
    // The next request is JIT again (access requests on), under the JIT approval mode.
    expect(ok(submitRequest(idle, req('j2'), T0 + 2 * DAY)).value).toMatchObject({
      type: 'JIT',
      status: 'APPROVED',
    });
    // Kept busy, the window end locks it.
    let m = active;
    for (let d = 1; d <= 7; d++)
      m = applyAccess(m, iso(T0 + d * DAY - 1000), T0 + d * DAY - 1000).model;
    expect(lockIfDue(m, T0 + 7 * DAY)).toMatchObject({ state: 'LOCKED', lockReason: 'JIT_ENDED' });
  });
});

describe('admin unlock (rule 3)', () => {
  it('unlocks, resets the clock, records who, cancels an open request', () => {
    const locked = lockIfDue(grant(autoLock(1)), T0 + DAY);
    const pending = ok(submitRequest(locked, req('m1'), T0 + DAY)).model;
    const { model, value, t } = ok(adminUnlock(pending, { actorId: 'admin' }, T0 + 2 * DAY));
    expect(model).toMatchObject({
      state: 'ACTIVE',
      lastAccessAt: iso(T0 + 2 * DAY),
      lastAdminUnlockAt: iso(T0 + 2 * DAY),
      lastAdminUnlockBy: 'admin',
      openRequest: null,
    });
    expect(value.autoLockAt).toBe(iso(T0 + 3 * DAY));
    expect(t.records).toEqual([
      { event: 'CANCELLED', request: expect.objectContaining({ id: 'm1', status: 'CANCELLED' }) },
    ]);
  });

  it('what the audit log keeps: who, when, and the grant before and after', () => {
    const locked = lockIfDue(grant(autoLock(1)), T0 + DAY);
    const { model } = ok(adminUnlock(locked, { actorId: 'admin' }, T0 + 2 * DAY));
    expect(adminUnlockRecord(locked, model)).toEqual({
      userId: locked.userId,
      resourceId: locked.resourceId,
      actorId: 'admin',
      at: iso(T0 + 2 * DAY),
      before: { state: 'LOCKED', lockedAt: iso(T0 + DAY), lastAccessAt: null },
      after: { state: 'ACTIVE', lastAccessAt: iso(T0 + 2 * DAY), activeUntil: null },
    });
    expect(() => adminUnlockRecord(locked, locked)).toThrow(/not unlocked by an admin/);
  });

  it('refuses the grant’s own user, admins included (rule 13, four eyes)', () => {
    const locked = tick(grant(autoLock(1)), T0 + 2 * DAY, true).model;
    expect(refused(adminUnlock(locked, { actorId: 'u1' }, T0 + 2 * DAY))).toBe(
      GRANT_ERRORS.SELF_UNLOCK,
    );
  });

  it('also works while ACTIVE (resets the clock)', () => {
    const { model } = ok(adminUnlock(grant(autoLock(1)), { actorId: 'admin' }, T0 + DAY / 2));
    expect(toView(model).autoLockAt).toBe(iso(T0 + 1.5 * DAY));
  });

  it('under JIT opens a window of the period (CUSTOM: asked, default 7 days, max 7 days)', () => {
    expect(ok(adminUnlock(grant(jit(3600)), { actorId: 'a' }, T0)).model.activeUntil).toBe(
      iso(T0 + 3600_000),
    );
    expect(ok(adminUnlock(grant(jit('CUSTOM')), { actorId: 'a' }, T0)).model.activeUntil).toBe(
      iso(T0 + 7 * DAY),
    );
    expect(
      ok(adminUnlock(grant(jit('CUSTOM')), { actorId: 'a', durationSeconds: 60 }, T0)).model
        .activeUntil,
    ).toBe(iso(T0 + 60_000));
    expect(
      refused(
        adminUnlock(grant(jit('CUSTOM')), { actorId: 'a', durationSeconds: 7 * 86_400 + 1 }, T0),
      ),
    ).toBe(GRANT_ERRORS.INVALID_DURATION);
  });
});

describe('policy changes (rule 7)', () => {
  it('a shorter duration locks at once when already past', () => {
    const m = applyAccess(grant(autoLock(30)), iso(T0 + DAY), T0 + DAY).model;
    const t = applyPolicy(m, autoLock(7), T0 + 10 * DAY);
    expect(t.changed).toBe(true);
    expect(t.model.version).toBe(2);
    expect(tick(t.model, T0 + 10 * DAY, false).needsAccessCheck).toBe(true);
    expect(lockIfDue(t.model, T0 + 10 * DAY)).toMatchObject({
      state: 'LOCKED',
      lockReason: 'AUTO_LOCK',
    });
  });

  it('the same policy changes nothing; other source groups bump the version', () => {
    const m = grant(autoLock(30));
    expect(applyPolicy(m, autoLock(30), T0).changed).toBe(false);
    expect(applyPolicy(m, { ...autoLock(30), sourceGroupIds: ['g2'] }, T0).changed).toBe(true);
  });

  it('JIT turned on locks an ACTIVE grant; turned off releases a JIT lock', () => {
    const on = applyPolicy(
      grant(autoLock(30)),
      jit(3600, 'MANUAL', { autoLock: { durationSeconds: 30 * 86_400, approval: 'MANUAL' } }),
      T0 + DAY,
    ).model;
    expect(on).toMatchObject({ state: 'LOCKED', lockReason: 'JIT_NOT_REQUESTED' });
    const off = applyPolicy(on, autoLock(30), T0 + 2 * DAY).model;
    expect(off).toMatchObject({ state: 'ACTIVE', lastAccessAt: iso(T0 + 2 * DAY) });
  });

  it('auto-lock turned off releases an auto-lock and cancels its request', () => {
    const pending = ok(
      submitRequest(lockIfDue(grant(autoLock(1)), T0 + DAY), req('m1'), T0 + DAY),
    ).model;
    const t = applyPolicy(pending, policy(), T0 + 2 * DAY);
    expect(t.model).toMatchObject({ state: 'ACTIVE', openRequest: null });
    expect(t.records.map((r) => [r.event, r.request.status])).toEqual([['CANCELLED', 'CANCELLED']]);
  });

  it('an open request of the wrong type for the new policy is cancelled', () => {
    const pending = ok(
      submitRequest(lockIfDue(grant(autoLock(1)), T0 + DAY), req('m1'), T0 + DAY),
    ).model;
    const both = jit(3600, 'MANUAL', { autoLock: { durationSeconds: 86_400, approval: 'MANUAL' } });
    const t = applyPolicy(pending, both, T0 + 2 * DAY);
    expect(t.model).toMatchObject({ state: 'LOCKED', lockReason: 'AUTO_LOCK', openRequest: null });
    expect(t.records[0].event).toBe('CANCELLED');
  });

  it('an earlier expiry expires at once', () => {
    const t = applyPolicy(
      grant(autoLock(30)),
      { ...autoLock(30), expiresAt: iso(T0 + DAY) },
      T0 + 2 * DAY,
    );
    expect(tick(t.model, T0 + 2 * DAY, false).model.state).toBe('EXPIRED');
  });
});

describe('revocation and expiry', () => {
  it('revoke ends in REVOKED, cancels the open request, and is final', () => {
    const pending = ok(
      submitRequest(lockIfDue(grant(autoLock(1)), T0 + DAY), req('m1'), T0 + DAY),
    ).model;
    const t = applyRevoke(pending, 'REVOKED', T0 + 2 * DAY);
    expect(t.model).toMatchObject({ state: 'REVOKED', openRequest: null });
    expect(t.records[0].request.status).toBe('CANCELLED');
    expect(applyRevoke(t.model, 'EXPIRED', T0).changed).toBe(false);
    expect(applyPolicy(t.model, policy(), T0).changed).toBe(false);
    expect(refused(submitRequest(t.model, req('n'), T0))).toBe(GRANT_ERRORS.GRANT_TERMINAL);
    expect(refused(adminUnlock(t.model, { actorId: 'a' }, T0))).toBe(GRANT_ERRORS.GRANT_TERMINAL);
    expect(
      refused(review(t.model, { requestId: 'm1', reviewerId: 'b', decision: 'APPROVE' }, T0)),
    ).toBe(GRANT_ERRORS.GRANT_TERMINAL);
    expect(nextWake(t.model)).toBeNull();
  });

  it('assignment expiry ends in EXPIRED at expiresAt', () => {
    const m = grant({ ...autoLock(90), expiresAt: iso(T0 + 10 * DAY) });
    expect(nextWake(m)).toEqual({ kind: 'EXPIRY', at: T0 + 10 * DAY });
    expect(tick(m, T0 + 10 * DAY - 1, false).model.state).toBe('ACTIVE');
    expect(tick(m, T0 + 10 * DAY, false).model.state).toBe('EXPIRED');
  });
});

describe('the requester withdraws (rule 14)', () => {
  it('cancels their own open request: CANCELLED, recorded, the grant stays LOCKED; a retry returns it', () => {
    const pending = ok(submitRequest(grant(jit(3600)), req('q1'), T0)).model;
    expect(pending.state).toBe('PENDING');
    expect(refused(cancelRequest(pending, { requestId: 'q1', userId: 'u2' }, T0))).toBe(
      GRANT_ERRORS.NOT_GRANT_USER,
    );
    const { model, value, t } = ok(
      cancelRequest(pending, { requestId: 'q1', userId: 'u1' }, T0 + 1),
    );
    expect(model).toMatchObject({
      state: 'LOCKED',
      openRequest: null,
      version: pending.version + 1,
    });
    expect(value).toMatchObject({ id: 'q1', status: 'CANCELLED', reviewerId: null });
    expect(t.records).toEqual([{ event: 'CANCELLED', request: value }]);
    const again = ok(cancelRequest(model, { requestId: 'q1', userId: 'u1' }, T0 + 2));
    expect(again.t.changed).toBe(false);
    expect(again.value.status).toBe('CANCELLED');
    expect(refused(cancelRequest(model, { requestId: 'nope', userId: 'u1' }, T0))).toBe(
      GRANT_ERRORS.REQUEST_NOT_FOUND,
    );
  });

  it('a decided request cannot be cancelled', () => {
    const pending = ok(submitRequest(grant(jit(3600)), req('q1'), T0)).model;
    const approved = ok(
      review(pending, { requestId: 'q1', reviewerId: 'admin', decision: 'APPROVE' }, T0 + 1),
    ).model;
    expect(refused(cancelRequest(approved, { requestId: 'q1', userId: 'u1' }, T0 + 2))).toBe(
      GRANT_ERRORS.NOT_PENDING,
    );
  });

  it('ends an active JIT period early: LOCKED at once; nothing to end otherwise', () => {
    const pending = ok(submitRequest(grant(jit(3600)), req('q1'), T0)).model;
    const active = ok(
      review(pending, { requestId: 'q1', reviewerId: 'admin', decision: 'APPROVE' }, T0),
    ).model;
    expect(active.activeUntil).toBe(iso(T0 + 3600_000));
    expect(refused(endAccess(active, { userId: 'u2' }, T0 + 60_000))).toBe(
      GRANT_ERRORS.NOT_GRANT_USER,
    );
    const { model, value } = ok(endAccess(active, { userId: 'u1' }, T0 + 60_000));
    expect(model).toMatchObject({
      state: 'LOCKED',
      lockReason: 'JIT_ENDED',
      lockedAt: iso(T0 + 60_000),
      activeUntil: null,
    });
    expect(value.state).toBe('LOCKED');
    expect(refused(endAccess(model, { userId: 'u1' }, T0 + 70_000))).toBe(GRANT_ERRORS.NOT_ACTIVE);
    expect(refused(endAccess(grant(autoLock(30)), { userId: 'u1' }, T0))).toBe(
      GRANT_ERRORS.NOT_ACTIVE,
    );
  });
});

describe('fresh grants (rule 11)', () => {
  it('a fresh run starts its versions at its creation time in µs: above any version an ended run published', () => {
    const ended = applyRevoke(grant(autoLock(30), {}), 'REVOKED', T0 + DAY).model;
    const later = iso(T0 + DAY + 1);
    const fresh = initialModel(
      {
        userId: 'u1',
        resourceId: 'r1',
        policy: autoLock(30),
        createdAt: later,
        requestTtlSeconds: 60,
      },
      freshVersion(later),
    );
    expect(fresh.version).toBe((T0 + DAY + 1) * 1000);
    expect(fresh.version).toBeGreaterThan(ended.version);
    expect(Number.isSafeInteger(freshVersion('2200-01-01T00:00:00Z'))).toBe(true);
    expect(freshVersion('not a time')).toBe(1);
  });
});
