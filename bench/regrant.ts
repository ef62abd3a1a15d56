/**
 * `npm run bench -- regrant`: how long a user waits for access to come back after it was revoked
 * and given again (rule 11: a fresh grant, a new workflow run at a higher version). For each of
 * `--grants` users: assign → ACTIVE in decisions (the baseline: a first grant, measured in the
 * same run), revoke (group membership removed) → REVOKED, re-add → ACTIVE again. Latencies are from
 * the admin call's return to the first decision that answers ACTIVE, polled every `--pollMs`.
 * Goal: re-grant p99 ≤ 2 s.
 */
import { signProxyToken } from '@lapse/auth';
import { startLapseStack } from '@lapse/testing/lapse-stack';
import { waitFor } from '@lapse/testing';
import { round } from './lib/args';
import { benchRun } from './lib/bench-run';
import { latencySummary } from './lib/lapse-watch';

export async function runRegrantBench(argv: string[]): Promise<void> {
  const {
    opts: { grants, pollMs },
    log,
    write,
  } = benchRun('regrant', argv, { grants: 30, pollMs: 10 });
  log('starting policy, access-tracking and the grant workflow…');
  const s = await startLapseStack('bench-regrant', {
    services: ['access-tracking'],
    env: { LOG_LEVEL: 'warn' },
  });
  try {
    const proxyToken = await signProxyToken(s.serviceSecret, 'bench-regrant');
    const decisionsUrl = `${s.services['access-tracking']?.url}/v1/decisions`;
    const stateOf = async (userId: string, resourceId: string): Promise<string> => {
      const res = await fetch(`${decisionsUrl}?userId=${userId}&resourceId=${resourceId}`, {
        headers: { authorization: `Bearer ${proxyToken}` },
      });
      return ((await res.json()) as { state: string }).state;
    };
    /** Milliseconds from `since` until decisions answer `state` for the pair. */
    const until = async (userId: string, resourceId: string, state: string, since: number) => {
      await waitFor(
        async () => ((await stateOf(userId, resourceId)) === state ? true : undefined),
        { timeoutMs: 60_000, intervalMs: pollMs, what: `decision ${state}` },
      );
      return performance.now() - since;
    };
    const policy = {
      autoLock: { durationSeconds: 3600, approval: 'MANUAL' },
      accessRequests: null,
    };
    const first: number[] = [];
    const again: number[] = [];
    for (let i = 0; i < grants; i++) {
      const tag = `${s.suffix}-${i}`;
      const user = await s.admin.user(`Regrant ${i}`, `regrant-${tag}@bench.lapse`);
      const group = await s.admin.group(`regrant-${tag}`, [user.id]);
      const resource = await s.admin.resource(`Regrant ${tag}`, policy);
      let t = performance.now();
      await s.admin.assign(resource.id, group.id);
      first.push(await until(user.id, resource.id, 'ACTIVE', t));
      await s.admin.call('DELETE', `/v1/groups/${group.id}/members/${user.id}`);
      await until(user.id, resource.id, 'REVOKED', performance.now());
      t = performance.now();
      await s.admin.call('POST', `/v1/groups/${group.id}/members`, { userId: user.id });
      again.push(await until(user.id, resource.id, 'ACTIVE', t));
      process.stdout.write(`\r${i + 1}/${grants} grants revoked and given again`);
    }
    process.stdout.write('\n');
    const regrant = latencySummary(again);
    const baseline = latencySummary(first);
    const file = write({
      setup: {
        lapse:
          'policy and access-tracking as child processes, the grant workflow worker in-process, Temporal dev server',
        grants,
        pollMs,
      },
      firstGrant: baseline,
      regrant,
      p50Ratio: round(regrant.p50Ms / baseline.p50Ms),
      goals: { regrantP99MsAtMost: 2000, regrantP99Met: regrant.p99Ms <= 2000 },
    });
    log(
      `first grant p50 ${baseline.p50Ms} ms p99 ${baseline.p99Ms} ms; re-grant p50 ${regrant.p50Ms} ms p99 ${regrant.p99Ms} ms → ${file}`,
    );
  } finally {
    await s.stop();
  }
}
