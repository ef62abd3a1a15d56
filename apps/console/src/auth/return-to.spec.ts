import { safeReturnTo } from './return-to';

const ctx = {
  consoleUrl: 'https://lapse.example.com',
  resourceAddresses: [
    'gitlab.internal.example',
    '*.corp.example',
    'db.internal.example:8443',
    '10.2.0.0/16',
    'https://tools.example/grafana',
  ],
};

describe('safeReturnTo', () => {
  it('keeps console pages, as paths', () => {
    expect(safeReturnTo('/request/r-1?return_to=x', ctx)).toBe('/request/r-1?return_to=x');
    expect(safeReturnTo('https://lapse.example.com/access-requests', ctx)).toBe('/access-requests');
  });

  it('keeps known resource addresses', () => {
    expect(safeReturnTo('https://gitlab.internal.example/group/repo', ctx)).toBe(
      'https://gitlab.internal.example/group/repo',
    );
    expect(safeReturnTo('https://wiki.corp.example/', ctx)).toBe('https://wiki.corp.example/');
    expect(safeReturnTo('https://db.internal.example:8443/x', ctx)).toBe(
      'https://db.internal.example:8443/x',
    );
    expect(safeReturnTo('http://10.2.3.4/', ctx)).toBe('http://10.2.3.4/');
    expect(safeReturnTo('https://tools.example/grafana/d/1', ctx)).toBe(
      'https://tools.example/grafana/d/1',
    );
  });

  it('drops everything else (no open redirect)', () => {
    for (const bad of [
      'https://evil.example/',
      '//evil.example/x',
      '/\\evil.example',
      'javascript:alert(1)',
      'https://gitlab.internal.example.evil.example/',
      'https://corp.example/',
      'https://db.internal.example/x',
      'http://10.3.0.1/',
      'https://tools.example/grafanax',
      'https://tools.example/',
      'https://user:pw@gitlab.internal.example/',
      'https://lapse.example.com.evil.example/',
      '',
      undefined,
      42,
    ])
      expect(safeReturnTo(bad, ctx)).toBeNull();
  });
});
