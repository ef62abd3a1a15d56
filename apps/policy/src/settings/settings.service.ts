import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Role } from '@lapse/contracts';
import { LapseError, OutboundRefused, parseAllowHosts, resolveOutbound } from '@lapse/platform';
import { ChangeRecorder } from '../changes/change-recorder';
import type { PolicyConfig } from '../config';
import { POLICY_CONFIG } from '../config.token';
import { maskSettings } from './mask';
import type { NotificationSettings, NotificationSettingsDto } from './settings.dto';

interface Row {
  email_enabled: boolean;
  email_roles: Role[];
  opted_out_user_ids: string[];
  webhook_url: string | null;
  webhook_secret: string | null;
}

/** A new Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

@Injectable()
export class SettingsService {
  private readonly allowHosts: string[];

  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly changes: ChangeRecorder,
    @Inject(POLICY_CONFIG) config: PolicyConfig,
  ) {
    this.allowHosts = parseAllowHosts(config.LAPSE_WEBHOOK_ALLOW_HOSTS);
  }

  /** In full (the secret too): for the notifications service only. */
  async get(m: EntityManager = this.ds.manager): Promise<NotificationSettings> {
    const [r]: Row[] = await m.query(
      `SELECT email_enabled, email_roles, opted_out_user_ids, webhook_url, webhook_secret FROM policy.notification_settings WHERE id = 1`,
    );
    return {
      emailEnabled: r.email_enabled,
      emailRoles: r.email_roles,
      optedOutUserIds: r.opted_out_user_ids,
      webhook:
        r.webhook_url && r.webhook_secret ? { url: r.webhook_url, secret: r.webhook_secret } : null,
    };
  }

  /**
   * Replaces the settings. A webhook URL must reach the internet (no loopback, private or
   * link-local address unless in LAPSE_WEBHOOK_ALLOW_HOSTS: 400 `webhook.url`). A webhook
   * without a secret keeps the current one or, when there is none, gets a generated one, which
   * this answer carries in full, the only time it is ever shown.
   */
  async update(
    dto: NotificationSettingsDto,
    actorId: string | null,
  ): Promise<NotificationSettings> {
    if (dto.webhook) {
      try {
        await resolveOutbound(dto.webhook.url, this.allowHosts);
      } catch (e) {
        if (e instanceof OutboundRefused) throw LapseError.validation('webhook.url', e.message);
        throw e;
      }
    }
    return this.ds.transaction(async (m) => {
      const before = await this.get(m);
      const generated = dto.webhook && !dto.webhook.secret && !before.webhook;
      const secret = dto.webhook
        ? (dto.webhook.secret ?? before.webhook?.secret ?? newWebhookSecret())
        : null;
      await m.query(
        `UPDATE policy.notification_settings SET email_enabled = $1, email_roles = $2::text[], opted_out_user_ids = $3::uuid[],
           webhook_url = $4, webhook_secret = $5, updated_at = now() WHERE id = 1`,
        [
          dto.emailEnabled,
          [...new Set(dto.emailRoles)],
          [...new Set(dto.optedOutUserIds.map((u) => u.toLowerCase()))],
          dto.webhook?.url ?? null,
          secret,
        ],
      );
      const after = await this.get(m);
      // The audit log and the event never carry the secret in full either.
      await this.changes.record(m, {
        kind: 'settings.notifications.changed',
        entityType: 'notification-settings',
        entityId: 'notifications',
        actorId,
        before: maskSettings(before),
        after: maskSettings(after),
      });
      return generated ? after : maskSettings(after);
    });
  }
}
