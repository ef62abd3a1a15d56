import type { Role } from '@lapse/contracts';
import type { PolicyUser } from '../policy/policy.types';
import { recipientsFor, type RecipientInputs } from './recipients';

const user = (id: string, roles: Role[] = []): PolicyUser => ({
  id,
  email: `${id}@example.com`,
  name: id.toUpperCase(),
  roles,
});
const admin = user('admin', ['ADMIN']);
const devops = user('devops', ['DEVOPS']);
const support = user('support', ['SUPPORT']);
const reviewer = user('reviewer', ['ACCESS_REVIEWER']);
const both = user('both', ['ADMIN', 'DEVOPS']);
const requester = user('requester');
const approver = { id: 'approver', email: 'approver@example.com', name: 'Approver' };

const byRole: RecipientInputs['usersByRole'] = {
  ADMIN: [admin, both],
  DEVOPS: [devops, both],
  SUPPORT: [support],
  ACCESS_REVIEWER: [reviewer],
};

function inputs(
  over: Partial<Omit<RecipientInputs, 'settings'>> & {
    settings?: Partial<RecipientInputs['settings']>;
  } = {},
): RecipientInputs {
  return {
    event: 'REQUESTED',
    requesterId: requester.id,
    usersByRole: byRole,
    approvers: [approver],
    requester,
    ...over,
    settings: { emailEnabled: true, emailRoles: ['ADMIN'], optedOutUserIds: [], ...over.settings },
  };
}

const ids = (i: RecipientInputs) =>
  recipientsFor(i)
    .map((r) => r.userId)
    .sort();

describe('recipientsFor REQUESTED', () => {
  it('mails the holders of the chosen roles and every approver', () => {
    expect(ids(inputs())).toEqual(['admin', 'approver', 'both']);
    expect(ids(inputs({ settings: { emailRoles: ['DEVOPS', 'SUPPORT'] } }))).toEqual([
      'approver',
      'both',
      'devops',
      'support',
    ]);
    expect(
      ids(inputs({ settings: { emailRoles: ['ADMIN', 'DEVOPS', 'SUPPORT', 'ACCESS_REVIEWER'] } })),
    ).toEqual(['admin', 'approver', 'both', 'devops', 'reviewer', 'support']);
  });

  it('leaves out users who opted out, but never approvers', () => {
    const r = inputs({
      settings: { emailRoles: ['ADMIN'], optedOutUserIds: ['admin', 'approver'] },
    });
    expect(ids(r)).toEqual(['approver', 'both']);
  });

  it('mails only approvers when email is disabled', () => {
    expect(
      ids(inputs({ settings: { emailEnabled: false, emailRoles: ['ADMIN', 'DEVOPS'] } })),
    ).toEqual(['approver']);
  });

  it('mails approvers when every role is switched off', () => {
    const r = recipientsFor(inputs({ settings: { emailRoles: [] } }));
    expect(r).toEqual([
      {
        userId: 'approver',
        email: 'approver@example.com',
        name: 'Approver',
        template: 'request-created',
        because: 'APPROVER',
      },
    ]);
  });

  it('mails nobody without roles chosen nor approvers', () => {
    expect(ids(inputs({ settings: { emailRoles: [] }, approvers: [] }))).toEqual([]);
  });

  it('mails a user who is both approver and admin once, as approver', () => {
    const r = recipientsFor(
      inputs({ approvers: [{ id: 'admin', email: admin.email, name: admin.name }] }),
    );
    expect(r.filter((x) => x.userId === 'admin')).toEqual([
      expect.objectContaining({ because: 'APPROVER' }),
    ]);
    expect(r.map((x) => x.userId).sort()).toEqual(['admin', 'both']);
  });

  it('mails a user holding two chosen roles once', () => {
    expect(
      recipientsFor(
        inputs({ settings: { emailRoles: ['ADMIN', 'DEVOPS'] }, approvers: [] }),
      ).filter((x) => x.userId === 'both'),
    ).toHaveLength(1);
  });

  it('never mails the requester about their own request', () => {
    const selfAdmin = user('requester', ['ADMIN']);
    const r = inputs({
      usersByRole: { ADMIN: [selfAdmin] },
      approvers: [{ id: 'requester', email: 'x@example.com', name: 'x' }, approver],
    });
    expect(ids(r)).toEqual(['approver']);
  });

  it('uses the request-created template', () => {
    expect(new Set(recipientsFor(inputs()).map((r) => r.template))).toEqual(
      new Set(['request-created']),
    );
  });
});

describe('recipientsFor decisions', () => {
  it.each([
    ['APPROVED', 'request-approved'],
    ['DENIED', 'request-denied'],
  ] as const)('%s mails the requester only, whatever the settings', (event, template) => {
    const r = recipientsFor(
      inputs({ event, settings: { emailEnabled: false, optedOutUserIds: ['requester'] } }),
    );
    expect(r).toEqual([
      {
        userId: 'requester',
        email: 'requester@example.com',
        name: 'REQUESTER',
        template,
        because: 'REQUESTER',
      },
    ]);
  });

  it('mails nobody when the requester is unknown', () => {
    expect(recipientsFor(inputs({ event: 'APPROVED', requester: null }))).toEqual([]);
  });

  it('EXPIRED mails nobody', () => {
    expect(recipientsFor(inputs({ event: 'EXPIRED' }))).toEqual([]);
  });

  it('CANCELLED tells the reviewers REQUESTED told that the request is withdrawn, never the requester', () => {
    const settings = { emailRoles: ['ADMIN', 'DEVOPS'] as Role[], optedOutUserIds: ['devops'] };
    const cancelled = recipientsFor(inputs({ event: 'CANCELLED', settings }));
    const requested = recipientsFor(inputs({ event: 'REQUESTED', settings }));
    expect(cancelled.map((r) => r.userId).sort()).toEqual(['admin', 'approver', 'both']);
    expect(cancelled.map((r) => r.userId).sort()).toEqual(requested.map((r) => r.userId).sort());
    expect(new Set(cancelled.map((r) => r.template))).toEqual(new Set(['request-cancelled']));
    expect(cancelled.find((r) => r.userId === 'approver')?.because).toBe('APPROVER');
  });
});
