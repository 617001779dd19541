// "申诉与好差评 / Appeals and ratings" (/console/reviews), for department staff (the console's
// session: the same tab stays logged in between /console, /console/services and here): appeals
// against the department's automatic refusals (GET /api/v1/service/appeals?state=open|decided), one
// appeal beside the decision it contests — the inputs the rules read, the rows that applied, the
// rule version — and the case (GET /api/v1/service/appeals/{id}), reversed or upheld with an answer
// to the applicant (POST …/decide); the department's remediation tickets of bad ratings (GET
// /api/v1/service/remediation?filter=…) with their deadlines, the rating and its comment, and the
// next step's form (回访 → 核实 → 整改 → 答复, POST …/{step}); the rating figures (GET
// /api/v1/service/ratings/figures) per department, item and window as stacked bars of the five
// levels (inline SVG; the numbers as text beside them). Auditors and the operator see the figures.
// ?appeal=<id> opens one appeal.

import { ApiError, bindSignIn, clearError, formatTime, h, initShell, L, Session, showError, T } from './shell.js';
import { catalogue, named, raw, when } from './data_common.js';
import { answeredBy, appealBox, appealFacts, APPEAL_STATES, badge, byteCounter, CASE_STATES, decisionBox, explainProblem, fieldValue,
  filterButtons, LEVELS, levelName, licenceTypes, mark, nextStep, pastDue, placeErrors, services, showProblem, svg, TICKET_STATES,
  ticketProgress } from './service_common.js';

initShell();
const $ = (id) => document.getElementById(id);
const session = new Session('console');
const enc = encodeURIComponent;
let svc = null;
let types = null;       // the licence types (names, fields with labels)
let isStaff = false;
let appealFilter = 'open';
let ticketFilter = 'open';

// An item named by its code, from the service catalogue (an appeal names its item by code).
function itemName(code) {
  const s = svc && svc.step(code);
  return s ? named(s) : h('code', {}, code);
}

// A window: "秒批 / automatic", or the member of staff who decided (their name: data, the same in
// both languages).
const windowName = (w) => (w.name_zh === w.name_en ? raw(w.name_zh) : named(w));

// --- Appeals (申诉) -----------------------------------------------------------------------------

const APPEAL_FILTERS = [['open', '待复核', 'To review'], ['decided', '已复核', 'Reviewed']];

function appealCard(a) {
  const late = a.state === 'open' && a.due_at && Date.now() > Date.parse(a.due_at);
  return h('li', { className: 'card', 'data-appeal-id': String(a.id), 'data-case-number': a.case_number, 'data-state': a.state,
    'data-overdue': late ? 'true' : 'false' },
  h('h3', {}, itemName(a.item)),
  h('p', {}, h('span', { className: 'nobr', 'data-raw': '' }, a.case_number), ' ', badge(a.state, APPEAL_STATES),
    late ? [' ', mark('overdue', 'bad', '已逾期', 'overdue')] : ''),
  appealFacts(a, { late }),
  h('button', { type: 'button', className: a.state === 'open' ? 'primary' : '', 'data-action': 'open-appeal', onclick: () => openAppeal(a.id) },
    a.state === 'open' ? L('复核', 'Review') : L('查看', 'View')));
}

async function loadAppeals() {
  if (!isStaff) return;
  clearError($('appeals-error'));
  try {
    const r = await session.call(`/api/v1/service/appeals?state=${enc(appealFilter)}`);
    $('appeals').replaceChildren(...(r.items.length ? r.items.map(appealCard)
      : [h('li', { className: 'muted', 'data-empty': appealFilter }, L('这里没有申诉。', 'No appeals here.'))]));
    $('appeals').dataset.filter = appealFilter;
  } catch (e) {
    showProblem($('appeals-error'), e);
  }
}

function pickAppealFilter(key) {
  appealFilter = key;
  filterButtons($('appeal-filters'), APPEAL_FILTERS, appealFilter, pickAppealFilter);
  loadAppeals();
}

// The case as the department sees it beside the appeal: applicant, the form with its sources, the
// materials, and a link to the case in the task console.
function caseSummary(c) {
  return [
    h('h3', {}, L('办件', 'The case')),
    h('p', {}, named(c.bundle), ' ', badge(c.state, CASE_STATES)),
    h('dl', { className: 'kv' },
      h('dt', {}, L('申请人', 'Applicant')), h('dd', { className: 'applicant' }, raw(c.applicant.name), ' ', raw(c.applicant.id_masked, 'nobr')),
      c.submitted_at ? [h('dt', {}, L('提交时间', 'Sent')), h('dd', {}, when(formatTime(c.submitted_at)))] : ''),
    h('dl', { className: 'fields', id: 'appeal-fields' }, c.fields.map((f) =>
      h('div', { 'data-field': f.code }, h('dt', {}, named(f)),
        h('dd', {}, h('div', { className: 'value' }, fieldValue(f)), h('div', { className: 'muted small' }, answeredBy(c, f)))))),
    c.materials.length ? h('ul', { className: 'materials', id: 'appeal-materials' }, c.materials.map((m) =>
      h('li', { 'data-material': m.code }, h('strong', {}, named(m)), L('：', ': '),
        !m.attached ? h('span', { className: 'muted' }, L('未提供', 'not given'))
          : m.attached.license_id ? h('span', { className: 'pass' }, L('✓ 电子证照（已核验）：', '✓ E-licence (verified): '), types.name(m.attached.type))
            : h('span', {}, L('上传的文件', 'an uploaded file'))))) : '',
    h('p', { className: 'no-print' }, h('a', { href: `/console/services?case=${enc(c.id)}`, className: 'case-link' },
      L('在“一件事办件”中查看整个办件', 'Open the whole case in One-thing tasks'))),
  ];
}

function decidePanel(view) {
  const a = view.appeal;
  const output = svc.step(a.item) ? svc.step(a.item).output : null;
  const answer = h('textarea', { id: 'appeal-answer', rows: '4', 'aria-describedby': 'appeal-answer-count appeal-answer-error' });
  const answerErr = h('div', { id: 'appeal-answer-error', className: 'field-error', hidden: true });
  const box = h('div', { id: 'decide-error', hidden: true });
  const staff = h('fieldset', { className: 'staff-fields', hidden: true },
    h('legend', {}, L('改判通过时发放：', 'Issued on reversal: '), output ? types.name(output) : '', L('（本部门填写）', ' (your department gives)')));
  const staffInput = (name) => {
    const id = `appeal-sf-${name}`;
    let input = $(id);
    if (input) return input;
    const f = types.field(output, name);
    input = h('input', { id, name, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': `err-${id}` });
    staff.append(h('div', { className: 'field', 'data-staff-field': name }, h('label', { for: id }, L(f.zh, f.en)), input,
      h('div', { id: `err-${id}`, className: 'field-error', hidden: true })));
    staff.hidden = false;
    return input;
  };
  const panel = h('div', { className: 'decide checks', 'data-appeal-id': String(a.id) },
    h('h3', {}, L('复核决定', 'Your decision')),
    h('p', { className: 'muted small' }, L('改判通过：本事项即按通过办结（如有证照即发放），申请人的办件继续办理。维持原结果：原自动审核结果不变。两种决定都须答复申请人，申请人可见。',
      'Reverse: the item is approved as if by staff (a licence, if any, is issued) and the case goes on. Uphold: the automatic decision stands. Either way, answer the applicant; they see it.')),
    h('label', { for: answer.id }, L('答复申请人（必填，最多 1000 字节）', 'Answer to the applicant (required, at most 1,000 bytes)')),
    answer, byteCounter(answer, 1000, 'appeal-answer-count'), answerErr, staff, box);
  const act = (decision, zh, en, primary) => h('button', { type: 'button', className: primary ? 'primary' : '', 'data-action': decision,
    onclick: async (ev) => {
      const button = ev.currentTarget;
      for (const el of panel.querySelectorAll('.field-error')) { el.hidden = true; el.replaceChildren(); }
      clearError(box);
      const body = { decision, answer: answer.value.trim() };
      const fields = Object.fromEntries([...staff.querySelectorAll('input')].map((i) => [i.name, i.value.trim()]));
      if (decision === 'reverse' && Object.keys(fields).length) body.staff_fields = fields;
      button.disabled = true;
      try {
        await session.call(`/api/v1/service/appeals/${enc(a.id)}/decide`, { method: 'POST', body });
        await openAppeal(a.id, { keepFocus: true });
        $('appeal-h').focus();
        loadAppeals();
      } catch (e) {
        button.disabled = false;
        if (e instanceof ApiError && e.status === 401) return;
        const first = placeErrors(e, (field) => {
          if (field === '/answer') return answerErr;
          const m = /^\/staff_fields\/(.+)$/.exec(field);
          return m && output ? $(`err-${staffInput(m[1]).id}`) : null;
        }, box, showProblem);
        if (first === answerErr) answer.focus();
        else if (first) first.parentElement.querySelector('input').focus();
      }
    } }, L(zh, en));
  panel.append(h('div', { className: 'actions' }, act('reverse', '改判通过并答复', 'Reverse (approve) and answer', true),
    act('uphold', '维持原结果并答复', 'Uphold and answer')));
  return panel;
}

async function openAppeal(id, { keepFocus = false } = {}) {
  clearError($('appeal-error'));
  $('appeal-section').hidden = false;
  try {
    const view = await session.call(`/api/v1/service/appeals/${enc(id)}`);
    const a = view.appeal;
    $('appeal-h').replaceChildren(L('申诉 · 办件 ', 'Appeal · case '), h('span', { className: 'nobr', 'data-raw': '' }, a.case_number));
    const task = view.case.tasks.find((t) => t.id === a.task_id);
    $('appeal').replaceChildren(
      h('p', {}, h('strong', {}, itemName(a.item)), task ? [' · ', named(task.department)] : ''),
      appealBox(a),
      h('h3', {}, L('被申诉的自动审核结果', 'The automatic decision appealed')),
      decisionBox(view.decision, { open: true }),
      ...caseSummary(view.case),
      a.state === 'open' ? decidePanel(view) : '');
    $('appeal-section').dataset.appealId = String(a.id);
    $('appeal-section').dataset.state = a.state;
    if (!keepFocus) { $('appeal-section').scrollIntoView({ block: 'start' }); $('appeal-h').focus(); }
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    $('appeal').replaceChildren();
    delete $('appeal-section').dataset.appealId;
    $('appeal-h').replaceChildren(L('申诉 ', 'Appeal '), h('span', { className: 'nobr' }, String(id)));
    showProblem($('appeal-error'), e);
  }
}
$('appeal-close').addEventListener('click', () => {
  $('appeal-section').hidden = true;
  $('appeals-section').scrollIntoView({ block: 'start' });
});

// --- Remediation tickets (差评整改) --------------------------------------------------------------

const TICKET_FILTERS = [['open', '在办', 'Open'], ['overdue', '已逾期', 'Overdue'], ['answered', '已答复', 'Answered'], ['all', '全部', 'All']];

// What each step records, as the form asks for it.
const STEP_FORMS = {
  callback: ['回访记录：群众反映的情况', 'Call-back note: what the person told you', '记录回访', 'Record the call-back'],
  verify: ['核实结果：经核实的情况', 'Finding: what you found on checking', '记录核实结果', 'Record the finding'],
  rectify: ['整改措施', 'Measures taken to put it right', '记录整改措施', 'Record the measures'],
  answer: ['答复群众（群众可见）', 'Answer to the person (they see it)', '答复并办结', 'Answer and close'],
};
const STEP_TEXTS = [['callback_note', '回访情况', 'Call-back'], ['finding', '核实结果', 'Finding'],
  ['measures', '整改措施', 'Measures'], ['answer', '答复', 'Answer']];
const STEP_ACTIONS = {
  open: ['收到差评', 'opened'], callback: ['回访', 'called back'], verify: ['核实', 'verified'], rectify: ['整改', 'rectified'],
  answer: ['答复', 'answered'], escalate_callback: ['回访逾期，升级督办', 'call-back overdue: escalated'],
  escalate_answer: ['答复逾期，升级督办', 'answer overdue: escalated'],
};

function stepForm(k) {
  const step = nextStep(k);
  if (!step) return '';
  const [action] = step;
  const [label, labelEn, button, buttonEn] = STEP_FORMS[action];
  const id = `step-${k.id}`;
  const text = h('textarea', { id, rows: '3', 'aria-describedby': `${id}-count ${id}-error` });
  const err = h('div', { id: `${id}-error`, className: 'field-error', hidden: true });
  const box = h('div', { id: `${id}-problem`, hidden: true });
  const submit = h('button', { type: 'submit', className: 'primary', 'data-action': action }, L(button, buttonEn));
  const form = h('form', { className: 'step-form decide checks', novalidate: true, 'data-step': action },
    h('label', { for: id }, L(`${label}（必填，最多 1000 字节）`, `${labelEn} (required, at most 1,000 bytes)`)),
    text, byteCounter(text, 1000, `${id}-count`), err, box, h('div', { className: 'actions' }, submit));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    clearError(box);
    submit.disabled = true;
    try {
      await session.call(`/api/v1/service/remediation/${enc(k.id)}/${action}`, { method: 'POST', body: { text: text.value.trim() } });
      await loadTickets();
      loadFigures();
      const card = document.querySelector(`#tickets li[data-ticket-id="${k.id}"]`);
      const next = card && card.querySelector('textarea');
      if (next) next.focus();
      else if (card) { card.focus(); }
    } catch (e) {
      submit.disabled = false;
      if (e instanceof ApiError && e.status === 401) return;
      if (placeErrors(e, { '/text': err }, box, showProblem) === err) text.focus();
    }
  });
  return form;
}

// The ticket's steps as recorded (GET …/remediation/{id}: each with who and when, and the ledger
// document it committed to), read when the box is opened.
function stepsBox(k) {
  const body = h('div', {});
  const box = h('details', { className: 'history' }, h('summary', {}, L('整改记录', 'What was done')), body);
  box.addEventListener('toggle', async () => {
    if (!box.open || box.dataset.loaded) return;
    try {
      const full = await session.call(`/api/v1/service/remediation/${enc(k.id)}`);
      body.replaceChildren(h('ol', { className: 'events' }, (full.steps || []).map((s) => {
        const [zh, en] = STEP_ACTIONS[s.action] || [s.action, s.action];
        return h('li', { 'data-action': s.action }, when(formatTime(s.at)), ' ', raw(s.by), L('：', ': '), L(zh, en));
      })));
      box.dataset.loaded = 'true';
    } catch (e) {
      body.replaceChildren(explainProblem(e));
    }
  });
  return box;
}

// What each step recorded.
function stepTexts(k) {
  const texts = STEP_TEXTS.filter(([f]) => k[f]);
  return texts.length ? h('dl', { className: 'kv step-texts' }, texts.flatMap(([f, zh, en]) =>
    [h('dt', {}, L(zh, en)), h('dd', { 'data-text': f }, raw(k[f]))])) : '';
}

function ticketCard(k) {
  const r = k.rating;
  const marks = [];
  if (k.overdue) marks.push(mark('overdue', 'bad', '已逾期', 'overdue'));
  if (k.callback_escalated_at) marks.push(mark('callback-escalated', 'bad', '回访逾期已督办', 'call-back escalated'));
  if (k.answer_escalated_at) marks.push(mark('answer-escalated', 'bad', '答复逾期已督办', 'answer escalated'));
  const due = (date) => h('span', { className: `nobr${k.state !== 'answered' && pastDue(date) ? ' fail' : ''}` }, date);
  return h('li', { className: `card ticket${k.overdue ? ' overdue' : ''}`, tabindex: '-1', 'data-ticket-id': String(k.id), 'data-state': k.state,
    'data-case-number': k.case_number, 'data-overdue': k.overdue ? 'true' : 'false' },
  h('h3', {}, named(k.item)),
  h('p', { className: 'marks' }, h('span', { className: 'nobr', 'data-raw': '' }, k.case_number), ' ', badge(k.state, TICKET_STATES),
    marks.flatMap((m) => [' ', m])),
  h('div', { className: 'checks bad rating', 'data-level': String(r.level) },
    h('p', { className: 'verdict' }, L('评价：', 'Rating: '), h('span', { className: 'level' }, levelName(r.level)),
      r.round > 1 ? L('（再次评价）', ' (second rating)') : ''),
    h('dl', { className: 'kv' },
      h('dt', {}, L('意见', 'Comment')), h('dd', { className: 'comment' }, r.comment ? raw(r.comment) : h('span', { className: 'muted' }, L('（未填写）', '(none)'))),
      h('dt', {}, L('评价人', 'Rated by')), h('dd', { className: 'rated-by' }, raw(r.rated_by.name),
        r.rated_by.party === 'applicant' ? L('（申请人）', ' (applicant)') : L('（共同申请人）', ' (co-applicant)')),
      h('dt', {}, L('窗口', 'Window')), h('dd', { className: 'window' }, windowName(r.window)),
      h('dt', {}, L('评价时间', 'Rated')), h('dd', {}, when(formatTime(r.at))))),
  h('dl', { className: 'kv' },
    h('dt', {}, L('回访期限', 'Call back by')), h('dd', { className: 'callback-due' }, due(k.callback_due_date)),
    h('dt', {}, L('答复期限', 'Answer by')), h('dd', { className: 'answer-due' }, due(k.answer_due_date)),
    k.handled_by ? [h('dt', {}, L('经办人', 'Handled by')), h('dd', {}, raw(k.handled_by))] : ''),
  ticketProgress(k),
  stepTexts(k),
  stepForm(k),
  stepsBox(k));
}

async function loadTickets() {
  if (!isStaff) return;
  clearError($('tickets-error'));
  try {
    const r = await session.call(`/api/v1/service/remediation?filter=${enc(ticketFilter)}`);
    $('tickets').replaceChildren(...(r.items.length ? r.items.map(ticketCard)
      : [h('li', { className: 'muted', 'data-empty': ticketFilter }, L('这里没有差评整改。', 'Nothing here.'))]));
    $('tickets').dataset.filter = ticketFilter;
  } catch (e) {
    showProblem($('tickets-error'), e);
  }
}

function pickTicketFilter(key) {
  ticketFilter = key;
  filterButtons($('ticket-filters'), TICKET_FILTERS, ticketFilter, pickTicketFilter);
  loadTickets();
}

// --- Figures ----------------------------------------------------------------------------------

const percent = (share) => `${(Math.round(share * 1000) / 10).toFixed(1)}%`;

// One row: its name with the total and the share satisfied; the five levels as a stacked bar
// (best first; hidden from screen readers) and as text; the tickets of its bad ratings.
function figureRow(key, name, f) {
  const levels = [...f.levels].sort((a, b) => b.level - a.level);
  const bar = svg('svg', { width: '100%', 'aria-hidden': 'true', focusable: 'false', class: 'stacked' });
  bar.style.height = '1.2em';
  let x = 0;
  for (const l of levels) {
    if (!l.count || !f.total) continue;
    const w = (l.count / f.total) * 100;
    bar.append(svg('rect', { x: `${x}%`, y: '0.1em', width: `${w}%`, height: '1em', class: `lv lv${l.level}`, 'data-level': String(l.level) }));
    x += w;
  }
  const answered = f.tickets_answered_on_time + f.tickets_answered_late;
  return h('div', { className: 'bar-row', 'data-row': key, 'data-total': String(f.total) },
    h('div', { className: 'bar-label' }, name, L('：', ': '),
      L('共 ', ''), h('strong', { className: 'nobr', 'data-value': 'total' }, String(f.total)), L(' 条评价', ' ratings'), ' · ',
      L('满意率 ', 'satisfied '), h('strong', { className: 'nobr', 'data-value': 'share_satisfied' }, f.total ? percent(f.share_satisfied) : '—')),
    f.total ? bar : '',
    h('p', { className: 'small levels-text' }, levels.flatMap((l, i) => [i ? ' · ' : '', levelName(l.level), ' ',
      h('span', { className: 'nobr', 'data-level': String(l.level) }, String(l.count))])),
    f.bad || f.tickets_open ? h('p', { className: 'small tickets-text' }, L('差评整改：按时答复 ', 'Bad ratings: answered in time '),
      h('strong', { className: 'nobr', 'data-value': 'tickets_answered_on_time' }, `${f.tickets_answered_on_time}/${answered}`),
      L(' · 逾期答复 ', ' · answered late '), h('span', { className: 'nobr', 'data-value': 'tickets_answered_late' }, String(f.tickets_answered_late)),
      L(' · 在办 ', ' · open '), h('span', { className: 'nobr', 'data-value': 'tickets_open' }, String(f.tickets_open)),
      f.tickets_open_overdue ? [L('（其中逾期 ', ' ('), h('span', { className: 'nobr fail', 'data-value': 'tickets_open_overdue' }, String(f.tickets_open_overdue)),
        L('）', ' overdue)')] : '') : '');
}

function figureChart(id, title, rows) {
  return h('figure', { className: 'chart', id, 'data-chart': id }, h('figcaption', {}, title),
    rows.length ? rows : h('p', { className: 'muted' }, L('还没有评价。', 'No ratings yet.')));
}

async function loadFigures() {
  clearError($('figures-error'));
  try {
    const f = await session.call('/api/v1/service/ratings/figures');
    const o = f.overall;
    $('figures').replaceChildren(
      h('dl', { className: 'kv', id: 'figures-overall' },
        h('dt', {}, L('评价总数', 'Ratings')), h('dd', { 'data-value': 'total' }, String(o.total)),
        h('dt', {}, L('满意率', 'Satisfied')), h('dd', { 'data-value': 'share_satisfied' }, o.total ? percent(o.share_satisfied) : '—'),
        h('dt', {}, L('差评', 'Bad ratings')), h('dd', { 'data-value': 'bad' }, String(o.bad)),
        h('dt', {}, L('差评按时答复', 'Answered in time')), h('dd', { 'data-value': 'tickets_answered_on_time' },
          `${o.tickets_answered_on_time}/${o.tickets_answered_on_time + o.tickets_answered_late}`),
        h('dt', {}, L('整改在办', 'Being put right')), h('dd', { 'data-value': 'tickets_open' }, String(o.tickets_open),
          o.tickets_open_overdue ? [' ', h('span', { className: 'state state-bad' }, L(`逾期 ${o.tickets_open_overdue}`, `${o.tickets_open_overdue} overdue`))] : '')),
      h('ul', { className: 'legend', 'aria-label': T('评价等级图例', 'Legend of the levels'), 'data-label-zh': '评价等级图例', 'data-label-en': 'Legend of the levels' },
        LEVELS.map(([level, zh, en]) => h('li', {}, h('span', { className: `swatch lv${level}`, 'aria-hidden': 'true' }), L(zh, en)))),
      figureChart('chart-departments', L('按部门', 'By department'), f.departments.map((d) => figureRow(d.department.key, named(d.department), d))),
      figureChart('chart-items', L('按事项', 'By item'), f.items.map((d) => figureRow(d.item.code, named(d.item), d))),
      figureChart('chart-windows', L('按窗口（经办人或秒批）', 'By window (who decided, or the automatic check)'), f.windows.map((d) => figureRow(d.window.key, windowName(d.window), d))));
    $('figures').dataset.loaded = 'true';
  } catch (e) {
    showProblem($('figures-error'), e);
  }
}

// --- Session ----------------------------------------------------------------------------------

async function signedIn(account) {
  if (!['staff', 'auditor', 'admin'].includes(account.role)) {
    await session.logout();
    showError($('error'), new Error(T('该账号不是工作人员账号。', 'This account is not a staff account.')));
    return;
  }
  clearError($('error'));
  isStaff = account.role === 'staff';
  for (const el of document.querySelectorAll('.staff-only')) el.hidden = !isStaff;
  $('login-section').hidden = true;
  $('work').hidden = false;
  let cat = null;
  try {
    [svc, cat, types] = await Promise.all([services(), catalogue(), licenceTypes()]);
  } catch (e) {
    showProblem($('error'), e);
    return;
  }
  const dept = account.department && cat.deptByName(account.department);
  $('who').replaceChildren(L('当前工作人员：', 'Signed in: '), raw(`${account.display_name} (${account.login})`),
    ...(account.department ? [' · ', dept ? named(dept) : raw(account.department)] : []));
  filterButtons($('appeal-filters'), APPEAL_FILTERS, appealFilter, pickAppealFilter);
  filterButtons($('ticket-filters'), TICKET_FILTERS, ticketFilter, pickTicketFilter);
  await Promise.all([loadAppeals(), loadTickets(), loadFigures()]);
  const linked = new URLSearchParams(location.search).get('appeal');
  if (linked && isStaff) await openAppeal(linked);
  document.body.dataset.signedIn = 'true';
}

function signedOut() {
  $('work').hidden = true;
  $('appeal-section').hidden = true;
  $('login-section').hidden = false;
  delete document.body.dataset.signedIn;
}
bindSignIn(session, signedIn, signedOut);
document.body.dataset.ready = 'true';
