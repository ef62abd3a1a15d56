/**
 * The request and review pages in real headless Chromium (Debian's chromium, driven by
 * playwright-core), against the running services: policy, the grant workflow, access-tracking
 * (decisions), requests (REST) and the console, each person signed in through the development
 * OpenID provider. Screenshots go to test-output/ for review.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { signProxyToken } from '@lapse/auth';
import type { AccessRequest } from '@lapse/contracts';
import { waitFor, testOutputPath } from '@lapse/testing';
import { startConsoleStack, type ConsoleStack } from '../testing/console-stack';
import { seriousViolations } from '../testing/axe';
import { launchChromium, signInAtProvider } from '../testing/browser';

jest.setTimeout(300_000);

type User = { id: string; name: string; email: string };
let s: ConsoleStack;
let browser: Browser;
let requestsUrl: string;
let carol: User, dave: User, frank: User, erin: User, approverA: User, approverB: User;
let grace: User, heidi: User, ivan: User;
let jitRes: { id: string; name: string };
let autoRes: { id: string; name: string },
  resA: { id: string; name: string },
  resB: { id: string; name: string };
const contexts: BrowserContext[] = [];
/** One signed-in browser context per user, as a person keeps their session. */
const signedIn = new Map<string, BrowserContext>();

async function pageAs(user: User): Promise<Page> {
  let context = signedIn.get(user.id);
  if (!context) {
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${s.consoleUrl}/auth/login`);
    await signInAtProvider(page, user.email, s.password);
    await page.waitForURL(`${s.consoleUrl}/`);
    await page.close();
    signedIn.set(user.id, context);
  }
  return context.newPage();
}

async function sessionCookieOf(page: Page): Promise<string> {
  const cookie = (await page.context().cookies(s.consoleUrl)).find(
    (c) => c.name === 'lapse_session',
  );
  if (!cookie) throw new Error('no lapse_session cookie');
  return cookie.value;
}

/** Whether the console still accepts this session cookie (a page, not a redirect to sign-in). */
async function sessionAlive(cookie: string): Promise<boolean> {
  const res = await fetch(`${s.consoleUrl}/access-requests`, {
    headers: { cookie: `lapse_session=${cookie}` },
    redirect: 'manual',
  });
  if (res.status === 200) return true;
  if (res.status === 302 && res.headers.get('location')?.startsWith('/auth/login')) return false;
  throw new Error(`unexpected answer ${res.status} for a session check`);
}

/** No serious or critical axe-core violation on the page as it is now. */
async function expectAccessible(page: Page, name: string): Promise<void> {
  expect({ page: name, violations: await seriousViolations(page) }).toEqual({
    page: name,
    violations: [],
  });
}

/** The CSRF token the console put in the forms of the page's session. */
async function csrfOn(page: Page): Promise<string> {
  return (await page.locator('input[name="_csrf"]').first().getAttribute('value')) as string;
}

/** GET /v1/decisions of access-tracking, as a proxy would ask (service token). */
async function decision(
  userId: string,
  resourceId: string,
): Promise<{ allowed: boolean; state: string }> {
  const at = s.services['access-tracking'];
  if (!at) throw new Error('access-tracking is not running');
  const token = await signProxyToken(s.serviceSecret, 'it-proxy');
  const res = await fetch(`${at.url}/v1/decisions?userId=${userId}&resourceId=${resourceId}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return (await res.json()) as { allowed: boolean; state: string };
}

const allowedEventually = (userId: string, resourceId: string) =>
  waitFor(async () => ((await decision(userId, resourceId)).allowed ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 200,
    what: 'GET /v1/decisions to turn allowed',
  });

/** Decisions follow grants.state.v1, a moment behind the workflow: wait for the lock to show. */
const deniedEventually = (userId: string, resourceId: string) =>
  waitFor(async () => ((await decision(userId, resourceId)).allowed ? undefined : true), {
    timeoutMs: 30_000,
    intervalMs: 200,
    what: 'GET /v1/decisions to turn denied',
  });

beforeAll(async () => {
  [s, browser] = await Promise.all([startConsoleStack('console-pages'), launchChromium()]);
  requestsUrl = (s.services.requests as { url: string }).url;
  const a = s.admin;
  const tag = s.suffix;
  [carol, dave, frank, erin, approverA, approverB] = await Promise.all([
    a.user('Carol Chen', `carol-${tag}@acme.example.com`),
    a.user('Dave Ortiz', `dave-${tag}@acme.example.com`),
    a.user('Frank Miller', `frank-${tag}@acme.example.com`),
    a.user('Erin Walsh', `erin-${tag}@acme.example.com`),
    a.user('Ada Lovelace', `ada-${tag}@acme.example.com`),
    a.user('Ben Carter', `ben-${tag}@acme.example.com`),
  ]);
  [grace, heidi, ivan] = await Promise.all([
    a.user('Grace Hopper', `grace-${tag}@acme.example.com`),
    a.user('Heidi Lamarr', `heidi-${tag}@acme.example.com`),
    a.user('Ivan Petrov', `ivan-${tag}@acme.example.com`, ['SUPPORT']),
  ]);
  const sre = await a.group(`SRE ${tag}`, [grace.id]);
  jitRes = await a.resource('Grafana', {
    autoLock: null,
    accessRequests: { accessPeriodSeconds: 3600, approval: 'AUTOMATIC' },
  });
  await a.assign(jitRes.id, sre.id);
  const engineers = await a.group(`Engineering ${tag}`, [carol.id, dave.id, frank.id]);
  const finance = await a.group(`Finance ${tag}`, [erin.id]);
  const approversA = await a.group(`Gitlab approvers ${tag}`, [approverA.id]);
  const approversB = await a.group(`Billing approvers ${tag}`, [approverB.id]);
  const lock = (approval: 'AUTOMATIC' | 'MANUAL') => ({
    autoLock: { durationSeconds: 2, approval },
    accessRequests: null,
  });
  const longLock = (approval: 'AUTOMATIC' | 'MANUAL') => ({
    autoLock: { durationSeconds: 3600, approval },
    accessRequests: null,
  });
  [autoRes, resA, resB] = await Promise.all([
    a.resource('Confluence', lock('AUTOMATIC')),
    a.resource('Gitlab', lock('MANUAL')),
    a.resource('Billing', lock('MANUAL')),
  ]);
  await a.approvers(resA.id, [approversA.id]);
  await a.approvers(resB.id, [approversB.id]);
  await a.assign(autoRes.id, engineers.id);
  await a.assign(resA.id, engineers.id);
  await a.assign(resB.id, finance.id);
  await Promise.all([
    s.grantIn({ userId: grace.id, resourceId: jitRes.id }, 'LOCKED'),
    s.grantIn({ userId: carol.id, resourceId: autoRes.id }, 'LOCKED'),
    s.grantIn({ userId: dave.id, resourceId: resA.id }, 'LOCKED'),
    s.grantIn({ userId: frank.id, resourceId: resA.id }, 'LOCKED'),
    s.grantIn({ userId: erin.id, resourceId: resB.id }, 'LOCKED'),
  ]);
  // Locked now; from here on a restored grant stays active for the rest of the suite.
  await a.setPolicy(autoRes.id, longLock('AUTOMATIC'));
  await a.setPolicy(resA.id, longLock('MANUAL'));
  await a.setPolicy(resB.id, longLock('MANUAL'));
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await s?.stop();
});

describe('signed out, sent to the block page by a proxy', () => {
  it('goes to the OpenID provider, signs in, lands back on the block page, gets access, and signing out ends the session', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    const address = 'grafana.internal.example';
    const back = `https://${address}/d/latency?from=now-1h`;
    const blockPage = `${s.consoleUrl}/request/${jitRes.id}?return_to=${encodeURIComponent(back)}`;
    await page.goto(blockPage);
    await page.waitForURL(`${s.issuer}/**`);
    await signInAtProvider(page, grace.email, s.password);
    await page.waitForURL(blockPage);
    await expect(page.locator('h1').textContent()).resolves.toBe('Grafana');
    await expect(page.locator('.eyebrow').first().textContent()).resolves.toBe(
      'Just-in-time access',
    );
    await expect(page.locator('.whoami').textContent()).resolves.toContain('Grace Hopper');
    await expectAccessible(page, 'JIT request page');
    await page.getByLabel('Why do you need access?').fill('Investigating the p99 latency alert.');
    await page.getByRole('button', { name: 'Restore access' }).click();
    await page.waitForURL(/\?request=/);
    await expect(page.locator('.notice h2').first().textContent()).resolves.toBe('Access granted');
    const way = page.getByRole('link', { name: 'Continue to Grafana' });
    await expect(way.getAttribute('href')).resolves.toBe(back);
    await expectAccessible(page, 'JIT access granted');
    await page.screenshot({ path: testOutputPath('request-page-granted.png'), fullPage: true });
    await allowedEventually(grace.id, jitRes.id);

    const session = await sessionCookieOf(page);
    expect(await sessionAlive(session)).toBe(true);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${s.consoleUrl}/auth/signed-out`);
    expect((await context.cookies(s.consoleUrl)).map((c) => c.name)).not.toContain('lapse_session');
    // The old cookie is refused: the block page sends it to sign-in.
    expect(await sessionAlive(session)).toBe(false);
  });

  it('a return_to that is not the resource’s address is not offered', async () => {
    const page = await pageAs(grace);
    await page.goto(
      `${s.consoleUrl}/request/${jitRes.id}?return_to=${encodeURIComponent('https://evil.example/')}`,
    );
    await expect(page.locator('h1').textContent()).resolves.toBe('Grafana');
    await expect(page.getByRole('link', { name: /Continue to/ }).count()).resolves.toBe(0);
  });

  it('an inactive (offboarded) user gets no session', async () => {
    await s.admin.call('PATCH', `/v1/users/${heidi.id}`, { active: false });
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${s.consoleUrl}/request/${jitRes.id}`);
    await signInAtProvider(page, heidi.email, s.password);
    await page.waitForURL(`${s.consoleUrl}/auth/callback**`);
    await expect(page.locator('h1').textContent()).resolves.toBe(
      'Your Lapse account is deactivated',
    );
    expect((await context.cookies(s.consoleUrl)).map((c) => c.name)).not.toContain('lapse_session');
  });

  it('a session ends within seconds when the user’s roles change or they are offboarded', async () => {
    const page = await pageAs(ivan);
    await page.goto(`${s.consoleUrl}/`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Welcome, Ivan Petrov');
    const first = await sessionCookieOf(page);
    await s.admin.call('PATCH', `/v1/users/${ivan.id}`, { roles: [] });
    await waitFor(async () => ((await sessionAlive(first)) ? undefined : true), {
      timeoutMs: 10_000,
      intervalMs: 200,
      what: 'the session to end after the role change',
    });
    // The browser is still signed in at the provider: the next page signs in again, with the new roles.
    await page.goto(`${s.consoleUrl}/access-requests`);
    await page.waitForURL(`${s.consoleUrl}/access-requests`);
    const second = await sessionCookieOf(page);
    expect(second).not.toBe(first);
    expect(await sessionAlive(second)).toBe(true);
    await s.admin.call('PATCH', `/v1/users/${ivan.id}`, { active: false });
    await waitFor(async () => ((await sessionAlive(second)) ? undefined : true), {
      timeoutMs: 10_000,
      intervalMs: 200,
      what: 'the session to end after offboarding',
    });
    // And no new one: the provider still knows Ivan, Lapse does not let him in.
    await page.goto(`${s.consoleUrl}/access-requests`);
    await page.waitForURL(`${s.consoleUrl}/auth/callback**`);
    await expect(page.locator('h1').textContent()).resolves.toBe(
      'Your Lapse account is deactivated',
    );
  });
});

describe('the block page (GET /request/:resourceId)', () => {
  it('AUTOMATIC: a locked user gives a reason and the decision turns allowed', async () => {
    const page = await pageAs(carol);
    const res = await page.goto(`${s.consoleUrl}/request/${autoRes.id}`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("default-src 'none'");
    await expect(page.locator('h1').textContent()).resolves.toBe('Confluence');
    await expect(page.locator('.badge').first().textContent()).resolves.toBe('Locked');
    await expect(page.getByText('Locked since').count()).resolves.toBe(1);
    await expect(deniedEventually(carol.id, autoRes.id)).resolves.toBe(true);
    await page
      .getByLabel('Why do you need access?')
      .fill('Back from parental leave, picking up the Q3 docs.');
    await page.screenshot({ path: testOutputPath('request-page.png'), fullPage: true });
    await page.getByRole('button', { name: 'Restore access' }).click();
    await page.waitForURL(/\?request=/);
    await expect(page.locator('.notice h2').first().textContent()).resolves.toBe('Access restored');
    await allowedEventually(carol.id, autoRes.id);
  });

  it('refuses a form without the CSRF token and never shows an empty reason as accepted', async () => {
    const page = await pageAs(frank);
    const forged = await page.request.post(`${s.consoleUrl}/request/${resA.id}`, {
      form: { reason: 'forged' },
    });
    expect(forged.status()).toBe(403);
    await page.goto(`${s.consoleUrl}/request/${resA.id}`);
    await page.getByRole('button', { name: 'Request access' }).click();
    await expect(page.locator('#reason-error').textContent()).resolves.toMatch(
      /A reason is required/,
    );
    expect(
      (await s.grantIn({ userId: frank.id, resourceId: resA.id }, 'LOCKED')).openRequest,
    ).toBeNull();
  });
});

describe('MANUAL: request, review page, approval', () => {
  const xss = '<script>window.__lapseXss = 1</script> Need to ship the <b>hotfix</b>';
  let requestId = '';

  it('a MANUAL request waits, with a status that refreshes itself', async () => {
    const page = await pageAs(dave);
    await page.goto(`${s.consoleUrl}/request/${resA.id}`);
    await page.getByLabel('Why do you need access?').fill(xss);
    await page.getByRole('button', { name: 'Request access' }).click();
    await page.waitForURL(/\?request=/);
    requestId = new URL(page.url()).searchParams.get('request') as string;
    await expect(page.getByRole('heading', { name: 'Waiting for approval' }).count()).resolves.toBe(
      1,
    );
    await expect(page.locator('meta[http-equiv="refresh"]').count()).resolves.toBe(1);
    await expect(page.locator('.quote').textContent()).resolves.toContain(
      '<script>window.__lapseXss = 1</script>',
    );
    expect(await page.evaluate('typeof window.__lapseXss')).toBe('undefined');
    await expect(deniedEventually(dave.id, resA.id)).resolves.toBe(true);
    await page.screenshot({ path: testOutputPath('request-page-waiting.png'), fullPage: true });
  });

  it('an approver of another resource neither sees nor decides it (page and API)', async () => {
    const erinsRequest = await fetch(`${requestsUrl}/v1/access-requests`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await s.tokenFor(erin.id)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ resourceId: resB.id, reason: 'Month-end close' }),
    });
    expect(erinsRequest.status).toBe(200);
    const page = await pageAs(approverB);
    await page.goto(`${s.consoleUrl}/access-requests`);
    const table = (await page.locator('main').textContent()) ?? '';
    expect(table).toContain('Erin Walsh');
    expect(table).not.toContain('Dave Ortiz');
    expect(table).not.toContain('Gitlab');
    const viaPage = await page.request.post(
      `${s.consoleUrl}/access-requests/${requestId}/approve`,
      {
        form: { _csrf: await csrfOn(page), note: '' },
        maxRedirects: 0,
      },
    );
    expect(viaPage.status()).toBe(404);
    const viaApi = await fetch(`${requestsUrl}/v1/access-requests/${requestId}/approve`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await s.tokenFor(approverB.id)}`,
        'content-type': 'application/json',
      },
      body: '{}',
    });
    expect(viaApi.status).toBe(404);
    expect(
      (await s.grantIn({ userId: dave.id, resourceId: resA.id }, 'PENDING')).openRequest?.id,
    ).toBe(requestId);
  });

  it('a member of the resource’s approver group approves it on the review page; the decision turns allowed', async () => {
    const franks = await fetch(`${requestsUrl}/v1/access-requests`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${await s.tokenFor(frank.id)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        resourceId: resA.id,
        reason: 'On call this week: need to read the deploy pipeline logs.',
      }),
    });
    expect(franks.status).toBe(200);
    const page = await pageAs(approverA);
    await page.goto(`${s.consoleUrl}/access-requests`);
    const row = page.locator('tr', { hasText: 'Dave Ortiz' });
    await expect(row.locator('td.reason').textContent()).resolves.toBe(xss);
    expect(await page.evaluate('typeof window.__lapseXss')).toBe('undefined');
    await expect(page.locator('main').textContent()).resolves.not.toContain('Erin Walsh');
    await expect(page.locator('nav').textContent()).resolves.not.toContain('Console');
    await row.getByLabel('Note').fill('Approved for the hotfix — please log out when done.');
    await row.getByRole('button', { name: /^Approve/ }).click();
    await page.waitForURL(/notice=approved/);
    await expect(page.locator('.notice').first().textContent()).resolves.toContain(
      'Request approved',
    );
    await allowedEventually(dave.id, resA.id);
    await page.screenshot({ path: testOutputPath('access-requests-page.png'), fullPage: true });
    await expectAccessible(page, 'review page');
  });

  it('the requester sees the approval: the page turns to access restored, and their list shows APPROVED', async () => {
    const page = await pageAs(dave);
    await page.goto(`${s.consoleUrl}/request/${resA.id}?request=${requestId}`);
    await expect(page.locator('.notice h2').first().textContent()).resolves.toBe('Access restored');
    await expect(page.locator('.notice .note').textContent()).resolves.toContain(
      'please log out when done',
    );
    const res = await fetch(`${requestsUrl}/v1/access-requests?userId=${dave.id}`, {
      headers: { authorization: `Bearer ${await s.tokenFor(dave.id)}` },
    });
    const mine = ((await res.json()) as { items: AccessRequest[] }).items;
    expect(mine.map((r) => [r.id, r.status])).toEqual([[requestId, 'APPROVED']]);
  });

  it('a second decision on the page is refused without changing anything', async () => {
    const page = await pageAs(approverA);
    await page.goto(`${s.consoleUrl}/access-requests`);
    const late = await page.request.post(`${s.consoleUrl}/access-requests/${requestId}/deny`, {
      form: { _csrf: await csrfOn(page) },
    });
    expect(late.url()).toContain('notice=not-pending');
    await expect(page.locator('body').textContent()).resolves.not.toContain('Request denied');
    expect((await decision(dave.id, resA.id)).allowed).toBe(true);
    expect((await s.grants.state({ userId: dave.id, resourceId: resA.id }))?.state).toBe('ACTIVE');
  });
});
