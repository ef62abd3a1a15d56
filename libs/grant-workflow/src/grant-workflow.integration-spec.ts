/**
 * The accessGrant workflow over simulated months, on the time-skipping test server (no real
 * sleeping: `env.sleep` skips server time; waits poll the `state` query for conditions).
 * Set LAPSE_RECORD_HISTORY=1 to write the replay fixtures from the "tour" and "regrant" tests.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { ApplicationFailure } from '@temporalio/common';
import {
  GRANT_ERRORS,
  SEARCH_ATTRIBUTES,
  grantWorkflowId,
  accessedSignal,
  adminUnlockUpdate,
  policyChangedSignal,
  revokeSignal,
  reviewUpdate,
  stateQuery,
  submitRequestUpdate,
  type AccessRequestsPolicy,
  type AutoLockPolicy,
  type GrantView,
} from '@lapse/contracts';
import {
  DAY,
  GrantHarness,
  SECOND,
  countEvents,
  historyToFixture,
  policyOf,
  type GrantHandle,
} from './testing/grant-harness';
import { waitFor } from '@lapse/testing';

const HOUR = 3600 * SECOND;
const iso = (ms: number) => new Date(ms).toISOString();
const ms = (isoTime: string | null) => (isoTime === null ? NaN : Date.parse(isoTime));
const autoLock = (
  seconds: number,
  approval: AutoLockPolicy['approval'] = 'MANUAL',
): AutoLockPolicy => ({
  durationSeconds: seconds,
  approval,
});
const jit = (
  period: AccessRequestsPolicy['accessPeriodSeconds'],
  approval: AccessRequestsPolicy['approval'] = 'MANUAL',
): AccessRequestsPolicy => ({ accessPeriodSeconds: period, approval });

let h: GrantHarness;
let seq = 0;
const requestId = () => `req-${++seq}-${Math.random().toString(36).slice(2, 8)}`;

beforeAll(async () => {
  h = await GrantHarness.start();
});
afterEach(async () => {
  h.latestAccessFails = false;
  await h.endAll();
});
afterAll(async () => {
  await h?.teardown();
});

/** The ApplicationFailure type an update was refused with. */
async function refusal(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure)
      return err.cause.type ?? undefined;
    throw err;
  }
  throw new Error('expected the update to be refused');
}

const submit = (
  g: GrantHandle,
  v: GrantView,
  over: { reason?: string; durationSeconds?: number; id?: string } = {},
) =>
  g.executeUpdate(submitRequestUpdate, {
    args: [
      {
        requestId: over.id ?? requestId(),
        userId: v.userId,
        reason: over.reason ?? 'I need it back',
        durationSeconds: over.durationSeconds,
      },
    ],
  });
const decide = (g: GrantHandle, id: string, reviewerId: string, decision: 'APPROVE' | 'DENY') =>
  g.executeUpdate(reviewUpdate, { args: [{ requestId: id, reviewerId, decision }] });

/** Starts an auto-lock grant and lets it lock on its deadline. */
async function lockedAutoLockGrant(approval: AutoLockPolicy['approval'], seconds = 86_400) {
  const g = await h.startGrant({ policy: policyOf({ autoLock: autoLock(seconds, approval) }) });
  await h.env.sleep(seconds * SECOND + 2 * SECOND);
  return { g, v: await h.waitForState(g, 'LOCKED') };
}

/**
 * The history once nothing is in flight: every workflow task and activity scheduled has
 * completed (read from the history: the test server does not report pending tasks).
 */
async function settledHistory(g: GrantHandle): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  return waitFor(
    async () => {
      const events = (await g.fetchHistory()).events ?? [];
      const n = countEvents(events);
      const open =
        (n.WorkflowTaskScheduled ?? 0) - (n.WorkflowTaskCompleted ?? 0) ||
        (n.ActivityTaskScheduled ?? 0) - (n.ActivityTaskCompleted ?? 0);
      return open === 0 ? events : undefined;
    },
    { what: 'a settled workflow', intervalMs: 25 },
  );
}

/** The grant state search attribute once the workflow task that published the state completed
 * (the local publish runs inside it, before its commands are recorded). */
async function grantStateAttribute(g: GrantHandle): Promise<unknown> {
  await settledHistory(g);
  return (await g.describe()).typedSearchAttributes.get(SEARCH_ATTRIBUTES.grantState);
}

describe('auto-lock (rule 1)', () => {
  it.each([
    ['1 day', 1 * 86_400],
    ['7 days', 7 * 86_400],
    ['30 days', 30 * 86_400],
    ['60 days', 60 * 86_400],
    ['90 days', 90 * 86_400],
    ['90 s (API only)', 90],
  ])('%s: locks at the deadline, not before', async (_label, seconds) => {
    const g = await h.startGrant({ policy: policyOf({ autoLock: autoLock(seconds) }) });
    const start = await h.waitForPublished(g);
    const deadline = ms(start.createdAt) + seconds * SECOND;
    // A run's first version is its creation time in microseconds (never below an ended run's).
    const v0 = ms(start.createdAt) * 1000;
    expect(start).toMatchObject({ state: 'ACTIVE', autoLockAt: iso(deadline), version: v0 });
    expect(await grantStateAttribute(g)).toBe('ACTIVE');

    await h.sleepUntil(deadline - SECOND);
    expect((await h.state(g)).state).toBe('ACTIVE');

    const checksBefore = h.latestAccessCalls;
    await h.sleepUntil(deadline + SECOND);
    const locked = await h.waitForState(g, 'LOCKED');
    expect(locked.lockReason).toBe('AUTO_LOCK');
    expect(ms(locked.lockedAt)).toBeGreaterThanOrEqual(deadline);
    expect(ms(locked.lockedAt)).toBeLessThan(deadline + 2 * SECOND);
    expect(h.latestAccessCalls).toBeGreaterThan(checksBefore); // asked the data owner first
    const published = await h.waitForPublished(g);
    expect(h.publishedFor(published).map((p) => [p.version, p.state])).toEqual([
      [v0, 'ACTIVE'],
      [v0 + 1, 'LOCKED'],
    ]);
    expect(await grantStateAttribute(g)).toBe('LOCKED');
  });

  it('an access before the deadline moves it', async () => {
    const g = await h.startGrant({ policy: policyOf({ autoLock: autoLock(30 * 86_400) }) });
    const { version: v0 } = await h.waitForPublished(g);
    await h.env.sleep(20 * DAY);
    const accessAt = await h.now();
    await g.signal(accessedSignal, { at: iso(accessAt) });
    await h.waitFor(g, (v) => v.lastAccessAt === iso(accessAt), 'the access');
    await h.env.sleep(15 * DAY); // past the original deadline (day 30)
    const v = await h.state(g);
    expect(v).toMatchObject({ state: 'ACTIVE', autoLockAt: iso(accessAt + 30 * DAY), version: v0 });
    await h.env.sleep(15 * DAY + 2 * SECOND); // past day 20 + 30
    const locked = await h.waitForState(g, 'LOCKED');
    expect(ms(locked.lockedAt)).toBeGreaterThanOrEqual(accessAt + 30 * DAY);
  });

  it('an access recorded only by the data owner (no signal) still prevents the lock', async () => {
    const g = await h.startGrant({ policy: policyOf({ autoLock: autoLock(7 * 86_400) }) });
    const v0 = await h.waitForPublished(g);
    await h.env.sleep(5 * DAY);
    const recorded = await h.now();
    h.recordAccessOnly(v0, recorded);
    const checks = h.latestAccessCalls;
    await h.env.sleep(3 * DAY); // past day 7
    await h.waitFor(g, (v) => v.lastAccessAt === iso(recorded), 'the recorded access');
    expect(h.latestAccessCalls).toBeGreaterThan(checks);
    expect(await h.state(g)).toMatchObject({
      state: 'ACTIVE',
      autoLockAt: iso(recorded + 7 * DAY),
    });
    await h.env.sleep(4 * DAY + 2 * SECOND); // past day 5 + 7, no newer access
    expect((await h.waitForState(g, 'LOCKED')).lockReason).toBe('AUTO_LOCK');
  });

  it('when the access data owner stays unreachable for 5 minutes, decides on what it knows', async () => {
    h.latestAccessFails = true;
    const g = await h.startGrant({ policy: policyOf({ autoLock: autoLock(90) }) });
    await h.waitForPublished(g);
    await h.env.sleep(92 * SECOND);
    expect((await h.state(g)).state).toBe('ACTIVE'); // still asking
    await h.env.sleep(5 * 60 * SECOND);
    expect((await h.waitForState(g, 'LOCKED')).lockReason).toBe('AUTO_LOCK');
  });
});

describe('requests (rules 3, 5, 6)', () => {
  it('AUTOMATIC: a locked user’s request with a reason unlocks at once and is recorded as resolved', async () => {
    const { g, v } = await lockedAutoLockGrant('AUTOMATIC');
    const now = await h.now();
    const request = await submit(g, v, { reason: 'back from leave' });
    expect(request).toMatchObject({
      type: 'AutoLock',
      status: 'APPROVED',
      approvalMode: 'AUTOMATIC',
      reason: 'back from leave',
      reviewerId: null,
    });
    const after = await h.state(g);
    expect(after.state).toBe('ACTIVE');
    expect(ms(after.lastAccessAt)).toBeGreaterThanOrEqual(now); // unlocking resets the clock
    expect(ms(after.autoLockAt)).toBe(ms(after.lastAccessAt) + DAY);
    await h.waitFor(g, () => h.recordsFor(v).length === 1, 'the record');
    expect(h.recordsFor(v).map((r) => [r.event, r.request.id, r.request.status])).toEqual([
      ['APPROVED', request.id, 'APPROVED'],
    ]);
  });

  it('MANUAL: PENDING until reviewed; approve unlocks; a second review is refused and changes nothing', async () => {
    const { g, v } = await lockedAutoLockGrant('MANUAL');
    const request = await submit(g, v);
    expect(request.status).toBe('PENDING');
    expect(await h.state(g)).toMatchObject({ state: 'PENDING', openRequest: { id: request.id } });
    expect(await grantStateAttribute(g)).toBe('PENDING');
    // One open request per grant: submitting again returns it.
    expect((await submit(g, v)).id).toBe(request.id);
    // Nobody reviews their own request.
    expect(await refusal(decide(g, request.id, v.userId, 'APPROVE'))).toBe(
      GRANT_ERRORS.SELF_REVIEW,
    );

    const approved = await decide(g, request.id, 'reviewer-1', 'APPROVE');
    expect(approved).toMatchObject({ status: 'APPROVED', reviewerId: 'reviewer-1' });
    const active = await h.state(g);
    expect(active.state).toBe('ACTIVE');

    expect(await refusal(decide(g, request.id, 'reviewer-2', 'DENY'))).toBe(
      GRANT_ERRORS.NOT_PENDING,
    );
    const unchanged = await h.state(g);
    expect(unchanged).toEqual(active);
    await h.waitFor(g, () => h.recordsFor(v).length === 2, 'two records');
    expect(h.recordsFor(v).map((r) => r.event)).toEqual(['REQUESTED', 'APPROVED']);
  });

  it('MANUAL: deny keeps it locked', async () => {
    const { g, v } = await lockedAutoLockGrant('MANUAL');
    const request = await submit(g, v);
    expect(await decide(g, request.id, 'reviewer-1', 'DENY')).toMatchObject({ status: 'DENIED' });
    expect(await h.state(g)).toMatchObject({
      state: 'LOCKED',
      lockReason: 'AUTO_LOCK',
      openRequest: null,
    });
    await h.waitFor(g, () => h.recordsFor(v).length === 2, 'two records');
    expect(h.recordsFor(v).map((r) => r.event)).toEqual(['REQUESTED', 'DENIED']);
  });

  it('an unreviewed request expires after the TTL', async () => {
    const { g, v } = await lockedAutoLockGrant('MANUAL');
    const request = await submit(g, v);
    await h.sleepUntil(ms(request.expiresAt) - SECOND);
    expect((await h.state(g)).state).toBe('PENDING');
    await h.sleepUntil(ms(request.expiresAt) + SECOND);
    const after = await h.waitForState(g, 'LOCKED');
    expect(after.openRequest).toBeNull();
    await h.waitFor(g, () => h.recordsFor(v).length === 2, 'two records');
    expect(h.recordsFor(v).map((r) => [r.event, r.request.status])).toEqual([
      ['REQUESTED', 'PENDING'],
      ['EXPIRED', 'EXPIRED'],
    ]);
    expect(await refusal(decide(g, request.id, 'reviewer', 'APPROVE'))).toBe(
      GRANT_ERRORS.NOT_PENDING,
    );
  });

  it('refuses a request while ACTIVE, from another user, or without a reason', async () => {
    const g = await h.startGrant({ policy: policyOf({ autoLock: autoLock(86_400) }) });
    const v = await h.waitForPublished(g);
    expect(await refusal(submit(g, v))).toBe(GRANT_ERRORS.NOT_LOCKED);
    await h.env.sleep(DAY + 2 * SECOND);
    await h.waitForState(g, 'LOCKED');
    expect(await refusal(submit(g, v, { reason: '' }))).toBe(GRANT_ERRORS.INVALID_REASON);
    expect(await refusal(submit(g, { ...v, userId: 'someone-else' }))).toBe(
      GRANT_ERRORS.NOT_GRANT_USER,
    );
    expect((await h.state(g)).version).toBe(v.version + 1); // the lock, nothing else
  });
});

describe('JIT (rule 4)', () => {
  it('starts LOCKED; a preset period opens a window, then it locks again', async () => {
    const g = await h.startGrant({
      policy: policyOf({ accessRequests: jit(8 * 3600, 'AUTOMATIC') }),
    });
    const v = await h.waitForPublished(g);
    expect(v).toMatchObject({ state: 'LOCKED', lockReason: 'JIT_NOT_REQUESTED' });
    const request = await submit(g, v);
    expect(request).toMatchObject({ type: 'JIT', status: 'APPROVED', durationSeconds: 8 * 3600 });
    const active = await h.state(g);
    expect(active.state).toBe('ACTIVE');
    expect(ms(active.activeUntil)).toBe(ms(request.reviewedAt) + 8 * HOUR);
    await h.sleepUntil(ms(active.activeUntil) - SECOND);
    expect((await h.state(g)).state).toBe('ACTIVE');
    await h.sleepUntil(ms(active.activeUntil) + SECOND);
    expect(await h.waitForState(g, 'LOCKED')).toMatchObject({
      lockReason: 'JIT_ENDED',
      activeUntil: null,
    });
  });

  it('CUSTOM period: 7 days accepted, 7 days + 1 s refused', async () => {
    const g = await h.startGrant({ policy: policyOf({ accessRequests: jit('CUSTOM', 'MANUAL') }) });
    const v = await h.waitForPublished(g);
    expect(await refusal(submit(g, v, { durationSeconds: 7 * 86_400 + 1 }))).toBe(
      GRANT_ERRORS.INVALID_DURATION,
    );
    const request = await submit(g, v, { durationSeconds: 7 * 86_400 });
    expect(request).toMatchObject({ status: 'PENDING', durationSeconds: 7 * 86_400 });
    const approved = await decide(g, request.id, 'reviewer', 'APPROVE');
    const activeUntil = ms((await h.state(g)).activeUntil);
    expect(activeUntil).toBe(ms(approved.reviewedAt) + 7 * DAY);
    await h.sleepUntil(activeUntil - SECOND);
    expect((await h.state(g)).state).toBe('ACTIVE');
    await h.sleepUntil(activeUntil + SECOND);
    expect((await h.waitForState(g, 'LOCKED')).lockReason).toBe('JIT_ENDED');
  });

  it('JIT and auto-lock together: idle locks inside the window; kept busy, the window end locks', async () => {
    const g = await h.startGrant({
      policy: policyOf({
        accessRequests: jit(3 * 86_400, 'AUTOMATIC'),
        autoLock: autoLock(86_400),
      }),
    });
    const v = await h.waitForPublished(g);
    await submit(g, v);
    expect((await h.state(g)).state).toBe('ACTIVE');
    await h.env.sleep(DAY + 2 * SECOND);
    expect(await h.waitForState(g, 'LOCKED')).toMatchObject({
      lockReason: 'AUTO_LOCK',
      activeUntil: null,
    });

    const again = await submit(g, v);
    expect(again).toMatchObject({ type: 'JIT', status: 'APPROVED' });
    const windowEnd = ms((await h.state(g)).activeUntil); // 3 days
    let lastAccess = 0;
    for (let i = 0; i < 3; i++) {
      await h.env.sleep(18 * HOUR); // each within the 1-day auto-lock
      lastAccess = await h.now();
      await g.signal(accessedSignal, { at: iso(lastAccess) });
    }
    await h.waitFor(g, (s) => s.lastAccessAt === iso(lastAccess), 'the last access');
    await h.sleepUntil(windowEnd - SECOND); // 18 h after the last access
    expect((await h.state(g)).state).toBe('ACTIVE');
    await h.sleepUntil(windowEnd + SECOND);
    expect((await h.waitForState(g, 'LOCKED')).lockReason).toBe('JIT_ENDED');
  });
});

describe('admin unlock, policy changes, the end of a grant (rules 3, 7)', () => {
  it('admin unlock unlocks, is recorded, and resets the clock', async () => {
    const { g } = await lockedAutoLockGrant('MANUAL');
    const before = await h.state(g);
    const view = await g.executeUpdate(adminUnlockUpdate, { args: [{ actorId: 'admin-1' }] });
    expect(view).toMatchObject({ state: 'ACTIVE', lastAdminUnlockBy: 'admin-1' });
    // The update answered only after policy's audit log had the unlock (recordAdminUnlock).
    expect(
      h.unlocks.filter((u) => u.userId === view.userId && u.resourceId === view.resourceId),
    ).toEqual([
      {
        userId: view.userId,
        resourceId: view.resourceId,
        actorId: 'admin-1',
        at: view.lastAdminUnlockAt,
        before: { state: 'LOCKED', lockedAt: before.lockedAt, lastAccessAt: before.lastAccessAt },
        after: { state: 'ACTIVE', lastAccessAt: view.lastAccessAt, activeUntil: null },
      },
    ]);
    expect(view.lastAccessAt).toBe(view.lastAdminUnlockAt);
    expect(ms(view.autoLockAt)).toBe(ms(view.lastAdminUnlockAt) + DAY);
    await h.sleepUntil(ms(view.autoLockAt) - SECOND);
    expect((await h.state(g)).state).toBe('ACTIVE');
    await h.sleepUntil(ms(view.autoLockAt) + SECOND);
    expect(ms((await h.waitForState(g, 'LOCKED')).lockedAt)).toBeGreaterThanOrEqual(
      ms(view.autoLockAt),
    );
  });

  it('shortening the duration locks at once when the new deadline is past', async () => {
    const g = await h.startGrant({ policy: policyOf({ autoLock: autoLock(30 * 86_400) }) });
    const { version: v0 } = await h.waitForPublished(g);
    await h.env.sleep(10 * DAY);
    const now = await h.now();
    await g.signal(policyChangedSignal, { policy: policyOf({ autoLock: autoLock(7 * 86_400) }) });
    const locked = await h.waitForState(g, 'LOCKED'); // no time skipped
    expect(locked.policy.autoLock?.durationSeconds).toBe(7 * 86_400);
    expect(ms(locked.lockedAt) - now).toBeLessThan(60 * SECOND);
    expect(locked.version).toBe(v0 + 2); // policy change, then the lock
  });

  it('revoke ends the workflow in REVOKED and cancels the open request', async () => {
    const { g, v } = await lockedAutoLockGrant('MANUAL');
    const request = await submit(g, v);
    await g.signal(revokeSignal, {});
    const final = await g.result();
    expect(final).toMatchObject({ state: 'REVOKED', openRequest: null });
    expect(h.publishedFor(v).at(-1)).toMatchObject({ state: 'REVOKED', version: final.version });
    expect(h.recordsFor(v).map((r) => [r.event, r.request.id])).toEqual([
      ['REQUESTED', request.id],
      ['CANCELLED', request.id],
    ]);
    expect(await grantStateAttribute(g)).toBe('REVOKED');
  });

  it('assignment expiry ends the workflow in EXPIRED at expiresAt', async () => {
    const now = await h.now();
    const g = await h.startGrant({
      policy: policyOf({ autoLock: autoLock(90 * 86_400), expiresAt: iso(now + 3 * DAY) }),
    });
    const v = await h.waitForPublished(g);
    await h.sleepUntil(now + 3 * DAY - SECOND);
    expect((await h.state(g)).state).toBe('ACTIVE');
    const final = await g.result(); // skips time to the expiry
    expect(final.state).toBe('EXPIRED');
    expect(h.publishedFor(v).at(-1)?.state).toBe('EXPIRED');
  });

  it('a revoke with outcome EXPIRED ends in EXPIRED; messages after the end are refused', async () => {
    const g = await h.startGrant({ policy: policyOf({ autoLock: autoLock(86_400) }) });
    await h.waitForPublished(g);
    await g.signal(revokeSignal, { outcome: 'EXPIRED' });
    expect((await g.result()).state).toBe('EXPIRED');
  });
});

describe('Temporal work per path (history events; one workflow task each where it can)', () => {
  // No `state` queries while a path runs: the test server delivers a query that arrives during
  // a workflow task in a workflow task of its own, which would be counted. Waits read what the
  // harness's activities received instead.
  const published = (g: GrantHandle, state: GrantView['state']) =>
    waitFor(
      () => h.published.find((p) => grantWorkflowId(p) === g.workflowId && p.state === state),
      { what: `${state} published`, intervalMs: 10 },
    );
  const recorded = (v: GrantView, n: number) =>
    waitFor(() => h.recordsFor(v).length === n || undefined, {
      what: `${n} records`,
      intervalMs: 10,
    });
  const localPublishes = (events: { markerRecordedEventAttributes?: unknown }[]) =>
    events.filter(
      (e) =>
        (e.markerRecordedEventAttributes as { markerName?: string } | null | undefined)
          ?.markerName === 'core_local_activity',
    ).length;

  it('a new grant: one workflow task; published by a local activity; the starter’s search attributes kept', async () => {
    const g = await h.startGrant({ policy: policyOf({ autoLock: autoLock(86_400) }) });
    await published(g, 'ACTIVE');
    const events = await settledHistory(g);
    expect(countEvents(events)).toEqual({
      WorkflowExecutionStarted: 1,
      WorkflowTaskScheduled: 1,
      WorkflowTaskStarted: 1,
      WorkflowTaskCompleted: 1,
      // The code version's patch marker (with the SDK's TemporalChangeVersion upsert) and the
      // local publish.
      MarkerRecorded: 2,
      UpsertWorkflowSearchAttributes: 1,
      TimerStarted: 1,
    });
    expect(localPublishes(events)).toBe(1);
    expect(await grantStateAttribute(g)).toBe('ACTIVE');
  });

  it('a starter that sets no state attribute: the workflow upserts it', async () => {
    const g = await h.startGrant({
      policy: policyOf({ accessRequests: jit(3600) }),
      withoutStateAttribute: true,
    });
    await published(g, 'LOCKED');
    const events = await settledHistory(g);
    // TemporalChangeVersion and the grant state.
    expect(countEvents(events)).toMatchObject({
      WorkflowTaskCompleted: 1,
      UpsertWorkflowSearchAttributes: 2,
    });
    expect(await grantStateAttribute(g)).toBe('LOCKED');
  });

  it('a lock: timer, the access check, then lock and publish in one workflow task', async () => {
    const g = await h.startGrant({ policy: policyOf({ autoLock: autoLock(86_400) }) });
    const v = await published(g, 'ACTIVE');
    const before = (await settledHistory(g)).length;
    await h.sleepUntil(ms(v.autoLockAt) + SECOND);
    await published(g, 'LOCKED');
    const events = (await settledHistory(g)).slice(before);
    expect(countEvents(events)).toEqual({
      TimerFired: 1,
      WorkflowTaskScheduled: 2,
      WorkflowTaskStarted: 2,
      WorkflowTaskCompleted: 2,
      // latestAccess, owned by access-tracking (rule 1)
      ActivityTaskScheduled: 1,
      ActivityTaskStarted: 1,
      ActivityTaskCompleted: 1,
      UpsertWorkflowSearchAttributes: 1,
      MarkerRecorded: 1,
    });
    expect(localPublishes(events)).toBe(1);
  });

  it('a request and its approval: each one update, one workflow task, a record to requests', async () => {
    const { g, v } = await lockedAutoLockGrant('MANUAL');
    const before = (await settledHistory(g)).length;
    const request = await submit(g, v);
    await recorded(v, 1);
    const submitted = await settledHistory(g);
    await decide(g, request.id, 'reviewer-1', 'APPROVE');
    await recorded(v, 2);
    await published(g, 'ACTIVE');
    const all = await settledHistory(g);
    const perStep = {
      WorkflowExecutionUpdateAccepted: 1,
      WorkflowExecutionUpdateCompleted: 1,
      WorkflowTaskScheduled: 2,
      WorkflowTaskStarted: 2,
      WorkflowTaskCompleted: 2,
      // recordRequest, owned by requests
      ActivityTaskScheduled: 1,
      ActivityTaskStarted: 1,
      ActivityTaskCompleted: 1,
      UpsertWorkflowSearchAttributes: 1,
      MarkerRecorded: 1,
    };
    // PENDING starts the request's expiry timer; ACTIVE replaces it with the auto-lock timer.
    expect(countEvents(submitted.slice(before))).toEqual({ ...perStep, TimerStarted: 1 });
    expect(countEvents(all.slice(submitted.length))).toEqual({
      ...perStep,
      TimerCanceled: 1,
      TimerStarted: 1,
    });
  });
});

describe('a tour of the rules (the replay fixture)', () => {
  it('auto-lock, request, review, admin unlock, JIT window, revoke', async () => {
    const g = await h.startGrant({ policy: policyOf({ autoLock: autoLock(86_400, 'MANUAL') }) });
    const v = await h.waitForPublished(g);
    await h.env.sleep(12 * HOUR);
    await g.signal(accessedSignal, { at: iso(await h.now()) });
    await h.env.sleep(DAY + 2 * SECOND);
    await h.waitForState(g, 'LOCKED');
    const request = await submit(g, v, { id: 'tour-request-1' });
    expect(await refusal(decide(g, request.id, v.userId, 'APPROVE'))).toBe(
      GRANT_ERRORS.SELF_REVIEW,
    );
    await decide(g, request.id, 'reviewer-1', 'APPROVE');
    await g.executeUpdate(adminUnlockUpdate, { args: [{ actorId: 'admin-1' }] });
    await g.signal(policyChangedSignal, {
      policy: policyOf({ autoLock: autoLock(86_400), accessRequests: jit(3600, 'AUTOMATIC') }),
    });
    await h.waitForState(g, 'LOCKED');
    await submit(g, v, { id: 'tour-request-2' });
    await h.env.sleep(HOUR + 2 * SECOND);
    expect((await h.waitForState(g, 'LOCKED')).lockReason).toBe('JIT_ENDED');
    await g.signal(revokeSignal, {});
    expect((await g.result()).state).toBe('REVOKED');

    if (process.env.LAPSE_RECORD_HISTORY) {
      const dir = join(__dirname, '__fixtures__');
      mkdirSync(dir, { recursive: true });
      writeFileSync(
        join(dir, 'access-grant-tour-v4.history.json'),
        historyToFixture(await g.fetchHistory()),
      );
    }
  });
});

describe('given again while ending (rule 11; the regrant replay fixture)', () => {
  it('revoked, then given again before the run ends: the next run is a fresh grant at a higher version', async () => {
    const policy = policyOf({ autoLock: autoLock(86_400) });
    const g = await h.startGrant({ policy });
    const first = await h.waitForPublished(g);
    expect(first.version).toBe(Date.parse(first.createdAt) * 1000);
    // Back to back: the policyChanged reaches the run while it publishes its REVOKED state.
    await g.signal(revokeSignal, {});
    await g.signal(policyChangedSignal, { policy });
    const fresh = await waitFor(
      async () => {
        const d = await g.describe();
        if (d.runId === g.firstExecutionRunId) return undefined;
        const view = await g.query(stateQuery);
        return view.state === 'ACTIVE' ? view : undefined;
      },
      { timeoutMs: 30_000, what: 'the next run, ACTIVE' },
    );
    expect(fresh.version).toBeGreaterThan(first.version + 1);
    expect(fresh.openRequest).toBeNull();
    // The next run's search attributes say what it is (the ended run's said REVOKED).
    const attributes = await waitFor(
      async () => {
        const a = (await g.describe()).typedSearchAttributes;
        const values = [SEARCH_ATTRIBUTES.userId, SEARCH_ATTRIBUTES.resourceId].map((k) =>
          a.get(k),
        );
        return a.get(SEARCH_ATTRIBUTES.grantState) === 'ACTIVE' ? values : undefined;
      },
      { what: 'the next run’s search attributes' },
    );
    expect(attributes).toEqual([fresh.userId, fresh.resourceId]);
    const ended = h.env.client.workflow.getHandle(g.workflowId, g.firstExecutionRunId);
    const history = await ended.fetchHistory();
    const last = history.events?.[history.events.length - 1];
    expect(last?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();

    if (process.env.LAPSE_RECORD_HISTORY) {
      writeFileSync(
        join(__dirname, '__fixtures__', 'access-grant-regrant-v2.history.json'),
        historyToFixture(history),
      );
    }
  });
});
