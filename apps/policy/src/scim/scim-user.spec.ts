import { parseScimUser, renderScimUser, type ScimUserRecord } from './scim-user';
import { ScimError } from './scim.errors';

const errorOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof ScimError ? `${e.status} ${e.scimType} ${e.message}` : String(e);
  }
  return 'no error';
};

describe('parseScimUser', () => {
  it('takes the Lapse email from the primary email, else the first, else a userName that is an address', () => {
    const emails = [
      { value: 'home@x.io', type: 'home' },
      { value: 'work@x.io', type: 'work', primary: true },
    ];
    expect(parseScimUser({ userName: 'ada', emails }).email).toBe('work@x.io');
    expect(parseScimUser({ userName: 'ada', emails: [emails[0]] }).email).toBe('home@x.io');
    expect(parseScimUser({ userName: 'ada@x.io' }).email).toBe('ada@x.io');
    expect(errorOf(() => parseScimUser({ userName: 'ada' }))).toMatch(/^400 invalidValue emails: /);
  });

  it('names the user by displayName, name.formatted, given and family names, or userName', () => {
    const base = { userName: 'ada@x.io' };
    expect(parseScimUser({ ...base, displayName: 'Ada L.' }).lapseName).toBe('Ada L.');
    expect(parseScimUser({ ...base, name: { formatted: 'Ada Lovelace' } }).lapseName).toBe(
      'Ada Lovelace',
    );
    expect(
      parseScimUser({ ...base, name: { givenName: 'Ada', familyName: 'Lovelace' } }).lapseName,
    ).toBe('Ada Lovelace');
    expect(parseScimUser(base).lapseName).toBe('ada@x.io');
  });

  it('matches attribute names case-insensitively, ignores what Lapse does not keep, takes "False" from Entra ID', () => {
    const u = parseScimUser({
      USERNAME: 'ada@x.io',
      Active: 'False',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { department: 'R&D' },
      password: 'secret',
      roles: [{ value: 'ADMIN' }],
    });
    expect(u).toEqual({
      userName: 'ada@x.io',
      externalId: null,
      profile: { active: false },
      email: 'ada@x.io',
      lapseName: 'ada@x.io',
    });
  });

  it('refuses bad values with a 400 naming the attribute', () => {
    expect(errorOf(() => parseScimUser({ userName: '' }))).toMatch(/^400 invalidValue userName: /);
    expect(errorOf(() => parseScimUser({ userName: 'a@x.io', active: 'yes' }))).toMatch(
      /^400 invalidValue active: /,
    );
    expect(
      errorOf(() => parseScimUser({ userName: 'a', emails: [{ value: 'not an address' }] })),
    ).toMatch(/^400 invalidValue emails\[0\]\.value: /);
    expect(
      errorOf(() =>
        parseScimUser({
          userName: 'a',
          emails: [
            { value: 'a@x.io', primary: true },
            { value: 'b@x.io', primary: true },
          ],
        }),
      ),
    ).toMatch(/^400 invalidValue emails: /);
    expect(errorOf(() => parseScimUser({ userName: 'a@x.io', displayName: 'x\u0007' }))).toMatch(
      /^400 invalidValue displayName: /,
    );
    expect(errorOf(() => parseScimUser([]))).toMatch(/^400 invalidSyntax/);
  });
});

describe('renderScimUser', () => {
  const record: ScimUserRecord = {
    id: 'id-1',
    email: 'ada@x.io',
    name: 'Ada',
    active: true,
    externalId: null,
    userName: null,
    profile: null,
    groups: [{ id: 'g1', name: 'Eng' }],
    createdAt: new Date('2026-01-01T00:00:00Z'),
    updatedAt: new Date('2026-01-02T00:00:00Z'),
  };

  it('shows a user the identity provider never touched by their Lapse email and name', () => {
    expect(renderScimUser(record, 'https://lapse/scim/v2')).toEqual({
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      id: 'id-1',
      userName: 'ada@x.io',
      displayName: 'Ada',
      emails: [{ value: 'ada@x.io', primary: true }],
      active: true,
      groups: [{ value: 'g1', $ref: 'https://lapse/scim/v2/Groups/g1', display: 'Eng' }],
      meta: {
        resourceType: 'User',
        created: '2026-01-01T00:00:00.000Z',
        lastModified: '2026-01-02T00:00:00.000Z',
        location: 'https://lapse/scim/v2/Users/id-1',
      },
    });
  });

  it('says active:false for an offboarded user whatever the identity provider last said', () => {
    const shown = renderScimUser(
      { ...record, active: false, userName: 'ada', profile: { active: true } },
      'b',
    );
    expect(shown.active).toBe(false);
    expect(renderScimUser({ ...record, userName: 'ada', profile: {} }, 'b')).not.toHaveProperty(
      'active',
    );
    // The provider asked for inactive but Lapse refused (the last ADMIN): the truth is shown.
    expect(renderScimUser({ ...record, profile: { active: false } }, 'b').active).toBe(true);
  });
});
