import { TokenVerifier, signServiceToken, signUserToken } from './tokens';

const secret = 'a-test-secret-of-32-characters!!';
const serviceSecret = 'another-secret-for-services-only';

describe('TokenVerifier', () => {
  const verifier = new TokenVerifier({ secret, serviceSecret });

  it('accepts a user token and returns its subject', async () => {
    await expect(verifier.verify(await signUserToken(secret, 'u-1'))).resolves.toEqual({
      kind: 'user',
      userId: 'u-1',
    });
  });

  it('accepts a service token', async () => {
    await expect(
      verifier.verify(await signServiceToken(serviceSecret, 'requests')),
    ).resolves.toEqual({
      kind: 'service',
      service: 'requests',
    });
  });

  it('refuses a token signed with another secret', async () => {
    await expect(verifier.verify(await signUserToken('x'.repeat(32), 'u-1'))).rejects.toThrow();
  });

  it('refuses an expired token', async () => {
    await expect(verifier.verify(await signUserToken(secret, 'u-1', '-1s'))).rejects.toThrow();
  });

  it('keeps refusing an expired token it once accepted', async () => {
    const v = new TokenVerifier({ secret });
    const token = await signUserToken(secret, 'u-2', '2s');
    await expect(v.verify(token)).resolves.toEqual({ kind: 'user', userId: 'u-2' });
    jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    try {
      jest.setSystemTime(Date.now() + 5_000);
      await expect(v.verify(token)).rejects.toThrow();
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses garbage', async () => {
    await expect(verifier.verify('not.a.jwt')).rejects.toThrow();
  });
});
