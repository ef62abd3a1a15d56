import { createAccessTrackingActivities } from './latest-access.activities';

describe('latestAccess activity', () => {
  it('answers from the source for the grant asked', async () => {
    const seen: string[] = [];
    const acts = createAccessTrackingActivities({
      latestAccess: async (u, r) => {
        seen.push(`${u}:${r}`);
        return u === 'u1' ? '2025-01-01T00:00:00.000Z' : null;
      },
    });
    await expect(acts.latestAccess({ userId: 'u1', resourceId: 'r1' })).resolves.toBe(
      '2025-01-01T00:00:00.000Z',
    );
    await expect(acts.latestAccess({ userId: 'u2', resourceId: 'r1' })).resolves.toBeNull();
    expect(seen).toEqual(['u1:r1', 'u2:r1']);
  });
});
