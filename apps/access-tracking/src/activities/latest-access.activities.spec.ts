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

describe('latestAccess when ingestion is behind', () => {
  it('refuses retryably instead of answering from old data, and answers once current', async () => {
    let current = false;
    const acts = createAccessTrackingActivities(
      { latestAccess: async () => '2025-01-01T00:00:00.000Z' },
      { accessDataCurrent: () => ({ current, behindMs: current ? 0 : 42_000 }) },
    );
    const err = await acts.latestAccess({ userId: 'u1', resourceId: 'r1' }).catch((e) => e);
    expect(err).toMatchObject({ type: 'AccessDataStale', nonRetryable: false });
    expect(String(err.message)).toContain('42 s');
    current = true;
    await expect(acts.latestAccess({ userId: 'u1', resourceId: 'r1' })).resolves.toBe(
      '2025-01-01T00:00:00.000Z',
    );
  });
});
