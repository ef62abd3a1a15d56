import { SignJWT, UnsecuredJWT } from 'jose';
import { TokenVerifier, signProxyToken, signServiceToken, signUserToken } from './tokens';

const secret = 'a-test-secret-of-32-characters!!';
const serviceSecret = 'another-secret-for-services-only';
const enc = (s: string) => new TextEncoder().encode(s);

describe('TokenVerifier', () => {
  const verifier = new TokenVerifier({ secret, serviceSecret, service: 'policy' });

  it('accepts a user token and returns its subject', async () => {
    await expect(verifier.verify(await signUserToken(secret, 'u-1'))).resolves.toEqual({
      kind: 'user',
      userId: 'u-1',
    });
  });

  it('accepts a service token addressed to this service, naming its caller', async () => {
    await expect(
      verifier.verify(await signServiceToken(serviceSecret, 'requests', 'policy')),
    ).resolves.toEqual({ kind: 'service', service: 'requests' });
  });

  it('refuses a service token addressed to another service', async () => {
    await expect(
      verifier.verify(await signServiceToken(serviceSecret, 'requests', 'access-tracking')),
    ).rejects.toThrow();
  });

  it('reads a proxy token as caller `proxy` with the proxy id, for access-tracking only', async () => {
    const token = await signProxyToken(serviceSecret, 'edge-1');
    const at = new TokenVerifier({ secret, serviceSecret, service: 'access-tracking' });
    await expect(at.verify(token)).resolves.toEqual({
      kind: 'service',
      service: 'proxy',
      proxyId: 'edge-1',
    });
    await expect(verifier.verify(token)).rejects.toThrow();
  });

  it('refuses a token without exp (user and service)', async () => {
    const user = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u-1')
      .setIssuedAt()
      .sign(enc(secret));
    await expect(verifier.verify(user)).rejects.toThrow(/exp/);
    const svc = await new SignJWT({ svc: 'requests' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('lapse-service')
      .setAudience('policy')
      .sign(enc(serviceSecret));
    await expect(verifier.verify(svc)).rejects.toThrow();
  });

  it('refuses alg none and a user token signed with the service secret', async () => {
    const none = new UnsecuredJWT({ sub: 'u-1' }).setExpirationTime('1h').encode();
    await expect(verifier.verify(none)).rejects.toThrow();
    await expect(verifier.verify(await signUserToken(serviceSecret, 'u-1'))).rejects.toThrow();
  });

  it('checks issuer and audience of user tokens when configured', async () => {
    const v = new TokenVerifier({ secret, issuer: 'lapse', audience: 'lapse-api' });
    await expect(
      v.verify(
        await signUserToken(secret, 'u-1', '1h', { issuer: 'lapse', audience: 'lapse-api' }),
      ),
    ).resolves.toEqual({ kind: 'user', userId: 'u-1' });
    await expect(v.verify(await signUserToken(secret, 'u-1'))).rejects.toThrow();
  });

  it('needs an https JWKS with issuer and audience, and no HMAC or none algorithms', () => {
    expect(() => new TokenVerifier({ jwksUrl: 'http://idp.example/jwks' })).toThrow(/https/);
    expect(() => new TokenVerifier({ jwksUrl: 'https://idp.example/jwks' })).toThrow(
      /ISSUER and LAPSE_JWT_AUDIENCE/,
    );
    expect(
      () =>
        new TokenVerifier({
          jwksUrl: 'https://idp.example/jwks',
          issuer: 'https://idp.example',
          audience: 'lapse',
          algorithms: ['HS256'],
        }),
    ).toThrow(/HS256/);
    expect(
      () =>
        new TokenVerifier({
          jwksUrl: 'https://idp.example/jwks',
          issuer: 'https://idp.example',
          audience: 'lapse',
        }),
    ).not.toThrow();
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
