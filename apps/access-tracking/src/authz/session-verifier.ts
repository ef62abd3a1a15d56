import { Inject, Injectable } from '@nestjs/common';
import { verifySessionToken } from '@lapse/auth';
import type { AccessTrackingConfig } from '../config';
import { ACCESS_TRACKING_CONFIG } from '../config.token';

const CACHE_MAX = 10_000;
const CACHE_MS = 60_000;

/**
 * The user of a `lapse_session` cookie (the console's session, verified with
 * LAPSE_SESSION_SECRET); verified cookies are remembered until they expire (at most a minute),
 * so a browser's every request costs a map read, not an HMAC. Without the secret, cookies
 * identify nobody.
 */
@Injectable()
export class SessionVerifier {
  private readonly verified = new Map<string, { userId: string; until: number }>();
  private readonly secret?: string;

  constructor(@Inject(ACCESS_TRACKING_CONFIG) config: AccessTrackingConfig) {
    this.secret = config.LAPSE_SESSION_SECRET;
  }

  /** The user at once when the cookie was verified before (or cannot be), else once verified. */
  userIdOf(token: string): string | undefined | Promise<string | undefined> {
    if (!this.secret) return undefined;
    const hit = this.verified.get(token);
    if (hit && hit.until > Date.now()) return hit.userId;
    return this.verify(token, this.secret);
  }

  private async verify(token: string, secret: string): Promise<string | undefined> {
    const now = Date.now();
    try {
      const claims = await verifySessionToken(token, secret);
      if (this.verified.size >= CACHE_MAX)
        this.verified.delete(this.verified.keys().next().value as string);
      this.verified.set(token, {
        userId: claims.userId,
        until: Math.min(claims.expiresAt.getTime(), now + CACHE_MS),
      });
      return claims.userId;
    } catch {
      return undefined;
    }
  }
}
