import type { ProjectedGrant } from '../grants/grant-projection';
import { decide } from './decision';

const now = Date.parse('2025-01-01T12:00:00Z');
const grant = (over: Partial<ProjectedGrant>): ProjectedGrant => ({
  userId: 'u',
  resourceId: 'r',
  state: 'ACTIVE',
  lockedAt: null,
  activeUntil: null,
  expiresAt: null,
  version: 1,
  ...over,
});

describe('decide', () => {
  it('NO_GRANT when the pair is unknown', () => {
    expect(decide(undefined, now)).toEqual({
      allowed: false,
      state: 'NO_GRANT',
      reason: 'no grant for this user and resource',
    });
  });

  it('allows only ACTIVE', () => {
    expect(decide(grant({}), now)).toMatchObject({ allowed: true, state: 'ACTIVE' });
    for (const state of ['LOCKED', 'PENDING', 'EXPIRED', 'REVOKED'] as const) {
      expect(decide(grant({ state }), now)).toMatchObject({ allowed: false, state });
    }
  });

  it('reports lockedAt and activeUntil when known', () => {
    const d = decide(grant({ state: 'LOCKED', lockedAt: now - 1000 }), now);
    expect(d.lockedAt).toBe('2025-01-01T11:59:59.000Z');
    expect(d).not.toHaveProperty('activeUntil');
    expect(decide(grant({ activeUntil: now + 1000 }), now)).toMatchObject({
      allowed: true,
      activeUntil: '2025-01-01T12:00:01.000Z',
    });
  });

  it('refuses an ACTIVE grant whose access period has ended', () => {
    expect(decide(grant({ activeUntil: now }), now)).toMatchObject({
      allowed: false,
      state: 'ACTIVE',
    });
  });
});

describe('expiry', () => {
  it('refuses an ACTIVE grant whose expiry has passed, before EXPIRED arrives', () => {
    expect(decide(grant({ expiresAt: now }), now)).toEqual({
      allowed: false,
      state: 'ACTIVE',
      reason: 'the grant has expired',
    });
    expect(decide(grant({ expiresAt: now - 1 }), now, true)).toMatchObject({
      allowed: false,
      stale: true,
    });
  });

  it('allows an ACTIVE grant until its expiry', () => {
    expect(decide(grant({ expiresAt: now + 1 }), now)).toMatchObject({ allowed: true });
  });
});

describe('stale decisions', () => {
  it('say so, and still enforce the end of an access period locally', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const grant: ProjectedGrant = {
      userId: 'u',
      resourceId: 'r',
      state: 'ACTIVE',
      lockedAt: null,
      activeUntil: now - 1,
      expiresAt: null,
      version: 3,
    };
    expect(decide(grant, now, true)).toMatchObject({ allowed: false, stale: true });
    expect(decide({ ...grant, activeUntil: null }, now, true)).toMatchObject({
      allowed: true,
      stale: true,
    });
    expect(decide({ ...grant, activeUntil: null }, now)).not.toHaveProperty('stale');
  });
});
