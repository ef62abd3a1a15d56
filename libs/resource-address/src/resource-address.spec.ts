import {
  ResourceAddressIndex,
  addressCovers,
  parseAddress,
  targetOfUrl,
  type Target,
} from './resource-address';

const t = (host: string, port = 443, path = ''): Target => ({
  host,
  port,
  path: path.split('/').filter(Boolean),
});

describe('parseAddress', () => {
  it.each([
    [
      'gitlab.internal.example',
      { kind: 'host', host: 'gitlab.internal.example', port: null, path: [] },
    ],
    [
      'GitLab.Internal.Example.',
      { kind: 'host', host: 'gitlab.internal.example', port: null, path: [] },
    ],
    ['*.corp.example', { kind: 'wildcard', suffix: 'corp.example' }],
    [
      'db.internal.example:5432',
      { kind: 'host', host: 'db.internal.example', port: 5432, path: [] },
    ],
    ['10.2.0.0/16', { kind: 'cidr', family: 4, network: 0x0a020000n, prefix: 16 }],
    ['10.2.3.4/16', { kind: 'cidr', family: 4, network: 0x0a020000n, prefix: 16 }],
    [
      'https://tools.example/grafana/',
      { kind: 'host', host: 'tools.example', port: null, path: ['grafana'] },
    ],
    [
      'http://tools.example:8080/a/b',
      { kind: 'host', host: 'tools.example', port: 8080, path: ['a', 'b'] },
    ],
    ['fd00::1', { kind: 'host', host: 'fd00::1', port: null, path: [] }],
    ['[fd00::1]:8443', { kind: 'host', host: 'fd00::1', port: 8443, path: [] }],
  ])('%s', (raw, parsed) => {
    expect(parseAddress(raw)).toEqual(parsed);
  });

  it.each([
    '',
    'not a host',
    '10.0.0.0/33',
    '10.0.0.0/8/1',
    'host:99999',
    '*.',
    'ftp://x y',
    '*.10.0.0.1',
  ])('refuses %j', (raw) => {
    expect(parseAddress(raw)).toBeUndefined();
  });
});

describe('ResourceAddressIndex', () => {
  const index = () => {
    const i = new ResourceAddressIndex();
    i.set('host', 'tools.example');
    i.set('grafana', 'https://tools.example/grafana');
    i.set('grafana-admin', 'https://tools.example/grafana/admin');
    i.set('port', 'tools.example:8443');
    i.set('wild', '*.corp.example');
    i.set('wild-deep', '*.eu.corp.example');
    i.set('net16', '10.2.0.0/16');
    i.set('net24', '10.2.3.0/24');
    i.set('v6', 'fd00::/16');
    return i;
  };

  it.each([
    [t('tools.example', 443, '/'), 'host'],
    [t('TOOLS.example', 80, '/x'), 'host'],
    [t('tools.example', 443, '/grafana'), 'grafana'],
    [t('tools.example', 443, '/grafana/d/abc'), 'grafana'],
    [t('tools.example', 443, '/grafanax'), 'host'],
    [t('tools.example', 443, '/grafana/admin/users'), 'grafana-admin'],
    [t('tools.example', 8443, '/'), 'port'],
    // a path prefix is more specific than a port
    [t('tools.example', 8443, '/grafana'), 'grafana'],
    [t('git.corp.example'), 'wild'],
    [t('a.b.corp.example'), 'wild'],
    [t('x.eu.corp.example'), 'wild-deep'],
    [t('corp.example'), undefined],
    [t('10.2.9.9'), 'net16'],
    [t('10.2.3.9'), 'net24'],
    [t('10.3.0.1'), undefined],
    [t('fd00:0:0::5'), 'v6'],
    [t('elsewhere.example'), undefined],
  ])('%j → %s', (target, expected) => {
    expect(index().match(target)).toBe(expected);
  });

  it('an exact host beats a wildcard', () => {
    const i = index();
    i.set('exact', 'git.corp.example');
    expect(i.match(t('git.corp.example'))).toBe('exact');
    expect(i.match(t('wiki.corp.example'))).toBe('wild');
  });

  it('re-indexing moves a resource; deleting removes it and leaves the others', () => {
    const i = index();
    i.set('grafana', 'https://other.example/grafana');
    expect(i.match(t('tools.example', 443, '/grafana/x'))).toBe('host');
    expect(i.match(t('other.example', 443, '/grafana/x'))).toBe('grafana');
    i.delete('grafana-admin');
    expect(i.match(t('tools.example', 443, '/grafana/admin'))).toBe('host');
    i.delete('net24');
    expect(i.match(t('10.2.3.9'))).toBe('net16');
    i.delete('wild-deep');
    expect(i.match(t('x.eu.corp.example'))).toBe('wild');
    i.delete('host');
    expect(i.match(t('tools.example'))).toBeUndefined();
    expect(i.match(t('tools.example', 8443))).toBe('port');
    expect(i.size).toBe(5);
  });

  it('an address that is none of the forms is not indexed', () => {
    const i = new ResourceAddressIndex();
    expect(i.set('bad', 'no such thing')).toBe(false);
    expect(i.size).toBe(0);
  });

  it('finds each of many resources by its own address (how fast: npm run bench -- authz)', () => {
    const i = new ResourceAddressIndex();
    for (let n = 0; n < 50_000; n++) i.set(`r${n}`, `svc-${n}.internal.example`);
    for (let n = 0; n < 50_000; n += 997)
      expect(i.match(t(`svc-${n}.internal.example`))).toBe(`r${n}`);
    expect(i.match(t('svc-49999.internal.example'))).toBe('r49999');
    expect(i.match(t('svc-50000.internal.example'))).toBeUndefined();
  });
});

describe('addressCovers', () => {
  it('matches hosts case-insensitively and wildcards below the domain only', () => {
    expect(
      addressCovers('GitLab.internal.example', new URL('https://gitlab.INTERNAL.example')),
    ).toBe(true);
    expect(addressCovers('*.corp.example', new URL('https://a.b.corp.example'))).toBe(true);
    expect(addressCovers('*.corp.example', new URL('https://corp.example'))).toBe(false);
  });

  it('matches a host:port by the effective port', () => {
    expect(addressCovers('git.example:443', new URL('https://git.example/'))).toBe(true);
    expect(addressCovers('git.example:443', new URL('http://git.example/'))).toBe(false);
  });

  it('matches a URL address by its path prefix, on segment boundaries', () => {
    const a = 'https://tools.example/grafana';
    expect(addressCovers(a, new URL('https://tools.example/grafana/d/1'))).toBe(true);
    expect(addressCovers(a, new URL('https://tools.example/grafanax'))).toBe(false);
    expect(addressCovers(a, new URL('https://other.example/grafana'))).toBe(false);
  });

  it('matches an IP literal inside a CIDR, and nothing for an address of no form', () => {
    expect(addressCovers('10.2.0.0/16', new URL('http://10.2.3.4:8080/'))).toBe(true);
    expect(addressCovers('10.2.0.0/16', new URL('http://10.3.0.1/'))).toBe(false);
    expect(addressCovers('not an address!', new URL('http://not/'))).toBe(false);
  });

  it('covers only http(s) URLs', () => {
    expect(targetOfUrl(new URL('ftp://git.example/'))).toBeUndefined();
    expect(addressCovers('git.example', new URL('ftp://git.example/'))).toBe(false);
  });
});
