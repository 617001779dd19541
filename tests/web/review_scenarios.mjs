// The browser scenarios of decisions, appeals and ratings (issue 19: 秒批 / 申诉 / 好差评), run by
// pages.mjs after the service scenarios against the same `tongban demo`.
//
// Ratings: 张伟's 异地就医备案 is decided by the medical security bureau (set up over the API); at
// /portal/services he rates it 不满意 (a level is required, the comment's bytes are counted) and
// sees the remediation ticket's deadlines; the bureau, at /console/reviews in a browser of its
// own, calls him back, verifies, rectifies and answers (each text required); he sees the answer and
// rates again; the rating figures show stacked bars per department, item and window with the
// counts as text, and an auditor sees only them.
//
// Decisions and appeals: 李娜, whose household is registered in 嘉善县 (outside the 西湖区 school
// district), applies for 义务教育入学资格审核 at /portal/services; the rules refuse it at once and the
// page says why (the inputs, the row, the rule version); she appeals (a reason is required); 张伟's
// application for his daughter (household in 西湖区, no home on record) is passed to staff and
// marked in the education bureau's queue; the bureau reviews 李娜's appeal beside the decision's
// explanation and the case and reverses it with an answer; she sees the answer, the item approved
// and may rate it. Every page in zh and en and in large text, no horizontal scroll at 390×844.
import assert from 'node:assert/strict';
import { apiCall, checkAccessible, login, offers } from './scenarios.mjs';
import { bothLanguages, languageLeaks, setLanguage, token } from './data_scenarios.mjs';
import { citizenId } from './demo_server.mjs';
import { newBrowser, openConsole, openServices, photo, snap } from './service_scenarios.mjs';

// `who` null: the tab is logged in already.
const openReviews = (page, base, who, query = '') => openConsole(page, base, who, query, '/console/reviews');

// Shared by the scenarios, in order.
const rated = { caseId: null, number: null, taskId: null, ticketId: null };
const needRating = () => assert.ok(rated.taskId, 'the rating scenario did not get this far');
const appeal = { number: null, caseId: null, taskId: null, referredNumber: null };
const CHILD_ID = citizenId('33042120190601003');  // 李娜's daughter (synthetic)

export const reviewScenarios = [
  {
    name: 'reviews: 张伟\'s 异地就医备案 is decided; he rates it 不满意 — a level is required, the comment\'s bytes are counted — and sees the remediation ticket\'s deadlines (zh, en, large text)',
    async run({ page, base, shot }) {
      if (!(await offers(base, '/api/v1/me/cases/{id}/ratings'))) return 'skip';
      // The case, decided by the medical security bureau (the console's approval is the service
      // scenarios' subject): over the API.
      const zw = await token(base, '13800000001');
      const draft = await apiCall(base, '/api/v1/me/cases', { key: zw, method: 'POST', body: { bundle: 'cross_region_medical_filing' } });
      const idCard = draft.materials.find((m) => m.code === 'applicant_id_card').available[0];
      assert.ok(idCard, '张伟 has his ID card in the wallet');
      const sent = await apiCall(base, `/api/v1/me/cases/${draft.id}/submit`, { key: zw, method: 'POST', body: {
        answers: { medical_filing_type: '临时外出就医', medical_destination: '上海市', medical_filing_start_date: '2026-12-20', contact_phone: '13800000001' },
        materials: [{ code: 'applicant_id_card', license_id: idCard }] } });
      Object.assign(rated, { caseId: sent.id, number: sent.case_number, taskId: sent.tasks[0].id });
      await apiCall(base, `/api/v1/service/tasks/${rated.taskId}/approve`, { key: await token(base, 'staff-hz-medical-security'), method: 'POST', body: {} });

      await openServices(page, base, '13800000001');
      const item = page.locator(`#cases li.task[data-task-id="${rated.taskId}"]`);
      assert.equal(await item.getAttribute('data-state'), 'approved');
      const part = item.locator('.rating-part');
      assert.equal(await part.getAttribute('data-rated'), 'false');
      await item.locator('details.rate summary').click();
      const id = `rate-${rated.taskId}`;
      // The five levels, best first, as a radio group named by its legend.
      assert.deepEqual(await item.locator('fieldset.levels label').allTextContents(), ['非常满意', '满意', '基本满意', '不满意', '非常不满意']);
      assert.match(await item.locator('fieldset.levels legend').textContent(), /您对“异地就医备案”的办理满意吗？/);
      // No level: said under the group, the first level focused.
      await item.locator('button[data-action=rate]').click();
      await page.waitForSelector(`#${id}-level-error:not([hidden])`);
      assert.equal(await page.textContent(`#${id}-level-error`), '请选择一个评价等级');
      assert.equal(await page.evaluate(() => document.activeElement.id), `${id}-5`);
      // A comment over 500 bytes (a Chinese character is 3): counted as typed, refused before sending.
      await page.check(`#${id}-2`);
      await page.fill(`#${id}-comment`, '说明'.repeat(90));
      assert.match(await page.textContent(`#${id}-count`), /^540 \/ 500 字节（超出上限）$/);
      await item.locator('button[data-action=rate]').click();
      await page.waitForSelector(`#${id}-comment-error:not([hidden])`);
      assert.match(await page.textContent(`#${id}-comment-error`), /内容太长/);
      await page.fill(`#${id}-comment`, '窗口对备案材料的说明不清楚，来回问了三次。');
      assert.match(await page.textContent(`#${id}-count`), /^63 \/ 500 字节$/);
      await checkAccessible(page);
      await shot('portal-rating-form');
      await item.locator('button[data-action=rate]').click();
      await page.waitForSelector(`#cases li.task[data-task-id="${rated.taskId}"] .rating-part[data-rated=true]`);

      // The rating as given, the ticket it opened with its deadlines; no second rating yet.
      const shown = page.locator(`#cases li.task[data-task-id="${rated.taskId}"] .rated`);
      assert.equal(await shown.getAttribute('data-level'), '2');
      assert.match(await shown.locator('.level').textContent(), /^不满意$/);
      assert.match(await shown.locator('.comment').textContent(), /来回问了三次/);
      const ticket = shown.locator('.ticket');
      rated.ticketId = await ticket.getAttribute('data-ticket-id');
      assert.equal(await ticket.getAttribute('data-state'), 'open');
      assert.match(await ticket.textContent(), /差评整改\s*待回访/);
      assert.match(await ticket.locator('li[data-step=callback]').textContent(), /回访（进行中） · 期限 \d{4}-\d\d-\d\d/);
      assert.match(await ticket.locator('li[data-step=answer]').textContent(), /答复（待办） · 期限 \d{4}-\d\d-\d\d/);
      assert.equal(await page.locator(`#cases li.task[data-task-id="${rated.taskId}"] details.rate`).count(), 0, 'rated once');
      assert.equal(await page.evaluate(() => document.activeElement.classList.contains('rated')), true, 'the rating has the focus');
      await page.waitForSelector('#notices li[data-kind=remediation_opened]');
      await checkAccessible(page);
      await page.locator(`#cases li.task[data-task-id="${rated.taskId}"]`).scrollIntoViewIfNeeded();
      await bothLanguages(page, shot, 'portal-rating-ticket');
      await setLanguage(page, 'en');
      assert.match(await shown.locator('.level').textContent(), /^dissatisfied$/);
      assert.match(await ticket.locator('li[data-step=callback]').textContent(), /Call back \(next\) · due by \d{4}/);
      await setLanguage(page, 'zh');
      // Rating it twice is refused by the server too.
      await assert.rejects(apiCall(base, `/api/v1/me/cases/${rated.caseId}/ratings`, { key: zw, method: 'POST', body: { task_id: rated.taskId, level: 5 } }), /→ 409/);
    },
  },
  {
    name: 'reviews: the bureau walks the ticket at /console/reviews — call back, verify, rectify, answer, each text required — and 张伟 sees the answer and rates once more (zh, en, large text)',
    async run({ page, base, artifacts }) {
      if (!(await offers(base, '/api/v1/service/remediation'))) return 'skip';
      needRating();
      const other = await newBrowser();
      try {
        const staff = await other.person();
        await openReviews(staff, base, 'staff-hz-medical-security');
        await staff.waitForSelector('#tickets[data-filter=open]');
        const card = staff.locator(`#tickets li[data-ticket-id="${rated.ticketId}"]`);
        assert.equal(await card.getAttribute('data-case-number'), rated.number);
        assert.equal(await card.getAttribute('data-state'), 'open');
        assert.match(await card.locator('h3').textContent(), /异地就医备案/);
        assert.match(await card.locator('.rating .level').textContent(), /^不满意$/);
        assert.match(await card.locator('.rating .comment').textContent(), /来回问了三次/);
        assert.match(await card.locator('.rated-by').textContent(), /张伟（申请人）/);
        assert.match(await card.locator('.window').textContent(), /吴昊/);
        assert.match(await card.locator('.callback-due').textContent(), /^\d{4}-\d\d-\d\d$/);
        assert.match(await card.locator('.answer-due').textContent(), /^\d{4}-\d\d-\d\d$/);
        assert.equal(await card.locator('form.step-form').getAttribute('data-step'), 'callback');
        // An empty text: the server's reason under the box.
        await card.locator('button[data-action=callback]').click();
        await staff.waitForSelector(`#step-${rated.ticketId}-error:not([hidden])`);
        assert.equal(await staff.textContent(`#step-${rated.ticketId}-error`), '必填');
        await checkAccessible(staff);
        await bothLanguages(staff, (n) => snap(artifacts, staff, n), 'console-reviews-ticket');

        const steps = [
          ['callback', '已电话回访张伟，他反映窗口对备案所需材料说明不清。', 'called_back'],
          ['verify', '经核实，窗口一次性告知清单未更新。', 'verified'],
          ['rectify', '已更新一次性告知清单并对窗口人员培训。', 'rectified'],
          ['answer', '感谢您的反馈：备案材料清单已更新，窗口人员已培训，给您带来不便深表歉意。', 'answered'],
        ];
        for (const [action, text, state] of steps) {
          // The list shows open tickets: after the answer it is under 已答复.
          if (action === 'answer') {
            await staff.click('#ticket-filters button[data-filter=all]');
            await staff.waitForSelector(`#tickets[data-filter=all] li[data-ticket-id="${rated.ticketId}"]`);
          }
          const c = staff.locator(`#tickets li[data-ticket-id="${rated.ticketId}"]`);
          assert.equal(await c.locator('form.step-form').getAttribute('data-step'), action);
          await staff.fill(`#step-${rated.ticketId}`, text);
          await c.locator(`button[data-action=${action}]`).click();
          await staff.waitForSelector(`#tickets li[data-ticket-id="${rated.ticketId}"][data-state=${state}]`);
          assert.equal(await staff.locator(`#tickets li[data-ticket-id="${rated.ticketId}"] li[data-step=${action}]`).getAttribute('data-done'), 'true');
        }
        const done = staff.locator(`#tickets li[data-ticket-id="${rated.ticketId}"]`);
        assert.equal(await done.locator('form.step-form').count(), 0, 'nothing left to do');
        assert.match(await done.locator('[data-text=callback_note]').textContent(), /已电话回访张伟/);
        assert.match(await done.locator('[data-text=finding]').textContent(), /告知清单未更新/);
        assert.match(await done.locator('[data-text=measures]').textContent(), /培训/);
        assert.match(await done.locator('[data-text=answer]').textContent(), /深表歉意/);
        await done.locator('details.history summary').click();
        await done.locator('details.history[data-loaded=true]').waitFor();
        assert.deepEqual(await done.locator('ol.events li').evaluateAll((ls) => ls.map((l) => l.dataset.action)),
          ['open', 'callback', 'verify', 'rectify', 'answer']);
        await staff.click('#ticket-filters button[data-filter=open]');
        await staff.waitForSelector('#tickets[data-filter=open]');
        assert.equal(await staff.locator(`#tickets li[data-ticket-id="${rated.ticketId}"]`).count(), 0);
        await staff.click('#ticket-filters button[data-filter=answered]');
        await staff.waitForSelector(`#tickets[data-filter=answered] li[data-ticket-id="${rated.ticketId}"][data-state=answered]`);
        await checkAccessible(staff);
        await snap(artifacts, staff, 'console-reviews-answered');
        // Another department does not see the ticket (404), and a step twice is refused (409).
        await assert.rejects(apiCall(base, `/api/v1/service/remediation/${rated.ticketId}`, { key: await token(base, 'staff-hz-tax') }), /→ 404/);
        await assert.rejects(apiCall(base, `/api/v1/service/remediation/${rated.ticketId}/answer`,
          { key: await token(base, 'staff-hz-medical-security'), method: 'POST', body: { text: '再答复一次' } }), /→ 409/);
      } finally {
        await other.close();
      }

      // 张伟: the answer beside his rating, every step done; a second rating, once.
      await openServices(page, base, '13800000001');
      const item = page.locator(`#cases li.task[data-task-id="${rated.taskId}"]`);
      const ticket = item.locator(`.ticket[data-ticket-id="${rated.ticketId}"]`);
      assert.equal(await ticket.getAttribute('data-state'), 'answered');
      assert.match(await ticket.locator('.answer').textContent(), /部门答复：感谢您的反馈.*深表歉意/);
      assert.deepEqual(await ticket.locator('ol.steps li').evaluateAll((ls) => ls.map((l) => l.dataset.done)), ['true', 'true', 'true', 'true']);
      assert.match(await page.textContent('#notices'), /感谢您的反馈/);
      const again = item.locator('details.rate');
      assert.equal(await again.getAttribute('open'), '', 'the second rating is offered, unfolded');
      assert.match(await again.locator('summary').textContent(), /再次评价/);
      await checkAccessible(page);
      await item.scrollIntoViewIfNeeded();
      await bothLanguages(page, (n) => snap(artifacts, page, n), 'portal-rating-answered');
      await page.check(`#rate-${rated.taskId}-4`);
      await item.locator('button[data-action=rate]').click();
      await page.waitForSelector(`#cases li.task[data-task-id="${rated.taskId}"] .rated[data-round="2"]`);
      const second = page.locator(`#cases li.task[data-task-id="${rated.taskId}"] .rated[data-round="2"]`);
      assert.match(await second.textContent(), /再次评价：满意/);
      assert.equal(await second.locator('.ticket').count(), 0, 'a good rating opens no ticket');
      assert.equal(await page.locator(`#cases li.task[data-task-id="${rated.taskId}"] details.rate`).count(), 0, 'no third round');
    },
  },
  {
    name: 'reviews: rating figures per department, item and window as stacked bars of the five levels with the counts as text; an auditor sees the figures only (zh, en, large text)',
    async run({ page, base, shot, artifacts }) {
      if (!(await offers(base, '/api/v1/service/ratings/figures'))) return 'skip';
      needRating();
      await openReviews(page, base, 'staff-hz-medical-security');
      await page.waitForSelector('#figures[data-loaded=true]');
      const dept = page.locator('#chart-departments [data-row=hz-medical-security]');
      assert.ok(Number(await dept.getAttribute('data-total')) >= 2);
      assert.ok(Number(await dept.locator('[data-level="2"]').last().textContent()) >= 1);
      assert.ok(Number(await dept.locator('.levels-text [data-level="4"]').textContent()) >= 1);
      // The bar: one segment per level rated, best first, adding up to the whole width.
      const rects = await dept.locator('svg.stacked rect').evaluateAll((rs) => rs.map((r) => [r.dataset.level, parseFloat(r.getAttribute('width'))]));
      assert.ok(rects.length >= 2);
      assert.deepEqual(rects.map(([l]) => l), [...rects.map(([l]) => l)].sort().reverse());
      assert.ok(Math.abs(rects.reduce((a, [, w]) => a + w, 0) - 100) < 0.01);
      assert.equal(await dept.locator('svg').getAttribute('aria-hidden'), 'true');
      assert.match(await dept.locator('.bar-label').textContent(), /杭州市医疗保障局：共 \d+ 条评价 · 满意率 \d+\.\d%/);
      assert.match(await dept.locator('.levels-text').textContent(), /^非常满意 \d+ · 满意 \d+ · 基本满意 \d+ · 不满意 \d+ · 非常不满意 \d+$/);
      assert.match(await dept.locator('[data-value=tickets_answered_on_time]').textContent(), /^[1-9]\d*\/[1-9]\d*$/);
      assert.equal(await page.locator('#chart-items [data-row=cross_region_medical_filing]').count(), 1);
      assert.ok(await page.locator('#chart-windows .bar-row').count() >= 1);
      assert.ok(Number(await page.textContent('#figures-overall [data-value=total]')) >= 2);
      await page.locator('#figures-section').scrollIntoViewIfNeeded();
      await checkAccessible(page);
      await bothLanguages(page, shot, 'console-reviews-figures');

      // An auditor: the figures, not the department's appeals or tickets.
      const other = await newBrowser();
      try {
        const auditor = await other.person();
        await openReviews(auditor, base, 'auditor-001');
        await auditor.waitForSelector('#figures[data-loaded=true]');
        assert.equal(await auditor.isHidden('#appeals-section'), true);
        assert.equal(await auditor.isHidden('#tickets-section'), true);
        assert.equal(await auditor.locator('#chart-departments [data-row=hz-medical-security]').count(), 1);
        await checkAccessible(auditor);
        await setLanguage(auditor, 'en');
        assert.deepEqual(await languageLeaks(auditor, 'en'), []);
        await snap(artifacts, auditor, 'console-reviews-auditor-en');
      } finally {
        await other.close();
      }
    },
  },
  {
    name: 'appeals: 李娜 (household in 嘉善县) applies for 义务教育入学资格审核; the rules refuse it at once and the page says why; she appeals (a reason is required); 张伟\'s application is passed to staff and marked in the queue (zh, en, large text)',
    async run({ page, base, shot }) {
      if (!(await offers(base, '/api/v1/me/cases/{id}/appeals'))) return 'skip';
      await openServices(page, base, '13800000002');
      await page.click('#catalogue-section > details > summary');
      await page.click('#items li[data-bundle=enrolment_eligibility_check] button[data-action=start]');
      await page.waitForSelector('body[data-form=submit]');
      appeal.number = (await page.textContent('#case-number')).trim();
      assert.match(await page.textContent('#given [data-field=applicant_household_address]'), /嘉善县罗星街道 12 号/);
      await page.fill('#f-contact_phone', '13800000002');
      await page.fill('#f-child_name', '王小雨');
      await page.fill('#f-child_id', CHILD_ID);
      await page.selectOption('#f-child_sex', '女');
      await page.fill('#f-child_birth_date', '2019-06-01');
      await page.selectOption('#f-enrolment_stage', '小学一年级');
      await page.setInputFiles('#m-applicant_household_register-file', photo('户口簿.png', [30, 30, 200]));
      await page.waitForFunction(() => /已上传 PNG/.test(document.getElementById('att-applicant_household_register').textContent));
      await page.click('#apply-submit');
      await page.waitForFunction(() => !document.body.dataset.form || !document.getElementById('apply-error').hidden);
      assert.equal(await page.isHidden('#apply-error'), true, await page.textContent('#apply-error'));
      const card = page.locator('#cases li[data-case-id]:not([data-state=draft])').filter({ hasText: appeal.number });
      await card.waitFor();
      appeal.caseId = await card.getAttribute('data-case-id');
      assert.equal(await card.getAttribute('data-state'), 'rejected');
      const task = card.locator('li.task[data-item=enrolment_eligibility_check]');
      appeal.taskId = await task.getAttribute('data-task-id');
      assert.equal(await task.getAttribute('data-state'), 'rejected');

      // The decision in plain words, its reason, and why.
      const d = task.locator('.decision');
      assert.equal(await d.getAttribute('data-outcome'), 'reject');
      assert.match(await d.locator('.verdict').textContent(), /自动审核（秒批）：不予通过/);
      assert.match(await d.locator('.decision-reason').textContent(), /户籍不在本学区/);
      assert.equal(await d.locator('details.why').getAttribute('open'), null);
      await d.locator('details.why summary').click();
      assert.equal((await d.locator('tr[data-input=household_in_district] th').textContent()).trim(), '户籍在西湖区学区内');
      assert.equal((await d.locator('tr[data-input=household_in_district] td').textContent()).trim(), '否');
      assert.match((await d.locator('tr[data-input=child_age] td').textContent()).trim(), /^\d+$/);
      assert.match(await d.locator('.rows').textContent(), /^第 \d+ 行$/);
      assert.match(await d.locator('.rule').textContent(), /^enrolment_eligibility_check · 第 \d+ 版 · [0-9a-f]{12}$/);

      // The appeal: the form opens on the button; an empty reason is refused by the server, in words.
      const open = task.locator('button[data-action=appeal]');
      assert.equal(await open.getAttribute('aria-expanded'), 'false');
      await open.click();
      assert.equal(await open.getAttribute('aria-expanded'), 'true');
      const id = `appeal-${appeal.taskId}`;
      assert.equal(await page.evaluate(() => document.activeElement.id), `${id}-reason`);
      await task.locator('button[data-action=send-appeal]').click();
      await page.waitForSelector(`#${id}-reason-error:not([hidden])`);
      assert.equal(await page.textContent(`#${id}-reason-error`), '必填');
      await page.fill(`#${id}-reason`, '孩子随我在西湖区居住多年，租住房屋已办理租赁备案，请复核居住情况。');
      assert.match(await page.textContent(`#${id}-count`), /^\d+ \/ 1000 字节$/);
      await checkAccessible(page);
      await d.scrollIntoViewIfNeeded();
      await bothLanguages(page, shot, 'portal-decision-appeal');
      await setLanguage(page, 'en');
      assert.match(await d.locator('.decision-reason').textContent(), /not registered in this school district/);
      assert.equal((await d.locator('tr[data-input=household_in_district] td').textContent()).trim(), 'no');
      await setLanguage(page, 'zh');
      await task.locator('button[data-action=send-appeal]').click();
      const filed = page.locator(`#cases li.task[data-task-id="${appeal.taskId}"] .appeal`);
      await filed.waitFor();
      assert.equal(await filed.getAttribute('data-state'), 'open');
      assert.match(await filed.textContent(), /申诉：复核中.*申诉理由孩子随我在西湖区居住多年.*答复期限/);
      assert.equal(await page.locator(`#cases li.task[data-task-id="${appeal.taskId}"] button[data-action=appeal]`).count(), 0, 'appealed once');
      await page.waitForSelector('#notices li[data-kind=appeal_filed]');
      await checkAccessible(page);
      await shot('portal-appeal-filed');
      // The rejection may be rated meanwhile; appealing twice is refused.
      await assert.rejects(apiCall(base, `/api/v1/me/cases/${appeal.caseId}/appeals`, { key: await token(base, '13800000002'), method: 'POST',
        body: { task_id: Number(appeal.taskId), reason: '再次申诉' } }), /→ 409/);

      // 张伟's application for his daughter: household in the district, no home on record → staff.
      const zw = await token(base, '13800000001');
      const draft = await apiCall(base, '/api/v1/me/cases', { key: zw, method: 'POST', body: { bundle: 'enrolment_eligibility_check' } });
      const res = await fetch(`${base}/api/v1/me/cases/${draft.id}/materials/applicant_household_register`, { method: 'PUT',
        headers: { Authorization: `Bearer ${zw}`, 'Content-Type': 'application/octet-stream' }, body: photo('户口簿.png', [1, 2, 3]).buffer });
      assert.equal(res.status, 200);
      const referred = await apiCall(base, `/api/v1/me/cases/${draft.id}/submit`, { key: zw, method: 'POST', body: { answers: {
        contact_phone: '13800000001', child_name: '张小雨', child_id: citizenId('33010620190601002'), child_sex: '女', child_birth_date: '2019-06-01',
        enrolment_stage: '小学一年级' }, materials: [] } });
      appeal.referredNumber = referred.case_number;
      assert.equal(referred.tasks[0].state, 'ready');
      assert.equal(referred.tasks[0].decision.outcome, 'refer');
      await openServices(page, base, '13800000001');
      const mine = page.locator(`#cases li[data-case-id="${referred.id}"] .decision`);
      assert.equal(await mine.getAttribute('data-outcome'), 'refer');
      assert.match(await mine.textContent(), /转人工审核.*未查到学区内住房或租赁记录/);
      assert.equal(await page.locator(`#cases li[data-case-id="${referred.id}"] button[data-action=appeal]`).count(), 0, 'nothing to appeal');
      assert.equal(await page.locator(`#cases li[data-case-id="${referred.id}"] details.rate`).count(), 0, 'nothing to rate yet');
    },
  },
  {
    name: 'appeals: the education bureau sees the referred application marked in its queue, reviews 李娜\'s appeal beside the decision\'s explanation and the case and reverses it with an answer; she sees the answer, the item approved and may rate it (zh, en, large text)',
    async run({ page, base, artifacts, shot }) {
      if (!(await offers(base, '/api/v1/service/appeals'))) return 'skip';
      assert.ok(appeal.taskId && appeal.referredNumber, 'the appeal scenario did not get this far');
      const other = await newBrowser();
      try {
        const staff = await other.person();
        // The queue: 张伟's application marked as passed on by the rules; its case has the decision.
        await staff.goto(`${base}/console/services`);
        await staff.waitForSelector('body[data-ready=true]');
        await login(staff, 'staff-hz-education');
        await staff.waitForSelector('body[data-signed-in=true]');
        await staff.click('#filters button[data-filter=ready]');
        await staff.waitForSelector('#tasks[data-filter=ready]');
        const queued = staff.locator(`#tasks li[data-case-number="${appeal.referredNumber}"]`);
        assert.match(await queued.locator('[data-mark=referred]').textContent(), /秒批转人工/);
        await queued.locator('button[data-action=open]').click();
        await staff.waitForSelector('#case-tasks li.task .decision[data-outcome=refer]');
        assert.match(await staff.textContent('#case-tasks .decision'), /未查到学区内住房或租赁记录/);
        assert.match(await staff.textContent('#main p.no-print'), /申诉与好差评/);

        // The appeal beside the decision and the case.
        await staff.click('a[href="/console/reviews"]');
        await staff.waitForSelector('body[data-signed-in=true]');
        await staff.waitForSelector('#appeals[data-filter=open]');
        const card = staff.locator(`#appeals li[data-case-number="${appeal.number}"]`);
        assert.equal(await card.getAttribute('data-state'), 'open');
        assert.match(await card.locator('h3').textContent(), /义务教育入学资格审核/);
        assert.match(await card.locator('.appeal-reason').textContent(), /租赁备案/);
        await card.locator('button[data-action=open-appeal]').click();
        await staff.waitForSelector('#appeal-section[data-state=open]');
        assert.match(await staff.textContent('#appeal-h'), new RegExp(`申诉 · 办件 ${appeal.number}`));
        const d = staff.locator('#appeal .decision');
        assert.equal(await d.getAttribute('data-outcome'), 'reject');
        assert.equal(await d.locator('details.why').getAttribute('open'), '', 'the explanation is unfolded for staff');
        assert.equal((await d.locator('tr[data-input=household_in_district] td').textContent()).trim(), '否');
        assert.match(await d.locator('.rows').textContent(), /第 \d+ 行/);
        assert.match(await staff.textContent('#appeal .applicant'), /李娜/);
        assert.match(await staff.textContent('#appeal-fields [data-field=applicant_household_address]'), /嘉善县罗星街道 12 号.*来自 杭州市公安局/);
        assert.match(await staff.textContent('#appeal-materials [data-material=applicant_household_register]'), /上传的文件/);
        // Reversing without an answer: the server's reason under the box.
        await staff.click('#appeal button[data-action=reverse]');
        await staff.waitForSelector('#appeal-answer-error:not([hidden])');
        assert.equal(await staff.textContent('#appeal-answer-error'), '必填');
        assert.equal(await staff.evaluate(() => document.activeElement.id), 'appeal-answer');
        await staff.fill('#appeal-answer', '经核实，申请人在西湖区有租赁备案，符合学区入学条件，予以通过。');
        await checkAccessible(staff);
        await bothLanguages(staff, (n) => snap(artifacts, staff, n), 'console-reviews-appeal');
        await staff.click('#appeal button[data-action=reverse]');
        await staff.waitForSelector('#appeal-section[data-state=reversed]');
        assert.match(await staff.textContent('#appeal .appeal'), /申诉：已改判通过.*复核答复经核实/);
        assert.equal(await staff.locator('#appeal .decide').count(), 0, 'decided once');
        await staff.waitForSelector('#appeals[data-filter=open]');
        assert.equal(await staff.locator(`#appeals li[data-case-number="${appeal.number}"]`).count(), 0);
        await staff.click('#appeal-filters button[data-filter=decided]');
        await staff.waitForSelector(`#appeals[data-filter=decided] li[data-case-number="${appeal.number}"][data-state=reversed]`);
        await snap(artifacts, staff, 'console-reviews-appeal-reversed');
        // Another department gets 404 for it.
        const list = await apiCall(base, '/api/v1/service/appeals?state=decided', { key: await token(base, 'staff-hz-education') });
        const a = list.items.find((x) => x.case_number === appeal.number);
        await assert.rejects(apiCall(base, `/api/v1/service/appeals/${a.id}`, { key: await token(base, 'staff-hz-tax') }), /→ 404/);
      } finally {
        await other.close();
      }

      // 李娜: the answer, the item approved, and the rating form for it.
      await openServices(page, base, '13800000002');
      const task = page.locator(`#cases li.task[data-task-id="${appeal.taskId}"]`);
      assert.equal(await task.getAttribute('data-state'), 'approved');
      const box = task.locator('.appeal');
      assert.equal(await box.getAttribute('data-state'), 'reversed');
      assert.match(await box.locator('.appeal-answer').textContent(), /符合学区入学条件，予以通过/);
      assert.match(await page.textContent('#notices'), /申诉经复核予以支持/);
      assert.equal(await task.locator('details.rate').count(), 1, 'the approved item may be rated');
      await checkAccessible(page);
      await task.scrollIntoViewIfNeeded();
      await bothLanguages(page, shot, 'portal-appeal-answered');
    },
  },
];
