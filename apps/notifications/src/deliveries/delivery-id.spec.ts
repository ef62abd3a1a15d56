import { deliveryId } from './delivery-id';

describe('deliveryId', () => {
  const base = {
    channel: 'EMAIL' as const,
    requestId: 'r-1',
    event: 'REQUESTED',
    recipient: 'u-1',
  };

  it('is stable for the same request event and recipient', () => {
    expect(deliveryId(base)).toBe(deliveryId({ ...base }));
    expect(deliveryId(base)).toMatch(/^dlv_[0-9a-f]{40}$/);
  });

  it('differs by channel, request, event and recipient', () => {
    const ids = new Set([
      deliveryId(base),
      deliveryId({ ...base, channel: 'WEBHOOK' }),
      deliveryId({ ...base, requestId: 'r-2' }),
      deliveryId({ ...base, event: 'APPROVED' }),
      deliveryId({ ...base, recipient: 'u-2' }),
    ]);
    expect(ids.size).toBe(5);
  });

  it('cannot be confused by separators inside the parts', () => {
    expect(deliveryId({ ...base, requestId: 'a:b', event: 'c' })).not.toBe(
      deliveryId({ ...base, requestId: 'a', event: 'b:c' }),
    );
  });
});
