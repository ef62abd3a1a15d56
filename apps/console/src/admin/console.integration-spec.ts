/**
 * The admin console end to end in real headless Chromium: people sign in through the development
 * OpenID provider and use the pages as an ADMIN, as SUPPORT and as a resource approver, against
 * the real services (policy, grant workflow, access-tracking, requests, notifications). Every page
 * is scanned with axe-core and left as a screenshot in test-output/console/.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { waitFor, testOutputPath } from '@lapse/testing';
import { seriousViolations } from '../testing/axe';
import { launchChromium, signInAtProvider } from '../testing/browser';
import { startConsoleStack, type ConsoleStack } from '../testing/console-stack';

jest.setTimeout(240_000);

const DAY = 86_400;
type User = { id: string; name: string; email: string };

let s: ConsoleStack;
let browser: Browser;
let receiver: Server;
let receiverUrl: string;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];
const people: Record<'ada' | 'sue' | 'amy' | 'lou' | 'rita' | 'pat' | 'olly', User> = {} as never;
let vault: { id: string; name: string };
let ritaRequestId: string;
let admin: Page;

const email = (who: string) => `${who}-${s.suffix}@acme.example.com`;

async function signIn(who: User): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${s.consoleUrl}/auth/login`);
  await signInAtProvider(page, who.email, s.password);
  await page.waitForURL(`${s.consoleUrl}/`);
  return page;
}

/**
 * The page as it is now passes axe (no serious or critical violation) and is kept as a
 * screenshot, test-output/console/<name>.png.
 */
async function check(page: Page, name: string): Promise<void> {
  expect({ page: name, violations: await seriousViolations(page) }).toEqual({
    page: name,
    violations: [],
  });
  await page.screenshot({ path: testOutputPath(`console/${name}.png`), fullPage: true });
}

/** Opens `path`, expects `status`, and checks the page. */
async function visit(page: Page, path: string, name: string, status = 200): Promise<void> {
  const res = await page.goto(`${s.consoleUrl}${path}`);
  expect({ path, status: res?.status() }).toEqual({ path, status });
  await check(page, name);
}

const policyApi = <T>(method: string, path: string, body?: unknown) =>
  s.admin.call<T>(method, path, body);
type Grant = { userId: string; state: string | null; lastAdminUnlockAt: string | null };
const grantOf = async (resourceId: string, userId: string) =>
  (await policyApi<{ items: Grant[] }>('GET', `/v1/resources/${resourceId}/grants`)).items.find(
    (g) => g.userId === userId,
  );

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ received: true, by: 'the test receiver' }));
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/lapse`;
  [s, browser] = await Promise.all([
    startConsoleStack('console', {
      services: ['access-tracking', 'requests'],
      env: { LAPSE_WEBHOOK_ALLOW_HOSTS: '127.0.0.1' },
    }),
    launchChromium(),
  ]);
  const roles: Record<keyof typeof people, string[]> = {
    ada: ['ADMIN'],
    sue: ['SUPPORT'],
    amy: [],
    lou: [],
    rita: [],
    pat: [],
    olly: [],
  };
  const names: Record<keyof typeof people, string> = {
    ada: 'Ada Lovelace',
    sue: 'Sue Porter',
    amy: 'Amy Approver',
    lou: 'Lou Locked',
    rita: 'Rita Requester',
    pat: 'Pat Reviewer',
    olly: 'Olly Offboarded',
  };
  for (const who of Object.keys(roles) as (keyof typeof people)[])
    people[who] = await s.admin.user(names[who], email(who), roles[who]);
  // Vault: a short auto-lock locks its users at once; then a long one keeps them as they are.
  vault = await s.admin.resource('Vault', {
    autoLock: { durationSeconds: 2, approval: 'MANUAL' },
  });
  const users = await s.admin.group('Vault users', [people.ada.id, people.lou.id, people.rita.id]);
  const approvers = await s.admin.group('Vault approvers', [people.amy.id]);
  await s.admin.assign(vault.id, users.id);
  await s.admin.approvers(vault.id, [approvers.id]);
  await waitFor(
    async () => {
      const states = await Promise.all(
        [people.ada, people.lou, people.rita].map(
          async (u) => (await grantOf(vault.id, u.id))?.state,
        ),
      );
      return states.every((x) => x === 'LOCKED') ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 500, what: 'the Vault grants to lock' },
  );
  await s.admin.setPolicy(vault.id, {
    autoLock: { durationSeconds: 30 * DAY, approval: 'MANUAL' },
  });
  const res = await fetch(`${s.services.requests?.url}/v1/access-requests`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await s.tokenFor(people.rita.id)}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ resourceId: vault.id, reason: 'Rotating the release signing keys.' }),
  });
  expect(res.status).toBeLessThan(300);
  ritaRequestId = ((await res.json()) as { id: string }).id;
  admin = await signIn(people.ada);
});

afterAll(async () => {
  await browser?.close();
  await s?.stop();
  await new Promise((r) => receiver?.close(r));
});

describe('the admin console as an ADMIN', () => {
  it('shows every console page in the navigation and the open requests on the bell', async () => {
    const nav = await admin
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link')
      .allTextContents();
    expect(nav.map((t) => t.trim())).toEqual([
      'Home',
      'Resources',
      'Groups',
      'Users',
      'Audit log',
      'Settings',
      'Access Requests',
    ]);
    await expect(admin.locator('a.bell').getAttribute('aria-label')).resolves.toBe(
      'Access requests: 1 open access request',
    );
    await check(admin, 'home-admin');
  });

  let gitlabId: string;
  let engineeringId: string;

  it('adds a resource and sets a 30-day auto-lock as its default policy', async () => {
    await visit(admin, '/resources', 'resources');
    await admin.getByLabel('Name', { exact: true }).fill('Gitlab');
    await admin.getByLabel('Address', { exact: true }).fill('gitlab.internal.example');
    await admin.getByRole('button', { name: 'Add resource' }).click();
    await admin.waitForURL(/\/resources\/[0-9a-f-]{36}\?notice=created/);
    gitlabId = /resources\/([0-9a-f-]{36})/.exec(admin.url())?.[1] as string;
    const autoLock = admin.getByRole('group', { name: /^Auto-lock/ });
    await autoLock.getByLabel('30 days').check();
    await autoLock.getByLabel('Unlocking').selectOption('MANUAL');
    await admin.getByRole('button', { name: 'Save default policy' }).click();
    await admin.waitForURL(/notice=policy/);
    await expect(admin.getByRole('status').first().textContent()).resolves.toContain(
      'Default policy saved',
    );
    const r = await policyApi<{ policy: unknown }>('GET', `/v1/resources/${gitlabId}`);
    expect(r.policy).toEqual({
      autoLock: { durationSeconds: 30 * DAY, approval: 'MANUAL' },
      accessRequests: null,
    });
    await expect(admin.locator('dt:text-is("Default auto-lock") + dd').textContent()).resolves.toBe(
      '30 days, manual approval',
    );
    await check(admin, 'resource');
  });

  it('a custom duration out of range is refused with the field named, nothing saved', async () => {
    const autoLock = admin.getByRole('group', { name: /^Auto-lock/ });
    await autoLock.getByLabel('Custom (seconds)').check();
    // Left empty: the browser lets it through (not required), the console names the field.
    await autoLock.getByLabel('Custom duration in seconds').fill('');
    await admin.getByRole('button', { name: 'Save default policy' }).click();
    const error = admin.locator('#default-autoLockSeconds-error');
    await error.waitFor();
    await expect(error.textContent()).resolves.toBe(
      'Auto-lock duration: enter a whole number of seconds.',
    );
    await expect(
      admin
        .getByRole('group', { name: /^Auto-lock/ })
        .getByLabel('Custom duration in seconds')
        .getAttribute('aria-invalid'),
    ).resolves.toBe('true');
    const r = await policyApi<{ policy: { autoLock: { durationSeconds: number } } }>(
      'GET',
      `/v1/resources/${gitlabId}`,
    );
    expect(r.policy.autoLock.durationSeconds).toBe(30 * DAY);
  });

  it('searches resources by name', async () => {
    await admin.goto(`${s.consoleUrl}/resources`);
    await admin.getByLabel('Search by name or address').fill('git');
    await admin.getByRole('button', { name: 'Search' }).click();
    const rows = await admin.locator('tbody tr').allTextContents();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain('Gitlab');
    await admin.getByLabel('Search by name or address').fill('nothing-like-it');
    await admin.getByRole('button', { name: 'Search' }).click();
    await expect(admin.locator('.empty').textContent()).resolves.toContain('No resource matches');
    await check(admin, 'resources-empty-search');
  });

  it('creates a group and adds members by email; an unknown email is named', async () => {
    await visit(admin, '/groups', 'groups');
    await admin.getByLabel('Name', { exact: true }).fill('Engineering');
    await admin.getByRole('button', { name: 'Create group' }).click();
    await admin.waitForURL(/\/groups\/[0-9a-f-]{36}\?notice=created/);
    engineeringId = /groups\/([0-9a-f-]{36})/.exec(admin.url())?.[1] as string;
    for (const who of [people.lou, people.pat]) {
      await admin.getByLabel('Add a member by email').fill(who.email);
      await admin.getByRole('button', { name: 'Add member' }).click();
      await admin.waitForURL(/notice=member-added/);
    }
    await admin.getByLabel('Add a member by email').fill('nobody@acme.example.com');
    await admin.getByRole('button', { name: 'Add member' }).click();
    await expect(admin.locator('#member-email-error').textContent()).resolves.toContain(
      'Lapse has no user with the email nobody@acme.example.com',
    );
    await expect(
      admin.getByLabel('Add a member by email').getAttribute('aria-invalid'),
    ).resolves.toBe('true');
    const g = await policyApi<{ memberIds: string[] }>('GET', `/v1/groups/${engineeringId}`);
    expect(g.memberIds.sort()).toEqual([people.lou.id, people.pat.id].sort());
  });

  it('gives the group access, then overrides the auto-lock to 7 days for it', async () => {
    await admin.goto(`${s.consoleUrl}/resources/${gitlabId}`);
    await admin.getByLabel('Give a group access').selectOption({ label: 'Engineering' });
    await admin.getByRole('button', { name: 'Add group' }).click();
    await admin.waitForURL(/notice=group-added/);
    const row = admin.locator('#groups tbody tr', { hasText: 'Engineering' });
    await expect(row.locator('td').nth(1).textContent()).resolves.toBe(
      'Inherits 30 days, manual approval',
    );
    await row.getByRole('link', { name: 'Override policy for Engineering' }).click();
    await admin.waitForURL(`${s.consoleUrl}/resources/${gitlabId}/groups/${engineeringId}`);
    await check(admin, 'assignment');
    await admin
      .getByRole('group', { name: /^Auto-lock/ })
      .getByLabel('7 days')
      .check();
    await admin.getByRole('button', { name: 'Save' }).click();
    await admin.waitForURL(/notice=assignment/);
    await expect(row.locator('td').nth(1).textContent()).resolves.toBe('7 days, manual approval');
    const assignments = await policyApi<{ items: { groupId: string; policy: unknown }[] }>(
      'GET',
      `/v1/resources/${gitlabId}/assignments`,
    );
    expect(assignments.items.find((a) => a.groupId === engineeringId)?.policy).toEqual({
      autoLock: { durationSeconds: 7 * DAY, approval: 'MANUAL' },
    });
    // The group page shows it too, beside the other resources it reaches.
    await visit(admin, `/groups/${engineeringId}`, 'group');
    await expect(
      admin
        .locator('#resources tbody tr', { hasText: 'Gitlab' })
        .locator('td')
        .nth(1)
        .textContent(),
    ).resolves.toBe('7 days, manual approval');
  });

  it('unlocks a locked user on their page; never on one’s own', async () => {
    await visit(admin, '/users', 'users');
    await admin.getByLabel('Search by name or email').fill('lou locked');
    await admin.getByRole('button', { name: 'Search' }).click();
    await admin.getByRole('link', { name: 'Lou Locked' }).click();
    await admin.waitForURL(`${s.consoleUrl}/users/${people.lou.id}`);
    const row = admin.locator('#grants tbody tr', { hasText: 'Vault' });
    await expect(row.locator('[data-state]').getAttribute('data-state')).resolves.toBe('LOCKED');
    await check(admin, 'user');
    await row.getByRole('button', { name: 'Unlock Vault for Lou Locked' }).click();
    await admin.waitForURL(/notice=unlocked/);
    await waitFor(
      async () => {
        const g = await grantOf(vault.id, people.lou.id);
        return g?.state === 'ACTIVE' && g.lastAdminUnlockAt ? g : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 300, what: 'Lou’s Vault grant to be unlocked' },
    );
    // Ada's own Vault grant is locked too, and her page offers no unlock.
    await admin.goto(`${s.consoleUrl}/users/${people.ada.id}`);
    const own = admin.locator('#grants tbody tr', { hasText: 'Vault' });
    await expect(own.getByRole('button', { name: /Unlock/ }).count()).resolves.toBe(0);
    await expect(own.textContent()).resolves.toContain('Your own access');
    await expect(admin.locator('#roles').count()).resolves.toBe(0);
  });

  it('approves an open request on the resource page; the bell goes back to 0', async () => {
    await visit(admin, `/resources/${vault.id}`, 'resource-with-request');
    const row = admin.locator('#requests tbody tr', { hasText: 'Rita Requester' });
    await expect(row.textContent()).resolves.toContain('Rotating the release signing keys.');
    await row.getByLabel('Note').fill('Go ahead.');
    await row
      .getByRole('button', { name: 'Approve the request of Rita Requester for Vault' })
      .click();
    await admin.waitForURL(/notice=approved/);
    const request = await (
      await fetch(`${s.services.requests?.url}/v1/access-requests/${ritaRequestId}`, {
        headers: { authorization: `Bearer ${await s.tokenFor(people.ada.id)}` },
      })
    ).json();
    expect(request).toMatchObject({
      status: 'APPROVED',
      reviewerId: people.ada.id,
      note: 'Go ahead.',
    });
    await expect(admin.locator('a.bell').getAttribute('aria-label')).resolves.toBe(
      'Access requests: 0 open access requests',
    );
    await expect(admin.locator('#requests .empty').textContent()).resolves.toBe(
      'No open requests.',
    );
  });

  it('downloads the resource, group and user reports as CSV', async () => {
    await admin.goto(`${s.consoleUrl}/resources/${vault.id}`);
    const [download] = await Promise.all([
      admin.waitForEvent('download'),
      admin.getByRole('link', { name: 'Download report (CSV)' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('resource-Vault.csv');
    const path = testOutputPath('console/resource-Vault.csv');
    await download.saveAs(path);
    const csv = (await import('node:fs')).readFileSync(path, 'utf8');
    const [header, ...lines] = csv.trim().split(/\r\n/);
    expect(header).toContain('group_name');
    expect(lines.some((l) => l.includes('Vault users') && l.includes(people.lou.email))).toBe(true);
    for (const path of [
      `/groups/${engineeringId}/report.csv`,
      `/users/${people.lou.id}/report.csv`,
    ]) {
      const res = await admin.request.get(`${s.consoleUrl}${path}`);
      expect(res.status()).toBe(200);
      expect(res.headers()['content-type']).toContain('text/csv');
      expect(await res.text()).toContain('resource_name');
    }
  });

  it('changes roles by rule 13 and offboards behind a confirmation', async () => {
    await admin.goto(`${s.consoleUrl}/users/${people.pat.id}`);
    await admin.getByRole('checkbox', { name: 'Access reviewer' }).check();
    await admin.getByRole('button', { name: 'Save roles' }).click();
    await admin.waitForURL(/notice=roles/);
    expect(
      (await policyApi<{ roles: string[] }>('GET', `/v1/users/${people.pat.id}`)).roles,
    ).toEqual(['ACCESS_REVIEWER']);
    await admin.goto(`${s.consoleUrl}/users/${people.olly.id}`);
    await admin.getByRole('link', { name: 'Offboard…' }).click();
    await admin.waitForURL(`${s.consoleUrl}/users/${people.olly.id}/offboard`);
    await check(admin, 'offboard');
    await admin.getByRole('button', { name: 'Yes, offboard Olly Offboarded' }).click();
    await admin.waitForURL(/notice=offboarded/);
    expect(
      (await policyApi<{ active: boolean }>('GET', `/v1/users/${people.olly.id}`)).active,
    ).toBe(false);
  });

  it('sets a webhook (its secret shown once) and sends a test that shows the receiver’s answer', async () => {
    await visit(admin, '/settings', 'settings');
    await admin.getByLabel('Webhook URL').fill('ftp://hooks.example.com/x');
    await admin.getByRole('button', { name: 'Save notifications' }).click();
    await expect(admin.locator('#webhookUrl-error').textContent()).resolves.toContain(
      'Webhook URL',
    );
    await admin.getByLabel('Webhook URL').fill('http://169.254.169.254/latest');
    await admin.getByRole('button', { name: 'Save notifications' }).click();
    await expect(admin.locator('#webhookUrl-error').textContent()).resolves.toContain(
      'webhook.url',
    );
    await admin.getByLabel('Webhook URL').fill(receiverUrl);
    await admin.getByRole('button', { name: 'Save notifications' }).click();
    const secret = await admin.locator('#shown-webhook-secret').inputValue();
    expect(secret).toMatch(/^whsec_/);
    await check(admin, 'settings-secret-shown-once');
    // Shown once: the settings page never shows it again.
    await admin.goto(`${s.consoleUrl}/settings`);
    await expect(admin.locator('#shown-webhook-secret').count()).resolves.toBe(0);
    await expect(admin.locator('#webhookSecret-hint').textContent()).resolves.toContain(
      `Current secret: ••••${secret.slice(-4)}`,
    );
    await admin.getByRole('button', { name: 'Send a test' }).click();
    const result = admin.locator('#webhook-test-result');
    await expect(result.textContent()).resolves.toContain('Delivered: the receiver answered 200');
    await expect(result.locator('pre').textContent()).resolves.toContain('the test receiver');
    await check(admin, 'settings-webhook-test');
    const hit = received.at(-1);
    expect(JSON.parse(hit?.body ?? '{}')).toMatchObject({ type: 'TEST', version: '1' });
    const { Webhook } = await import('standardwebhooks');
    expect(() =>
      new Webhook(secret).verify(hit?.body ?? '', {
        'webhook-id': String(hit?.headers['webhook-id']),
        'webhook-timestamp': String(hit?.headers['webhook-timestamp']),
        'webhook-signature': String(hit?.headers['webhook-signature']),
      }),
    ).not.toThrow();
  });

  it('shows the audit log filtered by resource, with before and after as a diff', async () => {
    await visit(admin, '/audit-log', 'audit-log');
    await admin.getByLabel('Resource').selectOption({ label: 'Gitlab' });
    await admin.getByRole('button', { name: 'Apply filters' }).click();
    const entries = admin.locator('.audit-entry');
    await expect(entries.count()).resolves.toBeGreaterThan(1);
    // Auto-lock was off (null) and became 30 days: the diff shows both sides.
    const set = admin.locator('tr.diff-added', { hasText: 'policy.autoLock.durationSeconds' });
    await expect(set.allTextContents()).resolves.toEqual(
      expect.arrayContaining([expect.stringContaining('2592000')]),
    );
    const was = admin.locator('tr.diff-removed', { hasText: 'policy.autoLock' });
    await expect(was.first().locator('del').textContent()).resolves.toBe('null');
    await check(admin, 'audit-log-filtered');
    await admin.getByLabel('User it is about (email)').fill('nobody@acme.example.com');
    await admin.getByRole('button', { name: 'Apply filters' }).click();
    await expect(admin.locator('#user-error').textContent()).resolves.toContain('User');
  });

  it('refuses a form without this session’s CSRF token', async () => {
    const res = await admin.request.post(`${s.consoleUrl}/resources/${gitlabId}/policy`, {
      form: { autoLock: 'off', jit: 'off' },
      maxRedirects: 0,
    });
    expect(res.status()).toBe(403);
    const r = await policyApi<{ policy: { autoLock: unknown } }>(
      'GET',
      `/v1/resources/${gitlabId}`,
    );
    expect(r.policy.autoLock).not.toBeNull();
  });

  describe('as SUPPORT', () => {
    let sue: Page;
    beforeAll(async () => {
      sue = await signIn(people.sue);
    });

    it('reads every console page and sees no form that changes anything', async () => {
      const pages: [string, string][] = [
        ['/resources', 'support-resources'],
        [`/resources/${gitlabId}`, 'support-resource'],
        [`/resources/${gitlabId}/groups/${engineeringId}`, 'support-assignment'],
        ['/groups', 'support-groups'],
        [`/groups/${engineeringId}`, 'support-group'],
        ['/users', 'support-users'],
        [`/users/${people.lou.id}`, 'support-user'],
        ['/settings', 'support-settings'],
        ['/audit-log', 'support-audit-log'],
      ];
      for (const [path, name] of pages) {
        await visit(sue, path, name);
        await expect(sue.locator('.read-only').count()).resolves.toBe(1);
        // The only POST forms: sign-out (and nothing else).
        const actions = await sue
          .locator('form[method="post"]')
          .evaluateAll((fs) => fs.map((f) => f.getAttribute('action')));
        expect({ path, actions }).toEqual({ path, actions: ['/auth/logout'] });
      }
    });

    it('a forged change is refused even with a valid CSRF token', async () => {
      await sue.goto(`${s.consoleUrl}/resources/${gitlabId}`);
      const csrf = await sue.locator('form.signout input[name="_csrf"]').inputValue();
      const res = await sue.request.post(`${s.consoleUrl}/resources/${gitlabId}/policy`, {
        form: { _csrf: csrf, autoLock: 'off', jit: 'off' },
        maxRedirects: 0,
      });
      expect(res.status()).toBe(403);
      const r = await policyApi<{ policy: { autoLock: unknown } }>(
        'GET',
        `/v1/resources/${gitlabId}`,
      );
      expect(r.policy.autoLock).not.toBeNull();
    });
  });

  describe('as a resource approver with no console role', () => {
    let amy: Page;
    beforeAll(async () => {
      amy = await signIn(people.amy);
    });

    it('sees only Access Requests; the console pages are refused', async () => {
      const nav = await amy
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link')
        .allTextContents();
      expect(nav.map((t) => t.trim())).toEqual(['Home', 'Access Requests']);
      await check(amy, 'approver-home');
      for (const path of ['/resources', '/groups', '/users', '/settings', '/audit-log']) {
        const res = await amy.goto(`${s.consoleUrl}${path}`);
        expect({ path, status: res?.status() }).toEqual({ path, status: 403 });
      }
      await check(amy, 'approver-refused');
      await visit(amy, '/access-requests', 'approver-access-requests');
    });
  });
});
