import { randomUUID } from 'node:crypto';
import { compactGrantKey } from '../grants/grant-projection';
import { validateUsage } from './usage-validation';
import { scanUsualUsage, type UsualUsage } from './usual-usage';

const U = '0b6c8a52-4f0e-4d2a-9a51-3f1d2c7e9b10';
const R = 'c3a9e7d1-6b2f-4a8e-b5c4-d7e8f9a0b1c2';
const T = '2026-12-01T06:54:14.123Z';
const usual = (userId = U, resourceId = R, occurredAt = T, proxyId?: string) =>
  JSON.stringify({ userId, resourceId, occurredAt, ...(proxyId === undefined ? {} : { proxyId }) });

const scan = (text: string): UsualUsage | undefined => {
  const out: UsualUsage = { compact: '', at: 0 };
  return scanUsualUsage(Buffer.from(text, 'latin1'), out) ? out : undefined;
};
/** What validateUsage says of the same bytes, for any grant and at any time. */
const validate = (text: string) =>
  validateUsage(Buffer.from(text, 'latin1'), Number.MAX_SAFE_INTEGER, () => true);

/**
 * The scanner never accepts what validateUsage (the schema) refuses, and reads the same grant
 * and time; where it declines, validateUsage decides.
 */
function expectAgrees(text: string): boolean {
  const scanned = scan(text);
  if (scanned) {
    const v = validate(text);
    expect({ text, ok: v.ok }).toEqual({ text, ok: true });
    if (v.ok) {
      expect(scanned.at).toBe(v.usage.at);
      expect(scanned.compact).toBe(compactGrantKey(v.usage.key));
      expect(v.usage.key).toBe(v.usage.key.toLowerCase());
    }
  }
  return scanned !== undefined;
}

describe('scanUsualUsage', () => {
  it('reads the usual event (with and without a proxyId) as validateUsage does', () => {
    for (const text of [
      usual(),
      usual(U, R, T, 'proxy-a.example:443'),
      usual(U, R, T, ''),
      usual(U, R, T, 'x'.repeat(200)),
    ]) {
      expect(expectAgrees(text)).toBe(true);
      expect(scan(text)).toEqual({ compact: compactGrantKey(`${U}:${R}`), at: Date.parse(T) });
    }
  });

  it('reads random UUIDs and times across the range as validateUsage does', () => {
    const from = Date.UTC(2000, 0, 1);
    const to = Date.UTC(2200, 0, 1);
    for (let i = 0; i < 2000; i++) {
      const at = from + Math.floor(Math.random() * (to - from));
      expect(expectAgrees(usual(randomUUID(), randomUUID(), new Date(at).toISOString()))).toBe(
        true,
      );
    }
  });

  it('accepts the calendar edges the schema accepts, and declines the days it refuses', () => {
    const accepted = [
      '2000-01-01T00:00:00.000Z',
      '2000-02-29T12:00:00.000Z',
      '2104-02-29T00:00:00.000Z',
      '2199-12-31T23:59:59.999Z',
      '2026-04-30T10:00:00.000Z',
    ];
    for (const t of accepted) expect(expectAgrees(usual(U, R, t))).toBe(true);
    const declined = [
      '1999-12-31T23:59:59.999Z',
      '2200-01-01T00:00:00.000Z',
      '2100-02-29T00:00:00.000Z',
      '2026-02-29T00:00:00.000Z',
      '2026-04-31T00:00:00.000Z',
      '2026-00-10T00:00:00.000Z',
      '2026-13-10T00:00:00.000Z',
      '2026-01-00T00:00:00.000Z',
      '2026-01-32T00:00:00.000Z',
      '2026-01-10T24:00:00.000Z',
      '2026-01-10T23:60:00.000Z',
      '2026-01-10T23:59:60.000Z',
      '2026-01-10T23:59:59.000+00:00',
      '2026-01-10T23:59:59Z',
      '2026-01-10 23:59:59.000Z',
      '2026-01-1aT23:59:59.000Z',
    ];
    for (const t of declined) {
      expect(expectAgrees(usual(U, R, t))).toBe(false);
    }
  });

  it('declines ids that are not lower-case UUIDs of version 1–8 and variant 8, 9, a or b', () => {
    for (const id of [
      U.toUpperCase(),
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
      '0b6c8a52-4f0e-0d2a-9a51-3f1d2c7e9b10', // version 0
      '0b6c8a52-4f0e-9d2a-9a51-3f1d2c7e9b10', // version 9
      '0b6c8a52-4f0e-4d2a-7a51-3f1d2c7e9b10', // variant 7
      '0b6c8a52-4f0e-4d2a-ca51-3f1d2c7e9b10', // variant c
      '0b6c8a52_4f0e-4d2a-9a51-3f1d2c7e9b10',
      '0b6c8a52-4f0e-4d2a-9a51-3f1d2c7e9b1g',
    ]) {
      expect(expectAgrees(usual(id))).toBe(false);
      expect(expectAgrees(usual(U, id))).toBe(false);
    }
  });

  it('declines any other layout, escapes and proxyIds the fast path does not read', () => {
    const base = usual(U, R, T, 'p');
    for (const text of [
      JSON.stringify({ resourceId: R, userId: U, occurredAt: T }),
      ` ${usual()}`,
      usual().replace('":"', '": "'),
      usual(U, R, T, 'x'.repeat(201)),
      usual(U, R, T, 'a"b'),
      usual(U, R, T, 'a\\b'),
      usual(U, R, T, 'a\nb'),
      usual(U, R, T, 'é'),
      usual(U, R, T, '\u007f'),
      `${usual().slice(0, -1)},"extra":1}`,
      `${usual().slice(0, -1)},"proxyId":"}`,
      `${usual().slice(0, -1)},"proxyId":"a","userId":"${U}"}`,
      `${usual().slice(0, -1)},"proxyId":1}`,
      usual().slice(0, -1),
      `${usual()} `,
      base.replace('"proxyId"', '"proxyid"'),
      '',
      '{}',
    ])
      expect(expectAgrees(text)).toBe(false);
    expect(scanUsualUsage(null, { compact: '', at: 0 })).toBe(false);
  });

  it('never accepts what validateUsage refuses, byte by byte', () => {
    // Every single-byte change of the usual event: the scanner declines it or reads it as the
    // schema does (a changed hex digit is another valid grant).
    const text = usual(U, R, T, 'proxy-1');
    const bytes = [
      0x00, 0x20, 0x22, 0x2d, 0x30, 0x39, 0x41, 0x46, 0x5a, 0x61, 0x66, 0x7b, 0x7d, 0xff,
    ];
    let accepted = 0;
    for (let i = 0; i < text.length; i++)
      for (const b of bytes) {
        const changed = text.slice(0, i) + String.fromCharCode(b) + text.slice(i + 1);
        if (expectAgrees(changed)) accepted++;
      }
    expect(accepted).toBeGreaterThan(0);
  });
});
