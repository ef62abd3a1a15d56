import type { EffectivePolicy } from '@lapse/contracts';
import { policySourceOf } from './policy-source';

const policy = (sourceGroupIds: string[]): EffectivePolicy => ({
  autoLock: null,
  accessRequests: null,
  expiresAt: null,
  sourceGroupIds,
});

describe('policySourceOf', () => {
  it('DEFAULT when the winning assignments inherit everything, OVERRIDE when they override everything, else MIXED', () => {
    expect(
      policySourceOf(policy(['g1']), [
        { userId: 'u', groupId: 'g1', override: {}, expiresAt: null },
      ]),
    ).toEqual({ groupIds: ['g1'], origin: 'DEFAULT' });
    expect(
      policySourceOf(policy(['g2']), [
        { userId: 'u', groupId: 'g1', override: {}, expiresAt: null },
        {
          userId: 'u',
          groupId: 'g2',
          override: { autoLock: null, accessRequests: null },
          expiresAt: null,
        },
      ]),
    ).toEqual({ groupIds: ['g2'], origin: 'OVERRIDE' });
    expect(
      policySourceOf(policy(['g1']), [
        { userId: 'u', groupId: 'g1', override: { autoLock: null }, expiresAt: null },
      ]).origin,
    ).toBe('MIXED');
  });
});
