// The Playwright suite of Tongban's pages: playwright-core drives Debian's chromium (headless,
// phone-sized viewport) against a running `tongban demo`. Started by run_e2e.sh:
//   node pages.mjs --base http://127.0.0.1:PORT --artifacts DIR --demo-output FILE
// Every page is screenshotted into DIR. Requests to any host but 127.0.0.1 are blocked and fail
// the suite (no CDN, no fonts); so do page errors and CSP violations. The receipt and licence
// scenarios run when the server has those parts (probed), so the suite tracks what has landed.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarios } from './scenarios.mjs';
import { dataScenarios } from './data_scenarios.mjs';
import { serviceScenarios } from './service_scenarios.mjs';
import { reviewScenarios } from './review_scenarios.mjs';
import { accountScenarios } from './account_scenarios.mjs';
import { attorneyScenarios } from './attorney_scenarios.mjs';
import { inboxScenarios } from './inbox_scenarios.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const base = arg('base');
const artifacts = arg('artifacts', 'test-artifacts/web');
const demoOutput = arg('demo-output');
const suite = arg('suite', 'gm');  // the demo's ledger suite
const witnessKey = arg('witness-key');  // the verifier key of a witness cosigning the log, if any
const only = arg('only') ? new RegExp(arg('only')) : null;  // run only the scenarios whose name matches
if (!base) { console.error('usage: node pages.mjs --base URL [--artifacts DIR] [--demo-output FILE]'); process.exit(2); }

// The demo prints its API keys ("tbk_…") beside the organisation they belong to.
const demoText = demoOutput ? readFileSync(demoOutput, 'utf8') : '';
const apiKeys = {};
for (const line of demoText.split('\n')) {
  const m = /(tbk_[A-Za-z0-9_-]+)/.exec(line);
  if (!m) continue;
  if (/医院|receipt:issue/.test(line)) apiKeys.hospital = m[1];
  else if (/医疗保障|receipt:reimburse/.test(line)) apiKeys.insurer = m[1];
  else if (/市场监督|license:issue/.test(line)) apiKeys.registry = m[1];
}
// …and its sample receipt: "Sample receipt (…): code/number 33040126/0000000001, check code 84B0HU".
const sm = /Sample receipt[^\n]*code\/number ([0-9]{8})\/([0-9]{10}), check code ([0-9A-Z]{6})/.exec(demoText);
const sample = sm ? { code: sm[1], number: sm[2], check: sm[3] } : null;
// …and where its SMS gateway (the notify file sink) writes one-time codes.
const cm = /One-time codes[^\n]* to (\S+)/.exec(demoText);
const codesFile = cm ? cm[1] : null;

const userDataDir = mkdtempSync(join(tmpdir(), 'tongban-chromium-'));
// A fake camera that films a QR code (qr_y4m.py), for the camera-scan scenario.
export const CAMERA_TEXT = 'TBR1.camera-scan-test';
const cameraFile = join(userDataDir, 'camera.y4m');
execFileSync('python3', [join(dirname(fileURLToPath(import.meta.url)), 'qr_y4m.py'), CAMERA_TEXT, cameraFile]);
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
         '--no-first-run', '--disable-component-update', '--disable-sync',
         '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
         `--use-file-for-fake-video-capture=${cameraFile}`],
  viewport: { width: 390, height: 844 },
  locale: 'zh-CN',
});

const outside = [];
await context.route('**/*', (route) => {
  const u = new URL(route.request().url());
  if (['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol) && u.hostname !== '127.0.0.1') {
    outside.push(u.href);
    return route.abort();
  }
  return route.continue();
});

let failures = 0;
let passed = 0;
let skipped = 0;
const t0 = Date.now();
for (const s of [...scenarios, ...dataScenarios, ...serviceScenarios, ...reviewScenarios, ...accountScenarios, ...attorneyScenarios, ...inboxScenarios].filter((x) => !only || only.test(x.name))) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  // Each scenario starts in Chinese at normal size, whatever the one before it left behind.
  await page.goto(`${base}/healthz`);
  await page.evaluate(() => { localStorage.removeItem('tongban.lang'); localStorage.removeItem('tongban.large'); });
  const started = Date.now();
  if (s.pending && !process.env.TONGBAN_WEB_PENDING) {
    skipped++;
    console.log(`skip ${s.name} (pending; TONGBAN_WEB_PENDING=1 runs it)`);
    await page.close();
    continue;
  }
  try {
    const r = await s.run({ page, context, base, artifacts, apiKeys, sample, suite, witnessKey, cameraText: CAMERA_TEXT, codesFile,
      shot: (name) => page.screenshot({ path: join(artifacts, `${suite === 'gm' ? '' : `${suite}-`}${name}.png`), fullPage: true }) });
    if (errors.length) throw new Error(errors.join('\n'));
    if (r === 'skip') { skipped++; console.log(`skip ${s.name}`); }
    else { passed++; console.log(`ok   ${s.name} (${Date.now() - started} ms)`); }
  } catch (e) {
    failures++;
    console.log(`FAIL ${s.name}\n     ${String(e.stack || e).split('\n').slice(0, 6).join('\n     ')}`);
    await page.screenshot({ path: join(artifacts, `FAILED-${s.name.replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true }).catch(() => {});
  } finally {
    await page.close();
  }
}
if (outside.length) { failures++; console.log(`FAIL requests left 127.0.0.1: ${outside.join(', ')}`); }
await context.close();
rmSync(userDataDir, { recursive: true, force: true });
console.log(`${passed} passed, ${skipped} skipped, ${failures} failed in ${((Date.now() - t0) / 1000).toFixed(1)} s; screenshots in ${artifacts}`);
process.exit(failures ? 1 : 0);
