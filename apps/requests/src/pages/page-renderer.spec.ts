import { PageRenderer } from './page-renderer';

const renderer = new PageRenderer();
const xss = '<script>alert(1)</script>';
const user = { name: `Eve ${xss}`, email: 'eve@example.com' };

describe('page templates', () => {
  it('request: escapes what users typed and shows the form with its CSRF token', () => {
    const html = renderer.render('request', {
      title: 'Access to Gitlab',
      user,
      csrf: 'tok-123',
      requestKey: 'k',
      resource: { id: 'res-1', name: `Gitlab ${xss}`, address: 'gitlab.internal' },
      mode: 'FORM',
      stateLabel: 'Locked',
      stateClass: 'locked',
      customPeriod: true,
      periodChoices: [{ seconds: 3600, label: '1 hour', selected: true }],
      errors: { reason: 'A reason is required' },
      values: { reason: xss },
      policyLines: [],
    });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('name="_csrf" value="tok-123"');
    expect(html).toContain('<label for="reason">');
    expect(html).toContain('<select id="durationSeconds"');
    expect(html).toContain('aria-invalid="true"');
  });

  it('request: the waiting view refreshes itself', () => {
    const html = renderer.render('request', {
      title: 't',
      refreshSeconds: 5,
      resource: { id: 'r', name: 'n', address: 'a' },
      mode: 'WAITING',
      openRequest: { reason: xss, requestedAt: 'x', requestedAtIso: 'x', expiresAt: 'y' },
    });
    expect(html).toContain('<meta http-equiv="refresh" content="5">');
    expect(html).toContain('Waiting for approval');
    expect(html).not.toContain('<script>');
  });

  it('access-requests: escapes reasons and notes, and offers decisions only where allowed', () => {
    const row = (id: string, canDecide: boolean) => ({
      id,
      user,
      resourceName: 'Gitlab',
      type: 'Auto-lock',
      reason: xss,
      duration: '—',
      age: 'just now',
      status: 'PENDING',
      canDecide,
      whyNot: canDecide ? null : 'Read-only',
    });
    const html = renderer.render('access-requests', {
      title: 'Access Requests',
      user,
      nav: { reviews: true, current: 'access-requests', openCount: 2, consoleUrl: null },
      csrf: 'tok',
      open: [row('a', true), row('b', false)],
      resolved: [
        { ...row('c', false), status: 'APPROVED', statusLabel: 'Approved', note: `ok ${xss}` },
      ],
    });
    expect(html).not.toContain('<script>');
    expect(html.match(/action="\/access-requests\/a\/approve"/g)).toHaveLength(1);
    expect(html).toContain('formaction="/access-requests/a/deny"');
    expect(html).not.toContain('/access-requests/b/approve');
    expect(html).toContain('Read-only');
    expect(html).not.toContain('>Console<');
  });

  it('error: a page, escaped', () => {
    const html = renderer.render('error', {
      title: 'Not found',
      statusCode: 404,
      heading: 'Not found',
      message: xss,
    });
    expect(html).toContain('Error 404');
    expect(html).not.toContain('<script>');
  });
});
