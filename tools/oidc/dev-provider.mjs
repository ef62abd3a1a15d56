#!/usr/bin/env node
// @ts-check
// The development OpenID provider of `npm start` and the tests: the certified `oidc-provider`
// package (a real OP: discovery, JWKS, Authorization Code + PKCE, ID tokens, UserInfo), with a
// small sign-in form where anyone signs in with an email and the development password.
// Which of them is a Lapse user is the console's business, as with a real identity provider.
//
// Environment:
//   LAPSE_OIDC_DEV_PORT        port (default 3009); the issuer is http://127.0.0.1:<port>
//   LAPSE_DEV_SIGNIN_PASSWORD  the one password (required)
//   LAPSE_OIDC_CLIENT_ID       the console's client id (default lapse-console)
//   LAPSE_OIDC_CLIENT_SECRET   the console's client secret (required)
//   LAPSE_OIDC_REDIRECT_URIS   comma-separated redirect URIs (default http://127.0.0.1:3000/auth/callback)
//   LAPSE_OIDC_DEV_KEYS        file holding the signing key and cookie keys (created once)
//   LAPSE_POLICY_URL, LAPSE_SERVICE_SECRET  optional: a user's `externalId` (as SCIM set it) is
//                              their `sub` here, as at the identity provider that provisioned them
import { createHash, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { SignJWT } from 'jose';
import Provider from 'oidc-provider';

/**
 * What oidc-provider (which publishes no types) hands its hooks: the Koa context with `oidc`.
 * @typedef {{ type: string; body: string; oidc: any }} OidcContext
 */

const env = process.env;
const port = Number(env.LAPSE_OIDC_DEV_PORT ?? 3009);
const issuer = env.LAPSE_OIDC_DEV_ISSUER ?? `http://127.0.0.1:${port}`;
const password = required('LAPSE_DEV_SIGNIN_PASSWORD');
const clientId = env.LAPSE_OIDC_CLIENT_ID ?? 'lapse-console';
const clientSecret = required('LAPSE_OIDC_CLIENT_SECRET');
const redirectUris = (env.LAPSE_OIDC_REDIRECT_URIS ?? 'http://127.0.0.1:3000/auth/callback')
  .split(',')
  .map((u) => u.trim())
  .filter(Boolean);
const keysFile =
  env.LAPSE_OIDC_DEV_KEYS ??
  join(env.LAPSE_CACHE ?? join(homedir(), '.cache', 'lapse'), 'dev-oidc-keys.json');

/** @param {string} name @returns {string} */
function required(name) {
  if (!env[name]) {
    log('fatal', `${name} must be set`);
    process.exit(2);
  }
  return String(env[name]);
}

/** @param {string} level @param {string} msg @param {Record<string, unknown>} [extra] */
function log(level, msg, extra = {}) {
  process.stdout.write(
    `${JSON.stringify({ level, time: new Date().toISOString(), service: 'dev-oidc', msg, ...extra })}\n`,
  );
}

/** The signing key and cookie keys, made once and kept (tokens stay valid across restarts). */
function loadKeys() {
  if (existsSync(keysFile)) return JSON.parse(readFileSync(keysFile, 'utf8'));
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = {
    ...privateKey.export({ format: 'jwk' }),
    kid: randomBytes(8).toString('hex'),
    use: 'sig',
    alg: 'RS256',
  };
  const keys = { jwks: { keys: [jwk] }, cookieKeys: [randomBytes(32).toString('hex')] };
  mkdirSync(dirname(keysFile), { recursive: true });
  writeFileSync(keysFile, JSON.stringify(keys), { mode: 0o600 });
  return keys;
}

/** People who signed in here, by account id (the `sub`). */
/** @type {Map<string, { email: string; email_verified: boolean; name: string }>} */
const accounts = new Map();

/**
 * The `sub` for an email: the user's `externalId` in Lapse when SCIM set one, else a stable hash.
 * @param {string} email
 * @returns {Promise<string>}
 */
async function subjectFor(email) {
  const fallback = `dev-${createHash('sha256').update(email).digest('hex').slice(0, 24)}`;
  if (!env.LAPSE_POLICY_URL || !env.LAPSE_SERVICE_SECRET) return fallback;
  try {
    // It stands in for the organisation's provider next to the console, and reads users as the
    // console does (a service token of caller `console`, audience `policy`).
    const token = await new SignJWT({ svc: 'console' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('lapse-service')
      .setAudience('policy')
      .setIssuedAt()
      .setExpirationTime('1m')
      .sign(new TextEncoder().encode(env.LAPSE_SERVICE_SECRET));
    const res = await fetch(`${env.LAPSE_POLICY_URL}/v1/users?email=${encodeURIComponent(email)}`, {
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(3000),
    });
    if (!res.ok) return fallback;
    const body =
      /** @type {{ externalId?: unknown }[] | { items?: { externalId?: unknown }[] }} */ (
        await res.json()
      );
    const user = (Array.isArray(body) ? body : (body.items ?? []))[0];
    return typeof user?.externalId === 'string' && user.externalId ? user.externalId : fallback;
  } catch {
    return fallback;
  }
}

const keys = loadKeys();
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: keys.jwks,
  cookies: { keys: keys.cookieKeys },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  scopes: ['openid', 'email', 'profile'],
  pkce: { required: () => true },
  features: { devInteractions: { enabled: false } },
  interactions: {
    url: (/** @type {unknown} */ _ctx, /** @type {{ uid: string }} */ interaction) =>
      `/interaction/${interaction.uid}`,
  },
  findAccount: (/** @type {unknown} */ _ctx, /** @type {string} */ id) => {
    const account = accounts.get(id);
    return account && { accountId: id, claims: () => ({ sub: id, ...account }) };
  },
  // Lapse is a first-party client: no consent screen.
  loadExistingGrant: async (/** @type {OidcContext} */ ctx) => {
    const grantId =
      ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId, grant.jti);
    return grant;
  },
  ttl: { Session: 12 * 3600, Interaction: 600, Grant: 12 * 3600, AccessToken: 600, IdToken: 600 },
  renderError: (
    /** @type {OidcContext} */ ctx,
    /** @type {{ error: string; error_description?: string }} */ out,
  ) => {
    ctx.type = 'html';
    ctx.body = page(
      'Sign-in error',
      `<p>${esc(out.error)}: ${esc(out.error_description ?? '')}</p>`,
    );
  },
});
// The console reaches this provider over plain http on 127.0.0.1 only.
provider.proxy = false;

/** @type {Record<string, string>} */
const ENTITIES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
/** @param {unknown} s */
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ENTITIES[c]);

/** @param {string} title @param {string} body */
function page(title, body) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)} · Lapse development sign-in</title>
<style>body{font:16px/1.5 system-ui,sans-serif;background:#f6f7f9;color:#111827;margin:0}main{max-width:26rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:10px;border:1px solid #e5e7eb}label{display:block;margin-top:1rem;font-weight:600}input{width:100%;padding:.5rem;font:inherit;border:1px solid #6b7280;border-radius:6px}button{margin-top:1.5rem;padding:.6rem 1.2rem;font:inherit;background:#1d4ed8;color:#fff;border:0;border-radius:6px}.error{color:#991b1b}.muted{color:#4b5563}</style></head>
<body><main><h1>${esc(title)}</h1>${body}</main></body></html>`;
}

/** @param {string} uid @param {{ email?: string; error?: string }} [shown] */
function loginForm(uid, { email = '', error = '' } = {}) {
  return page(
    'Sign in',
    `<p class="muted">Lapse development identity provider. Sign in with your Lapse email and the development password that <code>npm start</code> printed.</p>
${error ? `<p class="error" role="alert" id="login-error">${esc(error)}</p>` : ''}
<form method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
<label for="email">Email</label><input id="email" name="email" type="email" required value="${esc(email)}"${error ? ' aria-describedby="login-error"' : ''}>
<label for="password">Password</label><input id="password" name="password" type="password" required>
<button type="submit">Sign in</button></form>`,
  );
}

/** @param {import('node:http').IncomingMessage} req */
async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10_000) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

/** @param {string} given */
function samePassword(given) {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(password).digest();
  return timingSafeEqual(a, b);
}

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {string} uid
 * @param {string | undefined} action
 */
async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (req.method === 'GET' && !action) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    return res.end(loginForm(uid));
  }
  if (req.method === 'POST' && action === 'login') {
    const form = await readForm(req);
    const email = (form.get('email') ?? '').trim().toLowerCase();
    const given = form.get('password') ?? '';
    if (!/^[^@\s]+@[^@\s]+$/.test(email) || !samePassword(given)) {
      log('warn', 'sign-in refused: wrong email or password', { email });
      res.writeHead(401, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      });
      return res.end(loginForm(uid, { email, error: 'Wrong email or password.' }));
    }
    const accountId = await subjectFor(email);
    accounts.set(accountId, { email, email_verified: true, name: email.split('@')[0] });
    log('info', 'signed in', { email, sub: accountId });
    return provider.interactionFinished(
      req,
      res,
      { login: { accountId } },
      { mergeWithLastSubmission: false },
    );
  }
  res.writeHead(405).end();
}

const handle = provider.callback();
const server = createServer((req, res) => {
  const m = /^\/interaction\/([\w-]+)(?:\/(login))?$/.exec((req.url ?? '').split('?')[0]);
  if (m) {
    interaction(req, res, m[1], m[2]).catch((e) => {
      log('warn', 'interaction failed', { error: e.message });
      if (!res.headersSent) {
        res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          page(
            'Sign-in expired',
            '<p>This sign-in took too long or was already used. Go back to Lapse and sign in again.</p>',
          ),
        );
      }
    });
    return;
  }
  // The same health routes as the Lapse apps (npm start waits on /health/ready).
  if (['/health', '/health/live', '/health/ready'].includes(req.url ?? '')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end('{"status":"ok"}');
  }
  handle(req, res);
});
server.listen(port, '127.0.0.1', () => log('info', `dev OpenID provider listening on ${issuer}`));
const stop = () => server.close(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
