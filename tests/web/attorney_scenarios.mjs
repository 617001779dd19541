// "我的授权 / My authorisations" (/portal/attorneys) in Chromium, phone-sized, zh and en: 王秀英
// sees the power of attorney she gave her son, is told field by field what is wrong with a new one,
// gives 李娜 one and withdraws it; her son 刘建国 switches to acting for her — a banner on every page
// while it lasts, her receipts under her name — and she then sees what he did for her. The
// enterprise sees its agent (经办人).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { apiCall, checkAccessible, login, offers, PASSWORD } from './scenarios.mjs';
import { bothLanguages, setLanguage } from './data_scenarios.mjs';

const WANG = '13800000021';  // 王秀英
const ZHANG_WEI = '13800000001';

// The newest one-time code the demo's SMS sink (a file) holds for `phone` since `after`.
async function smsCode(codesFile, phone, after) {
  for (let i = 0; i < 100; i++) {
    let text = '';
    try { text = readFileSync(codesFile, 'utf8'); } catch { /* not written yet */ }
    const m = text.split('\n').filter(Boolean).map((l) => JSON.parse(l))
      .filter((x) => x.template === 'otp.code' && x.to === phone && x.created_at >= after).pop();
    if (m) return /(\d{6})/.exec(m.body)[1];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no code for ${phone}`);
}
const SON = '13800000022';   // 刘建国

export const attorneyScenarios = [
  {
    name: 'attorneys: 王秀英 gives and withdraws an authorisation, field errors beside their fields (zh, en)',
    async run({ page, base, shot }) {
      if (!(await offers(base, '/api/v1/me/attorneys'))) return 'skip';
      await page.goto(`${base}/portal/attorneys`);
      await checkAccessible(page);
      await login(page, WANG);
      await page.waitForSelector('body[data-loaded="1"]');
      assert.match(await page.textContent('#given'), /刘建国/);
      assert.match(await page.textContent('#given'), /查看我的电子票据/);

      // Herself as the agent and nothing ticked: each reason beside its field.
      await page.fill('#agent-login', WANG);
      await page.click('#give');
      await page.waitForSelector('#err-scopes:not([hidden])');
      assert.match(await page.textContent('#err-agent_login'), /yourself/);

      await page.fill('#agent-login', '13800000002');
      await page.check('#scope-receipts-view');
      await page.click('#give');
      await page.waitForSelector('#given-ok:not([hidden])');
      const id = await page.getAttribute('#given-ok', 'data-id');
      await page.waitForSelector(`#given li[data-id="${id}"][data-state="in_force"]`);
      await checkAccessible(page);
      await bothLanguages(page, shot, 'portal-attorneys');

      page.once('dialog', (d) => d.accept());
      await page.click(`#given li[data-id="${id}"] .withdraw`);
      await page.waitForSelector(`#given li[data-id="${id}"][data-state="revoked"]`);
      await setLanguage(page, 'en');
      assert.match(await page.textContent(`#given li[data-id="${id}"]`), /Withdrawn/);
    },
  },
  {
    name: 'attorneys: 刘建国 acts for his mother with a banner on every page; she sees what he did',
    async run({ page, base, shot }) {
      if (!(await offers(base, '/api/v1/me/acting-for'))) return 'skip';
      await page.goto(`${base}/portal/attorneys`);
      await login(page, SON);
      await page.waitForSelector('body[data-loaded="1"]');
      assert.match(await page.textContent('#received'), /王秀英/);
      await page.locator('#received .act-for').first().click();
      await page.waitForURL(`${base}/portal`);
      await page.waitForSelector('#acting-banner');
      assert.match(await page.textContent('#acting-banner'), /您正在代 王秀英 办理/);
      await page.waitForSelector('body[data-signed-in="true"]');
      await page.waitForFunction(() => !document.querySelector('#receipts-section')
        || document.querySelector('#receipts li') !== null);
      await shot('portal-acting-for');
      // The banner is on every page; stopping removes it.
      await page.goto(`${base}/portal/services`);
      await page.waitForSelector('#acting-banner');
      await page.click('#stop-acting');
      await page.waitForFunction(() => !document.getElementById('acting-banner'));

      const token = (await apiCall(base, '/api/v1/auth/login', { method: 'POST', body: { login: WANG, password: PASSWORD } })).access_token;
      const uses = await fetch(`${base}/api/v1/me/attorneys/uses`, { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.json());
      assert.ok(uses.items.some((u) => u.agent_name === '刘建国' && u.operation === 'listMyReceipts'), JSON.stringify(uses));
      await page.goto(`${base}/portal/attorneys`);
      await page.evaluate((t) => sessionStorage.setItem('tongban.token.portal', t), token);
      await page.reload();
      await page.waitForSelector('body[data-loaded="1"]');
      assert.match(await page.textContent('#uses'), /刘建国/);
      assert.match(await page.textContent('#uses'), /查看我的电子票据/);
    },
  },
  {
    name: 'attorneys: window staff create one for 张伟 with the code sent to his phone (zh, en)',
    async run({ page, base, shot, codesFile }) {
      if (!(await offers(base, '/api/v1/staff/attorneys')) || !codesFile) return 'skip';
      await page.goto(`${base}/console/attorneys`);
      await login(page, 'staff-xihu-001');
      await page.waitForSelector('#principal-box:not([hidden])');
      assert.match(await page.textContent('h1'), /窗口协助授权/);
      const since = Math.floor(Date.now() / 1000) - 1;
      await page.fill('#principal-login', ZHANG_WEI);
      await page.click('#send-code');
      await page.waitForSelector('#code-sent:not([hidden])');
      await page.fill('#code', await smsCode(codesFile, ZHANG_WEI, since));
      await page.fill('#agent-login', '13800000002');
      await page.check('#scope-receipts-view');
      await page.click('#give');
      await page.waitForSelector('#given-ok:not([hidden])');
      await checkAccessible(page);
      await bothLanguages(page, shot, 'console-attorneys');
      const token = (await apiCall(base, '/api/v1/auth/login', { method: 'POST', body: { login: ZHANG_WEI, password: PASSWORD } })).access_token;
      const mine = await fetch(`${base}/api/v1/me/attorneys`, { headers: { Authorization: `Bearer ${token}` } }).then((r) => r.json());
      assert.ok(mine.given.some((a) => a.created_via === 'assisted' && a.agent_name === '李娜'), JSON.stringify(mine.given));
    },
  },
  {
    name: 'attorneys: the enterprise sees its agent (经办人)',
    async run({ page, base }) {
      if (!(await offers(base, '/api/v1/me/enterprise/agents'))) return 'skip';
      await page.goto(`${base}/console/attorneys`);
      await login(page, 'enterprise-hz-demo');
      await page.waitForSelector('body[data-loaded="1"]');
      assert.match(await page.textContent('h1'), /企业经办人/);
      assert.match(await page.textContent('#given'), /张伟/);
      await checkAccessible(page);
    },
  },
];
