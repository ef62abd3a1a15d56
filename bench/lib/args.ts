/** `--name value` / `--flag` command-line options with defaults and types taken from them. */
export function parseArgs<T extends Record<string, number | string | boolean>>(
  argv: string[],
  defaults: T,
): T {
  const out: Record<string, number | string | boolean> = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const name = arg.slice(2);
    if (!(name in defaults))
      throw new Error(
        `unknown option --${name} (known: ${Object.keys(defaults)
          .map((k) => `--${k}`)
          .join(' ')})`,
      );
    const kind = typeof defaults[name];
    const next = argv[i + 1];
    if (kind === 'boolean' && (next === undefined || next.startsWith('--'))) {
      out[name] = true;
      continue;
    }
    i++;
    if (next === undefined) throw new Error(`--${name} needs a value`);
    if (kind === 'number') {
      const n = Number(next);
      if (!Number.isFinite(n) || n < 0)
        throw new Error(`--${name}: expected a number, got ${next}`);
      out[name] = n;
    } else if (kind === 'boolean') {
      if (!['true', 'false', 'on', 'off'].includes(next))
        throw new Error(`--${name}: expected on|off, got ${next}`);
      out[name] = next === 'true' || next === 'on';
    } else out[name] = next;
  }
  return out as T;
}

/** p-th percentile (0–100) of unsorted samples; NaN when empty. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = Float64Array.from(samples).sort();
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

/** Progress samples (ms, count) → the rate over the last `windowMs` (per second; 0 until two). */
export function recentRate(samples: { atMs: number; n: number }[], windowMs: number): number {
  const last = samples.at(-1);
  if (!last) return 0;
  const first = samples.find((s) => s.atMs >= last.atMs - windowMs) ?? last;
  const seconds = (last.atMs - first.atMs) / 1000;
  return seconds > 0 ? (last.n - first.n) / seconds : 0;
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
