import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Role } from '@lapse/contracts';
import { ChangeRecorder } from '../changes/change-recorder';
import { maskSettings } from './mask';
import type { NotificationSettings, NotificationSettingsDto } from './settings.dto';

interface Row {
  email_enabled: boolean;
  email_roles: Role[];
  opted_out_user_ids: string[];
  webhook_url: string | null;
  webhook_secret: string | null;
}

@Injectable()
export class SettingsService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    private readonly changes: ChangeRecorder,
  ) {}

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

  async update(
    dto: NotificationSettingsDto,
    actorId: string | null,
  ): Promise<NotificationSettings> {
    return this.ds.transaction(async (m) => {
      const before = await this.get(m);
      await m.query(
        `UPDATE policy.notification_settings SET email_enabled = $1, email_roles = $2::text[], opted_out_user_ids = $3::uuid[],
           webhook_url = $4, webhook_secret = $5, updated_at = now() WHERE id = 1`,
        [
          dto.emailEnabled,
          [...new Set(dto.emailRoles)],
          [...new Set(dto.optedOutUserIds.map((u) => u.toLowerCase()))],
          dto.webhook?.url ?? null,
          dto.webhook?.secret ?? null,
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
      return maskSettings(after);
    });
  }
}
