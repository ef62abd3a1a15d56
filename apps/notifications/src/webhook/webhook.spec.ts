import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import type { AccessRequest } from '@lapse/contracts';
import {
  isoWithOffset,
  signedHeaders,
  verdictForStatus,
  webhookBody,
  type WebhookFacts,
  announcesNewRequest,
  withdrawsRequest,
} from './webhook';

const request: AccessRequest = {
  id: 'req-1',
  type: 'AutoLock',
  userId: 'u-1',
  resourceId: 'r-1',
  reason: 'I need access after a long period of no usage.',
  durationSeconds: null,
  approvalMode: 'MANUAL',
  status: 'PENDING',
  requestedAt: '2025-10-18T20:03:36.745Z',
  expiresAt: '2025-10-25T20:03:36.745Z',
  reviewerId: null,
  reviewedAt: null,
  note: null,
};

const facts = (over: Partial<WebhookFacts> = {}): WebhookFacts => ({
  type: 'ACCESS_REQUEST',
  tenant: 'acme.example.com',
  request,
  userName: 'Alex Marshall',
  resourceName: 'Gitlab',
  links: {
    request: 'https://l/access-requests#request-req-1',
    user: 'https://c/users/u-1',
    resource: 'https://c/resources/r-1',
  },
  autoLockSeconds: 2_592_000,
  now: new Date('2025-10-18T20:03:36.973Z'),
  ...over,
});

describe('webhookBody', () => {
  it('has exactly the documented fields, in order, with the request values', () => {
    const body = webhookBody(facts());
    expect(Object.keys(body)).toEqual([
      'timestamp',
      'tenant',
      'version',
      'type',
      'request_id',
      'request_url',
      'user_name',
      'user_url',
      'resource_name',
      'resource_url',
      'requested_at',
      'reason',
      'approval_mode',
      'request_type',
      'request_duration_seconds',
    ]);
    expect(body).toEqual({
      timestamp: '2025-10-18T20:03:36.973+00:00',
      tenant: 'acme.example.com',
      version: '1',
      type: 'ACCESS_REQUEST',
      request_id: 'req-1',
      request_url: 'https://l/access-requests#request-req-1',
      user_name: 'Alex Marshall',
      user_url: 'https://c/users/u-1',
      resource_name: 'Gitlab',
      resource_url: 'https://c/resources/r-1',
      requested_at: '2025-10-18T20:03:36.745+00:00',
      reason: 'I need access after a long period of no usage.',
      approval_mode: 'MANUAL',
      request_type: 'AutoLock',
      request_duration_seconds: 2_592_000,
    });
  });

  it('JIT requests carry the period asked for', () => {
    const body = webhookBody(
      facts({
        request: { ...request, type: 'JIT', durationSeconds: 3600, approvalMode: 'AUTOMATIC' },
      }),
    );
    expect(body).toMatchObject({
      request_type: 'JIT',
      request_duration_seconds: 3600,
      approval_mode: 'AUTOMATIC',
    });
  });

  it('normalises offsets to +00:00', () => {
    expect(isoWithOffset('2025-10-18T22:03:36.745+02:00')).toBe('2025-10-18T20:03:36.745+00:00');
  });
});

describe('announcesNewRequest', () => {
  const base = {
    id: 'r-1',
    type: 'AutoLock' as const,
    userId: 'u-1',
    resourceId: 'res-1',
    reason: 'x',
    durationSeconds: null,
    requestedAt: '2026-01-01T00:00:00.000Z',
    expiresAt: '2026-01-08T00:00:00.000Z',
    reviewedAt: null,
    note: null,
  };
  it('announces a MANUAL request by REQUESTED only', () => {
    const request = {
      ...base,
      approvalMode: 'MANUAL' as const,
      status: 'PENDING' as const,
      reviewerId: null,
    };
    expect(announcesNewRequest({ event: 'REQUESTED', request })).toBe(true);
    expect(
      announcesNewRequest({
        event: 'APPROVED',
        request: { ...request, status: 'APPROVED', reviewerId: 'rev-1' },
      }),
    ).toBe(false);
  });
  it('announces an AUTOMATIC request by its immediate APPROVED', () => {
    const request = {
      ...base,
      approvalMode: 'AUTOMATIC' as const,
      status: 'APPROVED' as const,
      reviewerId: null,
    };
    expect(announcesNewRequest({ event: 'APPROVED', request })).toBe(true);
    expect(
      announcesNewRequest({ event: 'DENIED', request: { ...request, status: 'DENIED' } }),
    ).toBe(false);
  });
});

describe('withdrawsRequest', () => {
  it('withdraws by CANCELLED only; the withdrawal body has the same fields under its own type', () => {
    const cancelled = {
      ...request,
      status: 'CANCELLED' as const,
      note: 'cancelled by the requester',
    };
    expect(withdrawsRequest({ event: 'CANCELLED', request: cancelled })).toBe(true);
    expect(announcesNewRequest({ event: 'CANCELLED', request: cancelled })).toBe(false);
    for (const event of ['REQUESTED', 'APPROVED', 'DENIED', 'EXPIRED'] as const)
      expect(withdrawsRequest({ event, request })).toBe(false);
    const body = webhookBody(facts({ type: 'ACCESS_REQUEST_CANCELLED', request: cancelled }));
    expect(body.type).toBe('ACCESS_REQUEST_CANCELLED');
    expect(Object.keys(body)).toEqual(Object.keys(webhookBody(facts())));
    expect(body.request_id).toBe('req-1');
  });
});

describe('signedHeaders (Standard Webhooks)', () => {
  const raw = JSON.stringify(webhookBody(facts()));
  const secret = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;

  it('verifies with the standardwebhooks library, not with another secret nor another body', () => {
    const headers = signedHeaders(secret, 'delivery-1', raw, new Date());
    expect(headers['webhook-id']).toBe('delivery-1');
    expect(headers['Idempotency-Key']).toBe('delivery-1');
    expect(new Webhook(secret).verify(raw, headers)).toEqual(JSON.parse(raw));
    const other = `whsec_${Buffer.alloc(32, 2).toString('base64')}`;
    expect(() => new Webhook(other).verify(raw, headers)).toThrow(WebhookVerificationError);
    expect(() => new Webhook(secret).verify(`${raw} `, headers)).toThrow(WebhookVerificationError);
  });

  it('signs id, timestamp and body: an old attempt replayed later is refused', () => {
    const old = signedHeaders(secret, 'delivery-1', raw, new Date(Date.now() - 3_600_000));
    expect(old['webhook-timestamp']).toBe(String(Math.floor((Date.now() - 3_600_000) / 1000)));
    expect(() => new Webhook(secret).verify(raw, old)).toThrow(/timestamp/i);
    const now = signedHeaders(secret, 'delivery-1', raw, new Date());
    expect(() => new Webhook(secret).verify(raw, { ...now, 'webhook-id': 'delivery-2' })).toThrow(
      WebhookVerificationError,
    );
  });
});

describe('verdictForStatus', () => {
  it.each([
    [200, 'DELIVERED'],
    [204, 'DELIVERED'],
    [408, 'RETRY'],
    [429, 'RETRY'],
    [500, 'RETRY'],
    [503, 'RETRY'],
    [400, 'FAILED'],
    [401, 'FAILED'],
    [404, 'FAILED'],
    [410, 'FAILED'],
    [301, 'FAILED'],
  ] as const)('%d → %s', (status, verdict) => expect(verdictForStatus(status)).toBe(verdict));
});
