import { z } from 'zod';
import { commonEnvSchema, envBoolean, envPort, envSecret, loadConfig } from '@lapse/config';
import { SESSION_TTL_SECONDS } from '@lapse/auth';

export const configSchema = commonEnvSchema
  .extend({
    PORT: envPort.default(3000),
    /** Key of the `lapse_session` cookie (HS256); forward-auth verifies sessions with it too. */
    LAPSE_SESSION_SECRET: envSecret,
    /** How long a session lasts after sign-in. */
    LAPSE_SESSION_TTL_SECONDS: z.coerce.number().int().min(60).default(SESSION_TTL_SECONDS),
    /**
     * How often a session's user is read again from policy: a user offboarded, deactivated or
     * whose roles changed loses the session at most this much later.
     */
    LAPSE_SESSION_RECHECK_MS: z.coerce.number().int().min(0).max(60_000).default(5000),
    /** Domain of the session cookie (e.g. `example.com`, so forward-auth on other hosts sees it). */
    LAPSE_COOKIE_DOMAIN: z.string().min(1).optional(),
    /** Key of the pages' CSRF tokens (HMAC of the session cookie); default: derived from the session secret. */
    LAPSE_CSRF_SECRET: envSecret.optional(),
    /** Where the requests service's REST API answers. */
    LAPSE_REQUESTS_URL: z.string().url().default('http://127.0.0.1:3003'),
    /** The OpenID provider (issuer URL; its discovery document is read at boot). */
    LAPSE_OIDC_ISSUER: z.string().url().optional(),
    LAPSE_OIDC_CLIENT_ID: z.string().min(1).optional(),
    LAPSE_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    /** The ID token claim matched against a user's `externalId` (Entra ID: `oid`). */
    LAPSE_OIDC_EXTERNAL_ID_CLAIM: z.string().min(1).default('sub'),
    /**
     * Treat an `email` claim that comes without `email_verified` as verified: only for providers
     * that issue emails themselves and do not send the claim (Entra ID work accounts).
     */
    LAPSE_OIDC_TRUST_EMAIL: envBoolean.default(false),
    /** Scopes asked for at sign-in; `openid email` at least. */
    LAPSE_OIDC_SCOPES: z.string().default('openid email profile'),
    /** How long the short-lived user tokens the console sends to the services live, in seconds. */
    LAPSE_USER_TOKEN_TTL_SECONDS: z.coerce.number().int().min(10).max(3600).default(60),
  })
  .superRefine((c, ctx) => {
    // Sign-in looks users up in policy with a service token; the pages call with user tokens.
    if (!c.LAPSE_SERVICE_SECRET)
      ctx.addIssue({
        code: 'custom',
        path: ['LAPSE_SERVICE_SECRET'],
        message: 'is required (user look-ups in the policy service)',
      });
    if (!c.LAPSE_JWT_SECRET)
      ctx.addIssue({
        code: 'custom',
        path: ['LAPSE_JWT_SECRET'],
        message: 'is required (the console signs the user tokens it sends to the services)',
      });
    const oidc = [c.LAPSE_OIDC_ISSUER, c.LAPSE_OIDC_CLIENT_ID, c.LAPSE_OIDC_CLIENT_SECRET];
    if (oidc.some(Boolean) && !oidc.every(Boolean))
      for (const name of [
        'LAPSE_OIDC_ISSUER',
        'LAPSE_OIDC_CLIENT_ID',
        'LAPSE_OIDC_CLIENT_SECRET',
      ] as const)
        if (!c[name])
          ctx.addIssue({ code: 'custom', path: [name], message: 'is required for sign-in' });
    if (c.NODE_ENV === 'production' && !c.LAPSE_OIDC_ISSUER)
      ctx.addIssue({
        code: 'custom',
        path: ['LAPSE_OIDC_ISSUER'],
        message: 'is required in production (nobody could sign in)',
      });
  });
export type ConsoleConfig = z.infer<typeof configSchema>;

export const loadServiceConfig = (
  env: Record<string, string | undefined> = process.env,
): ConsoleConfig => loadConfig(configSchema, env);
