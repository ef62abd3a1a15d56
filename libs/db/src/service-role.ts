import type { DataSource, DataSourceOptions } from 'typeorm';

/**
 * Each service logs in as its own database role, `lapse_<schema>`, with rights on its own schema
 * only; the schemas and their tables belong to the role the migrations run as (the owner, which
 * no service logs in as). So a service can neither reach another's tables nor alter, disable or
 * drop anything, and an append-only table (the audit log) takes its INSERTs and SELECTs only.
 */
export function serviceRoleOf(schema: string): string {
  return `lapse_${schema}`;
}

/** What `migrate` grants a schema's service role, kept on the data-source options. */
export interface ServiceRoleRights {
  /** Tables the service may only INSERT into and SELECT from (never UPDATE, DELETE, TRUNCATE). */
  appendOnlyTables: readonly string[];
}

const RIGHTS = Symbol.for('lapse.serviceRoleRights');

/** Options carrying the service role's rights (read back by `migrate`). */
export function withServiceRoleRights<T extends DataSourceOptions>(
  options: T,
  rights: ServiceRoleRights,
): T {
  return Object.assign(options, { [RIGHTS]: rights });
}

export function serviceRoleRightsOf(options: DataSourceOptions): ServiceRoleRights {
  return (
    (options as unknown as Record<symbol, ServiceRoleRights | undefined>)[RIGHTS] ?? {
      appendOnlyTables: [],
    }
  );
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * The statements that give `role` its rights on `schema` (idempotent; re-run after every
 * migration run, so tables added later are covered): USAGE on the schema, SELECT/INSERT/UPDATE/
 * DELETE on its tables, sequences for its ids; nothing on the migrations table; only SELECT and
 * INSERT on append-only tables. Ownership, CREATE, TRUNCATE, TRIGGER and REFERENCES stay with
 * the owner: the role cannot ALTER (e.g. DISABLE TRIGGER), DROP or TRUNCATE anything.
 */
export function serviceRoleGrants(
  schema: string,
  role: string,
  rights: ServiceRoleRights,
): string[] {
  const s = ident(schema);
  const r = ident(role);
  return [
    `REVOKE ALL ON SCHEMA ${s} FROM PUBLIC`,
    `GRANT USAGE ON SCHEMA ${s} TO ${r}`,
    `REVOKE ALL ON ALL TABLES IN SCHEMA ${s} FROM ${r}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO ${r}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${s} TO ${r}`,
    `REVOKE ALL ON ${s}."migrations" FROM ${r}`,
    ...rights.appendOnlyTables.flatMap((t) => [
      `REVOKE UPDATE, DELETE, TRUNCATE ON ${s}.${ident(t)} FROM PUBLIC, ${r}`,
    ]),
  ];
}

/**
 * Grants `lapse_<schema>` its rights on `schema` in the connected database, if that role exists
 * (the stack creates one per service; a deployment creates its own). Returns the role granted to,
 * or null when there is none (every service then needs the owner's credentials: not for
 * production).
 */
export async function grantServiceRole(
  ds: DataSource,
  schema: string,
  rights: ServiceRoleRights,
): Promise<string | null> {
  const role = serviceRoleOf(schema);
  const found = (await ds.query(`SELECT 1 FROM pg_roles WHERE rolname = $1`, [role])) as unknown[];
  if (found.length === 0) return null;
  await ds.transaction(async (m) => {
    for (const sql of serviceRoleGrants(schema, role, rights)) await m.query(sql);
  });
  return role;
}
