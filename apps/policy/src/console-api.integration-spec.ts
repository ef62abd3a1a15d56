import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { PolicyHarness } from './testing/policy-harness';

/**
 * What the console needs beyond the lists' paging: a search in users (name, email) and resources
 * (name, address), the resources a group reaches (its assignments), and a webhook test send that
 * answers what the receiver said. Real Postgres, a real HTTP receiver.
 */
describe('console API (real Postgres)', () => {
  let h: PolicyHarness;
  let admin: string;
  let support: string;
  let receiver: Server;
  let receiverUrl: string;
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  let answer = { status: 200, body: '{"ok":true}' };

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(answer.body);
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    h = await PolicyHarness.start('policy_console_api', {
      env: { LAPSE_WEBHOOK_ALLOW_HOSTS: '127.0.0.1' },
    });
    admin = await h.token(await h.seedUser('admin@example.com', ['ADMIN']));
    support = await h.token(await h.seedUser('support@example.com', ['SUPPORT']));
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
    await new Promise((r) => receiver?.close(r));
  });

  const api = (method: string, path: string, body?: unknown) => h.ok(method, path, admin, body);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const names = (page: { items: any[] }) => page.items.map((x) => x.name).sort();

  it('?q= finds users by part of the name or email, case-insensitive; % and _ are literal', async () => {
    await api('POST', '/v1/users', { email: 'grace.hopper@navy.example', name: 'Grace Hopper' });
    await api('POST', '/v1/users', { email: 'alan@bletchley.example', name: 'Alan Turing' });
    await api('POST', '/v1/users', { email: 'under_score@example.com', name: 'Under Score' });
    expect(names(await api('GET', '/v1/users?q=HOPPER'))).toEqual(['Grace Hopper']);
    expect(names(await api('GET', '/v1/users?q=bletchley'))).toEqual(['Alan Turing']);
    expect(names(await api('GET', '/v1/users?q=r_s'))).toEqual(['Under Score']);
    expect(names(await api('GET', '/v1/users?q=%25'))).toEqual([]);
    const tooLong = await h.call('GET', `/v1/users?q=${'x'.repeat(201)}`, admin);
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.message).toContain('q');
  });

  it('?q= finds resources by part of the name or address', async () => {
    await api('POST', '/v1/resources', { name: 'Gitlab', address: 'gitlab.internal.example' });
    await api('POST', '/v1/resources', {
      name: 'Grafana',
      address: 'https://tools.example/grafana',
    });
    expect(names(await api('GET', '/v1/resources?q=git'))).toEqual(['Gitlab']);
    expect(names(await api('GET', '/v1/resources?q=TOOLS.example'))).toEqual(['Grafana']);
    expect(names(await api('GET', '/v1/resources?q=nothing-like-it'))).toEqual([]);
  });

  it('GET /v1/groups/:id/assignments lists the resources the group reaches, paged', async () => {
    const group = await api('POST', '/v1/groups', { name: 'SRE' });
    const other = await api('POST', '/v1/groups', { name: 'Other' });
    const ids: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      const r = await api('POST', '/v1/resources', { name, address: `${name}.example` });
      ids.push(r.id);
      await api('PUT', `/v1/resources/${r.id}/assignments/${group.id}`, {
        policy: { autoLock: { durationSeconds: 7 * 86400, approval: 'MANUAL' } },
      });
    }
    await api('PUT', `/v1/resources/${ids[0]}/assignments/${other.id}`, {});
    const first = await api('GET', `/v1/groups/${group.id}/assignments?limit=2`);
    expect(first.items).toHaveLength(2);
    const rest = await api(
      'GET',
      `/v1/groups/${group.id}/assignments?limit=2&cursor=${encodeURIComponent(first.nextCursor)}`,
    );
    expect(rest.nextCursor).toBeNull();
    const all = [...first.items, ...rest.items];
    expect(all.map((a) => a.resourceId).sort()).toEqual([...ids].sort());
    expect(all[0]).toMatchObject({
      groupId: group.id,
      policy: { autoLock: { durationSeconds: 7 * 86400, approval: 'MANUAL' } },
      expiresAt: null,
    });
    const missing = await h.call(
      'GET',
      '/v1/groups/00000000-0000-4000-8000-000000000000/assignments',
      admin,
    );
    expect(missing.status).toBe(404);
  });

  it('webhook-test: 409 with no webhook; a signed TEST event and the receiver’s answer', async () => {
    const none = await h.call('POST', '/v1/settings/notifications/webhook-test', admin, {});
    expect(none.status).toBe(409);
    const saved = await api('PUT', '/v1/settings/notifications', {
      emailEnabled: false,
      emailRoles: [],
      optedOutUserIds: [],
      webhook: { url: receiverUrl },
    });
    const secret = saved.webhook.secret as string;
    expect(secret).toMatch(/^whsec_/);
    const refused = await h.call('POST', '/v1/settings/notifications/webhook-test', support, {});
    expect(refused.status).toBe(403);

    const ok = await api('POST', '/v1/settings/notifications/webhook-test', {});
    expect(ok).toMatchObject({
      url: receiverUrl,
      delivered: true,
      statusCode: 200,
      responseBody: '{"ok":true}',
      error: null,
    });
    expect(ok.durationMs).toBeGreaterThanOrEqual(0);
    const hit = received.at(-1);
    expect(JSON.parse(hit?.body ?? '')).toMatchObject({ type: 'TEST', version: '1' });
    const headers = {
      'webhook-id': String(hit?.headers['webhook-id']),
      'webhook-timestamp': String(hit?.headers['webhook-timestamp']),
      'webhook-signature': String(hit?.headers['webhook-signature']),
    };
    expect(() => new Webhook(secret).verify(hit?.body ?? '', headers)).not.toThrow();
    expect(hit?.headers['idempotency-key']).toBe(headers['webhook-id']);

    answer = { status: 503, body: 'x'.repeat(5000) };
    const failed = await api('POST', '/v1/settings/notifications/webhook-test', {});
    expect(failed).toMatchObject({
      delivered: false,
      statusCode: 503,
      error: 'the receiver answered 503',
    });
    expect(failed.responseBody).toHaveLength(2000);
  });

  it('webhook-test refuses an internal target that is not allowed (400 webhook.url)', async () => {
    // Stored before the allow list shrank: the test send checks again.
    await h.ds.query(
      `UPDATE policy.notification_settings SET webhook_url = 'http://169.254.169.254/latest' WHERE id = 1`,
    );
    const res = await h.call('POST', '/v1/settings/notifications/webhook-test', admin, {});
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^webhook\.url: /);
  });
});
