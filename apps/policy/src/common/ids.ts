import { Injectable, type PipeTransform } from '@nestjs/common';
import { LapseError } from '@lapse/platform';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** Path/query ids must be UUIDs: a malformed id is a 400 naming the parameter, never a 500. */
@Injectable()
export class UuidPipe implements PipeTransform<unknown, string> {
  constructor(private readonly field: string) {}
  transform(value: unknown): string {
    if (!isUuid(value)) throw LapseError.validation(this.field, 'must be a UUID');
    return value.toLowerCase();
  }
}

export const uuid = (field: string) => new UuidPipe(field);
