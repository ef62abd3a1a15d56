import { LapseError } from './errors';
import { decodeCursor, encodeCursor, pageOf } from './paging';

describe('paging', () => {
  it('round-trips a sort key through an opaque cursor', () => {
    const c = encodeCursor(['alex@example.com', 'b1c6…']);
    expect(c).not.toContain('alex');
    expect(decodeCursor(c, 2)).toEqual(['alex@example.com', 'b1c6…']);
    expect(decodeCursor(undefined, 2)).toBeNull();
  });

  it('refuses a cursor it did not give out, naming the field', () => {
    for (const bad of [
      'nope',
      encodeCursor(['one']),
      Buffer.from('{"a":1}').toString('base64url'),
    ]) {
      expect(() => decodeCursor(bad, 2)).toThrow(LapseError);
      expect(() => decodeCursor(bad, 2)).toThrow(/^cursor: /);
    }
  });

  it('uses the extra row only to say there is a next page', () => {
    const rows = [1, 2, 3];
    expect(pageOf(rows, 2, (r) => [r], String)).toEqual({
      items: ['1', '2'],
      nextCursor: encodeCursor([2]),
    });
    expect(pageOf(rows, 3, (r) => [r], String)).toEqual({
      items: ['1', '2', '3'],
      nextCursor: null,
    });
  });
});
