import type { AccessRequestEvent } from '@lapse/contracts';
import { requestAuditEntry } from './request-audit';

const request: AccessRequestEvent['request'] = {
  id: 'r1',
  type: 'AutoLock',
  userId: 'u1',
  resourceId: 'res1',
  reason: 'need it',
  durationSeconds: null,
  approvalMode: 'MANUAL',
  status: 'APPROVED',
  requestedAt: '2025-01-01T00:00:00.000Z',
  expiresAt: '2025-01-08T00:00:00.000Z',
  reviewerId: 'admin1',
  reviewedAt: '2025-01-01T01:00:00.000Z',
  note: 'ok',
};

describe('requestAuditEntry', () => {
  it('records a decision with its reviewer, before/after and a dedup key', () => {
    const e = requestAuditEntry({ event: 'APPROVED', request });
    expect(e).toMatchObject({
      category: 'ACCESS',
      action: 'request.approved',
      actorId: 'admin1',
      resourceId: 'res1',
      userId: 'u1',
      before: { status: 'PENDING' },
      at: '2025-01-01T01:00:00.000Z',
      dedupKey: 'request:r1:APPROVED',
    });
  });
  it('an automatic approval has the system as actor; a new request the requester', () => {
    expect(
      requestAuditEntry({
        event: 'APPROVED',
        request: { ...request, approvalMode: 'AUTOMATIC', reviewerId: null },
      }).actorId,
    ).toBe('system:automatic');
    expect(
      requestAuditEntry({
        event: 'REQUESTED',
        request: { ...request, status: 'PENDING', reviewerId: null, reviewedAt: null },
      }).actorId,
    ).toBe('u1');
  });
});
