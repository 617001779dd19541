// The browser scenarios of the "one thing" service pages, run by pages.mjs after the data
// scenarios against the same `tongban demo`: 张伟 applies for 婚育户一件事 at /portal/services
// (pre-filled fields with their source and not editable, the child's fields, his ID card from the
// wallet, uploaded PNGs, 李娜 named as spouse; a refused first try shows its errors under the
// fields); 李娜, in a browser context of her own, uploads her materials and confirms; the five
// departments, each in its own context at /console/services, claim and approve their items in the
// bundle's order (the household registration after the birth certificate, the medical insurance
// and the card after the household registration) with the staff fields, the health commission
// first asking for more (补正) and 张伟 supplementing; then both wallets hold the marriage
// certificate and the child's licences (issued to the child, both parents guardians). Another
// department sees none of it and gets 404 for the case; 李娜 gets 404 for a case not hers. Each
// page in zh and en and in large text, screenshots in the artifacts folder.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { apiCall, checkAccessible, login, offers } from './scenarios.mjs';
import { bothLanguages, languageLeaks, setLanguage, token } from './data_scenarios.mjs';
import { citizenId } from './demo_server.mjs';
const LI_NA_ID = citizenId('33042119920704128');
const CHILD_ID = citizenId('33010620261130001');  // given by the police on approval
const CARD_NUMBER = 'A33010620261130';

// A small PNG (a w×h image of one colour), made here: what a phone photo upload would be.
const CRC = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(w, h, [r, g, b]) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);  // 8-bit RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: w }, () => [r, g, b]).flat())]);
  const raw = Buffer.concat(Array.from({ length: h }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
export const photo = (name, colour) => ({ name, mimeType: 'image/png', buffer: png(24, 32, colour) });

// Another person's browser: a fresh context of a browser of its own (no storage shared with the
// suite's), phone-sized, requests outside 127.0.0.1 blocked and counted, page errors collected.
export async function newBrowser() {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic',
      '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
  const problems = [];
  return {
    async person() {
      const ctx = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'zh-CN' });
      await ctx.route('**/*', (route) => {
        const u = new URL(route.request().url());
        if (['http:', 'https:', 'ws:', 'wss:'].includes(u.protocol) && u.hostname !== '127.0.0.1') {
          problems.push(`request left 127.0.0.1: ${u.href}`);
          return route.abort();
        }
        return route.continue();
      });
      const page = await ctx.newPage();
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`);
      });
      return page;
    },
    async close() {
      await browser.close();
      assert.deepEqual(problems, [], 'the other browser');
    },
  };
}

// Shared with review_scenarios.mjs: a screenshot into the artifacts, and the service pages opened
// logged in.
export const snap = (artifacts, page, name) => page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });

// /portal/services logged in as `who` (the tab forgets whom it was logged in as before).
export async function openServices(page, base, who, query = '') {
  await page.goto(`${base}/healthz`);
  await page.evaluate(() => sessionStorage.removeItem('tongban.token.portal'));
  await page.goto(`${base}/portal/services${query}`);
  await page.waitForSelector('body[data-ready=true]');
  await login(page, who);
  await page.waitForSelector('body[data-loaded=true]');
}

// A console page (/console/services unless `path` names another) logged in as `who`; `who` null:
// the tab is logged in already (its token is in the tab's sessionStorage).
export async function openConsole(page, base, who, query = '', path = '/console/services') {
  await page.goto(`${base}${path}${query}`);
  await page.waitForSelector('body[data-ready=true]');
  if (who) await login(page, who);
  await page.waitForSelector('body[data-signed-in=true]');
}

// Shared by the scenarios, in order: the case 张伟 submits.
const flow = { id: null, number: null };
const needCase = () => assert.ok(flow.id, 'the application scenario did not get this far');

// One department: its ready task of the case in the queue, the case opened, optionally claimed
// first, approved with the staff fields. Returns the task id.
async function approveAs(page, { base, who, item, staffFields = {}, claim = false, check, signedIn = false, filter = 'ready' }) {
  await openConsole(page, base, signedIn ? null : who);
  await page.click(`#filters button[data-filter=${filter}]`);
  await page.waitForSelector(`#tasks[data-filter=${filter}]`);
  const card = page.locator(`#tasks li[data-case-number="${flow.number}"]`);
  assert.equal(await card.count(), 1, `${who} sees the case in its ${filter} queue`);
  assert.equal(await card.getAttribute('data-item'), item);
  const taskId = await card.getAttribute('data-task-id');
  await card.locator('button[data-action=open]').click();
  await page.waitForSelector(`#case-section[data-case-id="${flow.id}"]`);
  const panel = `#case .decide[data-task-id="${taskId}"]`;
  await page.waitForSelector(panel);
  if (check) await check(page, taskId);
  if (claim) {
    await page.click(`${panel} button[data-action=claim]`);
    await page.waitForSelector(`${panel}[data-state=claimed]`);
    assert.match(await page.textContent(`#case-tasks li[data-task-id="${taskId}"] .claimed-by`), /（/);
  }
  for (const [name, value] of Object.entries(staffFields)) await page.fill(`#sf-${taskId}-${name}`, value);
  await page.click(`${panel} button[data-action=approve]`);
  await page.waitForSelector(`#case-tasks li[data-task-id="${taskId}"][data-state=approved]`);
  assert.equal(await page.locator(panel).count(), 0, 'nothing left to decide');
  assert.match(await page.textContent(`#case-tasks li[data-task-id="${taskId}"]`), /发放证照.*已进入卡包/);
  return taskId;
}

export const serviceScenarios = [
  {
    name: 'services: 张伟 applies for 婚育户一件事 — pre-filled fields with their source, not editable; a first try refused field by field; the child\'s fields, his ID card from the wallet, uploaded photos, 李娜 as spouse (zh, en, large text)',
    async run({ page, base, shot }) {
      if (!(await offers(base, '/api/v1/me/cases'))) return 'skip';
      await openServices(page, base, '13800000001');
      await checkAccessible(page);
      // One-thing bundles first, then the single items.
      const bundles = await page.$$eval('#bundles li[data-bundle]', (ls) => ls.map((l) => l.dataset.bundle));
      assert.equal(bundles[0], 'marriage_birth_household');
      assert.ok(!bundles.includes('marriage_registration'));
      assert.ok((await page.$$eval('#items li[data-bundle]', (ls) => ls.map((l) => l.dataset.bundle))).includes('marriage_registration'));
      const card = page.locator('#bundles li[data-bundle=marriage_birth_household]');
      assert.match(await card.textContent(), /5 个事项 · 5 个部门联办/);
      assert.match(await card.textContent(), /以往要跑 5 趟/);
      await card.locator('button[data-action=start]').click();
      await page.waitForSelector('body[data-form=submit]');
      flow.number = (await page.textContent('#case-number')).trim();
      assert.match(flow.number, /^YJS\d{14}$/);

      // Pre-filled: the value, its source department, a dispute link; no input.
      const name = page.locator('#given [data-field=applicant_name]');
      assert.equal(await name.getAttribute('data-prefilled'), 'true');
      assert.equal((await name.locator('.value').textContent()).trim(), '张伟');
      assert.match(await name.locator('.source').textContent(), /来自 杭州市公安局/);
      assert.equal(await name.locator('a.dispute').getAttribute('href'), '/portal/data');
      assert.equal(await page.locator('#f-applicant_name').count(), 0, 'a pre-filled field is not an input');
      assert.match(await page.textContent('#given [data-field=applicant_household_address]'), /文三路 90 号/);
      // The spouse's fields are hers to give.
      assert.match(await page.textContent('#theirs-note'), /配偶.*共同申请人姓名/);
      assert.equal(await page.locator('#f-co_applicant_name').count(), 0);
      // Inputs by type.
      assert.equal(await page.getAttribute('#f-child_birth_date', 'type'), 'date');
      assert.deepEqual(await page.$$eval('#f-child_sex option', (os) => os.map((o) => o.value)), ['', '男', '女']);
      // His ID card from the wallet is chosen (免交); he has no household register: upload it.
      const idCard = page.locator('#m-applicant_id_card-licence');
      assert.notEqual(await idCard.inputValue(), '');
      assert.match(await idCard.locator('option:checked').textContent(), /居民身份证 · 张伟/);
      assert.equal(await page.locator('#m-applicant_household_register-licence').count(), 0);
      assert.match(await page.textContent('[data-material=applicant_household_register]'), /您的卡包中没有居民户口簿/);

      // A first try with nothing filled in: every problem under its field, the first focused.
      await page.click('#apply-submit');
      await page.waitForSelector('#apply-error [data-errors]');
      assert.equal(await page.textContent('#err-f-child_name'), '必填');
      assert.match(await page.textContent('#err-m-marriage_joint_photo'), /请上传此材料/);
      assert.match(await page.textContent('#err-m-applicant_household_register'), /请从卡包选择证照，或上传文件/);
      assert.equal(await page.textContent('#err-co-id'), '必填');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'f-child_name');
      await shot('portal-services-errors');

      // The child's fields.
      await page.fill('#f-child_name', '张小明');
      await page.selectOption('#f-child_sex', '男');
      await page.fill('#f-child_birth_date', '2026-11-30');
      await page.fill('#f-birth_hospital', '杭州市妇产科医院');
      await page.fill('#f-mother_name', '李娜');
      await page.fill('#f-father_name', '张伟');
      await page.fill('#f-household_head_name', '张伟');
      await page.selectOption('#f-child_relation_to_head', '子女');
      await page.selectOption('#f-card_bank', '杭州银行');
      // A text file is refused by its content, whatever it is called.
      await page.setInputFiles('#m-marriage_joint_photo-file', { name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from('not a picture') });
      await page.waitForSelector('#err-m-marriage_joint_photo:not([hidden])');
      assert.match(await page.textContent('#err-m-marriage_joint_photo'), /只能上传 JPEG、PNG 或 PDF 文件/);
      await page.setInputFiles('#m-marriage_joint_photo-file', photo('合影.png', [200, 30, 30]));
      await page.waitForFunction(() => /已上传 PNG/.test(document.getElementById('att-marriage_joint_photo').textContent));
      assert.equal(await page.isHidden('#err-m-marriage_joint_photo'), true);
      await page.setInputFiles('#m-applicant_household_register-file', photo('户口簿.png', [30, 30, 200]));
      await page.waitForFunction(() => /已上传 PNG/.test(document.getElementById('att-applicant_household_register').textContent));
      await idCard.selectOption({ index: 1 });
      // A wrong check digit is caught before sending.
      await page.fill('#co-id', `${LI_NA_ID.slice(0, 17)}${LI_NA_ID[17] === '0' ? '1' : '0'}`);
      await page.fill('#co-name', '李娜');
      await page.click('#apply-submit');
      await page.waitForSelector('#err-co-id:not([hidden])');
      assert.match(await page.textContent('#err-co-id'), /校验码/);
      await page.fill('#co-id', LI_NA_ID);
      await checkAccessible(page);
      await bothLanguages(page, shot, 'portal-services-form');
      await setLanguage(page, 'en');
      assert.match(await name.locator('.source').textContent(), /from Hangzhou Public Security Bureau/);
      await setLanguage(page, 'zh');

      await page.click('#apply-submit');
      const mine = page.locator(`#cases li[data-state=awaiting_co_applicant][data-role=applicant]`).filter({ hasText: flow.number });
      await mine.waitFor();
      assert.equal(await page.isHidden('#apply-section'), true);
      flow.id = await mine.getAttribute('data-case-id');
      assert.match(await mine.textContent(), /配偶李娜 （待确认）/);
      assert.match(await mine.textContent(), /免填 \d+ 项 · 卡包免交 1 份 · 少跑 5 趟/);
      await page.waitForSelector('#notices li[data-kind=submitted]');
      assert.match(await page.textContent('#notices li[data-kind=submitted]'), /等待配偶确认/);
      await shot('portal-services-submitted');
    },
  },
  {
    name: 'services: 李娜, in her own browser, sees the application awaiting her, uploads her ID card and household register and confirms; the departments\' tasks start',
    async run({ page, base, artifacts }) {
      if (!(await offers(base, '/api/v1/me/cases'))) return 'skip';
      needCase();
      const other = await newBrowser();
      try {
        const li = await other.person();
        await openServices(li, base, '13800000002');
        const card = li.locator(`#cases li[data-case-id="${flow.id}"]`);
        assert.equal(await card.getAttribute('data-role'), 'co_applicant');
        assert.equal(await card.getAttribute('data-state'), 'awaiting_co_applicant');
        assert.match(await card.textContent(), /配偶（共同申请人）/);
        await card.locator('button[data-action=confirm]').click();
        await li.waitForSelector('body[data-form=confirm]');
        assert.match(await li.textContent('#apply-intro'), /张伟在申请中把您列为配偶/);
        // Her details are read from the departments when she confirms: nothing for her to type.
        assert.equal(await li.getAttribute('#given [data-field=co_applicant_name]', 'data-prefilled'), 'pending');
        assert.match(await li.textContent('#given [data-field=co_applicant_name]'), /确认时从杭州市公安局调取/);
        assert.equal(await li.locator('#asked .field').count(), 0);
        // What 张伟 gave, for her to check.
        assert.equal((await li.textContent('#theirs [data-field=child_name] .value')).trim(), '张小明');
        assert.match(await li.textContent('#their-materials [data-material=applicant_id_card]'), /已提供/);
        // Confirming without her materials: refused under each; her details are read meanwhile.
        await li.click('#apply-submit');
        await li.waitForSelector('#apply-error [data-errors]');
        assert.match(await li.textContent('#err-m-co_applicant_id_card'), /请从卡包选择证照，或上传文件/);
        assert.equal(await li.getAttribute('#given [data-field=co_applicant_name]', 'data-prefilled'), 'true');
        assert.equal((await li.textContent('#given [data-field=co_applicant_name] .value')).trim(), '李娜');
        assert.match(await li.textContent('#given [data-field=co_applicant_household_address]'), /嘉善县罗星街道 12 号.*来自 杭州市公安局/);
        await li.setInputFiles('#m-co_applicant_id_card-file', photo('身份证.png', [10, 120, 10]));
        await li.waitForFunction(() => /已上传 PNG/.test(document.getElementById('att-co_applicant_id_card').textContent));
        await li.setInputFiles('#m-co_applicant_household_register-file', photo('户口簿.png', [120, 120, 10]));
        await li.waitForFunction(() => /已上传 PNG/.test(document.getElementById('att-co_applicant_household_register').textContent));
        await checkAccessible(li);
        await bothLanguages(li, (n) => snap(artifacts, li, n), 'portal-services-confirm');
        await li.click('#apply-submit');
        const done = li.locator(`#cases li[data-case-id="${flow.id}"][data-state=in_progress]`);
        await done.waitFor();
        const states = await done.locator('li.task').evaluateAll((ts) => Object.fromEntries(ts.map((t) => [t.dataset.item, t.dataset.state])));
        assert.deepEqual(states, {
          marriage_registration: 'ready', birth_medical_certificate_issue: 'ready', newborn_household_registration: 'waiting',
          newborn_medical_insurance: 'waiting', newborn_social_security_card: 'waiting',
        });
        const marriage = done.locator('li.task[data-item=marriage_registration]');
        assert.match(await marriage.textContent(), /杭州市民政局/);
        assert.match(await marriage.locator('.due').textContent(), /^\d{4}-\d\d-\d\d/);
        assert.equal(await marriage.locator('[data-mark=due-soon]').count(), 1, 'a one-day item is due soon');
        await done.locator('details.history summary').click();
        await done.locator('details.history[data-loaded=true]').waitFor();
        assert.deepEqual(await done.locator('ol.events li').evaluateAll((ls) => ls.map((l) => l.dataset.action).filter((a) => a !== 'upload')),
          ['start', 'submit', 'consent', 'confirm', 'open']);
        await checkAccessible(li);
        await snap(artifacts, li, 'portal-services-confirmed');
      } finally {
        await other.close();
      }
      // 张伟's page shows the spouse confirmed.
      await openServices(page, base, '13800000001');
      assert.match(await page.textContent(`#cases li[data-case-id="${flow.id}"]`), /配偶李娜 （已确认）/);
    },
  },
  {
    name: 'services: the five departments decide in the bundle\'s order — the health commission asks for more and 张伟 supplements; the police give the child\'s ID number; the medical insurance and the card after the household registration (zh, en, large text, figures)',
    async run({ page, base, artifacts, shot }) {
      if (!(await offers(base, '/api/v1/service/tasks'))) return 'skip';
      needCase();
      const other = await newBrowser();
      try {
        // 民政: the uploaded joint photo opens from the case; the form's sources are shown.
        await approveAs(await other.person(), { base, who: 'staff-hz-civil-affairs', item: 'marriage_registration', claim: true,
          async check(p) {
            const row = p.locator('#case-fields [data-field=applicant_name]');
            assert.equal((await row.locator('.value').textContent()).trim(), '张伟');
            assert.match(await row.locator('.source').textContent(), /来自 杭州市公安局 · HJ-330106-0000213 · 版本 1/);
            assert.match(await p.textContent('#case-fields [data-field=child_name] .source'), /申请人填写/);
            assert.equal(await p.getAttribute('#case-materials [data-material=applicant_id_card]', 'data-attached'), 'licence');
            assert.match(await p.textContent('#case-materials [data-material=applicant_id_card]'), /电子证照（已核验）：居民身份证/);
            const upload = p.locator('#case-materials [data-material=marriage_joint_photo]');
            assert.equal(await upload.getAttribute('data-attached'), 'upload');
            await upload.locator('button[data-action=file]').click();
            await p.waitForFunction(() => {
              const img = document.querySelector('#case-materials [data-material=marriage_joint_photo] img.upload-preview');
              return img && img.complete && img.naturalWidth === 24;
            });
            await checkAccessible(p);
            await bothLanguages(p, (n) => snap(artifacts, p, n), 'console-services-case');
          } });

        // 卫健: asks for more first; 张伟 supplements; then it approves.
        const health = await other.person();
        await openConsole(health, base, 'staff-hz-health');
        await health.click('#filters button[data-filter=ready]');
        await health.waitForSelector('#tasks[data-filter=ready]');
        const hcard = health.locator(`#tasks li[data-case-number="${flow.number}"]`);
        const htask = await hcard.getAttribute('data-task-id');
        await hcard.locator('button[data-action=open]').click();
        await health.waitForSelector(`#case .decide[data-task-id="${htask}"]`);
        await health.click(`#case .decide[data-task-id="${htask}"] button[data-action=request-materials]`);
        await health.waitForSelector(`#decide-error-${htask}:not([hidden])`);  // a reason is required
        await health.fill(`#reason-${htask}`, '请补充出生医疗机构的全称（院区）');
        await health.click(`#case .decide[data-task-id="${htask}"] button[data-action=request-materials]`);
        await health.waitForSelector(`#case-tasks li[data-task-id="${htask}"][data-state=awaiting_citizen]`);

        await openServices(page, base, '13800000001');
        const mine = page.locator(`#cases li[data-case-id="${flow.id}"]`);
        assert.match(await mine.locator(`li.task[data-task-id="${htask}"]`).textContent(), /待补正.*需要补正请补充出生医疗机构的全称/);
        await mine.locator('button[data-action=supplement]').click();
        await page.waitForSelector('body[data-form=supplement]');
        assert.match(await page.textContent('#asked-for'), /杭州市卫生健康委员会.*请补充出生医疗机构的全称（院区）/);
        assert.equal(await page.inputValue('#f-birth_hospital'), '杭州市妇产科医院');
        await page.fill('#f-birth_hospital', '浙江大学医学院附属妇产科医院（湖滨院区）');
        await checkAccessible(page);
        await shot('portal-services-supplement');
        await page.click('#apply-submit');
        await page.waitForSelector(`#cases li[data-case-id="${flow.id}"]:not(:has(button[data-action=supplement]))`);
        assert.notEqual(await page.getAttribute(`#cases li[data-case-id="${flow.id}"] li.task[data-task-id="${htask}"]`, 'data-state'), 'awaiting_citizen');

        // Asking for more made it hers: back from the applicant, it is in her own list.
        await approveAs(health, { base, who: 'staff-hz-health', signedIn: true, filter: 'mine', item: 'birth_medical_certificate_issue',
          async check(p) {
            assert.equal((await p.textContent('#case-fields [data-field=birth_hospital] .value')).trim(), '浙江大学医学院附属妇产科医院（湖滨院区）');
            assert.match(await p.textContent('#case ol.events'), /要求补正.*补正材料/);
          } });

        // The medical insurance waits for the household registration.
        const medical = await token(base, 'staff-hz-medical-security');
        const ready = await apiCall(base, '/api/v1/service/tasks?filter=ready', { key: medical });
        assert.ok(!ready.items.some((t) => t.case_number === flow.number), 'the medical insurance is not ready before the household registration');

        // 公安: the child's new citizen ID number; the waiting items are shown waiting.
        await approveAs(await other.person(), { base, who: 'staff-hz-police', item: 'newborn_household_registration', staffFields: { id_number: CHILD_ID },
          async check(p, taskId) {
            assert.equal(await p.getAttribute('#case-tasks li[data-item=newborn_medical_insurance]', 'data-state'), 'waiting');
            assert.match(await p.textContent(`#case .decide[data-task-id="${taskId}"] .staff-fields`), /居民户口簿.*公民身份号码/);
            // A wrong check digit is caught before sending.
            await p.fill(`#sf-${taskId}-id_number`, `${CHILD_ID.slice(0, 17)}${CHILD_ID[17] === '0' ? '1' : '0'}`);
            await p.click(`#case .decide[data-task-id="${taskId}"] button[data-action=approve]`);
            await p.waitForSelector(`#err-sf-${taskId}-id_number:not([hidden])`);
          } });

        // 医保 and 人社 (the card needs its number too; without it the page says so first).
        await approveAs(await other.person(), { base, who: 'staff-hz-medical-security', item: 'newborn_medical_insurance', staffFields: { id_number: CHILD_ID } });
        await approveAs(await other.person(), { base, who: 'staff-hz-hrss', item: 'newborn_social_security_card', claim: true,
          staffFields: { id_number: CHILD_ID, card_number: CARD_NUMBER },
          async check(p, taskId) {
            await p.fill(`#sf-${taskId}-id_number`, CHILD_ID);
            await p.click(`#case .decide[data-task-id="${taskId}"] button[data-action=approve]`);
            await p.waitForSelector(`#err-sf-${taskId}-card_number:not([hidden])`);
            assert.equal(await p.textContent(`#err-sf-${taskId}-card_number`), '必填');
          } });

        // The figures: the case's visits saved, fields filled in, licences from the wallet.
        const fig = await other.person();
        await openConsole(fig, base, 'staff-hz-hrss');
        await fig.waitForSelector('#chart-trips [data-row=marriage_birth_household]');
        assert.ok(Number(await fig.textContent('#chart-trips [data-row=marriage_birth_household] [data-value=trips_saved]')) >= 5);
        assert.ok(Number(await fig.textContent('#chart-prefilled [data-row=marriage_birth_household] [data-value=fields_prefilled]')) >= 9);
        assert.ok(Number(await fig.textContent('#chart-wallet [data-row=marriage_birth_household] [data-value=materials_from_wallet]')) >= 1);
        assert.equal(await fig.locator('#chart-departments [data-row=hz-hrss] svg rect').count(), 3);
        assert.ok(Number(await fig.textContent('#chart-departments [data-row=hz-hrss] [data-value=approved]')) >= 1);
        await fig.click('#filters button[data-filter=done]');
        await fig.waitForSelector(`#tasks[data-filter=done] li[data-case-number="${flow.number}"][data-state=approved]`);
        await checkAccessible(fig);
        await fig.locator('#figures-section').scrollIntoViewIfNeeded();
        await bothLanguages(fig, (n) => snap(artifacts, fig, n), 'console-services-figures');
      } finally {
        await other.close();
      }
    },
  },
  {
    name: 'services: the case is complete; both wallets hold the marriage certificate and the child\'s household register, medical insurance and social security card; another department sees none of it (404), 李娜 cannot open a case not hers (404)',
    async run({ page, base, artifacts, shot }) {
      if (!(await offers(base, '/api/v1/me/cases'))) return 'skip';
      needCase();
      await openServices(page, base, '13800000001');
      const card = page.locator(`#cases li[data-case-id="${flow.id}"]`);
      assert.equal(await card.getAttribute('data-state'), 'completed');
      assert.equal(await card.locator('li.task[data-state=approved]').count(), 5);
      assert.match(await page.textContent('#notices'), /婚育户一件事已全部办结/);
      await setLanguage(page, 'en');
      assert.match(await page.textContent('#notices'), /Marriage, birth and household in one is complete/);
      assert.deepEqual(await languageLeaks(page, 'en'), []);
      await setLanguage(page, 'zh');
      await shot('portal-services-completed');

      // The wallets: the portal's licence cards, and the licences' fields.
      await page.goto(`${base}/portal`);
      await page.waitForSelector('body[data-loaded=true]');
      const names = await page.$$eval('#licenses li h3', (hs) => hs.map((x) => x.textContent.trim()));
      for (const t of ['结婚证', '出生医学证明', '居民户口簿', '医保电子凭证', '社会保障卡']) assert.ok(names.includes(t), `${t} in 张伟's wallet: ${names}`);
      await page.click('#services-link');
      await page.waitForSelector('body[data-loaded=true]');
      for (const [who, spouse] of [['13800000001', '李娜'], ['13800000002', '张伟']]) {
        const w = (await apiCall(base, '/api/v1/me/licenses', { key: await token(base, who) })).items;
        const of = (type) => w.filter((l) => l.type_code === type);
        assert.ok(of('marriage_certificate').some((l) => l.fields.spouse_name === spouse && l.status === 'valid'), `${who}'s marriage certificate`);
        for (const type of ['household_register', 'medical_insurance_certificate', 'social_security_card']) {
          const child = of(type).filter((l) => l.fields.id_number === CHILD_ID);
          assert.equal(child.length, 1, `${who} holds the child's ${type}`);
          assert.equal(child[0].fields.name, '张小明');
        }
        assert.equal(of('social_security_card').find((l) => l.fields.id_number === CHILD_ID).fields.card_number, CARD_NUMBER);
        assert.equal(of('household_register').find((l) => l.fields.id_number === CHILD_ID).fields.household_head, '张伟');
      }

      // Another department: nothing in any queue, the case 404 (page and API).
      const other = await newBrowser();
      try {
        const tax = await other.person();
        await openConsole(tax, base, 'staff-hz-tax');
        for (const f of ['open', 'done']) {
          await tax.click(`#filters button[data-filter=${f}]`);
          await tax.waitForSelector(`#tasks[data-filter=${f}]`);
          assert.equal(await tax.locator(`#tasks li[data-case-number="${flow.number}"]`).count(), 0);
        }
        await tax.goto(`${base}/console/services?case=${flow.id}`);
        await tax.waitForSelector(`#case-error [data-not-found="${flow.id}"]`);
        assert.match(await tax.textContent('#case-error'), /没有找到这个办件/);
        assert.equal(await tax.locator('#case-fields').count(), 0);
        await checkAccessible(tax);
        await snap(artifacts, tax, 'console-services-not-found');
        const taxKey = await token(base, 'staff-hz-tax');
        await assert.rejects(apiCall(base, `/api/v1/service/cases/${flow.id}`, { key: taxKey }), /→ 404/);
        await assert.rejects(apiCall(base, `/api/v1/service/cases/${flow.id}/materials/marriage_joint_photo`, { key: taxKey }), /→ 404/);

        // 李娜 and a case of 张伟's she is not named in.
        const zw = await token(base, '13800000001');
        const draft = await apiCall(base, '/api/v1/me/cases', { key: zw, method: 'POST', body: { bundle: 'newborn_medical_insurance' } });
        const li = await other.person();
        await openServices(li, base, '13800000002', `?case=${draft.id}`);
        await li.waitForSelector(`#cases-error [data-not-found="${draft.id}"]`);
        assert.equal(await li.locator(`#cases li[data-case-id="${draft.id}"]`).count(), 0);
        assert.equal(await li.locator(`#cases li[data-case-id="${flow.id}"][data-state=completed]`).count(), 1);
        await assert.rejects(apiCall(base, `/api/v1/me/cases/${draft.id}`, { key: await token(base, '13800000002') }), /→ 404/);
        await snap(artifacts, li, 'portal-services-not-found');
      } finally {
        await other.close();
      }
    },
  },
];
