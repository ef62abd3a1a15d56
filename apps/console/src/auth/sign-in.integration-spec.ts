/**
 * Sign-in end to end in real headless Chromium: the console, the development OpenID provider
 * (the certified `oidc-provider` package), and the policy service that knows the users.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SESSION_COOKIE, verifySessionToken } from '@lapse/auth';
import { testOutputPath } from '@lapse/testing';
import { startConsoleStack, type ConsoleStack } from '../testing/console-stack';
import { seriousViolations } from '../testing/axe';
import { launchChromium, signInAtProvider } from '../testing/browser';

jest.setTimeout(180_000);

type User = { id: string; name: string; email: string };
let s: ConsoleStack;
let browser: Browser;
let ada: User;
const contexts: BrowserContext[] = [];

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  return context.newPage();
}

/** No serious or critical axe-core violation on the page as it is now. */
async function expectAccessible(page: Page, name: string): Promise<void> {
  expect({ page: name, violations: await seriousViolations(page) }).toEqual({
    page: name,
    violations: [],
  });
}

async function sessionCookie(page: Page) {
  return (await page.context().cookies(s.consoleUrl)).find((c) => c.name === SESSION_COOKIE);
}

beforeAll(async () => {
  [s, browser] = await Promise.all([
    startConsoleStack('signin', { services: ['requests'] }),
    launchChromium(),
  ]);
  ada = await s.admin.user('Ada Lovelace', `ada-${s.suffix}@acme.example.com`);
});

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await s?.stop();
});

describe('sign-in through the OpenID provider', () => {
  it('signed out, the landing page offers sign-in under a no-script CSP', async () => {
    const page = await newPage();
    const res = await page.goto(`${s.consoleUrl}/`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("default-src 'none'");
    await expect(page.locator('h1').textContent()).resolves.toBe('Sign in to Lapse');
    expect(await sessionCookie(page)).toBeUndefined();
    await expectAccessible(page, 'landing, signed out');
  });

  it('a user signs in with their email and lands signed in; the cookie is the agreed session token', async () => {
    const page = await newPage();
    await page.goto(`${s.consoleUrl}/`);
    await page.getByRole('link', { name: 'Sign in' }).click();
    await page.waitForURL(`${s.issuer}/**`);
    await signInAtProvider(page, ada.email, s.password);
    await page.waitForURL(`${s.consoleUrl}/`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Welcome, Ada Lovelace');
    await expect(page.locator('.whoami').textContent()).resolves.toContain(ada.email);
    const cookie = await sessionCookie(page);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });
    const claims = await verifySessionToken(cookie?.value as string, s.sessionSecret);
    expect(claims).toMatchObject({ userId: ada.id, email: ada.email });
    expect(claims.expiresAt.getTime() - Date.now()).toBeGreaterThan(11.9 * 3600_000);
    await expectAccessible(page, 'home, signed in');
    await page.screenshot({ path: testOutputPath('console-home.png'), fullPage: true });
  });

  it('signing out ends the session: the same cookie no longer opens a page', async () => {
    const page = await newPage();
    await page.goto(`${s.consoleUrl}/auth/login`);
    await signInAtProvider(page, ada.email, s.password);
    await page.waitForURL(`${s.consoleUrl}/`);
    const cookie = (await sessionCookie(page))?.value as string;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${s.consoleUrl}/auth/signed-out`);
    await expect(page.locator('h1').textContent()).resolves.toBe('You are signed out');
    await expectAccessible(page, 'signed out');
    expect(await sessionCookie(page)).toBeUndefined();
    // The cookie is still a validly signed token, but its session has ended.
    await expect(verifySessionToken(cookie, s.sessionSecret)).resolves.toBeDefined();
    const replay = await fetch(`${s.consoleUrl}/`, {
      headers: { cookie: `${SESSION_COOKIE}=${cookie}` },
    });
    expect(await replay.text()).toContain('Sign in to Lapse');
  });

  it('sign-out needs the CSRF token of the session', async () => {
    const page = await newPage();
    await page.goto(`${s.consoleUrl}/auth/login`);
    await signInAtProvider(page, ada.email, s.password);
    await page.waitForURL(`${s.consoleUrl}/`);
    const forged = await page.request.post(`${s.consoleUrl}/auth/logout`, {
      form: {},
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    await page.reload();
    await expect(page.locator('h1').textContent()).resolves.toBe('Welcome, Ada Lovelace');
  });

  it('someone the provider knows but Lapse does not gets a clear page and no session', async () => {
    const page = await newPage();
    await page.goto(`${s.consoleUrl}/auth/login`);
    await signInAtProvider(page, `stranger-${s.suffix}@acme.example.com`, s.password);
    await page.waitForURL(`${s.consoleUrl}/auth/callback**`);
    await expect(page.locator('h1').textContent()).resolves.toBe('No Lapse account');
    await expectAccessible(page, 'no Lapse account');
    await expect(page.locator('main').textContent()).resolves.toContain(
      `stranger-${s.suffix}@acme.example.com`,
    );
    expect(await sessionCookie(page)).toBeUndefined();
  });

  it('a wrong password is refused by the provider', async () => {
    const page = await newPage();
    await page.goto(`${s.consoleUrl}/auth/login`);
    await signInAtProvider(page, ada.email, 'not-the-password');
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Wrong email or password.');
    expect(page.url().startsWith(s.issuer)).toBe(true);
  });

  it('a callback that does not belong to a sign-in of this browser is refused', async () => {
    const res = await fetch(`${s.consoleUrl}/auth/callback?code=x&state=forged`, {
      redirect: 'manual',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('set-cookie') ?? '').not.toContain(`${SESSION_COOKIE}=ey`);
  });

  it('return_to outside the console and the resources is dropped (no open redirect)', async () => {
    const page = await newPage();
    await page.goto(
      `${s.consoleUrl}/auth/login?return_to=${encodeURIComponent('https://evil.example/')}`,
    );
    await signInAtProvider(page, ada.email, s.password);
    await page.waitForURL(`${s.consoleUrl}/`);
  });

  it('a user provisioned by SCIM is found by their externalId and signs in', async () => {
    const { token } = await s.admin.call<{ token: string }>('POST', '/v1/settings/scim-token');
    const email = `linus-${s.suffix}@acme.example.com`;
    const created = await fetch(`${s.policy.url}/scim/v2/Users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: email,
        externalId: `00u-${s.suffix}`,
        name: { givenName: 'Linus', familyName: 'Torvalds' },
        emails: [{ value: email, type: 'work', primary: true }],
        active: true,
      }),
    });
    expect(created.status).toBe(201);
    const found = await s.admin.call<{ items: { email: string; externalId: string | null }[] }>(
      'GET',
      `/v1/users?externalId=${encodeURIComponent(`00u-${s.suffix}`)}`,
    );
    expect(found.items.map((u) => [u.email, u.externalId])).toEqual([[email, `00u-${s.suffix}`]]);
    // The development provider, like the one that provisioned him, names him by that id (`sub`).
    const page = await newPage();
    await page.goto(`${s.consoleUrl}/auth/login`);
    await signInAtProvider(page, email, s.password);
    await page.waitForURL(`${s.consoleUrl}/`);
    await expect(page.locator('.whoami').textContent()).resolves.toContain(email);
  });

  it('a service the page needs is down: a 503 page with Retry-After, never a 500', async () => {
    const page = await newPage();
    await page.goto(`${s.consoleUrl}/auth/login?return_to=%2Faccess-requests`);
    await signInAtProvider(page, ada.email, s.password);
    await page.waitForURL(`${s.consoleUrl}/access-requests`);
    await (s.services.requests as { stop: () => Promise<unknown> }).stop();
    const res = await page.goto(`${s.consoleUrl}/access-requests`);
    expect(res?.status()).toBe(503);
    expect(res?.headers()['retry-after']).toBe('5');
    await expect(page.locator('h1').textContent()).resolves.toBe('Lapse is catching up');
  });
});
