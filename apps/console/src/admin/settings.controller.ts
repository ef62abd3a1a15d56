import { Body, Controller, Get, Post, Query, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { ROLES } from '@lapse/contracts';
import { LapseError } from '@lapse/platform';
import { PageErrorFilter } from '../pages/page-error.filter';
import { CurrentSession } from '../sessions/session.guard';
import type { SignedIn } from '../sessions/sessions.service';
import { AdminApi, type NotificationSettings, type WebhookTestResult } from './admin-api';
import {
  AdminPages,
  list,
  noticeOf,
  problemOf,
  str,
  type Feedback,
  type FormBody,
} from './admin-pages';
import { ROLE_LABELS } from './console-access';

const NOTICES = {
  saved: 'Notification settings saved.',
  'opt-out': 'Opt-out saved.',
};

/** What the settings page shows once, right after it was made (never stored by the console). */
interface ShownOnce {
  webhookSecret?: string;
  scimToken?: string;
  webhookTest?: WebhookTestResult & { ok: boolean; summary: string };
}

/**
 * Settings: notifications (rule 8: email on/off, the roles emailed, per-user opt-out; the webhook
 * URL and its secret, with a test send that shows what the receiver answered) and the SCIM token
 * of the identity provider (created or rotated; shown once).
 */
@ApiExcludeController()
@UseFilters(PageErrorFilter)
@Controller('settings')
export class SettingsPageController {
  constructor(
    private readonly pages: AdminPages,
    private readonly api: AdminApi,
  ) {}

  @Get()
  async page(
    @CurrentSession() signedIn: SignedIn,
    @Query('notice') notice: unknown,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.read(signedIn);
    await this.render(res, signedIn, { notice: noticeOf(notice, NOTICES) });
  }

  @Post('notifications')
  async saveNotifications(
    @CurrentSession() signedIn: SignedIn,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.edit(signedIn, body);
    const current = await this.api.notificationSettings(signedIn);
    const url = str(body['webhookUrl']);
    const secret = str(body['webhookSecret']);
    if (url && !/^https?:\/\/\S+$/i.test(url))
      return this.render(res, signedIn, {
        problem: {
          field: 'webhookUrl',
          message: 'Webhook URL: enter an http:// or https:// address, or leave it empty for none.',
        },
      });
    try {
      const saved = await this.api.putNotificationSettings(signedIn, {
        emailEnabled: body['emailEnabled'] === 'on',
        emailRoles: list(body['emailRoles']).filter((r) =>
          (ROLES as readonly string[]).includes(r),
        ),
        optedOutUserIds: current.optedOutUserIds,
        webhook: url ? { url, ...(secret ? { secret } : {}) } : null,
      });
      const generated =
        saved.webhook && !saved.webhook.secret.startsWith('•') ? saved.webhook.secret : undefined;
      if (generated)
        return this.render(res, signedIn, {
          notice: { kind: 'approved', message: 'Notification settings saved.' },
          shown: { webhookSecret: generated },
        });
      res.redirect(303, '/settings?notice=saved');
    } catch (e) {
      const p = problemOf(e);
      await this.render(res, signedIn, {
        problem: { ...p, field: fieldOf(p.field) },
        form: { webhookUrl: url },
      });
    }
  }

  @Post('opt-outs')
  async saveOptOut(
    @CurrentSession() signedIn: SignedIn,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.edit(signedIn, body);
    const current = await this.api.notificationSettings(signedIn);
    let optedOut = current.optedOutUserIds;
    const remove = str(body['remove']);
    if (remove) optedOut = optedOut.filter((u) => u !== remove);
    else {
      const email = str(body['email']);
      const user = email ? await this.api.userByEmail(signedIn, email) : null;
      if (!user)
        return this.render(res, signedIn, {
          problem: {
            field: 'optOutEmail',
            message: email
              ? `Email: Lapse has no user with the email ${email}.`
              : 'Email: enter the email of the user who opts out.',
          },
        });
      optedOut = [...new Set([...optedOut, user.id])];
    }
    await this.api.putNotificationSettings(signedIn, {
      emailEnabled: current.emailEnabled,
      emailRoles: current.emailRoles,
      optedOutUserIds: optedOut,
      // No secret: the current one is kept.
      webhook: current.webhook ? { url: current.webhook.url } : null,
    });
    res.redirect(303, '/settings?notice=opt-out#opt-outs');
  }

  @Post('webhook-test')
  async webhookTest(
    @CurrentSession() signedIn: SignedIn,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.edit(signedIn, body);
    try {
      const result = await this.api.webhookTest(signedIn);
      await this.render(res, signedIn, {
        shown: {
          webhookTest: {
            ...result,
            ok: result.delivered,
            summary: result.delivered
              ? `Delivered: the receiver answered ${result.statusCode} in ${result.durationMs} ms.`
              : result.statusCode !== null
                ? `Not delivered: the receiver answered ${result.statusCode}.`
                : `Not delivered: ${result.error ?? 'no answer'}.`,
          },
        },
      });
    } catch (e) {
      await this.render(res, signedIn, { problem: problemOf(e) });
    }
  }

  @Post('scim-token')
  async scimToken(
    @CurrentSession() signedIn: SignedIn,
    @Body() body: FormBody,
    @Res() res: Response,
  ): Promise<void> {
    this.pages.edit(signedIn, body);
    if (!signedIn.user.roles.includes('ADMIN'))
      throw LapseError.forbidden('Only an Admin creates the SCIM token.');
    const { token } = await this.api.scimToken(signedIn);
    await this.render(res, signedIn, {
      notice: {
        kind: 'approved',
        message: 'New SCIM token created. The previous one no longer works.',
      },
      shown: { scimToken: token },
    });
  }

  private async render(
    res: Response,
    signedIn: SignedIn,
    opts: Feedback & { shown?: ShownOnce; form?: { webhookUrl?: string } },
  ): Promise<void> {
    const s: NotificationSettings = await this.api.notificationSettings(signedIn);
    const optedOut = await Promise.all(
      s.optedOutUserIds.map((id) => this.api.person(signedIn, id)),
    );
    await this.pages.show(
      res,
      signedIn,
      'settings',
      'settings',
      {
        title: 'Settings',
        settings: s,
        roles: ROLES.map((r) => ({
          role: r,
          label: ROLE_LABELS[r],
          checked: s.emailRoles.includes(r),
        })),
        optedOut,
        webhookUrl: opts.form?.webhookUrl ?? s.webhook?.url ?? '',
        shown: opts.shown ?? null,
        isAdmin: signedIn.user.roles.includes('ADMIN'),
      },
      opts,
    );
  }
}

/** The form field of a settings API field (`webhook.url` → the webhook URL input). */
function fieldOf(apiField: string | undefined): string | undefined {
  if (!apiField) return undefined;
  if (apiField.startsWith('webhook.secret')) return 'webhookSecret';
  if (apiField.startsWith('webhook')) return 'webhookUrl';
  return apiField;
}
