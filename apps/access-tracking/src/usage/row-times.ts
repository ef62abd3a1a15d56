/**
 * The latest time (epoch ms) per projection row, for coalescing uses before a write: rows in
 * the order first seen, times in a Float64Array beside them, and a Map from row to position
 * whose values are small integers. A Map of row → time would box every time (a heap number per
 * use, kept until the write: garbage the collector copies), this holds them unboxed.
 */
export class RowTimes {
  private readonly positions = new Map<number, number>();
  private readonly rowList: number[] = [];
  private times = new Float64Array(256);

  get size(): number {
    return this.rowList.length;
  }

  /** Keeps `at` for `row` when it is later than what the row has. */
  offer(row: number, at: number): void {
    const pos = this.positions.get(row);
    if (pos !== undefined) {
      if (at > this.times[pos]) this.times[pos] = at;
      return;
    }
    const next = this.rowList.length;
    if (next === this.times.length) {
      const grown = new Float64Array(next * 2);
      grown.set(this.times);
      this.times = grown;
    }
    this.positions.set(row, next);
    this.rowList.push(row);
    this.times[next] = at;
  }

  /** The i-th row first seen (0 ≤ i < size). */
  row(i: number): number {
    return this.rowList[i];
  }

  /** The latest time of the i-th row first seen. */
  time(i: number): number {
    return this.times[i];
  }

  /** The latest time of `row`, undefined when it has none. */
  of(row: number): number | undefined {
    const pos = this.positions.get(row);
    return pos === undefined ? undefined : this.times[pos];
  }
}
