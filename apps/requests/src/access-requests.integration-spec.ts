/**
 * The requests API against the real servers and services: policy (users, resources, approvers;
 * it starts the grant workflows), grant-worker (the accessGrant workflow), access-tracking
 * (latest access; decisions), and this service in-process with its recordRequest worker and
 * outbox relay.
 */
import type { Consumer } from 'kafkajs';
import {
  TOPICS,
  accessRequestEventSchema,
  type AccessRequest,
  type AccessRequestEvent,
  type GrantView,
} from '@lapse/contracts';
import { signProxyToken } from '@lapse/auth';
import type { Page } from '@lapse/platform';
import { waitFor, kafkaAs } from '@lapse/testing';
import { startLapseStack, type LapseStack } from './testing/lapse-stack';

jest.setTimeout(240_000);

let s: LapseStack;
let consumer: Consumer;
const events: AccessRequestEvent[] = [];

type User = { id: string; name: string; email: string };
let alice: User, bob: User, approverA: User, approverB: User, support: User, reviewer: User;
let autoRes: { id: string },
  manualA: { id: string },
  manualB: { id: string },
  jit: { id: string },
  noGrant: { id: string };

async function api<T = AccessRequest>(
  user: User | null,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${s.requestsUrl}${path}`, {
    method,
    headers: {
      ...(user ? { authorization: `Bearer ${await s.tokenFor(user.id)}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T & { message?: string } };
}

beforeAll(async () => {
  s = await startLapseStack('req-api');
  const kafka = kafkaAs('ops', `it-req-${s.suffix}`);
  consumer = kafka.consumer({ groupId: `it-requests-events-${s.suffix}` });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPICS.accessRequests, fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const parsed = accessRequestEventSchema.safeParse(
        JSON.parse(message.value?.toString() ?? 'null'),
      );
      if (parsed.success) events.push(parsed.data);
    },
  });

  const a = s.admin;
  const tag = s.suffix;
  [alice, bob, approverA, approverB, support, reviewer] = await Promise.all([
    a.user('Alice Requester', `alice-${tag}@it.lapse`),
    a.user('Bob Requester', `bob-${tag}@it.lapse`),
    a.user('Ada Approver', `ada-${tag}@it.lapse`),
    a.user('Ben Approver', `ben-${tag}@it.lapse`),
    a.user('Sam Support', `sam-${tag}@it.lapse`, ['SUPPORT']),
    a.user('Rita Reviewer', `rita-${tag}@it.lapse`, ['ACCESS_REVIEWER']),
  ]);
  const engineers = await a.group(`engineers-${tag}`, [alice.id, bob.id]);
  const approversA = await a.group(`approvers-a-${tag}`, [approverA.id]);
  const approversB = await a.group(`approvers-b-${tag}`, [approverB.id]);
  const lock = (approval: 'AUTOMATIC' | 'MANUAL') => ({
    autoLock: { durationSeconds: 2, approval },
    accessRequests: null,
  });
  [autoRes, manualA, manualB, jit, noGrant] = await Promise.all([
    a.resource(`Wiki ${tag}`, lock('AUTOMATIC')),
    a.resource(`Gitlab ${tag}`, lock('MANUAL')),
    a.resource(`Billing ${tag}`, lock('MANUAL')),
    a.resource(`Prod DB ${tag}`, {
      autoLock: null,
      accessRequests: { accessPeriodSeconds: 'CUSTOM', approval: 'MANUAL' },
    }),
    a.resource(`Nobody ${tag}`, lock('MANUAL')),
  ]);
  await a.approvers(manualA.id, [approversA.id]);
  await a.approvers(manualB.id, [approversB.id]);
  for (const r of [autoRes, manualA, manualB, jit]) await a.assign(r.id, engineers.id);
  await Promise.all([
    s.grantIn({ userId: alice.id, resourceId: autoRes.id }, 'LOCKED'),
    s.grantIn({ userId: alice.id, resourceId: manualA.id }, 'LOCKED'),
    s.grantIn({ userId: bob.id, resourceId: manualB.id }, 'LOCKED'),
    s.grantIn({ userId: alice.id, resourceId: jit.id }, 'LOCKED'),
    s.grantIn({ userId: bob.id, resourceId: autoRes.id }, 'LOCKED'),
  ]);
  // Locked now; from here on a restored grant stays active for the rest of the suite.
  await a.setPolicy(autoRes.id, {
    autoLock: { durationSeconds: 3600, approval: 'AUTOMATIC' },
    accessRequests: null,
  });
  await a.setPolicy(manualA.id, {
    autoLock: { durationSeconds: 3600, approval: 'MANUAL' },
    accessRequests: null,
  });
  await a.setPolicy(manualB.id, {
    autoLock: { durationSeconds: 3600, approval: 'MANUAL' },
    accessRequests: null,
  });
});

afterAll(async () => {
  await consumer?.disconnect();
  await s?.stop();
});

describe('POST /v1/access-requests', () => {
  it('refuses bad input with 400 naming the field, and unauthenticated calls with 401', async () => {
    expect(
      (await api(alice, 'POST', '/v1/access-requests', { resourceId: autoRes.id })).body.message,
    ).toMatch(/^reason/);
    const long = await api(alice, 'POST', '/v1/access-requests', {
      resourceId: autoRes.id,
      reason: 'x'.repeat(1001),
    });
    expect(long.status).toBe(400);
    expect(long.body.message).toMatch(/^reason/);
    const blank = await api(alice, 'POST', '/v1/access-requests', {
      resourceId: autoRes.id,
      reason: '   ',
    });
    expect([blank.status, blank.body.message?.startsWith('reason')]).toEqual([400, true]);
    // NUL and control characters (rule 15): refused before the grant workflow sees them, so the
    // grant takes the clean request of the next test.
    for (const reason of ['a\u0000b', 'esc\u001b[2J']) {
      const nul = await api(alice, 'POST', '/v1/access-requests', {
        resourceId: autoRes.id,
        reason,
      });
      expect([nul.status, nul.body.message]).toEqual([
        400,
        'reason: must not contain NUL or control characters',
      ]);
    }
    expect((await s.grants.state({ userId: alice.id, resourceId: autoRes.id }))?.state).toBe(
      'LOCKED',
    );
    const d = await api(alice, 'POST', '/v1/access-requests', {
      resourceId: jit.id,
      reason: 'r',
      durationSeconds: 8 * 86400,
    });
    expect([d.status, d.body.message?.startsWith('durationSeconds')]).toEqual([400, true]);
    expect(
      (await api(null, 'POST', '/v1/access-requests', { resourceId: autoRes.id, reason: 'x' }))
        .status,
    ).toBe(401);
  });

  it('404 when the user has no grant to the resource', async () => {
    const res = await api(alice, 'POST', '/v1/access-requests', {
      resourceId: noGrant.id,
      reason: 'please',
    });
    expect(res.status).toBe(404);
  });

  it('AUTOMATIC: approved at once, stored, published as APPROVED, and the grant is active', async () => {
    const res = await api(alice, 'POST', '/v1/access-requests', {
      resourceId: autoRes.id,
      reason: 'back from leave',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'APPROVED',
      type: 'AutoLock',
      approvalMode: 'AUTOMATIC',
      userId: alice.id,
      reviewerId: null,
    });
    expect((await s.grants.state({ userId: alice.id, resourceId: autoRes.id }))?.state).toBe(
      'ACTIVE',
    );
    expect((await api(alice, 'GET', `/v1/access-requests/${res.body.id}`)).body.status).toBe(
      'APPROVED',
    );
    await waitFor(
      () =>
        events.some((e) => e.request.id === res.body.id && e.event === 'APPROVED')
          ? true
          : undefined,
      {
        timeoutMs: 30_000,
        what: 'the APPROVED event on access-requests.v1',
      },
    );
    // Exactly once, although both the HTTP path and the recordRequest activity recorded it.
    await waitFor(async () =>
      (await api<Page<AccessRequest>>(alice, 'GET', `/v1/access-requests?userId=${alice.id}`)).body
        .items.length > 0
        ? true
        : undefined,
    );
    expect(events.filter((e) => e.request.id === res.body.id)).toHaveLength(1);
  });

  it('409 when the grant is not locked', async () => {
    const first = await api(bob, 'POST', '/v1/access-requests', {
      resourceId: autoRes.id,
      reason: 'one',
    });
    expect(first.body.status).toBe('APPROVED');
    const again = await api(bob, 'POST', '/v1/access-requests', {
      resourceId: autoRes.id,
      reason: 'two',
    });
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/not locked/);
  });

  it('decisions (access-tracking) turn allowed after the automatic approval', async () => {
    const token = await signProxyToken(s.serviceSecret, 'it-proxy');
    const url = `${s.accessTracking?.url}/v1/decisions?userId=${alice.id}&resourceId=${autoRes.id}`;
    await waitFor(
      async () => {
        const d = (await (
          await fetch(url, { headers: { authorization: `Bearer ${token}` } })
        ).json()) as { allowed: boolean };
        return d.allowed ? true : undefined;
      },
      { timeoutMs: 30_000, what: 'the decision to turn allowed' },
    );
  });
});

describe('MANUAL requests and reviews (rule 6)', () => {
  let request: AccessRequest;

  it('MANUAL → PENDING; a second submit returns the open request; an Idempotency-Key retry the same', async () => {
    const res = await api(
      alice,
      'POST',
      '/v1/access-requests',
      { resourceId: manualA.id, reason: 'deploy the hotfix' },
      { 'Idempotency-Key': 'k-1' },
    );
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'PENDING', approvalMode: 'MANUAL' });
    request = res.body;
    const again = await api(alice, 'POST', '/v1/access-requests', {
      resourceId: manualA.id,
      reason: 'other words',
    });
    expect(again.body.id).toBe(request.id);
    const retry = await api(
      alice,
      'POST',
      '/v1/access-requests',
      { resourceId: manualA.id, reason: 'deploy the hotfix' },
      { 'Idempotency-Key': 'k-1' },
    );
    expect(retry.body.id).toBe(request.id);
    expect((await s.grants.state({ userId: alice.id, resourceId: manualA.id }))?.state).toBe(
      'PENDING',
    );
    await waitFor(
      () =>
        events.some((e) => e.request.id === request.id && e.event === 'REQUESTED')
          ? true
          : undefined,
      {
        timeoutMs: 30_000,
        what: 'the REQUESTED event',
      },
    );
  });

  it('lists: reviewers see it, the resource approver sees it, another resource’s approver does not', async () => {
    const open = await api<Page<AccessRequest>>(reviewer, 'GET', '/v1/access-requests?status=OPEN');
    expect(open.body.items.map((r) => r.id)).toContain(request.id);
    expect(
      (
        await api<Page<AccessRequest>>(
          approverA,
          'GET',
          `/v1/access-requests?status=OPEN&resourceId=${manualA.id}`,
        )
      ).body.items.map((r) => r.id),
    ).toEqual([request.id]);
    expect(
      (await api<Page<AccessRequest>>(approverB, 'GET', '/v1/access-requests')).body.items.map(
        (r) => r.id,
      ),
    ).not.toContain(request.id);
    expect((await api(approverB, 'GET', `/v1/access-requests/${request.id}`)).status).toBe(404);
    const count = await api<{ count: number }>(
      approverA,
      'GET',
      '/v1/access-requests/count?status=OPEN',
    );
    expect(count.body).toMatchObject({ count: 1, reviewer: true });
    expect(
      (await api<{ count: number }>(approverB, 'GET', '/v1/access-requests/count?status=OPEN')).body
        .count,
    ).toBe(0);
    expect((await api(reviewer, 'GET', '/v1/access-requests?status=SOMETIMES')).status).toBe(400);
  });

  it('refuses the wrong reviewers: another resource’s approver (404), SUPPORT (403), the requester (403)', async () => {
    expect(
      (await api(approverB, 'POST', `/v1/access-requests/${request.id}/approve`, {})).status,
    ).toBe(404);
    expect(
      (await api(support, 'POST', `/v1/access-requests/${request.id}/approve`, {})).status,
    ).toBe(403);
    expect((await api(alice, 'POST', `/v1/access-requests/${request.id}/approve`, {})).status).toBe(
      403,
    );
    expect(
      (
        await api(approverA, 'POST', `/v1/access-requests/${request.id}/approve`, {
          note: 'x'.repeat(1001),
        })
      ).status,
    ).toBe(400);
    expect((await s.grants.state({ userId: alice.id, resourceId: manualA.id }))?.state).toBe(
      'PENDING',
    );
  });

  it('a cross-site form POST with a reviewer’s cookie changes nothing (the API takes Bearer tokens only)', async () => {
    const cookie = `lapse_session=${await s.tokenFor(reviewer.id)}; lapse_token=${await s.tokenFor(reviewer.id)}`;
    for (const [contentType, body] of [
      ['application/x-www-form-urlencoded', 'note=forged'],
      ['text/plain', '{"note":"forged"}'],
      [
        'multipart/form-data; boundary=x',
        '--x\r\nContent-Disposition: form-data; name="note"\r\n\r\nforged\r\n--x--\r\n',
      ],
    ]) {
      const res = await fetch(`${s.requestsUrl}/v1/access-requests/${request.id}/approve`, {
        method: 'POST',
        headers: { cookie, 'content-type': contentType, origin: 'https://evil.example' },
        body,
      });
      expect({ contentType, status: res.status }).toEqual({ contentType, status: 401 });
    }
    expect((await api(reviewer, 'GET', `/v1/access-requests/${request.id}`)).body).toMatchObject({
      status: 'PENDING',
      reviewerId: null,
    });
    expect((await s.grants.state({ userId: alice.id, resourceId: manualA.id }))?.state).toBe(
      'PENDING',
    );
  });

  it('the resource approver approves; the grant turns ACTIVE; a second decision is 409 and changes nothing', async () => {
    const res = await api(approverA, 'POST', `/v1/access-requests/${request.id}/approve`, {
      note: 'go ahead',
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'APPROVED',
      reviewerId: approverA.id,
      note: 'go ahead',
    });
    expect((await s.grants.state({ userId: alice.id, resourceId: manualA.id }))?.state).toBe(
      'ACTIVE',
    );
    const late = await api(reviewer, 'POST', `/v1/access-requests/${request.id}/deny`, {});
    expect(late.status).toBe(409);
    expect((await api(alice, 'GET', `/v1/access-requests/${request.id}`)).body.status).toBe(
      'APPROVED',
    );
    const mine = await api<Page<AccessRequest>>(
      alice,
      'GET',
      `/v1/access-requests?status=RESOLVED&userId=${alice.id}`,
    );
    expect(mine.body.items.find((r) => r.id === request.id)?.status).toBe('APPROVED');
    await waitFor(
      () =>
        events.some((e) => e.request.id === request.id && e.event === 'APPROVED')
          ? true
          : undefined,
      { timeoutMs: 30_000 },
    );
  });

  it('a reviewer denies with a note; the grant stays locked; SUPPORT can read it', async () => {
    const sub = await api(bob, 'POST', '/v1/access-requests', {
      resourceId: manualB.id,
      reason: 'billing export',
    });
    expect(sub.body.status).toBe('PENDING');
    const res = await api(reviewer, 'POST', `/v1/access-requests/${sub.body.id}/deny`, {
      note: 'use the report instead',
    });
    expect(res.body).toMatchObject({
      status: 'DENIED',
      note: 'use the report instead',
      reviewerId: reviewer.id,
    });
    expect((await s.grants.state({ userId: bob.id, resourceId: manualB.id }))?.state).toBe(
      'LOCKED',
    );
    expect((await api(support, 'GET', `/v1/access-requests/${sub.body.id}`)).body.status).toBe(
      'DENIED',
    );
    await waitFor(
      () =>
        events.some((e) => e.request.id === sub.body.id && e.event === 'DENIED') ? true : undefined,
      { timeoutMs: 30_000 },
    );
  });

  it('JIT with a CUSTOM period keeps the chosen duration', async () => {
    const res = await api(alice, 'POST', '/v1/access-requests', {
      resourceId: jit.id,
      reason: 'migration window',
      durationSeconds: 3600,
    });
    expect(res.body).toMatchObject({ status: 'PENDING', type: 'JIT', durationSeconds: 3600 });
    const ok = await api(reviewer, 'POST', `/v1/access-requests/${res.body.id}/approve`, {});
    expect(ok.body.status).toBe('APPROVED');
    const view = (await s.grants.state({ userId: alice.id, resourceId: jit.id })) as GrantView;
    expect(view.state).toBe('ACTIVE');
    expect(Date.parse(view.activeUntil as string) - Date.parse(ok.body.reviewedAt as string)).toBe(
      3600_000,
    );
  });
});

describe('the requester withdraws (rule 14)', () => {
  it('cancels their own open request: CANCELLED, published, the grant stays LOCKED', async () => {
    const open = await api(bob, 'POST', '/v1/access-requests', {
      resourceId: jit.id,
      reason: 'one-off query',
      durationSeconds: 600,
    });
    expect(open.body.status).toBe('PENDING');
    const id = open.body.id;
    expect((await api(alice, 'POST', `/v1/access-requests/${id}/cancel`)).status).toBe(404);
    expect((await api(reviewer, 'POST', `/v1/access-requests/${id}/cancel`)).status).toBe(403);
    expect((await api(null, 'POST', `/v1/access-requests/${id}/cancel`)).status).toBe(401);
    const cancelled = await api(bob, 'POST', `/v1/access-requests/${id}/cancel`);
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ id, status: 'CANCELLED', reviewerId: null });
    expect((await s.grants.state({ userId: bob.id, resourceId: jit.id }))?.state).toBe('LOCKED');
    expect((await api(bob, 'GET', `/v1/access-requests/${id}`)).body.status).toBe('CANCELLED');
    expect((await api(bob, 'POST', `/v1/access-requests/${id}/cancel`)).body.status).toBe(
      'CANCELLED',
    );
    const late = await api(reviewer, 'POST', `/v1/access-requests/${id}/approve`, {});
    expect(late.status).toBe(409);
    expect((await s.grants.state({ userId: bob.id, resourceId: jit.id }))?.state).toBe('LOCKED');
    await waitFor(
      () => (events.some((e) => e.request.id === id && e.event === 'CANCELLED') ? true : undefined),
      { timeoutMs: 30_000, what: 'the CANCELLED event' },
    );
  });

  it('ends an active JIT period early: the grant locks at once; nothing to end is 409', async () => {
    const open = await api(bob, 'POST', '/v1/access-requests', {
      resourceId: jit.id,
      reason: 'short fix',
      durationSeconds: 3600,
    });
    await api(reviewer, 'POST', `/v1/access-requests/${open.body.id}/approve`, {});
    expect((await s.grants.state({ userId: bob.id, resourceId: jit.id }))?.state).toBe('ACTIVE');
    expect((await api(alice, 'POST', `/v1/grants/${noGrant.id}/end`)).status).toBe(404);
    const ended = await api<GrantView>(bob, 'POST', `/v1/grants/${jit.id}/end`);
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({
      state: 'LOCKED',
      lockReason: 'JIT_ENDED',
      activeUntil: null,
    });
    const view = (await s.grants.state({ userId: bob.id, resourceId: jit.id })) as GrantView;
    expect(view.state).toBe('LOCKED');
    // Decisions (access-tracking) deny it within seconds.
    const token = await signProxyToken(s.serviceSecret, 'it-proxy');
    const url = `${s.accessTracking?.url}/v1/decisions?userId=${bob.id}&resourceId=${jit.id}`;
    await waitFor(
      async () => {
        const d = (await (
          await fetch(url, { headers: { authorization: `Bearer ${token}` } })
        ).json()) as { allowed: boolean; state: string };
        return !d.allowed && d.state === 'LOCKED' ? true : undefined;
      },
      { timeoutMs: 10_000, what: 'the decision to turn denied' },
    );
    const again = await api(bob, 'POST', `/v1/grants/${jit.id}/end`);
    expect(again.status).toBe(409);
  });
});

describe('GET /v1/access-requests pages', () => {
  it('limit=1 pages return each request the caller sees once, in the order of one big page', async () => {
    // One open request besides the suite's resolved ones (bob's earlier one was denied).
    const open = await api(bob, 'POST', '/v1/access-requests', {
      resourceId: manualB.id,
      reason: 'close the books again',
    });
    expect([open.status, open.body.status]).toEqual([200, 'PENDING']);
    const all = await api<Page<AccessRequest>>(reviewer, 'GET', '/v1/access-requests?limit=1000');
    expect(all.status).toBe(200);
    expect(all.body.nextCursor).toBeNull();
    // Open and resolved requests of this suite: the order spans both parts of the list.
    expect(new Set(all.body.items.map((r) => r.status === 'PENDING')).size).toBe(2);
    const paged: string[] = [];
    for (let cursor: string | null = ''; cursor !== null; ) {
      const page: { status: number; body: Page<AccessRequest> } = await api<Page<AccessRequest>>(
        reviewer,
        'GET',
        `/v1/access-requests?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(1);
      paged.push(...page.body.items.map((r) => r.id));
      cursor = page.body.nextCursor;
    }
    expect(paged).toEqual(all.body.items.map((r) => r.id));
    const pending = all.body.items.filter((r) => r.status === 'PENDING');
    expect(all.body.items.slice(0, pending.length)).toEqual(pending);
  });

  it('refuses a cursor it did not give out and a limit out of bounds, naming the field', async () => {
    const bad = await api(reviewer, 'GET', '/v1/access-requests?cursor=nope');
    expect([bad.status, bad.body.message]).toEqual([
      400,
      'cursor: is not a cursor this list gave out',
    ]);
    const big = await api(reviewer, 'GET', '/v1/access-requests?limit=1001');
    expect([big.status, big.body.message?.startsWith('limit: ')]).toEqual([400, true]);
  });
});

// Last: stops the policy service for good.
describe('the policy service down', () => {
  it('callers get 503 with Retry-After (never a 500)', async () => {
    await s.policy.stop();
    // Neither the caller nor the resource is in the short-lived caches: both need the policy service.
    const stranger = { id: `u-never-seen-${s.suffix}`, name: 'Nobody', email: 'nobody@it.lapse' };
    const res = await fetch(`${s.requestsUrl}/v1/access-requests`, {
      headers: { authorization: `Bearer ${await s.tokenFor(stranger.id)}` },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('5');
    expect(await res.json()).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'the policy service is unavailable: try again shortly',
    });
  });
});
