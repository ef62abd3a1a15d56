import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Policy } from '@lapse/contracts';
import { counter } from '@lapse/platform';
import { NO_POLICY } from '../resources/policy-input';
import { planResourceGrants } from './expected-grants';
import { repairFor, type ObservedGrant, type Repair } from './reconcile-plan';
import type { GrantClient } from '@lapse/grant-client';

export interface ReconcilerSettings {
  /** Time between two batches (pacing). */
  intervalMs: number;
  /** Grants compared per batch (bounded work per tick). */
  batchSize: number;
}

const checked = counter(
  'lapse_policy_reconciler_checked_total',
  'Grants the reconciler compared with Temporal',
);
const repairs = counter(
  'lapse_policy_reconciler_repairs_total',
  'Drifted grants the reconciler repaired, by kind',
  ['kind'],
);
const sweeps = counter(
  'lapse_policy_reconciler_sweeps_total',
  'Complete passes of the reconciler over every grant',
);
const failures = counter(
  'lapse_policy_reconciler_failures_total',
  'Grants the reconciler could not check or repair (retried next sweep)',
);

type Pair = { resource_id: string; user_id: string };

/**
 * Rule 11: finds and repairs drift between policy and the grant workflows — a lost call, a
 * terminated or failed workflow, a wrong policy, a grant left running after a lost revoke. It
 * sweeps every pair policy knows of (assignments × members, and the grants of its users its
 * projection still sees as live) in (resource, user) order, a bounded batch per tick, one tick per interval,
 * only on the replica that leads the grant sync; the cursor wraps around at the end. Each pair's
 * expected grant is planned exactly as the sync plans it and compared with the workflow
 * (describe + state query); a repair goes through the same idempotent driver calls.
 */
export class GrantReconciler {
  private readonly log = new Logger('reconciler');
  private cursor: Pair | null = null;
  private nextAt = 0;

  constructor(
    private readonly ds: DataSource,
    private readonly driver: Pick<GrantClient, 'apply' | 'revoke' | 'observe'>,
    private readonly s: ReconcilerSettings,
  ) {}

  /** One batch when the interval has passed since the last; the sync loop calls it while leading. */
  async maybeTick(now = Date.now()): Promise<number> {
    if (now < this.nextAt) return 0;
    this.nextAt = now + this.s.intervalMs;
    return (await this.tick()).repaired;
  }

  /** Compares (and repairs) the next batch of grants. */
  async tick(): Promise<{ checked: number; repaired: number }> {
    const after = this.cursor ?? {
      resource_id: '00000000-0000-0000-0000-000000000000',
      user_id: '00000000-0000-0000-0000-000000000000',
    };
    const pairs: Pair[] = await this.ds.query(
      `SELECT resource_id, user_id FROM (
         SELECT a.resource_id, m.user_id FROM policy.assignments a
           JOIN policy.memberships m ON m.group_id = a.group_id
         UNION
         SELECT s.resource_id, s.user_id FROM policy.grant_status s
           JOIN policy.users u ON u.id = s.user_id
           WHERE s.state IN ('ACTIVE', 'LOCKED', 'PENDING')
       ) p WHERE (resource_id, user_id) > ($1::uuid, $2::uuid)
       ORDER BY resource_id, user_id LIMIT $3`,
      [after.resource_id, after.user_id, this.s.batchSize],
    );
    if (pairs.length < this.s.batchSize) {
      this.cursor = null; // the end: the next tick starts a new sweep
      sweeps.inc();
    } else this.cursor = pairs[pairs.length - 1];
    let repaired = 0;
    for (const [resourceId, userIds] of groupByResource(pairs)) {
      const policy = await this.resourcePolicy(resourceId);
      const expected = await planResourceGrants(this.ds, resourceId, policy, userIds);
      for (const grant of expected) {
        try {
          const repair = repairFor(grant, await this.observe(resourceId, grant.userId));
          checked.inc();
          if (!repair) continue;
          await this.apply(resourceId, grant.userId, repair);
          repairs.inc({ kind: repair.kind });
          repaired++;
          this.log.warn(
            { resourceId, userId: grant.userId, repair: repair.kind },
            `repaired grant ${resourceId}/${grant.userId}: ${repair.kind}`,
          );
        } catch (err) {
          failures.inc();
          this.log.warn(
            { err, resourceId, userId: grant.userId },
            'could not reconcile a grant; next sweep',
          );
        }
      }
    }
    return { checked: pairs.length, repaired };
  }

  private observe(resourceId: string, userId: string): Promise<ObservedGrant> {
    return this.driver.observe({ resourceId, userId });
  }

  private apply(resourceId: string, userId: string, r: Repair): Promise<void> {
    return r.action === 'APPLY'
      ? this.driver.apply({ resourceId, userId }, r.policy)
      : this.driver.revoke({ resourceId, userId }, r.outcome);
  }

  /** A deleted resource has no policy: its grants plan as revoked. */
  private async resourcePolicy(resourceId: string): Promise<Policy> {
    const rows: { policy: Policy }[] = await this.ds.query(
      `SELECT policy FROM policy.resources WHERE id = $1`,
      [resourceId],
    );
    return rows[0]?.policy ?? NO_POLICY;
  }
}

function groupByResource(pairs: Pair[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const p of pairs) out.set(p.resource_id, [...(out.get(p.resource_id) ?? []), p.user_id]);
  return out;
}
