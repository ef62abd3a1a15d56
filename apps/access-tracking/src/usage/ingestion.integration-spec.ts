import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { signProxyToken } from '@lapse/auth';
import { positionAtEnd, sendRaw, waitFor } from '@lapse/testing';
import { DecisionsFastPath } from '../decisions/decisions-fast-path';
import { GrantProjection } from '../grants/grant-projection';
import { IngestionFreshness } from '../kafka/freshness';
import { LastAccessRepository } from './last-access.repository';
import { REJECT_REASONS } from './usage-validation';
import { TOPICS } from '@lapse/contracts';
import {
  SERVICE_SECRET,
  bootApp,
  createHarness,
  dlqReader,
  grantRecord,
  publishGrants,
  publishUsage,
  type Harness,
} from '../testing/integration';

describe('access-tracking ingestion and decisions (real Kafka, Postgres, Temporal)', () => {
  let h: Harness;
  let app: INestApplication;
  let url: string;
  let dlq: Awaited<ReturnType<typeof dlqReader>>;
  let token: string;
  // Ids are UUIDs, as in every Lapse event; the same name gives the same pair within the suite.
  const named = new Map<string, { userId: string; resourceId: string }>();
  const ids = (name: string) => {
    if (!named.has(name)) named.set(name, { userId: randomUUID(), resourceId: randomUUID() });
    return named.get(name) as { userId: string; resourceId: string };
  };
  const latest = (userId: string, resourceId: string) =>
    app.get(LastAccessRepository).latestAccess(userId, resourceId);
  const decision = async (query: string, auth = `Bearer ${token}`) => {
    const res = await fetch(`${url}/v1/decisions?${query}`, {
      headers: auth ? { authorization: auth } : {},
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const decisionOf = async (userId: string, resourceId: string) =>
    (await decision(`userId=${userId}&resourceId=${resourceId}`)).body;

  beforeAll(async () => {
    h = await createHarness('access_tracking_ingest');
    dlq = await dlqReader(h.suffix);
    ({ app, url } = await bootApp(h.config()));
    token = await signProxyToken(SERVICE_SECRET, 'proxy-test');
  });

  afterAll(async () => {
    await app?.close();
    await dlq?.stop();
    await h?.close();
  });

  it('moves last access forward and never backward under out-of-order delivery', async () => {
    const { userId, resourceId } = ids('order');
    await publishGrants(h.producer, [grantRecord(userId, resourceId, 'ACTIVE', 1)]);
    await waitFor(
      async () => ((await decisionOf(userId, resourceId)).state === 'ACTIVE' ? true : undefined),
      { what: 'grant known' },
    );

    const base = Date.now() - 60_000;
    const t = (s: number) => new Date(base + s * 1000);
    await publishUsage(h.producer, userId, resourceId, [t(3), t(1)]);
    await publishUsage(h.producer, userId, resourceId, [t(5)]);
    await publishUsage(h.producer, userId, resourceId, [t(2), t(4)]);
    await waitFor(
      async () => ((await latest(userId, resourceId)) === t(5).toISOString() ? true : undefined),
      { what: 'latest = t5' },
    );

    // An older event, then a future one on the same key (same partition, in order): once the
    // future one is in the DLQ, the older one has been processed too.
    await publishUsage(h.producer, userId, resourceId, [t(0), new Date(Date.now() + 3_600_000)]);
    await waitFor(
      () => (dlq.byKey.get(`${userId}:${resourceId}`)?.length === 1 ? true : undefined),
      { what: 'DLQ record' },
    );
    expect(await latest(userId, resourceId)).toBe(t(5).toISOString());
  });

  it('records one row per grant, its latest time, when one write holds a grant twice; ids as written', async () => {
    const repo = app.get(LastAccessRepository);
    const { userId, resourceId } = ids('twice');
    const odd = { userId: `${userId} "quoted" \\ é`, resourceId };
    const at = (s: number) => Date.parse('2026-01-01T00:00:00Z') + s * 1000;
    await repo.recordLatest([
      { userId, resourceId, at: at(1) },
      { ...odd, at: at(7) },
      { userId, resourceId, at: at(3) },
      { userId, resourceId, at: at(2) },
    ]);
    expect(await latest(userId, resourceId)).toBe(new Date(at(3)).toISOString());
    expect(await latest(odd.userId, odd.resourceId)).toBe(new Date(at(7)).toISOString());
    await repo.recordLatest([{ userId, resourceId, at: at(2) }]);
    expect(await latest(userId, resourceId)).toBe(new Date(at(3)).toISOString());
  });

  it('records grants given by their 32 key bytes, spelled as lower-case UUIDs, beside grants given by ids', async () => {
    const repo = app.get(LastAccessRepository);
    const a = ids('bytes-a');
    const b = ids('bytes-b');
    const at = (s: number) => Date.parse('2026-01-02T00:00:00Z') + s * 1000;
    const keyBytes = (g: { userId: string; resourceId: string }) =>
      Buffer.from(`${g.userId}${g.resourceId}`.replace(/-/g, ''), 'hex');
    // a by key (later) and by ids (earlier) in one statement; b by key only.
    await repo.recordLatest([{ ...a, at: at(1) }], {
      keys: Buffer.concat([keyBytes(a), keyBytes(b)]),
      ats: [at(4), at(2)],
    });
    expect(await latest(a.userId, a.resourceId)).toBe(new Date(at(4)).toISOString());
    expect(await latest(b.userId, b.resourceId)).toBe(new Date(at(2)).toISOString());
    // Monotonic by key too: an earlier time changes nothing, a later one moves it.
    await repo.recordLatest([], {
      keys: Buffer.concat([keyBytes(a), keyBytes(b)]),
      ats: [at(3), at(5)],
    });
    expect(await latest(a.userId, a.resourceId)).toBe(new Date(at(4)).toISOString());
    expect(await latest(b.userId, b.resourceId)).toBe(new Date(at(5)).toISOString());
    await expect(repo.recordLatest([], { keys: keyBytes(a), ats: [at(6), at(7)] })).rejects.toThrow(
      '32 key bytes for 2 times',
    );
  });

  it('sends future, malformed and unknown-grant events to the DLQ with reasons and keeps going', async () => {
    const { userId, resourceId } = ids('dlq');
    const key = `${userId}:${resourceId}`;
    await publishGrants(h.producer, [grantRecord(userId, resourceId, 'ACTIVE', 1)]);
    await waitFor(
      async () => ((await decisionOf(userId, resourceId)).state === 'ACTIVE' ? true : undefined),
      { what: 'grant known' },
    );

    // Rule 2 refuses an event for an unknown grant only while the projection is current (while
    // it lags, such an event may be for a grant not read yet and is recorded): the precondition.
    const projection = app.get(GrantProjection);
    const freshness = app.get(IngestionFreshness).grantState;
    await waitFor(
      () => {
        if (projection.current) return true;
        throw new Error(`staleness ${freshness.staleness()} ms, lag ${freshness.lag} records`);
      },
      { what: 'grant projection current' },
    );

    const good = new Date(Date.now() - 1000);
    // One partition (same key), in this order: the valid event last proves the consumer kept going.
    await sendRaw(TOPICS.usage, [{ key, value: '{not json at all' }]);
    await h.producer.send(TOPICS.usage, [
      { key, value: { userId, resourceId, occurredAt: 'yesterday' } },
      {
        key,
        value: { userId, resourceId, occurredAt: new Date(Date.now() + 10 * 60_000).toISOString() },
      },
      {
        key,
        value: { userId, resourceId: randomUUID(), occurredAt: good.toISOString() },
      },
      { key, value: { userId, resourceId, occurredAt: good.toISOString() } },
    ]);
    const rejected = await waitFor(
      () => {
        const r = dlq.byKey.get(key) ?? [];
        if (r.length >= 4) return r;
        throw new Error(`${r.length} so far: ${JSON.stringify(r.map((x) => x.error))}`);
      },
      { what: '4 DLQ records' },
    );
    expect(rejected.map((r) => r.error)).toEqual([
      REJECT_REASONS.malformed,
      expect.stringMatching(/^invalid event: occurredAt: /),
      REJECT_REASONS.future,
      REJECT_REASONS.unknownGrant,
    ]);
    expect(rejected[0].original).toBe('{not json at all');
    expect(rejected[1].original).toMatchObject({ occurredAt: 'yesterday' });
    await waitFor(
      async () => ((await latest(userId, resourceId)) === good.toISOString() ? true : undefined),
      { what: 'valid event recorded' },
    );
  });

  it('dead-letters a deeply nested, an oversized, a NUL-bearing and a non-UUID record with reasons and keeps going', async () => {
    const { userId, resourceId } = ids('poison');
    const key = `${userId}:${resourceId}`;
    await publishGrants(h.producer, [grantRecord(userId, resourceId, 'ACTIVE', 1)]);
    await waitFor(
      async () => ((await decisionOf(userId, resourceId)).state === 'ACTIVE' ? true : undefined),
      { what: 'grant known' },
    );
    const good = new Date(Date.now() - 1000);
    const event = (over: Record<string, unknown>) =>
      JSON.stringify({ userId, resourceId, occurredAt: good.toISOString(), ...over });
    // 400 KB of nesting: JSON.stringify of it overflows the stack; 3 000 bytes fits the size limit.
    const deep = '['.repeat(1500) + ']'.repeat(1500);
    const huge = event({ proxyId: 'x'.repeat(400_000) });
    const nul = event({ proxyId: 'edge\u00001' });
    const notUuid = event({ userId: `u-${h.suffix}` });
    await sendRaw(TOPICS.usage, [
      { key, value: '['.repeat(200_000) + ']'.repeat(200_000) },
      { key, value: deep },
      { key, value: huge },
      { key, value: nul },
      { key, value: notUuid },
      { key, value: event({}) },
    ]);
    const rejected = await waitFor(
      () => {
        const r = dlq.byKey.get(key);
        return r && r.length >= 5 ? r : undefined;
      },
      { what: '5 DLQ records' },
    );
    expect(rejected.map((r) => r.error)).toEqual([
      'value is 400000 bytes, more than 4096',
      'invalid event: value: Invalid input: expected object, received array',
      expect.stringMatching(/^value is \d+ bytes, more than 4096$/),
      'invalid event: proxyId: must not contain NUL or control characters',
      'invalid event: userId: must be a UUID',
    ]);
    expect(rejected[0]).toMatchObject({ truncated: true, originalBytes: 400_000 });
    expect(rejected[1].original).toBe(deep); // too deep to copy as JSON: kept as text
    expect(rejected[3].original).toMatchObject({ proxyId: 'edge\u00001' });
    expect(rejected[4].original).toMatchObject({ userId: `u-${h.suffix}` });
    await waitFor(
      async () => ((await latest(userId, resourceId)) === good.toISOString() ? true : undefined),
      { what: 'the valid event after the poison recorded' },
    );
    expect((await decisionOf(userId, resourceId)).state).toBe('ACTIVE');
  });

  it('decisions: unknown pair is NO_GRANT; a lock reaches decisions; input and caller are checked', async () => {
    expect(await decisionOf(`nobody-${h.suffix}`, `nothing-${h.suffix}`)).toEqual({
      allowed: false,
      state: 'NO_GRANT',
      reason: 'no grant for this user and resource',
    });

    const { userId, resourceId } = ids('lock');
    await publishGrants(h.producer, [grantRecord(userId, resourceId, 'ACTIVE', 1)]);
    await waitFor(
      async () => ((await decisionOf(userId, resourceId)).allowed === true ? true : undefined),
      { what: 'allowed' },
    );
    const lockedAt = new Date().toISOString();
    await publishGrants(h.producer, [grantRecord(userId, resourceId, 'LOCKED', 2, lockedAt)]);
    const locked = await waitFor(
      async () => {
        const d = await decisionOf(userId, resourceId);
        return d.allowed === false ? d : undefined;
      },
      { intervalMs: 10, what: 'locked' },
    );
    expect(locked).toMatchObject({ allowed: false, state: 'LOCKED', lockedAt });

    const missing = await decision(`userId=${userId}`);
    expect(missing.status).toBe(400);
    expect(String(missing.body.message)).toMatch(/^resourceId: /);
    expect((await decision(`userId=${userId}&resourceId=${resourceId}&extra=1`)).status).toBe(400);
    expect((await decision(`userId=${userId}&resourceId=${resourceId}`, '')).status).toBe(401);
    expect(
      (await decision(`userId=${userId}&resourceId=${resourceId}`, 'Bearer forged.token.here'))
        .status,
    ).toBe(401);
  });

  it('decisions: the fast path answers exactly as the controller does, and only for verified service tokens', async () => {
    const active = ids('fast-active');
    const locked = ids('fast-locked');
    const lockedAt = new Date().toISOString();
    await publishGrants(h.producer, [
      grantRecord(active.userId, active.resourceId, 'ACTIVE', 1),
      grantRecord(locked.userId, locked.resourceId, 'LOCKED', 2, lockedAt),
    ]);
    await waitFor(
      async () =>
        (await decisionOf(locked.userId, locked.resourceId)).state === 'LOCKED' ? true : undefined,
      { what: 'grants known' },
    );

    const fastPath = app.get(DecisionsFastPath);
    const proxyToken = await signProxyToken(SERVICE_SECRET, `fast-${h.suffix}`);
    const ask = async (query: string) => {
      const before = fastPath.served;
      const res = await fetch(`${url}/v1/decisions?${query}`, {
        headers: { authorization: `Bearer ${proxyToken}` },
      });
      return {
        fast: fastPath.served > before,
        status: res.status,
        type: res.headers.get('content-type'),
        body: await res.text(),
      };
    };
    // A token never seen before is verified by the guard and answered by the controller; the
    // same token is then answered by the fast path, byte for byte the same.
    const first = await ask(`userId=${active.userId}&resourceId=${active.resourceId}`);
    const second = await ask(`userId=${active.userId}&resourceId=${active.resourceId}`);
    expect(first.fast).toBe(false);
    expect(second).toEqual({ ...first, fast: true });
    expect(JSON.parse(second.body)).toEqual({
      allowed: true,
      state: 'ACTIVE',
      reason: 'grant is active',
    });
    for (const p of [locked, ids('fast-unknown')]) {
      const q = `userId=${p.userId}&resourceId=${p.resourceId}`;
      const fast = await ask(q);
      expect(fast.fast).toBe(true);
      // The same question through the controller: a bearer token the fast path has not seen.
      const res = await fetch(`${url}/v1/decisions?${q}`, {
        headers: {
          authorization: `Bearer ${await signProxyToken(SERVICE_SECRET, `other-${p.userId}`)}`,
        },
      });
      expect({
        status: res.status,
        type: res.headers.get('content-type'),
        body: await res.text(),
      }).toEqual({ status: fast.status, type: fast.type, body: fast.body });
    }
    expect(
      JSON.parse((await ask(`userId=${locked.userId}&resourceId=${locked.resourceId}`)).body),
    ).toMatchObject({ allowed: false, state: 'LOCKED', lockedAt });

    // Bad input never takes the fast path: the controller's 400 names the field.
    const bad = await ask(`userId=${active.userId}`);
    expect(bad).toMatchObject({ fast: false, status: 400 });
    expect(JSON.parse(bad.body).message).toMatch(/^resourceId: /);
    expect(
      await ask(`userId=${active.userId}&resourceId=${active.resourceId}&extra=1`),
    ).toMatchObject({ fast: false, status: 400 });
  });

  it('warms decisions from Postgres on start (a fresh consumer group sees nothing on the topic)', async () => {
    const { userId, resourceId } = ids('lock');
    await positionAtEnd(h.kafka, `at-grants2-${h.suffix}`, TOPICS.grantState);
    const second = await bootApp(
      h.config({
        LAPSE_ACTIVITY_HOST_ENABLED: 'false',
        LAPSE_GRANT_STATE_GROUP_ID: `at-grants2-${h.suffix}`,
        LAPSE_USAGE_GROUP_ID: `at-usage2-${h.suffix}`,
        LAPSE_USAGE_FROM_BEGINNING: 'false',
        LAPSE_PROJECTION_CATCHUP_MS: '1',
      }),
    );
    try {
      // The new group starts at the topic's end: its answer can only come from the warm start.
      const res = await fetch(
        `${second.url}/v1/decisions?userId=${userId}&resourceId=${resourceId}`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      expect(await res.json()).toMatchObject({ allowed: false, state: 'LOCKED' });
    } finally {
      await second.app.close();
    }
  });
});
