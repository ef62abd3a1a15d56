/**
 * Time helpers over ISO-8601 strings and epoch milliseconds. Pure: the caller supplies "now"
 * (workflow code passes its deterministic clock).
 */

/** Epoch ms of an ISO time; throws on an unparsable string (callers validate input first). */
export function toMs(iso: string): number {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO time: ${JSON.stringify(iso)}`);
  return ms;
}

/** ISO string (UTC, millisecond precision) of epoch ms. */
export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

/** `iso + seconds`, as ISO. */
export function addSeconds(iso: string, seconds: number): string {
  return toIso(toMs(iso) + seconds * 1000);
}

/** True when `value` is a string Date.parse understands. */
export function isIsoTime(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && !Number.isNaN(Date.parse(value));
}

/** The later of two ISO times; null counts as "none" (the other wins). */
export function laterOf(a: string | null, b: string | null): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return toMs(b) > toMs(a) ? b : a;
}

/** The earliest of some epoch-ms deadlines, ignoring nulls; null when there are none. */
export function earliest(...deadlines: (number | null)[]): number | null {
  let min: number | null = null;
  for (const d of deadlines) if (d !== null && (min === null || d < min)) min = d;
  return min;
}
