// A real OpenID provider (npm `oidc-provider`) on 127.0.0.1 for Tongban's OIDC end-to-end test
// and benchmark: one confidential test client (client_secret_basic, PKCE required), an RS256 key
// made at start, and synthetic people whose ID tokens carry a citizen ID number (`citizen_id`,
// valid check digit) and an assurance level (`acr`). Its login page is a plain form
// (POST /interaction/<uid> login=<person>); consent is granted for the one first-party client.
//
// For the refusal tests, a tampering step sits in front of the token endpoint's answer (a koa
// middleware of this process, the real provider behind it): after `tamper(mode)` the next token
// answer's ID token is changed — 'badsig' (a signature byte flipped), 'nonce' (re-signed with
// another nonce), 'expired' (re-signed, exp an hour ago), 'kid' (signed by a key the JWKS does not
// publish) — then the provider answers truthfully again.
//
//   const idp = await startProvider({ redirectUri, postLogoutRedirectUri });
//   idp.issuer; idp.people.zhang.citizen_id; idp.tamper('nonce'); await idp.stop();
// Standalone: node tests/oidc/provider.mjs <redirect_uri> prints the issuer and client, runs
// until killed.
import { createServer } from 'node:http';
import { generateKeyPairSync, createPrivateKey, sign as cryptoSign } from 'node:crypto';
import Provider from 'oidc-provider';

// GB 11643 check digit for a synthetic 17-digit body (as part/demo_data.h builds 张伟's).
export function citizenId(body17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body17].reduce((a, d, i) => a + Number(d) * w[i], 0);
  return body17 + '10X98765432'[sum % 11];
}

// Synthetic people: 张伟 is also a demo account (13800000001), so his login links to it; 陈静 has
// no account until her first login.
export const PEOPLE = {
  zhang: { citizen_id: citizenId('33010619850312213'), name: '张伟' },
  chen: { citizen_id: citizenId('33010219900101124'), name: '陈静' },
};

export const CLIENT_ID = 'tongban';
export const CLIENT_SECRET = 'tongban-test-secret';

const b64url = (b) => Buffer.from(b).toString('base64url');

function signJwt(header, payload, privateKey) {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${input}.${b64url(cryptoSign('sha256', Buffer.from(input), privateKey))}`;
}

// Resolves {issuer, people, tamper(mode), tokenAnswers(), stop()} once listening.
export async function startProvider({ redirectUri, postLogoutRedirectUri, quiet = true } = {}) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'tb-test-rs256', alg: 'RS256', use: 'sig' };
  const signingKey = createPrivateKey({ key: jwk, format: 'jwk' });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${server.address().port}`;

  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: postLogoutRedirectUri ? [postLogoutRedirectUri] : [],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [jwk] },
    cookies: { keys: ['tongban-test-cookie-key'] },
    pkce: { required: () => true },
    claims: { acr: null, auth_time: null, sid: null, iss: null, openid: ['sub', 'acr'], profile: ['name', 'citizen_id'] },
    conformIdTokenClaims: false,
    acrValues: ['loa2', 'loa3'],
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    findAccount: async (ctx, id) => (PEOPLE[id] ? {
      accountId: id,
      claims: async () => ({ sub: id, ...PEOPLE[id] }),
    } : undefined),
    // The one client is first-party: consent is implied.
    loadExistingGrant: async (ctx) => {
      const grantId = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope('openid profile');
      grant.addOIDCClaims(['name', 'citizen_id', 'acr']);
      await grant.save();
      return grant;
    },
    ttl: { AuthorizationCode: 60, IdToken: 300, AccessToken: 300, Session: 3600, Interaction: 600, Grant: 3600 },
  });
  provider.proxy = false;

  let mode = null;
  let tokenAnswers = 0;
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.method !== 'POST' || ctx.path !== '/token' || ctx.status !== 200) return;
    tokenAnswers += 1;
    if (process.env.TB_OIDC_DEBUG) console.log(Buffer.from(ctx.body.id_token.split('.')[1], 'base64url').toString());
    if (!mode || !ctx.body?.id_token) return;
    const m = mode;
    mode = null;
    const [h, p, s] = ctx.body.id_token.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url'));
    const claims = JSON.parse(Buffer.from(p, 'base64url'));
    const now = Math.floor(Date.now() / 1000);
    if (m === 'badsig') {
      const sig = Buffer.from(s, 'base64url');
      sig[sig.length >> 1] ^= 0x01;
      ctx.body = { ...ctx.body, id_token: `${h}.${p}.${b64url(sig)}` };
    } else if (m === 'nonce') {
      ctx.body = { ...ctx.body, id_token: signJwt(header, { ...claims, nonce: 'another-login' }, signingKey) };
    } else if (m === 'expired') {
      ctx.body = { ...ctx.body, id_token: signJwt(header, { ...claims, iat: now - 7200, exp: now - 3600 }, signingKey) };
    } else if (m === 'kid') {
      ctx.body = { ...ctx.body, id_token: signJwt({ ...header, kid: 'not-published' }, claims, stranger) };
    }
  });

  // The login page: a plain form; the POST logs the named person in at assurance level loa3.
  provider.use(async (ctx, next) => {
    const m = /^\/interaction\/([A-Za-z0-9_-]+)$/.exec(ctx.path);
    if (!m) return next();
    const details = await provider.interactionDetails(ctx.req, ctx.res);
    if (ctx.method === 'GET') {
      ctx.type = 'html';
      ctx.body = `<!doctype html><meta charset="utf-8"><title>统一身份认证 (test)</title>
<form method="post" action="/interaction/${details.uid}"><input name="login"><button>登录</button></form>`;
      return undefined;
    }
    const raw = await new Promise((resolve) => {
      let body = '';
      ctx.req.on('data', (d) => { body += d; });
      ctx.req.on('end', () => resolve(body));
    });
    const login = new URLSearchParams(raw).get('login');
    if (!PEOPLE[login]) {
      ctx.status = 400;
      ctx.body = 'unknown person';
      return undefined;
    }
    await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: login, acr: 'loa3' } },
      { mergeWithLastSubmission: false });
    ctx.respond = false;
    return undefined;
  });

  if (quiet) provider.on('server_error', () => {});
  server.on('request', provider.callback());
  return {
    issuer,
    people: PEOPLE,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    tamper: (m) => { mode = m; },
    tokenAnswers: () => tokenAnswers,
    stop: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const redirectUri = process.argv[2] || 'http://127.0.0.1:8080/api/v1/auth/oidc/test/callback';
  const idp = await startProvider({ redirectUri, quiet: false });
  console.log(`issuer ${idp.issuer}\nclient_id ${idp.clientId}\nclient_secret ${idp.clientSecret}`);
  for (const [k, p] of Object.entries(PEOPLE)) console.log(`person ${k}: ${p.name}`);
}
