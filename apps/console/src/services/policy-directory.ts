import { Inject, Injectable } from '@nestjs/common';
import { PolicyApi } from '@lapse/auth';
import type { ResourceView, Role } from '@lapse/contracts';
import { CONSOLE_CONFIG } from '../config.token';
import type { ConsoleConfig } from '../config';

/** A user as sign-in and sessions need them. `active` and `externalId` are absent on older policy versions. */
export interface DirectoryEntry {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  active?: boolean;
  externalId?: string | null;
}

type Page<T> = T[] | { items: T[]; nextCursor?: string | null };
const itemsOf = <T>(p: Page<T> | null): T[] => (p === null ? [] : Array.isArray(p) ? p : p.items);

/**
 * What the console reads from the policy service with its own service token, before or beside a
 * user's session: users by email at sign-in, a session's user on re-check, resource names and
 * addresses (people's names on the review page, `return_to` addresses). Nothing is cached here
 * except resource addresses (30 s): a session re-check must see a change at once.
 */
@Injectable()
export class PolicyDirectory {
  private readonly api: PolicyApi;
  private addresses?: { at: number; value: Promise<string[]> };

  constructor(@Inject(CONSOLE_CONFIG) config: ConsoleConfig) {
    this.api = new PolicyApi({
      baseUrl: config.LAPSE_POLICY_URL,
      serviceSecret: config.LAPSE_SERVICE_SECRET as string,
      service: 'console',
    });
  }

  userById(id: string): Promise<DirectoryEntry | null> {
    return this.api.get<DirectoryEntry>(`/v1/users/${encodeURIComponent(id)}`, [400, 404]);
  }

  async usersByEmail(email: string): Promise<DirectoryEntry[]> {
    return itemsOf(
      await this.api.get<Page<DirectoryEntry>>(`/v1/users?email=${encodeURIComponent(email)}`, [
        400,
      ]),
    );
  }

  /** Users whose `externalId` is `externalId`; none while policy cannot search by it (400). */
  async usersByExternalId(externalId: string): Promise<DirectoryEntry[]> {
    return itemsOf(
      await this.api.get<Page<DirectoryEntry>>(
        `/v1/users?externalId=${encodeURIComponent(externalId)}`,
        [400],
      ),
    );
  }

  resource(id: string): Promise<ResourceView | null> {
    return this.api.get<ResourceView>(`/v1/resources/${encodeURIComponent(id)}`, [400, 404]);
  }

  /** Every resource's address (for `return_to`), reused for 30 seconds. */
  resourceAddresses(): Promise<string[]> {
    if (this.addresses && Date.now() - this.addresses.at < 30_000) return this.addresses.value;
    const value = this.allResources().then((rs) => rs.map((r) => r.address));
    this.addresses = { at: Date.now(), value };
    value.catch(() => (this.addresses = undefined));
    return value;
  }

  private async allResources(): Promise<ResourceView[]> {
    const all: ResourceView[] = [];
    let cursor: string | null | undefined = undefined;
    for (let page = 0; page < 100; page++) {
      const q: string = cursor ? `?limit=1000&cursor=${encodeURIComponent(cursor)}` : '';
      const body: Page<ResourceView> | null = await this.api.get<Page<ResourceView>>(
        `/v1/resources${q}`,
        [],
      );
      all.push(...itemsOf(body));
      cursor = body && !Array.isArray(body) ? body.nextCursor : null;
      if (!cursor) break;
    }
    return all;
  }
}
