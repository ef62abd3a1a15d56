import { Inject, Injectable } from '@nestjs/common';
import { PolicyApi } from '@lapse/auth';
import type { ApproversView, ResourceView, UserView } from '@lapse/contracts';
import { REQUESTS_CONFIG } from '../config.token';
import type { RequestsConfig } from '../config';

/**
 * The policy service's service-to-service API (users, resources, approvers), called with a
 * service token. Answers (including "not found") are reused for LAPSE_POLICY_CACHE_MS so a page
 * listing many requests asks once per user and resource; failures are not cached. The policy
 * service down → LapseError UNAVAILABLE (503).
 */
@Injectable()
export class PolicyClient {
  private readonly cache = new Map<string, { at: number; value: Promise<unknown> }>();
  private readonly api: PolicyApi;

  constructor(@Inject(REQUESTS_CONFIG) private readonly config: RequestsConfig) {
    this.api = new PolicyApi({
      baseUrl: config.LAPSE_POLICY_URL,
      serviceSecret: config.LAPSE_SERVICE_SECRET as string,
      service: 'requests',
    });
  }

  getResource(id: string): Promise<ResourceView | null> {
    return this.get<ResourceView>(`/v1/resources/${encodeURIComponent(id)}`);
  }

  getApprovers(resourceId: string): Promise<ApproversView | null> {
    return this.get<ApproversView>(`/v1/resources/${encodeURIComponent(resourceId)}/approvers`);
  }

  getUser(id: string): Promise<UserView | null> {
    return this.get<UserView>(`/v1/users/${encodeURIComponent(id)}`);
  }

  /** Whether `userId` is a member of one of the resource's approver groups. */
  async isApprover(userId: string, resourceId: string): Promise<boolean> {
    const approvers = await this.getApprovers(resourceId);
    return approvers?.users.some((u) => u.id === userId) ?? false;
  }

  /** Of `resourceIds`, those `userId` approves. */
  async approvedBy(userId: string, resourceIds: readonly string[]): Promise<string[]> {
    const flags = await Promise.all(resourceIds.map((id) => this.isApprover(userId, id)));
    return resourceIds.filter((_, i) => flags[i]);
  }

  private get<T>(path: string): Promise<T | null> {
    const ttl = this.config.LAPSE_POLICY_CACHE_MS;
    const hit = this.cache.get(path);
    if (hit && Date.now() - hit.at < ttl) return hit.value as Promise<T | null>;
    const value = this.api.get<T>(path, [400, 404]);
    if (ttl > 0) {
      this.cache.set(path, { at: Date.now(), value });
      value.catch(() => this.cache.delete(path));
      if (this.cache.size > 5000) this.cache.delete(this.cache.keys().next().value as string);
    }
    return value;
  }
}
