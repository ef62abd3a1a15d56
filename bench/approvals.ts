/**
 * `npm run bench -- approvals`: reviewers approving just-in-time requests, on the Temporal server
 * proper (the bench stack). `--requests` users in one group, assigned to a resource whose grants
 * are JIT with MANUAL approval (they start LOCKED, rule 4); each user asks for access through the
 * requests service; then `--reviewers` ACCESS_REVIEWERs approve them concurrently, each taking the
 * next open request. Per request: approve call → decisions answer ACTIVE (allowed), polled every
 * `--pollMs` by the reviewer who approved it; also the approve call alone. Goal: p99 ≤ 300 ms.
 * The requests service caches policy's answers for `--policyCacheMs` (default 5000, its production
 * default; 0 is the test stack's setting).
 */
import { Client } from '@temporalio/client';
import { signProxyToken } from '@lapse/auth';
import { grantWorkflowId } from '@lapse/contracts';
import { connectTemporal } from '@lapse/temporal';
import { stackTemporalSettings } from '@lapse/testing';
import { startLapseStack } from '@lapse/testing/lapse-stack';
import { STAGES, approvalStages, type ApprovalTimes, type Stage } from './lib/approval-stages';
import { round } from './lib/args';
import { benchProcesses, benchStackPid, benchStackSetup, saveStackLogs } from './lib/bench-stack';
import { benchRun } from './lib/bench-run';
import { profileEnv } from './lib/cpu-profile-env';
import { awaitDecisions, latencySummary } from './lib/lapse-watch';
import { sampleMachine, sampleProcesses } from './lib/proc-usage';
import { seedGroupMembers } from './lib/seed';

export async function runApprovalsBench(argv: string[]): Promise<void> {
  const { opts, log, write } = benchRun('approvals', argv, {
    requests: 2000,
    reviewers: 50,
    pollMs: 10,
    sample: 200,
    timeoutSeconds: 1800,
    profile: '',
    policyCacheMs: 5000,
  });
  const runId = `a${Date.now().toString(36)}`;
  log('starting policy, access-tracking, requests and the grant worker (processes)…');
  const s = await startLapseStack('bench-approvals', {
    services: ['access-tracking', 'requests'],
    grantWorker: 'process',
    env: { LOG_LEVEL: 'warn', ...profileEnv(opts.profile) },
    // The production default (the test stack turns the cache off so tests see changes at once).
    serviceEnv: { requests: { LAPSE_POLICY_CACHE_MS: String(opts.policyCacheMs) } },
  });
  try {
    const requestsUrl = s.services.requests?.url as string;
    const decisionsUrl = `${s.services['access-tracking']?.url}/v1/decisions`;
    const proxyToken = await signProxyToken(s.serviceSecret, 'bench-approvals');
    const resource = await s.admin.resource(`Approvals ${runId}`, {
      autoLock: null,
      accessRequests: { accessPeriodSeconds: 3600, approval: 'MANUAL' },
    });
    const group = await s.admin.group(`approvals-${runId}`, []);
    log(`seeding ${opts.requests} requesters and ${opts.reviewers} reviewers…`);
    const requesters = await seedGroupMembers(s.env.DATABASE_URL, {
      runId,
      prefix: 'requester',
      count: opts.requests,
      groupId: group.id,
    });
    const reviewers = await Promise.all(
      Array.from({ length: opts.reviewers }, (_, i) =>
        s.admin.user(`Reviewer ${i}`, `reviewer-${runId}-${i}@bench.lapse`, ['ACCESS_REVIEWER']),
      ),
    );
    const pairs = requesters
      .map((u) => ({ userId: u.id, resourceId: resource.id }))
      .sort((a, b) => (a.userId < b.userId ? -1 : 1));
    log(`assigning; waiting for ${opts.requests} JIT grants LOCKED (not yet requested)`);
    const t0 = performance.now();
    await s.admin.assign(resource.id, group.id);
    await awaitDecisions(pairs, t0, {
      decisionsUrl,
      token: proxyToken,
      state: 'LOCKED',
      pollMs: 250,
      window: 200,
      concurrency: 4,
      timeoutMs: opts.timeoutSeconds * 1000,
      progress: (n, total) => process.stdout.write(`\r  ${n}/${total} LOCKED   `),
    });
    process.stdout.write('\n');
    log(
      `grants ready after ${round((performance.now() - t0) / 1000)} s; requesters ask for access`,
    );

    const call = async (userId: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${requestsUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${await s.tokenFor(userId)}`,
          'content-type': 'application/json',
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`requests ${method} ${path} → ${res.status}: ${text}`);
      return JSON.parse(text) as { id: string; status: string };
    };
    const open: { id: string; userId: string }[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < requesters.length) {
          const u = requesters[next++];
          const r = await call(u.id, 'POST', '/v1/access-requests', {
            resourceId: resource.id,
            reason: 'bench: approve me',
          });
          open.push({ id: r.id, userId: u.id });
          if (open.length % 100 === 0)
            process.stdout.write(`\r  ${open.length}/${requesters.length} requested   `);
        }
      }),
    );
    process.stdout.write(`\r  ${open.length}/${requesters.length} requested\n`);

    const machine = sampleMachine();
    const processes = sampleProcesses({
      ...benchProcesses(s, [
        'requests',
        'access-tracking',
        'policy',
        'grant-worker',
        'temporal-server',
        'postgres',
      ]),
      kafka: { pid: benchStackPid('kafka') },
      bench: { pid: process.pid },
    });
    const tokens = await Promise.all(reviewers.map((r) => s.tokenFor(r.id)));
    const approveMs: number[] = [];
    const allowedMs: number[] = [];
    const approvals: (ApprovalTimes & { userId: string })[] = [];
    const stateOf = async (userId: string) => {
      const res = await fetch(`${decisionsUrl}?userId=${userId}&resourceId=${resource.id}`, {
        headers: { authorization: `Bearer ${proxyToken}` },
      });
      return ((await res.json()) as { state: string }).state;
    };
    log(`${opts.reviewers} reviewers approve ${open.length} requests`);
    const started = performance.now();
    let taken = 0;
    await Promise.all(
      tokens.map(async (token) => {
        while (taken < open.length) {
          const req = open[taken++];
          const t = performance.now();
          const calledAt = Date.now();
          const res = await fetch(`${requestsUrl}/v1/access-requests/${req.id}/approve`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ note: 'bench' }),
          });
          if (!res.ok) throw new Error(`approve → ${res.status}: ${await res.text()}`);
          approveMs.push(performance.now() - t);
          const answeredAt = Date.now();
          const deadline = t + opts.timeoutSeconds * 1000;
          while ((await stateOf(req.userId)) !== 'ACTIVE') {
            if (performance.now() > deadline)
              throw new Error(`request ${req.id} approved but not ACTIVE in decisions`);
            await new Promise((r) => setTimeout(r, opts.pollMs));
          }
          allowedMs.push(performance.now() - t);
          approvals.push({ userId: req.userId, calledAt, answeredAt, allowedAt: Date.now() });
          if (allowedMs.length % 50 === 0 || allowedMs.length === open.length)
            process.stdout.write(`\r  ${allowedMs.length}/${open.length} approved and allowed   `);
        }
      }),
    );
    process.stdout.write('\n');
    const seconds = (performance.now() - started) / 1000;
    const usage = processes.stop();
    const cpu = machine.stop();
    const cpuMsPerApproval = Object.fromEntries(
      Object.entries(usage).map(([name, u]) => [name, round((u.cpuSeconds * 1000) / open.length)]),
    );
    const cpuMsPerApprovalAll = round(Object.values(cpuMsPerApproval).reduce((a, b) => a + b, 0));
    const allowed = latencySummary(allowedMs);
    const approve = latencySummary(approveMs);
    log(`where the time goes: histories of ${Math.min(opts.sample, approvals.length)} approvals`);
    const stages = await stagesOf(approvals, resource.id, opts.sample);
    const file = write({
      setup: { ...benchStackSetup(s), ...opts },
      approveToAllowed: { what: 'approve call → ACTIVE in decisions', ...allowed },
      approveCall: { what: 'the approve call alone (baseline of the path)', ...approve },
      approvalsPerSecond: round(open.length / seconds),
      stages,
      processes: usage,
      cpu: {
        what:
          'machine: cores busy on average during the approvals (every process on it); ' +
          'perApprovalMs: CPU milliseconds per approval of each process watched, and their sum',
        machine: cpu,
        perApprovalMs: { ...cpuMsPerApproval, all: cpuMsPerApprovalAll },
      },
      goals: { p99MsAtMost: 300, p99Met: allowed.p99Ms <= 300 },
    });
    log(
      `CPU: machine ${cpu.coresBusy} of ${cpu.cores} cores busy; per approval ${cpuMsPerApprovalAll} ms (${Object.entries(
        cpuMsPerApproval,
      )
        .map(([n, ms]) => `${n} ${ms}`)
        .join(', ')})`,
    );
    for (const [stage, l] of Object.entries(stages.ms))
      log(`  ${stage.padEnd(18)} p50 ${l.p50Ms} ms  p99 ${l.p99Ms} ms`);
    log(
      `approve → allowed p50 ${allowed.p50Ms} ms p99 ${allowed.p99Ms} ms (approve call p99 ${approve.p99Ms} ms), ${round(open.length / seconds)} approvals/s → ${file}`,
    );
  } finally {
    await s.stop();
    log(`service logs: ${saveStackLogs('approvals', s)}`);
  }
}

/**
 * Where the time of `sample` approvals (every k-th, in the order they were answered) went, from
 * the grants' histories: latency summaries per stage (bench/lib/approval-stages.ts).
 */
async function stagesOf(
  approvals: (ApprovalTimes & { userId: string })[],
  resourceId: string,
  sample: number,
) {
  const step = Math.max(1, Math.floor(approvals.length / Math.max(1, sample)));
  const picked = approvals.filter((_, i) => i % step === 0).slice(0, sample);
  const connection = await connectTemporal(stackTemporalSettings(), 1);
  try {
    const client = new Client({
      connection,
      namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    });
    const byStage = Object.fromEntries(STAGES.map((s) => [s, [] as number[]])) as Record<
      Stage,
      number[]
    >;
    let unread = 0;
    for (const a of picked) {
      const history = await client.workflow
        .getHandle(grantWorkflowId({ userId: a.userId, resourceId }))
        .fetchHistory();
      const stages = approvalStages(history.events ?? [], a);
      if (!stages) {
        unread++;
        continue;
      }
      for (const s of STAGES) if (Number.isFinite(stages[s])) byStage[s].push(stages[s]);
    }
    return {
      what:
        "per sampled approval, from the bench's timestamps and the grant's history: " +
        'toWorkflow (call → review task scheduled), queued (→ a grant worker took it), ' +
        'workflowTask (→ completed, ACTIVE published), answer (→ the call returned), ' +
        'toDecisions (→ ACTIVE seen); off the path: the recordRequest activity ' +
        '(recordQueued, recordRun) and the workflow task after it (afterRecordQueued, afterRecordRun)',
      sampled: picked.length,
      unread,
      ms: Object.fromEntries(STAGES.map((s) => [s, latencySummary(byStage[s])])),
    };
  } finally {
    await connection.close();
  }
}
