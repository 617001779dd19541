// The "我的消息 / My messages" page (/portal/inbox) in Chromium, phone-sized: 张伟 sees the notices
// of the demo's receipts issued to him with the unread count, opens one (marked read, the count
// drops), chooses SMS as well for receipts and saves; the page in Chinese and English and with
// large text; 李娜 cannot mark his item read (404). docs/notifications.md.
import assert from 'node:assert/strict';
import { apiCall, checkAccessible, login, offers, PASSWORD } from './scenarios.mjs';
import { bothLanguages } from './data_scenarios.mjs';

const ZHANG_WEI = '13800000001';
const LI_NA = '13800000002';

export const inboxScenarios = [
  {
    name: 'inbox: 张伟 reads a receipt notice, chooses SMS too, 李娜 cannot touch his item (zh, en)',
    async run({ page, base, shot }) {
      if (!(await offers(base, '/api/v1/me/inbox'))) return 'skip';
      await page.goto(`${base}/portal/inbox`);
      assert.ok(await page.locator('#site-header a[href="/portal/inbox"]').count(), 'the menu links the inbox');
      await login(page, ZHANG_WEI);
      await page.waitForSelector('#mine:not([hidden])');
      // The demo issued receipts to him; the worker routes their notices within a moment.
      await page.waitForSelector('#inbox li.inbox-item[data-template="receipt.issued"]', { timeout: 10000 });
      const unread = Number(await page.getAttribute('#unread', 'data-count'));
      assert.ok(unread >= 1, `unread ${unread}`);
      assert.match(await page.textContent('#unread'), /条未读/);
      const first = page.locator('#inbox li.inbox-item.unread[data-template="receipt.issued"]').first();
      const id = await first.getAttribute('data-id');
      assert.match(await first.textContent(), /您收到一张电子票据/);
      await first.locator('.inbox-title').click();
      await page.waitForSelector(`#inbox li[data-id="${id}"]:not(.unread)`);
      assert.match(await page.locator(`#inbox li[data-id="${id}"] .inbox-body`).textContent(), /为您开具了电子票据，金额[0-9.]+元/);
      await page.waitForFunction((n) => Number(document.getElementById('unread').dataset.count) === n - 1, unread);

      // Settings: his login is his phone on file; receipts by SMS as well.
      await page.waitForSelector('#pref-channels tbody tr[data-kind="receipt.issued"]');
      assert.equal(await page.inputValue('#pref-phone'), ZHANG_WEI);
      assert.ok(await page.isDisabled('input[data-kind="otp.code"][data-channel="inbox"]'), 'codes never in the inbox');
      await page.check('input[data-kind="receipt.issued"][data-channel="sms"]');
      await page.click('#prefs-form button[type=submit]');
      await page.waitForSelector('#prefs-saved:not([hidden])');
      const zhang = await apiCall(base, '/api/v1/auth/login', { method: 'POST', body: { login: ZHANG_WEI, password: PASSWORD } });
      const prefs = await apiCall(base, '/api/v1/me/notification-preferences', { key: zhang.access_token });
      assert.deepEqual(prefs.channels['receipt.issued'], ['inbox', 'sms']);

      await checkAccessible(page);
      await bothLanguages(page, shot, 'inbox');

      // Another person's item: 404, as if it did not exist.
      const lina = await apiCall(base, '/api/v1/auth/login', { method: 'POST', body: { login: LI_NA, password: PASSWORD } });
      const r = await fetch(`${base}/api/v1/me/inbox/${id}/read`, {
        method: 'POST', headers: { Authorization: `Bearer ${lina.access_token}`, 'Content-Type': 'application/json' }, body: '{}' });
      assert.equal(r.status, 404);
    },
  },
];
