import { requestIdFor } from './request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('requestIdFor', () => {
  it('is stable for the same user, resource and idempotency key', () => {
    expect(requestIdFor('u', 'r', 'k-1')).toBe(requestIdFor('u', 'r', 'k-1'));
    expect(requestIdFor('u', 'r', 'k-1')).toMatch(UUID);
  });

  it('differs when any part differs (one user cannot collide with another’s key)', () => {
    const base = requestIdFor('u', 'r', 'k-1');
    expect(requestIdFor('u2', 'r', 'k-1')).not.toBe(base);
    expect(requestIdFor('u', 'r2', 'k-1')).not.toBe(base);
    expect(requestIdFor('u', 'r', 'k-2')).not.toBe(base);
  });

  it('is random without a key', () => {
    expect(requestIdFor('u', 'r')).not.toBe(requestIdFor('u', 'r'));
    expect(requestIdFor('u', 'r', '  ')).toMatch(UUID);
  });
});
