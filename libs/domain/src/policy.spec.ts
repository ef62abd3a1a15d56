import fc from 'fast-check';
import { LIMITS } from '@lapse/contracts';
import type {
  AccessRequestsPolicy,
  ApprovalMode,
  AutoLockPolicy,
  EffectivePolicy,
  Policy,
} from '@lapse/contracts';
import {
  accessPeriodRank,
  effectivePolicy,
  initialGrantState,
  resolvePolicy,
  samePolicy,
  type AssignmentPolicyInput,
} from './policy';

const DAY = 86_400;
const al = (days: number, approval: ApprovalMode = 'MANUAL'): AutoLockPolicy => ({
  durationSeconds: days * DAY,
  approval,
});
const jit = (
  period: number | 'CUSTOM',
  approval: ApprovalMode = 'MANUAL',
): AccessRequestsPolicy => ({
  accessPeriodSeconds: period,
  approval,
});
const a = (
  groupId: string,
  autoLock: AutoLockPolicy | null,
  accessRequests: AccessRequestsPolicy | null = null,
  expiresAt: string | null = null,
): AssignmentPolicyInput => ({ groupId, policy: { autoLock, accessRequests }, expiresAt });

describe('resolvePolicy', () => {
  const def: Policy = { autoLock: al(30), accessRequests: jit(3600) };

  it('inherits every field when there is no override', () => {
    expect(resolvePolicy(def)).toEqual(def);
    expect(resolvePolicy(def, null)).toEqual(def);
    expect(resolvePolicy(def, {})).toEqual(def);
  });

  it('takes a present field, including null (off), and inherits the absent one', () => {
    expect(resolvePolicy(def, { autoLock: al(7, 'AUTOMATIC') })).toEqual({
      autoLock: al(7, 'AUTOMATIC'),
      accessRequests: jit(3600),
    });
    expect(resolvePolicy(def, { accessRequests: null })).toEqual({
      autoLock: al(30),
      accessRequests: null,
    });
    expect(resolvePolicy(def, { autoLock: undefined, accessRequests: jit('CUSTOM') })).toEqual({
      autoLock: al(30),
      accessRequests: jit('CUSTOM'),
    });
  });

  it('returns a copy (no aliasing of the inputs)', () => {
    const r = resolvePolicy(def);
    expect(r.autoLock).not.toBe(def.autoLock);
    expect(r.accessRequests).not.toBe(def.accessRequests);
  });
});

describe('effectivePolicy', () => {
  it('is null without assignments', () => {
    expect(effectivePolicy([])).toBeNull();
  });

  it('one assignment: its policy, its group', () => {
    expect(effectivePolicy([a('g1', al(30), jit(3600), '2030-01-01T00:00:00.000Z')])).toEqual({
      autoLock: al(30),
      accessRequests: jit(3600),
      expiresAt: '2030-01-01T00:00:00.000Z',
      sourceGroupIds: ['g1'],
    });
  });

  it('no auto-lock beats auto-lock', () => {
    const e = effectivePolicy([a('g1', al(90, 'AUTOMATIC')), a('g2', null)]);
    expect(e?.autoLock).toBeNull();
    expect(e?.sourceGroupIds).toEqual(['g2']);
  });

  it('a longer duration beats a shorter; AUTOMATIC beats MANUAL, field by field', () => {
    const e = effectivePolicy([
      a('g1', al(30, 'MANUAL')),
      a('g2', al(7, 'AUTOMATIC')),
      a('g3', al(1)),
    ]);
    expect(e?.autoLock).toEqual(al(30, 'AUTOMATIC'));
    // g1 supplied the duration, g2 the approval; g3 supplied nothing.
    expect(e?.sourceGroupIds).toEqual(['g1', 'g2']);
  });

  it('no JIT beats JIT; a longer period beats a shorter; CUSTOM counts as 7 days and wins a tie', () => {
    expect(
      effectivePolicy([a('g1', null, jit(3600)), a('g2', null, null)])?.accessRequests,
    ).toBeNull();
    expect(
      effectivePolicy([a('g1', null, jit(3600)), a('g2', null, jit(7200))])?.accessRequests,
    ).toEqual(jit(7200));
    expect(
      effectivePolicy([a('g1', null, jit(6 * DAY)), a('g2', null, jit('CUSTOM'))])?.accessRequests,
    ).toEqual(jit('CUSTOM'));
    expect(
      effectivePolicy([a('g1', null, jit(7 * DAY)), a('g2', null, jit('CUSTOM'))])?.accessRequests,
    ).toEqual(jit('CUSTOM'));
    expect(
      effectivePolicy([a('g1', null, jit(8 * DAY)), a('g2', null, jit('CUSTOM'))])?.accessRequests,
    ).toEqual(jit(8 * DAY));
    expect(
      effectivePolicy([a('g1', null, jit(3600, 'AUTOMATIC')), a('g2', null, jit(7200, 'MANUAL'))])
        ?.accessRequests,
    ).toEqual(jit(7200, 'AUTOMATIC'));
  });

  it('the later expiresAt wins; none beats any', () => {
    const early = '2030-01-01T00:00:00.000Z';
    const late = '2031-01-01T00:00:00Z';
    expect(
      effectivePolicy([a('g1', null, null, early), a('g2', null, null, late)])?.expiresAt,
    ).toBe(late);
    expect(
      effectivePolicy([a('g1', null, null, early), a('g2', null, null, null)])?.expiresAt,
    ).toBeNull();
  });

  it('sources: every group when all agree; only the suppliers of disputed fields otherwise', () => {
    expect(effectivePolicy([a('g2', al(30)), a('g1', al(30))])?.sourceGroupIds).toEqual([
      'g1',
      'g2',
    ]);
    // g1 and g2 tie on the winning duration; g3 is shorter.
    expect(
      effectivePolicy([a('g1', al(30)), a('g2', al(30)), a('g3', al(7))])?.sourceGroupIds,
    ).toEqual(['g1', 'g2']);
    // g2 keeps the grant alive longer, g1 supplies the longer auto-lock.
    expect(
      effectivePolicy([a('g1', al(30), null, '2030-01-01T00:00:00Z'), a('g2', al(7), null, null)])
        ?.sourceGroupIds,
    ).toEqual(['g1', 'g2']);
  });

  it('duplicate group ids appear once', () => {
    expect(effectivePolicy([a('g1', al(30)), a('g1', al(30))])?.sourceGroupIds).toEqual(['g1']);
  });
});

describe('accessPeriodRank', () => {
  it('orders fixed periods by length and CUSTOM just above 7 days', () => {
    expect(accessPeriodRank('CUSTOM')).toBeGreaterThan(
      accessPeriodRank(LIMITS.customAccessPeriodMaxSeconds),
    );
    expect(accessPeriodRank('CUSTOM')).toBeLessThan(
      accessPeriodRank(LIMITS.customAccessPeriodMaxSeconds + 1),
    );
  });
});

describe('samePolicy', () => {
  it('compares fields and expiry instants, not object identity or source groups', () => {
    const x: EffectivePolicy = {
      autoLock: al(1),
      accessRequests: null,
      expiresAt: '2030-01-01T00:00:00Z',
      sourceGroupIds: ['a'],
    };
    const y: EffectivePolicy = {
      ...x,
      expiresAt: '2030-01-01T00:00:00.000Z',
      sourceGroupIds: ['b'],
    };
    expect(samePolicy(x, y)).toBe(true);
    expect(samePolicy(x, { ...x, autoLock: al(2) })).toBe(false);
    expect(samePolicy(x, { ...x, autoLock: null })).toBe(false);
    expect(samePolicy(x, { ...x, accessRequests: jit('CUSTOM') })).toBe(false);
    expect(samePolicy(x, { ...x, expiresAt: null })).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Property-based tests of the resolution order.

const approvalArb = fc.constantFrom<ApprovalMode>('MANUAL', 'AUTOMATIC');
// A few fixed values make ties likely; the integer range covers the rest.
const durationArb = fc.oneof(
  fc.constantFrom(DAY, 7 * DAY, 30 * DAY),
  fc.integer({ min: LIMITS.autoLockMinSeconds, max: LIMITS.autoLockMaxSeconds }),
);
const periodArb = fc.oneof(
  fc.constant<'CUSTOM'>('CUSTOM'),
  fc.constantFrom(3600, LIMITS.customAccessPeriodMaxSeconds),
  fc.integer({ min: 1, max: LIMITS.autoLockMaxSeconds }),
);
const autoLockArb = fc.option(fc.record({ durationSeconds: durationArb, approval: approvalArb }), {
  nil: null,
});
const jitArb = fc.option(fc.record({ accessPeriodSeconds: periodArb, approval: approvalArb }), {
  nil: null,
});
const expiryArb = fc.option(
  fc
    .oneof(
      fc.constant(Date.UTC(2030, 0, 1)),
      fc.integer({ min: Date.UTC(2025, 0, 1), max: Date.UTC(2035, 0, 1) }),
    )
    .map((ms) => new Date(ms).toISOString()),
  { nil: null, freq: 3 },
);
const assignmentsArb = fc.uniqueArray(
  fc.record({
    groupId: fc.constantFrom('g1', 'g2', 'g3', 'g4', 'g5', 'g6', 'g7'),
    policy: fc.record({ autoLock: autoLockArb, accessRequests: jitArb }),
    expiresAt: expiryArb,
  }),
  { selector: (x) => x.groupId, minLength: 1, maxLength: 6 },
);

const approvalRank = (m: ApprovalMode) => (m === 'AUTOMATIC' ? 1 : 0);
const expiryRank = (e: string | null) => (e === null ? Infinity : Date.parse(e));

/** Field by field, `e` is at least as permissive as `p`. */
function dominates(e: EffectivePolicy, p: AssignmentPolicyInput): boolean {
  const autoLockOk =
    e.autoLock === null ||
    (p.policy.autoLock !== null &&
      e.autoLock.durationSeconds >= p.policy.autoLock.durationSeconds &&
      approvalRank(e.autoLock.approval) >= approvalRank(p.policy.autoLock.approval));
  const jitOk =
    e.accessRequests === null ||
    (p.policy.accessRequests !== null &&
      accessPeriodRank(e.accessRequests.accessPeriodSeconds) >=
        accessPeriodRank(p.policy.accessRequests.accessPeriodSeconds) &&
      approvalRank(e.accessRequests.approval) >= approvalRank(p.policy.accessRequests.approval));
  return autoLockOk && jitOk && expiryRank(e.expiresAt) >= expiryRank(p.expiresAt);
}

const asAssignment = (groupId: string, e: EffectivePolicy): AssignmentPolicyInput => ({
  groupId,
  policy: { autoLock: e.autoLock, accessRequests: e.accessRequests },
  expiresAt: e.expiresAt,
});

describe('effectivePolicy (properties)', () => {
  it('does not depend on the order of the assignments', () => {
    fc.assert(
      fc.property(
        assignmentsArb.chain((xs) =>
          fc.tuple(
            fc.constant(xs),
            fc.shuffledSubarray(xs, { minLength: xs.length, maxLength: xs.length }),
          ),
        ),
        ([xs, shuffled]) => {
          expect(effectivePolicy(shuffled)).toEqual(effectivePolicy(xs));
        },
      ),
    );
  });

  it('is at least as permissive as every assignment, field by field', () => {
    fc.assert(
      fc.property(assignmentsArb, (xs) => {
        const e = effectivePolicy(xs) as EffectivePolicy;
        for (const x of xs) expect(dominates(e, x)).toBe(true);
      }),
    );
  });

  it('invents nothing: every winning value is offered by some assignment (so it is the least upper bound)', () => {
    fc.assert(
      fc.property(assignmentsArb, (xs) => {
        const e = effectivePolicy(xs) as EffectivePolicy;
        if (e.autoLock === null) expect(xs.some((x) => x.policy.autoLock === null)).toBe(true);
        else {
          const d = e.autoLock.durationSeconds;
          const m = e.autoLock.approval;
          expect(xs.some((x) => x.policy.autoLock?.durationSeconds === d)).toBe(true);
          expect(xs.some((x) => x.policy.autoLock?.approval === m)).toBe(true);
        }
        if (e.accessRequests === null)
          expect(xs.some((x) => x.policy.accessRequests === null)).toBe(true);
        else {
          const p = e.accessRequests.accessPeriodSeconds;
          const m = e.accessRequests.approval;
          expect(xs.some((x) => x.policy.accessRequests?.accessPeriodSeconds === p)).toBe(true);
          expect(xs.some((x) => x.policy.accessRequests?.approval === m)).toBe(true);
        }
        expect(xs.some((x) => x.expiresAt === e.expiresAt)).toBe(true);
      }),
    );
  });

  it('merges: resolving two sets separately and then together gives the same policy', () => {
    fc.assert(
      fc.property(assignmentsArb, assignmentsArb, (xs, ys) => {
        const ex = effectivePolicy(xs) as EffectivePolicy;
        const ey = effectivePolicy(ys) as EffectivePolicy;
        const all = effectivePolicy([...xs, ...ys]) as EffectivePolicy;
        const merged = effectivePolicy([
          asAssignment('x', ex),
          asAssignment('y', ey),
        ]) as EffectivePolicy;
        expect(samePolicy(all, merged)).toBe(true);
      }),
    );
  });

  it('is monotone: another assignment never makes the policy less permissive', () => {
    fc.assert(
      fc.property(assignmentsArb, assignmentsArb, (xs, ys) => {
        const before = effectivePolicy(xs) as EffectivePolicy;
        const after = effectivePolicy([...xs, ...ys]) as EffectivePolicy;
        expect(dominates(after, asAssignment('before', before))).toBe(true);
      }),
    );
  });

  it('records sources: non-empty, sorted, unique, among the groups, each supplying a winning value', () => {
    fc.assert(
      fc.property(assignmentsArb, (xs) => {
        const e = effectivePolicy(xs) as EffectivePolicy;
        const groups = xs.map((x) => x.groupId);
        expect(e.sourceGroupIds.length).toBeGreaterThan(0);
        expect(e.sourceGroupIds).toEqual([...new Set(e.sourceGroupIds)].sort());
        for (const g of e.sourceGroupIds) expect(groups).toContain(g);
        const first = { ...xs[0].policy, expiresAt: xs[0].expiresAt };
        const allAgree = xs.every((x) =>
          samePolicy({ ...x.policy, expiresAt: x.expiresAt }, first),
        );
        if (allAgree) expect(e.sourceGroupIds).toEqual([...groups].sort());
        for (const g of e.sourceGroupIds) {
          const x = xs.find((y) => y.groupId === g) as AssignmentPolicyInput;
          const supplies =
            (e.autoLock === null
              ? x.policy.autoLock === null
              : x.policy.autoLock?.durationSeconds === e.autoLock.durationSeconds ||
                x.policy.autoLock?.approval === e.autoLock.approval) ||
            (e.accessRequests === null
              ? x.policy.accessRequests === null
              : x.policy.accessRequests?.accessPeriodSeconds ===
                  e.accessRequests.accessPeriodSeconds ||
                x.policy.accessRequests?.approval === e.accessRequests.approval) ||
            x.expiresAt === e.expiresAt;
          expect(supplies).toBe(true);
        }
      }),
    );
  });

  it('a single assignment resolves to itself', () => {
    fc.assert(
      fc.property(assignmentsArb, (xs) => {
        const x = xs[0];
        expect(effectivePolicy([x])).toEqual({
          ...x.policy,
          expiresAt: x.expiresAt,
          sourceGroupIds: [x.groupId],
        });
      }),
    );
  });
});

describe('initialGrantState (rule 4)', () => {
  const policy = (accessRequests: AccessRequestsPolicy | null): EffectivePolicy => ({
    autoLock: al(7),
    accessRequests,
    expiresAt: null,
    sourceGroupIds: ['g'],
  });

  it('a JIT grant starts LOCKED, any other ACTIVE', () => {
    expect(initialGrantState(policy(jit(3600)))).toBe('LOCKED');
    expect(initialGrantState(policy(jit('CUSTOM', 'AUTOMATIC')))).toBe('LOCKED');
    expect(initialGrantState(policy(null))).toBe('ACTIVE');
  });
});
