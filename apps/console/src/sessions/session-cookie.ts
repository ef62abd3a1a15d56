import type { Response } from 'express';
import { SESSION_COOKIE, sessionCookieOptions } from '@lapse/auth';
import type { ConsoleConfig } from '../config';

const optionsOf = (config: ConsoleConfig) =>
  sessionCookieOptions({
    publicUrl: config.LAPSE_CONSOLE_URL,
    domain: config.LAPSE_COOKIE_DOMAIN,
  });

/** Sets `lapse_session` (HttpOnly, SameSite=Lax, Secure off only on http://localhost, Domain). */
export function setSessionCookie(
  res: Response,
  config: ConsoleConfig,
  token: string,
  expiresAt: Date,
): void {
  res.cookie(SESSION_COOKIE, token, { ...optionsOf(config), expires: expiresAt });
}

export function clearSessionCookie(res: Response, config: ConsoleConfig): void {
  res.clearCookie(SESSION_COOKIE, optionsOf(config));
}
