import { z } from 'zod';
import { commonEnvSchema, envPort, loadConfig } from '@lapse/config';

export const configSchema = commonEnvSchema.extend({
  PORT: envPort.default(3005),
  /** Prebuilt workflow bundle (production); unset: bundle from source at start-up (dev). */
  LAPSE_GRANT_WORKFLOW_BUNDLE: z.string().optional(),
  /**
   * Grant states this worker publishes at once (local activities, and activity tasks of grants
   * started before publishing became local): each waits on Kafka, not on the CPU.
   */
  LAPSE_GRANT_WORKER_CONCURRENCY: z.coerce.number().int().positive().default(100),
  /**
   * Workflow tasks this worker holds at once. They run one at a time on its workflow thread, so
   * more only queue inside the worker, where a task's 10 s timeout runs: under a burst (a big
   * group assigned, thousands of locks due together) tasks timed out and ran again, each 10 s
   * late. Fewer wait in Temporal's queue instead, where no timeout runs.
   */
  LAPSE_GRANT_WORKER_WORKFLOW_TASKS: z.coerce.number().int().min(2).default(10),
  /**
   * How long a workflow task may wait on this worker's sticky queue (the worker that has the
   * grant cached) before Temporal moves it to the shared queue. Temporal's default, 10 s, is
   * shorter than a burst's queue (thousands of deadlines in one second): every task bounced,
   * each bounce two more history events and a task for a worker without the grant in cache,
   * while the same worker polled both queues. Longer only delays the tasks already on a dead
   * worker's sticky queue (Temporal sends new ones to the shared queue once it stops polling).
   */
  LAPSE_GRANT_WORKER_STICKY_TIMEOUT_SECONDS: z.coerce.number().int().positive().default(60),
  /**
   * Workflow task polls this worker keeps open at once (at most LAPSE_GRANT_WORKER_WORKFLOW_TASKS).
   * Each poll brings one task per round trip through the server, so the polls bound how fast
   * tasks arrive when the server is slow to answer.
   */
  LAPSE_GRANT_WORKER_WORKFLOW_POLLERS: z.coerce.number().int().min(2).default(10),
  /**
   * With LAPSE_GRANT_WORKER_WORKFLOW_POLL_SCALING=fixed: the share of those polls on the shared
   * task queue (the rest poll this worker's sticky queue, where only grants it holds in its
   * cache wake). A new grant's first task, and every task of
   * a grant not in the cache, comes from the shared queue; the SDK's default, 0.2, left 2 of 10
   * polls for a fan-out of thousands of new grants, which then waited in Temporal's queue while
   * the worker idled (decision 24).
   */
  LAPSE_GRANT_WORKER_SHARED_QUEUE_POLL_SHARE: z.coerce.number().gt(0).max(1).default(0.8),
  /**
   * How the workflow task polls are set: `autoscaling` (default) lets the Temporal server's
   * backlog hints move them, up to LAPSE_GRANT_WORKER_WORKFLOW_POLLERS, to whichever queue has
   * the work — the shared queue in a fan-out of new grants, this worker's sticky queue when
   * thousands of cached grants wake at once (a lock storm, a policy change to every grant);
   * `fixed` keeps LAPSE_GRANT_WORKER_SHARED_QUEUE_POLL_SHARE of them on the shared queue, the
   * rest on the sticky queue, whatever the load (decision 24).
   */
  LAPSE_GRANT_WORKER_WORKFLOW_POLL_SCALING: z.enum(['autoscaling', 'fixed']).default('autoscaling'),
  /**
   * Grant workflows kept in this worker's cache (the SDK's default grows with the heap: thousands).
   * A cached grant's next task runs on its kept state; an evicted one replays its history first
   * (a grant's is short and bounded by continue-as-new). A grant wakes about once per auto-lock
   * period, so most of a big cache is memory that is rarely used.
   */
  LAPSE_GRANT_WORKER_CACHED_WORKFLOWS: z.coerce.number().int().min(2).optional(),
  /**
   * Threads running workflow code (the SDK's default with its reused V8 context: 1). Each has its
   * own context and its own share of the cache; more help only with a spare core.
   */
  LAPSE_GRANT_WORKER_WORKFLOW_THREADS: z.coerce.number().int().min(1).max(16).default(1),
  /**
   * Where the Temporal SDK serves its own worker metrics (host:port; its Prometheus exporter),
   * which /metrics appends to the service's (docs/operations.md). Unset: a free port on
   * 127.0.0.1 at start-up, reached only through /metrics.
   */
  LAPSE_GRANT_WORKER_SDK_METRICS_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'host:port')
    .optional(),
});
export type GrantWorkerConfig = z.infer<typeof configSchema>;

export const loadServiceConfig = (env: Record<string, string | undefined> = process.env) =>
  loadConfig(configSchema, env);
