import { Inject, Injectable, Logger } from '@nestjs/common';
import { signSessionToken, verifySessionToken } from '@lapse/auth';
import type { Role, UserView } from '@lapse/contracts';
import { PolicyClient } from '@lapse/policy-client';
import { CONSOLE_CONFIG } from '../config.token';
import type { ConsoleConfig } from '../config';
import { sessionVerdict } from './session-rules';
import { SessionStore } from './session.store';

/** The signed-in user of a request, as the pages see them. */
export interface SignedIn {
  sessionId: string;
  /** The `lapse_session` cookie value (CSRF tokens are bound to it). */
  token: string;
  expiresAt: Date;
  user: { id: string; email: string; name: string; roles: Role[] };
}

/**
 * Console sessions: started at sign-in, ended by sign-out, and ended as soon as a re-read of the
 * user from policy (at most every LAPSE_SESSION_RECHECK_MS per session) finds them deleted,
 * deactivated, or with other roles. The cookie is the agreed `lapse_session` JWS; the row in
 * `console.sessions` is what makes sign-out final.
 */
@Injectable()
export class Sessions {
  private readonly log = new Logger('sessions');
  constructor(
    private readonly store: SessionStore,
    private readonly policy: PolicyClient,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  async start(user: UserView): Promise<SignedIn> {
    const expiresAt = new Date(
      Math.floor(Date.now() / 1000 + this.config.LAPSE_SESSION_TTL_SECONDS) * 1000,
    );
    const session = await this.store.create({
      userId: user.id,
      email: user.email,
      roles: user.roles,
      expiresAt,
    });
    const token = await signSessionToken(this.config.LAPSE_SESSION_SECRET, {
      userId: user.id,
      email: user.email,
      sessionId: session.id,
      expiresAt,
    });
    this.log.log({ sessionId: session.id, userId: user.id }, 'session started');
    return { sessionId: session.id, token, expiresAt, user: pick(user) };
  }

  /** The session of a cookie value, or null when there is none any more (ended, expired, forged). */
  async resolve(token: string): Promise<SignedIn | null> {
    const claims = await verifySessionToken(token, this.config.LAPSE_SESSION_SECRET).catch(
      () => null,
    );
    if (!claims) return null;
    const session = await this.store.find(claims.sessionId);
    if (
      !session ||
      session.endedAt ||
      session.userId !== claims.userId ||
      session.expiresAt.getTime() <= Date.now()
    )
      return null;
    const user = await this.currentUser(session.userId);
    const verdict = sessionVerdict(session, user);
    if (verdict !== 'OK' || !user) {
      await this.end(session.id, verdict === 'OK' ? 'USER_GONE' : verdict);
      return null;
    }
    return { sessionId: session.id, token, expiresAt: session.expiresAt, user: pick(user) };
  }

  async end(sessionId: string, reason: Parameters<SessionStore['end']>[1]): Promise<void> {
    if (await this.store.end(sessionId, reason))
      this.log.log({ sessionId, reason }, 'session ended');
  }

  /** The user as policy knows them, re-read at most every LAPSE_SESSION_RECHECK_MS. */
  private currentUser(userId: string): Promise<UserView | null> {
    return this.policy.user(userId, { maxAgeMs: this.config.LAPSE_SESSION_RECHECK_MS });
  }
}

const pick = (u: UserView): SignedIn['user'] => ({
  id: u.id,
  email: u.email,
  name: u.name,
  roles: u.roles,
});
