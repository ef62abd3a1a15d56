import { identityOf, matchUser } from './identity';

const opts = { externalIdClaim: 'sub', trustUnverifiedEmail: false };

describe('identityOf', () => {
  it('takes a verified email and the external id claim', () => {
    expect(identityOf({ sub: 'idp-1', email: ' ada@x.io ', email_verified: true }, opts)).toEqual({
      subject: 'idp-1',
      verifiedEmail: 'ada@x.io',
      externalId: 'idp-1',
    });
  });

  it('ignores an email the provider has not verified', () => {
    expect(
      identityOf({ sub: 's', email: 'a@x.io', email_verified: false }, opts).verifiedEmail,
    ).toBeNull();
    expect(identityOf({ sub: 's', email: 'a@x.io' }, opts).verifiedEmail).toBeNull();
  });

  it('trusts an email with no verification claim only when told to (Entra ID)', () => {
    const trust = { externalIdClaim: 'oid', trustUnverifiedEmail: true };
    expect(identityOf({ sub: 's', oid: 'o-1', email: 'a@x.io' }, trust)).toEqual({
      subject: 's',
      verifiedEmail: 'a@x.io',
      externalId: 'o-1',
    });
    expect(
      identityOf({ sub: 's', email: 'a@x.io', email_verified: false }, trust).verifiedEmail,
    ).toBeNull();
  });
});

describe('matchUser', () => {
  const ada = { id: 'u-1', email: 'Ada@x.io', externalId: null, active: true };
  const id = (verifiedEmail: string | null, externalId: string | null = 'idp-1') => ({
    subject: 'idp-1',
    verifiedEmail,
    externalId,
  });

  it('matches by verified email, case-insensitively', () => {
    expect(matchUser(id('ada@x.io'), [], [ada])).toEqual({ kind: 'MATCHED', user: ada });
  });

  it('matches by externalId, even without an email', () => {
    const linked = { ...ada, externalId: 'idp-1' };
    expect(matchUser(id(null), [linked], [])).toEqual({ kind: 'MATCHED', user: linked });
  });

  it('refuses an email match whose externalId names someone else', () => {
    expect(matchUser(id('ada@x.io'), [], [{ ...ada, externalId: 'idp-2' }])).toEqual({
      kind: 'UNKNOWN',
    });
  });

  it('unknown without a verified email or a linked user', () => {
    expect(matchUser(id(null), [], [ada])).toEqual({ kind: 'UNKNOWN' });
    expect(matchUser(id('bob@x.io'), [], [])).toEqual({ kind: 'UNKNOWN' });
  });

  it('an inactive user is matched but refused', () => {
    const gone = { ...ada, active: false };
    expect(matchUser(id('ada@x.io'), [], [gone])).toEqual({ kind: 'INACTIVE', user: gone });
  });
});
