import type { DataSource, QueryRunner } from 'typeorm';

/** pg_try_advisory_lock(classid, objid): 'LAPS' and the grant sync's number. */
const LOCK = [0x4c415053, 1] as const;

/**
 * Leadership of the grant sync among the policy replicas sharing a database: a session-level
 * Postgres advisory lock held on one dedicated connection. Only the holder runs sync jobs, so
 * jobs run one at a time in id order whatever the number of replicas (each job recomputes from
 * current data, so the last change is the one delivered last). When the holder dies or loses its
 * connection, Postgres releases the lock and another replica takes over at its next attempt.
 */
export class SyncLeadership {
  private runner?: QueryRunner;

  constructor(private readonly ds: DataSource) {}

  get held(): boolean {
    return this.runner !== undefined;
  }

  /** Whether this replica leads now: checks the held connection, or tries to take the lock. */
  async hold(): Promise<boolean> {
    if (this.runner) {
      try {
        await this.runner.query('SELECT 1');
        return true;
      } catch {
        await this.drop();
        return false;
      }
    }
    const runner = this.ds.createQueryRunner();
    try {
      await runner.connect();
      const [row]: { locked: boolean }[] = await runner.query(
        'SELECT pg_try_advisory_lock($1, $2) AS locked',
        [...LOCK],
      );
      if (row?.locked) {
        this.runner = runner;
        return true;
      }
    } catch {
      // Postgres unreachable: not the leader this time.
    }
    await runner.release().catch(() => undefined);
    return false;
  }

  /** Gives the lock up (on shutdown), so another replica takes over at once. */
  async release(): Promise<void> {
    if (!this.runner) return;
    await this.runner.query('SELECT pg_advisory_unlock($1, $2)', [...LOCK]).catch(() => undefined);
    await this.drop();
  }

  private async drop(): Promise<void> {
    const runner = this.runner;
    this.runner = undefined;
    await runner?.release().catch(() => undefined);
  }
}
