import { checkNewUserRoles, checkUserChange, roleDiff, type Actor } from './role-rules';

const admin: Actor = { id: 'a1', roles: ['ADMIN'] };
const devops: Actor = { id: 'd1', roles: ['DEVOPS'] };
const member = { id: 'm1', roles: [], active: true } as const;

describe('role rules (rule 13)', () => {
  it('computes the roles gained and lost', () => {
    expect(roleDiff(['ADMIN', 'SUPPORT'], ['SUPPORT', 'DEVOPS'])).toEqual({
      added: ['DEVOPS'],
      removed: ['ADMIN'],
    });
  });

  it('only an ADMIN creates an ADMIN or DEVOPS', () => {
    expect(checkNewUserRoles(devops, ['ADMIN'])?.kind).toBe('FORBIDDEN');
    expect(checkNewUserRoles(devops, ['DEVOPS'])?.kind).toBe('FORBIDDEN');
    expect(checkNewUserRoles(devops, ['SUPPORT'])).toBeNull();
    expect(checkNewUserRoles(admin, ['ADMIN', 'DEVOPS'])).toBeNull();
  });

  it('only an ADMIN grants or removes ADMIN or DEVOPS', () => {
    expect(checkUserChange(devops, member, { roles: ['DEVOPS'] }, 1)?.kind).toBe('FORBIDDEN');
    expect(checkUserChange(devops, member, { roles: ['ADMIN'] }, 1)?.kind).toBe('FORBIDDEN');
    expect(checkUserChange(devops, member, { roles: ['ACCESS_REVIEWER'] }, 1)).toBeNull();
    expect(checkUserChange(admin, member, { roles: ['ADMIN'] }, 1)).toBeNull();
    const otherDevops = { id: 'd2', roles: ['DEVOPS'] as const, active: true };
    expect(checkUserChange(devops, otherDevops, { roles: [] }, 1)?.kind).toBe('FORBIDDEN');
    expect(checkUserChange(devops, otherDevops, { active: false }, 1)?.kind).toBe('FORBIDDEN');
    expect(checkUserChange(devops, otherDevops, { other: true }, 1)?.kind).toBe('FORBIDDEN');
    expect(checkUserChange(devops, member, { active: false }, 1)).toBeNull();
  });

  it('nobody changes their own roles or offboards themselves, admins included', () => {
    const me = { id: 'a1', roles: ['ADMIN'] as const, active: true };
    expect(checkUserChange(admin, me, { roles: ['ADMIN', 'SUPPORT'] }, 3)).toEqual({
      kind: 'FORBIDDEN',
      message: 'nobody changes their own roles',
    });
    expect(checkUserChange(admin, me, { active: false }, 3)?.kind).toBe('FORBIDDEN');
    // Same roles again or only the name: allowed.
    expect(checkUserChange(admin, me, { roles: ['ADMIN'], other: true }, 3)).toBeNull();
    const selfDevops = { id: 'd1', roles: ['DEVOPS'] as const, active: true };
    expect(checkUserChange(devops, selfDevops, { other: true }, 1)).toBeNull();
  });

  it('the last active ADMIN is neither demoted nor offboarded', () => {
    const otherAdmin = { id: 'a2', roles: ['ADMIN'] as const, active: true };
    expect(checkUserChange(admin, otherAdmin, { roles: [] }, 0)?.kind).toBe('CONFLICT');
    expect(checkUserChange(admin, otherAdmin, { active: false }, 0)?.kind).toBe('CONFLICT');
    expect(checkUserChange(admin, otherAdmin, { roles: [] }, 1)).toBeNull();
    expect(checkUserChange(admin, otherAdmin, { active: false }, 1)).toBeNull();
    // An inactive admin does not count and may be changed freely.
    expect(checkUserChange(admin, { ...otherAdmin, active: false }, { roles: [] }, 0)).toBeNull();
  });
});
