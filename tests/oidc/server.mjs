// A real OpenID Connect provider for Plenary's tests (npm `oidc-provider` + express).
// Test-only: plain http, in-memory storage, passwords in the environment. Never deploy it.
//
// Configuration (environment variables, all optional):
//   OIDC_HOST         interface to listen on                      (default 127.0.0.1)
//   OIDC_PORT         TCP port; 0 = pick a free one               (default 0)
//   OIDC_ISSUER       issuer URL                                  (default http://HOST:PORT, actual port)
//   OIDC_CLIENTS      JSON array of {client_id, client_secret, redirect_uris: [...],
//                     post_logout_redirect_uris?: [...], token_endpoint_auth_method?}
//   OIDC_ACCOUNTS     JSON array of {id, email, email_verified, name, password}
//   OIDC_COOKIE_KEYS  comma-separated keys signing the provider's cookies
//   OIDC_EXIT_ON_STDIN_CLOSE=1  exit when stdin closes (the Python helper sets it, so the
//                     provider never outlives a killed test run)
//   OIDC_VERBOSE=1    keep oidc-provider's own start-up notices
//
// Prints exactly one line `OIDC READY <issuer>` on stdout once it accepts connections.

import * as crypto from 'node:crypto';
import * as http from 'node:http';

import express from 'express';

const env = process.env;
const verbose = env.OIDC_VERBOSE === '1';

// oidc-provider 9 warns "Unsupported runtime" on Node 20 but works; hide that one line.
const originalWarn = console.warn;
if (!verbose) {
  console.warn = (...args) => {
    if (typeof args[0] === 'string' && args[0].includes('Unsupported runtime')) return;
    originalWarn(...args);
  };
}
const { default: Provider, errors } = await import('oidc-provider');
console.warn = originalWarn;

// ---------------------------------------------------------------- configuration

function parseJsonEnv(name, fallback) {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  try {
    const value = JSON.parse(raw);
    if (!Array.isArray(value)) throw new Error('expected a JSON array');
    return value;
  } catch (err) {
    console.error(`oidc test provider: invalid ${name}: ${err.message}`);
    process.exit(2);
  }
}

const DEFAULT_CLIENTS = [
  {
    client_id: 'plenary',
    client_secret: 'plenary-test-secret',
    redirect_uris: ['http://127.0.0.1:8000/auth/callback'],
  },
  {
    client_id: 'other-app',
    client_secret: 'other-app-secret',
    redirect_uris: ['http://127.0.0.1:8001/callback'],
  },
];

const DEFAULT_ACCOUNTS = [
  { id: 'alice', email: 'alice@example.org', email_verified: true, name: 'Alice Example', password: 'alice-password' },
  { id: 'bob', email: 'bob@example.org', email_verified: true, name: 'Bob Example', password: 'bob-password' },
  { id: 'carol', email: 'carol@example.org', email_verified: false, name: 'Carol Unverified', password: 'carol-password' },
];

const clientsConfig = parseJsonEnv('OIDC_CLIENTS', DEFAULT_CLIENTS);
const accounts = parseJsonEnv('OIDC_ACCOUNTS', DEFAULT_ACCOUNTS).map((a) => ({
  ...a,
  id: String(a.id),
  email_verified: a.email_verified ?? true,
}));
const cookieKeys = (env.OIDC_COOKIE_KEYS || 'plenary-test-cookie-key-1,plenary-test-cookie-key-2')
  .split(',').map((k) => k.trim()).filter(Boolean);
const host = env.OIDC_HOST || '127.0.0.1';
const requestedPort = Number.parseInt(env.OIDC_PORT || '0', 10);

function findAccountByLogin(login) {
  const wanted = String(login ?? '').trim().toLowerCase();
  if (!wanted) return undefined;
  return accounts.find((a) => a.id.toLowerCase() === wanted || String(a.email ?? '').toLowerCase() === wanted);
}

function safeEqual(a, b) {
  const x = crypto.createHash('sha256').update(String(a)).digest();
  const y = crypto.createHash('sha256').update(String(b)).digest();
  return crypto.timingSafeEqual(x, y);
}

// ---------------------------------------------------------------- storage

// A Map-based adapter: oidc-provider's built-in one is an LRU capped at 1000 entries and
// warns on start-up. Everything is lost when the process ends, which is what tests want.
const store = new Map();
const GRANTABLE = new Set([
  'AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode',
  'BackchannelAuthenticationRequest', 'PreAuthorizedCode',
]);
let writes = 0;

function prune() {
  const now = Date.now();
  for (const [key, entry] of store) {
    if (entry.expiresAt !== undefined && entry.expiresAt <= now) store.delete(key);
  }
}

class MemoryAdapter {
  constructor(model) {
    this.model = model;
  }

  key(id) {
    return `${this.model}:${id}`;
  }

  static get(key) {
    const entry = store.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      store.delete(key);
      return undefined;
    }
    return entry.value;
  }

  async upsert(id, payload, expiresIn) {
    const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : undefined;
    store.set(this.key(id), { value: payload, expiresAt });
    if (GRANTABLE.has(this.model) && payload.grantId) {
      const grantKey = `grant:${payload.grantId}`;
      const members = MemoryAdapter.get(grantKey) ?? new Set();
      members.add(this.key(id));
      store.set(grantKey, { value: members, expiresAt: undefined });
    }
    if (payload.userCode) store.set(`userCode:${payload.userCode}`, { value: id, expiresAt });
    if (this.model === 'Session') store.set(`sessionUid:${payload.uid}`, { value: id, expiresAt });
    writes += 1;
    if (writes % 500 === 0) prune();
  }

  async find(id) {
    return MemoryAdapter.get(this.key(id));
  }

  async findByUserCode(userCode) {
    const id = MemoryAdapter.get(`userCode:${userCode}`);
    return id === undefined ? undefined : this.find(id);
  }

  async findByUid(uid) {
    const id = MemoryAdapter.get(`sessionUid:${uid}`);
    return id === undefined ? undefined : this.find(id);
  }

  async consume(id) {
    const value = MemoryAdapter.get(this.key(id));
    if (value) value.consumed = Math.floor(Date.now() / 1000);
  }

  async destroy(id) {
    store.delete(this.key(id));
  }

  async revokeByGrantId(grantId) {
    const grantKey = `grant:${grantId}`;
    const members = MemoryAdapter.get(grantKey);
    if (members) for (const key of members) store.delete(key);
    store.delete(grantKey);
  }
}

// ---------------------------------------------------------------- HTML

function esc(value) {
  return String(value ?? '')
    .replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;').replaceAll("'", '&#39;');
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · Test OpenID Provider</title>
<style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}
label{display:block;margin-top:.75rem}input{display:block;width:100%;padding:.4rem;box-sizing:border-box}
button{margin-top:1rem;padding:.4rem 1rem}.error{color:#a00;font-weight:bold}</style>
</head>
<body>
<main>
<h1>${esc(title)}</h1>
${body}
</main>
</body>
</html>`;
}

function loginPage(uid, clientId, { login = '', error } = {}) {
  return page('Sign in', `<p>Signing in to <strong>${esc(clientId)}</strong>.</p>
${error ? `<p class="error" role="alert">${esc(error)}</p>` : ''}
<form id="login-form" method="post" action="/interaction/${esc(uid)}/login" autocomplete="off">
<label for="login">Email</label>
<input id="login" name="login" type="text" value="${esc(login)}" autofocus>
<label for="password">Password</label>
<input id="password" name="password" type="password">
<button type="submit" name="action" value="login">Sign in</button>
</form>
<form id="cancel-form" method="post" action="/interaction/${esc(uid)}/abort">
<button type="submit" name="action" value="cancel">Cancel</button>
</form>`);
}

function consentPage(uid, clientId, details) {
  const scopes = details.missingOIDCScope ?? [];
  const claims = details.missingOIDCClaims ?? [];
  return page('Authorize', `<p><strong>${esc(clientId)}</strong> asks for access to your account.</p>
${scopes.length ? `<p>Scopes: ${scopes.map(esc).join(', ')}</p>` : ''}
${claims.length ? `<p>Claims: ${claims.map(esc).join(', ')}</p>` : ''}
<form id="consent-form" method="post" action="/interaction/${esc(uid)}/confirm">
<button type="submit" name="action" value="allow" autofocus>Allow</button>
</form>
<form id="deny-form" method="post" action="/interaction/${esc(uid)}/abort">
<button type="submit" name="action" value="deny">Deny</button>
</form>`);
}

// ---------------------------------------------------------------- provider

function buildProvider(issuer) {
  const clients = clientsConfig.map((c) => {
    const redirectUris = c.redirect_uris ?? [];
    const postLogout = c.post_logout_redirect_uris
      ?? [...new Set(redirectUris.map((u) => `${new URL(u).origin}/`))];
    return {
      client_id: String(c.client_id),
      client_secret: String(c.client_secret),
      client_name: c.client_name ?? String(c.client_id),
      redirect_uris: redirectUris,
      post_logout_redirect_uris: postLogout,
      response_types: ['code'],
      grant_types: ['authorization_code', 'refresh_token'],
      // client_secret_basic registered; oidc-provider accepts client_secret_post for it too.
      token_endpoint_auth_method: c.token_endpoint_auth_method ?? 'client_secret_basic',
    };
  });

  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = {
    ...privateKey.export({ format: 'jwk' }),
    kid: `test-${crypto.randomBytes(6).toString('hex')}`,
    use: 'sig',
    alg: 'RS256',
  };

  const configuration = {
    adapter: MemoryAdapter,
    clients,
    jwks: { keys: [signingKey] },
    cookies: { keys: cookieKeys }, // names stay the defaults: _session, _interaction, ...
    pkce: { required: () => true }, // S256 is the only method oidc-provider 9 supports
    scopes: ['openid', 'email', 'profile', 'offline_access'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    conformIdTokenClaims: false, // put email/name in the ID token, not only in userinfo
    async findAccount(ctx, id) {
      const account = accounts.find((a) => a.id === id);
      if (!account) return undefined;
      return {
        accountId: account.id,
        async claims() {
          return {
            sub: account.id,
            email: account.email,
            email_verified: Boolean(account.email_verified),
            name: account.name,
          };
        },
      };
    },
    interactions: {
      url: (ctx, interaction) => `/interaction/${interaction.uid}`,
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          ctx.body = page('Sign out', `${form}
<p>Sign out from the test provider?</p>
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Yes, sign me out</button>
<button type="submit" form="op.logoutForm">No, stay signed in</button>`);
        },
        async postLogoutSuccessSource(ctx) {
          ctx.body = page('Signed out', '<p>You are signed out.</p>');
        },
      },
    },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 24 * 3600,
      Interaction: 3600,
      Session: 24 * 3600,
      Grant: 24 * 3600,
    },
    clientBasedCORS: () => false,
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Error', Object.entries(out)
        .map(([k, v]) => `<p><strong>${esc(k)}</strong>: <span class="${esc(k)}">${esc(v)}</span></p>`)
        .join('\n'));
    },
  };

  const provider = new Provider(issuer, configuration);
  provider.on('server_error', (ctx, err) => console.error('oidc test provider: server_error', err));
  for (const event of ['authorization.error', 'grant.error', 'userinfo.error', 'end_session.error']) {
    provider.on(event, (ctx, err) => {
      const detail = err.error_detail ? ` (${err.error_detail})` : '';
      console.error(`oidc test provider: ${event}: ${err.error ?? err.name}: ${err.error_description ?? err.message}${detail}`);
    });
  }
  return provider;
}

function buildApp(provider) {
  const app = express();
  app.disable('x-powered-by');
  const form = express.urlencoded({ extended: false });

  app.use('/interaction', (req, res, next) => {
    res.set('Cache-Control', 'no-store');
    next();
  });

  app.get('/interaction/:uid', async (req, res) => {
    const { uid, prompt, params } = await provider.interactionDetails(req, res);
    if (prompt.name === 'login') {
      res.type('html').send(loginPage(uid, params.client_id, { login: params.login_hint ?? '' }));
    } else if (prompt.name === 'consent') {
      res.type('html').send(consentPage(uid, params.client_id, prompt.details));
    } else {
      res.status(400).type('html').send(page('Error', `<p>Unsupported prompt ${esc(prompt.name)}</p>`));
    }
  });

  app.post('/interaction/:uid/login', form, async (req, res) => {
    const { uid, prompt, params } = await provider.interactionDetails(req, res);
    if (prompt.name !== 'login') {
      res.status(400).type('html').send(page('Error', '<p>Not a login step.</p>'));
      return;
    }
    const login = req.body?.login ?? '';
    const account = findAccountByLogin(login);
    if (!account || !safeEqual(account.password, req.body?.password ?? '')) {
      res.status(200).type('html').send(
        loginPage(uid, params.client_id, { login, error: 'Invalid email or password.' }),
      );
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: account.id } }, {
      mergeWithLastSubmission: false,
    });
  });

  app.post('/interaction/:uid/confirm', form, async (req, res) => {
    const details = await provider.interactionDetails(req, res);
    const { prompt, params, session } = details;
    if (prompt.name !== 'consent' || !session?.accountId) {
      res.status(400).type('html').send(page('Error', '<p>Not a consent step.</p>'));
      return;
    }
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    if (prompt.details.missingResourceScopes) {
      for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes)) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, {
      mergeWithLastSubmission: true,
    });
  });

  app.post('/interaction/:uid/abort', form, async (req, res) => {
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'End-User aborted interaction',
    }, { mergeWithLastSubmission: false });
  });

  app.use(provider.callback());

  // Errors from the interaction routes (e.g. expired or missing interaction cookie).
  app.use((err, req, res, next) => { // eslint-disable-line no-unused-vars
    const known = err instanceof errors.OIDCProviderError;
    if (!known) console.error('oidc test provider: interaction error', err);
    if (res.headersSent) return;
    res.status(known ? (err.statusCode ?? 400) : 500).type('html').send(page('Error', `<p class="error">${
      esc(known ? `${err.error}: ${err.error_description ?? err.message}` : 'internal error')}</p>`));
  });
  return app;
}

// ---------------------------------------------------------------- start

const server = http.createServer();
server.on('error', (err) => {
  console.error(`oidc test provider: cannot listen on ${host}:${requestedPort}: ${err.code ?? err.message}`);
  process.exit(1);
});
server.listen(requestedPort, host, () => {
  const { port } = server.address();
  const issuer = (env.OIDC_ISSUER || `http://${host}:${port}`).replace(/\/+$/, '');
  let provider;
  try {
    provider = buildProvider(issuer);
  } catch (err) {
    console.error('oidc test provider: invalid configuration:', err);
    process.exit(2);
  }
  server.on('request', buildApp(provider));
  process.stdout.write(`OIDC READY ${issuer}\n`);
});

function shutdown() {
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
if (env.OIDC_EXIT_ON_STDIN_CLOSE === '1') {
  process.stdin.on('end', shutdown);
  process.stdin.on('close', shutdown);
  process.stdin.resume();
}
