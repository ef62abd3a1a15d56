import {
  Body,
  Controller,
  Get,
  Inject,
  Logger,
  Post,
  Query,
  Req,
  Res,
  UseFilters,
} from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '@lapse/platform';
import { PolicyClient } from '@lapse/policy-client';
import { CONSOLE_CONFIG } from '../config.token';
import type { ConsoleConfig } from '../config';
import { PageErrorFilter } from '../pages/page-error.filter';
import { PageRenderer } from '../pages/page-renderer';
import { PageShell } from '../pages/page-shell';
import { sendPage } from '../pages/home.controller';
import { clearSessionCookie, setSessionCookie } from '../sessions/session-cookie';
import { CurrentSession, OptionalSession, type SessionRequest } from '../sessions/session.guard';
import { SIGN_IN_TTL_MS, SessionStore } from '../sessions/session.store';
import { Sessions, type SignedIn } from '../sessions/sessions.service';
import { matchUser } from './identity';
import { OidcSignIn } from './oidc-sign-in';
import { safeReturnTo } from './return-to';

/** How long the resource addresses a `return_to` may name are reused. */
const ADDRESSES_MAX_AGE_MS = 30_000;

/** Binds a sign-in to the browser that started it (the `state` of the provider round trip). */
const SIGN_IN_COOKIE = 'lapse_signin';

/**
 * Sign-in through the organisation's OpenID provider (Authorization Code + PKCE), and sign-out.
 * A person is let in only as an existing, active Lapse user (matched by `externalId` or verified
 * email); everyone else gets a page saying why, and no session.
 */
@ApiExcludeController()
@UseFilters(PageErrorFilter)
@Controller('auth')
export class AuthController {
  private readonly log = new Logger('sign-in');

  constructor(
    private readonly oidc: OidcSignIn,
    private readonly store: SessionStore,
    private readonly sessions: Sessions,
    private readonly policy: PolicyClient,
    private readonly renderer: PageRenderer,
    private readonly shell: PageShell,
    @Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig,
  ) {}

  @Public()
  @Get('login')
  async login(@Query('return_to') returnTo: unknown, @Res() res: Response): Promise<void> {
    if (!this.oidc.enabled)
      return this.problem(
        res,
        503,
        'Sign-in is not set up',
        'This Lapse has no identity provider configured (LAPSE_OIDC_ISSUER). Ask your administrators.',
      );
    const target = await this.returnTarget(returnTo);
    const start = await this.oidc.start();
    await this.store.saveSignIn({
      state: start.state,
      codeVerifier: start.codeVerifier,
      nonce: start.nonce,
      returnTo: target,
    });
    res.cookie(SIGN_IN_COOKIE, start.state, {
      httpOnly: true,
      sameSite: 'lax',
      secure: new URL(this.config.LAPSE_CONSOLE_URL).protocol === 'https:',
      path: '/auth',
      maxAge: SIGN_IN_TTL_MS,
    });
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(302, start.url.href);
  }

  @Public()
  @Get('callback')
  async callback(@Req() req: SessionRequest, @Res() res: Response): Promise<void> {
    const state = typeof req.query['state'] === 'string' ? req.query['state'] : '';
    const bound = req.cookies?.[SIGN_IN_COOKIE];
    res.clearCookie(SIGN_IN_COOKIE, { path: '/auth' });
    const pending = state !== '' && bound === state ? await this.store.takeSignIn(state) : null;
    if (!pending)
      return this.problem(
        res,
        400,
        'Sign-in expired',
        'This sign-in was started too long ago or in another browser. Please sign in again.',
        true,
      );
    const callbackUrl = new URL(req.originalUrl, this.oidc.redirectUri);
    const identity = await this.oidc.finish(callbackUrl, pending);
    const [byExternalId, byEmail] = await Promise.all([
      identity.externalId ? this.policy.users({ externalId: identity.externalId }) : [],
      identity.verifiedEmail ? this.policy.users({ email: identity.verifiedEmail }) : [],
    ]);
    const match = matchUser(identity, byExternalId, byEmail);
    if (match.kind === 'UNKNOWN') {
      this.log.warn(
        { subject: identity.subject, email: identity.verifiedEmail },
        'sign-in refused: no Lapse user',
      );
      return this.problem(
        res,
        403,
        'No Lapse account',
        identity.verifiedEmail
          ? `${identity.verifiedEmail} signed in at your identity provider, but Lapse has no user with that email. Ask your Lapse administrators to add you.`
          : 'Your identity provider did not share a verified email address, and no Lapse user is linked to your account there. Ask your Lapse administrators.',
        false,
      );
    }
    if (match.kind === 'INACTIVE') {
      this.log.warn({ userId: match.user.id }, 'sign-in refused: user inactive');
      return this.problem(
        res,
        403,
        'Your Lapse account is deactivated',
        `The Lapse account of ${match.user.email} has been deactivated, so you cannot sign in. Ask your Lapse administrators if this is a mistake.`,
        false,
      );
    }
    const signedIn = await this.sessions.start(match.user);
    this.log.log({ userId: match.user.id, sessionId: signedIn.sessionId }, 'signed in');
    setSessionCookie(res, this.config, signedIn.token, signedIn.expiresAt);
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, pending.returnTo);
  }

  @OptionalSession()
  @Post('logout')
  async logout(
    @CurrentSession() signedIn: SignedIn | undefined,
    @Body() body: Record<string, unknown>,
    @Res() res: Response,
  ): Promise<void> {
    if (signedIn) {
      this.shell.checkCsrf(signedIn, body);
      await this.sessions.end(signedIn.sessionId, 'SIGNED_OUT');
      this.log.log({ userId: signedIn.user.id, sessionId: signedIn.sessionId }, 'signed out');
    }
    clearSessionCookie(res, this.config);
    res.redirect(303, '/auth/signed-out');
  }

  @Public()
  @Get('signed-out')
  signedOut(@Res() res: Response): void {
    sendPage(res, 200, this.renderer.render('signed-out', { title: 'Signed out' }));
  }

  /** `return_to` if it is safe (the console or a known resource address), else the landing page. */
  private async returnTarget(raw: unknown): Promise<string> {
    if (typeof raw !== 'string' || raw === '') return '/';
    const consoleOnly = safeReturnTo(raw, {
      consoleUrl: this.config.LAPSE_CONSOLE_URL,
      resourceAddresses: [],
    });
    if (consoleOnly) return consoleOnly;
    const resourceAddresses = (await this.policy.resources({ maxAgeMs: ADDRESSES_MAX_AGE_MS })).map(
      (r) => r.address,
    );
    return (
      safeReturnTo(raw, { consoleUrl: this.config.LAPSE_CONSOLE_URL, resourceAddresses }) ?? '/'
    );
  }

  private problem(
    res: Response,
    status: number,
    heading: string,
    message: string,
    retry = false,
  ): void {
    sendPage(
      res,
      status,
      this.renderer.render('error', {
        title: heading,
        statusCode: status,
        heading,
        message,
        signIn: retry ? '/auth/login' : null,
        back: null,
      }),
    );
  }
}
