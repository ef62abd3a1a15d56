import { sameRoles, sessionVerdict } from './session-rules';

describe('sessionVerdict', () => {
  const session = { roles: ['ADMIN', 'SUPPORT'] as const };

  it('keeps a session whose user is unchanged (roles in any order)', () => {
    expect(sessionVerdict(session, { roles: ['SUPPORT', 'ADMIN'], active: true })).toBe('OK');
    expect(sessionVerdict(session, { roles: ['SUPPORT', 'ADMIN'] })).toBe('OK');
  });

  it('ends it when the user is gone, inactive, or their roles changed', () => {
    expect(sessionVerdict(session, null)).toBe('USER_GONE');
    expect(sessionVerdict(session, { roles: ['ADMIN', 'SUPPORT'], active: false })).toBe(
      'USER_INACTIVE',
    );
    expect(sessionVerdict(session, { roles: ['ADMIN'] })).toBe('ROLES_CHANGED');
    expect(sessionVerdict({ roles: [] }, { roles: ['DEVOPS'] })).toBe('ROLES_CHANGED');
  });
});

describe('sameRoles', () => {
  it('compares as sets', () => {
    expect(sameRoles([], [])).toBe(true);
    expect(sameRoles(['ADMIN', 'ADMIN'], ['ADMIN'])).toBe(true);
    expect(sameRoles(['ADMIN'], ['DEVOPS'])).toBe(false);
  });
});
