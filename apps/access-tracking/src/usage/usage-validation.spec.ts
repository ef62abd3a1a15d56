import { validateUsage, REJECT_REASONS } from './usage-validation';

const U1 = '0b6c8a52-4f0e-4d2a-9a51-3f1d2c7e9b10';
const U2 = '5d1e0f3a-2b7c-4e8d-8f90-a1b2c3d4e5f6';
const R1 = 'c3a9e7d1-6b2f-4a8e-b5c4-d7e8f9a0b1c2';
const now = Date.parse('2025-01-01T12:00:00.000Z');
const known = (key: string) => key === `${U1}:${R1}`;
const event = (over: Record<string, unknown> = {}) =>
  JSON.stringify({
    userId: U1,
    resourceId: R1,
    occurredAt: '2025-01-01T11:59:00.000Z',
    ...over,
  });

describe('validateUsage', () => {
  it('accepts a valid event for a known grant, normalising the time', () => {
    const v = validateUsage(
      Buffer.from(event({ occurredAt: '2025-01-01T13:59:00+02:00' })),
      now,
      known,
    );
    expect(v).toEqual({
      ok: true,
      usage: {
        key: `${U1}:${R1}`,
        userId: U1,
        resourceId: R1,
        at: Date.parse('2025-01-01T11:59:00Z'),
      },
    });
  });

  it('rejects text that is not JSON, keeping the raw text', () => {
    expect(validateUsage(Buffer.from('{nope'), now, known)).toEqual({
      ok: false,
      reject: { error: REJECT_REASONS.malformed, original: '{nope' },
    });
    expect(validateUsage(null, now, known)).toMatchObject({
      ok: false,
      reject: { error: REJECT_REASONS.malformed },
    });
  });

  it('rejects a schema violation naming the field', () => {
    const v = validateUsage(event({ occurredAt: 'yesterday' }), now, known);
    expect(v.ok).toBe(false);
    if (!v.ok) {
      expect(v.reject.error).toMatch(/^invalid event: occurredAt: /);
      expect(v.reject.original).toMatchObject({ occurredAt: 'yesterday' });
    }
    const missing = validateUsage(
      JSON.stringify({ resourceId: R1, occurredAt: '2025-01-01T11:59:00Z' }),
      now,
      known,
    );
    expect(!missing.ok && missing.reject.error).toMatch(/^invalid event: userId: /);
  });

  it('rejects ids that are not UUIDs, and NUL in any field, naming the field', () => {
    expect(validateUsage(event({ userId: 'u1' }), now, known)).toMatchObject({
      ok: false,
      reject: { error: 'invalid event: userId: must be a UUID' },
    });
    expect(validateUsage(event({ resourceId: `${R1}\u0000` }), now, known)).toMatchObject({
      ok: false,
      reject: { error: 'invalid event: resourceId: must be a UUID' },
    });
    expect(validateUsage(event({ proxyId: 'edge\u00001' }), now, known)).toMatchObject({
      ok: false,
      reject: { error: 'invalid event: proxyId: must not contain NUL or control characters' },
    });
  });

  it('accepts up to 5 minutes in the future and rejects beyond', () => {
    expect(validateUsage(event({ occurredAt: '2025-01-01T12:05:00.000Z' }), now, known).ok).toBe(
      true,
    );
    expect(
      validateUsage(event({ occurredAt: '2025-01-01T12:05:00.001Z' }), now, known),
    ).toMatchObject({
      ok: false,
      reject: { error: REJECT_REASONS.future },
    });
  });

  it('rejects an unknown grant', () => {
    expect(validateUsage(event({ userId: U2 }), now, known)).toMatchObject({
      ok: false,
      reject: { error: 'unknown grant' },
    });
  });
});
