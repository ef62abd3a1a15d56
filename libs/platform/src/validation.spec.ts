import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, MaxLength, Min, ValidateNested } from 'class-validator';
import { LapseError } from './errors';
import { findControlChars, lapseValidationPipe } from './validation';

class AutoLock {
  @IsInt() @Min(1) durationSeconds!: number;
}
class Body {
  @IsString() @MaxLength(200) resourceId!: string;
  @IsOptional() @IsIn(['ADMIN']) role?: string;
  @IsOptional() @ValidateNested() @Type(() => AutoLock) autoLock?: AutoLock;
}

async function problem(value: unknown): Promise<LapseError> {
  try {
    await lapseValidationPipe().transform(value, { type: 'body', metatype: Body });
  } catch (e) {
    return e as LapseError;
  }
  throw new Error('expected a validation error');
}

describe('lapseValidationPipe', () => {
  it('names a missing field as required', async () => {
    const e = await problem({});
    expect(e.kind).toBe('VALIDATION');
    expect(e.message).toBe('resourceId: is required');
  });

  it('names the full path of a nested field', async () => {
    const e = await problem({ resourceId: 'r', autoLock: { durationSeconds: 0 } });
    expect(e.field).toBe('autoLock.durationSeconds');
    expect(e.message).toBe('autoLock.durationSeconds: must not be less than 1');
  });

  it('keeps messages whose first word is the property name intact', async () => {
    const e = await problem({ resourceId: 'r', role: 'role' });
    expect(e.message).toBe('role: must be one of the following values: ADMIN');
  });

  it('refuses unknown fields', async () => {
    const e = await problem({ resourceId: 'r', extra: 1 });
    expect(e.message).toBe('extra: is not a known field');
  });
});

describe('control characters', () => {
  it('refuses NUL or a control character in a body field, naming the field', async () => {
    const e = await problem({ resourceId: 'a\u0000b' });
    expect(e.kind).toBe('VALIDATION');
    expect(e.message).toBe('resourceId: must not contain NUL or control characters');
    const nested = await problem({ resourceId: 'r', autoLock: { x: ['ok', 'bad\u001b'] } });
    expect(nested.message).toBe('autoLock.x[1]: must not contain NUL or control characters');
  });

  it('finds the path without recursion and lets line breaks through', () => {
    expect(findControlChars({ reason: 'two\nlines\tok' })).toBeNull();
    expect(findControlChars('x\u0007', 'id')).toBe('id');
    let deep: unknown = 'a\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(findControlChars(deep)).toMatch(/^(\[0\]){100000}$/);
  });
});
