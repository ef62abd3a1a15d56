import type { Principal } from '@lapse/auth';

/** Who made a change, as recorded in the audit log and in policy.changes.v1. */
export function actorOf(p: Principal | undefined): string | null {
  if (!p) return null;
  return p.kind === 'user' ? p.id : `service:${p.service}`;
}
