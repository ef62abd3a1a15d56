import { randomBytes, randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { signUserToken } from '@lapse/auth';
import type { AccessRequestEvent, AccessRequestWebhookBody } from '@lapse/contracts';
import { migrate } from '@lapse/db';
import type { Page } from '@lapse/platform';
import {
  bootInProcess,
  createTestDatabase,
  databaseUrlAs,
  waitFor,
  kafkaEnvAs,
  migrateAllSchemas,
  stack,
  stackServiceEnv,
  uniqueSuffix,
  writeTestOutput,
} from '@lapse/testing';
import { createAppModule } from './app.module';
import { loadServiceConfig } from './config';
import { RequestEventsConsumer } from './consumer/request-events.consumer';
import type { DeliveryView } from './deliveries/deliveries.dto';
import { dataSourceOptions } from './db/data-source';
import {
  JWT_SECRET,
  PolicyFixture,
  SERVICE_SECRET,
  SmtpCapture,
  WebhookReceiver,
  accessRequest,
  closeProducer,
  publishRequestEvent,
} from './testing/test-kit';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';

jest.setTimeout(180_000);

const suffix = uniqueSuffix();
const prefix = `nt-${suffix}-`;
let db: { url: string; drop: () => Promise<void> };
let policy: PolicyFixture;
let app: INestApplication;
let baseUrl: string;
const smtp = new SmtpCapture();
const receiver = new WebhookReceiver();
const secret = `whsec_${randomBytes(32).toString('base64')}`;

const people: Record<
  'devops' | 'support' | 'reviewer' | 'optout' | 'approver' | 'requester',
  { id: string; email: string; name: string }
> = {} as never;
let resourceId = '';
let adminEmail = '';

async function settings(s: {
  emailEnabled: boolean;
  emailRoles: string[];
  optedOutUserIds: string[];
  webhook: { url: string; secret: string } | null;
}) {
  const saved = await policy.call<{ webhook: { url: string } | null }>(
    'PUT',
    '/v1/settings/notifications',
    s,
  );
  expect(saved.webhook?.url ?? null).toBe(s.webhook?.url ?? null);
}

async function deliveries(requestId: string, token = policy.adminToken): Promise<DeliveryView[]> {
  const res = await fetch(`${baseUrl}/v1/deliveries?requestId=${encodeURIComponent(requestId)}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status !== 200) throw new Error(`GET /v1/deliveries → ${res.status}`);
  return ((await res.json()) as Page<DeliveryView>).items;
}

/** Waits until the request's deliveries number `count` and none is PENDING. */
function settled(requestId: string, count: number, timeoutMs = 30_000) {
  return waitFor(
    async () => {
      const d = await deliveries(requestId);
      return d.length === count && d.every((x) => x.status !== 'PENDING') ? d : undefined;
    },
    { timeoutMs, intervalMs: 200, what: `${count} settled deliveries of ${requestId}` },
  );
}

function event(
  e: AccessRequestEvent['event'],
  over: Partial<AccessRequestEvent['request']> = {},
): AccessRequestEvent {
  const request = accessRequest({
    id: randomUUID(),
    userId: people.requester.id,
    resourceId,
    ...over,
  });
  return { event: e, request };
}

beforeAll(async () => {
  db = await createTestDatabase('notifications');
  await migrateAllSchemas(db.url);
  await migrate(dataSourceOptions(db.url)); // no-op after migrateAllSchemas; keeps this suite honest if that changes
  await Promise.all([smtp.listen(), receiver.listen()]);
  policy = await PolicyFixture.start(db.url, prefix);
  adminEmail = `admin-${prefix}@example.com`;
  people.devops = await policy.createUser(`devops-${suffix}@example.com`, 'Dee Vops', ['DEVOPS']);
  people.support = await policy.createUser(`support-${suffix}@example.com`, 'Sue Port', [
    'SUPPORT',
  ]);
  people.reviewer = await policy.createUser(`reviewer-${suffix}@example.com`, 'Rev Iewer', [
    'ACCESS_REVIEWER',
  ]);
  people.optout = await policy.createUser(`optout-${suffix}@example.com`, 'Otto Out', ['ADMIN']);
  people.approver = await policy.createUser(`approver-${suffix}@example.com`, 'Appro Ver');
  people.requester = await policy.createUser(`requester-${suffix}@example.com`, 'Alex Marshall');
  const resource = await policy.call<{ id: string }>('POST', '/v1/resources', {
    name: 'Gitlab',
    address: 'gitlab.internal.example.com',
    policy: { autoLock: { durationSeconds: 2_592_000, approval: 'MANUAL' }, accessRequests: null },
  });
  resourceId = resource.id;
  const group = await policy.call<{ id: string }>('POST', '/v1/groups', {
    name: `Gitlab approvers ${suffix}`,
  });
  await policy.call('PUT', `/v1/groups/${group.id}/members`, {
    userIds: [people.approver.id, people.devops.id],
  });
  await policy.call('PUT', `/v1/resources/${resourceId}/approvers`, { groupIds: [group.id] });

  const config = loadServiceConfig({
    ...process.env,
    ...kafkaEnvAs('notifications'),
    DATABASE_URL: databaseUrlAs('notifications', db.url),
    ...stackServiceEnv(),
    LAPSE_JWT_SECRET: JWT_SECRET,
    LAPSE_SERVICE_SECRET: SERVICE_SECRET,
    LAPSE_POLICY_URL: policy.url,
    LAPSE_TASK_QUEUE_PREFIX: prefix,
    LAPSE_NOTIFICATIONS_GROUP_ID: `notifications-test-${suffix}`,
    LAPSE_PUBLIC_URL: 'http://lapse.test:3003',
    LAPSE_CONSOLE_URL: 'http://console.lapse.test',
    SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
    LAPSE_WEBHOOK_INITIAL_RETRY_MS: '200',
    LAPSE_DELIVERY_MAX_RETRY_MS: '1000',
    LAPSE_DELIVERY_ATTEMPT_TIMEOUT_MS: '3000',
    LAPSE_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
    LOG_LEVEL: 'warn',
  });
  ({ app, url: baseUrl } = await bootInProcess(createAppModule(config)));
  const consumer = app.get(RequestEventsConsumer);
  await waitFor(() => (consumer.ready ? true : undefined), {
    timeoutMs: 60_000,
    what: 'the consumer to join its group',
  });
});

afterAll(async () => {
  await app?.close();
  await closeProducer();
  await policy?.stop();
  await Promise.all([smtp.close(), receiver.close()]);
  await db?.drop();
});

describe('recipients (rule 8) through Kafka, policy and SMTP', () => {
  it('REQUESTED: chosen roles minus opt-outs, plus every approver, one mail each, never the requester', async () => {
    await settings({
      emailEnabled: true,
      emailRoles: ['ADMIN', 'DEVOPS'],
      optedOutUserIds: [people.optout.id],
      webhook: null,
    });
    const e = event('REQUESTED');
    await publishRequestEvent(e, stack.kafkaBrokers);
    const d = await settled(e.request.id, 3);
    expect(d.map((x) => x.recipient).sort()).toEqual(
      [adminEmail, people.approver.email, people.devops.email].sort(),
    );
    expect(
      d.every(
        (x) =>
          x.status === 'DELIVERED' && x.channel === 'EMAIL' && x.template === 'request-created',
      ),
    ).toBe(true);
    for (const x of d) {
      const mails = smtp.byKey(x.id);
      expect(mails).toHaveLength(1);
      expect(mails[0].to).toEqual([x.recipient]);
      expect(mails[0].html).toContain(
        `href="http://lapse.test:3003/access-requests#request-${e.request.id}"`,
      );
      expect(mails[0].html).toContain(
        `href="http://console.lapse.test/users/${people.requester.id}"`,
      );
      expect(mails[0].html).toContain(`href="http://console.lapse.test/resources/${resourceId}"`);
      expect(mails[0].text).toContain(
        `Review the request: http://lapse.test:3003/access-requests#request-${e.request.id}`,
      );
    }
    // The email as a reviewer receives it, for review (README: test-output/).
    const [first] = smtp.byKey(d[0].id);
    writeTestOutput('email-request-created.html', first.html);
    writeTestOutput('email-request-created.txt', first.text);
  });

  it('Resource Approvers get mail even with email off and every role switched off', async () => {
    await settings({
      emailEnabled: false,
      emailRoles: [],
      optedOutUserIds: [people.approver.id],
      webhook: null,
    });
    const e = event('REQUESTED');
    await publishRequestEvent(e, stack.kafkaBrokers);
    const d = await settled(e.request.id, 2);
    expect(d.map((x) => x.recipient).sort()).toEqual(
      [people.approver.email, people.devops.email].sort(),
    );
    expect(d.every((x) => smtp.byKey(x.id).length === 1)).toBe(true);
  });

  it('every chosen role, nobody opted out: all role holders and approvers', async () => {
    await settings({
      emailEnabled: true,
      emailRoles: ['ADMIN', 'DEVOPS', 'SUPPORT', 'ACCESS_REVIEWER'],
      optedOutUserIds: [],
      webhook: null,
    });
    const e = event('REQUESTED');
    await publishRequestEvent(e, stack.kafkaBrokers);
    const d = await settled(e.request.id, 6);
    expect(d.map((x) => x.recipient).sort()).toEqual(
      [
        adminEmail,
        people.optout.email,
        people.devops.email,
        people.support.email,
        people.reviewer.email,
        people.approver.email,
      ].sort(),
    );
  });

  it('APPROVED and DENIED: the requester is told, whatever the settings', async () => {
    await settings({
      emailEnabled: false,
      emailRoles: [],
      optedOutUserIds: [people.requester.id],
      webhook: null,
    });
    const approved = event('APPROVED', {
      status: 'APPROVED',
      reviewerId: policy.adminId,
      reviewedAt: new Date().toISOString(),
      note: 'ok <b>go</b>',
    });
    const denied = event('DENIED', {
      status: 'DENIED',
      reviewerId: people.devops.id,
      reviewedAt: new Date().toISOString(),
    });
    await publishRequestEvent(approved, stack.kafkaBrokers);
    await publishRequestEvent(denied, stack.kafkaBrokers);
    const [a] = await settled(approved.request.id, 1);
    const [d] = await settled(denied.request.id, 1);
    expect([a.recipient, a.template, a.subject]).toEqual([
      people.requester.email,
      'request-approved',
      'Approved: your access to Gitlab',
    ]);
    expect([d.recipient, d.template, d.subject]).toEqual([
      people.requester.email,
      'request-denied',
      'Denied: your access to Gitlab',
    ]);
    const mail = smtp.byKey(a.id)[0];
    expect(mail.headers.subject).toBe('Approved: your access to Gitlab');
    expect(mail.html).toContain('Note: ok &lt;b&gt;go&lt;/b&gt;');
    expect(mail.html).not.toContain('<b>go</b>');
    expect(mail.text).toContain('Note: ok <b>go</b>');
    if (process.env.LAPSE_PRINT_MAIL) console.log(mail.raw);
  });
});

describe('webhook', () => {
  it('POSTs exactly the documented body with the request values, signed with the secret', async () => {
    receiver.status = 200;
    await settings({
      emailEnabled: false,
      emailRoles: [],
      optedOutUserIds: [],
      webhook: { url: receiver.url, secret },
    });
    // The requests service publishes this event when a request is created through its API.
    const e = event('REQUESTED', {
      type: 'JIT',
      durationSeconds: 3600,
      approvalMode: 'MANUAL',
      reason: 'Deploy the "hotfix" <today>',
    });
    await publishRequestEvent(e, stack.kafkaBrokers);
    const d = await settled(e.request.id, 3);
    const hook = d.find((x) => x.channel === 'WEBHOOK');
    expect(hook).toMatchObject({ status: 'DELIVERED', recipient: receiver.url, attemptCount: 1 });
    const got = receiver.received.filter((r) => r.headers['idempotency-key'] === hook?.id);
    expect(got).toHaveLength(1);
    const body = JSON.parse(got[0].body) as AccessRequestWebhookBody;
    const expected: Omit<AccessRequestWebhookBody, 'timestamp'> = {
      tenant: 'lapse.test',
      version: '1',
      type: 'ACCESS_REQUEST',
      request_id: e.request.id,
      request_url: `http://lapse.test:3003/access-requests#request-${e.request.id}`,
      user_name: 'Alex Marshall',
      user_url: `http://console.lapse.test/users/${people.requester.id}`,
      resource_name: 'Gitlab',
      resource_url: `http://console.lapse.test/resources/${resourceId}`,
      requested_at: e.request.requestedAt.replace('Z', '+00:00'),
      reason: 'Deploy the "hotfix" <today>',
      approval_mode: 'MANUAL',
      request_type: 'JIT',
      request_duration_seconds: 3600,
    };
    expect(Object.keys(body).sort()).toEqual([...Object.keys(expected), 'timestamp'].sort());
    for (const [field, value] of Object.entries(expected))
      expect({ field, value: body[field as keyof AccessRequestWebhookBody] }).toEqual({
        field,
        value,
      });
    expect(body.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$/);
    expect(got[0].headers['content-type']).toBe('application/json');
    // Standard Webhooks: the receiver verifies with the maintained library, nothing of ours.
    const headers = got[0].headers as Record<string, string>;
    expect(headers['webhook-id']).toBe(hook?.id);
    expect(headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
    expect(Math.abs(Number(headers['webhook-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
    expect(new Webhook(secret).verify(got[0].body, headers)).toEqual(body);
    const other = `whsec_${randomBytes(32).toString('base64')}`;
    expect(() => new Webhook(other).verify(got[0].body, headers)).toThrow(WebhookVerificationError);
    expect(() =>
      new Webhook(secret).verify(got[0].body.replace('hotfix', 'h0tfix'), headers),
    ).toThrow(WebhookVerificationError);
  });

  it('an AutoLock request carries the auto-lock duration', async () => {
    receiver.status = 200;
    await settings({
      emailEnabled: false,
      emailRoles: [],
      optedOutUserIds: [],
      webhook: { url: receiver.url, secret },
    });
    const e = event('REQUESTED', {
      type: 'AutoLock',
      durationSeconds: null,
      approvalMode: 'MANUAL',
    });
    await publishRequestEvent(e, stack.kafkaBrokers);
    const hook = (await settled(e.request.id, 3)).find((x) => x.channel === 'WEBHOOK');
    const body = JSON.parse(
      receiver.received.find((r) => r.headers['idempotency-key'] === hook?.id)?.body ?? '{}',
    ) as AccessRequestWebhookBody;
    expect([body.request_type, body.request_duration_seconds, body.approval_mode]).toEqual([
      'AutoLock',
      2_592_000,
      'MANUAL',
    ]);
  });

  it('receiver down, then 500s, then up: delivered once per idempotency key, every attempt logged; a redelivered event sends nothing', async () => {
    const flaky = new WebhookReceiver();
    await flaky.listen();
    await flaky.close(); // nothing listens on its port now: connection refused
    flaky.status = 500;
    await settings({
      emailEnabled: false,
      emailRoles: [],
      optedOutUserIds: [],
      webhook: { url: flaky.url, secret },
    });
    const e = event('REQUESTED');
    await publishRequestEvent(e, stack.kafkaBrokers);
    const hookOf = async () =>
      (await deliveries(e.request.id)).find((x) => x.channel === 'WEBHOOK');
    await waitFor(async () => ((await hookOf())?.attempts.length ?? 0) >= 2 || undefined, {
      timeoutMs: 30_000,
      what: 'two refused attempts',
    });
    await flaky.listen();
    await waitFor(() => (flaky.received.length >= 2 ? true : undefined), {
      timeoutMs: 30_000,
      what: 'two 500 answers',
    });
    flaky.status = 200;
    const hook = await waitFor(
      async () => {
        const h = await hookOf();
        return h?.status === 'DELIVERED' ? h : undefined;
      },
      { timeoutMs: 30_000, what: 'the webhook to be delivered' },
    );
    expect(flaky.deliveredByKey()).toEqual(new Map([[hook.id, 1]]));
    expect(new Set(flaky.received.map((r) => r.headers['idempotency-key']))).toEqual(
      new Set([hook.id]),
    );
    // webhook-id is stable across retries; each attempt is signed anew, and each verifies.
    expect(new Set(flaky.received.map((r) => r.headers['webhook-id']))).toEqual(new Set([hook.id]));
    for (const r of flaky.received)
      expect(() =>
        new Webhook(secret).verify(r.body, r.headers as Record<string, string>),
      ).not.toThrow();
    const outcomes = hook.attempts.map((a) => [a.outcome, a.statusCode]);
    expect(outcomes.slice(0, 2)).toEqual([
      ['RETRY', null],
      ['RETRY', null],
    ]);
    expect(outcomes).toContainEqual(['RETRY', 500]);
    expect(outcomes[outcomes.length - 1]).toEqual(['DELIVERED', 200]);
    // Every request the receiver saw is logged with its answer. Attempt numbers are Temporal's:
    // they only increase, and may skip one whose task never reached the worker (a poll cut off
    // under load; the server times it out and schedules the next) — nothing ran, nothing to log.
    expect(hook.attempts.filter((a) => a.statusCode !== null)).toHaveLength(flaky.received.length);
    const numbers = hook.attempts.map((a) => a.attempt);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(hook.attempts.every((a) => a.outcome !== 'STARTED')).toBe(true);
    expect(hook.attempts[0].error).toMatch(/ECONNREFUSED/);
    expect(hook.attemptCount).toBe(hook.attempts.length);

    // The same record again, then a marker on the same partition: once the marker is handled, so was the duplicate.
    await publishRequestEvent(e, stack.kafkaBrokers);
    const marker = event('REQUESTED');
    await publishRequestEvent(marker, stack.kafkaBrokers);
    await settled(marker.request.id, 3);
    expect(flaky.deliveredByKey().get(hook.id)).toBe(1);
    expect((await deliveries(e.request.id)).filter((x) => x.channel === 'WEBHOOK')).toHaveLength(1);
    await flaky.close();
  });

  it('a 4xx other than 408/429 fails for good after one attempt', async () => {
    const refusing = new WebhookReceiver();
    refusing.status = 410;
    await refusing.listen();
    await settings({
      emailEnabled: false,
      emailRoles: [],
      optedOutUserIds: [],
      webhook: { url: refusing.url, secret },
    });
    const e = event('REQUESTED');
    await publishRequestEvent(e, stack.kafkaBrokers);
    const hook = (await settled(e.request.id, 3)).find((x) => x.channel === 'WEBHOOK');
    expect(hook).toMatchObject({
      status: 'FAILED',
      attemptCount: 1,
      lastError: 'receiver answered 410',
    });
    expect(hook?.attempts.map((a) => [a.outcome, a.statusCode])).toEqual([['FAILED', 410]]);
    expect(refusing.received).toHaveLength(1);
    await refusing.close();
  });
});

describe('a withdrawn request (CANCELLED)', () => {
  it('tells every reviewer REQUESTED told, by mail and by an ACCESS_REQUEST_CANCELLED webhook', async () => {
    receiver.status = 200;
    await settings({
      emailEnabled: true,
      emailRoles: ['ADMIN'],
      optedOutUserIds: [people.optout.id],
      webhook: { url: receiver.url, secret },
    });
    const requested = event('REQUESTED', { approvalMode: 'MANUAL' });
    await publishRequestEvent(requested, stack.kafkaBrokers);
    await settled(requested.request.id, 4);
    const cancelled: AccessRequestEvent = {
      event: 'CANCELLED',
      request: {
        ...requested.request,
        status: 'CANCELLED',
        reviewedAt: new Date().toISOString(),
        note: 'cancelled by the requester',
      },
    };
    await publishRequestEvent(cancelled, stack.kafkaBrokers);
    const all = await settled(requested.request.id, 8);
    const told = (e: string) =>
      all
        .filter((x) => x.event === e && x.channel === 'EMAIL')
        .map((x) => x.recipient)
        .sort();
    expect(told('CANCELLED')).toEqual(told('REQUESTED'));
    expect(told('CANCELLED')).toEqual(
      [adminEmail, people.approver.email, people.devops.email].sort(),
    );
    const mails = all.filter((x) => x.event === 'CANCELLED' && x.channel === 'EMAIL');
    for (const x of mails) {
      expect([x.status, x.template, x.subject]).toEqual([
        'DELIVERED',
        'request-cancelled',
        'Withdrawn: Alex Marshall → Gitlab',
      ]);
      const [mail] = smtp.byKey(x.id);
      expect(mail.text).toContain('for access to Gitlab was withdrawn');
      expect(mail.text).toContain('Why: cancelled by the requester');
    }
    expect(all.some((x) => x.recipient === people.requester.email)).toBe(false);
    const hook = all.find((x) => x.event === 'CANCELLED' && x.channel === 'WEBHOOK');
    expect(hook).toMatchObject({ status: 'DELIVERED', recipient: receiver.url });
    const got = receiver.received.filter((r) => r.headers['idempotency-key'] === hook?.id);
    expect(got).toHaveLength(1);
    const body = new Webhook(secret).verify(
      got[0].body,
      got[0].headers as Record<string, string>,
    ) as AccessRequestWebhookBody;
    expect([body.type, body.request_id, body.user_name, body.resource_name]).toEqual([
      'ACCESS_REQUEST_CANCELLED',
      requested.request.id,
      'Alex Marshall',
      'Gitlab',
    ]);
  });
});

describe('email outage', () => {
  it('SMTP down, then up: the mail arrives once', async () => {
    await settings({ emailEnabled: false, emailRoles: [], optedOutUserIds: [], webhook: null });
    await smtp.close();
    const e = event('APPROVED', { status: 'APPROVED', reviewedAt: new Date().toISOString() });
    await publishRequestEvent(e, stack.kafkaBrokers);
    await waitFor(
      async () => ((await deliveries(e.request.id))[0]?.attempts.length ?? 0) >= 2 || undefined,
      {
        timeoutMs: 30_000,
        what: 'failed SMTP attempts',
      },
    );
    await smtp.listen();
    const [d] = await settled(e.request.id, 1);
    expect(d.status).toBe('DELIVERED');
    expect(d.attempts[0]).toMatchObject({ outcome: 'RETRY', statusCode: null });
    expect(smtp.byKey(d.id)).toHaveLength(1);
    expect(smtp.byKey(d.id)[0].to).toEqual([people.requester.email]);
  });
});

describe('GET /v1/deliveries', () => {
  const get = async (path: string, token?: string) =>
    fetch(`${baseUrl}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('needs a token, and ADMIN or DEVOPS', async () => {
    expect((await get('/v1/deliveries')).status).toBe(401);
    expect(
      (await get('/v1/deliveries', await signUserToken(JWT_SECRET, people.support.id))).status,
    ).toBe(403);
    expect(
      (await get('/v1/deliveries', await signUserToken(JWT_SECRET, people.requester.id))).status,
    ).toBe(403);
    const res = await get(
      '/v1/deliveries?limit=2',
      await signUserToken(JWT_SECRET, people.devops.id),
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as Page<DeliveryView>).items.length).toBe(2);
  });

  it('pages newest first: limit=2 pages return each delivery once, in the order of one big page', async () => {
    const all = (await (
      await get('/v1/deliveries?limit=1000', policy.adminToken)
    ).json()) as Page<DeliveryView>;
    expect(all.nextCursor).toBeNull();
    expect(all.items.length).toBeGreaterThan(2);
    const paged: string[] = [];
    for (let cursor: string | null = ''; cursor !== null; ) {
      const res = await get(
        `/v1/deliveries?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        policy.adminToken,
      );
      expect(res.status).toBe(200);
      const page = (await res.json()) as Page<DeliveryView>;
      paged.push(...page.items.map((d) => d.id));
      cursor = page.nextCursor;
    }
    expect(paged).toEqual(all.items.map((d) => d.id));
    const created = all.items.map((d) => d.createdAt);
    expect([...created].sort().reverse()).toEqual(created);
  });

  it('refuses bad filters with a 400 naming the field', async () => {
    const bad = await get('/v1/deliveries?status=LOST', policy.adminToken);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/^status/);
    const limit = await get('/v1/deliveries?limit=0', policy.adminToken);
    expect(limit.status).toBe(400);
    expect(((await limit.json()) as { message: string }).message).toMatch(/^limit/);
    const cursor = await get('/v1/deliveries?cursor=nope', policy.adminToken);
    expect(cursor.status).toBe(400);
    expect(((await cursor.json()) as { message: string }).message).toMatch(/^cursor: /);
  });
});
