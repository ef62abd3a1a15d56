import { waitFor } from '@lapse/testing';
import { PolicyHarness } from '../testing/policy-harness';

const SCIM_JSON = 'application/scim+json';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/**
 * An identity provider provisioning Lapse through SCIM, against the real servers: Postgres,
 * Temporal with the grant workflow, the grant sync running in the app as in production. SCIM
 * changes are policy changes: audited, and they reach grants (rules 7, 12).
 */
describe('SCIM provisioning (real Postgres, Temporal, Kafka)', () => {
  let h: PolicyHarness;
  let admin: string;
  let scimToken: string;
  const pairs: { resourceId: string; userId: string }[] = [];

  beforeAll(async () => {
    h = await PolicyHarness.start('policy_scim', {
      sync: true,
      workflows: true,
      env: { LOG_LEVEL: 'error' },
    });
    admin = await h.token(await h.seedUser('admin@example.com', ['ADMIN']));
    scimToken = (await h.ok('POST', '/v1/settings/scim-token', admin)).token;
  }, 60_000);
  afterAll(async () => {
    await h?.terminate(pairs);
    await h?.stop();
  });

  const api = (method: string, path: string, body?: unknown) => h.ok(method, path, admin, body);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  type Answer = { status: number; body: any; contentType: string | null };
  const scim = async (
    method: string,
    path: string,
    body?: unknown,
    token: string | null = scimToken,
  ): Promise<Answer> => {
    const res = await fetch(`${h.url}/scim/v2${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': SCIM_JSON } : {}),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      body: text ? JSON.parse(text) : null,
      contentType: res.headers.get('content-type'),
    };
  };
  const ok = async (method: string, path: string, body?: unknown) => {
    const res = await scim(method, path, body);
    if (res.status >= 300)
      throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  const scimUser = (userName: string, more: Record<string, unknown> = {}) => ({
    schemas: [USER],
    userName,
    name: { givenName: userName.split('@')[0], familyName: 'Tester' },
    emails: [{ value: userName, type: 'work', primary: true }],
    active: true,
    ...more,
  });
  const grantState = async (resourceId: string, userId: string) =>
    (await h.grantState({ userId, resourceId }))?.state ?? null;
  const awaitStates = (resourceIds: string[], userId: string, state: string) =>
    waitFor(
      async () => {
        const states = await Promise.all(resourceIds.map((r) => grantState(r, userId)));
        return states.every((s) => s === state) ? states : undefined;
      },
      { timeoutMs: 90_000, what: `grants ${state}` },
    );

  it('a SCIM-created group + member + assignment gives an ACTIVE grant; active:false revokes every grant; audited as the identity provider', async () => {
    const ada = await ok('POST', '/Users', scimUser('ada@example.com', { externalId: 'okta-ada' }));
    const eng = await ok('POST', '/Groups', {
      schemas: [GROUP],
      displayName: 'Engineering',
      externalId: 'okta-eng',
    });
    const ops = await ok('POST', '/Groups', {
      schemas: [GROUP],
      displayName: 'Ops',
      members: [{ value: ada.id }],
    });
    const gitlab = (
      await api('POST', '/v1/resources', { name: 'Gitlab', address: 'gitlab.example' })
    ).id;
    const grafana = (
      await api('POST', '/v1/resources', { name: 'Grafana', address: 'grafana.example' })
    ).id;
    pairs.push({ resourceId: gitlab, userId: ada.id }, { resourceId: grafana, userId: ada.id });
    await api('PUT', `/v1/resources/${gitlab}/assignments/${eng.id}`, {});
    await api('PUT', `/v1/resources/${grafana}/assignments/${ops.id}`, {});
    await awaitStates([grafana], ada.id, 'ACTIVE'); // member at creation
    expect(await grantState(gitlab, ada.id)).toBeNull();

    // Microsoft Entra ID adds a member like this.
    const patched = await ok('PATCH', `/Groups/${eng.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Add', path: 'members', value: [{ value: ada.id }] }],
    });
    expect(patched.members).toEqual([expect.objectContaining({ value: ada.id, type: 'User' })]);
    await awaitStates([gitlab, grafana], ada.id, 'ACTIVE');
    expect(
      (await api('GET', `/v1/users/${ada.id}/grants`)).items.map((g: { state: string }) => g.state),
    ).toEqual(['ACTIVE', 'ACTIVE']);

    // Entra ID deactivates with a string "False".
    const adaToken = await h.token(ada.id);
    expect((await h.call('GET', `/v1/users/${ada.id}`, adaToken)).status).not.toBe(401);
    const off = await ok('PATCH', `/Users/${ada.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
    });
    expect(off.active).toBe(false);
    expect((await h.call('GET', `/v1/users/${ada.id}`, adaToken)).status).toBe(401);
    expect((await api('GET', `/v1/users/${ada.id}`)).active).toBe(false);
    await awaitStates([gitlab, grafana], ada.id, 'REVOKED');

    // Back (Okta sends a path-less replace): fresh grants (rule 11).
    const on = await ok('PATCH', `/Users/${ada.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', value: { active: true } }],
    });
    expect(on.active).toBe(true);
    await awaitStates([gitlab, grafana], ada.id, 'ACTIVE');

    // Okta removes a member with a value filter: only the grant that group gave goes.
    await ok('PATCH', `/Groups/${ops.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'remove', path: `members[value eq "${ada.id}"]` }],
    });
    await awaitStates([grafana], ada.id, 'REVOKED');
    expect(await grantState(gitlab, ada.id)).toBe('ACTIVE');

    // DELETE offboards: the last grant is revoked, and SCIM no longer knows the user.
    expect((await scim('DELETE', `/Users/${ada.id}`)).status).toBe(204);
    await awaitStates([gitlab], ada.id, 'REVOKED');
    expect((await scim('GET', `/Users/${ada.id}`)).status).toBe(404);
    expect((await api('GET', `/v1/users/${ada.id}`)).active).toBe(false);

    const byScim = (
      (await h.ds.query(
        `SELECT action FROM policy.audit_log WHERE actor_id = 'scim' AND category = 'ACCESS'`,
      )) as { action: string }[]
    ).map((e) => e.action);
    for (const action of [
      'user.created',
      'group.created',
      'group.members.changed',
      'user.offboarded',
      'user.reactivated',
    ])
      expect(byScim).toContain(action);
  }, 300_000);

  it('only the SCIM token opens /scim/v2, and it opens nothing else; a new token replaces the old', async () => {
    const noToken = await scim('GET', '/Users', undefined, null);
    expect(noToken.status).toBe(401);
    expect(noToken.body).toEqual({ schemas: [ERROR], status: '401', detail: expect.any(String) });
    expect(noToken.contentType).toMatch(/^application\/scim\+json/);
    expect((await scim('GET', '/Users', undefined, admin)).status).toBe(401); // a Lapse JWT
    expect((await h.call('GET', '/v1/users', scimToken)).status).toBe(401);

    const member = await h.token(await h.seedUser('member@example.com'));
    expect((await h.call('POST', '/v1/settings/scim-token', member)).status).toBe(403);
    const next = (await api('POST', '/v1/settings/scim-token')).token;
    expect(next).not.toBe(scimToken);
    expect((await scim('GET', '/ServiceProviderConfig', undefined, scimToken)).status).toBe(401);
    scimToken = next;
    expect((await scim('GET', '/ServiceProviderConfig')).status).toBe(200);
    const stored: { token_sha256: Buffer }[] = await h.ds.query(
      'SELECT token_sha256 FROM policy.scim_token',
    );
    expect(stored).toHaveLength(1);
    expect(stored[0].token_sha256.toString('utf8')).not.toContain(next);
  });

  it('filters on userName / externalId / displayName, pages with startIndex and count, and answers SCIM errors', async () => {
    // A user an admin created before SCIM: found by email as userName, so the identity provider links it.
    const existing = (await api('POST', '/v1/users', { email: 'Grace@Example.com', name: 'Grace' }))
      .id;
    const found = await ok(
      'GET',
      `/Users?filter=${encodeURIComponent('userName eq "grace@example.com"')}`,
    );
    expect(found).toMatchObject({ totalResults: 1, startIndex: 1, itemsPerPage: 1 });
    expect(found.Resources[0]).toMatchObject({
      id: existing,
      userName: 'Grace@Example.com',
      active: true,
    });

    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push(
        (await ok('POST', '/Users', scimUser(`page${i}@example.com`, { externalId: `ext-${i}` })))
          .id,
      );
    const byExt = await ok('GET', `/Users?filter=${encodeURIComponent('externalId eq "ext-3"')}`);
    expect(byExt.Resources.map((r: { id: string }) => r.id)).toEqual([ids[3]]);
    // The admin API finds users by the identity provider's id too (the console's sign-in does).
    const viaApi = await api('GET', '/v1/users?externalId=ext-3');
    expect(viaApi.items).toEqual([expect.objectContaining({ id: ids[3], externalId: 'ext-3' })]);

    const all = await ok('GET', '/Users?count=1000');
    const page = await ok('GET', '/Users?startIndex=3&count=2');
    expect(page).toMatchObject({ totalResults: all.totalResults, startIndex: 3, itemsPerPage: 2 });
    expect(page.Resources.map((r: { id: string }) => r.id)).toEqual(
      all.Resources.slice(2, 4).map((r: { id: string }) => r.id),
    );
    const counted = await ok('GET', '/Users?count=0');
    expect(counted).toMatchObject({
      totalResults: all.totalResults,
      itemsPerPage: 0,
      Resources: [],
    });

    await ok('POST', '/Groups', { schemas: [GROUP], displayName: 'Support Team' });
    const group = await ok(
      'GET',
      `/Groups?filter=${encodeURIComponent('displayName eq "Support Team"')}&excludedAttributes=members`,
    );
    expect(group.totalResults).toBe(1);
    expect(group.Resources[0]).not.toHaveProperty('members');

    const dup = await scim('POST', '/Users', scimUser('PAGE1@example.com'));
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' });
    const badFilter = await scim('GET', `/Users?filter=${encodeURIComponent('userName co "a"')}`);
    expect(badFilter.status).toBe(400);
    expect(badFilter.body).toMatchObject({ scimType: 'invalidFilter' });
    const noEmail = await scim('POST', '/Users', { schemas: [USER], userName: 'not-an-address' });
    expect(noEmail.status).toBe(400);
    expect(noEmail.body).toMatchObject({
      scimType: 'invalidValue',
      detail: expect.stringMatching(/^emails: /),
    });
    const control = await scim(
      'POST',
      '/Users',
      scimUser('nul@example.com', { displayName: 'a\u0000b' }),
    );
    expect(control.status).toBe(400);
    expect(control.body.detail).toMatch(/^displayName: /);
    const malformed = await scim('POST', '/Users', '{"userName": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ schemas: [ERROR], scimType: 'invalidSyntax' });
    const readOnly = await scim('PATCH', `/Users/${ids[0]}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'replace', path: 'id', value: 'x' }],
    });
    expect(readOnly.status).toBe(400);
    expect(readOnly.body.scimType).toBe('mutability');
    const unknownMember = await scim('POST', '/Groups', {
      schemas: [GROUP],
      displayName: 'x',
      members: [{ value: '00000000-0000-4000-8000-000000000000' }],
    });
    expect(unknownMember.status).toBe(400);
    expect((await scim('GET', '/Users/not-a-uuid')).status).toBe(404);
    const put = await fetch(`${h.url}/scim/v2/Users`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${scimToken}` },
    });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');

    // Deleted by the identity provider, then provisioned again: the same Lapse user comes back.
    expect((await scim('DELETE', `/Users/${ids[4]}`)).status).toBe(204);
    const again = await ok('POST', '/Users', scimUser('page4@example.com'));
    expect(again).toMatchObject({ id: ids[4], active: true });
  });
});
