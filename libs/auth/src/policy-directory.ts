import type { Role } from '@lapse/contracts';
import { PolicyApi } from './policy-api';
import type { DirectoryUser, UserDirectory } from './principal';

/**
 * The user directory of services other than `policy`: asks the policy service
 * (`GET /v1/users/:id`, service token) and caches answers briefly, so a role change takes
 * effect within `ttlMs`. The policy service down → 503 for the caller (never a 500).
 */
export class PolicyUserDirectory implements UserDirectory {
  private readonly cache = new Map<string, { at: number; user: DirectoryUser | null }>();
  private readonly policy: PolicyApi;

  constructor(
    policyUrl: string,
    serviceSecret: string,
    service: string,
    private readonly ttlMs = 5000,
  ) {
    this.policy = new PolicyApi({ baseUrl: policyUrl, serviceSecret, service });
  }

  async findById(id: string): Promise<DirectoryUser | null> {
    const hit = this.cache.get(id);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.user;
    const body = await this.policy.get<{
      id: string;
      email: string;
      name: string;
      roles: Role[];
      active?: boolean;
    }>(`/v1/users/${encodeURIComponent(id)}`, [400, 404]);
    // An offboarded user (rule 12) is unknown to every service: their tokens are refused.
    const user =
      body && body.active !== false
        ? { id: body.id, email: body.email, name: body.name, roles: body.roles }
        : null;
    this.cache.set(id, { at: Date.now(), user });
    return user;
  }
}
