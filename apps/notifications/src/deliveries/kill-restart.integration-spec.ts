import { randomBytes, randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import {
  createTestDatabase,
  waitFor,
  migrateAllSchemas,
  stack,
  stackServiceEnv,
  uniqueSuffix,
  type RunningService,
  startServiceProcess,
} from '@lapse/testing';
import {
  JWT_SECRET,
  PolicyFixture,
  SERVICE_SECRET,
  WebhookReceiver,
  accessRequest,
  closeProducer,
  publishRequestEvent,
} from '../testing/test-kit';

jest.setTimeout(240_000);

const suffix = uniqueSuffix();
const prefix = `nk-${suffix}-`;
let db: { url: string; drop: () => Promise<void> };
let policy: PolicyFixture;
let service: RunningService | undefined;
const receiver = new WebhookReceiver();

const env = () => ({
  DATABASE_URL: db.url,
  ...stackServiceEnv(),
  LAPSE_JWT_SECRET: JWT_SECRET,
  LAPSE_SERVICE_SECRET: SERVICE_SECRET,
  LAPSE_POLICY_URL: policy.url,
  LAPSE_TASK_QUEUE_PREFIX: prefix,
  LAPSE_NOTIFICATIONS_GROUP_ID: `notifications-kill-${suffix}`,
  SMTP_URL: 'smtp://127.0.0.1:9',
  LAPSE_WEBHOOK_INITIAL_RETRY_MS: '200',
  LAPSE_DELIVERY_MAX_RETRY_MS: '1000',
  LAPSE_DELIVERY_ATTEMPT_TIMEOUT_MS: '2000',
  LAPSE_WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
});

interface AttemptRow {
  attempt: number;
  outcome: string;
  status_code: number | null;
}

async function webhookDelivery(
  requestId: string,
): Promise<{ id: string; status: string; attempts: AttemptRow[] } | undefined> {
  const pg = new PgClient({ connectionString: db.url });
  await pg.connect();
  try {
    const rows: { id: string; status: string }[] = (
      await pg.query(
        `SELECT id, status FROM notifications.deliveries WHERE request_id = $1 AND channel = 'WEBHOOK'`,
        [requestId],
      )
    ).rows;
    if (!rows[0]) return undefined;
    const attempts: AttemptRow[] = (
      await pg.query(
        `SELECT attempt, outcome, status_code FROM notifications.delivery_attempts WHERE delivery_id = $1 ORDER BY id`,
        [rows[0].id],
      )
    ).rows;
    return { ...rows[0], attempts };
  } finally {
    await pg.end();
  }
}

beforeAll(async () => {
  db = await createTestDatabase('notifications_kill');
  await migrateAllSchemas(db.url);
  await receiver.listen();
  policy = await PolicyFixture.start(db.url, prefix);
});

afterAll(async () => {
  await service?.stop('SIGKILL');
  await closeProducer();
  await policy?.stop();
  await receiver.close();
  await db?.drop();
});

it('a delivery survives the service being killed mid-retry: completed after restart, delivered once', async () => {
  receiver.status = 500;
  await policy.call('PUT', '/v1/settings/notifications', {
    emailEnabled: false,
    emailRoles: [],
    optedOutUserIds: [],
    webhook: { url: receiver.url, secret: `whsec_${randomBytes(32).toString('base64')}` },
  });
  const requester = await policy.createUser(`requester-${suffix}@example.com`, 'Alex Marshall');
  const resource = await policy.call<{ id: string }>('POST', '/v1/resources', {
    name: 'Gitlab',
    address: 'gitlab.internal',
  });

  service = await startServiceProcess('notifications', env());
  const request = accessRequest({
    id: randomUUID(),
    userId: requester.id,
    resourceId: resource.id,
  });
  await publishRequestEvent({ event: 'REQUESTED', request }, stack.kafkaBrokers);
  await waitFor(() => (receiver.received.length >= 2 ? true : undefined), {
    timeoutMs: 60_000,
    what: 'failing attempts before the kill',
  });

  expect(await service.stop('SIGKILL')).toBeNull(); // killed, no clean shutdown
  const beforeRestart = receiver.received.length;

  service = await startServiceProcess('notifications', env());
  await waitFor(() => (receiver.received.length >= beforeRestart + 2 ? true : undefined), {
    timeoutMs: 60_000,
    what: 'the restarted service to keep retrying',
  });
  receiver.status = 200;
  const delivered = await waitFor(
    async () => {
      const d = await webhookDelivery(request.id);
      return d?.status === 'DELIVERED' ? d : undefined;
    },
    { timeoutMs: 60_000, what: 'the webhook to be delivered after the restart' },
  );

  expect(receiver.deliveredByKey()).toEqual(new Map([[delivered.id, 1]]));
  expect(new Set(receiver.received.map((r) => r.headers['idempotency-key']))).toEqual(
    new Set([delivered.id]),
  );
  const outcomes = delivered.attempts.map((a) => a.outcome);
  expect(outcomes.filter((o) => o === 'DELIVERED')).toHaveLength(1);
  expect(outcomes[outcomes.length - 1]).toBe('DELIVERED');
  expect(outcomes.filter((o) => o === 'RETRY').length).toBeGreaterThanOrEqual(beforeRestart + 1);
  // Every attempt is logged before it sends: each POST the receiver saw has its row, and the
  // one attempt the SIGKILL may have cut off after its POST stays STARTED (outcome unknown).
  expect(delivered.attempts.length).toBeGreaterThanOrEqual(receiver.received.length);
  expect(outcomes.filter((o) => o === 'STARTED').length).toBeLessThanOrEqual(1);
  expect(outcomes.every((o) => ['STARTED', 'RETRY', 'DELIVERED'].includes(o))).toBe(true);
  // Temporal's attempt numbers keep counting across the restart (the retry schedule lived in
  // Temporal): they only ever increase, and with every attempt logged there is no gap.
  const numbers = delivered.attempts.map((a) => a.attempt);
  expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  expect(numbers[numbers.length - 1]).toBe(delivered.attempts.length);
});
