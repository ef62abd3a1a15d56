/**
 * The grant worker's /metrics carries the Temporal SDK's own worker metrics (the core's
 * Prometheus exporter, appended to the service's registry): once a grant's workflow task has
 * run, its schedule-to-start histogram counts it, and the slots and sticky cache series show,
 * beside the service's own lapse_* metrics.
 */
import { randomUUID } from 'node:crypto';
import type { EffectivePolicy } from '@lapse/contracts';
import { waitFor } from '@lapse/testing';
import { startLapseStack, type LapseStack } from '@lapse/testing/lapse-stack';

const policy: EffectivePolicy = {
  autoLock: { durationSeconds: 3600, approval: 'MANUAL' },
  accessRequests: null,
  expiresAt: null,
  sourceGroupIds: [],
};

let s: LapseStack;

beforeAll(async () => {
  s = await startLapseStack('sdk-metrics', { grantWorker: 'process' });
}, 180_000);

afterAll(() => s?.stop(), 60_000);

/** The value of the first series named `name` (any labels) on a Prometheus page. */
const valueOf = (page: string, name: string): number | undefined => {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(page);
  return m ? Number(m[1]) : undefined;
};

describe('the grant worker’s /metrics', () => {
  it('shows the SDK’s workflow task schedule-to-start once a grant’s task has run', async () => {
    const url = `${s.grantWorkerProcess?.url}/metrics`;
    await s.grants.start({ userId: randomUUID(), resourceId: randomUUID() }, { policy });
    // The exporter reads the core's counters as they are: wait for the task's to show.
    const page = await waitFor(
      async () => {
        const text = await (await fetch(url)).text();
        const n = valueOf(text, 'temporal_workflow_task_schedule_to_start_latency_count');
        return n !== undefined && n >= 1 ? text : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'a schedule-to-start series on /metrics' },
    );
    expect(page).toMatch(
      /^temporal_workflow_task_schedule_to_start_latency_bucket\{[^}]*le="600"[^}]*\} [1-9]/m,
    );
    expect(valueOf(page, 'temporal_sticky_cache_size')).toBeGreaterThanOrEqual(1);
    expect(page).toMatch(/^temporal_worker_task_slots_available\{[^}]*\} \d+/m);
    // The service's own metrics are still there, on the same page.
    expect(page).toMatch(/^lapse_process_cpu_seconds_total\{[^}]*service="grant-worker"/m);
  });
});
