// The "账户与安全 / Account and security" page (/portal/account) in Chromium: 李娜 asks for a
// one-time code, reads it where the demo's SMS gateway writes (the file sink, whose path the demo
// prints), logs in with it, sees her sessions with the current one marked, ends another, and
// downloads her data once with the progress shown — in Chinese and English, phone-sized.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { apiCall, checkAccessible, offers, PASSWORD } from './scenarios.mjs';
import { bothLanguages, setLanguage } from './data_scenarios.mjs';

const LI_NA = '13800000002';

// The newest code the file sink holds for `phone`, waiting up to 10 s for the notify worker.
async function codeFor(codesFile, phone, after) {
  for (let i = 0; i < 100; i++) {
    let text = '';
    try { text = readFileSync(codesFile, 'utf8'); } catch { /* not written yet */ }
    const lines = text.split('\n').filter(Boolean).map((l) => JSON.parse(l))
      .filter((m) => m.template === 'otp.code' && m.to === phone && m.created_at >= after);
    if (lines.length) return /(\d{6})/.exec(lines[lines.length - 1].body)[1];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no one-time code for ${phone} in ${codesFile}`);
}

export const accountScenarios = [
  {
    name: 'account: 李娜 logs in with a code, ends another session, downloads her data once (zh, en)',
    async run({ page, base, shot, codesFile }) {
      if (!(await offers(base, '/api/v1/me/data-export')) || !codesFile) return 'skip';
      // Another session of hers (a password login elsewhere), to be ended from the page.
      const other = await apiCall(base, '/api/v1/auth/login', { method: 'POST', body: { login: LI_NA, password: PASSWORD } });
      const since = Math.floor(Date.now() / 1000) - 1;
      await page.goto(`${base}/portal/account`);
      await page.fill('#otp-login', LI_NA);
      await page.click('#otp-send');
      await page.waitForSelector('#otp-sent:not([hidden])');
      await page.fill('#otp-code', await codeFor(codesFile, LI_NA, since));
      await page.click('#otp-form button[type=submit]');
      await page.waitForSelector('#mine:not([hidden])');
      assert.match(await page.textContent('#who'), /李娜/);

      // My sessions: the current one marked (stepped up by the code), the other one endable.
      await page.waitForSelector('#sessions li[data-current="1"]');
      const current = page.locator('#sessions li[data-current="1"]');
      assert.match(await current.textContent(), /本设备/);
      assert.match(await current.textContent(), /本机\/内网/);
      assert.match(await current.textContent(), /Chrome/);
      const before = await page.locator('#sessions li').count();
      assert.ok(before >= 2, `${before} sessions`);
      await page.locator('#sessions li[data-current="0"] .end-session').first().click();
      await page.waitForFunction((n) => document.querySelectorAll('#sessions li').length === n - 1, before);
      // Whichever one was ended, its token no longer works; if it was the API login's, that too.
      const ended = await fetch(`${base}/api/v1/me`, { headers: { Authorization: `Bearer ${other.access_token}` } });
      assert.ok([200, 401].includes(ended.status));

      // Download my data: progress, then the copy once, shown as a readable page.
      await page.click('#export-start');
      await page.waitForSelector('#export-download:not([hidden])', { timeout: 20000 });
      assert.equal(await page.locator('#export-progress').getAttribute('value'), '100');
      await page.click('#export-download');
      await page.waitForSelector('#export-view section[data-section=identity]');
      assert.match(await page.textContent('#export-view'), /李娜/);
      assert.match(await page.textContent('#export-file'), /保存副本文件/);
      const id = await page.locator('#export-download').getAttribute('data-id');
      const token = await page.evaluate(() => sessionStorage.getItem('tongban.token.portal'));
      const again = await fetch(`${base}/api/v1/me/data-export/${id}/download`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal(again.status, 409, 'downloaded twice');
      await checkAccessible(page);
      await bothLanguages(page, shot, 'portal-account');
      await setLanguage(page, 'en');
      assert.match(await page.textContent('h1'), /Account and security/);
      assert.match(await current.textContent(), /This device/);
    },
  },
  {
    name: 'account: password reset with a code ends every session (no hint for an unknown number)',
    async run({ page, base, codesFile }) {
      if (!(await offers(base, '/api/v1/auth/password/reset')) || !codesFile) return 'skip';
      const who = '13800000001';
      const before = await apiCall(base, '/api/v1/auth/login', { method: 'POST', body: { login: who, password: PASSWORD } });
      const since = Math.floor(Date.now() / 1000) - 1;
      await page.goto(`${base}/portal/account`);
      // An unknown number gets the same answer.
      await page.fill('#reset-login', '13912345678');
      await page.click('#reset-send');
      await page.waitForSelector('#reset-sent:not([hidden])');
      await page.fill('#reset-login', who);
      await page.click('#reset-send');
      await page.fill('#reset-code', await codeFor(codesFile, who, since));
      await page.fill('#reset-password', PASSWORD);  // the same password again: the demo goes on
      await page.click('#reset-form button[type=submit]');
      await page.waitForSelector('#reset-done:not([hidden])');
      const r = await fetch(`${base}/api/v1/me`, { headers: { Authorization: `Bearer ${before.access_token}` } });
      assert.equal(r.status, 401, 'the session before the reset still works');
    },
  },
];
