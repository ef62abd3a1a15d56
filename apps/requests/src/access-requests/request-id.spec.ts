import { requestIdFor } from './request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('requestIdFor', () => {
  it('is stable for the same user, resource and idempotency key', () => {
    expect(requestIdFor({ userId: 'u', resourceId: 'r' }, 'k-1')).toBe(
      requestIdFor({ userId: 'u', resourceId: 'r' }, 'k-1'),
    );
    expect(requestIdFor({ userId: 'u', resourceId: 'r' }, 'k-1')).toMatch(UUID);
  });

  it('differs when any part differs (one user cannot collide with another’s key)', () => {
    const base = requestIdFor({ userId: 'u', resourceId: 'r' }, 'k-1');
    expect(requestIdFor({ userId: 'u2', resourceId: 'r' }, 'k-1')).not.toBe(base);
    expect(requestIdFor({ userId: 'u', resourceId: 'r2' }, 'k-1')).not.toBe(base);
    expect(requestIdFor({ userId: 'u', resourceId: 'r' }, 'k-2')).not.toBe(base);
  });

  it('is random without a key', () => {
    expect(requestIdFor({ userId: 'u', resourceId: 'r' })).not.toBe(
      requestIdFor({ userId: 'u', resourceId: 'r' }),
    );
    expect(requestIdFor({ userId: 'u', resourceId: 'r' }, '  ')).toMatch(UUID);
  });
});
