/**
 * Seeding a benchmark's people straight into policy's tables: creating thousands of users through
 * the API would measure the API, not what the bench is about.
 */
import { Client as PgClient } from 'pg';

/** Inserts `count` users named `<prefix>-<runId>-<i>` as members of `groupId`; returns their ids. */
export async function seedGroupMembers(
  databaseUrl: string,
  {
    runId,
    prefix,
    count,
    groupId,
  }: { runId: string; prefix: string; count: number; groupId: string },
): Promise<{ id: string }[]> {
  const pg = new PgClient({ connectionString: databaseUrl });
  await pg.connect();
  try {
    const name = prefix.charAt(0).toUpperCase() + prefix.slice(1);
    const users: { id: string }[] = (
      await pg.query(
        `INSERT INTO policy.users (email, name)
         SELECT $3::text || '-' || $1::text || '-' || i || '@bench.lapse', $4::text || ' ' || i
         FROM generate_series(1, $2::int) AS i
         RETURNING id`,
        [runId, count, prefix, name],
      )
    ).rows;
    await pg.query(
      `INSERT INTO policy.memberships (group_id, user_id) SELECT $1::uuid, unnest($2::uuid[])`,
      [groupId, users.map((u) => u.id)],
    );
    return users;
  } finally {
    await pg.end();
  }
}
