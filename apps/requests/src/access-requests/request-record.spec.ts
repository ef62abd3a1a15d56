import type { AccessRequest } from '@lapse/contracts';
import { recordOutcome } from './request-record';

const now = '2026-01-10T10:00:00.000Z';
const pending: AccessRequest = {
  id: 'r-1',
  type: 'AutoLock',
  userId: 'u-1',
  resourceId: 'res-1',
  reason: 'deploy fix',
  durationSeconds: null,
  approvalMode: 'MANUAL',
  status: 'PENDING',
  requestedAt: '2026-01-10T09:00:00.000Z',
  expiresAt: '2026-01-17T09:00:00.000Z',
  reviewerId: null,
  reviewedAt: null,
  note: null,
};
const approved: AccessRequest = {
  ...pending,
  status: 'APPROVED',
  reviewerId: 'rev-1',
  reviewedAt: '2026-01-10T09:30:00.000Z',
  note: 'ok',
};
const expired: AccessRequest = { ...pending, status: 'EXPIRED' };

describe('recordOutcome', () => {
  it('stores a new pending request and publishes REQUESTED', () => {
    expect(recordOutcome(null, pending, now)).toEqual({
      kind: 'write',
      request: pending,
      event: 'REQUESTED',
      resolvedAt: null,
    });
  });

  it('stores a request first seen resolved (AUTOMATIC approval) with its review time as resolution time', () => {
    expect(recordOutcome(null, approved, now)).toEqual({
      kind: 'write',
      request: approved,
      event: 'APPROVED',
      resolvedAt: approved.reviewedAt,
    });
  });

  it('moves PENDING to a resolution, publishing that event', () => {
    expect(recordOutcome(pending, approved, now)).toMatchObject({
      kind: 'write',
      event: 'APPROVED',
    });
    expect(recordOutcome(pending, { ...approved, status: 'DENIED' }, now)).toMatchObject({
      kind: 'write',
      event: 'DENIED',
    });
  });

  it('an expiry has no review time: it resolves now', () => {
    expect(recordOutcome(pending, expired, now)).toEqual({
      kind: 'write',
      request: expired,
      event: 'EXPIRED',
      resolvedAt: now,
    });
  });

  it('the same status again is a duplicate (retried activity or update answer)', () => {
    expect(recordOutcome(pending, pending, now)).toEqual({ kind: 'ignore', reason: 'DUPLICATE' });
    expect(recordOutcome(approved, approved, now)).toEqual({ kind: 'ignore', reason: 'DUPLICATE' });
  });

  it('never moves a resolved request back to PENDING, nor to another resolution', () => {
    expect(recordOutcome(approved, pending, now)).toEqual({
      kind: 'ignore',
      reason: 'ALREADY_RESOLVED',
    });
    expect(recordOutcome(approved, expired, now)).toEqual({
      kind: 'ignore',
      reason: 'ALREADY_RESOLVED',
    });
  });
});
