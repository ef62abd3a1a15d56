import { applyPatch, normalizeOperations, parsePatchRequest, patchShape } from './scim-patch';
import { PATCH_OP_SCHEMA } from './scim-schemas';
import { ScimError } from './scim.errors';

const GROUP = patchShape(
  ['displayName', 'externalId', 'members', 'members.value', 'id', 'meta'],
  ['id', 'meta'],
);
const USER = patchShape(
  ['userName', 'name', 'name.givenName', 'active', 'groups', 'id'],
  ['id', 'groups'],
);

const errorOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e instanceof ScimError ? `${e.status} ${e.scimType}` : String(e);
  }
  return 'no error';
};

describe('parsePatchRequest', () => {
  it('takes Operations in any case and op names in any case', () => {
    expect(
      parsePatchRequest({
        schemas: [PATCH_OP_SCHEMA],
        operations: [{ op: 'Replace', path: 'active', value: false }],
      }),
    ).toEqual([{ op: 'replace', path: 'active', value: false }]);
  });

  it('refuses a body that is not a PatchOp', () => {
    expect(errorOf(() => parsePatchRequest({ Operations: [] }))).toBe('400 invalidValue');
    expect(
      errorOf(() =>
        parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations: [{ op: 'move' }] }),
      ),
    ).toBe('400 invalidValue');
    expect(
      errorOf(() =>
        parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations: [{ op: 'remove' }] }),
      ),
    ).toBe('400 noTarget');
    expect(
      errorOf(() => parsePatchRequest({ schemas: [PATCH_OP_SCHEMA], Operations: [{ op: 'add' }] })),
    ).toBe('400 invalidValue');
  });
});

describe('normalizeOperations', () => {
  it('turns an Entra ID member removal with a value into filtered removals', () => {
    expect(
      normalizeOperations(
        [{ op: 'remove', path: 'Members', value: [{ value: 'u1' }, { value: 'u2' }] }],
        GROUP,
      ),
    ).toEqual([
      { op: 'remove', path: 'members[value eq "u1"]' },
      { op: 'remove', path: 'members[value eq "u2"]' },
    ]);
  });

  it('splits a path-less value with dotted keys and leaves out read-only attributes', () => {
    expect(
      normalizeOperations(
        [{ op: 'replace', value: { id: 'x', 'name.GivenName': 'Ada', active: false } }],
        USER,
      ),
    ).toEqual([
      { op: 'replace', path: 'name.givenName', value: 'Ada' },
      { op: 'replace', value: { active: false } },
    ]);
  });

  it('refuses an operation on a read-only attribute with 400 mutability', () => {
    expect(
      errorOf(() => normalizeOperations([{ op: 'add', path: 'groups', value: [] }], USER)),
    ).toBe('400 mutability');
  });
});

describe('applyPatch', () => {
  const group = {
    id: 'g',
    displayName: 'Eng',
    members: [
      { value: 'u1', type: 'User' },
      { value: 'u2', type: 'User' },
    ],
  };

  it('adds, removes by filter, replaces — on a copy', () => {
    const after = applyPatch(
      group,
      [
        { op: 'add', path: 'members', value: [{ value: 'u3' }] },
        { op: 'remove', path: 'members[value eq "u1"]' },
        { op: 'replace', path: 'displayName', value: 'Engineering' },
      ],
      GROUP,
    );
    expect(after).toEqual({
      id: 'g',
      displayName: 'Engineering',
      members: [{ value: 'u2', type: 'User' }, { value: 'u3' }],
    });
    expect(group.members).toHaveLength(2);
  });

  it('remove of a whole attribute unassigns it', () => {
    expect(applyPatch(group, [{ op: 'remove', path: 'members' }], GROUP)).toEqual({
      id: 'g',
      displayName: 'Eng',
    });
  });

  it('replace through a filter that matches nothing is 400 noTarget (an eq filter adds, as RFC 7644 says)', () => {
    expect(
      errorOf(() =>
        applyPatch(
          group,
          [{ op: 'replace', path: 'members[value sw "zz"].type', value: 'User' }],
          GROUP,
        ),
      ),
    ).toBe('400 noTarget');
    expect(
      applyPatch(
        group,
        [{ op: 'replace', path: 'members[value eq "u9"].type', value: 'User' }],
        GROUP,
      ).members,
    ).toContainEqual({ value: 'u9', type: 'User' });
  });
});
