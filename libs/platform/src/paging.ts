/**
 * Paging for every list (`?limit=&cursor=` → `{items, nextCursor}`): keyset paging over a stable
 * order, so a page never repeats or skips an item when rows are added meanwhile. The cursor is
 * opaque to clients: base64url of the JSON array of the last item's sort key.
 */
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { LapseError } from './errors';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export class PageQueryDto {
  @ApiPropertyOptional({
    type: 'integer',
    default: DEFAULT_PAGE_SIZE,
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'nextCursor of the previous page', maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A sort key: the values of the ORDER BY columns of the last item of a page. */
export type SortKey = (string | number)[];

export function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The sort key in `cursor` (of `arity` values), or null for the first page; 400 when malformed. */
export function decodeCursor(cursor: string | undefined, arity: number): SortKey | null {
  if (cursor === undefined || cursor === '') return null;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  if (
    !Array.isArray(key) ||
    key.length !== arity ||
    !key.every((v) => typeof v === 'string' || typeof v === 'number')
  )
    throw LapseError.validation('cursor', 'is not a cursor this list gave out');
  return key as SortKey;
}

/**
 * Builds a page from `rows` fetched with `LIMIT limit + 1`: the extra row only says there is more.
 */
export function pageOf<R, T>(
  rows: R[],
  limit: number,
  keyOf: (r: R) => SortKey,
  map: (r: R) => T,
): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  return {
    items: kept.map(map),
    nextCursor: more ? encodeCursor(keyOf(kept[kept.length - 1])) : null,
  };
}

export const limitOf = (q: { limit?: number }) => q.limit ?? DEFAULT_PAGE_SIZE;

/** For OpenAPI: a page of `type` (Swagger cannot express generics). */
export function pageSchema(itemRef: string) {
  return {
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: {
      items: { type: 'array', items: { $ref: itemRef } },
      nextCursor: { type: 'string', nullable: true },
    },
  };
}

export class PageDto {
  @ApiProperty({ nullable: true, type: String })
  nextCursor!: string | null;
}
