/**
 * Harness for the grant workflow integration tests: a time-skipping test server, the production
 * workflow bundle (built once per file by tools/scripts/build-workflow-bundle.ts, the script CI
 * and `npm start` run), and four Workers — `grants` (workflow + publishGrantState),
 * `access-tracking` (latestAccess), `requests` (recordRequest) and `policy` (recordAdminUnlock) —
 * each hosting in-memory test
 * activities, as the owning services will in production. All queues carry a per-harness prefix.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Worker } from '@temporalio/worker';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  ACTIVITY_TASK_QUEUES,
  GRANT_TASK_QUEUE,
  GRANT_WORKFLOW_TYPE,
  LIMITS,
  SEARCH_ATTRIBUTES,
  grantSearchAttributes,
  grantKey,
  grantWorkflowId,
  revokeSignal,
  stateQuery,
  taskQueue,
  type AccessTrackingActivities,
  type EffectivePolicy,
  type GrantState,
  type GrantStateActivities,
  type AdminUnlockRecord,
  type GrantView,
  type PolicyActivities,
  type RequestActivities,
} from '@lapse/contracts';
import { initialGrantState } from '@lapse/domain';
import type { AccessGrantWorkflow } from '../index';
import type { RequestRecord } from '../grant-machine';
import { startTimeSkippingTestEnv, waitFor, type TimeSkippingTestEnv } from '@lapse/testing';

const WORKSPACE_ROOT = resolve(__dirname, '../../../..');

/**
 * Builds the workflow bundle with the production bundle script (a child process: the tests
 * exercise the artifact the worker ships, and the workflow lib never imports the worker app).
 */
export async function buildWorkflowBundleFile(): Promise<string> {
  const out = join(tmpdir(), `lapse-grant-workflow-${randomUUID()}.js`);
  await promisify(execFile)(
    process.execPath,
    [
      '-r',
      '@swc-node/register',
      join(WORKSPACE_ROOT, 'tools/scripts/build-workflow-bundle.ts'),
      out,
    ],
    { cwd: WORKSPACE_ROOT },
  );
  return out;
}

export type GrantHandle = WorkflowHandleWithFirstExecutionRunId<AccessGrantWorkflow>;

export const SECOND = 1000;
export const DAY = 86_400 * SECOND;

export interface StartGrantOptions {
  policy: EffectivePolicy;
  userId?: string;
  resourceId?: string;
  /** Default: the test server's current time. */
  createdAt?: string;
  requestTtlSeconds?: number;
  /** Start it as a starter that sets no grant state search attribute (an older client). */
  withoutStateAttribute?: boolean;
}

export class GrantHarness {
  /** Every view published, in order. */
  readonly published: GrantView[] = [];
  /** Every request record delivered, in order. */
  readonly records: RequestRecord[] = [];
  /** Every admin unlock delivered to the audit log (policy's activity), in order. */
  readonly unlocks: AdminUnlockRecord[] = [];
  /** The access data owner's latest access per grant key (what latestAccess returns). */
  readonly accessLog = new Map<string, string>();
  latestAccessCalls = 0;
  /** When set, latestAccess fails (to test the fallback). */
  latestAccessFails = false;

  private readonly handles: GrantHandle[] = [];
  private workers: Worker[] = [];
  private running: Promise<unknown> | undefined;

  private constructor(
    readonly server: TimeSkippingTestEnv,
    readonly prefix: string,
    private readonly bundlePath: string,
  ) {}

  get env(): TestWorkflowEnvironment {
    return this.server.env;
  }

  static async start(): Promise<GrantHarness> {
    const [server, bundlePath] = await Promise.all([
      startTimeSkippingTestEnv({ searchAttributes: Object.values(SEARCH_ATTRIBUTES) }),
      buildWorkflowBundleFile(),
    ]);
    const h = new GrantHarness(server, `t-${randomUUID().slice(0, 8)}-`, bundlePath);
    try {
      await h.startWorkers();
    } catch (err) {
      await server.teardown();
      rmSync(bundlePath, { force: true });
      throw err;
    }
    return h;
  }

  private async startWorkers(): Promise<void> {
    const { nativeConnection: connection, namespace = 'default' } = this.env;
    const grantState: GrantStateActivities = {
      publishGrantState: async (view) => {
        this.published.push(view);
      },
    };
    const accessTracking: AccessTrackingActivities = {
      latestAccess: async ({ userId, resourceId }) => {
        this.latestAccessCalls++;
        if (this.latestAccessFails) throw new Error('access-tracking is down');
        return this.accessLog.get(grantKey({ userId, resourceId })) ?? null;
      },
    };
    const requests: RequestActivities = {
      recordRequest: async (record) => {
        this.records.push(record);
      },
    };
    const policy: PolicyActivities = {
      recordAdminUnlock: async (record) => {
        this.unlocks.push(record);
      },
    };
    const prefix = this.prefix;
    this.workers = await Promise.all([
      Worker.create({
        connection,
        namespace,
        taskQueue: taskQueue(GRANT_TASK_QUEUE, prefix),
        workflowBundle: { codePath: this.bundlePath },
        activities: grantState,
      }),
      Worker.create({
        connection,
        namespace,
        taskQueue: taskQueue(ACTIVITY_TASK_QUEUES.accessTracking, prefix),
        activities: accessTracking,
      }),
      Worker.create({
        connection,
        namespace,
        taskQueue: taskQueue(ACTIVITY_TASK_QUEUES.requests, prefix),
        activities: requests,
      }),
      Worker.create({
        connection,
        namespace,
        taskQueue: taskQueue(ACTIVITY_TASK_QUEUES.policy, prefix),
        activities: policy,
      }),
    ]);
    this.running = Promise.all(this.workers.map((w) => w.run()));
  }

  async teardown(): Promise<void> {
    await this.endAll();
    for (const w of this.workers) if (w.getState() === 'RUNNING') w.shutdown();
    await this.running?.catch(() => undefined);
    await this.server.teardown();
    rmSync(this.bundlePath, { force: true });
  }

  /**
   * Ends the workflows started so far (between tests, so timers of old grants never fire): by the
   * `revoke` signal, awaiting the result. Not by terminate: the Java test server leaks a
   * time-skipping lock when a workflow that handled updates is terminated, and every later
   * `env.sleep` then runs in real time. Terminate stays the fallback for a stuck workflow.
   */
  async endAll(): Promise<void> {
    await Promise.all(
      this.handles.splice(0).map(async (h) => {
        try {
          await h.signal(revokeSignal, {});
          await Promise.race([
            h.result(),
            new Promise((_, reject) =>
              setTimeout(() => reject(new Error('revoke timed out')), 10_000).unref(),
            ),
          ]);
        } catch {
          await h.terminate('test over').catch(() => undefined);
        }
      }),
    );
  }

  async now(): Promise<number> {
    return this.env.currentTimeMs();
  }

  async startGrant(o: StartGrantOptions): Promise<GrantHandle> {
    const userId = o.userId ?? randomUUID();
    const resourceId = o.resourceId ?? randomUUID();
    const createdAt = o.createdAt ?? new Date(await this.now()).toISOString();
    const handle = await this.env.client.workflow.start<AccessGrantWorkflow>(GRANT_WORKFLOW_TYPE, {
      workflowId: grantWorkflowId({ userId, resourceId }),
      taskQueue: taskQueue(GRANT_TASK_QUEUE, this.prefix),
      args: [
        {
          userId,
          resourceId,
          policy: o.policy,
          createdAt,
          requestTtlSeconds: o.requestTtlSeconds ?? LIMITS.defaultRequestTtlSeconds,
          taskQueuePrefix: this.prefix,
        },
      ],
      typedSearchAttributes: grantSearchAttributes({
        userId,
        resourceId,
        state: initialGrantState(o.policy),
      }).filter(({ key }) => !o.withoutStateAttribute || key !== SEARCH_ATTRIBUTES.grantState),
    });
    this.handles.push(handle);
    return handle;
  }

  /** Skips server time to `atMs` (epoch ms); deadlines are computed from server times, so
   * real time spent between steps never shifts them. */
  async sleepUntil(atMs: number): Promise<void> {
    const delta = atMs - (await this.now());
    if (delta > 0) await this.env.sleep(delta);
  }

  state(h: GrantHandle): Promise<GrantView> {
    return h.query(stateQuery);
  }

  /** Polls the `state` query until `predicate` holds (real time, short intervals; no time skipped). */
  waitFor(
    h: GrantHandle,
    predicate: (v: GrantView) => boolean,
    what = 'grant state',
  ): Promise<GrantView> {
    return waitFor(
      async () => {
        const v = await this.state(h);
        if (predicate(v)) return v;
        throw new Error(`last: ${JSON.stringify(v)}`);
      },
      { what, intervalMs: 25 },
    );
  }

  waitForState(h: GrantHandle, state: GrantState): Promise<GrantView> {
    return this.waitFor(h, (v) => v.state === state, `state ${state}`);
  }

  /** Waits until the latest published view of `h` has caught up with its current version. */
  async waitForPublished(h: GrantHandle): Promise<GrantView> {
    const v = await this.state(h);
    await this.waitFor(
      h,
      () => this.publishedFor(v).some((p) => p.version === v.version),
      `publish of v${v.version}`,
    );
    return v;
  }

  publishedFor(v: { userId: string; resourceId: string }): GrantView[] {
    return this.published.filter((p) => p.userId === v.userId && p.resourceId === v.resourceId);
  }

  recordsFor(v: { userId: string; resourceId: string }): RequestRecord[] {
    return this.records.filter(
      (r) => r.request.userId === v.userId && r.request.resourceId === v.resourceId,
    );
  }

  /** Records an access in the data owner only (no signal), like a coalesced or lost signal. */
  recordAccessOnly(v: { userId: string; resourceId: string }, atMs: number): void {
    this.accessLog.set(grantKey(v), new Date(atMs).toISOString());
  }
}

/** A policy with the given parts (no expiry, one source group). */
export function policyOf(parts: Partial<EffectivePolicy>): EffectivePolicy {
  return {
    autoLock: null,
    accessRequests: null,
    expiresAt: null,
    sourceGroupIds: ['g-test'],
    ...parts,
  };
}

const HistoryType = temporal.api.history.v1.History;

/** The event types of `events`, named as in the Temporal UI (WorkflowTaskCompleted…), counted. */
export function countEvents(
  events: temporal.api.history.v1.IHistoryEvent[],
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of events) {
    const name = temporal.api.enums.v1.EventType[e.eventType ?? 0]
      .replace(/^EVENT_TYPE_/, '')
      .toLowerCase()
      .replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase());
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/**
 * A recorded history as committed JSON (protobufjs object form: enum names, int64 and bytes as
 * strings). Not `historyToJSON`: in this install @temporalio/common and @temporalio/proto carry
 * different protobufjs copies and its proto3-JSON converter throws "type must be a Type".
 */
export function historyToFixture(history: temporal.api.history.v1.IHistory): string {
  const obj = HistoryType.toObject(HistoryType.fromObject(history), {
    longs: String,
    enums: String,
    bytes: String,
  });
  return JSON.stringify(obj, null, 1) + '\n';
}

export function historyFromFixture(json: string): temporal.api.history.v1.History {
  return HistoryType.fromObject(JSON.parse(json) as Record<string, unknown>);
}
