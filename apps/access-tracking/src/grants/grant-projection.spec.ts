import { randomUUID } from 'node:crypto';
import {
  GrantProjection,
  compactGrantKey,
  grantKeyOfCompact,
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
  autoLockAt: null,
  autoLockDurationSeconds: null,
  lockDueAt: null,
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
      // Only an ACTIVE grant (every fifth) with a duration keeps an auto-lock deadline.
      autoLockAt: i % 5 === 0 && i % 3 !== 0 ? 1_950_000_000_000 + i : null,
      autoLockDurationSeconds: i % 3 ? 60 + i : null,
      lockDueAt: null,
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
    expect(grantKeyOfCompact(compactGrantKey(`${u}:${r}`))).toBe(`${u}:${r}`);
    expect(grantKeyOfCompact(compactGrantKey(`${u.toUpperCase()}:${r}`))).toBe(`${u}:${r}`);
    expect(grantKeyOfCompact(compactGrantKey('u:r'))).toBe('u:r');
  });

  it('compact keys: the 32 bytes of a UUID pair, whatever the case; anything not a UUID pair kept whole', () => {
    const u = '0b3c2a4e-1f2d-4c5b-8a9e-0123456789ab';
    const r = 'F0E1D2C3-B4A5-4697-8879-6A5B4C3D2E1F';
    const bytes = (k: string) => Buffer.from(k.replace(/[-:]/g, ''), 'hex').toString('latin1');
    for (const key of [`${u}:${r}`, `${r}:${u}`, `${u}:${u}`, `${u.toUpperCase()}:${r}`])
      expect(compactGrantKey(key)).toBe(bytes(key));
    expect(compactGrantKey(`${u}:${r}`)).toBe(compactGrantKey(`${u}:${r.toLowerCase()}`));
    const notPairs = [
      `${u}:${r.slice(0, 35)}g`,
      `${u}:${r.slice(0, 35)}\u00e9`,
      `${u.replace('-', '0')}:${r}`,
      `${u.slice(0, 8)}0${u.slice(9)}:${r}`,
      `${u};${r}`,
      `${u}:${r}x`,
      `${u}:${r.slice(1)}`,
      `${u}-${r}`.replace(/-/g, ''),
    ];
    for (const key of notPairs) expect(compactGrantKey(key)).toBe(`\u0100${key}`);
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
      autoLockAt: null,
      autoLockDurationSeconds: null,
      lockDueAt: null,
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
    expect([g.autoLockAt, g.autoLockDurationSeconds]).toEqual([null, null]);
  });
});

describe('lock-due checks (rule 1)', () => {
  const T = Date.parse('2025-01-01T00:00:00Z');
  const active = (version: number, over: Partial<ProjectedGrant> = {}): ProjectedGrant => ({
    ...grant(version),
    autoLockAt: T,
    autoLockDurationSeconds: 60,
    ...over,
  });

  it('lists ACTIVE grants past their deadline, with their key, version and duration', () => {
    const p = new GrantProjection();
    const u = '0b3c2a4e-1f2d-4c5b-8a9e-0123456789ab';
    const r = 'f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f';
    p.apply({ ...active(1), userId: u, resourceId: r });
    p.apply({ ...active(1), userId: 'later', autoLockAt: T + 1 });
    p.apply({ ...active(1), userId: 'locked', state: 'LOCKED' });
    p.apply({ ...active(1), userId: 'no-period', autoLockDurationSeconds: null });
    p.apply({ ...active(1), userId: 'old-record', autoLockAt: null });
    expect(p.lockChecksDue(T, 15_000, 100)).toEqual([
      { row: 0, key: `${u}:${r}`, version: 1, autoLockAt: T, durationSeconds: 60, markedAt: null },
    ]);
    expect(p.lockChecksDue(T - 1, 15_000, 100)).toEqual([]);
    expect(p.lockChecksDue(T + 1, 15_000, 1)).toHaveLength(1);
    expect(p.lockChecksDue(T + 1, 15_000, 100)).toHaveLength(2);
    // A LOCKED record keeps no deadline even if it carried one.
    expect(p.get('locked:r')?.autoLockAt).toBeNull();
  });

  it('a due check marks the grant; it is re-checked once, after the re-check delay', () => {
    const p = new GrantProjection();
    p.apply(active(1));
    const [check] = p.lockChecksDue(T + 100, 15_000, 10);
    expect(p.settleLockCheck(check, { due: true, lockDueAt: T }, T + 100)).toBe(true);
    expect(p.get('u:r')).toMatchObject({ state: 'ACTIVE', lockDueAt: T, autoLockAt: T });
    expect(p.lockChecksDue(T + 15_099, 15_000, 10)).toEqual([]);
    const [recheck] = p.lockChecksDue(T + 15_100, 15_000, 10);
    expect(recheck).toMatchObject({ markedAt: T + 100, autoLockAt: T });
    expect(p.settleLockCheck(recheck, { due: true, lockDueAt: T }, T + 15_100)).toBe(true);
    expect(p.lockChecksDue(T + 99_000, 15_000, 10)).toEqual([]);
    expect(p.get('u:r')?.lockDueAt).toBe(T);
  });

  it('a newer use found moves the deadline and lifts a mark', () => {
    const p = new GrantProjection();
    p.apply(active(1));
    const [check] = p.lockChecksDue(T, 15_000, 10);
    p.settleLockCheck(check, { due: true, lockDueAt: T }, T);
    const [recheck] = p.lockChecksDue(T + 15_000, 15_000, 10);
    p.settleLockCheck(recheck, { due: false, autoLockAt: T + 50_000 }, T + 15_000);
    expect(p.get('u:r')).toMatchObject({ lockDueAt: null, autoLockAt: T + 50_000 });
    expect(p.lockChecksDue(T + 49_999, 15_000, 10)).toEqual([]);
    expect(p.lockChecksDue(T + 50_000, 15_000, 10)).toMatchObject([{ markedAt: null }]);
  });

  it('a record of another version arriving during a check wins; a redelivery keeps the mark', () => {
    const p = new GrantProjection();
    p.apply(active(1));
    const [check] = p.lockChecksDue(T, 15_000, 10);
    p.apply(active(2, { autoLockAt: T + 60_000 }));
    expect(p.settleLockCheck(check, { due: true, lockDueAt: T }, T)).toBe(false);
    expect(p.get('u:r')).toMatchObject({ lockDueAt: null, autoLockAt: T + 60_000, version: 2 });

    const [next] = p.lockChecksDue(T + 60_000, 15_000, 10);
    p.settleLockCheck(next, { due: true, lockDueAt: T + 60_000 }, T + 60_000);
    p.apply(active(2, { autoLockAt: T + 60_000 })); // the same record again
    expect(p.get('u:r')?.lockDueAt).toBe(T + 60_000);
    p.apply(grant(3, 'LOCKED')); // the workflow's LOCKED replaces the mark
    expect(p.get('u:r')).toMatchObject({ state: 'LOCKED', lockDueAt: null, autoLockAt: null });
    p.apply(active(4, { autoLockAt: T + 999_000 })); // unlocked again: a fresh deadline, no mark
    expect(p.get('u:r')).toMatchObject({ state: 'ACTIVE', lockDueAt: null });
  });
});
