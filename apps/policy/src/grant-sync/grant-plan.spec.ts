import type { Policy } from '@lapse/contracts';
import { inheritsDefault, planGrants } from './grant-plan';

const DAY = 86_400;
const def: Policy = {
  autoLock: { durationSeconds: 30 * DAY, approval: 'MANUAL' },
  accessRequests: null,
};
const now = Date.parse('2025-06-01T00:00:00Z');

describe('planGrants', () => {
  it('applies the resource default when the assignment inherits', () => {
    const [a] = planGrants(
      ['u1'],
      def,
      [{ userId: 'u1', groupId: 'g1', override: {}, expiresAt: null }],
      now,
    );
    expect(a).toEqual({
      userId: 'u1',
      action: 'APPLY',
      policy: { ...def, expiresAt: null, sourceGroupIds: ['g1'] },
    });
  });

  it('the override replaces only its fields; the most permissive assignment wins with its source', () => {
    const [a] = planGrants(
      ['u1'],
      def,
      [
        {
          userId: 'u1',
          groupId: 'g1',
          override: { autoLock: { durationSeconds: 7 * DAY, approval: 'MANUAL' } },
          expiresAt: null,
        },
        { userId: 'u1', groupId: 'g2', override: { autoLock: null }, expiresAt: null },
      ],
      now,
    );
    expect(a.action === 'APPLY' && a.policy.autoLock).toBeNull();
    expect(a.action === 'APPLY' && a.policy.sourceGroupIds).toEqual(['g2']);
  });

  it('ignores expired assignments; a user whose assignments all expired is EXPIRED, one with none REVOKED', () => {
    const past = '2025-05-01T00:00:00Z';
    const future = '2025-07-01T00:00:00Z';
    const plan = planGrants(
      ['u1', 'u2', 'u3'],
      def,
      [
        { userId: 'u1', groupId: 'g1', override: { autoLock: null }, expiresAt: past },
        { userId: 'u1', groupId: 'g2', override: {}, expiresAt: future },
        { userId: 'u2', groupId: 'g1', override: {}, expiresAt: past },
      ],
      now,
    );
    expect(plan[0]).toEqual({
      userId: 'u1',
      action: 'APPLY',
      policy: { ...def, expiresAt: future, sourceGroupIds: ['g2'] },
    });
    expect(plan[1]).toEqual({ userId: 'u2', action: 'REVOKE', outcome: 'EXPIRED' });
    expect(plan[2]).toEqual({ userId: 'u3', action: 'REVOKE', outcome: 'REVOKED' });
  });

  it('knows which overrides inherit the default', () => {
    expect(inheritsDefault({})).toBe(true);
    expect(inheritsDefault({ autoLock: null })).toBe(true);
    expect(inheritsDefault({ autoLock: null, accessRequests: null })).toBe(false);
  });
});
