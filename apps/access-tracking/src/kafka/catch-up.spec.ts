import { caughtUp, startPositions } from './catch-up';

describe('catch-up', () => {
  it('uses committed offsets, else the low watermark', () => {
    const { ends, positions } = startPositions(
      [
        { partition: 0, low: '0', high: '10' },
        { partition: 1, low: '5', high: '5' },
      ],
      [
        { partition: 0, offset: '4' },
        { partition: 1, offset: '-1' },
      ],
    );
    expect(positions).toEqual(
      new Map([
        [0, 4],
        [1, 5],
      ]),
    );
    expect(caughtUp(ends, positions)).toBe(false);
    positions.set(0, 10);
    expect(caughtUp(ends, positions)).toBe(true);
  });
});
