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

  it('usage events refuse ids that are not UUIDs, NUL in text, and times out of range', () => {
    const ok = {
      userId: '3b1f8c2e-5d4a-4e6b-9c7d-8e9f0a1b2c3d',
      resourceId: 'a7c6e5d4-b3a2-4190-8f7e-6d5c4b3a2910',
      occurredAt: '2026-01-01T00:00:00Z',
    };
    expect(usageEventSchema.safeParse(ok).success).toBe(true);
    const nul = usageEventSchema.safeParse({ ...ok, userId: `${ok.userId}\u0000` });
    expect(!nul.success && nul.error.issues[0].path).toEqual(['userId']);
    for (const userId of ['u1', 'u'.repeat(201), ok.userId.replace(/-/g, ''), `{${ok.userId}}`])
      expect(usageEventSchema.safeParse({ ...ok, userId }).success).toBe(false);
    const proxy = usageEventSchema.safeParse({ ...ok, proxyId: 'edge\u00001' });
    expect(!proxy.success && proxy.error.issues[0].message).toBe(
      'must not contain NUL or control characters',
    );
    expect(usageEventSchema.safeParse({ ...ok, occurredAt: '1970-01-01T00:00:00Z' }).success).toBe(
      false,
    );
  });

  it('request events refuse a NUL reason', () => {
    const r = accessRequestSchema.shape.reason.safeParse('a\u0000b');
    expect(r.success).toBe(false);
  });
});
