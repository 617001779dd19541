// Shared by the "one thing" service pages (/portal/services for citizens, /console/services and
// /console/reviews for department staff): the service catalogue (GET /api/v1/services, fetched
// once per page), case and task states as badges, a task's department, handler and due date, a
// case's event timeline, a form field's value with where it came from, and the server's
// field-level reasons in words; an automatic decision (秒批) with its explanation, an appeal (申诉),
// the five rating levels (好差评) and a remediation ticket's progress, and a text box's byte counter.
// For the staff pages: problems explained in words, field errors placed under their fields, the
// licence types (GET /api/v1/licenses/types, fetched once per page), filter buttons, inline SVG.
// Endpoints and answers: src/service/part/service_routes.cc (/api/v1/openapi.json).

import { api, ApiError, formatTime, h, L } from './shell.js';
import { named, raw, valueCell, when } from './data_common.js';

let servicesPromise = null;
// {bundles, bundle(code), step(item) → {output, department, …} of the first bundle naming it}.
export function services() {
  servicesPromise ||= api('/api/v1/services').then((r) => {
    const byCode = new Map(r.bundles.map((b) => [b.code, b]));
    const steps = new Map();
    for (const b of r.bundles) for (const s of b.steps) if (!steps.has(s.item)) steps.set(s.item, s);
    return { bundles: r.bundles, bundle: (code) => byCode.get(code), step: (item) => steps.get(item) };
  }).catch((e) => { servicesPromise = null; throw e; });
  return servicesPromise;
}

let typesPromise = null;
// The licence types: {name(code) → its name in both languages, field(code, name) → {name, zh, en,
// kind} (a plain string field when the type or field is not listed)}. When the list cannot be read
// the names fall back to codes (and the next call tries again).
export function licenceTypes() {
  typesPromise ||= api('/api/v1/licenses/types').then((r) => r.items || [], () => { typesPromise = null; return []; })
    .then((items) => {
      const byCode = new Map(items.map((t) => [t.code, t]));
      return {
        name: (code) => {
          const t = byCode.get(code);
          return t ? L(t.name_zh, t.name_en || t.name_zh) : raw(code);
        },
        field: (code, name) => {
          const t = code && byCode.get(code);
          return (t && (t.fields || []).find((f) => f.name === name)) || { name, zh: name, en: name, kind: 'string' };
        },
      };
    });
  return typesPromise;
}

// --- Problems (the staff pages) -----------------------------------------------------------------

// A refusal in words for department staff: what happened, then the server's own detail (as code:
// it is English).
export function explainProblem(e, title) {
  const p = e instanceof ApiError ? e.problem : { detail: String(e && e.message || e) };
  let what = title || L('未能完成', 'Not done');
  if (e instanceof ApiError && e.status === 404) what = L('没有找到：它不存在，或者不属于本部门。', 'Not found: it does not exist or is not my department\'s.');
  else if (e instanceof ApiError && e.status === 409) what = L('现在不能这样做（状态已变化或已由他人处理），请刷新后再看。', 'Not possible now (its state changed, or a colleague did it); reload and look again.');
  else if (e instanceof ApiError && e.status === 403) what = L('本账号不能这样做。', 'This account may not do this.');
  return h('div', { className: 'problem', role: 'alert', 'data-status': String(e && e.status || '') },
    h('strong', {}, what, e && e.status ? ` (${e.status})` : ''),
    p && p.detail ? h('p', { className: 'muted' }, L('服务器说明：', 'The server said: '), h('code', { 'data-raw': '' }, p.detail)) : '');
}
// The problem in `box` (nothing for 401: the session's expiry says so).
export function showProblem(box, e, title) {
  if (e instanceof ApiError && e.status === 401) return;
  box.hidden = false;
  box.replaceChildren(explainProblem(e, title));
}

// Errors of a refused form (problem+json errors[]: {field, reason}), each in words under its field
// (`boxes`: field → error box, or a function of the field returning its box or null); when none has
// a place, or some have none, the problem goes to `box` by the page's `show(box, e)`. Returns the
// first field's error box used (null when none was).
export function placeErrors(e, boxes, box, show) {
  const errors = e instanceof ApiError && Array.isArray(e.problem.errors) ? e.problem.errors : [];
  let first = null;
  let left = false;
  for (const x of errors) {
    const target = typeof boxes === 'function' ? boxes(x.field) : boxes[x.field];
    if (!target) { left = true; continue; }
    target.hidden = false;
    target.replaceChildren(reasonText(x.reason));
    first ||= target;
  }
  if (!first || left) show(box, e);
  return first;
}

// --- Small parts ----------------------------------------------------------------------------------

// A row of filter buttons ([key, zh, en]), the current one pressed; `pick(key)` on a click.
export function filterButtons(box, filters, current, pick) {
  box.replaceChildren(...filters.map(([key, zh, en]) => h('button', { type: 'button', 'data-filter': key,
    'aria-pressed': key === current ? 'true' : 'false', onclick: () => pick(key) }, L(zh, en))));
}

// A mark beside a state: overdue, due soon, escalated… (`kind` as data-mark; tone bad, warn or good).
export function mark(kind, tone, zh, en) {
  return h('span', { className: `state state-${tone}`, 'data-mark': kind }, L(zh, en));
}

// An SVG element (charts drawn without a library).
const SVG = 'http://www.w3.org/2000/svg';
export function svg(tag, attrs = {}) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

// A state as a badge: [zh, en, tone] (tone good, bad, warn or muted).
export function badge(state, table) {
  const [zh, en, tone] = table[state] || [state, state, 'warn'];
  return h('span', { className: `state state-${tone}`, 'data-state': state }, L(zh, en));
}

export const CASE_STATES = {
  draft: ['草稿，未提交', 'draft, not sent', 'muted'],
  awaiting_co_applicant: ['待共同申请人确认', 'awaiting the co-applicant', 'warn'],
  in_progress: ['办理中', 'in progress', 'warn'],
  completed: ['已全部办结', 'all done', 'good'],
  rejected: ['未通过', 'refused', 'bad'],
};

export const TASK_STATES = {
  waiting: ['等待前序事项', 'waits for an earlier step', 'muted'],
  ready: ['待受理', 'in the queue', 'warn'],
  claimed: ['办理中', 'being handled', 'warn'],
  awaiting_citizen: ['待补正', 'waits for the applicant', 'warn'],
  approved: ['已办结', 'approved', 'good'],
  rejected: ['不予办理', 'refused', 'bad'],
  cancelled: ['已取消', 'cancelled', 'muted'],
};

// Who did something on a case, as the events name them: a party, the system or a department key.
export function actorName(by, c, cat) {
  if (by === 'applicant') return L('申请人', 'applicant');
  if (by === 'co_applicant') {
    const zh = c.bundle.co_applicant_zh || '共同申请人';
    const en = (c.bundle.co_applicant_en || 'co-applicant').toLowerCase();
    return L(zh, en);
  }
  if (by === 'system') return L('系统', 'the system');
  if (by === 'rules') return L('自动审核（秒批）', 'the automatic check');
  const d = cat && cat.dept(by);
  return d ? named(d) : raw(by);
}

const EVENTS = {
  start: ['开始填写', 'started'],
  upload: ['上传材料', 'uploaded a file'],
  submit: ['提交申请', 'submitted'],
  consent: ['同意调取本人数据', 'agreed to the reading of their data'],
  confirm: ['确认申请', 'confirmed'],
  open: ['分送各部门办理', 'sent to the departments'],
  claim: ['受理', 'took it up'],
  approve: ['办结', 'approved'],
  reject: ['不予办理', 'refused'],
  request_materials: ['要求补正', 'asked for more'],
  supplement: ['补正材料', 'supplemented'],
  resume: ['补正后恢复办理', 'resumed after the supplement'],
  escalate: ['逾期，升级督办', 'overdue, escalated'],
  complete: ['全部办结', 'all done'],
  appeal: ['提出申诉', 'appealed'],
  appeal_upheld: ['复核申诉，维持原结果', 'reviewed the appeal: the decision stands'],
  appeal_reversed: ['复核申诉，改判通过', 'reviewed the appeal: reversed, approved'],
};
const NOTED = ['reject', 'request_materials', 'appeal', 'appeal_upheld', 'appeal_reversed'];

// The case's events, oldest first: time, who, what (with the item), and a reason when one was given.
export function eventList(c, cat) {
  const items = new Map((c.tasks || []).map((t) => [t.id, t.item]));
  return h('ol', { className: 'events' }, (c.events || []).map((e) => {
    const [zh, en] = EVENTS[e.action] || [e.action, e.action];
    const item = e.task_id && items.get(e.task_id);
    return h('li', { 'data-action': e.action },
      when(formatTime(e.at)), ' ', actorName(e.by, c, cat), L('：', ': '), L(zh, en),
      item ? [L('（', ' ('), named(item), L('）', ')')] : '',
      e.note && NOTED.includes(e.action) ? [L('：', ': '), raw(e.note)] : '');
  }));
}

// What a task's reason is: a refusal's, the 补正 asked for now, or (a task keeps it after the
// applicant answered) one asked for earlier.
export function reasonLabel(t) {
  if (t.state === 'awaiting_citizen') return L('需要补正', 'Asked for');
  return t.state === 'rejected' ? L('理由', 'Reason') : L('曾要求补正', 'Asked for earlier');
}

// A task's marks: overdue or due soon, escalated.
export function taskMarks(t) {
  const marks = [];
  if (t.overdue) marks.push(mark('overdue', 'bad', '已逾期', 'overdue'));
  else if (t.due_soon && ['ready', 'claimed'].includes(t.state)) marks.push(mark('due-soon', 'warn', '即将到期', 'due soon'));
  if (t.escalated_at) marks.push(mark('escalated', 'bad', '已升级督办', 'escalated'));
  return marks;
}

// A task: item, department, state, who has it, the due date (due soon / overdue / escalated), the
// reason given, licences issued. `extra` goes at its end (the console's buttons).
export function taskItem(t, extra = '') {
  const marks = taskMarks(t);
  return h('li', { className: 'task', 'data-task-id': String(t.id), 'data-item': t.item.code, 'data-state': t.state,
    'data-department': t.department.key },
  h('h4', {}, named(t.item)),
  h('p', { className: 'marks' }, badge(t.state, TASK_STATES), marks.flatMap((m) => [' ', m])),
  h('dl', { className: 'kv' },
    h('dt', {}, L('部门', 'Department')), h('dd', {}, named(t.department)),
    t.claimed_by ? [h('dt', {}, L('经办人', 'Handled by')), h('dd', { className: 'claimed-by' }, raw(t.claimed_by))] : '',
    t.due_date ? [h('dt', {}, L('办理期限', 'Due by')), h('dd', { className: 'due' }, h('span', { className: 'nobr' }, t.due_date),
      t.paused_days ? [' ', L(`（补正顺延 ${t.paused_days} 个工作日）`, ` (+${t.paused_days} working days for the supplement)`)] : '')] : '',
    t.decided_at ? [h('dt', {}, L('办结时间', 'Decided')), h('dd', {}, when(formatTime(t.decided_at)))] : '',
    t.reason ? [h('dt', {}, reasonLabel(t)),
      h('dd', { className: 'reason' }, raw(t.reason))] : '',
    t.licenses && t.licenses.length ? [h('dt', {}, L('发放证照', 'Licences issued')),
      h('dd', { className: 'licences' }, L(`${t.licenses.length} 份，已进入卡包`, `${t.licenses.length}, in the wallet`))] : ''),
  t.decision ? decisionBox(t.decision) : '',
  t.appeal ? appealBox(t.appeal) : '',
  extra);
}

// A field's value as shown: ID numbers masked, dates and numbers unbroken (fen shown as the number
// of fen its name says).
export function fieldValue(f) {
  return valueCell({ type: f.type === 'fen' ? 'integer' : f.type }, f.value);
}

// "来自 杭州市公安局" / "from Hangzhou Public Security Bureau".
export function sourceLine(f, detail = false) {
  if (!f.source) return '';
  return h('span', { className: 'source' }, L('来自 ', 'from '), named(f.source.department),
    detail && f.source.record_key ? [' · ', raw(f.source.record_key, 'nobr'), ' · ',
      h('span', { className: 'nobr' }, L('版本 ', 'version '), String(f.source.record_version))] : '');
}

// Who gave a field's value: its source department (pre-filled), the applicant or the co-applicant.
export function answeredBy(c, f) {
  if (f.prefilled) return sourceLine(f, true);
  if (f.value === null || f.value === undefined) return '';
  return h('span', { className: 'source' }, f.party === 'applicant' ? L('申请人填写', 'given by the applicant')
    : L(`${c.bundle.co_applicant_zh}填写`, `given by the ${c.bundle.co_applicant_en.toLowerCase()}`));
}

// The server's reasons (case_service.cc, Apply and Submit) in words; anything else as the server
// wrote it.
const REASONS = [
  [/^is required$/, '必填', 'required'],
  [/^is required: upload it$/, '请上传此材料', 'upload this'],
  [/^is required: attach a .* from your wallet, or upload it$/, '请从卡包选择证照，或上传文件', 'pick a licence from your wallet, or upload a file'],
  [/^is required: attach a .* from your wallet$/, '请从卡包选择证照', 'pick a licence from your wallet'],
  [/is required to issue/, '发证需要填写此项', 'needed to issue the licence'],
  [/is not a staff field/, '本事项不需要此项', 'this item does not take it'],
  [/must be a date/, '请填写日期（年-月-日）', 'enter a date (YYYY-MM-DD)'],
  [/is not a date of the calendar/, '没有这一天', 'no such day'],
  [/must be one of the listed codes/, '请从列表中选择', 'choose from the list'],
  [/citizen ID number/, '公民身份号码不正确', 'not a valid citizen ID number'],
  [/must be another person's/, '须为另一人的公民身份号码', 'must be another person\'s'],
  [/^is required \(at most/, '必填（不超过 100 字节）', 'required (at most 100 bytes)'],
  [/must be at most (\d+) bytes/, '内容太长', 'too long'],
  [/must not be empty/, '不能为空', 'must not be empty'],
  [/must be an integer/, '请填写整数', 'enter a whole number'],
  [/whole number of fen/, '请填写以分为单位的整数', 'enter a whole number of fen'],
  [/is not a licence in your wallet/, '该证照不在您的卡包中', 'not a licence in your wallet'],
  [/^must be 1 \(/, '请选择一个评价等级', 'choose a level'],
  [/, not valid$/, '该证照已失效', 'this licence is no longer valid'],
  [/is pre-filled from/, '此项来自部门数据，不能在此修改；如有误请提出数据异议', 'this comes from a department\'s data and cannot be changed here; dispute it if it is wrong'],
  [/not a JPEG, PNG or PDF/, '只能上传 JPEG、PNG 或 PDF 文件', 'only JPEG, PNG or PDF files'],
  [/is not a (field|material) of this form/, '不属于这份申请', 'not part of this application'],
  [/is (answered|attached) by the/, '应由另一方填写', 'the other party gives this'],
];
export function reasonText(reason) {
  const hit = REASONS.find(([re]) => re.test(reason));
  return hit ? L(hit[1], hit[2]) : h('code', {}, reason);
}

// A notice's text as the server wrote it in each language (it quotes what departments typed, in
// their language: data, not page text).
export function noticeText(n) {
  const t = L(n.text_zh, n.text_en);
  t.dataset.raw = '';
  return t;
}

// --- Automatic decisions (秒批) and appeals (申诉) ---------------------------------------------

export const OUTCOMES = {
  approve: ['通过', 'approved', 'good'],
  reject: ['不予通过', 'refused', 'bad'],
  refer: ['转人工审核', 'passed to staff', 'warn'],
};

export const APPEAL_STATES = {
  open: ['复核中', 'under review', 'warn'],
  reversed: ['已改判通过', 'reversed: approved', 'good'],
  upheld: ['维持原结果', 'decision stands', 'bad'],
};

// An input's value as the rules saw it: yes / no, "not found" for a value no source had, numbers
// and dates unbroken, text as it was.
function inputValue(v) {
  if (v === true) return L('是', 'yes');
  if (v === false) return L('否', 'no');
  if (v === null || v === undefined) return h('span', { className: 'muted' }, L('未查到', 'not found'));
  if (typeof v === 'number' || /^\d{4}-\d\d-\d\d$/.test(String(v))) return h('span', { className: 'nobr', 'data-raw': '' }, String(v));
  return raw(v);
}

// An automatic decision: the outcome in plain words, its reason in the reader's language, and
// "为什么？ / Why?" — each input with its label and value, the inputs no source had, the rows of the
// table that fired, and the rule version (item, version, the start of its hash). `open` shows the
// explanation unfolded (staff reviewing an appeal).
export function decisionBox(d, { open = false } = {}) {
  const [, , tone] = OUTCOMES[d.outcome] || [d.outcome, d.outcome, 'warn'];
  const labels = new Map((d.inputs || []).map((i) => [i.name, i]));
  const label = (name) => (labels.has(name) ? L(labels.get(name).label_zh, labels.get(name).label_en) : h('code', {}, name));
  const rows = d.rows || [];
  const why = h('details', { className: 'why', open: open || undefined },
    h('summary', {}, L('为什么？', 'Why?')),
    h('div', { className: 'table-wrap' }, h('table', { className: 'data inputs' },
      h('caption', {}, L('审核用到的信息', 'What the check used')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, L('信息', 'Input')), h('th', { scope: 'col' }, L('值', 'Value')))),
      h('tbody', {}, (d.inputs || []).map((i) => h('tr', { 'data-input': i.name },
        h('th', { scope: 'row' }, L(i.label_zh, i.label_en)), h('td', {}, inputValue(i.value))))))),
    d.missing && d.missing.length ? h('p', { className: 'fail' }, L('未能查到：', 'Not found: '),
      d.missing.flatMap((m, k) => [k ? L('、', ', ') : '', label(m)])) : '',
    h('dl', { className: 'kv' },
      h('dt', {}, L('适用的规则', 'Rows that applied')),
      h('dd', { className: 'rows' }, rows.length
        ? rows.flatMap((r, k) => [k ? L('、', ', ') : '', L(`第 ${r} 行`, `row ${r}`)])
        : L('没有适用的规则行', 'none')),
      h('dt', {}, L('规则版本', 'Rule version')),
      h('dd', { className: 'rule' }, h('code', {}, d.rule.item), ' · ',
        L(`第 ${d.rule.version} 版`, `version ${d.rule.version}`), ' · ',
        h('code', { title: d.rule_hash }, (d.rule_hash || '').slice(0, 12))),
      h('dt', {}, L('审核日期', 'Decided on')), h('dd', {}, h('span', { className: 'nobr' }, d.decided_on))));
  return h('div', { className: `checks decision ${tone === 'good' ? 'good' : tone === 'bad' ? 'bad' : ''}`,
    'data-outcome': d.outcome, 'data-decision-id': String(d.id) },
  h('p', { className: 'verdict' }, L('自动审核（秒批）：', 'Automatic check: '), badge(d.outcome, OUTCOMES)),
  h('p', { className: 'decision-reason' }, L(d.reason_zh, d.reason_en)),
  d.outcome === 'refer' ? h('p', { className: 'muted small' }, L('规则不能自动决定，已交工作人员审核。', 'The rules could not decide; a member of staff will.')) : '',
  why);
}

// An appeal's facts: the reason given, when it was filed, the due date while open (marked when
// `late`), and the department's review and answer once decided.
export function appealFacts(a, { late = false } = {}) {
  return h('dl', { className: 'kv' },
    h('dt', {}, L('申诉理由', 'Reason')), h('dd', { className: 'appeal-reason' }, raw(a.reason)),
    a.filed_at ? [h('dt', {}, L('提出时间', 'Filed')), h('dd', {}, when(formatTime(a.filed_at)))] : '',
    a.state === 'open' && a.due_at ? [h('dt', {}, L('答复期限', 'Answer due')), h('dd', { className: late ? 'fail' : undefined }, when(formatTime(a.due_at)))] : '',
    a.decided_at ? [h('dt', {}, L('复核时间', 'Reviewed')), h('dd', {}, when(formatTime(a.decided_at)))] : '',
    a.answer ? [h('dt', {}, L('复核答复', 'Answer')), h('dd', { className: 'appeal-answer' }, raw(a.answer))] : '');
}

// An appeal against an automatic rejection: its state and facts.
export function appealBox(a) {
  return h('div', { className: 'checks appeal', 'data-appeal-id': String(a.id), 'data-state': a.state },
    h('p', { className: 'verdict' }, L('申诉：', 'Appeal: '), badge(a.state, APPEAL_STATES)),
    appealFacts(a));
}

// --- Reviews (好差评) ----------------------------------------------------------------------------

// The five levels, best first (the national 好差评 names).
export const LEVELS = [
  [5, '非常满意', 'very satisfied'], [4, '满意', 'satisfied'], [3, '基本满意', 'fairly satisfied'],
  [2, '不满意', 'dissatisfied'], [1, '非常不满意', 'very dissatisfied'],
];
export function levelName(level) {
  const x = LEVELS.find(([l]) => l === level);
  return x ? L(x[1], x[2]) : raw(level);
}

export const TICKET_STATES = {
  open: ['待回访', 'to call back', 'warn'],
  called_back: ['待核实', 'to verify', 'warn'],
  verified: ['待整改', 'to rectify', 'warn'],
  rectified: ['待答复', 'to answer', 'warn'],
  answered: ['已答复', 'answered', 'good'],
};
const TICKET_ORDER = ['open', 'called_back', 'verified', 'rectified', 'answered'];

// The four steps of a ticket in order: [action, zh, en, the ticket's time of it, its due date].
export const TICKET_STEPS = [
  ['callback', '回访', 'Call back', 'called_back_at', 'callback_due_date'],
  ['verify', '核实', 'Verify', 'verified_at', null],
  ['rectify', '整改', 'Rectify', 'rectified_at', null],
  ['answer', '答复', 'Answer', 'answered_at', 'answer_due_date'],
];
// The step a ticket waits for (null once answered).
export const nextStep = (ticket) => TICKET_STEPS[TICKET_ORDER.indexOf(ticket.state)] || null;

// A ticket's progress: each step done (with its time when the answer carries it) or to do (with
// its deadline, marked when past it).
export function ticketProgress(ticket) {
  const at = TICKET_ORDER.indexOf(ticket.state);
  return h('ol', { className: 'steps' }, TICKET_STEPS.map(([action, zh, en, time, due], i) => {
    const done = at > i;
    const late = !done && due && ticket.overdue && pastDue(ticket[due]);
    return h('li', { 'data-step': action, 'data-done': done ? 'true' : 'false', className: done ? 'done' : i === at ? 'current' : '' },
      h('strong', {}, L(zh, en)),
      done ? [' ', h('span', { className: 'pass' }, L('✓ 已完成', '✓ done'))] : i === at ? L('（进行中）', ' (next)') : L('（待办）', ' (to do)'),
      done && ticket[time] ? [' ', when(formatTime(ticket[time]))] : '',
      !done && due && ticket[due] ? [' · ', L('期限 ', 'due by '), h('span', { className: 'nobr due' }, ticket[due])] : '',
      late ? [' ', mark('overdue', 'bad', '已逾期', 'overdue')] : '');
  }));
}

// A deadline "YYYY-MM-DD" (end of that day, China time) has passed.
export function pastDue(date) {
  const end = Date.parse(`${date}T23:59:59.999+08:00`);
  return Number.isFinite(end) && Date.now() > end;
}

// --- Text boxes ---------------------------------------------------------------------------------

export const byteLength = (s) => new TextEncoder().encode(s).length;

// A counter under a textarea: "12 / 500 字节" in the language shown, marked when over the limit
// (limits are bytes of UTF-8, as the server counts: a Chinese character is 3).
export function byteCounter(textarea, limit, id) {
  const out = h('p', { id, className: 'muted small counter', 'aria-live': 'polite' });
  const update = () => {
    const n = byteLength(textarea.value);
    out.classList.toggle('fail', n > limit);
    out.replaceChildren(L(`${n} / ${limit} 字节${n > limit ? '（超出上限）' : ''}`, `${n} / ${limit} bytes${n > limit ? ' (too long)' : ''}`));
  };
  textarea.addEventListener('input', update);
  update();
  return out;
}
