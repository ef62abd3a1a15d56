import type { AccessRequest } from '@lapse/contracts';
import { describePolicy, formatAge, formatTime, requestPageMode, requestRow } from './view-models';

describe('view models', () => {
  it('formats ages coarsely', () => {
    const now = Date.parse('2026-01-10T12:00:00Z');
    expect(formatAge('2026-01-10T11:59:30Z', now)).toBe('just now');
    expect(formatAge('2026-01-10T11:55:00Z', now)).toBe('5 minutes ago');
    expect(formatAge('2026-01-10T09:00:00Z', now)).toBe('3 hours ago');
    expect(formatAge('2026-01-08T12:00:00Z', now)).toBe('2 days ago');
  });

  it('formats times in UTC', () => {
    expect(formatTime('2026-01-10T09:30:12.000Z')).toBe('2026-01-10 09:30 UTC');
    expect(formatTime(null)).toBe('');
  });

  it('describes a policy', () => {
    expect(
      describePolicy({
        autoLock: { durationSeconds: 30 * 86400, approval: 'AUTOMATIC' },
        accessRequests: null,
      }),
    ).toEqual(['Locks after 30 days without use; unlocking is automatic with a reason.']);
    expect(
      describePolicy({
        autoLock: null,
        accessRequests: { accessPeriodSeconds: 'CUSTOM', approval: 'MANUAL' },
      })[0],
    ).toContain('a period you choose');
  });

  it('chooses the request page mode from the grant', () => {
    expect(requestPageMode({ state: 'LOCKED', openRequest: null })).toBe('FORM');
    expect(requestPageMode({ state: 'PENDING', openRequest: {} as AccessRequest })).toBe('WAITING');
    expect(requestPageMode({ state: 'ACTIVE', openRequest: null })).toBe('ACTIVE');
    // Past its auto-lock deadline, not locked by its workflow yet: decisions already refuse it.
    const now = Date.parse('2025-01-01T00:00:00Z');
    const due = { state: 'ACTIVE' as const, openRequest: null, autoLockAt: '2025-01-01T00:00:00Z' };
    expect(requestPageMode(due, now)).toBe('LOCKING');
    expect(requestPageMode(due, now - 1)).toBe('ACTIVE');
    expect(requestPageMode({ ...due, autoLockAt: null }, now)).toBe('ACTIVE');
    expect(requestPageMode({ state: 'REVOKED', openRequest: null })).toBe('ENDED');
  });

  it('builds a review row; only pending requests can be decided', () => {
    const r: AccessRequest = {
      id: 'r1',
      type: 'JIT',
      userId: 'u',
      resourceId: 'res',
      reason: '<b>hi</b>',
      durationSeconds: 3600,
      approvalMode: 'MANUAL',
      status: 'APPROVED',
      requestedAt: '2026-01-10T11:00:00Z',
      expiresAt: '2026-01-17T11:00:00Z',
      reviewerId: 'v',
      reviewedAt: '2026-01-10T11:30:00Z',
      note: null,
    };
    const row = requestRow(r, {
      user: { name: 'A', email: 'a@x' },
      resourceName: 'Gitlab',
      reviewer: null,
      canDecide: true,
      whyNot: null,
      nowMs: Date.parse('2026-01-10T12:00:00Z'),
    });
    expect(row).toMatchObject({
      type: 'Just-in-time',
      duration: '1 hour',
      age: '1 hour ago',
      statusLabel: 'Approved',
      canDecide: false,
      reason: '<b>hi</b>',
    });
  });
});
