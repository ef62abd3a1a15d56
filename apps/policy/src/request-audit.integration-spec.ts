import { randomUUID } from 'node:crypto';
import { TOPICS, grantKey, type AccessRequestEvent } from '@lapse/contracts';
import { ensureTopics, type JsonProducer } from '@lapse/kafka';
import { TopicOwnersProducer, waitFor, kafkaAs } from '@lapse/testing';
import { PolicyHarness } from './testing/policy-harness';

/**
 * Request decisions reach the audit log from the real Kafka (access-requests.v1, the
 * harness's own consumer group), each once, with the reviewer as actor — a redelivered event too.
 */
describe('access-requests.v1 → audit log (real Kafka and Postgres)', () => {
  let h: PolicyHarness;
  let reader: string;
  let producer: JsonProducer;

  beforeAll(async () => {
    h = await PolicyHarness.start('policy_request_audit', { sync: false, consumers: true });
    reader = await h.token(await h.seedUser('reviewer-reader@example.com', ['ACCESS_REVIEWER']));
    await ensureTopics(kafkaAs('ops', `policy-request-audit-${h.prefix}`));
    producer = new TopicOwnersProducer(`policy-request-audit-${h.prefix}`);
  });
  afterAll(async () => {
    await producer?.disconnect();
    await h?.stop();
  });

  it('records APPROVED and DENIED once each, actor = reviewer; the same event twice is one entry', async () => {
    const userId = randomUUID();
    const resourceId = randomUUID();
    const [alice, bob] = [randomUUID(), randomUUID()];
    const t0 = Date.now();
    const at = (s: number) => new Date(t0 + s * 1000).toISOString();
    const request = (
      over: Partial<AccessRequestEvent['request']>,
    ): AccessRequestEvent['request'] => ({
      id: randomUUID(),
      type: 'AutoLock',
      userId,
      resourceId,
      reason: 'on call',
      durationSeconds: null,
      approvalMode: 'MANUAL',
      status: 'PENDING',
      requestedAt: at(0),
      expiresAt: at(86_400),
      reviewerId: null,
      reviewedAt: null,
      note: null,
      ...over,
    });
    const approved: AccessRequestEvent = {
      event: 'APPROVED',
      request: request({ status: 'APPROVED', reviewerId: alice, reviewedAt: at(10), note: 'ok' }),
    };
    const denied: AccessRequestEvent = {
      event: 'DENIED',
      request: request({ status: 'DENIED', reviewerId: bob, reviewedAt: at(20), note: 'not now' }),
    };
    // Sent last: once it is in the log, everything before it on the partition has been consumed.
    const marker: AccessRequestEvent = {
      event: 'REQUESTED',
      request: request({ reason: 'marker' }),
    };
    // The requests service keys by (user, resource): all of these share a partition, in order.
    const send = (e: AccessRequestEvent) =>
      producer.send(TOPICS.accessRequests, [{ key: grantKey({ userId, resourceId }), value: e }]);
    await send(approved);
    await send(denied);
    await send(approved); // redelivery (e.g. the requests outbox relayed it twice)
    await send(marker);

    type Entry = {
      category: string;
      action: string;
      actorId: string | null;
      entityId: string;
      resourceId: string;
      userId: string;
      before: unknown;
      after: Record<string, unknown>;
      at: string;
    };
    const entries = await waitFor(
      async () => {
        const res = await h.call(
          'GET',
          `/v1/audit-logs?category=ACCESS&resourceId=${resourceId}`,
          reader,
        );
        if (res.status !== 200) throw new Error(`audit-logs → ${res.status} ${res.text}`);
        const list = (res.body as { items: Entry[] }).items;
        return list.some((e) => e.entityId === marker.request.id) ? list : undefined;
      },
      { timeoutMs: 60_000, what: 'the request events in the audit log' },
    );

    const of = (id: string) => entries.filter((e) => e.entityId === id);
    expect(of(approved.request.id)).toEqual([
      expect.objectContaining({
        category: 'ACCESS',
        action: 'request.approved',
        actorId: alice,
        userId,
        resourceId,
        before: { status: 'PENDING' },
        after: expect.objectContaining({ status: 'APPROVED', reviewerId: alice, note: 'ok' }),
      }),
    ]);
    expect(Date.parse(of(approved.request.id)[0].at)).toBe(Date.parse(at(10)));
    expect(of(denied.request.id)).toEqual([
      expect.objectContaining({
        category: 'ACCESS',
        action: 'request.denied',
        actorId: bob,
        after: expect.objectContaining({ status: 'DENIED', reviewerId: bob, note: 'not now' }),
      }),
    ]);
    expect(of(marker.request.id)).toEqual([
      expect.objectContaining({ action: 'request.requested', actorId: userId }),
    ]);
    expect(entries).toHaveLength(3);

    // Newest first by decision time: the denial (t+20 s) before the approval (t+10 s).
    const ids = entries.map((e) => e.entityId);
    expect(ids.indexOf(denied.request.id)).toBeLessThan(ids.indexOf(approved.request.id));
  });
});
