/**
 * The latest access known durable per projection row (epoch ms; 0: none known), so a write
 * leaves out the grants whose recorded access is already as late: the monotonic write would
 * change nothing for them, yet Postgres would still find and lock each row. Only ever a lower
 * bound of what Postgres holds (set once a write is durable; last access never moves back and
 * no row is deleted), so leaving a grant out never loses a use, whoever else writes. It matters
 * when uses arrive out of order or again: a redelivery, a replay of the topic, a proxy
 * re-sending; traffic in time order gains nothing from it.
 */
export class DurableAccess {
  private at = new Float64Array(1024);

  /** The latest access of `row` known durable (0 when none). */
  of(row: number): number {
    return row < this.at.length ? this.at[row] : 0;
  }

  /** Records that `row`'s access at `at` is durable. */
  record(row: number, at: number): void {
    if (row >= this.at.length) {
      let size = this.at.length;
      while (size <= row) size *= 2;
      const grown = new Float64Array(size);
      grown.set(this.at);
      this.at = grown;
    }
    if (at > this.at[row]) this.at[row] = at;
  }
}
