import { randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';
import { TOPICS, grantKey } from '@lapse/contracts';
import { waitFor, startServiceProcess, type RunningService } from '@lapse/testing';
import { createHarness, grantRecord, publishGrants, type Harness } from '../testing/integration';

/** SIGKILL the ingesting process mid-stream, restart it: every event's effect is present. */
describe('access-tracking crash recovery (child process, SIGKILL)', () => {
  let h: Harness;
  let service: RunningService | undefined;
  let pg: PgClient;
  const GRANTS = 40;
  const EVENTS = 20_000;

  const readLatest = async (): Promise<Map<string, number>> => {
    const rows: { user_id: string; resource_id: string; ms: string }[] = (
      await pg.query(
        `SELECT user_id, resource_id, (extract(epoch from last_access_at) * 1000)::bigint AS ms FROM access_tracking.last_access`,
      )
    ).rows;
    return new Map(
      rows.map((r) => [grantKey({ userId: r.user_id, resourceId: r.resource_id }), Number(r.ms)]),
    );
  };
  const start = () =>
    startServiceProcess('access-tracking', {
      ...h.env,
      LAPSE_ACTIVITY_HOST_ENABLED: 'false',
    });

  beforeAll(async () => {
    h = await createHarness('access_tracking_crash');
    pg = new PgClient({ connectionString: h.db.url });
    await pg.connect();
  });

  afterAll(async () => {
    await service?.stop('SIGKILL');
    await pg?.end();
    await h?.close();
  });

  it('loses no event when the consumer is killed mid-batch and restarted', async () => {
    const resourceId = randomUUID();
    const grants = Array.from({ length: GRANTS }, () => ({ userId: randomUUID(), resourceId }));
    await publishGrants(
      h.producer,
      grants.map((g) => grantRecord(g.userId, g.resourceId, 'ACTIVE', 1)),
    );
    service = await start();

    // Random, out-of-order event times; remember the max per grant.
    const base = Date.now() - 3_600_000;
    const expected = new Map<string, number>();
    const events = Array.from({ length: EVENTS }, (_, i) => {
      const g = grants[i % GRANTS];
      const at = base + Math.floor(Math.random() * 3_000_000);
      const key = grantKey(g);
      expected.set(key, Math.max(expected.get(key) ?? 0, at));
      return {
        key,
        value: {
          userId: g.userId,
          resourceId: g.resourceId,
          occurredAt: new Date(at).toISOString(),
        },
      };
    });

    const chunks: (typeof events)[] = [];
    for (let i = 0; i < events.length; i += 500) chunks.push(events.slice(i, i + 500));
    let sent = 0;
    const publishing = (async () => {
      for (const c of chunks) {
        await h.producer.send(TOPICS.usage, c);
        sent++;
      }
    })();

    // Kill -9 as soon as some (not all) effects are durable: the in-flight batch is lost mid-way.
    await waitFor(async () => ((await readLatest()).size > 0 ? true : undefined), {
      intervalMs: 20,
      what: 'first durable write',
    });
    const code = await service.stop('SIGKILL');
    expect(code).toBeNull(); // killed by the signal, no clean exit
    const atKill = await readLatest();
    await publishing;
    expect(sent).toBe(chunks.length);
    const incomplete = [...expected].filter(([k, at]) => atKill.get(k) !== at).length;

    service = await start();
    const final = await waitFor(
      async () => {
        const now = await readLatest();
        return [...expected].every(([k, at]) => now.get(k) === at) ? now : undefined;
      },
      { timeoutMs: 60_000, what: 'every grant at its latest event time' },
    );
    // Suites share the topics, so this database may also hold other suites' grants: count ours.
    expect([...final.keys()].filter((k) => k.endsWith(`:${resourceId}`))).toHaveLength(GRANTS);
    // The restart had work left to do (else the kill proved nothing).
    expect(incomplete).toBeGreaterThan(0);
  });
});
