/**
 * Watching a running Lapse from a benchmark: when each grant's decision reaches a state (an
 * ordered sweep over `GET /v1/decisions`, cheap enough to run during the measurement), and the
 * latencies that gives. Its processes' CPU and memory: proc-usage.ts.
 */
import { percentile, round } from './args';

export interface Pair {
  userId: string;
  resourceId: string;
}

/** What `GET /v1/decisions` answers (the fields a bench looks at). */
export interface DecisionBody {
  allowed: boolean;
  state: string;
  reason: string;
  lockedAt?: string;
}

export interface SweepOptions {
  decisionsUrl: string;
  token: string;
  /** The state every pair must reach. */
  state: string;
  /** Instead of `state`: whether a decision counts as reached (e.g. LOCKED with a given reason). */
  reached?: (d: DecisionBody) => boolean;
  /** Pause between sweeps (ms). */
  pollMs: number;
  /** A sweep stops after this many pairs not yet in `state` (pairs reach it roughly in order). */
  window: number;
  /** Requests in flight per sweep. */
  concurrency: number;
  timeoutMs: number;
  /** Called after each sweep with how many pairs are in `state`. */
  progress?: (reached: number, total: number) => void;
}

/**
 * Milliseconds (from `since`, a performance.now()) at which each pair's decision was first seen in
 * `state`, in the order of `pairs`. Each sweep walks the pairs still pending in order and stops
 * after `window` misses, so the requests made are about pairs + sweeps × window, not pairs ×
 * sweeps. The times are upper bounds, late by at most one sweep.
 */
export async function awaitDecisions(
  pairs: Pair[],
  since: number,
  o: SweepOptions,
): Promise<number[]> {
  const reachedAt = new Array<number>(pairs.length).fill(NaN);
  let pending = pairs.map((_, i) => i);
  const deadline = performance.now() + o.timeoutMs;
  const reached = o.reached ?? ((d: DecisionBody) => d.state === o.state);
  const decisionOf = async (p: Pair): Promise<DecisionBody> => {
    const res = await fetch(`${o.decisionsUrl}?userId=${p.userId}&resourceId=${p.resourceId}`, {
      headers: { authorization: `Bearer ${o.token}` },
    });
    if (!res.ok) throw new Error(`decisions answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as DecisionBody;
  };
  while (pending.length > 0) {
    if (performance.now() > deadline)
      throw new Error(
        `${pending.length} of ${pairs.length} grants not ${o.state} in decisions after ${o.timeoutMs} ms`,
      );
    let next = 0;
    let misses = 0;
    const lane = async () => {
      while (next < pending.length && misses < o.window) {
        const i = pending[next++];
        if (reached(await decisionOf(pairs[i]))) reachedAt[i] = performance.now() - since;
        else misses++;
      }
    };
    await Promise.all(Array.from({ length: o.concurrency }, lane));
    pending = pending.filter((i) => Number.isNaN(reachedAt[i]));
    o.progress?.(pairs.length - pending.length, pairs.length);
    if (pending.length > 0) await new Promise((r) => setTimeout(r, o.pollMs));
  }
  return reachedAt;
}

/** p50/p90/p99/max of latencies in ms. */
export const latencySummary = (samples: number[]) => ({
  n: samples.length,
  p50Ms: round(percentile(samples, 50)),
  p90Ms: round(percentile(samples, 90)),
  p99Ms: round(percentile(samples, 99)),
  maxMs: round(samples.reduce((a, b) => Math.max(a, b), -Infinity)),
});

/** One probe of a decision: when it was sent (performance.now()), how long it took, its answer. */
export interface DecisionProbe {
  atMs: number;
  ms: number;
  state: string;
}

/**
 * A small steady probe of decisions: one `GET /v1/decisions` every `everyMs` for the next of
 * `pairs` (round robin), at most `inFlight` outstanding (a tick with that many still out is
 * skipped and counted), until `stop()`, which gives every probe.
 */
export function probeDecisions(
  pairs: Pair[],
  o: { decisionsUrl: string; token: string; everyMs: number; inFlight?: number },
) {
  const probes: DecisionProbe[] = [];
  let outstanding = 0;
  let skipped = 0;
  let next = 0;
  const pending = new Set<Promise<void>>();
  const timer = setInterval(() => {
    if (pairs.length === 0) return;
    if (outstanding >= (o.inFlight ?? 4)) {
      skipped++;
      return;
    }
    const p = pairs[next++ % pairs.length];
    const atMs = performance.now();
    outstanding++;
    const done = fetch(`${o.decisionsUrl}?userId=${p.userId}&resourceId=${p.resourceId}`, {
      headers: { authorization: `Bearer ${o.token}` },
    })
      .then(async (res) => {
        const state = res.ok ? ((await res.json()) as DecisionBody).state : `HTTP ${res.status}`;
        probes.push({ atMs, ms: performance.now() - atMs, state });
      })
      .catch((e: unknown) => void probes.push({ atMs, ms: NaN, state: `error: ${String(e)}` }))
      .finally(() => {
        outstanding--;
        pending.delete(done);
      });
    pending.add(done);
  }, o.everyMs);
  return {
    stop: async (): Promise<{ probes: DecisionProbe[]; skipped: number }> => {
      clearInterval(timer);
      await Promise.all(pending);
      return { probes, skipped };
    },
  };
}

/**
 * The probes sent within [fromMs, toMs): their latency (p50/p90/p99/max) and how many answered
 * another state than `expected`.
 */
export function probeSummary(
  probes: DecisionProbe[],
  fromMs: number,
  toMs: number,
  expected: string,
) {
  const within = probes.filter((p) => p.atMs >= fromMs && p.atMs < toMs);
  return {
    ...latencySummary(within.filter((p) => p.state === expected).map((p) => p.ms)),
    seconds: round((toMs - fromMs) / 1000, 1),
    otherAnswers: within.filter((p) => p.state !== expected).length,
  };
}
