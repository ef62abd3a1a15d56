import type { ResourceView, UserView } from '@lapse/contracts';
import { ResourceAddressIndex, type Target } from '@lapse/resource-address';

/** A user as forward-auth needs them: who they are, and whether they may still connect. */
export interface AuthzUser {
  id: string;
  email: string;
}

/** What forward-auth reads of a policy user (`active: false`: offboarded). */
export type PolicyUserRecord = Pick<UserView, 'id' | 'email'> & Partial<Pick<UserView, 'active'>>;

/** What forward-auth reads of a policy resource. */
export type PolicyResourceRecord = Pick<ResourceView, 'id' | 'address'>;

/**
 * What forward-auth knows of policy, in memory: users by id and by email (case-insensitive), and
 * resources by address. Fed by PolicyMirror (a snapshot from policy's REST API, then the
 * policy.changes.v1 events); read on every forward-auth request without any I/O.
 */
export class AuthzDirectory {
  private readonly users = new Map<string, AuthzUser>();
  private readonly byEmail = new Map<string, string>();
  readonly resources = new ResourceAddressIndex();
  /** Resources whose address is none of the address forms (they match no request). */
  readonly unmatchable = new Set<string>();
  private readyFlag = false;

  /** False until the first snapshot of policy is loaded: forward-auth answers 503 until then. */
  get ready(): boolean {
    return this.readyFlag;
  }

  markReady(): void {
    this.readyFlag = true;
  }

  get userCount(): number {
    return this.users.size;
  }

  userById(id: string): AuthzUser | undefined {
    return this.users.get(id);
  }

  userByEmail(email: string): AuthzUser | undefined {
    const id = this.byEmail.get(email.trim().toLowerCase());
    return id === undefined ? undefined : this.users.get(id);
  }

  /** Adds, replaces or (inactive, offboarded) removes a user. */
  putUser(u: PolicyUserRecord): void {
    this.removeUser(u.id);
    if (u.active === false) return;
    this.users.set(u.id, { id: u.id, email: u.email });
    this.byEmail.set(u.email.trim().toLowerCase(), u.id);
  }

  removeUser(id: string): void {
    const old = this.users.get(id);
    if (!old) return;
    this.users.delete(id);
    const key = old.email.trim().toLowerCase();
    if (this.byEmail.get(key) === id) this.byEmail.delete(key);
  }

  putResource(r: PolicyResourceRecord): void {
    if (this.resources.set(r.id, r.address)) this.unmatchable.delete(r.id);
    else this.unmatchable.add(r.id);
  }

  removeResource(id: string): void {
    this.resources.delete(id);
    this.unmatchable.delete(id);
  }

  resourceFor(target: Target): string | undefined {
    return this.resources.match(target);
  }
}
