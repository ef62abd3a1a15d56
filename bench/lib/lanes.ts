/**
 * Runs `each` over `items`, `inFlight` at a time; its results in the order of `items`. With
 * `what`, prints `done/total <what>` every 250 items and at the end.
 */
export async function inLanes<T, R>(
  items: T[],
  inFlight: number,
  each: (item: T) => Promise<R>,
  what?: string,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await each(items[i]);
      if (what && (++done % 250 === 0 || done === items.length))
        process.stdout.write(`\r  ${done}/${items.length} ${what}   `);
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, items.length) }, lane));
  if (what && items.length > 0) process.stdout.write('\n');
  return out;
}
