import type { AccessRequestEvent, NotificationSettingsView } from '@lapse/contracts';
import { deliveryId } from '../deliveries/delivery-id';
import type { DeliveryChannel, DeliveryPayload } from '../deliveries/delivery.entity';
import type { PolicyResource, PolicyUser } from '../policy/policy.types';
import type { Recipient } from '../recipients/recipients';
import { linksFor, type LinkBases } from '../templates/links';
import type { EmailTemplates } from '../templates/templates';
import { announcesNewRequest, webhookBody, withdrawsRequest } from '../webhook/webhook';

export interface NewDelivery {
  id: string;
  channel: DeliveryChannel;
  requestId: string;
  event: string;
  recipient: string;
  userId: string | null;
  template: string | null;
  payload: DeliveryPayload;
}

export interface PlanInputs {
  event: AccessRequestEvent;
  recipients: Recipient[];
  webhook: NotificationSettingsView['webhook'];
  requester: PolicyUser | null;
  resource: PolicyResource;
  reviewerName: string | null;
  tenant: string;
  bases: LinkBases;
  now: Date;
}

const BECAUSE: Record<Recipient['because'], (resource: string) => string> = {
  ROLE: () => 'your role is chosen for access request notifications',
  APPROVER: (resource) => `you are an approver of ${resource}`,
  REQUESTER: () => 'you made this request',
};

/**
 * Every message one request event causes: an email per recipient, and the webhook for a new
 * request (`ACCESS_REQUEST`) or for a withdrawn one (`ACCESS_REQUEST_CANCELLED`).
 */
export function planDeliveries(i: PlanInputs, templates: EmailTemplates): NewDelivery[] {
  const { request } = i.event;
  const links = linksFor(i.bases, {
    requestId: request.id,
    userId: request.userId,
    resourceId: request.resourceId,
  });
  const requesterName = i.requester?.name ?? request.userId;
  const out: NewDelivery[] = i.recipients.map((r) => {
    const email = templates.render(r.template, {
      tenant: i.tenant,
      recipientName: r.name,
      because: BECAUSE[r.because](i.resource.name),
      requester: { name: requesterName, email: i.requester?.email ?? '' },
      resource: { name: i.resource.name },
      request,
      reviewerName: i.reviewerName,
      links,
    });
    return {
      id: deliveryId({
        channel: 'EMAIL',
        requestId: request.id,
        event: i.event.event,
        recipient: r.userId,
      }),
      channel: 'EMAIL',
      requestId: request.id,
      event: i.event.event,
      recipient: r.email,
      userId: r.userId,
      template: r.template,
      payload: { kind: 'EMAIL', to: r.email, ...email },
    };
  });
  const webhookType = announcesNewRequest(i.event)
    ? 'ACCESS_REQUEST'
    : withdrawsRequest(i.event)
      ? 'ACCESS_REQUEST_CANCELLED'
      : null;
  if (webhookType && i.webhook) {
    const body = JSON.stringify(
      webhookBody({
        type: webhookType,
        tenant: i.tenant,
        request,
        userName: requesterName,
        resourceName: i.resource.name,
        links,
        autoLockSeconds: i.resource.policy?.autoLock?.durationSeconds ?? null,
        now: i.now,
      }),
    );
    out.push({
      id: deliveryId({
        channel: 'WEBHOOK',
        requestId: request.id,
        event: i.event.event,
        recipient: 'webhook',
      }),
      channel: 'WEBHOOK',
      requestId: request.id,
      event: i.event.event,
      recipient: i.webhook.url,
      userId: null,
      template: null,
      payload: {
        kind: 'WEBHOOK',
        url: i.webhook.url,
        body,
        secret: i.webhook.secret,
      },
    });
  }
  return out;
}
