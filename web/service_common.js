// Shared by the "one thing" service pages (/portal/services for citizens, /console/services for
// department staff): the service catalogue (GET /api/v1/services, fetched once per page), case and
// task states as badges, a task's department, handler and due date, a case's event timeline, a
// form field's value with where it came from, and the server's field-level reasons in words.
// Endpoints and answers: src/service/part/service_routes.cc (/api/v1/openapi.json).

import { api, formatTime, h, L } from './shell.js';
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
  approve: ['办结', 'approved'],
  reject: ['不予办理', 'refused'],
  request_materials: ['要求补正', 'asked for more'],
  supplement: ['补正材料', 'supplemented'],
  resume: ['补正后恢复办理', 'resumed after the supplement'],
  escalate: ['逾期，升级督办', 'overdue, escalated'],
  complete: ['全部办结', 'all done'],
};

// The case's events, oldest first: time, who, what (with the item), and a reason when one was given.
export function eventList(c, cat) {
  const items = new Map((c.tasks || []).map((t) => [t.id, t.item]));
  return h('ol', { className: 'events' }, (c.events || []).map((e) => {
    const [zh, en] = EVENTS[e.action] || [e.action, e.action];
    const item = e.task_id && items.get(e.task_id);
    return h('li', { 'data-action': e.action },
      when(formatTime(e.at)), ' ', actorName(e.by, c, cat), L('：', ': '), L(zh, en),
      item ? [L('（', ' ('), named(item), L('）', ')')] : '',
      e.note && ['reject', 'request_materials'].includes(e.action) ? [L('：', ': '), raw(e.note)] : '');
  }));
}

// What a task's reason is: a refusal's, the 补正 asked for now, or (a task keeps it after the
// applicant answered) one asked for earlier.
export function reasonLabel(t) {
  if (t.state === 'awaiting_citizen') return L('需要补正', 'Asked for');
  return t.state === 'rejected' ? L('理由', 'Reason') : L('曾要求补正', 'Asked for earlier');
}

// A task: item, department, state, who has it, the due date (due soon / overdue / escalated), the
// reason given, licences issued. `extra` goes at its end (the console's buttons).
export function taskItem(t, extra = '') {
  const marks = [];
  if (t.overdue) marks.push(h('span', { className: 'state state-bad', 'data-mark': 'overdue' }, L('已逾期', 'overdue')));
  else if (t.due_soon && ['ready', 'claimed'].includes(t.state)) marks.push(h('span', { className: 'state state-warn', 'data-mark': 'due-soon' }, L('即将到期', 'due soon')));
  if (t.escalated_at) marks.push(h('span', { className: 'state state-bad', 'data-mark': 'escalated' }, L('已升级督办', 'escalated')));
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
