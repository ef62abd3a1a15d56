import { randomUUID } from 'node:crypto';
import {
  GrantProjection,
  compactGrantKey,
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

  it('keeps every field of thousands of UUID-keyed grants (compact keys, growing columns)', () => {
    const p = new GrantProjection();
    const all: ProjectedGrant[] = Array.from({ length: 3000 }, (_, i) => ({
      userId: randomUUID(),
      resourceId: randomUUID(),
      state: (['ACTIVE', 'LOCKED', 'PENDING', 'EXPIRED', 'REVOKED'] as const)[i % 5],
      lockedAt: i % 2 ? 1_700_000_000_000 + i : null,
      activeUntil: i % 3 ? null : 1_800_000_000_000 + i,
      expiresAt: i % 7 ? null : 1_900_000_000_000 + i,
      version: 1_764_000_000_000_000 + i,
    }));
    for (const g of all) expect(p.apply(g)).toBe(true);
    expect(p.size).toBe(3000);
    for (const g of all) expect(p.get(`${g.userId}:${g.resourceId}`)).toEqual(g);
    // Upper-case hex names the same grant (UUIDs are case-insensitive).
    const first = all[0];
    expect(p.has(`${first.userId.toUpperCase()}:${first.resourceId}`)).toBe(true);
    expect(p.has(`${first.resourceId}:${first.userId}`)).toBe(false);
  });

  it('compact keys: 32 bytes for a UUID pair, any other key kept whole and apart', () => {
    const u = '0b3c2a4e-1f2d-4c5b-8a9e-0123456789ab';
    const r = 'f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f';
    expect(compactGrantKey(`${u}:${r}`)).toHaveLength(32);
    expect(compactGrantKey(`${u}:${r}`)).not.toBe(compactGrantKey(`${r}:${u}`));
    expect(compactGrantKey('u:r')).toBe('\u0100u:r');
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
