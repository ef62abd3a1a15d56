import { DataSource } from 'typeorm';
import { Client as PgClient } from 'pg';
import { createTestDatabase, waitFor } from '@lapse/testing';
import { SyncLeadership } from './leadership';

/** Two policy replicas on one database (real Postgres): one leads the grant sync at a time. */
describe('grant sync leadership (advisory lock)', () => {
  let db: { url: string; drop: () => Promise<void> };
  const sources: DataSource[] = [];
  const replica = async () => {
    const ds = new DataSource({ type: 'postgres', url: db.url, poolSize: 3 });
    await ds.initialize();
    sources.push(ds);
    return new SyncLeadership(ds);
  };

  beforeAll(async () => {
    db = await createTestDatabase('policy_sync_leadership');
  });
  afterAll(async () => {
    await Promise.all(sources.map((s) => s.destroy()));
    await db?.drop();
  });

  it('one replica leads; another takes over when it lets go or loses its connection', async () => {
    const [a, b] = [await replica(), await replica()];
    expect(await a.hold()).toBe(true);
    expect(await b.hold()).toBe(false);
    expect(await a.hold()).toBe(true); // still held, checked on its own connection

    await a.release(); // shutdown
    expect(a.held).toBe(false);
    expect(await b.hold()).toBe(true);
    expect(await a.hold()).toBe(false);

    // The leader's connection dies (crash, network): Postgres drops the lock with the session.
    const admin = new PgClient({ connectionString: db.url });
    await admin.connect();
    try {
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = 1 AND granted`,
        [0x4c415053],
      );
    } finally {
      await admin.end();
    }
    await waitFor(async () => ((await a.hold()) ? true : undefined), {
      what: 'the other replica to take over',
    });
    expect(await b.hold()).toBe(false); // noticed its connection is gone, and does not lead
    expect(b.held).toBe(false);
  });
});
