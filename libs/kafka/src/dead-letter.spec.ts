import {
  MAX_ORIGINAL_BYTES,
  MAX_ORIGINAL_DEPTH,
  chunkByBytes,
  deadLetter,
  jsonDepth,
  truncateUtf8,
} from './dead-letter';

/** `[[[…0…]]]` nested `depth` times, as text (too deep for a recursive JSON.stringify). */
const nested = (depth: number) => '['.repeat(depth) + '0' + ']'.repeat(depth);

describe('dead letters', () => {
  it('keeps a small JSON value as JSON, with the reason and where it came from', () => {
    const raw = Buffer.from('{"userId":"u","occurredAt":"yesterday"}');
    const source = { topic: 't', partition: 2, offset: '7' };
    expect(deadLetter('invalid event: occurredAt', raw, source)).toEqual({
      error: 'invalid event: occurredAt',
      original: { userId: 'u', occurredAt: 'yesterday' },
      source,
    });
  });

  it('keeps text that is not JSON as text', () => {
    expect(deadLetter('value is not JSON', Buffer.from('{nope')).original).toBe('{nope');
  });

  it('serialises a 400 KB deeply nested value without recursion, cut to size', () => {
    const text = nested(200_000);
    const parsed: unknown = JSON.parse(text); // JSON.parse is iterative: this works
    expect(() => JSON.stringify(parsed)).toThrow(RangeError);
    const letter = deadLetter('invalid event: value', Buffer.from(text), undefined, parsed);
    expect(letter.truncated).toBe(true);
    expect(letter.originalBytes).toBe(400_001);
    expect(typeof letter.original).toBe('string');
    expect(Buffer.byteLength(JSON.stringify(letter))).toBeLessThan(MAX_ORIGINAL_BYTES + 1000);
  });

  it('keeps a small but too deep value as text', () => {
    const text = nested(MAX_ORIGINAL_DEPTH + 5);
    const letter = deadLetter('x', Buffer.from(text), undefined, JSON.parse(text));
    expect(letter.original).toBe(text);
    expect(letter.truncated).toBeUndefined();
  });

  it('cuts a long reason', () => {
    expect(deadLetter('e'.repeat(5000), null).error.length).toBeLessThanOrEqual(1001);
  });

  it('measures depth without recursion and stops past the limit', () => {
    expect(jsonDepth({ a: [1, { b: 2 }] })).toBe(3);
    expect(jsonDepth('x')).toBe(0);
    expect(jsonDepth(JSON.parse(nested(100_000)), 10)).toBe(11);
  });

  it('cuts UTF-8 on a character boundary', () => {
    expect(truncateUtf8('aé€', 4)).toBe('aé');
    expect(truncateUtf8('abc', 10)).toBe('abc');
  });

  it('chunks by bytes, at least one item per chunk', () => {
    const size = (n: number) => n;
    expect(chunkByBytes([4, 4, 4, 10, 1], size, 8)).toEqual([[4, 4], [4], [10], [1]]);
    expect(chunkByBytes([], size, 8)).toEqual([]);
  });
});
