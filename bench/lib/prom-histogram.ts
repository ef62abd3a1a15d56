/**
 * One Prometheus histogram read from a /metrics text page (series of any labels summed), or
 * what it gained since an earlier reading: how many observations, their mean, the count within
 * each bucket bound, and the bound the 50th and 99th percentiles fall within. Pure.
 */
import { round } from './args';

export interface HistogramDelta {
  count: number;
  sum: number;
  meanMs: number;
  withinSeconds: Record<string, number>;
  p50AtMostSeconds: number;
  p99AtMostSeconds: number;
}

export function histogramDelta(
  name: string,
  metrics: string,
  before?: Pick<HistogramDelta, 'count' | 'sum' | 'withinSeconds'>,
): HistogramDelta {
  const total = (suffix: string) => {
    let n = 0;
    for (const m of metrics.matchAll(
      new RegExp(`^${name}_${suffix}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'),
    ))
      n += Number(m[1]);
    return n;
  };
  const count = total('count') - (before?.count ?? 0);
  const sum = total('sum') - (before?.sum ?? 0);
  const withinSeconds: Record<string, number> = {};
  for (const m of metrics.matchAll(
    new RegExp(`^${name}_bucket\\{(?:[^}]*,)?le="([^"]+)"[^}]*\\} (\\S+)$`, 'gm'),
  ))
    withinSeconds[m[1]] = (withinSeconds[m[1]] ?? 0) + Number(m[2]);
  for (const le of Object.keys(withinSeconds)) withinSeconds[le] -= before?.withinSeconds[le] ?? 0;
  // In bound order (an object lists integer-like keys such as "1" first).
  const bounds = Object.entries(withinSeconds)
    .map(([le, n]) => ({ le: le === '+Inf' ? Infinity : Number(le), n }))
    .sort((a, b) => a.le - b.le);
  const bound = (q: number) => bounds.find((b) => b.n >= q * count)?.le ?? NaN;
  return {
    count,
    sum,
    meanMs: round((sum / count) * 1000),
    withinSeconds,
    p50AtMostSeconds: bound(0.5),
    p99AtMostSeconds: bound(0.99),
  };
}
