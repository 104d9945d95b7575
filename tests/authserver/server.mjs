// A real OAuth 2.0 / OpenID Connect authorization server for outbound's tests and demo:
// oidc-provider on a free loopback port, with PKCE required, rotating refresh tokens,
// short access tokens, device flow, client credentials, revocation and introspection.
//
//   node server.mjs            prints "LISTENING <port>" once ready
//
// Environment: ACCESS_TTL (seconds, default 60), FIXED_REDIRECT_PORT (the registered
// port of the `web-fixed` client). Every token request is logged as
// "TOKEN grant_type=<type>" on stdout, so tests can count refreshes.
//
// Provider quirks can be switched on at runtime, to emulate real servers:
//   POST /__quirks  {"token": ["form", "expires_string", ...]}
// form            form-encoded token responses (GitHub without Accept: application/json)
// expires_string  "expires_in": "3600" (Microsoft, the seeds' own example)
// scope_comma     comma-separated scope
// error_200       HTTP 200 carrying {"error": "invalid_grant", ...}
// no_token_type   token_type left out
// token_type_upper "BEARER"
// no_access_token a response without access_token
// no_expires      expires_in left out
// expires_at      expires_at (Unix seconds) instead of expires_in
// ext_expires_in  ext_expires_in instead of expires_in
// no_refresh_on_refresh  a refresh answer without a refresh_token
// refresh_expires refresh_token_expires_in: 3600 alongside the tokens
// slow            the token endpoint answers after 3 s
// held_answer     the token endpoint does its work at once, then holds its answer 30 s
//                 (a client times out after the server acted: a refresh token rotated)
// status_500      the token endpoint answers HTTP 500 (HTML)
// drip            the token endpoint answers 200, then its body a byte every 200 ms
// bare_400        a refresh answered with a bare HTTP 400 and no OAuth error (glewlwyd)
// refresh_invalid_request  a refresh answered 400 `invalid_request` (how LemonLDAP::NG
//                 and idpyoidc answer a revoked refresh token)
// basic_raw       HTTP Basic credentials taken as they are, not form-decoded
//                 (LemonLDAP::NG): a secret that form-encoding changes fails encoded
// basic_refused   HTTP Basic refused with 401 invalid_client (only the body works)
// assertion_aud_token_endpoint  a client assertion's `aud` must be the token endpoint
//                 URL, not the issuer (idpyoidc)
// The provider catalog's quirk classes (tests/it/providers.rs, QUIRK_TESTS):
// nested          the token answer wrapped as {"ok": true, "authed_user": {...}} (Slack)
// renamed         accessToken, refreshToken, expiresIn instead of the RFC 6749 names
// client_key      the client id is taken only as `client_key` (TikTok), in the
//                 authorization request and the token request's body; `client_id` refused
// body_refused    client credentials in the body refused with 401 (HTTP Basic only)
// no_refresh      no refresh_token in any answer
// refresh_elsewhere  refresh requests only at POST /oauth/refresh (logged REFRESH_URL);
//                 the token endpoint refuses them
// token_type_lower "bearer"
// json_only       the token endpoint takes JSON bodies only (form bodies: 415)
// scope_in_commas the authorization request's scope must be comma-delimited
// Always: Okta's paths (/oauth2/default/v1/authorize, /token, /revoke) lead to this
// server's endpoints, logged "ALIAS <path>", for a catalog entry with URL parameters.
// And, beside `token`, in the same object:
//   "code_suffix": "=="  every authorization code ends so (idpyoidc's codes end in
//                 `==`, which RFC 6749 A.11 allows); taken off again at the token endpoint
//   "id_token_claims": {"aud": "x"}  the ID token's claims changed, its signature kept
//   "discovery": "gone"  the metadata documents (/.well-known/openid-configuration and
//                 /.well-known/oauth-authorization-server) answer 404: the provider moved
//
// HMAC_ID_TOKENS=1 registers clients whose ID tokens are signed with their client
// secret (OpenID Connect Core 10.1), as LemonLDAP::NG (HS512) and glewlwyd (HS256) do:
//   hs256-app (secret hs256-secret), hs512-app (HMAC_512_SECRET below), both
//   client_secret_basic; and hs256-public, a public client (no client authentication)
//   whose ID tokens are signed with a secret it was never given.
//
// A non-standard token handshake, exactly the seeds' legacy webhook example, in front
// of the real token endpoint (JSON bodies with the client credentials inside,
// "expires_in" as a string, comma-separated scope):
//   POST /custom/token          {"client_id","client_secret","code",["redirect_uri","code_verifier"]}
//   POST /custom/refresh_token  {"client_id","client_secret","refresh_token"}
// With ?nest=1 the answer is wrapped as {"ok": true, "authed_user": {...}} (Slack-like).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { spawn } from 'node:child_process';
import https from 'node:https';
import { URLSearchParams } from 'node:url';
import Provider from 'oidc-provider';
import * as jose from 'jose';

const accessTtl = Number(process.env.ACCESS_TTL || 60);
// REFRESHED_ACCESS_TTL: the life of access tokens a refresh issues (default: ACCESS_TTL),
// so a test can cross one expiry and then be sure of no second, however slow the machine.
const refreshedAccessTtl = Number(process.env.REFRESHED_ACCESS_TTL || accessTtl);
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const fixedPort = Number(process.env.FIXED_REDIRECT_PORT || 0);
let quirks = { token: [] };

// TLS_CERT and TLS_KEY (PEM files) serve everything over https instead.
const tls = process.env.TLS_CERT && process.env.TLS_KEY;
// MTLS=1 (with TLS): ask every client for a certificate (RFC 8705), without requiring one.
const mtls = tls && process.env.MTLS === '1';
const server = tls
  ? https.createServer({ cert: fs.readFileSync(process.env.TLS_CERT), key: fs.readFileSync(process.env.TLS_KEY),
    requestCert: mtls, rejectUnauthorized: false })
  : http.createServer();
const peerCertificate = (ctx) => {
  const socket = ctx.req.socket || ctx.socket;
  const cert = socket && socket.getPeerX509Certificate ? socket.getPeerX509Certificate() : undefined;
  return cert || undefined;
};
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = server.address().port;
const issuer = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;

const common = {
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
};
const clients = [
  { ...common, client_id: 'native-app', client_secret: 'native-secret', application_type: 'native',
    redirect_uris: ['http://127.0.0.1/callback'], token_endpoint_auth_method: 'client_secret_basic' },
  { ...common, client_id: 'post-app', client_secret: 'post-secret', application_type: 'native',
    redirect_uris: ['http://127.0.0.1/callback'], token_endpoint_auth_method: 'client_secret_post' },
  { ...common, client_id: 'public-app', application_type: 'native',
    redirect_uris: ['http://127.0.0.1/callback'], token_endpoint_auth_method: 'none' },
  { ...common, client_id: 'device-app', application_type: 'native',
    grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'], response_types: [],
    redirect_uris: [], token_endpoint_auth_method: 'none' },
  { client_id: 'cc-app', client_secret: 'cc-secret', grant_types: ['client_credentials'],
    response_types: [], redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic' },
  { client_id: 'exchange-app', client_secret: 'exchange-secret', grant_types: [TOKEN_EXCHANGE],
    response_types: [], redirect_uris: [], token_endpoint_auth_method: 'client_secret_basic' },
];
// KEYS_DIR: clients that authenticate with a signed JWT (RFC 7523) instead of a
// shared secret. The server makes the key pairs, registers the public halves, and
// writes the private keys (PKCS#8 PEM) to KEYS_DIR for the client under test:
//   rsa.pem (clients pkjwt-rs256 and pkjwt-ps256), ec.pem (pkjwt-es256),
//   ed25519.pem (pkjwt-eddsa); and csjwt-app with client_secret_jwt.
const keysDir = process.env.KEYS_DIR;
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const SA_EMAIL = 'robot@outbound-test.iam.example';
let saPublic;
if (keysDir) {
  const both = { ...common, grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    application_type: 'native', redirect_uris: ['http://127.0.0.1/callback'] };
  const make = async (alg, file, opts = {}) => {
    const { publicKey, privateKey } = await jose.generateKeyPair(alg, { extractable: true, ...opts });
    fs.writeFileSync(`${keysDir}/${file}`, await jose.exportPKCS8(privateKey), { mode: 0o600 });
    return jose.exportJWK(publicKey);
  };
  const rsa = await make('RS256', 'rsa.pem');
  const ec = await make('ES256', 'ec.pem');
  const ed = await make('EdDSA', 'ed25519.pem', { crv: 'Ed25519' });
  for (const [id, jwk, alg] of [['pkjwt-rs256', rsa, 'RS256'], ['pkjwt-ps256', rsa, 'PS256'],
    ['pkjwt-es256', ec, 'ES256'], ['pkjwt-eddsa', ed, 'EdDSA']]) {
    clients.push({ ...both, client_id: id, token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: alg, jwks: { keys: [{ ...jwk, kid: `${id}-key` }] } });
  }
  clients.push({ ...both, client_id: 'csjwt-app', client_secret: 'csjwt-secret-that-is-long-enough-for-hs512-0123456789abcdef',
    token_endpoint_auth_method: 'client_secret_jwt' });
  // A Google-style service account for the JWT bearer grant (RFC 7523 2.1):
  // KEYS_DIR/service-account.json, in Google's format.
  const { publicKey, privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  saPublic = publicKey;
  fs.writeFileSync(`${keysDir}/service-account.json`, JSON.stringify({
    type: 'service_account', client_email: SA_EMAIL, private_key_id: 'sa-key-1',
    private_key: await jose.exportPKCS8(privateKey), token_uri: `${issuer}/token`,
  }), { mode: 0o600 });
  clients.push({ client_id: SA_EMAIL, token_endpoint_auth_method: 'none', grant_types: [JWT_BEARER],
    response_types: [], redirect_uris: [] });
}
// CLIENT_CERT: a self-signed client certificate (PEM) registered for mtls-app, which
// authenticates with it (self_signed_tls_client_auth) and gets certificate-bound tokens.
if (mtls && process.env.CLIENT_CERT) {
  const pem = fs.readFileSync(process.env.CLIENT_CERT, 'utf8');
  const cert = new crypto.X509Certificate(pem);
  const jwk = await jose.exportJWK(cert.publicKey);
  clients.push({ client_id: 'mtls-app', token_endpoint_auth_method: 'self_signed_tls_client_auth',
    grant_types: ['client_credentials'], response_types: [], redirect_uris: [],
    tls_client_certificate_bound_access_tokens: true,
    jwks: { keys: [{ ...jwk, x5c: [cert.raw.toString('base64')] }] } });
}
// CLIENT_CA: a CA (PEM) whose certificates with the subject CN=outbound-ca-client
// authenticate mtls-ca-app (tls_client_auth), with certificate-bound tokens.
const clientCa = mtls && process.env.CLIENT_CA
  ? new crypto.X509Certificate(fs.readFileSync(process.env.CLIENT_CA, 'utf8')) : undefined;
if (clientCa) {
  clients.push({ client_id: 'mtls-ca-app', token_endpoint_auth_method: 'tls_client_auth',
    tls_client_auth_subject_dn: 'CN=outbound-ca-client',
    grant_types: ['client_credentials'], response_types: [], redirect_uris: [],
    tls_client_certificate_bound_access_tokens: true });
}
const HMAC_512_SECRET = 'hs512-secret-that-is-long-enough-for-hs512-0123456789abcdef-0123';
const hmacIdTokens = process.env.HMAC_ID_TOKENS === '1';
if (hmacIdTokens) {
  const native = { ...common, application_type: 'native', redirect_uris: ['http://127.0.0.1/callback'] };
  clients.push(
    { ...native, client_id: 'hs256-app', client_secret: 'hs256-secret', token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'HS256' },
    { ...native, client_id: 'hs512-app', client_secret: HMAC_512_SECRET, token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'HS512' },
    { ...native, client_id: 'hs256-public', client_secret: 'a-secret-the-client-is-never-given',
      token_endpoint_auth_method: 'none', id_token_signed_response_alg: 'HS256' },
  );
}
// A client whose secret is base64-style: form-encoding changes it (`+`, `/`, `=`).
clients.push({ ...common, client_id: 'b64-app', client_secret: 'c2VjcmV0+Zm9y/b3V0Ym91bmQ==', application_type: 'native',
  redirect_uris: ['http://127.0.0.1/callback'], token_endpoint_auth_method: 'client_secret_basic' });
if (fixedPort) {
  clients.push({ ...common, client_id: 'web-fixed', client_secret: 'web-secret', application_type: 'web',
    redirect_uris: [`http://127.0.0.1:${fixedPort}/cb`], token_endpoint_auth_method: 'client_secret_basic' });
}

const provider = new Provider(issuer, {
  clients,
  pkce: { required: () => true },
  clientAuthMethods: ['client_secret_basic', 'client_secret_jwt', 'client_secret_post', 'private_key_jwt', 'none',
    ...(mtls ? ['self_signed_tls_client_auth', 'tls_client_auth'] : [])],
  enabledJWA: { clientAuthSigningAlgValues: ['HS256', 'HS384', 'HS512', 'RS256', 'PS256', 'ES256', 'Ed25519', 'EdDSA'],
    idTokenSigningAlgValues: ['RS256', 'PS256', 'ES256', 'Ed25519', 'EdDSA', ...(hmacIdTokens ? ['HS256', 'HS384', 'HS512'] : [])] },
  clockTolerance: 0,
  rotateRefreshToken: true,
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  ttl: { AccessToken: (ctx) => (ctx?.oidc?.params?.grant_type === 'refresh_token' ? refreshedAccessTtl : accessTtl), ClientCredentials: accessTtl, DeviceCode: 600, Grant: 3600,
         Interaction: 600, Session: 3600, IdToken: 3600, RefreshToken: 3600 },
  scopes: ['openid', 'offline_access', 'profile', 'email', 'api:read', 'api:write'],
  claims: { openid: ['sub'], email: ['email'], profile: ['name'] },
  features: {
    // DPoP (RFC 9449); DPOP_NONCE=1 makes the token endpoint demand a server nonce.
    dPoP: { enabled: true, nonceSecret: Buffer.alloc(32, 7), requireNonce: () => process.env.DPOP_NONCE === '1' },
    // PAR_REQUIRED=1: authorization requests must be pushed first (RFC 9126).
    pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: process.env.PAR_REQUIRED === '1' },
    mTLS: { enabled: mtls, certificateBoundAccessTokens: true, selfSignedTlsClientAuth: true,
      tlsClientAuth: !!clientCa,
      getCertificate: (ctx) => peerCertificate(ctx)?.toString(),
      // tls_client_auth: issued by CLIENT_CA, and the registered subject DN.
      certificateAuthorized: (ctx) => {
        const peer = peerCertificate(ctx);
        return !!(peer && clientCa && peer.checkIssued(clientCa) && peer.verify(clientCa.publicKey));
      },
      certificateSubjectMatches: (ctx, property, expected) =>
        property === 'tls_client_auth_subject_dn' && peerCertificate(ctx)?.subject === expected },
    devInteractions: { enabled: true },
    clientCredentials: { enabled: true },
    deviceFlow: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true },
    userinfo: { enabled: true },
    // Dynamic Client Registration (RFC 7591) and its management (RFC 7592), open.
    registration: { enabled: true },
    registrationManagement: { enabled: true },
    // RESOURCES=1: resource indicators (RFC 8707); a token for a resource is a JWT
    // whose `aud` is that resource.
    resourceIndicators: {
      enabled: process.env.RESOURCES === '1',
      defaultResource: (ctx, client, oneOf) => (oneOf ? oneOf[0] : undefined),
      useGrantedResource: () => true,
      getResourceServerInfo: (ctx, resourceIndicator) => ({
        scope: 'api:read api:write', audience: resourceIndicator, accessTokenFormat: 'jwt', accessTokenTTL: accessTtl,
      }),
    },
  },
  // MTLS=1: the mTLS aliases (RFC 8705 §5) of the endpoints a client with a
  // certificate uses, under /mtls (served below, certificate required).
  discovery: mtls ? { mtls_endpoint_aliases: Object.fromEntries(
    [['token_endpoint', 'token'], ['pushed_authorization_request_endpoint', 'request'],
      ['revocation_endpoint', 'token/revocation'], ['userinfo_endpoint', 'me']]
      .map(([k, path]) => [k, `${issuer}/mtls/${path}`])) } : {},
  findAccount: async (ctx, sub) => ({ accountId: sub, claims: async () => ({ sub, name: 'Test User', email: `${sub}@example.test` }) }),
});
provider.on('grant.error', (ctx, err) => console.log(`GRANT_ERROR ${err.message} ${err.error_detail || ''}`));
provider.on('server_error', (ctx, err) => console.log(`SERVER_ERROR ${err.stack}`));

async function readJson(ctx) {
  let body = '';
  for await (const chunk of ctx.req) body += chunk;
  return JSON.parse(body || '{}');
}

async function customHandshake(ctx, grantType) {
  if (!String(ctx.get('content-type')).includes('application/json')) {
    ctx.status = 415;
    ctx.body = { error: 'invalid_request', error_description: 'this endpoint takes JSON' };
    return;
  }
  const input = await readJson(ctx);
  console.log(`CUSTOM grant_type=${grantType}`);
  const form = new URLSearchParams({ grant_type: grantType });
  for (const key of ['code', 'redirect_uri', 'code_verifier', 'refresh_token']) {
    if (input[key]) form.set(key, input[key]);
  }
  const basic = Buffer.from(`${encodeURIComponent(input.client_id || '')}:${encodeURIComponent(input.client_secret || '')}`).toString('base64');
  const res = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: form.toString(),
  });
  const answer = await res.json();
  ctx.status = res.status;
  if (answer.error) { ctx.body = answer; return; }
  const out = {
    access_token: answer.access_token,
    refresh_token: answer.refresh_token,
    token_type: 'bearer',
    scope: (answer.scope || '').split(' ').join(','),
    expires_in: String(answer.expires_in),
  };
  ctx.body = ctx.query.nest ? { ok: true, authed_user: out } : out;
}

// A resource server that checks tokens the way a real API does (GET /api/whoami):
// a DPoP-bound token needs `Authorization: DPoP`, a valid proof whose key is the one
// the token is bound to (cnf.jkt), for this method and URL, with `ath`, fresh; with
// RS_NONCE=1 it first answers 401 use_dpop_nonce with a DPoP-Nonce to repeat.
const seenJti = new Set();
const rsNonce = 'rs-nonce-' + Math.random().toString(36).slice(2);
async function resource(ctx) {
  const auth = String(ctx.get('authorization'));
  const [scheme, value] = auth.split(' ');
  const deny = (error, description, extra = {}) => {
    ctx.status = 401;
    ctx.set('WWW-Authenticate', `${scheme === 'DPoP' ? 'DPoP' : 'Bearer'} error="${error}", error_description="${description}"`);
    for (const [k, v] of Object.entries(extra)) ctx.set(k, v);
    ctx.body = { error, error_description: description };
  };
  const token = value && (await provider.AccessToken.find(value) || await provider.ClientCredentials.find(value));
  if (!token) return deny('invalid_token', 'unknown or expired token');
  if (token['x5t#S256']) {
    const cert = peerCertificate(ctx);
    const thumbprint = cert && jose.base64url.encode(crypto.createHash('sha256').update(cert.raw).digest());
    if (thumbprint !== token['x5t#S256']) return deny('invalid_token', 'the token is bound to a client certificate this request did not present');
    console.log('RESOURCE mtls ok');
    ctx.body = { sub: token.accountId || token.clientId, bound: 'mtls' };
    return;
  }
  if (!token.jkt) {
    if (scheme !== 'Bearer') return deny('invalid_token', 'a bearer token needs the Bearer scheme');
    ctx.body = { sub: token.accountId || token.clientId, bound: null };
    return;
  }
  if (scheme !== 'DPoP') return deny('invalid_token', 'a DPoP-bound token needs the DPoP scheme');
  const proof = ctx.get('dpop');
  if (!proof) return deny('invalid_dpop_proof', 'no DPoP proof');
  let payload, protectedHeader;
  try {
    ({ payload, protectedHeader } = await jose.jwtVerify(proof, jose.EmbeddedJWK, { typ: 'dpop+jwt', maxTokenAge: '60s' }));
  } catch (e) { return deny('invalid_dpop_proof', `proof: ${e.message}`); }
  const thumbprint = await jose.calculateJwkThumbprint(protectedHeader.jwk);
  if (thumbprint !== token.jkt) return deny('invalid_dpop_proof', 'the proof key is not the token key');
  const url = `${issuer}${ctx.path}`;
  if (payload.htm !== ctx.method || payload.htu !== url) return deny('invalid_dpop_proof', `htm/htu: ${payload.htm} ${payload.htu} (want ${ctx.method} ${url})`);
  const ath = jose.base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value))));
  if (payload.ath !== ath) return deny('invalid_dpop_proof', 'ath does not match the token');
  if (seenJti.has(payload.jti)) return deny('invalid_dpop_proof', 'jti replayed');
  seenJti.add(payload.jti);
  if (process.env.RS_NONCE === '1' && payload.nonce !== rsNonce) {
    return deny('use_dpop_nonce', 'use the nonce', { 'DPoP-Nonce': rsNonce });
  }
  console.log('RESOURCE dpop ok');
  ctx.body = { sub: token.accountId || token.clientId, bound: 'dpop', jkt: token.jkt };
}

// GIT_ROOT: the repositories under it, served by the real `git http-backend` (CGI)
// under /git/, to whoever gives a valid access token as the Basic password (any
// username). Each request logs "GIT <method> <path> user=<name> ok|refused".
const gitRoot = process.env.GIT_ROOT;
async function gitBackend(ctx) {
  const auth = String(ctx.get('authorization'));
  let token;
  if (auth.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString();
    const colon = decoded.indexOf(':');
    const password = decoded.slice(colon + 1);
    token = password && (await provider.AccessToken.find(password) || await provider.ClientCredentials.find(password));
    console.log(`GIT ${ctx.method} ${ctx.path} user=${decoded.slice(0, colon)} ${token ? 'ok' : 'refused'}`);
  }
  if (!token) {
    ctx.status = 401;
    ctx.set('WWW-Authenticate', 'Basic realm="git"');
    ctx.body = 'a valid access token is the password\n';
    return;
  }
  const child = spawn('git', ['http-backend'], {
    env: {
      ...process.env, GIT_PROJECT_ROOT: gitRoot, GIT_HTTP_EXPORT_ALL: '1', REMOTE_USER: 'git',
      REMOTE_ADDR: '127.0.0.1', PATH_INFO: ctx.path.slice('/git'.length), REQUEST_METHOD: ctx.method,
      QUERY_STRING: ctx.querystring, CONTENT_TYPE: ctx.get('content-type') || '',
      HTTP_CONTENT_ENCODING: ctx.get('content-encoding') || '', GIT_PROTOCOL: ctx.get('git-protocol') || '',
    },
  });
  ctx.req.pipe(child.stdin);
  const out = [];
  child.stdout.on('data', (chunk) => out.push(chunk));
  await new Promise((resolve) => child.on('close', resolve));
  const all = Buffer.concat(out);
  let end = all.indexOf('\r\n\r\n');
  let skip = 4;
  if (end < 0) { end = all.indexOf('\n\n'); skip = 2; }
  ctx.status = 200;
  for (const line of all.subarray(0, end).toString().split(/\r?\n/)) {
    const colon = line.indexOf(':');
    const [key, value] = [line.slice(0, colon).trim(), line.slice(colon + 1).trim()];
    if (key.toLowerCase() === 'status') ctx.status = parseInt(value, 10);
    else if (key) ctx.set(key, value);
  }
  ctx.body = all.subarray(end + skip);
}

// /mcp and below: a protected resource that describes itself (RFC 9728) and challenges
// a request without a valid token with resource_metadata and scope; /mcp/admin wants
// api:write too (insufficient_scope, for step-up). /mcp-wrong's metadata names another
// resource; /mcp-two's names two authorization servers.
// The quirk `distrust: '/mcp'` makes that resource trust another server only, from then on.
// /tools is a path of the same API beside its MCP endpoint, guarded as /mcp is (the
// README's `outbound curl notes /tools`).
const trusted = (base) => (quirks.distrust === base ? ['https://other-as.example'] : [issuer]);
const prm = {
  '/mcp': () => ({ resource: `${issuer}/mcp`, authorization_servers: trusted('/mcp'), scopes_supported: ['api:read', 'offline_access', 'api:write'] }),
  '/mcp-wrong': () => ({ resource: `${issuer}/elsewhere`, authorization_servers: [issuer] }),
  '/mcp-two': () => ({ resource: `${issuer}/mcp-two`, authorization_servers: [issuer, 'https://other-as.example'] }),
  '/foreign': () => ({ resource: `${issuer}/foreign`, authorization_servers: ['https://other-as.example'] }),
};
async function protectedResource(ctx, base) {
  const metadataUrl = `${issuer}/.well-known/oauth-protected-resource${base}`;
  const challenge = (error, scope) => {
    console.log(`PRM-CHALLENGE ${ctx.path}`);
    ctx.status = error === 'insufficient_scope' ? 403 : 401;
    ctx.set('WWW-Authenticate', `Bearer error="${error}", resource_metadata="${metadataUrl}", scope="${scope}"`);
    ctx.body = { error };
  };
  const [scheme, value] = String(ctx.get('authorization')).split(' ');
  const token = scheme === 'Bearer' && value && await provider.AccessToken.find(value);
  // /foreign trusts another server's tokens only.
  if (!token || base === '/foreign' || quirks.distrust === base) return challenge('invalid_token', 'api:read offline_access');
  const scopes = String(token.scope || '').split(' ');
  if (ctx.path === '/mcp/admin' && !scopes.includes('api:write')) return challenge('insufficient_scope', 'api:read api:write');
  console.log(`MCP ${ctx.method} ${ctx.path} ok`);
  ctx.body = { sub: token.accountId, scope: token.scope, path: ctx.path };
}

// Streaming upstreams for `outbound proxy`, behind a valid bearer token (401 else):
//   GET /api/sse?n=N&every=MS  N Server-Sent Events, one every MS ms (an event without
//                              data first), each naming the token's hash
//   POST /api/count            the request body's length, read as a stream
//   GET /api/big?n=BYTES       BYTES zero bytes, streamed in 1 MiB writes (&cut=K:
//                              the connection destroyed after K of them)
//   GET /api/reset             the connection destroyed without an answer
//   ANY /api/redirect?to=URL    302 to URL
async function streaming(ctx) {
  const [scheme, value] = String(ctx.get('authorization')).split(' ');
  const token = scheme === 'Bearer' && value
    && (await provider.AccessToken.find(value) || await provider.ClientCredentials.find(value));
  if (!token) { ctx.status = 401; ctx.set('WWW-Authenticate', 'Bearer error="invalid_token"'); ctx.body = ''; return; }
  const hash = crypto.createHash('sha256').update(value).digest('hex').slice(0, 12);
  console.log(`STREAM ${ctx.path} token=${hash} connection=${ctx.get('connection') || '-'}`);
  if (ctx.path === '/api/reset') { ctx.req.socket.destroy(); ctx.respond = false; return; }
  if (ctx.path === '/api/redirect') { ctx.status = 302; ctx.set('Location', String(ctx.query.to)); ctx.body = ''; return; }
  if (ctx.path === '/api/count') {
    let bytes = 0;
    for await (const chunk of ctx.req) bytes += chunk.length;
    ctx.body = { bytes };
    return;
  }
  ctx.respond = false;
  const res = ctx.res;
  if (ctx.path === '/api/big') {
    let left = Number(ctx.query.n || 0);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(left) });
    const chunk = Buffer.alloc(1 << 20);
    if (ctx.query.cut) {
      res.write(chunk.subarray(0, Number(ctx.query.cut)), () => res.socket.destroy());
      return;
    }
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      if (!res.write(chunk.subarray(0, n))) await new Promise((r) => res.once('drain', r));
      left -= n;
    }
    res.end();
    return;
  }
  const n = Number(ctx.query.n || 3);
  const every = Number(ctx.query.every || 100);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  res.on('close', () => console.log(`STREAM closed ${ctx.path} token=${hash}`));
  res.write(': keep-alive\n\n');
  for (let i = 0; i < n && !res.destroyed; i += 1) {
    res.write(`id: ${i}\nevent: tick\ndata: {"i":${i},"token":"${hash}"}\n\n`);
    await new Promise((r) => setTimeout(r, every));
  }
  res.end();
}

// /mcp-stream: an MCP server's Streamable HTTP endpoint (2025-06-18), behind a valid
// bearer token. POST initialize answers JSON with an Mcp-Session-Id; later requests
// must carry it and MCP-Protocol-Version. `ping` answers JSON at once; `slow` answers
// on an SSE stream (an event without data, a progress notification, the result after
// 1.5 s); `cut` sends one event (id c1) and closes the stream, its result waiting for
// a GET with Last-Event-ID: c1. A GET without it is the server's own stream (one
// notifications/message, then held open). Notifications get 202; DELETE ends the
// session. Logs "MCP-STREAM <what>".
const mcpSessions = new Set();
const mcpPendingCut = new Map();
// Each session's own GET streams, ended when the session is (as the SDK's server does).
const mcpListeners = new Map();
async function mcpStream(ctx) {
  const [scheme, value] = String(ctx.get('authorization')).split(' ');
  const token = scheme === 'Bearer' && value
    && (await provider.AccessToken.find(value) || await provider.ClientCredentials.find(value));
  if (!token) { ctx.status = 401; ctx.set('WWW-Authenticate', 'Bearer error="invalid_token"'); ctx.body = ''; return; }
  const session = ctx.get('mcp-session-id');
  const sse = (write) => {
    ctx.respond = false;
    ctx.res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    return write(ctx.res);
  };
  if (ctx.method === 'DELETE') {
    mcpSessions.delete(session);
    for (const res of mcpListeners.get(session) || []) res.end();
    mcpListeners.delete(session);
    console.log('MCP-STREAM delete');
    ctx.status = 200; ctx.body = ''; return;
  }
  if (ctx.method === 'GET') {
    if (!mcpSessions.has(session)) { console.log('MCP-STREAM GET for an unknown session'); ctx.status = 404; ctx.body = ''; return; }
    const resume = ctx.get('last-event-id');
    if (resume && mcpPendingCut.has(resume)) {
      const id = mcpPendingCut.get(resume);
      mcpPendingCut.delete(resume);
      console.log('MCP-STREAM resumed');
      return sse((res) => { res.end(`id: c2\ndata: ${JSON.stringify({ jsonrpc: '2.0', id, result: { resumed: true } })}\n\n`); });
    }
    console.log('MCP-STREAM listening');
    return sse(async (res) => {
      if (!mcpListeners.has(session)) mcpListeners.set(session, []);
      mcpListeners.get(session).push(res);
      await new Promise((r) => setTimeout(r, 200));
      res.write(`data: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/message', params: { level: 'info', data: 'hello from the server' } })}\n\n`);
    });
  }
  let body = '';
  for await (const chunk of ctx.req) body += chunk;
  const msg = JSON.parse(body || '{}');
  if (msg.method === 'initialize') {
    const id = crypto.randomUUID();
    mcpSessions.add(id);
    ctx.set('Mcp-Session-Id', id);
    ctx.body = { jsonrpc: '2.0', id: msg.id, result: { protocolVersion: '2025-06-18', capabilities: {}, serverInfo: { name: 'test', version: '1' } } };
    return;
  }
  // Before initialize (FastMCP's server/discover): the TypeScript SDK's refusal, a
  // JSON-RPC error with HTTP 400.
  if (!session) {
    ctx.status = 400;
    ctx.body = { jsonrpc: '2.0', error: { code: -32000, message: 'Bad Request: No valid session ID provided' }, id: null };
    return;
  }
  if (!mcpSessions.has(session)) { ctx.status = 404; ctx.body = { error: 'unknown session' }; return; }
  if (ctx.get('mcp-protocol-version') !== '2025-06-18') { ctx.status = 400; ctx.body = { error: 'MCP-Protocol-Version missing' }; return; }
  console.log(`MCP-STREAM ${msg.method || 'response'}`);
  if (msg.id === undefined || msg.method === undefined) { ctx.status = 202; ctx.body = ''; return; }
  if (msg.method === 'ping') { ctx.body = { jsonrpc: '2.0', id: msg.id, result: {} }; return; }
  if (msg.method === 'nonexistent') { ctx.status = 400; ctx.body = { jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: 'Method not found' } }; return; }
  if (msg.method === 'cut') {
    mcpPendingCut.set('c1', msg.id);
    return sse((res) => { res.end(`id: c1\ndata: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progress: 1 } })}\n\n`); });
  }
  return sse(async (res) => {
    res.write('event: ping\n\n');
    res.write(`id: s1\ndata: ${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/progress', params: { progress: 1 } })}\n\n`);
    await new Promise((r) => setTimeout(r, 1500));
    res.end(`id: s2\ndata: ${JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { done: true } })}\n\n`);
  });
}

// A Kubernetes API server's read-only /version and /api, for kubectl: only a valid
// bearer token gets in. Each request logs a hash of the token it carried.
async function kube(ctx) {
  const [scheme, value] = String(ctx.get('authorization')).split(' ');
  const token = scheme === 'Bearer' && value
    && (await provider.AccessToken.find(value) || await provider.ClientCredentials.find(value));
  if (!token) {
    ctx.status = 401;
    ctx.body = { kind: 'Status', apiVersion: 'v1', status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };
    return;
  }
  console.log(`KUBE ${ctx.path} token=${crypto.createHash('sha256').update(value).digest('hex').slice(0, 12)}`);
  if (ctx.path === '/version') {
    ctx.body = { major: '1', minor: '30', gitVersion: 'v1.30.0-outbound-test', platform: 'linux/amd64' };
  } else {
    ctx.body = { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  }
}

provider.use(async (ctx, next) => {
  if (quirks.discovery === 'gone' && ctx.path.startsWith('/.well-known/')
    && !ctx.path.startsWith('/.well-known/oauth-protected-resource')) {
    ctx.status = 404;
    ctx.body = { error: 'not_found' };
    return;
  }
  if (ctx.path === '/version' || ctx.path === '/api') return kube(ctx);
  if (['/api/sse', '/api/count', '/api/big', '/api/reset', '/api/redirect'].includes(ctx.path)) return streaming(ctx);
  if (ctx.path === '/mcp-stream') return mcpStream(ctx);
  const prmPath = ctx.path.replace(/^\/\.well-known\/oauth-protected-resource/, '');
  if (prmPath !== ctx.path && prm[prmPath]) { ctx.body = prm[prmPath](); return; }
  const base = ctx.path === '/tools' ? '/mcp' : Object.keys(prm).find((b) => ctx.path === b || ctx.path.startsWith(`${b}/`));
  if (base) return protectedResource(ctx, base);
  if (ctx.path === '/reg' && ctx.method === 'POST' && quirks.register === 'error') {
    ctx.status = 400;
    ctx.body = { error: 'invalid_client_metadata', error_description: 'registration is closed today' };
    return;
  }
  if (ctx.path === '/reg' && ctx.method === 'POST' && quirks.register === 'garbage') {
    ctx.type = 'text/html';
    ctx.body = '<html>oops</html>';
    return;
  }
  // The quirk `register_uri: 'http://…/{id}'` puts another client-management URL in the answer.
  if (ctx.path === '/reg' && ctx.method === 'POST' && quirks.register_uri) {
    await next();
    if (ctx.body && typeof ctx.body === 'object') {
      ctx.body = { ...ctx.body, registration_client_uri: quirks.register_uri.replace('{id}', ctx.body.client_id) };
    }
    return;
  }
  if (ctx.path.startsWith('/reg/') && ctx.method === 'DELETE') console.log(`DEREGISTER ${ctx.path}`);
  if (ctx.path.startsWith('/reg/') && ctx.method === 'PUT') {
    await next();
    console.log(`REREGISTER ${ctx.status}`);
    return;
  }
  if (gitRoot && ctx.path.startsWith('/git/')) return gitBackend(ctx);
  if (mtls && ctx.path.startsWith('/mtls/')) {
    // An mTLS alias: without a certificate, refused; with one, the endpoint itself.
    if (!peerCertificate(ctx)) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: 'the mTLS alias needs a client certificate' };
      return;
    }
    console.log(`MTLS alias ${ctx.path}`);
    ctx.path = ctx.path.slice('/mtls'.length);
  }
  if (ctx.path === '/api/whoami') return resource(ctx);
  if (ctx.path === '/custom/token' && ctx.method === 'POST') return customHandshake(ctx, 'authorization_code');
  if (ctx.path === '/custom/refresh_token' && ctx.method === 'POST') return customHandshake(ctx, 'refresh_token');
  if (ctx.path === '/__quirks' && ctx.method === 'POST') {
    let body = '';
    for await (const chunk of ctx.req) body += chunk;
    quirks = { token: [], ...JSON.parse(body || '{}') };
    ctx.body = quirks;
    return;
  }
  const oktaPaths = { '/oauth2/default/v1/authorize': '/auth', '/oauth2/default/v1/token': '/token',
    '/oauth2/default/v1/revoke': '/token/revocation' };
  if (oktaPaths[ctx.path]) {
    console.log(`ALIAS ${ctx.path}`);
    ctx.path = oktaPaths[ctx.path];
  }
  const tq = quirks.token || [];
  if (ctx.path === '/oauth/refresh' && ctx.method === 'POST' && tq.includes('refresh_elsewhere')) {
    console.log('REFRESH_URL');
    ctx.path = '/token';
    ctx.state.refreshUrl = true;
  }
  if (ctx.path === '/auth' && ctx.method === 'GET' && (tq.includes('client_key') || tq.includes('scope_in_commas'))) {
    const query = new URLSearchParams(ctx.querystring);
    const refuse = (description) => {
      console.log(`AUTH refused: ${description}`);
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: description };
    };
    if (tq.includes('client_key')) {
      if (query.has('client_id') || !query.has('client_key')) return refuse('the client is named by client_key, not client_id');
      query.set('client_id', query.get('client_key'));
      query.delete('client_key');
    }
    if (tq.includes('scope_in_commas') && query.has('scope')) {
      if (query.get('scope').includes(' ')) return refuse('scopes are separated by commas');
      query.set('scope', query.get('scope').split(',').join(' '));
    }
    ctx.querystring = query.toString();
  }
  const basic = /^basic /i.test(String(ctx.get('authorization')));
  if (basic && (quirks.token || []).includes('basic_refused') && ctx.method === 'POST') {
    console.log('BASIC refused');
    ctx.status = 401;
    ctx.body = { error: 'invalid_client', error_description: 'client authentication in the request body only' };
    return;
  }
  if (basic && (quirks.token || []).includes('basic_raw')) {
    // A server that does not form-decode Basic credentials: what it compares is what
    // was sent. oidc-provider decodes them, so they reach it encoded once more.
    const raw = Buffer.from(String(ctx.get('authorization')).slice(6).trim(), 'base64').toString('utf8');
    const i = raw.indexOf(':');
    if (i !== -1) {
      const again = `${encodeURIComponent(raw.slice(0, i))}:${encodeURIComponent(raw.slice(i + 1))}`;
      ctx.req.headers.authorization = `Basic ${Buffer.from(again).toString('base64')}`;
      console.log(`BASIC ${raw === again ? 'plain' : 'taken as sent'}`);
    }
  }
  if (ctx.path === '/token' && ctx.method === 'POST') {
    // Count token requests by grant type (read from the raw body the provider will parse).
    const suffix = quirks.code_suffix;
    const json = String(ctx.get('content-type')).includes('json');
    if (tq.includes('json_only') && !json) {
      console.log('FORM refused');
      ctx.status = 415;
      ctx.body = { error: 'invalid_request', error_description: 'this token endpoint takes JSON' };
      return;
    }
    let keyRefused = false;
    const form = await peekForm(ctx, (params) => {
      const code = params.get('code');
      if (suffix && code && code.endsWith(suffix)) params.set('code', code.slice(0, -suffix.length));
      if (tq.includes('client_key')) {
        if (params.has('client_id')) keyRefused = true;
        else if (params.has('client_key')) { params.set('client_id', params.get('client_key')); params.delete('client_key'); }
      }
    }, tq.includes('json_only'));
    const grant = form.get('grant_type');
    ctx.state.grantType = grant;
    console.log(`TOKEN grant_type=${grant}${json ? ' json' : ''}`);
    if (keyRefused) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: 'the client is named by client_key, not client_id' };
      return;
    }
    if (tq.includes('body_refused') && form.has('client_secret')) {
      console.log('BODY refused');
      ctx.status = 401;
      ctx.body = { error: 'invalid_client', error_description: 'client authentication by HTTP Basic only' };
      return;
    }
    if (tq.includes('refresh_elsewhere') && (grant === 'refresh_token') !== !!ctx.state.refreshUrl) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: 'refresh tokens are taken at /oauth/refresh, and only there' };
      return;
    }
    if ((quirks.token || []).includes('slow')) await new Promise((r) => setTimeout(r, 3000));
    ctx.state.heldAnswer = (quirks.token || []).includes('held_answer');
    if ((quirks.token || []).includes('bare_400') && grant === 'refresh_token') {
      // glewlwyd answers a revoked refresh token with a bare 400 and no OAuth error.
      ctx.status = 400;
      ctx.body = '';
      return;
    }
    if ((quirks.token || []).includes('refresh_invalid_request') && grant === 'refresh_token') {
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: 'the refresh token is revoked' };
      return;
    }
    const assertion = form.get('client_assertion');
    if (assertion && (quirks.token || []).includes('assertion_aud_token_endpoint')) {
      let aud;
      try { ({ aud } = jose.decodeJwt(assertion)); } catch { aud = undefined; }
      const auds = Array.isArray(aud) ? aud : [aud];
      console.log(`ASSERTION aud=${auds.join(',')}`);
      if (!auds.includes(`${issuer}/token`)) {
        ctx.status = 401;
        ctx.body = { error: 'invalid_client', error_description: 'invalid client assertion audience' };
        return;
      }
    }
    if ((quirks.token || []).includes('drip')) {
      // A hostile or broken server: 200 at once, then the body a byte every 200 ms
      // (100,000 promised), until the client goes away.
      ctx.respond = false;
      ctx.res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100000' });
      ctx.res.write('{');
      const timer = setInterval(() => ctx.res.write(' '), 200);
      ctx.res.on('close', () => clearInterval(timer));
      return;
    }
    if ((quirks.token || []).includes('status_500')) {
      ctx.status = 500;
      ctx.type = 'text/html';
      ctx.body = '<html><body>Internal Server Error</body></html>';
      return;
    }
  }
  await next();
  const location = ctx.response.get('location');
  if (quirks.code_suffix && location && ctx.status >= 300 && ctx.status < 400) {
    const back = new URL(location, issuer);
    if (back.searchParams.has('code')) {
      back.searchParams.set('code', back.searchParams.get('code') + quirks.code_suffix);
      ctx.set('location', back.toString());
    }
  }
  if (ctx.state.heldAnswer) await new Promise((r) => setTimeout(r, 30000));
  if (ctx.path !== '/token' || ctx.method !== 'POST' || !ctx.body || typeof ctx.body !== 'object') return;
  const q = quirks.token || [];
  let body = { ...ctx.body };
  if (q.includes('expires_string') && body.expires_in !== undefined) body.expires_in = String(body.expires_in);
  if (q.includes('scope_comma') && body.scope) body.scope = body.scope.split(' ').join(',');
  if (q.includes('no_token_type')) delete body.token_type;
  if (q.includes('token_type_upper') && body.token_type) body.token_type = body.token_type.toUpperCase();
  if (q.includes('no_access_token')) delete body.access_token;
  if (q.includes('no_expires')) delete body.expires_in;
  if (q.includes('expires_at') && body.expires_in !== undefined) { body.expires_at = Math.floor(Date.now() / 1000) + Number(body.expires_in); delete body.expires_in; }
  if (q.includes('ext_expires_in') && body.expires_in !== undefined) { body.ext_expires_in = body.expires_in; delete body.expires_in; }
  if (q.includes('refresh_expires') && body.refresh_token) body.refresh_token_expires_in = 3600;
  if (q.includes('no_refresh_on_refresh') && ctx.state.grantType === 'refresh_token') delete body.refresh_token;
  if (q.includes('no_refresh')) delete body.refresh_token;
  if (q.includes('token_type_lower') && body.token_type) body.token_type = body.token_type.toLowerCase();
  if (q.includes('renamed')) {
    for (const [from, to] of [['access_token', 'accessToken'], ['refresh_token', 'refreshToken'], ['expires_in', 'expiresIn']]) {
      if (body[from] !== undefined) { body[to] = body[from]; delete body[from]; }
    }
  }
  // "id_token_claims": {…} beside `token` changes the ID token's claims, its header
  // and signature kept (a MAC-signed token for a client without the secret is
  // judged by its claims alone: they must still be checked).
  if (body.id_token && quirks.id_token_claims) {
    const [h, p, sig] = body.id_token.split('.');
    const claims = { ...JSON.parse(Buffer.from(p, 'base64url').toString()), ...quirks.id_token_claims };
    body.id_token = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${sig}`;
  }
  // Forged ID tokens: the payload kept, the header or signature not the issuer's.
  if (body.id_token && (q.includes('id_token_none') || q.includes('id_token_foreign_kid') || q.includes('id_token_hs256'))) {
    const [h, p, sig] = body.id_token.split('.');
    const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString());
    if (q.includes('id_token_none')) body.id_token = `${b64({ alg: 'none', typ: 'JWT' })}.${p}.`;
    if (q.includes('id_token_foreign_kid')) body.id_token = `${b64({ ...header, kid: 'a-key-of-another-set' })}.${p}.${sig}`;
    if (q.includes('id_token_hs256')) {
      // An algorithm-confusion forgery: HS256 keyed with the issuer's public key set,
      // which anyone can fetch, hoping the client takes whatever key it holds.
      const jwks = await (await fetch(`${issuer}/jwks`)).text();
      const head = b64({ alg: 'HS256', typ: 'JWT', kid: header.kid });
      const mac = crypto.createHmac('sha256', jwks).update(`${head}.${p}`).digest('base64url');
      body.id_token = `${head}.${p}.${mac}`;
    }
  }
  if (q.includes('error_200')) { ctx.status = 200; body = { error: 'invalid_grant', error_description: 'emulated error with HTTP 200' }; }
  if (q.includes('nested') && !body.error) body = { ok: true, authed_user: body };
  if (q.includes('form')) {
    ctx.type = 'application/x-www-form-urlencoded';
    ctx.body = new URLSearchParams(Object.entries(body).map(([k, v]) => [k, String(v)])).toString();
  } else {
    ctx.body = body;
  }
});

async function peekForm(ctx, rewrite, jsonToForm = false) {
  // Buffer the body, then hand the provider a fresh stream with the same bytes (or,
  // for a form that `rewrite` changes, the changed form; with `jsonToForm`, a JSON
  // body as the form it stands for).
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  let raw = Buffer.concat(chunks);
  const type = String(ctx.get('content-type'));
  let params;
  if (type.includes('json') && jsonToForm) {
    try { params = new URLSearchParams(Object.entries(JSON.parse(raw.toString()))); } catch { params = new URLSearchParams({ grant_type: 'unknown' }); }
    rewrite(params);
    raw = Buffer.from(params.toString());
    ctx.req.headers['content-type'] = 'application/x-www-form-urlencoded';
  } else if (type.includes('json')) {
    try { params = new URLSearchParams(Object.entries(JSON.parse(raw.toString()))); } catch { params = new URLSearchParams({ grant_type: 'unknown' }); }
  } else {
    params = new URLSearchParams(raw.toString());
    const before = params.toString();
    rewrite(params);
    if (params.toString() !== before) raw = Buffer.from(params.toString());
  }
  const { Readable } = await import('node:stream');
  const replay = Readable.from([raw]);
  const headers = { ...ctx.req.headers, 'content-length': String(raw.length) };
  Object.assign(replay, { headers, method: ctx.req.method, url: ctx.req.url,
    httpVersion: ctx.req.httpVersion, socket: ctx.req.socket, connection: ctx.req.socket });
  ctx.req = replay;
  ctx.request.req = replay;
  return params;
}

// Token exchange (RFC 8693) is not built into oidc-provider either: a subject token
// this server issued (an access token) is exchanged for a new one.
provider.registerGrantType(TOKEN_EXCHANGE, async (ctx) => {
  const p = ctx.oidc.params;
  const subject = (await provider.ClientCredentials.find(p.subject_token)) || (await provider.AccessToken.find(p.subject_token));
  if (!subject || p.subject_token_type !== 'urn:ietf:params:oauth:token-type:access_token') {
    ctx.status = 400;
    ctx.body = { error: 'invalid_grant', error_description: 'the subject token is not valid here' };
    return;
  }
  console.log(`TOKEN_EXCHANGE subject=${subject.clientId} actor=${p.actor_token ? 'yes' : 'no'} audience=${p.audience || '-'}`);
  const token = new provider.ClientCredentials({ client: ctx.oidc.client, scope: p.scope || '' });
  const value = await token.save();
  ctx.body = { access_token: value, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
    token_type: 'Bearer', expires_in: token.expiration };
}, new Set(['subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'audience', 'resource', 'requested_token_type', 'scope']));

if (keysDir) {
  // The JWT bearer grant is not built into oidc-provider: this is the server's side,
  // as Google's token endpoint does it (the scopes in the assertion).
  provider.registerGrantType(JWT_BEARER, async (ctx) => {
    const { assertion, scope } = ctx.oidc.params;
    let payload;
    try {
      ({ payload } = await jose.jwtVerify(assertion, saPublic, { issuer: SA_EMAIL, audience: `${issuer}/token`, maxTokenAge: '10m' }));
    } catch (e) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_grant', error_description: `assertion: ${e.message}` };
      return;
    }
    const granted = payload.scope || scope || '';
    console.log(`JWT_BEARER sub=${payload.sub || '-'} scope=${granted}`);
    const token = new provider.ClientCredentials({ client: ctx.oidc.client, scope: granted });
    const value = await token.save();
    ctx.body = { access_token: value, token_type: 'Bearer', expires_in: token.expiration, scope: token.scope };
  }, new Set(['assertion', 'scope']));
}

server.on('request', provider.callback());
// GET /api/ws with `Upgrade: websocket` and a valid bearer token: the handshake, then
// every byte echoed back (no framing needed to prove the bytes pass both ways).
server.on('upgrade', async (req, socket) => {
  if (!req.url.startsWith('/api/ws')) { socket.destroy(); return; }
  const [scheme, value] = String(req.headers.authorization || '').split(' ');
  const token = scheme === 'Bearer' && value
    && (await provider.AccessToken.find(value) || await provider.ClientCredentials.find(value));
  if (!token) { socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n'); return; }
  const accept = crypto.createHash('sha1')
    .update(`${req.headers['sec-websocket-key'] || ''}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  console.log('WS upgraded');
  socket.pipe(socket);
});
console.log(`LISTENING ${port}`);
