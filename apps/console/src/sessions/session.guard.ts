import {
  CanActivate,
  ExecutionContext,
  Inject,
  Injectable,
  createParamDecorator,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { SESSION_COOKIE } from '@lapse/auth';
import { LapseError, PUBLIC_KEY } from '@lapse/platform';
import { CONSOLE_CONFIG } from '../config.token';
import type { ConsoleConfig } from '../config';
import { clearSessionCookie } from './session-cookie';
import { Sessions, type SignedIn } from './sessions.service';

export type SessionRequest = Request & { signedIn?: SignedIn; cookies?: Record<string, string> };

/** Pages that show a signed-in user when there is one and work without (the landing page). */
const OPTIONAL_SESSION_KEY = 'lapse:optional-session';
export const OptionalSession = () => SetMetadata(OPTIONAL_SESSION_KEY, true);

/**
 * Global guard of the console: every page needs a live session (the `lapse_session` cookie and
 * its row), unless @Public() or @OptionalSession(). No session → 401, which the page filter turns
 * into a redirect to sign-in for a GET.
 */
@Injectable()
export class SessionGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: Sessions,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const req = ctx.switchToHttp().getRequest<SessionRequest>();
    const token = req.cookies?.[SESSION_COOKIE];
    const signedIn = token ? await this.sessions.resolve(token) : null;
    if (signedIn) {
      req.signedIn = signedIn;
      return true;
    }
    // A cookie that no longer names a live session is cleared.
    if (token) clearSessionCookie(ctx.switchToHttp().getResponse<Response>(), this.config);
    if (this.reflector.getAllAndOverride<boolean>(OPTIONAL_SESSION_KEY, targets)) return true;
    throw LapseError.unauthorized('sign in to continue');
  }
}

/** The signed-in user of a page (the guard has checked there is one, unless @OptionalSession). */
export const CurrentSession = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): SignedIn | undefined =>
    ctx.switchToHttp().getRequest<SessionRequest>().signedIn,
);
