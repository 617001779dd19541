// The browser scenarios of the public data platform's pages (issue 17 item 8), run by pages.mjs
// after scenarios.mjs against the same `tongban demo`: 我的数据 (/portal/data) as 张伟 — records by
// department, the window's read with its ledger proof checked in the browser, a tampered proof
// shown as not verified, a grant and its withdrawal; the staff look-up (/console/data) under the
// household agreement and a refusal explained; the department page (/console/department) where the
// registry approves the pending agreement and rejects a new one. Each in zh and en on a 390x844
// phone, with large text. Skipped when the server has no data part.
import assert from 'node:assert/strict';
import { apiCall, checkAccessible, login, offers, PASSWORD, ZHANG_WEI_ID } from './scenarios.mjs';

const MASKED_ZW = `${ZHANG_WEI_ID.slice(0, 4)}**********${ZHANG_WEI_ID.slice(-4)}`;

// Text the page itself writes is in the chosen language: in zh no English word, in en no Chinese
// character, outside data (values, names, purposes typed by departments: [data-raw]) and codes.
export async function languageLeaks(page, lang) {
  return page.evaluate((lang) => {
    const out = [];
    const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const el = n.parentElement;
      const t = n.textContent.trim();
      if (!t || el.closest('[data-raw], code, option, [hidden]') || !el.getClientRects().length) continue;
      const bad = lang === 'en' ? /\p{Script=Han}/u.test(t) : /[A-Za-z]{3,}/.test(t.replace(/\bUTC\b/g, ''));
      if (bad) out.push(t.slice(0, 60));
    }
    return out;
  }, lang);
}

// No horizontal scroll; table cells never break inside a word or number (no overflow-wrap:
// anywhere, no break-all; each Latin word or number of a cell on one line), and what is marked
// unbreakable (dates, versions, masked IDs) stays on one line.
export async function layoutProblems(page) {
  return page.evaluate(() => {
    const out = [];
    if (document.documentElement.scrollWidth > window.innerWidth + 1) {
      out.push(`page is ${document.documentElement.scrollWidth}px wide on a ${window.innerWidth}px screen`);
    }
    for (const cell of document.querySelectorAll('main table.data td, main table.data th')) {
      if (!cell.getClientRects().length) continue;
      const st = getComputedStyle(cell);
      if (st.overflowWrap === 'anywhere' || st.wordBreak === 'break-all') out.push(`cell may break anywhere: ${cell.textContent.slice(0, 30)}`);
      if (cell.scrollWidth > cell.clientWidth + 1) out.push(`cell overflows: ${cell.textContent.slice(0, 30)}`);
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        for (const m of n.textContent.matchAll(/[A-Za-z0-9][A-Za-z0-9.'*_/-]*/g)) {
          const r = document.createRange();
          r.setStart(n, m.index);
          r.setEnd(n, m.index + m[0].length);
          const tops = new Set([...r.getClientRects()].map((x) => Math.round(x.top)));
          if (tops.size > 1) out.push(`"${m[0]}" broken across lines`);
        }
      }
    }
    // Nothing sticks out of its box (a table scrolling inside its wrapper counts: it hides columns).
    for (const box of document.querySelectorAll('main .table-wrap, main .card, main dd, main td')) {
      if (box.getClientRects().length && box.scrollWidth > box.clientWidth + 1) out.push(`overflowing ${box.className || box.tagName}: ${box.textContent.slice(0, 30)}`);
    }
    for (const s of document.querySelectorAll('main .nobr')) {
      const tops = new Set([...s.getClientRects()].map((x) => Math.round(x.top)));
      if (tops.size > 1) out.push(`"${s.textContent}" wrapped`);
    }
    return out;
  });
}

export async function setLanguage(page, lang) {
  const now = await page.evaluate(() => document.documentElement.lang);
  if ((lang === 'en') !== (now === 'en')) await page.click('#lang');
  await page.waitForFunction((l) => document.documentElement.lang === (l === 'en' ? 'en' : 'zh-CN'), lang);
  // A part that fetches its text in the new language says so with aria-busy until it has.
  await page.waitForFunction(() => !document.querySelector('[aria-busy="true"]'));
}

// Both languages, normal and large text: language and layout clean; a screenshot of each.
export async function bothLanguages(page, shot, name) {
  for (const lang of ['zh', 'en']) {
    await setLanguage(page, lang);
    assert.deepEqual(await languageLeaks(page, lang), [], `${lang} text of ${name}`);
    assert.deepEqual(await layoutProblems(page), [], `layout of ${name} (${lang})`);
    await shot(`${name}-${lang}`);
  }
  await page.click('#large');
  assert.deepEqual(await layoutProblems(page), [], `layout of ${name} (en, large text)`);
  await shot(`${name}-en-large`);
  await page.click('#large');
  await setLanguage(page, 'zh');
}

const allChecked = (page) => page.waitForFunction(() =>
  [...document.querySelectorAll('#access li[data-access-id]')].every((li) => li.dataset.checked === 'true'));
const proofMarks = (page) => page.$$eval('#access li[data-access-id]', (lis) =>
  Object.fromEntries(lis.map((li) => [li.dataset.accessId, li.querySelector('.proof-mark').dataset.proofOk])));

async function openMyData(page, base) {
  await page.goto(`${base}/portal/data`);
  await checkAccessible(page);
  await login(page, '13800000001');
  await page.waitForSelector('body[data-loaded=true]');
  await allChecked(page);
}

export const token = async (base, who) => (await apiCall(base, '/api/v1/auth/login', { method: 'POST', body: { login: who, password: PASSWORD } })).access_token;

export const dataScenarios = [
  {
    name: 'data: 张伟 sees his records by department and the window\'s read, its ledger proof checked in the browser (zh, en, large text)',
    async run({ page, base, shot }) {
      if (!(await offers(base, '/api/v1/me/data-access'))) return 'skip';
      await openMyData(page, base);
      assert.match(await page.textContent('#who'), /张伟/);
      // Records by department, element names from the catalogue, the household head's ID masked.
      const police = page.locator('[data-department=hz-police]');
      assert.match(await police.locator('h3').textContent(), /杭州市公安局/);
      const household = police.locator('table[data-dataset=household_registration]');
      assert.match(await household.locator('caption').textContent(), /户籍信息 · 版本 1 · \d{4}-\d\d-\d\d/);
      assert.equal((await household.locator('tr[data-element=household_address] th').textContent()).trim(), '户籍地址');
      assert.match(await household.locator('tr[data-element=household_address] td').textContent(), /文三路 90 号/);
      assert.equal((await household.locator('tr[data-element=household_head_id] td').textContent()).trim(), MASKED_ZW);
      assert.equal(await page.locator('[data-department=hz-medical-security] table[data-dataset=medical_insurance]').count(), 1);
      assert.ok(!(await page.textContent('main')).includes(ZHANG_WEI_ID), 'the full ID number is on the page');
      // The window's read (the demo's), with a verified proof.
      const readId = await page.locator('#access li[data-access-id]').filter({ hasText: '杭州市西湖区行政服务中心' }).last()
        .getAttribute('data-access-id');
      const read = page.locator(`#access li[data-access-id="${readId}"]`);
      assert.match(await read.textContent(), /户籍信息/);
      assert.match(await read.locator('.elements').textContent(), /^姓名、户籍地址$/);
      assert.match(await read.textContent(), /共享协议 #\d+：一证通办：窗口核验户籍信息/);
      assert.equal(await read.locator('.proof-mark').getAttribute('data-proof-ok'), 'true');
      await read.locator('summary').click();
      assert.equal(await read.locator('.checks').getAttribute('data-proof-ok'), 'true');
      assert.match(await read.locator('.checks').textContent(), /检查点签名有效/);
      await read.locator('summary').click();
      await checkAccessible(page);
      await bothLanguages(page, shot, 'portal-data');
      await setLanguage(page, 'en');
      assert.equal((await household.locator('tr[data-element=household_address] th').textContent()).trim(), 'Registered address');
      assert.match(await read.locator('h3').textContent(), /Xihu District Administrative Service Center/);
      assert.match(await read.locator('.elements').textContent(), /^Name, Registered address$/);
      assert.match(await read.locator('.proof-mark').textContent(), /verified/);
    },
  },
  {
    name: 'data: a tampered proof or a read whose listing differs from its ledger document is marked not verified',
    async run({ page, base, shot }) {
      if (!(await offers(base, '/api/v1/me/data-access'))) return 'skip';
      // One flipped byte in the first hash of every proof's path.
      await page.route('**/api/v1/me/data-access*', async (route) => {
        const res = await route.fetch();
        const body = await res.json();
        for (const it of body.items) {
          if (!it.ledger || !it.ledger.hashes.length) continue;
          const b = Buffer.from(it.ledger.hashes[0], 'base64');
          b[0] ^= 1;
          it.ledger.hashes[0] = b.toString('base64');
        }
        await route.fulfill({ response: res, json: body });
      });
      await openMyData(page, base);
      let marks = Object.values(await proofMarks(page));
      assert.ok(marks.length >= 1);
      assert.deepEqual([...new Set(marks)], ['false']);
      const first = page.locator('#access li[data-access-id]').first();
      assert.match(await first.locator('.proof-mark').textContent(), /未通过验证/);
      await first.locator('summary').click();
      assert.match(await first.locator('.checks li.fail').first().textContent(), /包含证明算出的根与已签名检查点一致/);
      await shot('portal-data-tampered');
      // The proof intact, but the listing names another department than the ledger document does.
      await page.unroute('**/api/v1/me/data-access*');
      await page.route('**/api/v1/me/data-access*', async (route) => {
        const res = await route.fetch();
        const body = await res.json();
        for (const it of body.items) it.reader = { key: 'hz-tax', name_zh: '国家税务总局杭州市税务局', name_en: 'Hangzhou Tax Service' };
        await route.fulfill({ response: res, json: body });
      });
      await page.reload();
      await page.waitForSelector('body[data-loaded=true]');
      await allChecked(page);
      marks = Object.values(await proofMarks(page));
      assert.deepEqual([...new Set(marks)], ['false']);
      await page.unroute('**/api/v1/me/data-access*');
      await page.reload();
      await page.waitForSelector('body[data-loaded=true]');
      await allChecked(page);
      assert.deepEqual([...new Set(Object.values(await proofMarks(page)))], ['true']);
    },
  },
  {
    name: 'data: 张伟 authorises the service center for two elements, its read shows up verified; he withdraws and the next read is refused',
    async run({ page, base, shot }) {
      if (!(await offers(base, '/api/v1/me/data-grants'))) return 'skip';
      await openMyData(page, base);
      const before = await page.locator('#grants li[data-grant-id]').count();
      await page.selectOption('#grant-department', 'xihu-service-center');
      await page.selectOption('#grant-dataset', 'household_registration');
      await page.check('#grant-el-name');
      await page.check('#grant-el-birth_date');
      await page.fill('#grant-purpose', '办理居住证');
      await page.fill('#grant-days', '7');
      await page.click('#grant-form button[type=submit]');
      await page.waitForFunction((n) => document.querySelectorAll('#grants li[data-grant-id]').length > n, before);
      const card = page.locator('#grants li[data-state=active]').filter({ hasText: '办理居住证' }).first();
      const id = await card.getAttribute('data-grant-id');
      assert.match(await card.textContent(), /杭州市西湖区行政服务中心/);
      assert.match(await card.textContent(), /姓名、出生日期/);
      // The window reads under the grant (the API, as its system would); 张伟 sees that read, proven.
      const staff = await token(base, 'staff-xihu-001');
      const path = `/api/v1/data/subjects/${ZHANG_WEI_ID}/datasets/household_registration?purpose=grant:${id}`;
      const r = await apiCall(base, path, { key: staff });
      assert.deepEqual(r.values.map((v) => v.element).sort(), ['birth_date', 'name']);
      await page.reload();
      await page.waitForSelector('body[data-loaded=true]');
      await page.waitForFunction((aid) => document.querySelector(`#access li[data-access-id="${aid}"][data-checked=true]`), String(r.access_id));
      const read = page.locator(`#access li[data-access-id="${r.access_id}"]`);
      assert.match(await read.textContent(), /您的授权 #\d+：办理居住证/);
      // The ledger entry may still be on its way (milliseconds): verified, or not yet in the ledger.
      const mark = await read.locator('.proof-mark').getAttribute('data-proof-ok');
      assert.ok(['true', 'pending'].includes(mark), mark);
      await checkAccessible(page);
      await bothLanguages(page, shot, 'portal-data-grant');
      page.once('dialog', (d) => d.accept());
      await page.click(`#grants li[data-grant-id="${id}"] button`);
      await page.waitForSelector(`#grants li[data-grant-id="${id}"][data-state=withdrawn]`);
      assert.equal(await page.locator(`#grants li[data-grant-id="${id}"] button`).count(), 0);
      await assert.rejects(apiCall(base, path, { key: staff }), /403.*withdrew/);
    },
  },
  {
    name: 'data: window staff look 张伟 up under the household agreement and see each value\'s source; a refused read is explained (zh, en)',
    async run({ page, base, shot }) {
      if (!(await offers(base, '/api/v1/data/subjects/{subject}/datasets/{dataset}'))) return 'skip';
      await page.goto(`${base}/console/data`);
      await checkAccessible(page);
      await login(page, 'staff-xihu-001');
      await page.waitForSelector('body[data-signed-in=true]');
      // The ID is masked as soon as it is entered.
      await page.fill('#subject', ZHANG_WEI_ID.toLowerCase());
      await page.press('#subject', 'Tab');
      await page.waitForSelector('#subject-shown:not([hidden])');
      assert.equal(await page.textContent('#subject-masked'), MASKED_ZW);
      assert.equal(await page.isVisible('#subject'), false);
      const household = await page.$$eval('#agreement option', (os) => os.filter((o) => /户籍信息/.test(o.textContent)).map((o) => o.value));
      assert.equal(household.length, 1);
      await page.selectOption('#agreement', household[0]);
      assert.deepEqual(await page.$$eval('#elements input:checked', (is) => is.map((i) => i.value)),
        ['name', 'sex', 'birth_date', 'household_address', 'relation_to_head']);
      await page.uncheck('#el-sex');
      await page.click('#lookup-form button[type=submit]');
      await page.waitForSelector('#result [data-read=ok]');
      const row = (el) => page.locator(`#values tr[data-element=${el}]`);
      assert.equal(await page.locator('#values tbody tr').count(), 4);
      assert.equal((await row('name').locator('td .value').textContent()).trim(), '张伟');
      assert.match(await row('household_address').locator('td .source').textContent(), /杭州市公安局.*版本 1.*HJ-330106-0000213/);
      assert.ok(!(await page.textContent('main')).includes(ZHANG_WEI_ID));
      const accessId = Number(/#(\d+)/.exec(await page.textContent('#result'))[1]);
      await checkAccessible(page);
      await bothLanguages(page, shot, 'console-data');
      await setLanguage(page, 'en');
      assert.match(await row('household_address').locator('td .source').textContent(), /Hangzhou Public Security Bureau.*version 1/);
      await setLanguage(page, 'zh');
      // 张伟 sees that read.
      const zw = await token(base, '13800000001');
      const log = await apiCall(base, '/api/v1/me/data-access', { key: zw });
      const seen = log.items.find((x) => x.id === accessId);
      assert.ok(seen, 'the read is in the subject\'s log');
      assert.deepEqual(seen.elements, ['name', 'birth_date', 'household_address', 'relation_to_head']);
      // A case number of no case of the department's: refused, and the page says why in words.
      await page.check('#by-case');
      await page.fill('#case', 'XH-2026-000123');
      await page.selectOption('#dataset', 'household_registration');
      await page.click('#lookup-form button[type=submit]');
      await page.waitForSelector('#result [data-refused="403"]');
      assert.match(await page.textContent('#result .explain'), /没有本部门需要这些数据的在办件/);
      await shot('console-data-refused-zh');
      await setLanguage(page, 'en');
      assert.match(await page.textContent('#result .explain'), /No open case of your department needs this data/);
      assert.deepEqual(await languageLeaks(page, 'en'), []);
      await shot('console-data-refused-en');
    },
  },
  {
    name: 'data: on the department page the registry approves the pending agreement; the center requests another, the registry rejects it with a reason, the center revokes the first (zh, en)',
    async run({ page, context, base, apiKeys, shot }) {
      if (!(await offers(base, '/api/v1/data/agreements')) || !apiKeys.registry) return 'skip';
      await page.goto(`${base}/console/department`);
      await checkAccessible(page);
      await page.fill('#api-key', apiKeys.registry);
      await page.click('#key-form button[type=submit]');
      await page.waitForSelector('body[data-signed-in=true]');
      assert.match(await page.textContent('#who'), /浙江省市场监督管理局/);
      const pending = page.locator('#provided li[data-state=requested]').filter({ hasText: '企业开办一件事' });
      assert.equal(await pending.count(), 1);
      const id = await pending.getAttribute('data-agreement-id');
      assert.match(await pending.textContent(), /杭州市西湖区行政服务中心/);
      await checkAccessible(page);
      await bothLanguages(page, shot, 'console-department');
      await page.click(`#provided li[data-agreement-id="${id}"] button[data-action=approve]`);
      await page.waitForSelector(`#provided li[data-agreement-id="${id}"][data-state=approved]`);

      // The center's staff request a new agreement on their department page (another tab).
      const staff = await context.newPage();
      try {
        await staff.goto(`${base}/console/department`);
        await login(staff, 'staff-xihu-001');
        await staff.waitForSelector('body[data-signed-in=true]');
        assert.ok(await staff.locator(`#consumed li[data-agreement-id="${id}"][data-state=approved]`).count());
        await staff.selectOption('#req-dataset', 'enterprise_registration');
        await staff.check('#req-el-domicile');
        await staff.fill('#req-purpose', '企业迁移一件事：核验住所');
        await staff.fill('#req-basis', '《浙江省公共数据条例》第二十八条');
        await staff.click('#request-form button[type=submit]');
        const mine = staff.locator('#consumed li[data-state=requested]').filter({ hasText: '企业迁移一件事' });
        await mine.waitFor();
        const newId = await mine.getAttribute('data-agreement-id');
        assert.match(await mine.textContent(), /住所/);

        // The registry: a rejection needs a reason.
        await page.reload();
        await page.waitForSelector('body[data-signed-in=true]');
        const card = `#provided li[data-agreement-id="${newId}"]`;
        await page.click(`${card} button[data-action=reject]`);
        await page.waitForSelector(`${card} .problem`);
        assert.match(await page.textContent(`${card} .problem`), /须写明理由/);
        await page.fill(`#reason-${newId}`, '住所信息已通过电子营业执照共享');
        await page.click(`${card} button[data-action=reject]`);
        await page.waitForSelector(`${card}[data-state=rejected]`);
        assert.match(await page.textContent(`${card} .reason`), /电子营业执照/);
        await setLanguage(page, 'en');
        assert.match(await page.textContent(`${card} .state`), /rejected/);
        await setLanguage(page, 'zh');

        // The center revokes the approved one, with a reason; reads under it stop.
        await staff.reload();
        await staff.waitForSelector('body[data-signed-in=true]');
        await staff.fill(`#reason-${id}`, '业务调整');
        await staff.click(`#consumed li[data-agreement-id="${id}"] button[data-action=revoke]`);
        await staff.waitForSelector(`#consumed li[data-agreement-id="${id}"][data-state=revoked]`);
        assert.equal(await staff.locator(`#consumed li[data-agreement-id="${newId}"][data-state=rejected]`).count(), 1);
        await checkAccessible(staff);
        await shot('console-department-decided');
      } finally {
        await staff.close();
      }
    },
  },
  {
    name: 'data: objections — 张伟 disputes his registered address (being handled, a second one refused in words); the enterprise disputes its domicile, the registry accepts it on the department page, the enterprise sees version 2 (zh, en)',
    async run({ page, context, base, apiKeys, shot }) {
      if (!(await offers(base, '/api/v1/me/data/objections')) || !apiKeys.registry) return 'skip';
      await openMyData(page, base);
      const dispute = async (dataset, element, claimed, reason) => {
        await page.click(`button.dispute[data-dataset=${dataset}]`);
        await page.waitForSelector('#objection-section:not([hidden])');
        await page.selectOption('#objection-element', element);
        await page.fill('#objection-claimed', claimed);
        await page.fill('#objection-reason', reason);
        await page.click('#objection-form button[type=submit]');
      };
      await dispute('household_registration', 'household_address', '浙江省杭州市西湖区文三路 98 号', '门牌号登记错误，应为 98 号');
      const mine = page.locator('#objections li[data-state=open]').filter({ hasText: '门牌号登记错误' });
      await mine.waitFor();
      assert.match(await mine.textContent(), /户籍信息：户籍地址/);
      assert.match(await mine.textContent(), /杭州市公安局/);
      assert.match(await mine.textContent(), /文三路 90 号.*文三路 98 号/);
      assert.match(await mine.textContent(), /处理期限\d{4}-\d\d-\d\d/);
      // The same element again while the first waits: refused, and said in words.
      await dispute('household_registration', 'household_address', '浙江省杭州市西湖区文三路 99 号', '再提一次');
      await page.waitForSelector('#objection-error .explain');
      assert.match(await page.textContent('#objection-error .explain'), /正在处理中/);
      await page.click('#objection-close');
      await checkAccessible(page);
      await bothLanguages(page, shot, 'portal-data-objection');

      // The enterprise disputes its domicile; the registry (its system's key) accepts it.
      await page.click('#logout');
      await page.waitForSelector('#login-section:not([hidden])');
      await login(page, 'enterprise-hz-demo');
      await page.waitForSelector('body[data-loaded=true]');
      await dispute('enterprise_registration', 'domicile', '浙江省杭州市西湖区文一西路 102 号', '已迁址，营业执照已变更');
      await page.locator('#objections li[data-state=open]').filter({ hasText: '已迁址' }).waitFor();
      const registry = await context.newPage();
      try {
        await registry.goto(`${base}/console/department`);
        await registry.fill('#api-key', apiKeys.registry);
        await registry.click('#key-form button[type=submit]');
        await registry.waitForSelector('body[data-signed-in=true]');
        const card = registry.locator('#objections li[data-state=open]').filter({ hasText: '已迁址' });
        await card.waitFor();
        const id = await card.getAttribute('data-objection-id');
        assert.equal(await registry.inputValue(`#objection-value-${id}`), '浙江省杭州市西湖区文一西路 102 号');
        await checkAccessible(registry);
        await registry.click(`#objections li[data-objection-id="${id}"] button[data-action=accept]`);
        await registry.waitForSelector(`#objections li[data-objection-id="${id}"][data-state=accepted]`);
        assert.match(await registry.textContent(`#objections li[data-objection-id="${id}"]`), /更正后版本版本 2/);
      } finally {
        await registry.close();
      }
      await page.reload();
      await page.waitForSelector('body[data-loaded=true]');
      const done = page.locator('#objections li[data-state=accepted]').filter({ hasText: '已迁址' });
      assert.match(await done.textContent(), /已更正/);
      const record = page.locator('table[data-dataset=enterprise_registration]');
      assert.match(await record.locator('caption').textContent(), /版本 2/);
      assert.match(await record.locator('tr[data-element=domicile] td').textContent(), /文一西路 102 号/);
      await setLanguage(page, 'en');
      assert.match(await done.textContent(), /corrected/);
      assert.deepEqual(await languageLeaks(page, 'en'), []);
      await shot('portal-data-objection-accepted-en');
    },
  },
];
