// The scenarios of the browser suite (run by pages.mjs), each as a person uses the pages.
// A scenario returns 'skip' when the server lacks the part it needs (probed over HTTP).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

// A PNG photo-like image of the QR code of `text` (libqrencode modules via qr_matrix.py, drawn
// as an SVG with a quiet zone and rasterised by the browser).
export async function qrPng(context, text, scale = 6) {
  const rows = JSON.parse(execFileSync('python3', [join(HERE, 'qr_matrix.py'), text], { encoding: 'utf8' }));
  const n = rows.length + 8;
  let rects = '';
  rows.forEach((r, y) => r.forEach((m, x) => { if (m) rects += `<rect x="${x + 4}" y="${y + 4}" width="1" height="1"/>`; }));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${n} ${n}" width="${n * scale}" height="${n * scale}" shape-rendering="crispEdges"><rect width="${n}" height="${n}" fill="#fff"/>${rects}</svg>`;
  return svgPng(context, svg);
}

// Rasterises SVG markup to PNG in a scratch page.
export async function svgPng(context, svg) {
  const p = await context.newPage();
  try {
    await p.setContent(`<body style="margin:0;background:#fff">${svg}</body>`);
    return await p.locator('svg').first().screenshot();
  } finally {
    await p.close();
  }
}

export const PASSWORD = 'tongban-demo';

export async function login(page, who) {
  await page.fill('#login', who);
  await page.fill('#password', PASSWORD);
  await page.click('#login-form button[type=submit]');
}

// Every form control has an accessible name; nothing is wider than the phone screen.
export async function checkAccessible(page) {
  const problems = await page.evaluate(() => {
    const out = [];
    for (const el of document.querySelectorAll('input, select, textarea')) {
      if (el.type === 'hidden') continue;
      const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.closest('label');
      if (!named) out.push(`unlabelled ${el.tagName.toLowerCase()}#${el.id}`);
    }
    const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
    for (const id of new Set(ids.filter((x, i) => ids.indexOf(x) !== i))) out.push(`duplicate id ${id}`);
    for (const img of document.querySelectorAll('img')) if (!img.alt) out.push(`image without alt: ${img.id}`);
    for (const el of document.querySelectorAll('button, a')) {
      if (!el.textContent.trim() && !el.getAttribute('aria-label')) out.push(`nameless ${el.tagName.toLowerCase()}#${el.id}`);
    }
    // WCAG 2.1 contrast (1.4.3): 4.5:1 for text, 3:1 for large text (>= 24px, or >= 18.66px bold),
    // against the nearest opaque background.
    const rgb = (c) => (c.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
      const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
      return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
    };
    const bgOf = (el) => {
      for (let e = el; e; e = e.parentElement) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] >= 0.99)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const seen = new Set();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      if (!n.textContent.trim() || seen.has(el) || !el.getClientRects().length) continue;
      seen.add(el);
      const st = getComputedStyle(el);
      if (st.visibility === 'hidden' || el.closest('[hidden], .skip, .visually-hidden, textarea, option')) continue;
      const fg = rgb(st.color).slice(0, 3);
      const [l1, l2] = [lum(fg), lum(bgOf(el))].sort((a, b) => b - a);
      const ratio = (l1 + 0.05) / (l2 + 0.05);
      const size = parseFloat(st.fontSize);
      const large = size >= 24 || (size >= 18.66 && Number(st.fontWeight) >= 700);
      if (ratio < (large ? 3 : 4.5)) out.push(`contrast ${ratio.toFixed(2)} for "${n.textContent.trim().slice(0, 30)}"`);
    }
    if (document.documentElement.scrollWidth > window.innerWidth + 1) {
      out.push(`page is ${document.documentElement.scrollWidth}px wide on a ${window.innerWidth}px screen`);
    }
    return out;
  });
  assert.deepEqual(problems, []);
}

// Whether the server offers an API path (from its OpenAPI document).
let openapi = null;
export async function offers(base, path) {
  openapi ||= await (await fetch(`${base}/api/v1/openapi.json`)).json();
  return Object.prototype.hasOwnProperty.call(openapi.paths || {}, path);
}

// Image-file scanning needs the packaged decoder (chromium on Linux has no BarcodeDetector);
// a build configured before `scripts/setup` installed web/node_modules lacks it.
async function hasDecoder(base) {
  return (await fetch(`${base}/static/jsqr.js`, { method: 'HEAD' })).ok;
}

// GB 11643 check digit for a synthetic 17-digit body (as cli/demo_data.cc builds 张伟's).
function citizenId(body17) {
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body17].reduce((a, d, i) => a + Number(d) * w[i], 0);
  return body17 + '10X98765432'[sum % 11];
}
export const ZHANG_WEI_ID = citizenId('33010619850312213');

export async function apiCall(base, path, { key, method = 'GET', body } = {}) {
  const headers = { Accept: 'application/json' };
  if (key) headers.Authorization = `Bearer ${key}`;
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    headers['Idempotency-Key'] = `web-test-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  }
  const r = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await r.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  if (!r.ok) throw new Error(`${method} ${path} → ${r.status} ${text.slice(0, 400)}`);
  return json;
}

// The browser's own receipt checks as rendered (verifier.js): {verdict, ok: {check: true|false|null}}.
async function receiptChecks(page, scope = '#result') {
  await page.waitForSelector(`${scope} .receipt-checks[data-verdict]`);
  return page.$eval(`${scope} .receipt-checks`, (box) => ({
    verdict: box.dataset.verdict,
    ok: Object.fromEntries([...box.querySelectorAll('li[data-check]')].map((li) =>
      [li.dataset.check, li.dataset.ok === 'true' ? true : li.dataset.ok === 'false' ? false : null])),
  }));
}
const RECEIPT_CHECKS = ['ledger', 'document', 'manifest', 'issuer', 'finance'];
const allGreen = (qr) => Object.fromEntries([...RECEIPT_CHECKS, ...(qr ? ['qr'] : [])].map((n) => [n, true]));

// Shared between the receipt scenarios: one receipt issued by the demo hospital to 张伟.
let issued = null;
async function issueReceipt(base, apiKeys) {
  if (issued) return issued;
  const r = await apiCall(base, '/api/v1/receipts', { key: apiKeys.hospital, method: 'POST', body: {
    kind: 'outpatient', payer_id_number: ZHANG_WEI_ID, payer_name: '张伟', channel: 'wechat',
    items: [
      { category: '西药费', name: '阿莫西林胶囊', quantity: 2, unit_fen: 1850, amount_fen: 3700 },
      { category: '诊疗费', name: '普通门诊诊查费', quantity: 1, unit_fen: 1000, amount_fen: 1000 },
    ],
    total_fen: 4700, insurance_fen: 2000, self_fen: 2700,
  } });
  const { code, number } = r.receipts ? r.receipts[0] : r;  // a single receipt comes back whole
  // The issuing system may read its receipt back, QR text included.
  issued = await apiCall(base, `/api/v1/receipts/${code}/${number}`, { key: apiKeys.hospital });
  assert.ok(issued.qr_text.startsWith('TBR1.'));
  return issued;
}

// Shared between the licence scenarios: the QR a citizen made in the portal.
let presented = null;

export const scenarios = [
  {
    name: 'landing page: Chinese by default, English switch persists, large text, navigation',
    async run({ page, base, shot }) {
      await page.goto(`${base}/`);
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
      await page.waitForFunction(() => /200/.test(document.getElementById('health').textContent));
      const links = await page.$$eval('header nav a', (as) => as.map((a) => a.getAttribute('href')));
      assert.deepEqual(links, ['/', '/portal', '/portal/account', '/portal/inbox', '/portal/attorneys', '/console', '/verify', '/explorer']);
      await checkAccessible(page);
      // The checker itself catches low contrast (grey #bbb on white is 1.9:1).
      await page.evaluate(() => {
        const p = document.createElement('p');
        p.id = 'low-contrast';
        p.textContent = '浅灰色文字';
        p.style.color = '#bbb';
        document.querySelector('main').append(p);
      });
      await assert.rejects(checkAccessible(page), /contrast 1\.9/);
      await page.evaluate(() => document.getElementById('low-contrast').remove());
      await shot('home-zh');
      await page.click('#lang');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      await page.goto(`${base}/verify`);
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.match(await page.textContent('h1'), /Verify a receipt or licence/);
      await shot('verify-en');
      await page.click('#lang');
      assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
      // Large text: keyboard-operable, persisted, really larger.
      const before = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
      await page.focus('#large');
      await page.keyboard.press('Enter');
      assert.equal(await page.getAttribute('#large', 'aria-pressed'), 'true');
      await page.goto(`${base}/`);
      const after = await page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
      assert.ok(after > before * 1.2, `large text ${after}px vs ${before}px`);
      await shot('home-large-text');
      // Every page still fits the phone in large text, in both languages.
      for (const path of ['/portal', '/console', '/verify', '/explorer', '/api']) {
        await page.goto(`${base}${path}`);
        await page.waitForSelector('body[data-ready=true]');
        await checkAccessible(page);
        await page.click('#lang');
        await checkAccessible(page);
        // In English no page text is left in Chinese (except what is marked lang="zh").
        const untranslated = await page.evaluate(() => {
          const out = [];
          const w = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          for (let n = w.nextNode(); n; n = w.nextNode()) {
            const el = n.parentElement;
            if (/[\u4e00-\u9fff]/.test(n.textContent) && !el.closest('[lang^="zh"], [hidden]') && el.getClientRects().length) {
              out.push(n.textContent.trim().slice(0, 30));
            }
          }
          return out;
        });
        // (The API page lists the server's route summaries, which name Chinese terms on purpose.)
        if (path !== '/api') assert.deepEqual(untranslated, [], `${path} in English`);
        await page.click('#lang');
      }
      await page.goto(`${base}/explorer`);
      await page.waitForSelector('#signatures');
      await checkAccessible(page);
      await shot('explorer-large-text');
      await page.click('#large');
    },
  },
  {
    name: 'formatting in the browser: ¥ from integer fen, Asia/Shanghai times, SM3 vector',
    async run({ page, base }) {
      await page.goto(`${base}/`);
      const r = await page.evaluate(async () => {
        const s = await import('/static/shell.js');
        const { sm3 } = await import('/static/sm3.js');
        const { toHex } = await import('/static/encoding.js');
        return {
          fen: [s.formatFen(123456), s.formatFen(5), s.formatFen(-100), s.formatFen('900719925474099312')],
          time: s.formatTime('2026-01-01T00:00:00Z'),
          times: [s.formatTime(1767225600), s.formatTime(1767225600000), s.formatTime(1767225600000000), s.formatTime(null)],
          sm3: toHex(sm3('abc')),
        };
      });
      assert.deepEqual(r.fen, ['¥1,234.56', '¥0.05', '-¥1.00', '¥9,007,199,254,740,993.12']);
      assert.equal(r.time, '2026-01-01 08:00:00 (UTC+8)');
      assert.deepEqual(r.times, Array(3).fill('2026-01-01 08:00:00 (UTC+8)').concat(['—']));
      assert.equal(r.sm3, '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    },
  },
  {
    name: 'explorer: checkpoint signature (SM2 or Ed25519), entry inclusion proof and consistency proof checked in the browser',
    async run({ page, base, suite, shot }) {
      await page.goto(`${base}/explorer`);
      await page.waitForSelector('#signatures tbody tr[data-kind=log]');
      assert.match(await page.textContent('#log-info'), suite === 'intl' ? /SHA-256 \+ Ed25519/ : /SM3 \+ SM2/);
      assert.match(await page.textContent('#signatures tr[data-kind=log]'), /✓/);
      await checkAccessible(page);
      await page.fill('#entry-index', '3');
      await page.keyboard.press('Enter');
      await page.waitForSelector('#entry [data-proof-ok]');
      assert.equal(await page.getAttribute('#entry [data-proof-ok]', 'data-proof-ok'), 'true');
      await shot('explorer');
      // The newest entry, from the latest-entries list.
      await page.waitForSelector('#recent-entries tbody button');
      await page.click('#recent-entries tbody tr:first-child button');
      await page.waitForFunction(() => document.querySelector('#entry dd')?.textContent !== '3');
      await page.waitForSelector('#entry [data-proof-ok]');
      assert.equal(await page.getAttribute('#entry [data-proof-ok]', 'data-proof-ok'), 'true');
      // Consistency: the oldest listed checkpoint against the latest.
      const button = await page.$('#checkpoints button');
      if (button) {
        await button.click();
        await page.waitForSelector('#cons [data-proof-ok]');
        assert.equal(await page.getAttribute('#cons [data-proof-ok]', 'data-proof-ok'), 'true');
      }
      // A bad request shows the server's problem+json with its field.
      await page.fill('#cons-from', '0');
      await page.fill('#cons-to', '5');
      await page.evaluate(() => document.getElementById('cons-form').requestSubmit());
      await page.waitForSelector('#cons-error.problem');
      assert.match(await page.textContent('#cons-error'), /400/);
      await shot('explorer-consistency');
    },
  },
  {
    name: 'explorer: a witness cosignature is listed, then verified with the witness key',
    async run({ page, base, witnessKey, shot }) {
      if (!witnessKey) return 'skip';
      await page.goto(`${base}/explorer`);
      await page.waitForSelector('#signatures tr[data-kind=cosignature]');
      assert.match(await page.textContent('#signatures tr[data-kind=cosignature]'), /未核对|not checked/);
      await page.click('#witness-keys-summary');
      await page.fill('#witness-keys', witnessKey);
      await page.click('#recheck');
      await page.waitForFunction(() => /✓/.test(document.querySelector('#signatures tr[data-kind=cosignature]')?.textContent || ''));
      assert.match(await page.textContent('#signatures tr[data-kind=log]'), /✓/);
      await shot('explorer-cosigned');
      // A wrong witness key (the right name and ID, another public key) does not verify.
      const [name, id, ...rest] = witnessKey.split('+');
      const b64 = rest.join('+');
      const wrong = `${name}+${id}+${b64.slice(0, 10)}${b64[10] === 'A' ? 'B' : 'A'}${b64.slice(11)}`;
      await page.fill('#witness-keys', wrong);
      await page.click('#recheck');
      await page.waitForFunction(() => /✗/.test(document.querySelector('#signatures tr[data-kind=cosignature]')?.textContent || ''));
    },
  },
  {
    name: 'explorer: a tampered proof and a tampered checkpoint signature are shown as failing',
    async run({ page, base, shot }) {
      await page.route('**/api/v1/ledger/proofs/inclusion*', async (route) => {
        const res = await route.fetch();
        const p = await res.json();
        [p.hashes[0], p.hashes[1]] = [p.hashes[1], p.hashes[0]];
        // Also corrupt the log's signature: flip one byte of the base64 signature.
        p.checkpoint = p.checkpoint.replace(/(\u2014 \S+ )(\S)/, (m, a, c) => a + (c === 'A' ? 'B' : 'A'));
        await route.fulfill({ response: res, json: p });
      });
      await page.goto(`${base}/explorer?index=5`);
      await page.waitForSelector('#entry [data-proof-ok]');
      assert.equal(await page.getAttribute('#entry [data-proof-ok]', 'data-proof-ok'), 'false');
      const failed = await page.$$eval('#entry li.fail', (li) => li.map((x) => x.textContent));
      assert.ok(failed.some((t) => /signature|签名/.test(t)), failed.join('|'));
      assert.ok(failed.some((t) => /root|根/.test(t)), failed.join('|'));
      await shot('explorer-tampered');
    },
  },
  {
    name: 'verify page: unrecognised and malformed input are explained, not crashed on',
    async run({ page, base, shot }) {
      await page.goto(`${base}/verify`);
      await checkAccessible(page);
      await page.fill('#qr-text', 'hello');
      await page.click('#paste-form button[type=submit]');
      await page.waitForSelector('#error.problem');
      assert.match(await page.textContent('#error'), /TBR1/);
      await shot('verify');
    },
  },
  {
    name: 'verify page: a QR code read from an image file (jsQR in this browser)',
    async run({ page, context, base }) {
      if (!(await hasDecoder(base))) return 'skip';
      const text = 'TBR1.image-scan-test';
      const png = await qrPng(context, text);
      await page.goto(`${base}/verify`);
      await page.setInputFiles('#image-file', { name: 'qr.png', mimeType: 'image/png', buffer: png });
      await page.waitForFunction((t) => document.getElementById('qr-text').value === t, text);
    },
  },
  {
    name: 'verify page: a QR code read by the camera (a fake camera filming a QR code)',
    async run({ page, base, cameraText, shot }) {
      if (!(await hasDecoder(base))) return 'skip';
      await page.goto(`${base}/verify`);
      await page.click('#camera');
      await page.waitForFunction((t) => document.getElementById('qr-text').value === t, cameraText);
      // The camera is released once a code is read.
      await page.waitForFunction(() => document.getElementById('video').hidden);
      await page.waitForSelector('#error.problem, #result [data-status]');
      await shot('verify-camera');
    },
  },
  {
    name: 'console: a citizen is refused, window staff log in with the keyboard',
    async run({ page, base, shot }) {
      await page.goto(`${base}/console`);
      await checkAccessible(page);
      await login(page, '13800000001');
      await page.waitForSelector('#error.problem');
      assert.equal(await page.isVisible('#work'), false);
      await page.fill('#login', 'nobody');
      await page.fill('#password', 'wrong');
      await page.click('#login-form button[type=submit]');
      await page.waitForFunction(() => /401/.test(document.getElementById('error').textContent));
      await shot('console-login-refused');
      await page.fill('#login', '');
      await page.fill('#password', '');
      await page.focus('#login');
      await page.keyboard.type('staff-xihu-001');
      await page.keyboard.press('Tab');
      await page.keyboard.type(PASSWORD);
      await page.keyboard.press('Enter');
      await page.waitForSelector('body[data-signed-in=true]');
      assert.match(await page.textContent('#who'), /staff-xihu-001/);
      assert.match(await page.textContent('#decoder'), /jsQR|BarcodeDetector/);
      await checkAccessible(page);
      await shot('console');
      // A forged (or expired) token: back to the login form with a clear message, nothing verified.
      await page.evaluate(() => sessionStorage.setItem('tongban.token.console', 'tb1.forged'));
      await page.fill('#qr-text', 'eyJub3Q.a-token');  // a licence check sends the staff token
      await page.click('#scan-form button[type=submit]');
      await page.waitForSelector('#login-section:not([hidden])');
      assert.match(await page.textContent('#error'), /401/);
      assert.equal(await page.evaluate(() => sessionStorage.getItem('tongban.token.console')), null);
    },
  },
  {
    name: 'portal: a citizen logs in and sees the wallet',
    async run({ page, base, shot }) {
      await page.goto(`${base}/portal`);
      await checkAccessible(page);
      await login(page, '13800000001');
      await page.waitForSelector('body[data-loaded=true]');
      assert.match(await page.textContent('#who'), /张伟/);
      await checkAccessible(page);
      await shot('portal');
      // The enterprise's wallet: its licences, no receipts section (receipts are a person's).
      await page.click('#logout');
      await page.waitForSelector('#login-section:not([hidden])');
      await login(page, 'enterprise-hz-demo');
      await page.waitForSelector('body[data-loaded=true]');
      assert.equal(await page.isVisible('#receipts-section'), false);
      assert.equal(await page.isVisible('#licenses-error'), false);
      assert.equal(await page.isVisible('#verifications-error'), false);
      await checkAccessible(page);
      await shot('portal-enterprise');
    },
  },
  {
    name: 'receipt: 张伟 opens a receipt in the portal, its ledger proof checks, printable',
    async run({ page, base, apiKeys, shot }) {
      if (!(await offers(base, '/api/v1/receipts/verify')) || !apiKeys.hospital) return 'skip';
      const rec = await issueReceipt(base, apiKeys);
      await page.goto(`${base}/portal`);
      await login(page, '13800000001');
      await page.waitForSelector('body[data-loaded=true]');
      // The wallet pages with a cursor: "load more" until this receipt is listed.
      for (let i = 0; i < 20 && !(await page.$(`[data-receipt="${rec.code}/${rec.number}"]`)); i++) {
        const before = await page.$$eval('#receipts li', (l) => l.length);
        await page.click('#receipts-more');
        await page.waitForFunction((n) => document.querySelectorAll('#receipts li').length > n, before);
      }
      await page.click(`[data-receipt="${rec.code}/${rec.number}"] button`);
      await page.waitForSelector('#receipt [data-proof-ok]');
      assert.equal(await page.getAttribute('#receipt [data-proof-ok]', 'data-proof-ok'), 'true');
      assert.equal(await page.getAttribute('#receipt [data-status]', 'data-status'), 'authentic');
      assert.deepEqual(await receiptChecks(page, '#receipt'), { verdict: 'verified', ok: allGreen(true) });
      assert.match(await page.textContent('#receipt'), /¥47\.00/);
      assert.match(await page.textContent('#receipt'), /阿莫西林胶囊/);
      await checkAccessible(page);
      await shot('portal-receipt');
      await page.emulateMedia({ media: 'print' });
      assert.equal(await page.isVisible('#site-header'), false);
      assert.equal(await page.isVisible('#receipt'), true);
      await shot('portal-receipt-print');
      await page.emulateMedia({ media: 'screen' });
    },
  },
  {
    name: 'receipt: verified on the public page (authentic, proof checked, payer masked); a forged QR is not authentic',
    async run({ page, base, apiKeys, shot }) {
      if (!(await offers(base, '/api/v1/receipts/verify')) || !apiKeys.hospital) return 'skip';
      const rec = await issueReceipt(base, apiKeys);
      await page.goto(`${base}/verify`);
      await page.fill('#qr-text', rec.qr_text);
      await page.click('#paste-form button[type=submit]');
      await page.waitForSelector('#result [data-proof-ok]');
      assert.equal(await page.getAttribute('#result [data-status]', 'data-status'), 'authentic');
      assert.equal(await page.getAttribute('#result [data-proof-ok]', 'data-proof-ok'), 'true');
      assert.deepEqual(await receiptChecks(page), { verdict: 'verified', ok: allGreen(true) });
      const text = await page.textContent('#result');
      assert.ok(!text.includes('张伟'), 'the payer name is masked on the public page');
      await shot('verify-receipt');
      // The same by code, number and check code.
      if (rec.check_code) {
        await page.fill('#r-code', rec.code);
        await page.fill('#r-number', String(rec.number));
        await page.fill('#r-check', rec.check_code);
        await page.click('#fields-form button[type=submit]');
        await page.waitForSelector('#result [data-proof-ok]');
        assert.equal(await page.getAttribute('#result [data-status]', 'data-status'), 'authentic');
        assert.deepEqual(await receiptChecks(page), { verdict: 'verified', ok: allGreen(false) });  // no QR to check
      }
      // A forged QR: one character of its signature changed.
      const i = rec.qr_text.length - 5;
      const forged = rec.qr_text.slice(0, i) + (rec.qr_text[i] === 'A' ? 'B' : 'A') + rec.qr_text.slice(i + 1);
      await page.fill('#qr-text', forged);
      await page.click('#paste-form button[type=submit]');
      await page.waitForSelector('#result [data-status], #error.problem');
      const status = await page.getAttribute('#result [data-status]', 'data-status').catch(() => null);
      assert.notEqual(status, 'authentic');
      await shot('verify-receipt-forged');
    },
  },
  {
    name: 'receipt: the sample receipt\'s ledger, document, manifest line, issuer, finance and QR signatures are all checked in this browser (zh, en)',
    async run({ page, base, apiKeys, sample, shot }) {
      if (!(await offers(base, '/api/v1/receipts/keys')) || !apiKeys.hospital || !sample) return 'skip';
      const qr = (await apiCall(base, `/api/v1/receipts/${sample.code}/${sample.number}`, { key: apiKeys.hospital })).qr_text;
      const asked = [];
      page.on('request', (r) => { if (r.url().includes('/api/v1/receipts/')) asked.push(new URL(r.url())); });
      await page.goto(`${base}/verify?qr=${encodeURIComponent(qr)}`);
      assert.deepEqual(await receiptChecks(page), { verdict: 'verified', ok: allGreen(true) });
      assert.equal(await page.getAttribute('#result [data-status]', 'data-status'), 'authentic');
      assert.equal(await page.getAttribute('#result .receipt-checks', 'class'), 'checks receipt-checks good');
      // The manifest was asked for, the keys fetched once.
      assert.ok(asked.some((u) => u.pathname === '/api/v1/receipts/verify' && u.searchParams.get('manifest') === '1'));
      assert.equal(asked.filter((u) => u.pathname === '/api/v1/receipts/keys').length, 1);
      const zh = await page.textContent('#result .receipt-checks');
      for (const t of ['已在本浏览器中核对全部签名与证明', '开票单位签名', '财政部门签名', '二维码签名', '批次清单', '已在本浏览器核对']) {
        assert.ok(zh.includes(t), `"${t}" in ${zh}`);
      }
      await checkAccessible(page);
      await shot('verify-receipt-checks-zh');
      await page.click('#lang');
      const en = await page.textContent('#result .receipt-checks');
      for (const t of ['Every signature and proof checked in this browser', 'Issuer signature', 'Finance signature', 'QR signature',
        'Batch manifest', 'checked in this browser']) {
        assert.ok(en.includes(t), `"${t}" in ${en}`);
      }
      await checkAccessible(page);
      await shot('verify-receipt-checks-en');
    },
  },
  {
    name: 'receipt: a tampered verify answer (document, manifest line, issuer signature, QR signature) shows that check failed and "not verified"',
    async run({ page, base, apiKeys, sample, shot }) {
      if (!(await offers(base, '/api/v1/receipts/keys')) || !apiKeys.hospital || !sample) return 'skip';
      const qr = (await apiCall(base, `/api/v1/receipts/${sample.code}/${sample.number}`, { key: apiKeys.hospital })).qr_text;
      const i = qr.length - 5;
      const forgedQr = qr.slice(0, i) + (qr[i] === 'A' ? 'B' : 'A') + qr.slice(i + 1);
      const isVerify = (u) => u.pathname === '/api/v1/receipts/verify';
      const cases = [
        ['document', qr, (a) => { a.document = a.document.replace('total_fen: ', 'total_fen: 1'); }],
        ['manifest', qr, (a) => {
          const k = a.batch.manifest.indexOf(`${sample.code}/${sample.number} `) + 20;
          a.batch.manifest = a.batch.manifest.slice(0, k) + (a.batch.manifest[k] === '0' ? '1' : '0') + a.batch.manifest.slice(k + 1);
        }],
        ['issuer', qr, (a) => { a.batch.issuer_signature = a.batch.finance_signature; }],
        // A lying server: the page asks about a forged QR, the server answers for the genuine one.
        ['qr', forgedQr, null],
      ];
      for (const [check, text, tamper] of cases) {
        await page.route(isVerify, async (route) => {
          const u = new URL(route.request().url());
          if (!tamper) u.searchParams.set('qr', qr);
          const response = await route.fetch({ url: u.toString() });
          const answer = await response.json();
          assert.equal(answer.status, 'authentic');
          if (tamper) tamper(answer);
          await route.fulfill({ response, json: answer });
        });
        await page.goto(`${base}/verify?qr=${encodeURIComponent(text)}`);
        const got = await receiptChecks(page);
        const expected = { ...allGreen(true), [check]: false };
        if (check === 'manifest') Object.assign(expected, { issuer: false, finance: false });  // the signed bytes changed
        assert.deepEqual(got, { verdict: 'failed', ok: expected }, check);
        // The server said authentic; the page says not verified, in red, and shows the server's word.
        assert.equal(await page.getAttribute('#result [data-status]', 'data-status'), 'not_verified', check);
        assert.match(await page.getAttribute('#result .status-badge', 'class'), /status-bad/);
        assert.equal(await page.getAttribute('#result [data-server-status]', 'data-server-status'), 'authentic');
        assert.match(await page.textContent('#result .receipt-checks'), /未通过验证/);
        assert.ok(!(await page.textContent('#result .status-badge')).includes('真实有效'), check);
        await shot(`verify-receipt-tampered-${check}`);
        await page.unroute(isVerify);
      }
    },
  },
  {
    name: 'receipt: window staff scan the receipt QR (the server\'s SVG, as an image) in the console; the archive keeps it; a tampered answer is archived as not verified',
    async run({ page, context, base, apiKeys, shot }) {
      if (!(await offers(base, '/api/v1/receipts/verify')) || !apiKeys.hospital || !(await hasDecoder(base))) return 'skip';
      const rec = await issueReceipt(base, apiKeys);
      const svg = await (await fetch(`${base}/api/v1/receipts/${rec.code}/${rec.number}/qr.svg`,
        { headers: { Authorization: `Bearer ${apiKeys.hospital}` } })).text();
      assert.match(svg, /<svg/);
      const png = await svgPng(context, svg);
      await page.goto(`${base}/console`);
      await login(page, 'staff-xihu-001');
      await page.waitForSelector('body[data-signed-in=true]');
      await page.setInputFiles('#image-file', { name: 'receipt.png', mimeType: 'image/png', buffer: png });
      await page.waitForSelector('#result [data-proof-ok]');
      assert.equal(await page.inputValue('#qr-text'), rec.qr_text);
      assert.equal(await page.getAttribute('#result [data-status]', 'data-status'), 'authentic');
      assert.equal(await page.getAttribute('#result [data-proof-ok]', 'data-proof-ok'), 'true');
      assert.deepEqual(await receiptChecks(page), { verdict: 'verified', ok: allGreen(true) });
      const rows = await page.$$eval('#archive tbody tr', (r) => r.map((x) => x.textContent));
      assert.ok(rows.some((t) => t.includes(`${rec.code}/${rec.number}`) && t.includes('真实有效')), rows.join('|'));
      await shot('console-receipt');
      // A lying server (the issuer signature replaced by the finance one): the clerk sees "not
      // verified", and the archive keeps that, not the server's "authentic".
      const isVerify = (u) => u.pathname === '/api/v1/receipts/verify';
      await page.route(isVerify, async (route) => {
        const response = await route.fetch();
        const answer = await response.json();
        answer.batch.issuer_signature = answer.batch.finance_signature;
        await route.fulfill({ response, json: answer });
      });
      await page.fill('#qr-text', rec.qr_text);
      await page.click('#scan-form button[type=submit]');
      await page.waitForSelector('#result .receipt-checks[data-verdict=failed]');
      assert.deepEqual(await receiptChecks(page), { verdict: 'failed', ok: { ...allGreen(true), issuer: false } });
      assert.equal(await page.getAttribute('#result [data-status]', 'data-status'), 'not_verified');
      const after = await page.$$eval('#archive tbody tr', (r) => r.map((x) => x.textContent));
      assert.ok(after[0].includes(`${rec.code}/${rec.number}`) && after[0].includes('未通过验证'), after[0]);
      await page.unroute(isVerify);
    },
  },
  {
    name: 'licence: 张伟 presents a licence QR choosing fields; staff verify it from an image in the console; a tampered token is invalid',
    async run({ page, context, base, artifacts, shot }) {
      if (!(await offers(base, '/api/v1/me/licenses')) || !(await offers(base, '/api/v1/licenses/verify')) ||
          !(await hasDecoder(base))) return 'skip';
      await page.goto(`${base}/portal`);
      await login(page, '13800000001');
      await page.waitForSelector('body[data-loaded=true]');
      const present = await page.$('#licenses .card button.primary:not([disabled])');
      if (!present) throw new Error('the demo citizen has no valid licence to present');
      await present.click();
      await page.waitForSelector('#present-fields input[type=checkbox]');
      const boxes = await page.$$('#present-fields input[type=checkbox]');
      assert.ok(boxes.length >= 1);
      // ID numbers start unticked: the least is disclosed by default.
      for (const label of await page.$$('#present-fields label')) {
        if (/身份号码/.test(await label.textContent())) assert.equal(await (await label.$('input')).isChecked(), false);
      }
      let hidden = null;
      if (boxes.length > 2) {  // keep one more field back
        hidden = await boxes[0].getAttribute('value');
        await boxes[0].uncheck();
      }
      const chosen = await page.$$eval('#present-fields input:checked', (b) => b.length);
      assert.ok(chosen >= 1);
      await page.click('#present-form button[type=submit]');
      await page.waitForSelector('#presentation-qr');
      await checkAccessible(page);
      await shot('portal-present');
      const qrText = await page.inputValue('#presentation-text');
      const png = await page.locator('#presentation-qr').screenshot();
      presented = { qrText, hidden };

      const staff = await context.newPage();
      try {
        await staff.goto(`${base}/console`);
        await login(staff, 'staff-xihu-001');
        await staff.waitForSelector('body[data-signed-in=true]');
        await staff.fill('#purpose', '办理营业执照变更');
        await staff.setInputFiles('#image-file', { name: 'licence.png', mimeType: 'image/png', buffer: png });
        await staff.waitForSelector('#result [data-status]');
        assert.equal(await staff.inputValue('#qr-text'), qrText, 'the console read the QR the portal showed');
        assert.equal(await staff.getAttribute('#result [data-status]', 'data-status'), 'valid');
        assert.equal(await staff.$$eval('#result dl.disclosed dt', (d) => d.length), chosen,
          'exactly the chosen fields are disclosed');
        // The licence's ledger proof (its latest lifecycle entry), checked in the staff browser.
        await staff.waitForSelector('#result [data-proof-ok]');
        assert.equal(await staff.getAttribute('#result [data-proof-ok]', 'data-proof-ok'), 'true',
          await staff.textContent('#result .checks'));
        assert.match(await staff.textContent('#result .checks .verdict'), /已在本浏览器中验证账本证明|Ledger proof checked in this browser/);
        assert.match(await staff.textContent('#result .checks'), /账本文书所记为此证照|names this licence/);
        const newest = await staff.textContent('#archive tbody tr:first-child');
        assert.ok(/证照/.test(newest) && /有效/.test(newest) && /办理营业执照变更/.test(newest), newest);
        await staff.screenshot({ path: join(artifacts, 'console-verified.png'), fullPage: true });
      } finally {
        await staff.close();
      }

      // The holder sees who verified the licence.
      await page.reload();
      await page.waitForSelector('body[data-loaded=true]');
      assert.match(await page.textContent('#verifications'), /办理营业执照变更/);
      await shot('portal-verifications');

      // A tampered presentation: one character of the issuer's signature changed.
      const loginRes = await apiCall(base, '/api/v1/auth/login', { method: 'POST', body: { login: '13800000001', password: PASSWORD } });
      const mine = await apiCall(base, '/api/v1/me/licenses', { key: loginRes.access_token });
      const lic = mine.items.find((x) => x.status === 'valid');
      const p = await apiCall(base, `/api/v1/me/licenses/${encodeURIComponent(lic.id)}/presentations`,
        { key: loginRes.access_token, method: 'POST', body: { disclose: [Object.keys(lic.fields)[0]] } });
      const jwt = p.token.slice(0, p.token.indexOf('~'));
      const k = jwt.length - 10;
      const tampered = jwt.slice(0, k) + (jwt[k] === 'A' ? 'B' : 'A') + p.token.slice(k + 1);
      await page.goto(`${base}/verify`);
      await page.fill('#qr-text', tampered);
      await page.click('#paste-form button[type=submit]');
      await page.waitForSelector('#result [data-status]');
      assert.equal(await page.getAttribute('#result [data-status]', 'data-status'), 'invalid');
      await shot('verify-license-tampered');
      // Not a token at all: the server's 400 problem is shown.
      await page.fill('#qr-text', 'eyJub3Q.a-token');
      await page.click('#paste-form button[type=submit]');
      await page.waitForSelector('#error.problem');
      assert.match(await page.textContent('#error'), /400/);
    },
  },
  {
    name: 'verify page: a voided receipt and a revoked licence are shown as such',
    async run({ page, base, apiKeys, shot }) {
      const haveReceipts = (await offers(base, '/api/v1/receipts/{code}/{number}/void')) && apiKeys.hospital;
      const haveLicences = (await offers(base, '/api/v1/licenses/{id}/revoke')) && apiKeys.registry;
      if (!haveReceipts && !haveLicences) return 'skip';
      if (haveReceipts) {
        const r = await apiCall(base, '/api/v1/receipts', { key: apiKeys.hospital, method: 'POST', body: {
          kind: 'outpatient', payer_id_number: ZHANG_WEI_ID, payer_name: '张伟', channel: 'cash',
          items: [{ category: '检查费', name: '血常规', quantity: 1, unit_fen: 2500, amount_fen: 2500 }],
          total_fen: 2500, insurance_fen: 0, self_fen: 2500 } });
        const rec = await apiCall(base, `/api/v1/receipts/${r.code}/${r.number}`, { key: apiKeys.hospital });
        await apiCall(base, `/api/v1/receipts/${r.code}/${r.number}/void`, { key: apiKeys.hospital, method: 'POST',
          body: { reason: '收费项目有误' } });
        await page.goto(`${base}/verify?qr=${encodeURIComponent(rec.qr_text)}`);
        await page.waitForSelector('#result [data-status]');
        assert.equal(await page.getAttribute('#result [data-status]', 'data-status'), 'voided');
        assert.match(await page.textContent('#result'), /收费项目有误/);
        await shot('verify-receipt-voided');
      }
      if (haveLicences) {
        // The demo enterprise's business licence, issued by the market regulator (the registry key).
        const login = await apiCall(base, '/api/v1/auth/login', { method: 'POST',
          body: { login: 'enterprise-hz-demo', password: PASSWORD } });
        const mine = await apiCall(base, '/api/v1/me/licenses', { key: login.access_token });
        const lic = mine.items.find((x) => x.status === 'valid' && /市场监督/.test(x.issuer_name || ''));
        if (!lic) throw new Error(`no licence of the market regulator in ${JSON.stringify(mine.items.map((x) => x.issuer_name))}`);
        const p = await apiCall(base, `/api/v1/me/licenses/${encodeURIComponent(lic.id)}/presentations`,
          { key: login.access_token, method: 'POST', body: { disclose: [Object.keys(lic.fields)[0]] } });
        await apiCall(base, `/api/v1/licenses/${encodeURIComponent(lic.id)}/revoke`, { key: apiKeys.registry,
          method: 'POST', body: { reason: '企业申请注销' } });
        await page.goto(`${base}/verify`);
        await page.fill('#qr-text', p.token);
        await page.click('#paste-form button[type=submit]');
        await page.waitForSelector('#result [data-status]');
        assert.equal(await page.getAttribute('#result [data-status]', 'data-status'), 'revoked');
        // Proven by the revoke entry itself.
        await page.waitForSelector('#result [data-proof-ok]');
        assert.equal(await page.getAttribute('#result [data-proof-ok]', 'data-proof-ok'), 'true',
          await page.textContent('#result .checks'));
        assert.match(await page.textContent('#result .checks'), /license\.revoke/);
        await shot('verify-license-revoked');
      }
    },
  },
];
