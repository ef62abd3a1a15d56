import type { NotificationSettings } from './settings.dto';

/** The webhook secret is never returned in full: its last 4 characters at most. */
export function maskSecret(secret: string): string {
  return secret.length <= 8 ? '••••' : `••••${secret.slice(-4)}`;
}

export function maskSettings(s: NotificationSettings): NotificationSettings {
  return {
    ...s,
    webhook: s.webhook ? { url: s.webhook.url, secret: maskSecret(s.webhook.secret) } : null,
  };
}
