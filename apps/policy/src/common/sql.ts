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

/** A WHERE clause built from optional filters; `?` in each part becomes the next `$n`. */
export class Where {
  readonly params: unknown[] = [];
  private readonly parts: string[] = [];

  add(sql: string, ...values: unknown[]): this {
    this.parts.push(sql.replace(/\?/g, () => this.param(values.shift())));
    return this;
  }

  /** Adds a parameter and returns its placeholder (for LIMIT and the like). */
  param(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }

  get sql(): string {
    return this.parts.length ? `WHERE ${this.parts.join(' AND ')}` : '';
  }
}

/** An ILIKE pattern matching values that contain `text` (its `%`, `_` and `\\` taken literally). */
export function likePattern(text: string): string {
  return `%${text.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
