import type { Role } from '@lapse/contracts';
import {
  approverCheckMatters,
  canSee,
  reviewRight,
  seesAllRequests,
  type Viewer,
} from './review-rules';

const user = (id: string, ...roles: Role[]): Viewer => ({ kind: 'user', id, roles });
const request = { userId: 'alice', resourceId: 'gitlab' };

describe('review rules (rule 6)', () => {
  it.each<Role>(['ADMIN', 'DEVOPS', 'ACCESS_REVIEWER'])('%s reviews every resource', (role) => {
    expect(reviewRight(user('bob', role), request, false)).toEqual({ allowed: true });
    expect(canSee(user('bob', role), request, false)).toBe(true);
  });

  it('a resource approver reviews requests for that resource only', () => {
    expect(reviewRight(user('carol'), request, true)).toEqual({ allowed: true });
    expect(reviewRight(user('carol'), request, false)).toEqual({
      allowed: false,
      why: 'NOT_A_REVIEWER',
    });
    expect(canSee(user('carol'), request, false)).toBe(false);
  });

  it('nobody reviews their own request, not even an admin or an approver', () => {
    expect(reviewRight(user('alice', 'ADMIN'), request, true)).toEqual({
      allowed: false,
      why: 'OWN_REQUEST',
    });
  });

  it('SUPPORT reads every request but decides none', () => {
    expect(canSee(user('sam', 'SUPPORT'), request, false)).toBe(true);
    expect(reviewRight(user('sam', 'SUPPORT'), request, false)).toEqual({
      allowed: false,
      why: 'READ_ONLY',
    });
  });

  it('SUPPORT who is also the resource approver may decide as approver', () => {
    expect(reviewRight(user('sam', 'SUPPORT'), request, true)).toEqual({ allowed: true });
  });

  it('a plain member sees only their own requests', () => {
    expect(canSee(user('alice'), request, false)).toBe(true);
    expect(canSee(user('dave'), request, false)).toBe(false);
    expect(seesAllRequests(user('dave'))).toBe(false);
  });

  it('services read everything and decide nothing', () => {
    expect(canSee({ kind: 'service' }, request, false)).toBe(true);
    expect(reviewRight({ kind: 'service' }, request, true)).toEqual({
      allowed: false,
      why: 'SERVICE',
    });
  });

  it('asks whether the viewer approves the resource only where the answer changes something', () => {
    const viewers: Viewer[] = [
      { kind: 'service' },
      user('alice'),
      user('alice', 'ADMIN'),
      ...(['ADMIN', 'DEVOPS', 'ACCESS_REVIEWER', 'SUPPORT'] as Role[]).map((r) => user('bob', r)),
      user('carol'),
    ];
    for (const v of viewers) {
      const changes =
        canSee(v, request, true) !== canSee(v, request, false) ||
        JSON.stringify(reviewRight(v, request, true)) !==
          JSON.stringify(reviewRight(v, request, false));
      if (!approverCheckMatters(v, request)) expect(changes).toBe(false);
    }
    expect(approverCheckMatters(user('bob', 'ACCESS_REVIEWER'), request)).toBe(false);
    expect(approverCheckMatters(user('alice'), request)).toBe(false);
    expect(approverCheckMatters(user('sam', 'SUPPORT'), request)).toBe(true);
    expect(approverCheckMatters(user('carol'), request)).toBe(true);
  });
});
