// End to end: the province login (OIDC) of a real `tongban demo` against a real OpenID provider
// (provider.mjs, npm oidc-provider) on 127.0.0.1, driven over HTTP as a browser would (redirects
// followed by hand, the provider's cookies kept, its login form posted).
// Checks: GET /api/v1/auth/providers lists the provider; 张伟's login links to his existing demo
// account; 陈静's first login creates an account and her second finds the same one; the session
// keeps the provider's acr; the ticket is single use; logout revokes the session and names the
// provider's end-session URL with id_token_hint; and each attack is refused with a clear answer —
// a forged ID token (bad signature), a wrong nonce, a replayed code, a replayed callback, an
// expired ID token, an unknown kid — as a problem (Accept: application/problem+json) and as the
// portal's error code.
//   node tests/oidc/oidc_e2e.mjs build/tongban
// Exit 77 (skipped) when the npm packages are missing (scripts/setup installs them).
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';

const HERE = dirname(fileURLToPath(import.meta.url));
if (!existsSync(join(HERE, 'node_modules', 'oidc-provider'))) {
  console.log('SKIP: run scripts/setup (npm ci in tests/oidc)');
  process.exit(77);
}
const { startProvider } = await import('./provider.mjs');

export async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Starts `tongban demo` in a throwaway folder whose config names the provider `test`; `edit`
// may change the config text first (the benchmark turns the per-address rate limit off).
export async function startTongbanWithProvider(tongban, startIdp, { log = true, edit = (text) => text } = {}) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const idp = await startIdp({ redirectUri: `${base}/api/v1/auth/oidc/test/callback`, postLogoutRedirectUri: `${base}/portal` });
  const dir = mkdtempSync(join(tmpdir(), 'tb-oidc-'));
  const init = spawnSync(tongban, ['init', '--dir', dir], { encoding: 'utf8' });
  if (init.status !== 0) throw new Error(`tongban init failed: ${init.stderr}`);
  writeFileSync(join(dir, 'tongban.toml'), edit(readFileSync(join(dir, 'tongban.toml'), 'utf8')));
  writeFileSync(join(dir, 'oidc-test.secret'), `${idp.clientSecret}\n`, { mode: 0o600 });
  appendFileSync(join(dir, 'tongban.toml'), `
[[auth.oidc_providers]]
name = "test"
issuer = "${idp.issuer}"
client_id = "${idp.clientId}"
client_secret_file = "oidc-test.secret"
redirect_uri = "${base}/api/v1/auth/oidc/test/callback"
scopes = ["openid", "profile"]
subject_claim = "citizen_id"
display_name_zh = "测试统一身份认证"
display_name_en = "Test province ID"
post_logout_redirect_uri = "${base}/portal"
`);
  const proc = spawn(tongban, ['demo', '--dir', dir, '--listen', `127.0.0.1:${port}`], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stdout.on('data', () => {});
  proc.stderr.on('data', (d) => { err += d; if (err.length > 100000) err = err.slice(-50000); });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const stop = async () => {
    if (proc.exitCode === null) proc.kill('SIGTERM');
    await exited;
    await idp.stop();
    rmSync(dir, { recursive: true, force: true });
    if (log && process.env.TB_OIDC_LOG) console.log(err);
  };
  for (let i = 0; i < 600; i++) {
    if (proc.exitCode !== null) { await stop(); throw new Error(`tongban exited: ${err.slice(-3000)}`); }
    if ((await fetch(`${base}/healthz`).catch(() => ({ ok: false }))).ok) break;
    await sleep(100);
  }
  return { base, idp, stop, log: () => err };
}

// One browser: follows redirects by hand, keeps the provider's cookies (one jar per host).
export class Browser {
  constructor() { this.jar = new Map(); }
  cookieHeader(url) {
    const host = new URL(url).host;
    const c = this.jar.get(host);
    return c ? [...c.entries()].map(([k, v]) => `${k}=${v}`).join('; ') : '';
  }
  keep(url, res) {
    const host = new URL(url).host;
    if (!this.jar.has(host)) this.jar.set(host, new Map());
    for (const sc of res.headers.getSetCookie()) {
      const [kv] = sc.split(';');
      const i = kv.indexOf('=');
      const name = kv.slice(0, i).trim();
      const value = kv.slice(i + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(sc) || value === '') this.jar.get(host).delete(name);
      else this.jar.get(host).set(name, value);
    }
  }
  async request(url, { method = 'GET', body, headers = {} } = {}) {
    const res = await fetch(url, {
      method, body, redirect: 'manual',
      headers: { ...headers, cookie: this.cookieHeader(url), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    });
    this.keep(url, res);
    return res;
  }
  // Follows redirects from `url` until one leaves for `stopAt` (a URL prefix) or a page answers.
  async follow(url, stopAt, init = {}) {
    let res = await this.request(url, init);
    for (let i = 0; i < 20; i++) {
      if (res.status < 300 || res.status >= 400) return { res, url };
      const next = new URL(res.headers.get('location'), url).toString();
      if (stopAt && next.startsWith(stopAt)) return { res, url: next, stopped: true };
      url = next;
      res = await this.request(url);
    }
    throw new Error('too many redirects');
  }
}

// Drives one login up to the provider's redirect back to Tongban's callback; returns that URL
// (with code and state) without visiting it.
export async function loginAtProvider(t, person, browser = new Browser()) {
  const start = await browser.follow(`${t.base}/api/v1/auth/oidc/test/start`, `${t.base}/`);
  assert.equal(start.res.status, 200, `the provider's login page (${start.url})`);
  const form = await start.res.text();
  const action = /action="([^"]+)"/.exec(form)[1];
  const done = await browser.follow(new URL(action, start.url).toString(), `${t.base}/`,
    { method: 'POST', body: `login=${person}` });
  assert.ok(done.stopped, `the provider sent the browser back to Tongban (${done.res.status})`);
  return { callback: done.url, browser };
}

// Visits the callback — as `browser` (with the binding cookie the start set) when given, else as
// a browser that never started a login; returns {ticket} or {error} from the portal redirect's
// fragment.
export async function finish(t, callback, headers = {}, browser = null) {
  const cookie = browser ? browser.cookieHeader(callback) : '';
  const res = await fetch(callback, { redirect: 'manual', headers: { ...headers, ...(cookie ? { cookie } : {}) } });
  if (headers.accept) return { res };
  assert.equal(res.status, 302);
  const location = res.headers.get('location');
  assert.ok(location.startsWith('/portal#'), location);
  const frag = new URLSearchParams(location.slice(location.indexOf('#') + 1));
  return { ticket: frag.get('oidc_ticket'), error: frag.get('oidc_error') };
}

export async function redeem(t, ticket) {
  const res = await fetch(`${t.base}/api/v1/auth/oidc/ticket`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ticket }),
  });
  return { status: res.status, body: await res.json() };
}

async function me(t, token) {
  const res = await fetch(`${t.base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: res.status === 200 ? await res.json() : null };
}

// The API contract (tests/api/answers_test.sh): with TONGBAN_ANSWER_DIR set, every JSON answer
// Tongban gives this test is logged as tests/testing/test_server.h logs them, and validated
// against its route's schema after the tests.
const ANSWERS = process.env.TONGBAN_ANSWER_DIR ? join(process.env.TONGBAN_ANSWER_DIR, 'identity_oidc_e2e_test.jsonl') : null;
const patternOf = (path) => path.replace(/^\/api\/v1\/auth\/oidc\/(?!ticket$|logout$)[^/]+\//, '/api/v1/auth/oidc/{provider}/');
const bases = new Set();
function recordAnswers(base) {
  bases.add(base);
  if (!ANSWERS || bases.size > 1) return;  // fetch is wrapped once
  const original = globalThis.fetch;
  globalThis.fetch = async (url, init = {}) => {
    const res = await original(url, init);
    const u = new URL(String(url));
    const type = res.headers.get('content-type') || '';
    if (bases.has(u.origin) && u.pathname.startsWith('/api/') && /json/.test(type)) {
      const body = await res.clone().json().catch(() => '<not JSON>');
      appendFileSync(ANSWERS, `${JSON.stringify({ method: init.method || 'GET', pattern: patternOf(u.pathname), status: res.status, content_type: type, body })}\n`);
    }
    return res;
  };
}

// The whole suite against one demo (its database chosen by `edit`); true when every check passed.
async function suite(tongban, label, edit) {
  const t = await startTongbanWithProvider(tongban, startProvider, { edit });
  recordAnswers(t.base);
  let failed = false;
  const check = async (name, fn) => {
    try { await fn(); console.log(`ok   [${label}] ${name}`); } catch (e) { failed = true; console.log(`FAIL [${label}] ${name}: ${e.stack}`); }
  };
  try {
    await check('the login page lists the provider', async () => {
      const res = await fetch(`${t.base}/api/v1/auth/providers`);
      const body = await res.json();
      assert.deepEqual(body.providers, [{ name: 'test', display_name_zh: '测试统一身份认证', display_name_en: 'Test province ID', start_url: '/api/v1/auth/oidc/test/start' }]);
    });

    await check('张伟 logs in through the provider and lands in his demo account (linked by ID number)', async () => {
      const { callback, browser } = await loginAtProvider(t, 'zhang');
      const { ticket, error } = await finish(t, callback, {}, browser);
      assert.equal(error, null);
      assert.match(ticket, /^tbo_/);
      const r = await redeem(t, ticket);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.acr, 'loa3');
      assert.equal(r.body.provider, 'test');
      const m = await me(t, r.body.access_token);
      assert.equal(m.body.login, '13800000001');
      assert.equal(m.body.display_name, '张伟');
      // The ticket works once.
      const again = await redeem(t, ticket);
      assert.equal(again.status, 401);
      assert.match(again.body.detail, /^bad_ticket: /);
      // Logout: the session ends here, and the provider's end-session URL carries id_token_hint.
      const out = await fetch(`${t.base}/api/v1/auth/oidc/logout`, { method: 'POST', headers: { authorization: `Bearer ${r.body.access_token}` } });
      const ob = await out.json();
      assert.equal(out.status, 200, JSON.stringify(ob));
      assert.ok(ob.end_session_url.startsWith(`${t.idp.issuer}/session/end?`), ob.end_session_url);
      assert.ok(new URL(ob.end_session_url).searchParams.get('id_token_hint'));
      assert.equal((await me(t, r.body.access_token)).status, 401);
      // The provider accepts the hint (its logout confirmation page).
      const end = await fetch(ob.end_session_url, { redirect: 'manual' });
      assert.ok(end.status === 200 || end.status === 303, `end_session ${end.status}`);
    });

    let chenId = 0;
    await check('陈静 has no account: her first login creates one, her second finds it', async () => {
      for (let round = 0; round < 2; round++) {
        const { callback, browser } = await loginAtProvider(t, 'chen');
        const { ticket, error } = await finish(t, callback, {}, browser);
        assert.equal(error, null);
        const r = await redeem(t, ticket);
        assert.equal(r.status, 200);
        const m = await me(t, r.body.access_token);
        assert.equal(m.body.display_name, '陈静');
        assert.equal(m.body.role, 'citizen');
        assert.match(m.body.login, /^idp-[0-9a-f]{16}$/);
        assert.equal(m.body.subject_id_masked.slice(0, 4), '3301');
        if (round === 0) chenId = m.body.id; else assert.equal(m.body.id, chenId);
      }
    });

    // Each refusal: as the portal's error code, and as a problem for a client that asks for one.
    for (const [mode, code] of [['badsig', 'bad_signature'], ['nonce', 'bad_nonce'], ['expired', 'expired'], ['kid', 'unknown_kid']]) {
      await check(`a tampered ID token (${mode}) is refused: ${code}`, async () => {
        const { callback, browser } = await loginAtProvider(t, 'zhang');
        t.idp.tamper(mode);
        const { error, ticket } = await finish(t, callback, {}, browser);
        assert.equal(ticket, null);
        assert.equal(error, code);
        // Again as a problem answer.
        const second = await loginAtProvider(t, 'zhang');
        t.idp.tamper(mode);
        const { res } = await finish(t, second.callback, { accept: 'application/problem+json' }, second.browser);
        assert.equal(res.status, 401);
        assert.match(res.headers.get('content-type'), /application\/problem\+json/);
        const p = await res.json();
        assert.ok(p.detail.startsWith(`${code}: `), p.detail);
      });
    }

    await check('a replayed callback (same code and state) is refused: bad_state', async () => {
      const { callback, browser } = await loginAtProvider(t, 'zhang');
      assert.equal((await finish(t, callback, {}, browser)).error, null);
      assert.equal((await finish(t, callback, {}, browser)).error, 'bad_state');
    });

    await check('a login started in another browser (an attacker\'s link) is refused: bad_state', async () => {
      const { callback } = await loginAtProvider(t, 'zhang');
      const { res } = await finish(t, callback, { accept: 'application/problem+json' });  // no cookie
      assert.equal(res.status, 401);
      assert.match((await res.json()).detail, /^bad_state: .*another browser/);
    });

    await check('a replayed code with a fresh state is refused by the provider: code_rejected', async () => {
      const { callback, browser } = await loginAtProvider(t, 'zhang');
      assert.equal((await finish(t, callback, {}, browser)).error, null);
      const code = new URL(callback).searchParams.get('code');
      // A new login's state (in the same browser, so its binding cookie matches), the old code.
      const res = await browser.request(`${t.base}/api/v1/auth/oidc/test/start`);
      const state = new URL(res.headers.get('location')).searchParams.get('state');
      const replay = `${t.base}/api/v1/auth/oidc/test/callback?code=${encodeURIComponent(code)}&state=${encodeURIComponent(state)}`;
      const { res: pr } = await finish(t, replay, { accept: 'application/problem+json' }, browser);
      assert.equal(pr.status, 401);
      assert.match((await pr.json()).detail, /^code_rejected: .*invalid_grant/);
    });

    await check('the provider saying no (error=access_denied) comes back as the portal error', async () => {
      const res = await fetch(`${t.base}/api/v1/auth/oidc/test/start`, { redirect: 'manual' });
      const state = new URL(res.headers.get('location')).searchParams.get('state');
      const { error } = await finish(t, `${t.base}/api/v1/auth/oidc/test/callback?error=access_denied&state=${state}`);
      assert.equal(error, 'access_denied');
    });

    await check('an unknown provider: 404 problem, portal error unknown_provider', async () => {
      const res = await fetch(`${t.base}/api/v1/auth/oidc/nope/start`, { redirect: 'manual', headers: { accept: 'application/problem+json' } });
      assert.equal(res.status, 404);
      const r2 = await fetch(`${t.base}/api/v1/auth/oidc/nope/start`, { redirect: 'manual' });
      assert.equal(r2.headers.get('location'), '/portal#oidc_error=unknown_provider');
    });

    // The portal page in Debian's chromium (Playwright from tests/web), when both are there: the
    // province button, the provider's form, back signed in; an error shown in Chinese only.
    const pw = join(HERE, '..', 'web', 'node_modules', 'playwright-core', 'index.mjs');
    if (existsSync(pw) && existsSync('/usr/bin/chromium')) {
      await check('portal: 统一身份认证登录 signs 张伟 in; a refusal is explained in Chinese', async () => {
        const { chromium } = await import(pw);
        const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
        try {
          const page = await (await browser.newContext({ locale: 'zh-CN', viewport: { width: 390, height: 844 } })).newPage();
          await page.goto(`${t.base}/portal`);
          const button = page.locator('#province-buttons button[data-provider=test]');
          await button.waitFor();
          assert.equal(await button.textContent(), '统一身份认证登录（测试统一身份认证）');
          await button.click();
          await page.waitForURL(/\/interaction\//);
          await page.fill('input[name=login]', 'zhang');
          await page.click('form button');
          await page.waitForSelector('body[data-signed-in=true]');
          assert.match(await page.textContent('#who'), /张伟/);
          assert.equal(new URL(page.url()).hash, '', 'the ticket is removed from the address bar');
          // Logout goes through the provider's end-session page.
          await page.click('#logout');
          await page.waitForURL((u) => u.toString().startsWith(t.idp.issuer));
          // A refusal: the zh message has no English in it.
          await page.goto(`${t.base}/portal#oidc_error=bad_nonce`);
          await page.waitForSelector('#error:not([hidden])');
          const text = await page.textContent('#error');
          assert.match(text, /统一身份认证登录失败/);
          assert.ok(!/[A-Za-z]{3,}/.test(text.replace(/^\d+ /, '')), text);
        } finally {
          await browser.close();
        }
      });
    }

    await check('the metrics count logins started, completed and refused', async () => {
      const text = await (await fetch(`${t.base}/metrics`)).text();
      const value = (name) => Number((new RegExp(`^${name} (\\S+)$`, 'm').exec(text) || [])[1]);
      assert.ok(value('tongban_oidc_logins_started_total') >= 10, text.slice(0, 200));
      assert.ok(value('tongban_oidc_logins_completed_total') >= 3);
      assert.ok(value('tongban_oidc_logins_refused_total') >= 8);
    });

    await check('no token, code, ticket or full ID number in the server log', async () => {
      const log = t.log();
      for (const p of Object.values(t.idp.people)) assert.ok(!log.includes(p.citizen_id), 'a full ID number was logged');
      assert.ok(!/tbo_[A-Za-z0-9_-]{20}/.test(log), 'a ticket was logged');
      assert.ok(!/eyJ[A-Za-z0-9_-]{20,}\./.test(log), 'a JWT was logged');
    });
  } finally {
    await t.stop();
  }
  return !failed;
}

// A bad provider in the config stops the start, naming the field.
function configRefused(tongban) {
  const dir = mkdtempSync(join(tmpdir(), 'tb-oidc-bad-'));
  try {
    spawnSync(tongban, ['init', '--dir', dir], { encoding: 'utf8' });
    const good = `
[[auth.oidc_providers]]
name = "test"
issuer = "http://127.0.0.1:9"
client_id = "tongban"
client_secret = "s"
redirect_uri = "http://127.0.0.1:8080/api/v1/auth/oidc/test/callback"
display_name_zh = "测试"
display_name_en = "Test"
`;
    const cases = [
      [good.replace('/oidc/test/callback', '/elsewhere'), 'auth.oidc_providers[0].redirect_uri'],
      [good.replace('issuer = "http://127.0.0.1:9"', 'issuer = "idp.example"'), 'auth.oidc_providers[0].issuer'],
      [good + good, 'auth.oidc_providers[1].name'],
      [good.replace('name = "test"', 'name = "test"\nclient_secrte = "typo"'), 'client_secrte'],
      [good.replace('client_secret = "s"', 'client_secret_file = "missing.secret"'), 'auth.oidc_providers[0].client_secret_file'],
      [good.replace('client_secret = "s"', 'client_secret = "s"\nclient_secret_file = "x"'), 'auth.oidc_providers[0].client_secret'],
    ];
    for (const [extra, field] of cases) {
      writeFileSync(join(dir, 'tongban.toml'), readFileSync(join(dir, 'tongban.toml'), 'utf8').split('\n[[auth.oidc_providers]]')[0] + extra);
      const r = spawnSync(tongban, ['serve', '-c', join(dir, 'tongban.toml'), '--listen', '127.0.0.1:0'], { encoding: 'utf8', timeout: 20000 });
      assert.notEqual(r.status, 0, `started with a bad ${field}`);
      assert.ok((r.stderr + r.stdout).includes(field), `the error names ${field}: ${r.stderr}`);
    }
    console.log('ok   a bad provider in the config stops the start, naming the field');
    return true;
  } catch (e) {
    console.log(`FAIL a bad provider in the config stops the start: ${e.stack}`);
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const tongban = process.argv[2];
  if (ANSWERS) writeFileSync(ANSWERS, '');
  let ok = configRefused(tongban);
  ok = await suite(tongban, 'sqlite', (text) => text) && ok;
  // With TONGBAN_TEST_PG (scripts/test starts a throwaway PostgreSQL): again with the demo's
  // database on PostgreSQL, in a schema of its own, dropped afterwards.
  const pg = process.env.TONGBAN_TEST_PG;
  if (pg) {
    const schema = `oidc_e2e_${process.pid}`;
    const url = `${pg}${pg.includes('?') ? '&' : '?'}schema=${schema}`;
    ok = await suite(tongban, 'postgresql', (text) => {
      const out = text.replace(/^url = "sqlite:\/\/[^"]*"/m, `url = "${url}"`);
      if (out === text) throw new Error('no database url in the config');
      return out;
    }) && ok;
    spawnSync('psql', ['-q', pg, '-c', `DROP SCHEMA IF EXISTS ${schema} CASCADE`], { stdio: 'ignore' });
  }
  if (!ok) process.exit(1);
  console.log('oidc e2e: all passed');
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
