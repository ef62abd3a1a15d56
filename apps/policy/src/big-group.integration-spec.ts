import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { EffectivePolicy } from '@lapse/contracts';
import { GrantSyncWorker } from './grant-sync/grant-sync.worker';
import { SyncJobsRepository } from './grant-sync/sync-jobs.repository';
import type { GrantDriver } from './grant-sync/grant-sync.worker';
import { PolicyHarness } from './testing/policy-harness';

const MEMBERS = 10_000;
const PAGE = 500;

/**
 * Scale: assigning a 10,000-member group. The sync worker here is the real GrantSyncWorker
 * (claim, keyset paging, planning from the user's assignments, progress, logging) on the real
 * database, with a GrantDriver that counts calls instead of starting 10,000 workflows on the
 * Temporal dev server (too slow for a test, see docs/policy.md): what is tested is the paging,
 * the bounded memory and the progress, not Temporal (grants.integration-spec covers that).
 */
describe('a 10,000-member group (real Postgres, the sync worker with a counting driver)', () => {
  let h: PolicyHarness;
  let admin: string;

  beforeAll(async () => {
    h = await PolicyHarness.start('policy_big_group', { sync: false });
    admin = await h.token(await h.seedUser('admin@example.com', ['ADMIN']));
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await h?.stop();
  });

  const api = (method: string, path: string, body?: unknown) => h.ok(method, path, admin, body);

  it('syncs every (user, resource) pair a page at a time, saving and logging progress', async () => {
    const g = (await api('POST', '/v1/groups', { name: 'everyone' })).id as string;
    const r = (
      await api('POST', '/v1/resources', {
        name: 'Wiki',
        address: 'wiki',
        policy: { autoLock: { durationSeconds: 86_400, approval: 'MANUAL' }, accessRequests: null },
      })
    ).id as string;
    await h.ds.query(
      `INSERT INTO policy.users (email, name) SELECT 'big' || i || '@x.io', 'Big ' || i FROM generate_series(1, ${MEMBERS}) AS i`,
    );
    await h.ds.query(
      `INSERT INTO policy.memberships (group_id, user_id) SELECT $1, id FROM policy.users WHERE email LIKE 'big%@x.io'`,
      [g],
    );
    expect((await api('GET', `/v1/groups/${g}`)).memberIds).toHaveLength(MEMBERS);

    expect((await h.call('PUT', `/v1/resources/${r}/assignments/${g}`, admin, {})).status).toBe(
      201,
    );
    const [job]: { id: string }[] = await h.ds.query(
      `SELECT id FROM policy.grant_sync_jobs WHERE NOT done`,
    );
    expect(job).toBeDefined();

    // The driver: counts calls per user and the calls in flight.
    const applied = new Map<string, EffectivePolicy>();
    let inFlight = 0;
    let maxInFlight = 0;
    let revokes = 0;
    const driver: GrantDriver = {
      apply: async ({ userId, resourceId }, policy) => {
        expect(resourceId).toBe(r);
        maxInFlight = Math.max(maxInFlight, ++inFlight);
        await Promise.resolve();
        applied.set(userId, policy);
        inFlight--;
      },
      revoke: async () => {
        revokes++;
      },
    };
    // Every query the worker makes goes through this: the largest result it ever fetched.
    let largestResult = 0;
    const ds = new Proxy(h.ds, {
      get(target, prop) {
        if (prop === 'query') {
          return async (sql: string, params?: unknown[]) => {
            const rows: unknown = await target.query(sql, params);
            const n =
              Array.isArray(rows) && rows.length === 2 && Array.isArray(rows[0])
                ? rows[0].length
                : Array.isArray(rows)
                  ? rows.length
                  : 0;
            largestResult = Math.max(largestResult, n);
            return rows;
          };
        }
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    }) as DataSource;
    const progress: { cursor: string; done: number; appliedSoFar: number }[] = [];
    const save = SyncJobsRepository.prototype.progress;
    jest.spyOn(SyncJobsRepository.prototype, 'progress').mockImplementation(function (
      this: SyncJobsRepository,
      id,
      cursor,
      done,
      leaseMs,
    ) {
      progress.push({ cursor, done, appliedSoFar: applied.size });
      return save.call(this, id, cursor, done, leaseMs);
    });
    const logs: string[] = [];
    jest.spyOn(Logger.prototype, 'log').mockImplementation(function (
      this: Logger,
      ...args: unknown[]
    ) {
      if (this.context === 'grant-sync')
        logs.push(args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    });

    const worker = new GrantSyncWorker(ds, driver, {
      pageSize: PAGE,
      concurrency: 16,
      pollMs: 50,
      logEvery: 1000,
    });
    expect(await worker.tick()).toBe(1);

    // Every pair, once, with the resource default; nothing revoked.
    expect(applied.size).toBe(MEMBERS);
    expect(revokes).toBe(0);
    expect(applied.get(progress[0].cursor)).toEqual(
      expect.objectContaining({
        autoLock: { durationSeconds: 86_400, approval: 'MANUAL' },
        sourceGroupIds: [g],
      }),
    );
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(16);
    // Bounded memory: 20 pages of 500, progress saved after each, no query fetched more than a page.
    expect(progress.map((p) => p.done)).toEqual(
      Array.from({ length: MEMBERS / PAGE }, (_, i) => (i + 1) * PAGE),
    );
    expect(progress.every((p) => p.appliedSoFar === p.done)).toBe(true);
    expect(progress.map((p) => p.cursor)).toEqual([...progress.map((p) => p.cursor)].sort());
    expect(largestResult).toBe(PAGE);
    // The job is done in the database with its pair count.
    const [row]: { done: boolean; pairs_done: string }[] = await h.ds.query(
      `SELECT done, pairs_done FROM policy.grant_sync_jobs WHERE id = $1`,
      [job.id],
    );
    expect({ done: row.done, pairsDone: Number(row.pairs_done) }).toEqual({
      done: true,
      pairsDone: MEMBERS,
    });
    expect(await worker.pendingJobs()).toBe(0);
    // Progress in the logs: start, every 1,000 pairs, done.
    expect(logs[0]).toContain(`grant sync job ${job.id} started`);
    expect(logs[0]).toContain(`"totalUsers":${MEMBERS}`);
    for (let n = 1000; n <= MEMBERS; n += 1000)
      expect(logs).toContainEqual(
        expect.stringContaining(`grant sync job ${job.id}: ${n} pairs synced`),
      );
    expect(logs.filter((l) => l.includes('pairs synced'))).toHaveLength(MEMBERS / 1000);
    expect(logs[logs.length - 1]).toContain(`grant sync job ${job.id} done`);
  });
});
