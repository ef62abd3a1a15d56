import { filterToSql, listParams, project, wants } from './scim-query';
import { ScimError } from './scim.errors';

const COLUMNS = {
  username: (p: string) => `lower(u.user_name) = lower(${p})`,
  externalid: (p: string) => `u.external_id = ${p}`,
  'emails.value': (p: string) => `lower(u.email) = lower(${p})`,
};

const scimTypeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof ScimError ? `${e.status} ${e.scimType}` : String(e);
  }
  return 'no error';
};

describe('filterToSql', () => {
  it('turns eq into a parameterised condition, attribute names case-insensitive and URN-qualified', () => {
    expect(filterToSql('userName eq "Ada@Example.com"', COLUMNS)).toEqual({
      where: 'lower(u.user_name) = lower($1)',
      params: ['Ada@Example.com'],
    });
    expect(
      filterToSql('urn:ietf:params:scim:schemas:core:2.0:User:USERNAME eq "x"', COLUMNS, 3),
    ).toEqual({ where: 'lower(u.user_name) = lower($3)', params: ['x'] });
  });

  it('joins and / or, and flattens value paths', () => {
    expect(
      filterToSql('externalId eq "a" and (userName eq "b" or emails[value eq "c"])', COLUMNS),
    ).toEqual({
      where:
        '(u.external_id = $1 AND (lower(u.user_name) = lower($2) OR lower(u.email) = lower($3)))',
      params: ['a', 'b', 'c'],
    });
  });

  it('a value never reaches the SQL text', () => {
    const { where, params } = filterToSql(`userName eq "x'); DROP TABLE users; --"`, COLUMNS);
    expect(where).toBe('lower(u.user_name) = lower($1)');
    expect(params).toEqual(["x'); DROP TABLE users; --"]);
  });

  it('refuses what it does not answer with 400 invalidFilter', () => {
    expect(scimTypeOf(() => filterToSql('userName co "a"', COLUMNS))).toBe('400 invalidFilter');
    expect(scimTypeOf(() => filterToSql('title eq "a"', COLUMNS))).toBe('400 invalidFilter');
    expect(scimTypeOf(() => filterToSql('userName eq', COLUMNS))).toBe('400 invalidFilter');
    expect(scimTypeOf(() => filterToSql('not (userName eq "a")', COLUMNS))).toBe(
      '400 invalidFilter',
    );
    expect(scimTypeOf(() => filterToSql('userName eq 3', COLUMNS))).toBe('400 invalidFilter');
  });
});

describe('listParams', () => {
  it('defaults to the first 100; clamps startIndex below 1 and count to 0..1000', () => {
    expect(listParams({})).toEqual({ startIndex: 1, count: 100 });
    expect(listParams({ startIndex: '0', count: '-5' })).toMatchObject({ startIndex: 1, count: 0 });
    expect(listParams({ startIndex: '11', count: '5000' })).toMatchObject({
      startIndex: 11,
      count: 1000,
    });
  });

  it('parses attributes lists and refuses both lists at once, or a count that is no integer', () => {
    expect(listParams({ attributes: 'userName, name.givenName' }).attributes).toEqual([
      'userName',
      'name.givenName',
    ]);
    expect(scimTypeOf(() => listParams({ attributes: 'a', excludedAttributes: 'b' }))).toBe(
      '400 invalidSyntax',
    );
    expect(scimTypeOf(() => listParams({ count: 'ten' }))).toBe('400 invalidValue');
  });
});

describe('project', () => {
  const user = {
    schemas: ['s'],
    id: '1',
    userName: 'ada',
    name: { givenName: 'Ada', familyName: 'Lovelace' },
    emails: [{ value: 'a@x', primary: true }],
    meta: { location: 'l' },
  };

  it('attributes keeps id and schemas and the asked attributes, sub-attributes too', () => {
    expect(project(user, { attributes: ['USERNAME', 'name.familyName'] })).toEqual({
      schemas: ['s'],
      id: '1',
      userName: 'ada',
      name: { familyName: 'Lovelace' },
    });
    expect(project(user, { attributes: ['emails.value'] })).toMatchObject({
      emails: [{ value: 'a@x' }],
    });
  });

  it('excludedAttributes drops them, never id', () => {
    expect(project(user, { excludedAttributes: ['emails', 'id', 'name.givenName'] })).toEqual({
      schemas: ['s'],
      id: '1',
      userName: 'ada',
      name: { familyName: 'Lovelace' },
      meta: { location: 'l' },
    });
  });

  it('wants tells whether an attribute must be loaded', () => {
    expect(wants({ excludedAttributes: ['members'] }, 'members')).toBe(false);
    expect(wants({ attributes: ['displayName'] }, 'members')).toBe(false);
    expect(wants({ attributes: ['members.value'] }, 'members')).toBe(true);
    expect(wants({}, 'members')).toBe(true);
  });
});
