/**
 * The Temporal SDK's own worker metrics (its Rust core: workflow and activity task
 * schedule-to-start, slots used and available, polls, sticky cache hits, misses and size, …),
 * served by the core's Prometheus exporter on a loopback address and appended to a service's
 * /metrics (addMetricsSource), so one scrape has them all. Durations in seconds; the
 * schedule-to-start buckets reach ten minutes, since a burst queues tasks for minutes.
 */
import { freePort } from '@lapse/platform';
import type { TelemetryOptions } from '@temporalio/worker';

/** Upper bounds (seconds) of the SDK's schedule-to-start and task latency histograms. */
export const SDK_LATENCY_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600,
];

const LATENCY_HISTOGRAMS = [
  'workflow_task_schedule_to_start_latency',
  'workflow_task_execution_latency',
  'workflow_task_replay_latency',
  'activity_schedule_to_start_latency',
  'activity_execution_latency',
  'local_activity_execution_latency',
];

/** The runtime's telemetry options for the SDK's Prometheus exporter on `address` (host:port). */
export function sdkMetricsTelemetry(address: string): TelemetryOptions {
  return {
    metrics: {
      prometheus: {
        bindAddress: address,
        useSecondsForDurations: true,
        histogramBucketOverrides: Object.fromEntries(
          LATENCY_HISTOGRAMS.map((name) => [name, SDK_LATENCY_BUCKETS]),
        ),
      },
    },
  };
}

/**
 * `configured` (host:port) or, unset, a port on 127.0.0.1 that is free now (the exporter binds it
 * right after; the SDK needs a concrete port to be read back from).
 */
export async function sdkMetricsAddress(configured?: string): Promise<string> {
  if (configured) return configured;
  const port = await freePort();
  return `127.0.0.1:${port}`;
}

/** Reads the SDK's metrics page from its exporter at `address`. */
export async function readSdkMetrics(address: string): Promise<string> {
  const res = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`Temporal SDK metrics at ${address} answered ${res.status}`);
  return res.text();
}
