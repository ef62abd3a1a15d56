import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { signProxyToken } from '@lapse/auth';
import { grantKey, type GrantRef, type GrantStateEvent } from '@lapse/contracts';
import { waitFor } from '@lapse/testing';
import { LOCK_DUE_REASON } from '../decisions/decision';
import { GrantProjection } from '../grants/grant-projection';
import { IngestionFreshness } from '../kafka/freshness';
import {
  SERVICE_SECRET,
  bootApp,
  createHarness,
  publishGrants,
  publishUsage,
  type Harness,
} from '../testing/integration';
import { LastAccessRepository } from '../usage/last-access.repository';
import { UsageIngestor } from '../usage/usage.ingestor';
import { LockDueSweep } from './lock-due-sweep';

interface DecisionBody {
  allowed: boolean;
  state: string;
  reason: string;
  lockedAt?: string;
}

/**
 * The lock-due sweep on real Kafka and Postgres (rule 1): grant-state records published here as
 * the workflow would (no workflow runs, so every refusal below comes before any workflow record);
 * uses go through the real usage topic into the last-access table the sweep reads.
 */
describe('lock due: decisions enforce an auto-lock the moment it is due', () => {
  let h: Harness;
  let app: INestApplication;
  let url: string;
  let token: string;
  let version = Date.now() * 1000;

  beforeAll(async () => {
    h = await createHarness('access_tracking_lock_due');
    // A short freshness bound: the suite's last test stops ingestion and waits past it.
    ({ app, url } = await bootApp(h.config({ LAPSE_ACCESS_FRESHNESS_MS: '3000' })));
    token = await signProxyToken(SERVICE_SECRET, 'proxy-test');
  });

  afterAll(async () => {
    await app?.close();
    await h?.close();
  });

  const newGrant = (): GrantRef => ({ userId: randomUUID(), resourceId: randomUUID() });
  /** An ACTIVE record as the workflow publishes it, its deadline at `autoLockAt`. */
  const activeRecord = (g: GrantRef, autoLockAt: number, durationSeconds: number) =>
    ({
      ...g,
      state: 'ACTIVE',
      lastAccessAt: null,
      lockedAt: null,
      activeUntil: null,
      expiresAt: null,
      autoLockAt: new Date(autoLockAt).toISOString(),
      autoLockDurationSeconds: durationSeconds,
      version: ++version,
    }) satisfies GrantStateEvent;
  const decisionOf = async (g: GrantRef): Promise<DecisionBody> => {
    const res = await fetch(`${url}/v1/decisions?userId=${g.userId}&resourceId=${g.resourceId}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return (await res.json()) as DecisionBody;
  };
  const projected = (g: GrantRef) => app.get(GrantProjection).get(grantKey(g));
  const known = (g: GrantRef, v: number) =>
    waitFor(() => (projected(g)?.version === v ? true : undefined), {
      what: `version ${v} in the projection`,
    });

  it('no use: decisions answer LOCKED from the deadline on, before any workflow record', async () => {
    const g = newGrant();
    const deadline = Date.now() + 2000;
    const record = activeRecord(g, deadline, 2);
    await publishGrants(h.producer, [record]);
    const answers: { at: number; d: DecisionBody }[] = [];
    const locked = await waitFor(
      async () => {
        const d = await decisionOf(g);
        answers.push({ at: Date.now(), d });
        return d.state === 'LOCKED' ? d : undefined;
      },
      { what: 'LOCKED in decisions' },
    );
    expect(locked).toEqual({
      allowed: false,
      state: 'LOCKED',
      reason: LOCK_DUE_REASON,
      lockedAt: new Date(deadline).toISOString(),
    });
    // Allowed until its deadline (NO_GRANT only until the projection has the record), refused
    // from then on, never before.
    const earlier = answers.filter((x) => x.d.state !== 'LOCKED');
    expect(earlier.every((x) => x.d.state === 'NO_GRANT' || x.d.allowed)).toBe(true);
    expect(answers.filter((x) => x.d.state === 'LOCKED').every((x) => x.at >= deadline)).toBe(true);
    expect(projected(g)?.version).toBe(record.version);

    // The workflow's own LOCKED record (a higher version) replaces the provisional answer.
    const lockedAt = new Date(deadline + 700).toISOString();
    await publishGrants(h.producer, [
      { ...record, state: 'LOCKED', lockedAt, autoLockAt: null, version: ++version },
    ]);
    await waitFor(
      async () => ((await decisionOf(g)).reason !== LOCK_DUE_REASON ? true : undefined),
      { what: 'the workflow’s LOCKED record' },
    );
    expect(await decisionOf(g)).toEqual({
      allowed: false,
      state: 'LOCKED',
      reason: 'grant is locked: request access to unlock it',
      lockedAt,
    });
    expect(projected(g)?.lockDueAt).toBeNull();
  });

  it('a recorded use: stays allowed and the deadline moves; locks a period after that use', async () => {
    const g = newGrant();
    // Known first (a use of an unknown grant goes to the dead-letter topic).
    const first = activeRecord(g, Date.now() + 3_600_000, 3600);
    await publishGrants(h.producer, [first]);
    await known(g, first.version);
    const usedAt = new Date();
    await publishUsage(h.producer, g.userId, g.resourceId, [usedAt]);
    await waitFor(
      async () =>
        (await app.get(LastAccessRepository).latestAccess(g.userId, g.resourceId)) ?? undefined,
      { what: 'the use recorded' },
    );
    // The workflow, not told of the use, shortens the period (a policy change): its deadline is
    // its clock's start + 4 s, already past; the recorded use moves it to use + 4 s.
    const shorter = activeRecord(g, Date.now() - 1, 4);
    await publishGrants(h.producer, [shorter]);
    const moved = usedAt.getTime() + 4000;
    await waitFor(() => (projected(g)?.autoLockAt === moved ? true : undefined), {
      what: 'the deadline moved to the use + the period',
    });
    const before = await decisionOf(g);
    if (Date.now() < moved) expect(before).toMatchObject({ allowed: true, state: 'ACTIVE' });
    expect(projected(g)?.lockDueAt).toBeNull();

    const locked = await waitFor(
      async () => {
        const d = await decisionOf(g);
        return d.state === 'LOCKED' ? { d, at: Date.now() } : undefined;
      },
      { what: 'LOCKED a period after the use' },
    );
    expect(locked.at).toBeGreaterThanOrEqual(moved);
    expect(locked.d).toMatchObject({
      allowed: false,
      reason: LOCK_DUE_REASON,
      lockedAt: new Date(moved).toISOString(),
    });
  });

  it('a use ingested after the mark, dated after it, does not lift it (rule 2)', async () => {
    const g = newGrant();
    const deadline = Date.now() + 500;
    await publishGrants(h.producer, [activeRecord(g, deadline, 60)]);
    await waitFor(() => (projected(g)?.lockDueAt === deadline ? true : undefined), {
      what: 'marked lock due',
    });
    const usedAt = new Date();
    await publishUsage(h.producer, g.userId, g.resourceId, [usedAt]);
    await waitFor(
      async () =>
        (await app.get(LastAccessRepository).latestAccess(g.userId, g.resourceId)) ?? undefined,
      { what: 'the later use recorded' },
    );
    // The one re-check of the mark, due the freshness bound (3 s) after it: a sweep as of 5 s on.
    expect(await app.get(LockDueSweep).sweep(Date.now() + 5000)).toBeGreaterThan(0);
    const checksLeft = app
      .get(GrantProjection)
      .lockChecksDue(Date.now() + 3_600_000, 3000, 1_000_000)
      .map((c) => c.key);
    expect(checksLeft).not.toContain(grantKey(g)); // re-checked: nothing more to check
    expect(projected(g)?.lockDueAt).toBe(deadline);
    expect(await decisionOf(g)).toMatchObject({ state: 'LOCKED', reason: LOCK_DUE_REASON });
  });

  it('ingestion not current: no mark (the workflow decides)', async () => {
    const g = newGrant();
    const other = newGrant();
    const first = activeRecord(other, Date.now() + 3_600_000, 3600);
    await publishGrants(h.producer, [first]);
    await known(other, first.version);
    // Ingestion stops with a use waiting in Kafka: the access data falls behind.
    await app.get(UsageIngestor).onApplicationShutdown();
    await publishUsage(h.producer, other.userId, other.resourceId, [new Date()]);
    const freshness = app.get(IngestionFreshness);
    await waitFor(() => (freshness.accessDataCurrent().current ? undefined : true), {
      what: 'access data not current',
    });

    const record = activeRecord(g, Date.now() - 1000, 60);
    await publishGrants(h.producer, [record]);
    await known(g, record.version);
    expect(await app.get(LockDueSweep).sweep()).toBe(0);
    expect(projected(g)).toMatchObject({
      lockDueAt: null,
      autoLockAt: Date.parse(record.autoLockAt),
    });
    expect(await decisionOf(g)).toMatchObject({ allowed: true, state: 'ACTIVE' });
  });
});
