// A real OpenID Connect provider (node-oidc-provider, OpenID Certified) for the portal's
// sign-in tests. One process is one issuer, i.e. one municipality's identity provider.
//
// Environment:
//   OP_PORT         port on 127.0.0.1 (the issuer is http://127.0.0.1:OP_PORT)
//   OP_CLIENTS      JSON list of {client_id, client_secret, redirect_uris}
//   OP_USERS_FILE   JSON {sub: {name, groups: [...], amr: [...]}}, read at every login
//                   and token, so a test changes a user's groups by rewriting the file
//
// Test-only endpoint: POST /__test__/forge {"mode": ...} makes the provider alter the
// id_token of its next token response, so the tests can check that the portal refuses
// what a real attacker could send: "tamper" (a claim changed, signature kept),
// "foreign_key" (signed with a key that is not in the JWKS, same kid), "wrong_aud" and
// "expired" (properly signed with the provider's own key, wrong audience or expiry).
import fs from 'node:fs';
import http from 'node:http';

import Provider from 'oidc-provider';
import { SignJWT, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';

const port = Number(process.env.OP_PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.OP_CLIENTS);
const usersFile = process.env.OP_USERS_FILE;

const users = () => JSON.parse(fs.readFileSync(usersFile, 'utf8'));

const signingKeys = await generateKeyPair('RS256', { extractable: true });
const foreignKeys = await generateKeyPair('RS256', { extractable: true });
const jwk = { ...(await exportJWK(signingKeys.privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: clients.map((client) => ({
    ...client,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  })),
  jwks: { keys: [jwk] },
  cookies: { keys: ['kvalitetsportalen-test-cookie-key'] },
  // PKCE for every client, confidential ones included (S256 is the only method v9 offers).
  pkce: { required: () => true, methods: ["S256"] },
  scopes: ['openid', 'profile', 'email', 'groups'],
  claims: {
    // amr and acr with every ID token: the portal reads MFA from them (as Entra ID sends amr).
    openid: ['sub', 'amr', 'acr', 'auth_time'],
    profile: ['name', 'preferred_username'],
    email: ['email'],
    groups: ['groups'],
  },
  // Entra ID puts the groups claim in the ID token; so does this provider.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false } },
  async findAccount(ctx, sub) {
    const user = users()[sub];
    // A disabled account is gone for the provider: no tokens, a new login is required.
    if (!user || user.disabled) return undefined;
    return {
      accountId: sub,
      async claims() {
        return {
          sub,
          name: user.name,
          preferred_username: user.username || sub,
          email: user.email,
          groups: user.groups || [],
        };
      },
    };
  },
  // First-party test clients: consent is implied, so the only interaction is the login.
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile email groups');
    await grant.save();
    return grant;
  },
  ttl: { Session: 60, Interaction: 600, AuthorizationCode: 60, AccessToken: 600, IdToken: 600, Grant: 600 },
});

let forgery = null;

async function forge(idToken, mode) {
  const header = decodeProtectedHeader(idToken);
  const claims = decodeJwt(idToken);
  if (mode === 'tamper') {
    // Grant oneself more groups and keep the provider's signature.
    const [h, , s] = idToken.split('.');
    const payload = Buffer.from(JSON.stringify({ ...claims, groups: ['*'] })).toString('base64url');
    return `${h}.${payload}.${s}`;
  }
  const now = Math.floor(Date.now() / 1000);
  let key = signingKeys.privateKey;
  if (mode === 'wrong_aud') claims.aud = 'another-client';
  if (mode === 'expired') Object.assign(claims, { iat: now - 7200, exp: now - 3600 });
  if (mode === 'foreign_key') key = foreignKeys.privateKey;
  return new SignJWT(claims).setProtectedHeader({ alg: header.alg, kid: header.kid }).sign(key);
}

function readBody(req) {
  return new Promise((resolve) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => resolve(body));
  });
}

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

provider.use(async (ctx, next) => {
  if (ctx.path === '/__test__/forge' && ctx.method === 'POST') {
    forgery = JSON.parse(await readBody(ctx.req)).mode;
    ctx.body = { forgery };
    return;
  }
  const interaction = ctx.path.match(/^\/interaction\/([^/]+)$/);
  if (interaction && ctx.method === 'GET') {
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    ctx.type = 'html';
    ctx.body = `<!doctype html><html lang="en"><head><title>Test IdP login</title></head><body>
      <main><h1>Test identity provider</h1>
      <form method="post" action="/interaction/${escape(details.uid)}">
        <label for="login">Username</label><input id="login" name="login" autofocus>
        <button type="submit">Sign in</button>
      </form></main></body></html>`;
    return;
  }
  if (interaction && ctx.method === 'POST') {
    const form = new URLSearchParams(await readBody(ctx.req));
    const sub = form.get('login');
    const user = users()[sub];
    if (!user || user.disabled) {
      ctx.status = 403;
      ctx.body = 'Unknown or disabled user';
      return;
    }
    await provider.interactionFinished(ctx.req, ctx.res, {
      login: { accountId: sub, amr: user.amr || ['pwd'], remember: false },
    }, { mergeWithLastSubmission: false });
    return;
  }
  await next();
  if (ctx.path === '/token' && forgery && ctx.body && ctx.body.id_token) {
    ctx.body = { ...ctx.body, id_token: await forge(ctx.body.id_token, forgery) };
    forgery = null;
  }
});

http.createServer(provider.callback()).listen(port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
