/**
 * Whether a consumer has caught up with a topic as it was at start: every partition's
 * position (next offset to read) has reached the end offset captured then.
 */
export function caughtUp(
  ends: ReadonlyMap<number, number>,
  positions: ReadonlyMap<number, number>,
): boolean {
  for (const [partition, end] of ends) if ((positions.get(partition) ?? -1) < end) return false;
  return true;
}

/** Starting positions: the committed offset, or the low watermark when the group has none. */
export function startPositions(
  offsets: readonly { partition: number; low: string; high: string }[],
  committed: readonly { partition: number; offset: string }[],
): { ends: Map<number, number>; positions: Map<number, number> } {
  const ends = new Map<number, number>();
  const positions = new Map<number, number>();
  const byPartition = new Map(committed.map((c) => [c.partition, Number(c.offset)]));
  for (const o of offsets) {
    ends.set(o.partition, Number(o.high));
    const c = byPartition.get(o.partition) ?? -1;
    positions.set(o.partition, c >= 0 ? c : Number(o.low));
  }
  return { ends, positions };
}
