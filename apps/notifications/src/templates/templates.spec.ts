import { linksFor } from './links';
import { EmailTemplates, type EmailContext } from './templates';

const evil = '<script>alert("x")</script> & <b>bold</b>';

function context(
  over: Partial<EmailContext['request']> = {},
  reviewerName: string | null = 'Rita Reviewer',
): EmailContext {
  return {
    tenant: 'acme.example.com',
    recipientName: 'Ada <Admin>',
    because: 'you hold the ADMIN role',
    requester: { name: 'Alex "<img src=x>" Marshall', email: 'alex@example.com' },
    resource: { name: 'Gitlab <prod>' },
    request: {
      id: 'req-1',
      type: 'AutoLock',
      reason: `I need access.\n${evil}`,
      approvalMode: 'MANUAL',
      durationSeconds: 2_592_000,
      requestedAt: '2025-10-18T20:03:36.745Z',
      note: null,
      ...over,
    },
    reviewerName,
    links: linksFor(
      { publicUrl: 'https://lapse.example.com/', consoleUrl: 'https://console.example.com' },
      {
        requestId: 'req-1',
        userId: 'user 1',
        resourceId: 'res-1',
      },
    ),
  };
}

const templates = new EmailTemplates();

function expectNoRawUserInput(html: string) {
  expect(html).not.toContain('<script>');
  expect(html).not.toContain('<b>bold</b>');
  expect(html).not.toContain('<img src=x>');
  expect(html).not.toContain('<prod>');
  expect(html).toContain(
    '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;',
  );
}

describe('email templates', () => {
  it('request-created: tells a reviewer who wants what, why, with the links to act', () => {
    const m = templates.render('request-created', context());
    expect(m.subject).toBe('Access request: Alex "<img src=x>" Marshall → Gitlab <prod>');
    expect(m.html).toContain('href="https://lapse.example.com/access-requests#request-req-1"');
    expect(m.html).toContain('href="https://console.example.com/users/user%201"');
    expect(m.html).toContain('href="https://console.example.com/resources/res-1"');
    expect(m.html).toContain('Gitlab &lt;prod&gt;');
    expect(m.html).toContain('30 days');
    expect(m.html).toContain('MANUAL approval');
    expect(m.html).toContain('Unlock after auto-lock');
    expect(m.html).toContain('you hold the ADMIN role');
    expectNoRawUserInput(m.html);
    expect(m.text).toContain(`Reason:    I need access.\n${evil}`);
    expect(m.text).toContain(
      'Review the request: https://lapse.example.com/access-requests#request-req-1',
    );
    expect(m.text).toContain('The user:           https://console.example.com/users/user%201');
    expect(m.text).toContain('The resource:       https://console.example.com/resources/res-1');
    expect(m.text).toContain(
      'Alex "<img src=x>" Marshall (alex@example.com) asks for access to Gitlab <prod>.',
    );
    expect(m.text).not.toContain('&lt;');
  });

  it('request-created: JIT without a duration leaves the duration out', () => {
    const m = templates.render(
      'request-created',
      context({ type: 'JIT', durationSeconds: null, approvalMode: 'AUTOMATIC' }),
    );
    expect(m.html).toContain('Just-in-time access');
    expect(m.html).not.toContain('Duration');
    expect(m.text).not.toContain('Duration');
  });

  it('request-approved: tells the requester, with the reviewer and the note escaped', () => {
    const m = templates.render('request-approved', context({ note: `ok ${evil}` }));
    expect(m.subject).toBe('Approved: your access to Gitlab <prod>');
    expect(m.html).toContain('<strong>approved</strong> by Rita Reviewer');
    expect(m.html).toContain('Note: ok &lt;script&gt;');
    expect(m.html).toContain('href="https://lapse.example.com/access-requests#request-req-1"');
    expectNoRawUserInput(m.html);
    expect(m.text).toContain(
      'Your request for access to Gitlab <prod> was approved by Rita Reviewer.',
    );
    expect(m.text).toContain(`Note: ok ${evil}`);
  });

  it('request-denied: tells the requester; an automatic decision names no reviewer', () => {
    const m = templates.render('request-denied', context({}, null));
    expect(m.subject).toBe('Denied: your access to Gitlab <prod>');
    expect(m.html).toContain('<strong>denied</strong>.');
    expect(m.html).not.toContain('Note:');
    expectNoRawUserInput(m.html);
    expect(m.text).toContain('Your request for access to Gitlab <prod> was denied.');
  });

  it('request-cancelled: tells a reviewer the request is withdrawn and why, escaping what users typed', () => {
    const m = templates.render('request-cancelled', context({ note: `cancelled ${evil}` }));
    expect(m.subject).toBe('Withdrawn: Alex "<img src=x>" Marshall → Gitlab <prod>');
    expect(m.html).toContain('<strong>withdrawn</strong>: there is nothing left to review.');
    expect(m.html).toContain('href="https://lapse.example.com/access-requests#request-req-1"');
    expect(m.html).toContain('Why: cancelled &lt;script&gt;');
    expect(m.html).not.toContain('Review the request');
    expectNoRawUserInput(m.html);
    expect(m.text).toContain(
      'The request of Alex "<img src=x>" Marshall (alex@example.com) for access to Gitlab <prod> was withdrawn',
    );
    expect(m.text).toContain(`Why: cancelled ${evil}`);
  });

  it('subjects never carry line breaks', () => {
    const ctx = context();
    ctx.resource.name = 'Git\r\nBcc: victim@example.com';
    expect(templates.render('request-approved', ctx).subject).toBe(
      'Approved: your access to Git Bcc: victim@example.com',
    );
  });
});
