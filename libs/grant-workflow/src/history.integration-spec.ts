/**
 * Bounded history: 10,000 `accessed` signals to one grant. The workflow continues-as-new at a
 * fixed event count (the test server never suggests it), after all handlers finished, carrying
 * its full state: the open request, recent requests, admin unlock, the latest access.
 */
import type { temporal } from '@temporalio/proto';
import { CONTINUE_AS_NEW_AT_EVENTS } from './grant-machine';
import {
  accessedSignal,
  adminUnlockUpdate,
  reviewUpdate,
  submitRequestUpdate,
} from '@lapse/contracts';
import { waitFor, within } from '@lapse/testing';
import { DAY, GrantHarness, SECOND, policyOf } from './testing/grant-harness';

const SIGNALS = 10_000;
const CONCURRENCY = 32;
const BURST = 400;

let h: GrantHarness;
beforeAll(async () => {
  h = await GrantHarness.start();
});
afterAll(async () => {
  await h?.teardown();
});

it('10,000 accessed signals: history stays bounded through continue-as-new, and state survives it', async () => {
  const g = await h.startGrant({
    policy: policyOf({ autoLock: { durationSeconds: 86_400, approval: 'MANUAL' } }),
  });
  const v = await h.waitForPublished(g);
  await within('admin unlock', 30_000, () =>
    g.executeUpdate(adminUnlockUpdate, { args: [{ actorId: 'admin-1' }] }),
  );
  await within('two days skipped', 30_000, () => h.env.sleep(2 * DAY));
  await h.waitForState(g, 'LOCKED');
  const open = await within('the open request', 30_000, () =>
    g.executeUpdate(submitRequestUpdate, {
      args: [{ requestId: 'req-open', userId: v.userId, reason: 'need it' }],
    }),
  );
  const before = await h.state(g);
  expect(before).toMatchObject({ state: 'PENDING', openRequest: { id: 'req-open' } });

  // access-tracking coalesces signals per grant; a sender that floods one workflow faster than
  // its workflow tasks turn around starves continue-as-new (the server refuses to close a run
  // while new events arrive). So: bursts, each awaited until the workflow caught up.
  const base = await h.now();
  const started = Date.now();
  for (let from = 0; from < SIGNALS; from += BURST) {
    let next = from;
    const to = Math.min(from + BURST, SIGNALS);
    await within(`signals ${from}..${to - 1}`, 60_000, () =>
      Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          for (let i = next++; i < to; i = next++)
            await g.signal(accessedSignal, { at: new Date(base + i).toISOString() });
        }),
      ),
    );
    await h.waitFor(
      g,
      (s) => s.lastAccessAt === new Date(base + to - 1).toISOString(),
      `access ${to}`,
    );
    await waitFor(
      async () =>
        (await g.describe()).historyLength < CONTINUE_AS_NEW_AT_EVENTS ? true : undefined,
      { what: 'continue-as-new', timeoutMs: 30_000, intervalMs: 20 },
    );
  }
  console.log(`${SIGNALS} signals sent in ${Date.now() - started} ms`);

  const after = await h.waitFor(
    g,
    (s) => s.lastAccessAt === new Date(base + SIGNALS - 1).toISOString(),
    'the last access',
  );
  // Accesses move lastAccessAt only: no version bump, no unlock (rule 2), everything else carried.
  expect(after).toEqual({ ...before, lastAccessAt: new Date(base + SIGNALS - 1).toISOString() });

  // Follow the chain of runs from the first: every run's history is bounded.
  const lengths: number[] = [];
  let runId: string | undefined = g.firstExecutionRunId;
  while (runId) {
    const id = runId;
    const history: temporal.api.history.v1.IHistory = await within(`history of ${id}`, 30_000, () =>
      h.env.client.workflow.getHandle(g.workflowId, id).fetchHistory(),
    );
    const events: temporal.api.history.v1.IHistoryEvent[] = history.events ?? [];
    lengths.push(events.length);
    runId =
      events.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
  }
  console.log(`runs: ${lengths.length}, history lengths: ${lengths.join(', ')}`);
  expect(lengths.length).toBeGreaterThanOrEqual(2);
  for (const n of lengths) expect(n).toBeLessThanOrEqual(CONTINUE_AS_NEW_AT_EVENTS + 2 * BURST);

  // The carried state still works: the open request is reviewed, recent requests are idempotent.
  const approved = await within('the review', 30_000, () =>
    g.executeUpdate(reviewUpdate, {
      args: [{ requestId: open.id, reviewerId: 'reviewer-1', decision: 'APPROVE' }],
    }),
  );
  expect(approved.status).toBe('APPROVED');
  const retry = await within('the request again', 30_000, () =>
    g.executeUpdate(submitRequestUpdate, {
      args: [{ requestId: 'req-open', userId: v.userId, reason: 'need it' }],
    }),
  );
  expect(retry).toEqual(approved);
  expect((await h.state(g)).state).toBe('ACTIVE');
  await h.waitFor(g, () => h.recordsFor(v).length === 2, 'the records');
  expect(h.recordsFor(v).map((r) => r.event)).toEqual(['REQUESTED', 'APPROVED']);
  const lockAt = Date.parse((await h.state(g)).autoLockAt as string);
  await within('skip to the auto-lock', 30_000, () => h.sleepUntil(lockAt + SECOND));
  expect((await h.waitForState(g, 'LOCKED')).lockReason).toBe('AUTO_LOCK');
}, 300_000);
