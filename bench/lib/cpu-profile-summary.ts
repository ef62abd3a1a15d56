/** A V8 CPU profile (`Profiler.stop`'s `profile`: what `.cpuprofile` files hold). */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface CpuProfileSummary {
  /** Wall time the profile covers. */
  ms: number;
  /** Time the main thread was busy (not `(idle)`), and its share of `ms`. */
  busyMs: number;
  busyShare: number;
  /** Functions by self time (what the thread was running), largest first. */
  selfTime: { fn: string; ms: number; share: number }[];
  /** Inclusive time (self + callees) of the functions asked for by name. */
  inclusiveTime: Record<string, { ms: number; share: number }>;
}

/**
 * Self time per function and inclusive time of named functions in a CPU profile (each sample's
 * time is the delta to the next sample). A function is `name file:line`; `(garbage collector)`,
 * `(program)` and `(idle)` are V8's own nodes.
 */
export function summarizeCpuProfile(
  profile: CpuProfile,
  inclusiveOf: string[] = [],
  top = 20,
): CpuProfileSummary {
  const frames = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const frame = (id: number) => frames.get(id) ?? { functionName: '?', url: '', lineNumber: 0 };
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  const selfUs = new Map<number, number>();
  for (let i = 0; i < samples.length; i++) {
    // timeDeltas[i] is the time before sample i; the time of sample i is the next delta.
    const us = deltas[i + 1] ?? 0;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + us);
  }
  const name = (id: number) => {
    const f = frame(id);
    const file = f.url
      ? ` ${f.url.replace(/^.*\/(node_modules|apps|libs|bench)\//, '$1/')}:${f.lineNumber + 1}`
      : '';
    return `${f.functionName || '(anonymous)'}${file}`;
  };
  const total = (profile.endTime - profile.startTime) / 1000;
  const perFn = new Map<string, number>();
  let idleUs = 0;
  const inclusive = new Map<string, number>(inclusiveOf.map((n) => [n, 0]));
  for (const [id, us] of selfUs) {
    const fn = name(id);
    if (frame(id).functionName === '(idle)') idleUs += us;
    perFn.set(fn, (perFn.get(fn) ?? 0) + us);
    // Each named function on the stack counts this sample once (recursion does not double it).
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const f = frame(n).functionName;
      const sum = inclusive.get(f);
      if (sum !== undefined && !seen.has(f)) {
        seen.add(f);
        inclusive.set(f, sum + us);
      }
    }
  }
  const share = (ms: number) => Math.round((ms / total) * 1000) / 1000;
  const ms = (us: number) => Math.round(us / 100) / 10;
  return {
    ms: Math.round(total),
    busyMs: Math.round(total - idleUs / 1000),
    busyShare: share(total - idleUs / 1000),
    selfTime: [...perFn]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([fn, us]) => ({ fn, ms: ms(us), share: share(us / 1000) })),
    inclusiveTime: Object.fromEntries(
      [...inclusive].map(([f, us]) => [f, { ms: ms(us), share: share(us / 1000) }]),
    ),
  };
}

/**
 * One summary of several profiles of the same thread (the chunks a worker thread writes, see
 * cpu-profile.js): times added up, shares of the total wall time covered.
 */
export function summarizeCpuProfiles(
  profiles: CpuProfile[],
  inclusiveOf: string[] = [],
  top = 20,
): CpuProfileSummary {
  const parts = profiles.map((p) => summarizeCpuProfile(p, inclusiveOf, Number.MAX_SAFE_INTEGER));
  const total = parts.reduce((sum, s) => sum + s.ms, 0);
  const share = (ms: number) => Math.round((ms / total) * 1000) / 1000;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  const selfMs = new Map<string, number>();
  for (const s of parts)
    for (const { fn, ms } of s.selfTime) selfMs.set(fn, (selfMs.get(fn) ?? 0) + ms);
  const busyMs = parts.reduce((sum, s) => sum + s.busyMs, 0);
  return {
    ms: total,
    busyMs,
    busyShare: share(busyMs),
    selfTime: [...selfMs]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([fn, ms]) => ({ fn, ms: round(ms), share: share(ms) })),
    inclusiveTime: Object.fromEntries(
      inclusiveOf.map((f) => {
        const ms = parts.reduce((sum, s) => sum + (s.inclusiveTime[f]?.ms ?? 0), 0);
        return [f, { ms: round(ms), share: share(ms) }];
      }),
    ),
  };
}
