import { auditDiff } from './audit-diff';

describe('auditDiff', () => {
  it('shows only what changed, by path', () => {
    expect(
      auditDiff(
        {
          name: 'Gitlab',
          policy: {
            autoLock: { durationSeconds: 2592000, approval: 'MANUAL' },
            accessRequests: null,
          },
        },
        {
          name: 'Gitlab',
          policy: {
            autoLock: { durationSeconds: 604800, approval: 'MANUAL' },
            accessRequests: null,
          },
        },
      ),
    ).toEqual([
      {
        path: 'policy.autoLock.durationSeconds',
        before: '2592000',
        after: '604800',
        kind: 'changed',
      },
    ]);
  });

  it('marks added and removed values (a creation, a deletion, null to object)', () => {
    expect(auditDiff(null, { name: 'SRE', memberIds: ['a', 'b'] })).toEqual([
      { path: '(value)', before: 'null', after: '', kind: 'removed' },
      { path: 'memberIds', before: '', after: '["a","b"]', kind: 'added' },
      { path: 'name', before: '', after: 'SRE', kind: 'added' },
    ]);
    expect(
      auditDiff(
        { policy: { autoLock: null } },
        { policy: { autoLock: { durationSeconds: 1, approval: 'MANUAL' } } },
      ),
    ).toEqual([
      { path: 'policy.autoLock', before: 'null', after: '', kind: 'removed' },
      { path: 'policy.autoLock.approval', before: '', after: 'MANUAL', kind: 'added' },
      { path: 'policy.autoLock.durationSeconds', before: '', after: '1', kind: 'added' },
    ]);
  });

  it('is empty when nothing changed', () => {
    expect(auditDiff({ a: [1, 2], b: {} }, { a: [1, 2], b: {} })).toEqual([]);
  });
});
