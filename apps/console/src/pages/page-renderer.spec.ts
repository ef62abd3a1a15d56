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
      nav: {
        links: [
          { href: '/', label: 'Home', current: false },
          { href: '/access-requests', label: 'Access Requests', current: true, count: 2 },
        ],
      },
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
    expect(html).toContain('aria-current="page">Access Requests');
    expect(html).toContain('action="/auth/logout"');
  });

  it('request: keeps return_to through the form and offers the way back once active', () => {
    const base = {
      title: 't',
      user,
      csrf: 'tok',
      resource: { id: 'r', name: 'Gitlab', address: 'gitlab.internal' },
      returnTo: 'https://gitlab.internal/group/repo?a=1&b="2"',
    };
    const form = renderer.render('request', { ...base, mode: 'FORM' });
    expect(form).toContain(
      '<input type="hidden" name="return_to" value="https://gitlab.internal/group/repo?a&#x3D;1&amp;b&#x3D;&quot;2&quot;">',
    );
    expect(form).not.toContain('Continue to');
    const active = renderer.render('request', { ...base, mode: 'ACTIVE' });
    expect(active).toContain('Continue to Gitlab');
    expect(active).toContain(
      'href="https://gitlab.internal/group/repo?a&#x3D;1&amp;b&#x3D;&quot;2&quot;"',
    );
    expect(renderer.render('request', { ...base, returnTo: null, mode: 'ACTIVE' })).not.toContain(
      'Continue to',
    );
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
