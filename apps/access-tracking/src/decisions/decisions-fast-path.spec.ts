import { idsOf } from './decisions-fast-path';

/** The fast path answers only queries the controller's DTO would accept as they are. */
describe('idsOf (the decisions fast path query check)', () => {
  it('takes exactly userId and resourceId, decoded as Express decodes them', () => {
    expect(idsOf('userId=u1&resourceId=r1')).toEqual({ userId: 'u1', resourceId: 'r1' });
    expect(idsOf('resourceId=r%2F1&userId=alex%40acme.example.com')).toEqual({
      userId: 'alex@acme.example.com',
      resourceId: 'r/1',
    });
    expect(idsOf('userId=a+b&resourceId=r')).toEqual({ userId: 'a b', resourceId: 'r' });
  });

  it('leaves anything else to the controller (which answers 400 naming the field)', () => {
    expect(idsOf('userId=u1')).toBeUndefined();
    expect(idsOf('userId=&resourceId=r1')).toBeUndefined();
    expect(idsOf('userId=u1&resourceId=r1&extra=1')).toBeUndefined();
    expect(idsOf('userId=u1&userId=u2&resourceId=r1')).toBeUndefined();
    expect(idsOf(`userId=${'x'.repeat(201)}&resourceId=r1`)).toBeUndefined();
    expect(idsOf(`userId=${'x'.repeat(200)}&resourceId=r1`)).toEqual({
      userId: 'x'.repeat(200),
      resourceId: 'r1',
    });
    expect(idsOf('')).toBeUndefined();
  });
});
