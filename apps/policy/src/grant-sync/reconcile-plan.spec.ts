import type { EffectivePolicy } from '@lapse/contracts';
import { projectionStale, repairFor } from './reconcile-plan';

const policy: EffectivePolicy = {
  autoLock: { durationSeconds: 3600, approval: 'MANUAL' },
  accessRequests: null,
  expiresAt: null,
  sourceGroupIds: ['g1'],
};
const apply = { userId: 'u1', action: 'APPLY', policy } as const;
const revoke = { userId: 'u1', action: 'REVOKE', outcome: 'REVOKED' } as const;

describe('repairFor', () => {
  it('starts a missing or ended workflow that policy expects (a lost call, a terminated run)', () => {
    expect(repairFor(apply, { status: 'MISSING' })).toEqual({
      kind: 'MISSING_WORKFLOW',
      action: 'APPLY',
      policy,
    });
    expect(repairFor(apply, { status: 'ENDED' })?.kind).toBe('ENDED_WORKFLOW');
    expect(
      repairFor(apply, { status: 'RUNNING', state: 'REVOKED', policy, version: 7 })?.kind,
    ).toBe('ENDED_WORKFLOW');
  });

  it('sends the expected policy to a grant running another one (or from other groups)', () => {
    const other = { ...policy, autoLock: { durationSeconds: 60, approval: 'MANUAL' as const } };
    expect(
      repairFor(apply, { status: 'RUNNING', state: 'ACTIVE', policy: other, version: 7 })?.kind,
    ).toBe('WRONG_POLICY');
    const sources = { ...policy, sourceGroupIds: ['g2'] };
    expect(
      repairFor(apply, { status: 'RUNNING', state: 'LOCKED', policy: sources, version: 7 })?.kind,
    ).toBe('WRONG_POLICY');
    expect(
      repairFor(apply, { status: 'RUNNING', state: 'PENDING', policy, version: 7 }),
    ).toBeNull();
  });

  it('revokes a grant that runs although policy gives none (a lost revoke); leaves ended ones', () => {
    expect(repairFor(revoke, { status: 'RUNNING', state: 'ACTIVE', policy, version: 7 })).toEqual({
      kind: 'UNEXPECTED_GRANT',
      action: 'REVOKE',
      outcome: 'REVOKED',
    });
    expect(
      repairFor(revoke, { status: 'RUNNING', state: 'REVOKED', policy, version: 7 }),
    ).toBeNull();
    expect(repairFor(revoke, { status: 'ENDED' })).toBeNull();
    expect(repairFor(revoke, { status: 'MISSING' })).toBeNull();
  });
});

describe('projectionStale', () => {
  const running = { state: 'ACTIVE', version: 7 } as const;
  it('finds a missing row, an older version, or the same version with another state', () => {
    expect(projectionStale(null, running)).toBe(true);
    expect(projectionStale({ state: 'ACTIVE', version: 6 }, running)).toBe(true);
    expect(projectionStale({ state: 'LOCKED', version: 7 }, running)).toBe(true);
  });
  it('leaves a current row, and a row ahead of the workflow (republishing cannot lower it)', () => {
    expect(projectionStale({ state: 'ACTIVE', version: 7 }, running)).toBe(false);
    expect(projectionStale({ state: 'LOCKED', version: 8 }, running)).toBe(false);
  });
});
