import { Inject, Injectable } from '@nestjs/common';
import * as oidc from 'openid-client';
import { LapseError } from '@lapse/platform';
import { CONSOLE_CONFIG } from '../config.token';
import { identityOf, type IdentityClaims } from './identity';
import type { ConsoleConfig } from '../config';

export interface AuthorizationStart {
  url: URL;
  state: string;
  codeVerifier: string;
  nonce: string;
}

/**
 * OpenID Connect Authorization Code flow with PKCE through `openid-client` (a certified relying
 * party): the provider's metadata comes from discovery (read on first use and kept), the client
 * authenticates with its id and secret, the ID token is checked (signature, issuer, audience,
 * nonce, expiry) by the library.
 */
@Injectable()
export class OidcSignIn {
  private configuration?: Promise<oidc.Configuration>;

  constructor(@Inject(CONSOLE_CONFIG) private readonly config: ConsoleConfig) {}

  get enabled(): boolean {
    return Boolean(this.config.LAPSE_OIDC_ISSUER);
  }

  get redirectUri(): string {
    return new URL('/auth/callback', this.config.LAPSE_CONSOLE_URL).href;
  }

  async start(): Promise<AuthorizationStart> {
    const configuration = await this.provider();
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(configuration, {
      redirect_uri: this.redirectUri,
      scope: this.config.LAPSE_OIDC_SCOPES,
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url, state, codeVerifier, nonce };
  }

  /**
   * Exchanges the code of the provider's redirect for tokens and returns who signed in. Throws
   * LapseError UNAUTHORIZED when the provider refused or the answer does not check out.
   */
  async finish(
    callbackUrl: URL,
    checks: { state: string; codeVerifier: string; nonce: string },
  ): Promise<IdentityClaims> {
    const configuration = await this.provider();
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      tokens = await oidc.authorizationCodeGrant(configuration, callbackUrl, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
    } catch (e) {
      if (e instanceof oidc.AuthorizationResponseError)
        throw LapseError.unauthorized(`the identity provider refused: ${e.error}`);
      if (isNetworkError(e)) throw LapseError.unavailable('the identity provider', e);
      throw LapseError.unauthorized(
        `the identity provider's answer did not check out (${(e as Error).message})`,
      );
    }
    let claims: Record<string, unknown> = { ...tokens.claims() };
    if (typeof claims['email'] !== 'string' && tokens.access_token) {
      // Some providers put the email only in the UserInfo answer.
      const info = await oidc
        .fetchUserInfo(configuration, tokens.access_token, String(claims['sub']))
        .catch(() => null);
      if (info)
        claims = { ...info, ...claims, email: info.email, email_verified: info.email_verified };
    }
    return identityOf(claims, {
      externalIdClaim: this.config.LAPSE_OIDC_EXTERNAL_ID_CLAIM,
      trustUnverifiedEmail: this.config.LAPSE_OIDC_TRUST_EMAIL,
    });
  }

  private provider(): Promise<oidc.Configuration> {
    const c = this.config;
    if (!c.LAPSE_OIDC_ISSUER || !c.LAPSE_OIDC_CLIENT_ID || !c.LAPSE_OIDC_CLIENT_SECRET)
      throw LapseError.unavailable(
        'sign-in',
        new Error(
          'LAPSE_OIDC_ISSUER, LAPSE_OIDC_CLIENT_ID and LAPSE_OIDC_CLIENT_SECRET are not set',
        ),
      );
    const issuer = new URL(c.LAPSE_OIDC_ISSUER);
    this.configuration ??= oidc
      .discovery(
        issuer,
        c.LAPSE_OIDC_CLIENT_ID,
        undefined,
        oidc.ClientSecretBasic(c.LAPSE_OIDC_CLIENT_SECRET),
        // Plain http only for a provider on this machine (the development provider).
        isLoopbackHttp(issuer) ? { execute: [oidc.allowInsecureRequests] } : undefined,
      )
      .catch((e: unknown) => {
        this.configuration = undefined;
        throw LapseError.unavailable('the identity provider', e);
      });
    return this.configuration;
  }
}

function isLoopbackHttp(u: URL): boolean {
  return u.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
}

function isNetworkError(e: unknown): boolean {
  return e instanceof TypeError && /fetch failed/i.test(e.message);
}
