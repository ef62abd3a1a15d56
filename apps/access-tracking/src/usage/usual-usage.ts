/**
 * The usual usage event read straight from its bytes, without JSON.parse, strings or objects:
 * ingestion's hot path (a proxy sends tens of thousands a second). Lapse's proxies and simulator
 * write every event in one layout (`JSON.stringify` of userId, resourceId, occurredAt and an
 * optional proxyId, in that order):
 *
 *   {"userId":"<uuid>","resourceId":"<uuid>","occurredAt":"YYYY-MM-DDTHH:MM:SS.sssZ"[,"proxyId":"…"]}
 *
 * `scanUsualUsage` accepts exactly that layout with lower-case UUIDs (version 1–8, variant 8, 9,
 * a or b), a real calendar time in [2000, 2200) and a proxyId of at most 200 printable ASCII
 * characters without quotes or backslashes: a subset of what `usageEventSchema` accepts
 * (usual-usage.spec.ts holds the two side by side). Anything else — other spacing or order,
 * upper-case ids, escapes, offsets — is not refused here but left to `validateUsage`, which
 * decides and names the failing field.
 */

/** What a scanned event says: its grant as the projection's compact key, and its time. */
export interface UsualUsage {
  /** The two UUIDs as 32 bytes in a one-byte string (`compactGrantKey` of the grant key). */
  compact: string;
  /** occurredAt in epoch ms. */
  at: number;
}

const USER_PREFIX = Buffer.from('{"userId":"');
const RESOURCE_PREFIX = Buffer.from('","resourceId":"');
const TIME_PREFIX = Buffer.from('","occurredAt":"');
const PROXY_PREFIX = Buffer.from(',"proxyId":"');
const MAX_PROXY_ID_LENGTH = 200;
const EARLIEST_YEAR = 2000;
const LATEST_YEAR = 2199;

const USER_AT = USER_PREFIX.length; // 11
const RESOURCE_AT = USER_AT + 36 + RESOURCE_PREFIX.length; // 63
const TIME_AT = RESOURCE_AT + 36 + TIME_PREFIX.length; // 115
const AFTER_TIME = TIME_AT + 24; // the closing quote of occurredAt
const SHORTEST = AFTER_TIME + 2; // "}
const LONGEST = AFTER_TIME + 1 + PROXY_PREFIX.length + MAX_PROXY_ID_LENGTH + 2;

/** Lower-case hex digit values by byte (-1: not one). */
const HEX = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) HEX['0123456789abcdef'.charCodeAt(i)] = i;

const pairBytes: number[] = new Array<number>(32);

function matches(buf: Buffer, at: number, expected: Buffer): boolean {
  for (let i = 0; i < expected.length; i++) if (buf[at + i] !== expected[i]) return false;
  return true;
}

/** Reads a lower-case UUID at `at` into pairBytes[into…into+15]; false when it is not one. */
function readUuid(buf: Buffer, at: number, into: number): boolean {
  let n = into;
  for (let i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (buf[at + i] !== 0x2d) return false;
      continue;
    }
    const hi = HEX[buf[at + i]];
    const lo = HEX[buf[at + ++i]];
    if (hi < 0 || lo < 0) return false;
    pairBytes[n++] = (hi << 4) | lo;
  }
  const version = buf[at + 14];
  const variant = buf[at + 19];
  return (
    version >= 0x31 &&
    version <= 0x38 &&
    (variant === 0x38 || variant === 0x39 || variant === 0x61 || variant === 0x62)
  );
}

/** The decimal number of `len` digits at `at`, -1 when one is not a digit. */
function digits(buf: Buffer, at: number, len: number): number {
  let n = 0;
  for (let i = 0; i < len; i++) {
    const d = buf[at + i] - 0x30;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** `YYYY-MM-DDTHH:MM:SS.sssZ` at `at` in epoch ms, NaN when it is not a real time in range. */
function readTime(buf: Buffer, at: number): number {
  if (
    buf[at + 4] !== 0x2d ||
    buf[at + 7] !== 0x2d ||
    buf[at + 10] !== 0x54 ||
    buf[at + 13] !== 0x3a ||
    buf[at + 16] !== 0x3a ||
    buf[at + 19] !== 0x2e ||
    buf[at + 23] !== 0x5a
  )
    return NaN;
  const year = digits(buf, at, 4);
  const month = digits(buf, at + 5, 2);
  const day = digits(buf, at + 8, 2);
  const hour = digits(buf, at + 11, 2);
  const minute = digits(buf, at + 14, 2);
  const second = digits(buf, at + 17, 2);
  const ms = digits(buf, at + 20, 3);
  if (
    year < EARLIEST_YEAR ||
    year > LATEST_YEAR ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > daysIn(year, month) ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59 ||
    ms < 0
  )
    return NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/**
 * Reads the usual usage event from `raw` into `out` (reused: no allocation but the 32-byte
 * key); false when `raw` is anything else (then `validateUsage` decides). Pure.
 */
export function scanUsualUsage(raw: Buffer | null, out: UsualUsage): boolean {
  if (raw === null || raw.length < SHORTEST || raw.length > LONGEST) return false;
  if (
    !matches(raw, 0, USER_PREFIX) ||
    !matches(raw, USER_AT + 36, RESOURCE_PREFIX) ||
    !matches(raw, RESOURCE_AT + 36, TIME_PREFIX) ||
    raw[AFTER_TIME] !== 0x22 ||
    raw[raw.length - 1] !== 0x7d
  )
    return false;
  if (raw.length > SHORTEST) {
    // ,"proxyId":"<printable ASCII, no quote or backslash>"}
    const end = raw.length - 2;
    const from = AFTER_TIME + 1 + PROXY_PREFIX.length;
    if (end < from || !matches(raw, AFTER_TIME + 1, PROXY_PREFIX) || raw[end] !== 0x22)
      return false;
    for (let i = from; i < end; i++) {
      const c = raw[i];
      if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return false;
    }
  }
  const at = readTime(raw, TIME_AT);
  if (Number.isNaN(at)) return false;
  if (!readUuid(raw, USER_AT, 0) || !readUuid(raw, RESOURCE_AT, 16)) return false;
  out.compact = String.fromCharCode.apply(null, pairBytes);
  out.at = at;
  return true;
}
