/**
 * The policy service's admin API from a test: the bootstrap ADMIN a policy service started by a
 * test creates (`LAPSE_BOOTSTRAP_ADMIN_EMAIL`), and the calls suites set policy up with.
 */
import { signServiceToken, signUserToken } from '@lapse/auth';
import { callApiOk } from './http';

/**
 * Finds the bootstrap admin (by its email, with a service token) on the policy service at
 * `policyUrl` and signs in as it.
 */
export async function bootstrapAdmin(
  policyUrl: string,
  { email, jwtSecret, serviceSecret }: { email: string; jwtSecret: string; serviceSecret: string },
): Promise<PolicyAdmin> {
  const service = await signServiceToken(serviceSecret, 'notifications', 'policy');
  const { items } = await callApiOk<{ items: { id: string }[] }>(
    policyUrl,
    'GET',
    `/v1/users?email=${encodeURIComponent(email)}`,
    service,
  );
  if (!items[0]) throw new Error(`bootstrap admin ${email} not found in policy`);
  return new PolicyAdmin(policyUrl, items[0].id, await signUserToken(jwtSecret, items[0].id));
}

/** The policy admin API, as an ADMIN (to set up users, groups, resources, assignments). */
export class PolicyAdmin {
  constructor(
    readonly url: string,
    /** The admin's user id. */
    readonly id: string,
    readonly token: string,
  ) {}

  call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return callApiOk<T>(this.url, method, path, this.token, body);
  }

  user(name: string, email: string, roles: string[] = []) {
    return this.call<{ id: string; name: string; email: string }>('POST', '/v1/users', {
      name,
      email,
      roles,
    });
  }
  group(name: string, memberIds: string[]) {
    return this.call<{ id: string }>('POST', '/v1/groups', { name }).then(async (g) => {
      await this.call('PUT', `/v1/groups/${g.id}/members`, { userIds: memberIds });
      return g;
    });
  }
  resource(name: string, policy: unknown) {
    return this.call<{ id: string; name: string }>('POST', '/v1/resources', {
      name,
      address: `${name.toLowerCase().replace(/\W+/g, '-')}.internal.example`,
      policy,
    });
  }
  /** Replaces the resource's default policy (reaches its grants as policyChanged). */
  setPolicy(resourceId: string, policy: unknown) {
    return this.call('PATCH', `/v1/resources/${resourceId}`, { policy });
  }
  assign(resourceId: string, groupId: string) {
    return this.call('PUT', `/v1/resources/${resourceId}/assignments/${groupId}`, {});
  }
  approvers(resourceId: string, groupIds: string[]) {
    return this.call('PUT', `/v1/resources/${resourceId}/approvers`, { groupIds });
  }
}
