import { canEdit, canReadConsole, canReview, roleChoices, rolesFromForm } from './console-access';

describe('console access', () => {
  it('reads for every console role, edits for ADMIN and DEVOPS, reviews for reviewers', () => {
    expect(canReadConsole(['SUPPORT'])).toBe(true);
    expect(canReadConsole([])).toBe(false);
    expect(canEdit(['SUPPORT', 'ACCESS_REVIEWER'])).toBe(false);
    expect(canEdit(['DEVOPS'])).toBe(true);
    expect(canReview(['SUPPORT'])).toBe(false);
    expect(canReview(['ACCESS_REVIEWER'])).toBe(true);
  });
});

describe('roleChoices (rule 13)', () => {
  const admin = { id: 'a', roles: ['ADMIN'] as const };
  const devops = { id: 'd', roles: ['DEVOPS'] as const };
  const member = { id: 'm', roles: [] as const };
  const locked = (c: ReturnType<typeof roleChoices>) =>
    Object.fromEntries(c.map((x) => [x.role, x.locked]));

  it('an ADMIN changes every role of someone else, none of their own', () => {
    expect(Object.values(locked(roleChoices(admin, member)))).toEqual([null, null, null, null]);
    expect(Object.values(locked(roleChoices(admin, admin)))).toEqual(
      Array(4).fill('nobody changes their own roles'),
    );
  });

  it('DEVOPS grants SUPPORT and ACCESS_REVIEWER only, and leaves privileged users alone', () => {
    expect(locked(roleChoices(devops, member))).toEqual({
      ADMIN: 'only an Admin grants or removes it',
      DEVOPS: 'only an Admin grants or removes it',
      SUPPORT: null,
      ACCESS_REVIEWER: null,
    });
    expect(locked(roleChoices(devops, { id: 'x', roles: ['DEVOPS'] })).SUPPORT).toBe(
      'only an Admin changes an Admin or DevOps user',
    );
  });

  it('the saved roles keep what the actor may not change', () => {
    const choices = roleChoices(devops, { id: 'x', roles: ['ADMIN'] as never });
    // A forged form ticking DEVOPS and unticking ADMIN changes neither.
    expect(rolesFromForm(choices, ['DEVOPS'])).toEqual(['ADMIN']);
    expect(rolesFromForm(roleChoices(devops, member), ['SUPPORT', 'ADMIN'])).toEqual(['SUPPORT']);
  });
});
