import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Policy } from '@lapse/contracts';
import type { GrantClient } from '@lapse/grant-client';
import { counter, gauge } from '@lapse/platform';
import type { GrantRef } from '@lapse/contracts';
import type { GrantAction } from './grant-plan';
import { PickupWindow } from './pickup-window';
import { planResourceGrants } from './expected-grants';
import { SyncJobsRepository, type SyncJob } from './sync-jobs.repository';
import { queueExpiredAssignments } from './expiry';
import { SyncLeadership } from './leadership';
import { SyncWakeup } from './sync-wakeup';
import type { GrantReconciler } from './reconciler';
import { NO_POLICY } from '../resources/policy-input';

/**
 * What the sync needs of the grant client (a narrower type so tests can inject faults). Without
 * `taskWaiting` the sync is not paced.
 */
export type GrantDriver = Pick<GrantClient, 'apply' | 'revoke'> &
  Partial<Pick<GrantClient, 'taskWaiting'>>;

/** The sync's pacing (docs/decisions.md §25): grants it lets wait for a grant worker at once. */
export interface GrantSyncPacing {
  /** Grants sent whose workflow task may wait in the task queue; 0: unpaced. */
  window: number;
  /** While the window is full, how often to ask whether its middle grant was picked up (ms). */
  checkMs: number;
  /** A full window that does not move for this long is let go: the sync goes on (ms). */
  maxWaitMs: number;
}

export interface GrantSyncSettings {
  pageSize: number;
  concurrency: number;
  pollMs: number;
  logEvery: number;
  leaseMs?: number;
  /** Unset: unpaced. */
  pacing?: GrantSyncPacing;
}

const pairsSynced = counter(
  'lapse_policy_grant_sync_pairs_total',
  'Grant (user, resource) pairs synced to Temporal',
  ['action'],
);
const syncLeader = gauge(
  'lapse_policy_grant_sync_leader',
  '1 while this replica runs the grant sync (holds the advisory lock)',
);
const jobsFailed = counter(
  'lapse_policy_grant_sync_failures_total',
  'Grant sync job attempts that failed',
);
const windowSize = gauge(
  'lapse_policy_grant_sync_window',
  'Grants the sync sent whose workflow task may still wait for a grant worker',
);
const windowWaits = counter(
  'lapse_policy_grant_sync_window_waits_total',
  'Times the grant sync waited for a grant worker to pick up its grants (window full)',
);
const windowLetGo = counter(
  'lapse_policy_grant_sync_window_let_go_total',
  'Full windows let go after standing still for the max wait (no grant worker picking up)',
);

/**
 * Brings grant workflows in line with policy. Claims sync jobs in id order (lease + SKIP LOCKED),
 * walks the affected users a page at a time (keyset on user id: bounded memory for any group
 * size), computes each pair's effective policy from ALL the user's assignments to the resource,
 * and applies or revokes it. A job is done only when every pair is processed; re-running a job
 * (after a crash or a failure) is harmless because every call is idempotent.
 */
export class GrantSyncWorker {
  private readonly log = new Logger('grant-sync');
  private readonly jobs: SyncJobsRepository;
  /** Only the replica holding it runs jobs from `start()` (tests may call `tick()` directly). */
  readonly leadership: SyncLeadership;
  private stopped = true;
  /** Set by `stop()`: a sync waiting on its window goes on unpaced (tests drive `tick()` unstarted). */
  private stopping = false;
  private loop?: Promise<void>;
  private wake?: () => void;
  /** A job was announced since the loop last looked: look again before waiting. */
  private announced = false;
  /** Queued jobs wake the loop at once (LISTEN/NOTIFY); `pollMs` is the fallback. */
  private readonly wakeup: SyncWakeup;

  /** Rule 11: sweeps for drift between the sync's jobs, on the leader only (null: off). */
  readonly reconciler: GrantReconciler | null;

  /** Grants sent whose workflow task may still wait for a grant worker (pacing). */
  private readonly window: PickupWindow<GrantRef>;
  /** The one question about the window in flight, which every waiting lane awaits. */
  private asking?: Promise<void>;

  constructor(
    private readonly ds: DataSource,
    private readonly driver: GrantDriver,
    private readonly s: GrantSyncSettings,
    reconciler?: GrantReconciler,
  ) {
    this.jobs = new SyncJobsRepository(ds);
    this.leadership = new SyncLeadership(ds);
    this.wakeup = new SyncWakeup(
      ds,
      () => {
        this.announced = true;
        this.wake?.();
      },
      (err) => this.log.warn({ err }, 'grant sync lost its job announcements; polling until back'),
    );
    this.reconciler = reconciler ?? null;
    const paced = s.pacing && driver.taskWaiting ? s.pacing : undefined;
    this.window = new PickupWindow({
      size: paced?.window ?? 0,
      maxWaitMs: paced?.maxWaitMs ?? 0,
    });
  }

  private get leaseMs(): number {
    return this.s.leaseMs ?? 60_000;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping = true;
    this.wake?.();
    await this.loop;
    await this.wakeup.close();
    await this.leadership.release();
  }

  private async run(): Promise<void> {
    let leading: boolean | undefined;
    while (!this.stopped) {
      let worked = false;
      this.announced = false;
      try {
        const leads = await this.leadership.hold();
        if (leads !== leading)
          this.log.log(
            leads
              ? 'leading the grant sync (advisory lock held)'
              : 'not leading the grant sync: another replica does',
          );
        leading = leads;
        syncLeader.set(leads ? 1 : 0);
        if (leads) worked = (await this.tick()) > 0;
        if (leads && !worked) await this.reconciler?.maybeTick();
      } catch (err) {
        this.log.error({ err }, 'grant sync tick failed; will retry');
      }
      if (!worked && !this.stopped) {
        if (!this.wakeup.listening) {
          const listening = await this.wakeup.listen().then(
            () => true,
            (err: unknown) => {
              this.log.warn({ err }, 'cannot listen for grant sync jobs; polling');
              return false;
            },
          );
          // A job queued between the last look and LISTEN was announced to nobody: look again.
          if (listening) continue;
        }
        if (this.announced) continue;
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, this.s.pollMs);
          this.wake = () => (clearTimeout(t), resolve());
        });
      }
    }
  }

  /** Queues due expiries, then processes at most one job. Returns how many jobs ran. */
  async tick(): Promise<number> {
    await queueExpiredAssignments(this.ds);
    const job = await this.jobs.claim(this.leaseMs);
    if (!job) return 0;
    try {
      await this.process(job);
    } catch (err) {
      jobsFailed.inc();
      const backoff = Math.min(30_000, 200 * 2 ** Math.min(job.attempts, 8));
      this.log.warn(
        { err, jobId: job.id, attempts: job.attempts },
        `grant sync job ${job.id} failed; retrying in ${backoff} ms`,
      );
      await this.jobs.fail(job.id, (err as Error).message ?? String(err), backoff);
    }
    return 1;
  }

  /** Runs jobs until none is left (tests and drains). */
  async drain(): Promise<void> {
    while ((await this.tick()) > 0) {
      /* keep going */
    }
  }

  private async process(job: SyncJob): Promise<void> {
    const started = Date.now();
    let cursor = job.cursor;
    let done = job.pairsDone;
    let nextLog = Math.ceil((done + 1) / this.s.logEvery) * this.s.logEvery;
    const total = await this.totalUsers(job);
    this.log.log(
      { jobId: job.id, kind: job.kind, totalUsers: total, resumeAfter: cursor },
      `grant sync job ${job.id} started`,
    );
    for (;;) {
      const users = await this.userPage(job, cursor);
      if (users.length === 0) break;
      const resources = await this.resourcesOf(job);
      for (const r of resources) {
        const actions = await planResourceGrants(this.ds, r.id, r.policy, users);
        await this.execute(r.id, actions);
        done += actions.length;
      }
      cursor = users[users.length - 1];
      await this.jobs.progress(job.id, cursor, done, this.leaseMs);
      if (done >= nextLog) {
        this.log.log(
          { jobId: job.id, pairsDone: done, totalUsers: total },
          `grant sync job ${job.id}: ${done} pairs synced`,
        );
        nextLog = Math.ceil((done + 1) / this.s.logEvery) * this.s.logEvery;
      }
    }
    await this.jobs.complete(job.id, done);
    this.log.log(
      { jobId: job.id, pairsDone: done, ms: Date.now() - started },
      `grant sync job ${job.id} done`,
    );
  }

  private async totalUsers(job: SyncJob): Promise<number> {
    if (job.kind !== 'RESOURCE_GROUPS') return job.userIds?.length ?? 0;
    const rows: { n: string }[] = await this.ds.query(
      `SELECT count(DISTINCT user_id) AS n FROM policy.memberships WHERE group_id = ANY($1::uuid[])`,
      [job.groupIds],
    );
    return Number(rows[0].n);
  }

  /** The next page of affected users after `cursor`, in user id order. */
  private async userPage(job: SyncJob, cursor: string | null): Promise<string[]> {
    const after = cursor ?? '00000000-0000-0000-0000-000000000000';
    const rows: { user_id: string }[] =
      job.kind !== 'RESOURCE_GROUPS'
        ? await this.ds.query(
            `SELECT DISTINCT u AS user_id FROM unnest($1::uuid[]) AS u WHERE u > $2::uuid ORDER BY u LIMIT $3`,
            [job.userIds ?? [], after, this.s.pageSize],
          )
        : await this.ds.query(
            `SELECT DISTINCT user_id FROM policy.memberships WHERE group_id = ANY($1::uuid[]) AND user_id > $2::uuid
             ORDER BY user_id LIMIT $3`,
            [job.groupIds, after, this.s.pageSize],
          );
    return rows.map((r) => r.user_id);
  }

  /** The resources whose grants the job touches (one for RESOURCE_*; the group's for GROUP_USERS). */
  private async resourcesOf(job: SyncJob): Promise<{ id: string; policy: Policy }[]> {
    if (job.kind === 'RESOURCE_GROUPS') {
      return this.ds.query(`SELECT id, policy FROM policy.resources WHERE id = $1`, [
        job.resourceId,
      ]);
    }
    if (job.kind === 'RESOURCE_USERS') {
      // A deleted resource still has grants to end: planned with no assignment, they are revoked.
      const rows: { id: string; policy: Policy }[] = await this.ds.query(
        `SELECT id, policy FROM policy.resources WHERE id = $1`,
        [job.resourceId],
      );
      return rows.length ? rows : [{ id: job.resourceId as string, policy: NO_POLICY }];
    }
    return this.ds.query(
      `SELECT r.id, r.policy FROM policy.assignments a JOIN policy.resources r ON r.id = a.resource_id
       WHERE a.group_id = ANY($1::uuid[]) ORDER BY r.id`,
      [job.groupIds],
    );
  }

  private async execute(resourceId: string, actions: GrantAction[]): Promise<void> {
    const known = await this.knownGrants(resourceId, actions);
    let next = 0;
    const lane = async () => {
      while (next < actions.length) {
        await this.paced();
        if (next >= actions.length) break;
        const a = actions[next++];
        const grant = { userId: a.userId, resourceId };
        if (a.action === 'APPLY') await this.driver.apply(grant, a.policy, !known.has(a.userId));
        else await this.driver.revoke(grant, a.outcome);
        this.window.add(grant);
        windowSize.set(this.window.size);
        pairsSynced.inc({ action: a.action });
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.s.concurrency, actions.length) }, lane));
  }

  /**
   * The users among `actions` whose grant to the resource policy's grant-state projection knows
   * (any state): the others are most likely new, started without a `policyChanged` signal.
   */
  private async knownGrants(resourceId: string, actions: GrantAction[]): Promise<Set<string>> {
    const rows: { user_id: string }[] = await this.ds.query(
      `SELECT user_id FROM policy.grant_status WHERE resource_id = $1 AND user_id = ANY($2::uuid[])`,
      [resourceId, actions.map((a) => a.userId)],
    );
    return new Set(rows.map((r) => r.user_id));
  }

  /**
   * Returns once the window has room: while it is full, asks whether a grant worker has picked up
   * its middle grant's workflow task (one question at a time, every lane waiting on it), and
   * waits `checkMs` between questions. A question that fails counts as picked up: pacing only
   * delays, it never holds a grant back.
   */
  private async paced(): Promise<void> {
    while (this.window.full && !this.stopping) {
      this.asking ??= this.ask().finally(() => (this.asking = undefined));
      await this.asking;
    }
  }

  private async ask(): Promise<void> {
    const grant = this.window.probe();
    const taskWaiting = this.driver.taskWaiting;
    if (!grant || !taskWaiting) return;
    const waiting = await taskWaiting.call(this.driver, grant).catch((err: unknown) => {
      this.log.warn({ err }, 'cannot ask whether a grant worker picked up a grant; not waiting');
      return false;
    });
    const move = this.window.answer(grant, waiting, Date.now());
    windowSize.set(this.window.size);
    if (move === 'moved') return;
    if (move === 'let go') {
      windowLetGo.inc();
      this.log.warn(
        { maxWaitMs: this.s.pacing?.maxWaitMs },
        "no grant worker picked up the grant sync's grants for the max wait; going on unpaced for this window",
      );
      return;
    }
    windowWaits.inc();
    await new Promise((resolve) => setTimeout(resolve, this.s.pacing?.checkMs ?? 0));
  }

  pendingJobs(): Promise<number> {
    return this.jobs.pendingCount();
  }
}
