import type { AccessRequestEvent, NotificationSettingsView, Role } from '@lapse/contracts';
import type { ApproverUser, PolicyUser } from '../policy/policy.types';

export type EmailTemplate =
  | 'request-created'
  | 'request-approved'
  | 'request-denied'
  | 'request-cancelled';

export interface Recipient {
  userId: string;
  email: string;
  name: string;
  template: EmailTemplate;
  /** Why this person is told: a chosen role, a resource approver group, or their own request. */
  because: 'ROLE' | 'APPROVER' | 'REQUESTER';
}

export interface RecipientInputs {
  event: AccessRequestEvent['event'];
  requesterId: string;
  settings: Pick<NotificationSettingsView, 'emailEnabled' | 'emailRoles' | 'optedOutUserIds'>;
  /** Users holding each role chosen in the settings (others may be absent). */
  usersByRole: Partial<Record<Role, PolicyUser[]>>;
  /** Every member of the resource's approver groups. */
  approvers: ApproverUser[];
  requester: PolicyUser | null;
}

/**
 * Rule 8 (docs/domain.md). REQUESTED: the holders of the chosen roles minus those opted out (none
 * when email is disabled), plus every resource approver always; never the requester
 * (nobody reviews their own request). APPROVED/DENIED: the requester. CANCELLED: the same
 * reviewers as REQUESTED, told that the request is withdrawn (only a PENDING request, which
 * REQUESTED announced, can be cancelled). EXPIRED: nobody.
 * One entry per user (an approver who is also ADMIN gets one mail).
 */
export function recipientsFor(i: RecipientInputs): Recipient[] {
  switch (i.event) {
    case 'REQUESTED':
      return reviewers(i, 'request-created');
    case 'CANCELLED':
      return reviewers(i, 'request-cancelled');
    case 'APPROVED':
    case 'DENIED':
      return i.requester
        ? [
            {
              ...contact(i.requester),
              template: i.event === 'APPROVED' ? 'request-approved' : 'request-denied',
              because: 'REQUESTER',
            },
          ]
        : [];
    case 'EXPIRED':
      return [];
    default: {
      const never: never = i.event;
      throw new Error(`unknown request event ${String(never)}`);
    }
  }
}

function reviewers(i: RecipientInputs, template: EmailTemplate): Recipient[] {
  const out = new Map<string, Recipient>();
  const add = (u: ApproverUser, because: Recipient['because']) => {
    if (u.id === i.requesterId || out.has(u.id) || !u.email) return;
    out.set(u.id, { ...contact(u), template, because });
  };
  // Approvers first: their reason wins when someone is both.
  for (const a of i.approvers) add(a, 'APPROVER');
  if (i.settings.emailEnabled) {
    const optedOut = new Set(i.settings.optedOutUserIds);
    for (const role of i.settings.emailRoles) {
      for (const u of i.usersByRole[role] ?? []) {
        if (!optedOut.has(u.id) && u.roles.includes(role)) add(u, 'ROLE');
      }
    }
  }
  return [...out.values()];
}

function contact(u: ApproverUser): Pick<Recipient, 'userId' | 'email' | 'name'> {
  return { userId: u.id, email: u.email, name: u.name };
}
