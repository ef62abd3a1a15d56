import {
  GrantProjection,
  latestPerGrant,
  toProjectedGrant,
  type ProjectedGrant,
} from './grant-projection';

const grant = (
  version: number,
  state: ProjectedGrant['state'] = 'ACTIVE',
  userId = 'u',
): ProjectedGrant => ({
  userId,
  resourceId: 'r',
  state,
  lockedAt: null,
  activeUntil: null,
  expiresAt: null,
  version,
});

describe('GrantProjection', () => {
  it('ignores records with a lower version', () => {
    const p = new GrantProjection();
    expect(p.apply(grant(2, 'LOCKED'))).toBe(true);
    expect(p.apply(grant(1, 'ACTIVE'))).toBe(false);
    expect(p.get('u:r')?.state).toBe('LOCKED');
    expect(p.apply(grant(3, 'ACTIVE'))).toBe(true);
    expect(p.get('u:r')?.state).toBe('ACTIVE');
    expect(p.has('u:r')).toBe(true);
    expect(p.has('x:r')).toBe(false);
    expect(p.size).toBe(1);
  });

  it('latestPerGrant keeps the highest version of each grant', () => {
    const out = latestPerGrant([
      grant(3, 'LOCKED'),
      grant(1),
      grant(2, 'ACTIVE', 'v'),
      grant(1, 'REVOKED', 'v'),
    ]);
    expect(out.get('u:r')?.version).toBe(3);
    expect(out.get('v:r')?.state).toBe('ACTIVE');
  });

  it('converts event times to epoch ms', () => {
    const g = toProjectedGrant({
      userId: 'u',
      resourceId: 'r',
      state: 'LOCKED',
      lastAccessAt: null,
      lockedAt: '2025-01-01T00:00:00Z',
      activeUntil: null,
      expiresAt: '2025-02-01T00:00:00Z',
      version: 4,
    });
    expect(g).toEqual({
      userId: 'u',
      resourceId: 'r',
      state: 'LOCKED',
      lockedAt: Date.parse('2025-01-01T00:00:00Z'),
      activeUntil: null,
      expiresAt: Date.parse('2025-02-01T00:00:00Z'),
      version: 4,
    });
  });

  it('knows no expiry from a record published before expiresAt existed', () => {
    const g = toProjectedGrant({
      userId: 'u',
      resourceId: 'r',
      state: 'ACTIVE',
      lastAccessAt: null,
      lockedAt: null,
      activeUntil: null,
      version: 1,
    });
    expect(g.expiresAt).toBeNull();
  });
});
