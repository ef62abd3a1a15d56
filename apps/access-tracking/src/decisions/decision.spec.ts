import type { ProjectedGrant } from '../grants/grant-projection';
import { LOCK_DUE_REASON, decide } from './decision';

const now = Date.parse('2025-01-01T12:00:00Z');
const grant = (over: Partial<ProjectedGrant>): ProjectedGrant => ({
  userId: 'u',
  resourceId: 'r',
  state: 'ACTIVE',
  lockedAt: null,
  activeUntil: null,
  expiresAt: null,
  autoLockAt: null,
  autoLockDurationSeconds: null,
  lockDueAt: null,
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

describe('lock due (rule 1)', () => {
  const due = now - 250;
  const marked = grant({ autoLockAt: due, autoLockDurationSeconds: 60, lockDueAt: due });

  it('refuses an ACTIVE grant marked lock due as LOCKED, lockedAt its deadline', () => {
    expect(decide(marked, now)).toEqual({
      allowed: false,
      state: 'LOCKED',
      reason: LOCK_DUE_REASON,
      lockedAt: '2025-01-01T11:59:59.750Z',
    });
    expect(decide(marked, now, true)).toMatchObject({ state: 'LOCKED', stale: true });
  });

  it('allows an ACTIVE grant past its deadline the sweep has not marked (the sweep decides)', () => {
    expect(decide({ ...marked, lockDueAt: null }, now)).toMatchObject({
      allowed: true,
      state: 'ACTIVE',
    });
  });

  it('an ended access period or expiry keeps its own answer', () => {
    expect(decide({ ...marked, expiresAt: now }, now)).toMatchObject({
      state: 'ACTIVE',
      reason: 'the grant has expired',
    });
    expect(decide({ ...marked, activeUntil: now }, now)).toMatchObject({
      state: 'ACTIVE',
      reason: 'the access period has ended',
    });
  });

  it('a mark means nothing once the workflow’s record says otherwise (not ACTIVE)', () => {
    expect(decide({ ...marked, state: 'PENDING' }, now)).toMatchObject({ state: 'PENDING' });
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
      autoLockAt: null,
      autoLockDurationSeconds: null,
      lockDueAt: null,
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
