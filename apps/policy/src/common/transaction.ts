import type { DataSource, EntityManager } from 'typeorm';

/** Runs `work` in the caller's transaction when there is one, else in a new one. */
export function inTransaction<T>(
  ds: DataSource,
  outer: EntityManager | undefined,
  work: (m: EntityManager) => Promise<T>,
): Promise<T> {
  return outer ? work(outer) : ds.transaction(work);
}
