/**
 * The webhook end to end from the real requests API: policy and requests as child processes, the
 * grant workflow worker in this process, access-tracking (the workflow asks it before it
 * auto-locks) and notifications as child processes, all on one private
 * task-queue prefix. The request is created with POST /v1/access-requests by its user; the body
 * the receiver gets is compared field by field with the request the API returned.
 */
import { randomBytes } from 'node:crypto';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { AccessRequest, AccessRequestWebhookBody } from '@lapse/contracts';
import type { Page } from '@lapse/platform';
import { startLapseStack, type LapseStack } from '@lapse/testing/lapse-stack';
import { waitFor, writeTestOutput, type RunningService } from '@lapse/testing';
import type { DeliveryView } from './deliveries/deliveries.dto';
import { WebhookReceiver } from './testing/test-kit';

jest.setTimeout(240_000);

const receiver = new WebhookReceiver();

let s: LapseStack | undefined;
let suffix = '';
let grantIn: LapseStack['grantIn'];
let requests: RunningService;
let notifications: RunningService;
let adminToken = '';

async function call<T>(
  baseUrl: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${baseUrl}${path} → ${res.status}: ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}
const admin = <T>(method: string, path: string, body?: unknown) =>
  (s as LapseStack).admin.call<T>(method, path, body);

beforeAll(async () => {
  await receiver.listen();
  s = await startLapseStack('notifications_webhook_api', {
    // The grant workflow asks access-tracking for the latest access before it auto-locks.
    services: ['access-tracking', 'requests', 'notifications'],
    env: {
      LAPSE_PUBLIC_URL: 'http://lapse.test:3003',
      LAPSE_CONSOLE_URL: 'http://console.lapse.test',
    },
    serviceEnv: {
      notifications: {
        SMTP_URL: 'smtp://127.0.0.1:9',
        LAPSE_WEBHOOK_INITIAL_RETRY_MS: '200',
        LAPSE_DELIVERY_MAX_RETRY_MS: '1000',
        LAPSE_DELIVERY_ATTEMPT_TIMEOUT_MS: '3000',
      },
    },
  });
  suffix = s.suffix;
  grantIn = s.grantIn;
  requests = s.services.requests as RunningService;
  notifications = s.services.notifications as RunningService;
  adminToken = s.admin.token;
});

afterAll(async () => {
  await s?.stop();
  await receiver.close();
});

it('a request created through the requests API reaches the webhook: every field equals the request, signed with the generated secret', async () => {
  const user = await admin<{ id: string; name: string; email: string }>('POST', '/v1/users', {
    name: 'Alex Marshall',
    email: `alex-${suffix}@it.lapse`,
    roles: [],
  });
  const group = await admin<{ id: string }>('POST', '/v1/groups', { name: `engineers-${suffix}` });
  await admin('PUT', `/v1/groups/${group.id}/members`, { userIds: [user.id] });
  const resource = await admin<{ id: string; name: string }>('POST', '/v1/resources', {
    name: `Gitlab ${suffix}`,
    address: `gitlab-${suffix}.internal.example`,
    policy: { autoLock: { durationSeconds: 2, approval: 'MANUAL' }, accessRequests: null },
  });
  await admin('PUT', `/v1/resources/${resource.id}/assignments/${group.id}`, {});
  await grantIn({ userId: user.id, resourceId: resource.id }, 'LOCKED');
  // No secret given: the settings API generates one and shows it in this answer only.
  const saved = await admin<{ webhook: { url: string; secret: string } }>(
    'PUT',
    '/v1/settings/notifications',
    { emailEnabled: false, emailRoles: [], optedOutUserIds: [], webhook: { url: receiver.url } },
  );
  const secret = saved.webhook.secret;
  expect(secret).toMatch(/^whsec_/);

  const before = Date.now();
  const created = await call<AccessRequest>(
    requests.url,
    await (s as LapseStack).tokenFor(user.id),
    'POST',
    '/v1/access-requests',
    {
      resourceId: resource.id,
      reason: 'I need access after a long period of no usage: "deploy" <today>.',
    },
  );
  expect(created).toMatchObject({
    userId: user.id,
    resourceId: resource.id,
    type: 'AutoLock',
    approvalMode: 'MANUAL',
    status: 'PENDING',
  });

  const hook = await waitFor(
    () =>
      receiver.received.find(
        (r) => (JSON.parse(r.body) as { request_id?: string }).request_id === created.id,
      ),
    {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: 'the webhook for the new request',
    },
  );
  const body = JSON.parse(hook.body) as Record<string, unknown>;
  // What the receiver got, for review (README: test-output/).
  const shown = [
    'content-type',
    'webhook-id',
    'webhook-timestamp',
    'webhook-signature',
    'idempotency-key',
    'user-agent',
  ];
  writeTestOutput(
    'webhook-request.json',
    JSON.stringify(
      { headers: Object.fromEntries(shown.map((h) => [h, hook.headers[h]])), body },
      null,
      2,
    ) + '\n',
  );
  expect(Object.keys(body).sort()).toEqual(
    [
      'timestamp',
      'tenant',
      'version',
      'type',
      'request_id',
      'request_url',
      'user_name',
      'user_url',
      'resource_name',
      'resource_url',
      'requested_at',
      'reason',
      'approval_mode',
      'request_type',
      'request_duration_seconds',
    ].sort(),
  );
  const expected: Omit<AccessRequestWebhookBody, 'timestamp'> = {
    tenant: 'lapse.test',
    version: '1',
    type: 'ACCESS_REQUEST',
    request_id: created.id,
    request_url: `http://lapse.test:3003/access-requests#request-${created.id}`,
    user_name: 'Alex Marshall',
    user_url: `http://console.lapse.test/users/${user.id}`,
    resource_name: resource.name,
    resource_url: `http://console.lapse.test/resources/${resource.id}`,
    requested_at: new Date(created.requestedAt).toISOString().replace(/Z$/, '+00:00'),
    reason: created.reason,
    approval_mode: 'MANUAL',
    request_type: 'AutoLock',
    // AutoLock: the auto-lock duration of the resource's default policy (docs/notifications.md).
    request_duration_seconds: 2,
  };
  const { timestamp, ...rest } = body;
  expect(rest).toEqual(expected);
  expect(created.reason).toBe('I need access after a long period of no usage: "deploy" <today>.');
  expect(timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+00:00$/);
  const planned = new Date(String(timestamp)).getTime();
  expect(planned).toBeGreaterThanOrEqual(before - 1000);
  expect(planned).toBeLessThanOrEqual(Date.now());

  // The receiver's check, as documented: the Standard Webhooks library with the secret.
  const headers = hook.headers as Record<string, string>;
  expect(new Webhook(secret).verify(hook.body, headers)).toEqual(body);
  expect(headers['idempotency-key']).toBe(headers['webhook-id']);
  expect(() =>
    new Webhook(`whsec_${randomBytes(32).toString('base64')}`).verify(hook.body, headers),
  ).toThrow(WebhookVerificationError);
  expect(hook.headers['content-type']).toMatch(/^application\/json/);

  const [delivery] = await waitFor(
    async () => {
      const { items: d } = await call<Page<DeliveryView>>(
        notifications.url,
        adminToken,
        'GET',
        `/v1/deliveries?requestId=${encodeURIComponent(created.id)}`,
      );
      return d.length === 1 && d[0].status === 'DELIVERED' ? d : undefined;
    },
    {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: 'the webhook delivery to be recorded as delivered',
    },
  );
  expect(delivery).toMatchObject({ channel: 'WEBHOOK', recipient: receiver.url, attemptCount: 1 });
  expect(delivery.attempts).toMatchObject([{ attempt: 1, outcome: 'DELIVERED', statusCode: 200 }]);
  expect(hook.headers['idempotency-key']).toBe(delivery.id);
  expect(
    receiver.received.filter((r) => r.headers['idempotency-key'] === delivery.id),
  ).toHaveLength(1);
});
