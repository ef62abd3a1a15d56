import type { AccessRequestEvent, Role } from '@lapse/contracts';
import type { PolicyReads, PolicyUser } from '../policy/policy.types';
import { recipientsFor } from '../recipients/recipients';
import type { LinkBases } from '../templates/links';
import type { EmailTemplates } from '../templates/templates';
import { planDeliveries, type NewDelivery } from './plan';

export type PlanResult =
  | { kind: 'planned'; deliveries: NewDelivery[] }
  | { kind: 'skipped'; reason: string };

/** Gathers what rule 8 needs from the policy service and plans the deliveries of one request event. */
export class DeliveryPlanner {
  constructor(
    private readonly policy: PolicyReads,
    private readonly templates: EmailTemplates,
    private readonly opts: { tenant: string; bases: LinkBases },
  ) {}

  async plan(event: AccessRequestEvent, now = new Date()): Promise<PlanResult> {
    if (event.event === 'EXPIRED') {
      return { kind: 'skipped', reason: `nothing to send for ${event.event}` };
    }
    const { request } = event;
    const [resource, requester, settings] = await Promise.all([
      this.policy.resource(request.resourceId),
      this.policy.user(request.userId),
      this.policy.notificationSettings(),
    ]);
    if (!resource) return { kind: 'skipped', reason: `resource ${request.resourceId} not found` };
    // REQUESTED asks the reviewers; CANCELLED tells the same reviewers it is withdrawn.
    const requested = event.event === 'REQUESTED' || event.event === 'CANCELLED';
    const roles: Role[] = requested && settings.emailEnabled ? settings.emailRoles : [];
    const [approvers, roleLists, reviewer] = await Promise.all([
      requested
        ? this.policy.approvers(request.resourceId).then((a) => a?.users ?? [])
        : Promise.resolve([]),
      Promise.all(roles.map((role) => this.policy.users({ role }))),
      request.reviewerId ? this.policy.user(request.reviewerId) : Promise.resolve(null),
    ]);
    const usersByRole: Partial<Record<Role, PolicyUser[]>> = Object.fromEntries(
      roles.map((r, i) => [r, roleLists[i]]),
    );
    const recipients = recipientsFor({
      event: event.event,
      requesterId: request.userId,
      settings,
      usersByRole,
      approvers,
      requester,
    });
    const deliveries = planDeliveries(
      {
        event,
        recipients,
        webhook: settings.webhook,
        requester,
        resource,
        reviewerName: reviewer?.name ?? null,
        tenant: this.opts.tenant,
        bases: this.opts.bases,
        now,
      },
      this.templates,
    );
    return { kind: 'planned', deliveries };
  }
}
