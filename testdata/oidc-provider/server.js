// A real OpenID Connect provider for Archipel's sign-in tests:
// panva's oidc-provider (OpenID Certified), configured the way ProConnect
// behaves for a relying party.
//
//   node server.js '{"redirect_uri": "...", "post_logout_redirect_uri": "..."}'
//
// It listens on 127.0.0.1 on a free port, prints one JSON line
// ({"issuer": "http://127.0.0.1:PORT"}) once it is ready, and stops when
// its standard input closes (so it never outlives the test that started
// it).
//
// - Signing keys are made at start: one RSA (RS256) and one P-256 (ES256).
// - Clients (confidential, PKCE required, userinfo answered as a signed
//   JWT where ProConnect does so):
//     archipel-rs256     id_token and userinfo RS256, client_secret_post
//     archipel-es256     id_token and userinfo ES256, client_secret_basic
//     archipel-json      id_token RS256, userinfo plain JSON
//     archipel-tampered  as archipel-rs256, but the token endpoint damages
//                        the id_token's signature
//     archipel-tampered-userinfo  as archipel-rs256, but the userinfo
//                        endpoint damages the signed answer's signature
//   Each client's secret is "secret-" followed by its id.
// - Users have ProConnect's claims (email, given_name, usual_name, uid,
//   siret, organization_label, idp_id); see USERS below.
// - Signing in without a browser: the interaction pages are this file's
//   own (not oidc-provider's development pages, which accept any login
//   and ask for consent on a page of their own): GET /interaction/UID
//   shows a plain form (fields `login` and `password`), POST
//   /interaction/UID/login checks the user's password, and consent is
//   given at once (Archipel is a first-party client). A test's HTTP client
//   follows the redirects, posts the form and stops at the redirect URI.

import http from 'node:http';
import crypto from 'node:crypto';
import Provider from 'oidc-provider';

const options = JSON.parse(process.argv[2] || '{}');
if (!options.redirect_uri) {
  console.error('usage: node server.js \'{"redirect_uri": "...", "post_logout_redirect_uri": "..."}\'');
  process.exit(2);
}

const USERS = {
  // A valid SIRET (Luhn key).
  'agent-1': {
    password: 'mot de passe de test 1',
    claims: {
      email: 'jeanne.martin@mairie-exemple.fr',
      given_name: 'Jeanne',
      usual_name: 'Martin',
      uid: '1',
      siret: '21310555400017',
      organization_label: "Mairie d'Exemple",
      idp_id: 'fia1v2',
    },
  },
  // A SIRET whose check digit is wrong: the relying party drops it.
  'agent-2': {
    password: 'mot de passe de test 2',
    claims: {
      email: 'paul.durand@exemple.gouv.fr',
      given_name: 'Paul',
      usual_name: 'Durand',
      uid: '2',
      siret: '12345678901234',
      organization_label: 'Direction exemple',
      idp_id: 'fia1v2',
    },
  },
};

function privateJwk(type, params, alg, kid) {
  const { privateKey } = crypto.generateKeyPairSync(type, params);
  return { ...privateKey.export({ format: 'jwk' }), alg, use: 'sig', kid };
}

const keys = [
  privateJwk('rsa', { modulusLength: 2048 }, 'RS256', 'rsa-1'),
  privateJwk('ec', { namedCurve: 'P-256' }, 'ES256', 'ec-1'),
];

function client(id, idTokenAlg, userinfoAlg, authMethod) {
  const c = {
    client_id: id,
    client_secret: `secret-${id}`,
    redirect_uris: [options.redirect_uri],
    post_logout_redirect_uris: options.post_logout_redirect_uri
      ? [options.post_logout_redirect_uri]
      : [],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: authMethod,
    id_token_signed_response_alg: idTokenAlg,
  };
  if (userinfoAlg) c.userinfo_signed_response_alg = userinfoAlg;
  return c;
}

const clients = [
  client('archipel-rs256', 'RS256', 'RS256', 'client_secret_post'),
  client('archipel-es256', 'ES256', 'ES256', 'client_secret_basic'),
  client('archipel-json', 'RS256', null, 'client_secret_post'),
  client('archipel-tampered', 'RS256', 'RS256', 'client_secret_post'),
  client('archipel-tampered-userinfo', 'RS256', 'RS256', 'client_secret_post'),
];

const claimNames = ['email', 'given_name', 'usual_name', 'uid', 'siret', 'organization_label', 'idp_id'];

// Flips a character of a compact JWS's signature.
function damage(jws) {
  const [h, p, s] = jws.split('.');
  const c = s[5] === 'A' ? 'B' : 'A';
  return `${h}.${p}.${s.slice(0, 5)}${c}${s.slice(6)}`;
}

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function form(res, uid, message) {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Connexion (test)</title></head>
<body><h1>Fournisseur d'identité de test</h1>${message ? `<p role="alert">${escape(message)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
<label>Identifiant <input name="login" autocomplete="username"></label>
<label>Mot de passe <input name="password" type="password" autocomplete="current-password"></label>
<button type="submit">Se connecter</button></form></body></html>`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 10000) throw new Error('form too large');
  }
  return Object.fromEntries(new URLSearchParams(body));
}

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients,
    jwks: { keys },
    findAccount: async (ctx, id) =>
      USERS[id] && { accountId: id, claims: async () => ({ sub: id, ...USERS[id].claims }) },
    claims: Object.fromEntries([['openid', ['sub']], ...claimNames.map((c) => [c, [c]])]),
    scopes: ['openid', ...claimNames],
    features: {
      devInteractions: { enabled: false },
      jwtUserinfo: { enabled: true },
      rpInitiatedLogout: { enabled: true },
    },
    pkce: { required: () => true },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
  });

  provider.use(async (ctx, next) => {
    await next();
    const id = ctx.oidc?.client?.clientId;
    if (id === 'archipel-tampered' && ctx.oidc.route === 'token' && ctx.body?.id_token) {
      ctx.body = { ...ctx.body, id_token: damage(ctx.body.id_token) };
    }
    if (id === 'archipel-tampered-userinfo' && ctx.oidc.route === 'userinfo' && typeof ctx.body === 'string') {
      ctx.body = damage(ctx.body);
    }
  });

  const callback = provider.callback();
  server.on('request', async (req, res) => {
    const m = req.url.match(/^\/interaction\/([\w-]+)(\/login)?$/);
    if (!m) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (m[2] && req.method === 'POST') {
        const { login, password } = await readForm(req);
        const user = USERS[login];
        if (!user || user.password !== password) return form(res, details.uid, 'Identifiant ou mot de passe inconnu.');
        return provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
      }
      if (details.prompt.name === 'login') return form(res, details.uid);
      // Consent, given at once for a first-party client.
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
      const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt.details;
      if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
      if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missingResourceScopes || {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      const grantId = await grant.save();
      return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    } catch (e) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`interaction: ${e.message}\n`);
    }
  });

  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

// Stop when the test that started us goes away.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
