import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Policy } from '@lapse/contracts';
import { counter } from '@lapse/platform';
import { NO_POLICY } from '../resources/policy-input';
import { planResourceGrants } from './expected-grants';
import {
  projectionStale,
  repairFor,
  type ObservedGrant,
  type ProjectedGrant,
  type Repair,
} from './reconcile-plan';
import type { GrantClient } from '@lapse/grant-client';

export interface ReconcilerSettings {
  /** Time between two batches (pacing). */
  intervalMs: number;
  /** Grants compared per batch (bounded work per tick). */
  batchSize: number;
  /**
   * How long a grant's projection row (policy.grant_status) may stay behind its running workflow
   * before the workflow is asked to publish its state again; null: the projection is not checked
   * (no consumer of grants.state.v1 feeds it).
   */
  staleProjectionAfterMs: number | null;
}

/** Stale projection rows remembered at most (each until repaired or caught up). */
const MAX_SUSPECTS = 100_000;

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
  /** Grants whose projection row was found behind their workflow: since when (epoch ms). */
  private readonly staleSince = new Map<string, number>();

  constructor(
    private readonly ds: DataSource,
    private readonly driver: Pick<GrantClient, 'apply' | 'revoke' | 'observe' | 'republish'>,
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
      const projected = await this.projection(resourceId, userIds);
      for (const grant of expected) {
        try {
          const observed = await this.observe(resourceId, grant.userId);
          const repair =
            repairFor(grant, observed) ??
            this.projectionRepair(resourceId, grant.userId, observed, projected);
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
    const ref = { resourceId, userId };
    if (r.action === 'APPLY') return this.driver.apply(ref, r.policy);
    if (r.action === 'REVOKE') return this.driver.revoke(ref, r.outcome);
    return this.driver.republish(ref);
  }

  /**
   * A running grant whose projection row has stayed behind its workflow for
   * `staleProjectionAfterMs` (a consumer lagging a moment is not drift): publish its state again.
   */
  private projectionRepair(
    resourceId: string,
    userId: string,
    observed: ObservedGrant,
    projected: Map<string, ProjectedGrant>,
    now = Date.now(),
  ): Repair | null {
    const after = this.s.staleProjectionAfterMs;
    const key = `${resourceId}/${userId}`;
    if (after === null || observed.status !== 'RUNNING') return null;
    if (!projectionStale(projected.get(userId) ?? null, observed)) {
      this.staleSince.delete(key);
      return null;
    }
    const since = this.staleSince.get(key);
    if (since === undefined) {
      if (this.staleSince.size < MAX_SUSPECTS) this.staleSince.set(key, now);
      if (after > 0) return null;
    } else if (now - since < after) return null;
    this.staleSince.delete(key);
    return { kind: 'STALE_PROJECTION', action: 'REPUBLISH' };
  }

  /** The projection rows (policy.grant_status) of these users' grants to the resource. */
  private async projection(
    resourceId: string,
    userIds: string[],
  ): Promise<Map<string, ProjectedGrant>> {
    if (this.s.staleProjectionAfterMs === null) return new Map();
    const rows: { user_id: string; state: ProjectedGrant['state']; version: string }[] =
      await this.ds.query(
        `SELECT user_id, state, version FROM policy.grant_status
          WHERE resource_id = $1 AND user_id = ANY($2::uuid[])`,
        [resourceId, userIds],
      );
    return new Map(rows.map((r) => [r.user_id, { state: r.state, version: Number(r.version) }]));
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
