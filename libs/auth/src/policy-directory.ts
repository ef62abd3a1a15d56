import type { Role } from '@lapse/contracts';
import type { DirectoryUser, UserDirectory } from './principal';
import { signServiceToken } from './tokens';

/**
 * The user directory of services other than `policy`: asks the policy service
 * (`GET /v1/users/:id`, service token) and caches answers briefly, so a role change takes
 * effect within `ttlMs`.
 */
export class PolicyUserDirectory implements UserDirectory {
  private readonly cache = new Map<string, { at: number; user: DirectoryUser | null }>();

  constructor(
    private readonly policyUrl: string,
    private readonly serviceSecret: string,
    private readonly service: string,
    private readonly ttlMs = 5000,
  ) {}

  async findById(id: string): Promise<DirectoryUser | null> {
    const hit = this.cache.get(id);
    if (hit && Date.now() - hit.at < this.ttlMs) return hit.user;
    const token = await signServiceToken(this.serviceSecret, this.service);
    const res = await fetch(`${this.policyUrl}/v1/users/${encodeURIComponent(id)}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    let user: DirectoryUser | null = null;
    if (res.ok) {
      const body = (await res.json()) as { id: string; email: string; name: string; roles: Role[] };
      user = { id: body.id, email: body.email, name: body.name, roles: body.roles };
    } else if (res.status !== 404 && res.status !== 400) {
      throw new Error(`policy service answered ${res.status} for user ${id}`);
    }
    this.cache.set(id, { at: Date.now(), user });
    return user;
  }
}
