import { latestPerGrant } from './last-access.repository';

describe('latestPerGrant', () => {
  it('sorts by grant and keeps one row per grant, the latest, ids compared as written', () => {
    const row = (userId: string, resourceId: string, at: number) => ({ userId, resourceId, at });
    expect(
      latestPerGrant([
        row('b', '1', 4),
        row('a', '2', 1),
        row('b', '1', 6),
        row('a', '1', 3),
        row('B', '1', 2),
        row('b', '1', 5),
      ]),
    ).toEqual([row('B', '1', 2), row('a', '1', 3), row('a', '2', 1), row('b', '1', 6)]);
  });
});
