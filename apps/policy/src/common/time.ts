import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsISO8601, Matches } from 'class-validator';

/** Earliest and latest instants Postgres and JavaScript both hold (years 1 to 9999). */
const MIN_MS = Date.parse('0001-01-01T00:00:00Z');
const MAX_MS = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * An RFC 3339 time in a body or query (OpenAPI `format: date-time`), answered as the same instant
 * in UTC (`…Z`): any offset RFC 3339 allows (up to ±23:59, which Postgres refuses) is resolved
 * here, so the database only ever sees UTC. 400 for a time that is not RFC 3339 or falls outside
 * years 1 to 9999.
 */
export const IsTime = () =>
  applyDecorators(
    Transform(({ value }: { value: unknown }) => {
      if (typeof value !== 'string') return value;
      const ms = Date.parse(value);
      return Number.isNaN(ms) || ms < MIN_MS || ms > MAX_MS ? value : new Date(ms).toISOString();
    }),
    IsISO8601({ strict: true }),
    // Only a time this service could read ends in the UTC form it writes.
    Matches(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/, {
      message: 'must be an RFC 3339 time between the years 1 and 9999',
    }),
  );
