import { accessRequestSchema, usageEventSchema } from './events';
import { hasControlChars } from './text';

describe('text rules', () => {
  it('refuses NUL and control characters; free text may break lines', () => {
    expect(hasControlChars('a\u0000b')).toBe(true);
    expect(hasControlChars('a\u001bb')).toBe(true);
    expect(hasControlChars('a\u007fb')).toBe(true);
    expect(hasControlChars('line one\nline two\tand\r')).toBe(false);
    expect(hasControlChars('a\nb', { multiline: false })).toBe(true);
    expect(hasControlChars('émoji 🙂 ok', { multiline: false })).toBe(false);
  });

  it('usage events refuse NUL in ids, and times out of range', () => {
    const ok = { userId: 'u1', resourceId: 'r1', occurredAt: '2026-01-01T00:00:00Z' };
    expect(usageEventSchema.safeParse(ok).success).toBe(true);
    const nul = usageEventSchema.safeParse({ ...ok, userId: 'u\u00001' });
    expect(!nul.success && nul.error.issues[0].path).toEqual(['userId']);
    expect(usageEventSchema.safeParse({ ...ok, userId: 'u'.repeat(201) }).success).toBe(false);
    expect(usageEventSchema.safeParse({ ...ok, occurredAt: '1970-01-01T00:00:00Z' }).success).toBe(
      false,
    );
  });

  it('request events refuse a NUL reason', () => {
    const r = accessRequestSchema.shape.reason.safeParse('a\u0000b');
    expect(r.success).toBe(false);
  });
});
