import type { DirectoryUser, UserDirectory } from '@lapse/auth';
import type { PolicyClient } from './policy-client';

/** How long a caller's user record is reused: a role change takes effect within this. */
export const USER_DIRECTORY_MAX_AGE_MS = 5_000;

/**
 * The user directory of every service but `policy`: callers' user records from the policy
 * service (`GET /v1/users/:id`), reused for a few seconds. An offboarded user (rule 12) is
 * unknown to every service: their tokens are refused. The policy service down → 503 for the
 * caller (never a 500).
 */
export class PolicyUserDirectory implements UserDirectory {
  constructor(
    private readonly policy: PolicyClient,
    private readonly maxAgeMs = USER_DIRECTORY_MAX_AGE_MS,
  ) {}

  async findById(id: string): Promise<DirectoryUser | null> {
    const u = await this.policy.user(id, { maxAgeMs: this.maxAgeMs });
    return u && u.active !== false
      ? { id: u.id, email: u.email, name: u.name, roles: u.roles }
      : null;
  }
}
