import type { DataSource, EntityManager } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';
import type { PoolClient } from 'pg';

/** The Postgres channel a new grant sync job is announced on (delivered when its transaction commits). */
export const SYNC_JOBS_CHANNEL = 'lapse_grant_sync';

/** Announces queued sync jobs to every replica's sync worker, inside the queuing transaction. */
export async function announceSyncJobs(m: EntityManager): Promise<void> {
  await m.query(`SELECT pg_notify($1, '')`, [SYNC_JOBS_CHANNEL]);
}

/**
 * Wakes the grant sync as soon as a job is queued instead of at its next poll: one pooled
 * connection LISTENs on {@link SYNC_JOBS_CHANNEL}. Polling stays the fallback — a lost
 * connection only means jobs wait for the poll until `listen()` succeeds again.
 */
export class SyncWakeup {
  private client: PoolClient | null = null;
  private release: ((err?: Error) => void) | null = null;

  constructor(
    private readonly ds: DataSource,
    private readonly onWake: () => void,
    private readonly onLost: (err: Error) => void,
  ) {}

  get listening(): boolean {
    return this.client !== null;
  }

  async listen(): Promise<void> {
    if (this.client) return;
    const driver = this.ds.driver as PostgresDriver;
    const [client, release] = (await driver.obtainMasterConnection()) as [
      PoolClient,
      (err?: Error) => void,
    ];
    const onNotification = () => this.onWake();
    const onError = (err: Error) => {
      client.off('notification', onNotification);
      client.off('error', onError);
      if (this.client === client) {
        this.client = null;
        this.release = null;
      }
      release(err);
      this.onLost(err);
    };
    client.on('notification', onNotification);
    client.on('error', onError);
    try {
      await client.query(`LISTEN ${SYNC_JOBS_CHANNEL}`);
    } catch (err) {
      onError(err as Error);
      throw err;
    }
    this.client = client;
    this.release = release;
  }

  async close(): Promise<void> {
    const client = this.client;
    const release = this.release;
    this.client = null;
    this.release = null;
    if (!client || !release) return;
    client.removeAllListeners('notification');
    try {
      await client.query(`UNLISTEN ${SYNC_JOBS_CHANNEL}`);
      release();
    } catch (err) {
      release(err as Error);
    }
  }
}
