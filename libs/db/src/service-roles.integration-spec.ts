/**
 * Each service logs in as its own role, with rights on its own schema only; the audit log belongs
 * to the owner (the migrations), so no service can change, empty, disable or drop it. Against the
 * real Postgres, with every schema migrated as `npm run migrate` does.
 */
import { Client as PgClient } from 'pg';
import {
  createTestDatabase,
  databaseUrlAs,
  migrateAllSchemas,
  type DatabaseService,
} from '@lapse/testing';
import { serviceRoleOf } from './service-role';

const SCHEMA_OF: Record<DatabaseService, string> = {
  policy: 'policy',
  'access-tracking': 'access_tracking',
  requests: 'requests',
  notifications: 'notifications',
  'grant-worker': 'grant_worker',
  console: 'console',
};
const SERVICES = Object.keys(SCHEMA_OF) as DatabaseService[];

let db: { url: string; drop: () => Promise<void> };
let owner: PgClient;
const as: Partial<Record<DatabaseService, PgClient>> = {};
/** One table of each schema, besides `migrations` (the first by name). */
const tableOf: Record<string, string> = {};

beforeAll(async () => {
  db = await createTestDatabase('service_roles');
  await migrateAllSchemas(db.url);
  owner = new PgClient({ connectionString: db.url });
  await owner.connect();
  const { rows } = await owner.query<{ schema: string; name: string }>(
    `SELECT DISTINCT ON (table_schema) table_schema AS schema, table_name AS name
       FROM information_schema.tables
      WHERE table_schema = ANY($1) AND table_name <> 'migrations' AND table_type = 'BASE TABLE'
      ORDER BY table_schema, table_name`,
    [Object.values(SCHEMA_OF)],
  );
  for (const r of rows) tableOf[r.schema] = `${r.schema}."${r.name}"`;
  for (const s of SERVICES) {
    const c = new PgClient({ connectionString: databaseUrlAs(s, db.url) });
    await c.connect();
    as[s] = c;
  }
  // Something to protect: one audit entry, written by the policy service.
  await client('policy').query(
    `INSERT INTO policy.audit_log (category, action, actor_id, entity_type, entity_id, at)
     VALUES ('ACCESS', 'grant.unlocked', 'u-1', 'grant', 'g-1', now())`,
  );
}, 180_000);

afterAll(async () => {
  for (const c of Object.values(as)) await c?.end();
  await owner?.end();
  await db?.drop();
});

function client(s: DatabaseService): PgClient {
  const c = as[s];
  if (!c) throw new Error(`no connection as ${s}`);
  return c;
}

/** The statement fails with insufficient_privilege (42501): refused, not merely broken. */
async function refused(c: PgClient, sql: string): Promise<string> {
  const e = await c.query(sql).then(
    () => null,
    (err: unknown) => err as { code?: string; message: string },
  );
  if (!e) throw new Error(`expected refusal, but it ran: ${sql}`);
  expect({ sql, code: e.code }).toEqual({ sql, code: '42501' });
  // By the privilege system: the audit log's own triggers raise 42501 too, but only once the
  // statement was allowed to run.
  expect(e.message).toMatch(/^(permission denied|must be owner)/);
  return e.message;
}

async function auditState() {
  const { rows } = await owner.query<{ n: string; enabled: string[] }>(
    `SELECT (SELECT count(*) FROM policy.audit_log) AS n,
            (SELECT array_agg(tgenabled::text ORDER BY tgname) FROM pg_trigger
              WHERE tgrelid = 'policy.audit_log'::regclass AND NOT tgisinternal) AS enabled`,
  );
  return rows[0];
}

describe('database roles', () => {
  it('each service logs in as its own role, which owns nothing and holds no other role', async () => {
    for (const s of SERVICES) {
      const { rows } = await client(s).query<{
        me: string;
        super: boolean;
        createdb: boolean;
        createrole: boolean;
        owned: string;
        member_of: string;
      }>(
        `SELECT current_user AS me, r.rolsuper AS super, r.rolcreatedb AS createdb,
                r.rolcreaterole AS createrole,
                (SELECT count(*) FROM pg_class WHERE relowner = r.oid) AS owned,
                (SELECT count(*) FROM pg_auth_members WHERE member = r.oid) AS member_of
           FROM pg_roles r WHERE r.rolname = current_user`,
      );
      expect(rows[0]).toEqual({
        me: serviceRoleOf(SCHEMA_OF[s]),
        super: false,
        createdb: false,
        createrole: false,
        owned: '0',
        member_of: '0',
      });
    }
    const { rows } = await owner.query<{ owner: string }>(
      `SELECT tableowner AS owner FROM pg_tables WHERE schemaname = 'policy' AND tablename = 'audit_log'`,
    );
    expect(rows[0].owner).not.toMatch(/^lapse_/);
  });

  it('no service can change, empty, disable, alter or drop the audit log', async () => {
    const before = await auditState();
    expect(before.n).toBe('1');
    for (const s of SERVICES) {
      const c = client(s);
      await refused(c, `UPDATE policy.audit_log SET action = 'forged'`);
      await refused(c, `DELETE FROM policy.audit_log`);
      await refused(c, `TRUNCATE policy.audit_log`);
      await refused(c, `ALTER TABLE policy.audit_log DISABLE TRIGGER audit_log_append_only`);
      await refused(c, `ALTER TABLE policy.audit_log DISABLE TRIGGER ALL`);
      await refused(c, `DROP TRIGGER audit_log_append_only ON policy.audit_log`);
      await refused(c, `DROP TABLE policy.audit_log`);
      await refused(c, `ALTER TABLE policy.audit_log OWNER TO ${serviceRoleOf(SCHEMA_OF[s])}`);
    }
    // Nothing changed: the entry is there, every trigger still enabled ('O').
    const after = await auditState();
    expect(after).toEqual(before);
    expect(after.enabled.length).toBeGreaterThan(0);
    expect(after.enabled.every((e) => e === 'O')).toBe(true);
  });

  it('the policy service appends to the audit log and reads it', async () => {
    await client('policy').query(
      `INSERT INTO policy.audit_log (category, action, actor_id, entity_type, entity_id, at)
       VALUES ('ACCESS', 'grant.locked', 'u-1', 'grant', 'g-1', now())`,
    );
    const { rows } = await client('policy').query<{ n: string }>(
      `SELECT count(*) AS n FROM policy.audit_log`,
    );
    expect(rows[0].n).toBe('2');
  });

  it("a service reads and writes its own tables, and no other service's", async () => {
    expect(Object.keys(tableOf).sort()).toEqual(Object.values(SCHEMA_OF).sort());
    for (const s of SERVICES) {
      const c = client(s);
      const own = SCHEMA_OF[s];
      await expect(c.query(`SELECT 1 FROM ${tableOf[own]} LIMIT 1`)).resolves.toBeDefined();
      for (const [schema, table] of Object.entries(tableOf)) {
        if (schema === own) continue;
        const message = await refused(c, `SELECT 1 FROM ${table} LIMIT 1`);
        expect(message).toContain(`schema ${schema}`);
        await refused(c, `DELETE FROM ${table}`);
      }
      // Nor its migrations, nor new tables, in its schema or elsewhere.
      await refused(c, `SELECT 1 FROM ${own}.migrations`);
      await refused(c, `CREATE TABLE ${own}.planted (x int)`);
      await refused(c, `CREATE TABLE public.planted (x int)`);
    }
  });
});
