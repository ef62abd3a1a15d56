/**
 * Rows of an UPDATE/DELETE … RETURNING: TypeORM's `query` returns `[rows, affectedCount]` for
 * those commands (and plain rows for SELECT/INSERT).
 */
export async function returning<T>(
  m: { query(sql: string, params?: unknown[]): Promise<unknown> },
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const raw = await m.query(sql, params);
  if (Array.isArray(raw) && raw.length === 2 && Array.isArray(raw[0]) && typeof raw[1] === 'number')
    return raw[0] as T[];
  return raw as T[];
}
