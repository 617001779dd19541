// OIDC login completions per second against a local OpenID provider, beside the provider's own
// rates in the same run (docs/benchmarks.md, "Province login (OIDC)"):
//   1. provider token endpoint: codes made beforehand, then only POST /token (client_secret_basic,
//      PKCE verifier) — the provider's own redemption rate;
//   2. provider alone: the whole code flow at the provider (authorize, login form, redirect, token);
//   3. Tongban: the whole province login through a `tongban demo` — start (302), the provider's
//      login, the callback (state taken, code redeemed, ID token verified by cjose, account found),
//      the ticket redeemed for a token pair.
// The provider runs in its own node process (tests/oidc/provider.mjs); Tongban, the provider and
// this driver share the machine's cores.
//   node bench/identity/oidc_login_bench.mjs build/tongban [--n 300] [--concurrency 8]
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const OIDC = join(HERE, '..', '..', 'tests', 'oidc');
const { startTongbanWithProvider, Browser, loginAtProvider, finish, redeem } = await import(join(OIDC, 'oidc_e2e.mjs'));

const args = process.argv.slice(2);
const tongban = args[0];
const opt = (name, dflt) => { const i = args.indexOf(`--${name}`); return i > 0 ? Number(args[i + 1]) : dflt; };
const N = opt('n', 300);
const C = opt('concurrency', 8);

// The provider in a process of its own.
async function spawnProvider({ redirectUri }) {
  const proc = spawn(process.execPath, [join(OIDC, 'provider.mjs'), redirectUri], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', () => {});
  for (let i = 0; i < 100 && !/client_secret (\S+)/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
  const issuer = /issuer (\S+)/.exec(out)[1];
  return {
    issuer, clientId: /client_id (\S+)/.exec(out)[1], clientSecret: /client_secret (\S+)/.exec(out)[1],
    stop: async () => { proc.kill('SIGTERM'); await new Promise((r) => proc.on('exit', r)); },
  };
}

async function run(n, c, one) {
  let next = 0;
  let errors = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: c }, async () => {
    while (next < n) {
      next += 1;
      try { await one(); } catch (e) { errors += 1; if (errors === 1) console.error(e); }
    }
  }));
  const s = (performance.now() - t0) / 1000;
  return { perSecond: (n - errors) / s, seconds: s, errors };
}

const b64url = (b) => Buffer.from(b).toString('base64url');

// The code flow at the provider alone (no Tongban): returns {code, verifier}.
async function providerCode(idp, redirectUri) {
  const browser = new Browser();
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  const q = new URLSearchParams({
    response_type: 'code', client_id: idp.clientId, redirect_uri: redirectUri, scope: 'openid profile',
    state: b64url(randomBytes(16)), nonce: b64url(randomBytes(16)), code_challenge: challenge, code_challenge_method: 'S256',
  });
  const page = await browser.follow(`${idp.issuer}/auth?${q}`, redirectUri);
  const action = /action="([^"]+)"/.exec(await page.res.text())[1];
  const done = await browser.follow(new URL(action, page.url).toString(), redirectUri, { method: 'POST', body: 'login=chen' });
  return { code: new URL(done.url).searchParams.get('code'), verifier };
}

async function redeemAtProvider(idp, redirectUri, { code, verifier }) {
  const res = await fetch(`${idp.issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${idp.clientId}:${idp.clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier }),
  });
  if (res.status !== 200) throw new Error(`token ${res.status} ${await res.text()}`);
  await res.json();
}

// One client address makes every request here: the per-address rate limit (docs/config.md) off.
const t = await startTongbanWithProvider(tongban, spawnProvider, {
  log: false, edit: (text) => text.replace(/^rate_limit_per_address = \d+/m, 'rate_limit_per_address = 0'),
});
try {
  const redirectUri = `${t.base}/api/v1/auth/oidc/test/callback`;
  // Warm-up: discovery, JWKS, the accounts.
  for (const who of ['zhang', 'chen']) {
    const { callback, browser } = await loginAtProvider(t, who);
    const { ticket } = await finish(t, callback, {}, browser);
    if ((await redeem(t, ticket)).status !== 200) throw new Error('warm-up login failed');
  }
  // 1. The provider's token endpoint alone: codes made in batches of 50 just before (its
  //    in-memory store keeps ~1,000 objects, and each flow stores several), only the redemptions
  //    timed.
  const token = { perSecond: 0, seconds: 0, errors: 0 };
  for (let done = 0; done < N; done += 50) {
    const n = Math.min(50, N - done);
    const codes = [];
    for (let i = 0; i < n; i++) codes.push(await providerCode(t.idp, redirectUri));
    let k = 0;
    const r = await run(n, C, () => redeemAtProvider(t.idp, redirectUri, codes[k++]));
    token.seconds += r.seconds;
    token.errors += r.errors;
  }
  token.perSecond = (N - token.errors) / token.seconds;
  // 2. The whole flow at the provider alone.
  const flow = await run(N, C, async () => redeemAtProvider(t.idp, redirectUri, await providerCode(t.idp, redirectUri)));
  // 3. Tongban's province login, end to end.
  const login = await run(N, C, async () => {
    const { callback, browser } = await loginAtProvider(t, 'chen');
    const { ticket, error } = await finish(t, callback, {}, browser);
    if (error) throw new Error(error);
    const r = await redeem(t, ticket);
    if (r.status !== 200) throw new Error(`ticket ${r.status}`);
  });
  const fmt = (r) => `${r.perSecond.toFixed(0)}/s (${r.seconds.toFixed(2)} s${r.errors ? `, ${r.errors} errors` : ''})`;
  console.log(`oidc login bench: n=${N} concurrency=${C}`);
  console.log(`  provider token endpoint (POST /token only):        ${fmt(token)}`);
  console.log(`  provider code flow alone (authorize+login+token):  ${fmt(flow)}`);
  console.log(`  Tongban province login completions (end to end):   ${fmt(login)}`);
} finally {
  await t.stop();
}
