// "一件事办件 / One-thing tasks" (/console/services), for department staff (the console's session:
// the same tab stays logged in between /console, /console/data and here): the department's queue
// (GET /api/v1/service/tasks?filter=…), a case (GET /api/v1/service/cases/{id}: each field with
// its source, the licences attached and verified, uploaded files fetched with the staff token,
// every department's task, the events), and the department's decisions on its task: claim, approve
// with the staff fields of the item's output licence, refuse with a reason, or ask for more (补正)
// (POST /api/v1/service/tasks/{id}/claim|approve|reject|request-materials); the department's
// messages (escalations, supplements) and the figures as bar charts (inline SVG). A task the
// decision rules (秒批) passed to staff is marked in the queue; its case shows the decision. Appeals
// and bad ratings are on /console/reviews.
// ?case=<id> opens one case.

import { ApiError, bindSignIn, clearError, formatTime, h, initShell, L, Session, showError, T } from './shell.js';
import { catalogue, citizenIdChecks, named, raw, when } from './data_common.js';
import { answeredBy, badge, CASE_STATES, eventList, explainProblem, fieldValue, filterButtons, licenceTypes, mark, noticeText, reasonLabel,
  reasonText, services, showProblem, svg, taskItem, taskMarks, TASK_STATES } from './service_common.js';

initShell();
const $ = (id) => document.getElementById(id);
const session = new Session('console');
const enc = encodeURIComponent;
let svc = null;
let cat = null;
let myDept = null;
let types = null;       // the licence types (names, fields with labels and kinds)
let filter = 'open';
let shownCase = null;   // the case open in the detail view

// The staff fields of each item, as the service catalogue (data/services/catalogue.toml,
// staff_fields) declares them: the values the department gives for the output licence, e.g. the
// newborn's new citizen ID number. The API does not list them, so the page knows them here; an
// approval the server refuses for a missing one (400, /staff_fields/<name> "is required") adds
// that input, and one it does not take ("is not a staff field") is removed, so a catalogue change
// never leaves the form stuck.
const STAFF_FIELDS = {
  newborn_household_registration: ['id_number'],
  newborn_medical_insurance: ['id_number'],
  newborn_social_security_card: ['id_number', 'card_number'],
  social_security_card_application: ['card_number'],
  real_estate_transfer_registration: ['unit_number'],
  admission_notice: ['result'],
};

const FILTERS = [
  ['open', '在办', 'Open'], ['ready', '待受理', 'Ready'], ['mine', '我经办的', 'Mine'],
  ['awaiting_citizen', '待补正', 'Awaiting the applicant'], ['overdue', '已逾期', 'Overdue'],
  ['escalated', '已升级', 'Escalated'], ['done', '已办结', 'Done'],
];

// --- The queue --------------------------------------------------------------------------------

function pickFilter(key) {
  filter = key;
  filterButtons($('filters'), FILTERS, filter, pickFilter);
  loadQueue();
}

// A task of an item decided by rules (秒批) that is still with staff: the rules passed it on
// ("refer", or data they could not find). The queue's rows carry no decision; the case view shows it.
const referred = (t) => t.instant && !t.decided_by && ['ready', 'claimed', 'awaiting_citizen'].includes(t.state);

function queueCard(t) {
  const marks = taskMarks(t);
  if (referred(t)) marks.push(mark('referred', 'warn', '秒批转人工', 'referred by the rules'));
  return h('li', { className: 'card', 'data-task-id': String(t.id), 'data-case-id': String(t.case_id), 'data-case-number': t.case_number,
    'data-item': t.item.code, 'data-state': t.state },
  h('h3', {}, named(t.item)),
  h('p', {}, h('span', { className: 'nobr', 'data-raw': '' }, t.case_number), ' ', badge(t.state, TASK_STATES), marks.flatMap((m) => [' ', m])),
  h('dl', { className: 'kv' },
    t.due_date ? [h('dt', {}, L('办理期限', 'Due by')), h('dd', {}, h('span', { className: 'nobr' }, t.due_date))] : '',
    t.claimed_by ? [h('dt', {}, L('经办人', 'Handled by')), h('dd', {}, raw(t.claimed_by))] : '',
    t.ready_at ? [h('dt', {}, L('进入队列', 'Queued')), h('dd', {}, when(formatTime(t.ready_at)))] : '',
    t.reason ? [h('dt', {}, reasonLabel(t)), h('dd', {}, raw(t.reason))] : ''),
  h('button', { type: 'button', className: 'primary', 'data-action': 'open', onclick: () => openCase(t.case_id) }, L('查看办件', 'Open the case')));
}

async function loadQueue() {
  clearError($('queue-error'));
  try {
    const r = await session.call(`/api/v1/service/tasks?filter=${enc(filter)}`);
    $('tasks').replaceChildren(...(r.items.length ? r.items.map(queueCard)
      : [h('li', { className: 'muted', 'data-empty': filter }, L('这里没有办件。', 'Nothing here.'))]));
    $('tasks').dataset.filter = filter;
  } catch (e) {
    showProblem($('queue-error'), e);
  }
}

// --- A case -----------------------------------------------------------------------------------

function staffFieldInput(box, t, output, name) {
  const id = `sf-${t.id}-${name}`;
  const there = box.querySelector(`[data-staff-field="${CSS.escape(name)}"] input`);
  if (there) return there;
  const f = types.field(output, name);
  const input = h('input', { id, name, autocomplete: 'off', spellcheck: 'false', maxlength: f.kind === 'citizen_id' ? '18' : '100',
    'aria-describedby': `err-${id}`, 'data-kind': f.kind });
  box.append(h('div', { className: 'field', 'data-staff-field': name },
    h('label', { for: id }, L(f.zh, f.en)), input, h('div', { id: `err-${id}`, className: 'field-error', hidden: true })));
  return input;
}

// Our department's task in the case: the buttons it allows now.
function decisionPanel(c, t) {
  const step = svc.step(t.item.code);
  const output = step ? step.output : null;
  const err = h('div', { id: `decide-error-${t.id}`, hidden: true });
  const panel = h('div', { className: 'decide checks', 'data-task-id': String(t.id), 'data-item': t.item.code, 'data-state': t.state },
    h('h3', {}, L('本部门事项：', 'Our item: '), named(t.item), ' ', badge(t.state, TASK_STATES)));
  if (t.state === 'awaiting_citizen') {
    panel.append(h('p', {}, L('已要求补正，等待申请人：', 'Waiting for the applicant to supplement: '), raw(t.reason)));
    return panel;
  }
  const act = (action, zh, en, primary) => h('button', { type: 'button', className: primary ? 'primary' : '', 'data-action': action,
    onclick: (ev) => decide(c, t, action, output, panel, err, ev.currentTarget) }, L(zh, en));
  if (t.state === 'ready') panel.append(h('div', { className: 'actions' }, act('claim', '受理', 'Claim')));
  if (output) {
    const fields = h('fieldset', { className: 'staff-fields' },
      h('legend', {}, L('发放', 'Issue: '), types.name(output), L('：本部门填写的内容', ' — what your department gives')));
    const names = STAFF_FIELDS[t.item.code] || [];
    for (const name of names) staffFieldInput(fields, t, output, name);
    if (!names.length) fields.append(h('p', { className: 'muted' }, L('证照内容全部取自申请，无需填写。', 'The licence is filled from the application; nothing to add.')));
    panel.append(fields);
  }
  panel.append(h('div', { className: 'actions' }, act('approve', output ? '办结并发证' : '办结', output ? 'Approve and issue' : 'Approve', true)));
  const reasonId = `reason-${t.id}`;
  panel.append(h('label', { for: reasonId }, L('理由（要求补正、不予办理时必填，申请人可见）', 'Reason (to ask for more or refuse; the applicant sees it)')),
    h('textarea', { id: reasonId, rows: '2', maxlength: '500' }),
    h('div', { className: 'actions' }, act('request-materials', '要求补正', 'Ask for more'), act('reject', '不予办理', 'Refuse')),
    err);
  return panel;
}

async function decide(c, t, action, output, panel, err, button) {
  clearError(err);
  for (const el of panel.querySelectorAll('.field-error')) { el.hidden = true; el.replaceChildren(); }
  let body = {};
  if (action === 'approve') {
    const staff = {};
    let bad = null;
    for (const input of panel.querySelectorAll('.staff-fields input')) {
      const value = input.dataset.kind === 'citizen_id' ? input.value.trim().toUpperCase() : input.value.trim();
      const e = $(`err-${input.id}`);
      if (!value || (input.dataset.kind === 'citizen_id' && !citizenIdChecks(value))) {
        e.hidden = false;
        e.replaceChildren(value ? L('公民身份号码不正确（请核对最后一位校验码）', 'Not a valid citizen ID number (check its last character)') : L('必填', 'required'));
        bad ||= input;
      }
      staff[input.name] = value;
    }
    if (bad) { bad.focus(); return; }
    if (Object.keys(staff).length) body = { staff_fields: staff };
  } else if (action !== 'claim') {
    const reason = $(`reason-${t.id}`).value.trim();
    if (!reason) {
      err.hidden = false;
      err.replaceChildren(h('p', { className: 'fail' }, L('请写明理由，申请人会看到。', 'Give the reason; the applicant sees it.')));
      $(`reason-${t.id}`).focus();
      return;
    }
    body = { reason };
  }
  button.disabled = true;
  try {
    await session.call(`/api/v1/service/tasks/${enc(t.id)}/${action}`, { method: 'POST', body });
    await openCase(c.id);
    loadQueue();
    loadFigures();
  } catch (e) {
    button.disabled = false;
    if (e instanceof ApiError && e.status === 401) return;
    const errors = e instanceof ApiError && Array.isArray(e.problem.errors) ? e.problem.errors : [];
    const box = panel.querySelector('.staff-fields');
    let placed = 0;
    for (const x of errors) {
      const m = /^\/staff_fields\/(.+)$/.exec(x.field);
      if (!m || !box) continue;
      if (/is not a staff field/.test(x.reason)) {
        box.querySelector(`[data-staff-field="${CSS.escape(m[1])}"]`)?.remove();
        continue;
      }
      const input = staffFieldInput(box, t, output, m[1]);
      const eb = $(`err-${input.id}`);
      eb.hidden = false;
      eb.replaceChildren(reasonText(x.reason));
      if (!placed++) input.focus();
    }
    if (!placed) { err.hidden = false; err.replaceChildren(explainProblem(e)); }
  }
}

function materialItem(c, m) {
  const a = m.attached;
  const viewer = h('div', { className: 'file-view' });
  let what;
  if (!a) what = h('span', { className: 'muted' }, L('未提供', 'not given'));
  else if (a.license_id) {
    what = h('span', {}, h('span', { className: 'pass' }, L('✓ 电子证照（已核验）：', '✓ E-licence (verified): ')), types.name(a.type),
      ' · ', when(formatTime(a.verified_at)), h('br'), h('code', { className: 'licence-id' }, a.license_id));
  } else {
    const kind = { 'image/png': 'PNG', 'image/jpeg': 'JPEG', 'application/pdf': 'PDF' }[a.upload.mime] || a.upload.mime;
    const open = h('button', { type: 'button', className: 'link', 'data-action': 'file', onclick: () => showFile(c, m, kind, viewer, open) },
      L('查看文件', 'Open the file'));
    what = h('span', {}, L('上传的文件：', 'Uploaded file: '), h('span', { className: 'nobr', 'data-raw': '' }, `${kind} · ${a.upload.size} B`), ' ', open);
  }
  return h('li', { 'data-material': m.code, 'data-attached': a ? (a.license_id ? 'licence' : 'upload') : 'none' },
    h('strong', {}, named(m)), m.party === 'co_applicant' ? [' ', L(`（${c.bundle.co_applicant_zh}）`, ` (${c.bundle.co_applicant_en.toLowerCase()})`)] : '',
    L('：', ': '), what, viewer);
}

// An uploaded file, fetched with the staff token (a plain link would carry none) and shown from a
// blob: URL: an image inline, and a download link.
async function showFile(c, m, kind, viewer, button) {
  button.disabled = true;
  try {
    let res;
    try {
      res = await fetch(`/api/v1/service/cases/${enc(c.id)}/materials/${enc(m.code)}`, { headers: { Authorization: `Bearer ${session.token}` } });
    } catch (e) {
      throw new ApiError(0, { detail: String(e) });
    }
    if (res.status === 401) { session.expired(); return; }
    if (!res.ok) throw new ApiError(res.status, await res.json().catch(() => ({ detail: `HTTP ${res.status}` })));
    const blob = await res.blob();
    const url = URL.createObjectURL(blob);
    viewer.replaceChildren(
      blob.type.startsWith('image/') ? h('img', { src: url, className: 'upload-preview', alt: T(`${m.name_zh}（上传的文件）`, `${m.name_en} (uploaded file)`) }) : '',
      h('p', {}, h('a', { href: url, download: `${c.case_number}-${m.code}.${kind.toLowerCase()}`, className: 'file-link' }, L('下载文件', 'Download the file'))));
  } catch (e) {
    viewer.replaceChildren(explainProblem(e));
  } finally {
    button.disabled = false;
  }
}

function renderCase(c) {
  shownCase = c;
  $('case-h').replaceChildren(L('办件 ', 'Case '), h('span', { className: 'nobr', 'data-raw': '' }, c.case_number));
  const co = c.co_applicant;
  const ours = c.tasks.filter((t) => myDept && t.department.key === myDept.key && ['ready', 'claimed', 'awaiting_citizen'].includes(t.state));
  $('case').replaceChildren(
    h('p', {}, named(c.bundle), ' ', badge(c.state, CASE_STATES)),
    h('dl', { className: 'kv' },
      h('dt', {}, L('申请人', 'Applicant')), h('dd', { className: 'applicant' }, raw(c.applicant.name), ' ', raw(c.applicant.id_masked, 'nobr')),
      co ? [h('dt', {}, L(c.bundle.co_applicant_zh, c.bundle.co_applicant_en)), h('dd', { className: 'co-applicant' }, raw(co.name), ' ', raw(co.id_masked, 'nobr'),
        ' ', co.confirmed ? L('（已确认）', '(confirmed)') : L('（未确认）', '(not confirmed)'))] : '',
      c.submitted_at ? [h('dt', {}, L('提交时间', 'Sent')), h('dd', {}, when(formatTime(c.submitted_at)))] : ''),
    ...ours.map((t) => decisionPanel(c, t)),
    h('h3', {}, L('申请表', 'The form')),
    h('dl', { className: 'fields', id: 'case-fields' }, c.fields.map((f) =>
      h('div', { 'data-field': f.code, 'data-prefilled': f.prefilled ? 'true' : 'false' }, h('dt', {}, named(f)),
        h('dd', {}, h('div', { className: 'value' }, fieldValue(f)), h('div', { className: 'muted small' }, answeredBy(c, f)))))),
    h('h3', {}, L('材料', 'Materials')),
    h('ul', { id: 'case-materials', className: 'materials' }, c.materials.map((m) => materialItem(c, m))),
    h('h3', {}, L('各部门事项', 'Every department\'s items')),
    h('ul', { className: 'tasks', id: 'case-tasks' }, c.tasks.map((t) => taskItem(t))),
    h('h3', {}, L('办理记录', 'History')),
    eventList(c, cat));
  $('case-section').hidden = false;
  $('case-section').dataset.caseId = String(c.id);
}

async function openCase(id) {
  clearError($('case-error'));
  try {
    const c = await session.call(`/api/v1/service/cases/${enc(id)}`);
    const first = $('case-section').hidden || !shownCase || shownCase.id !== c.id;
    renderCase(c);
    if (first) { $('case-section').scrollIntoView({ block: 'start' }); $('case-h').focus(); }
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    $('case').replaceChildren();
    $('case-section').hidden = false;
    delete $('case-section').dataset.caseId;
    $('case-h').replaceChildren(L('办件 ', 'Case '), h('span', { className: 'nobr' }, String(id)));
    $('case-error').hidden = false;
    $('case-error').replaceChildren(e instanceof ApiError && e.status === 404
      ? h('div', { className: 'problem', role: 'alert', 'data-not-found': String(id) },
        h('strong', {}, L('没有找到这个办件：它不存在，或者本部门在其中没有事项。', 'No such case: it does not exist, or my department has no item in it.')))
      : explainProblem(e));
  }
}
$('case-close').addEventListener('click', () => {
  $('case-section').hidden = true;
  shownCase = null;
  $('queue-section').scrollIntoView({ block: 'start' });
});

// --- Messages ---------------------------------------------------------------------------------

async function loadNotices() {
  clearError($('notices-error'));
  try {
    const r = await session.call('/api/v1/me/notices');
    $('notices').replaceChildren(...(r.items.length ? r.items.slice(0, 20).map((n) => {
      const read = h('button', { type: 'button', 'data-action': 'read', onclick: async () => {
        read.disabled = true;
        try { await session.call(`/api/v1/me/notices/${enc(n.id)}/read`, { method: 'POST', body: {} }); loadNotices(); } catch (e) { read.disabled = false; showProblem($('notices-error'), e); }
      } }, L('标为已读', 'Mark read'));
      return h('li', { className: 'card', 'data-notice-id': String(n.id), 'data-kind': n.kind, 'data-read': n.read_at ? 'true' : 'false' },
        h('p', {}, n.read_at ? '' : [h('span', { className: 'state state-warn' }, L('新', 'new')), ' '], noticeText(n)),
        h('p', { className: 'muted' }, when(formatTime(n.at)), n.case_id ? [' · ', h('button', { type: 'button', className: 'link', onclick: () => openCase(n.case_id) },
          h('span', { className: 'nobr', 'data-raw': '' }, n.case_number))] : ''),
        n.read_at ? '' : read);
    }) : [h('li', { className: 'muted' }, L('没有消息。', 'No messages.'))]));
  } catch (e) {
    showProblem($('notices-error'), e);
  }
}

// --- Figures ----------------------------------------------------------------------------------

// A horizontal bar chart: one row per thing (its name and numbers as text, which wraps), the bars
// an inline SVG scaled to the largest value; sizes in em, so large text scales it.
function barChart(id, title, rows, series) {
  const max = Math.max(1, ...rows.flatMap((r) => r.values));
  const box = h('figure', { className: 'chart', id, 'data-chart': id }, h('figcaption', {}, title));
  if (!rows.length) {
    box.append(h('p', { className: 'muted' }, L('还没有数据。', 'No data yet.')));
    return box;
  }
  for (const r of rows) {
    const bars = svg('svg', { width: '100%', 'aria-hidden': 'true', focusable: 'false' });
    bars.style.height = `${series.length * 1.3}em`;
    r.values.forEach((v, j) => {
      bars.append(svg('rect', { x: '0', y: `${j * 1.3 + 0.15}em`, height: '1em', rx: '2',
        width: `${v ? Math.max(1, (v / max) * 100) : 0}%`, class: `bar s${j}` }));
    });
    box.append(h('div', { className: 'bar-row', 'data-row': r.key },
      h('div', { className: 'bar-label' }, r.name, L('：', ': '),
        series.flatMap((s, j) => [j ? ' · ' : '', series.length > 1 ? L(s[0], s[1]) : '', series.length > 1 ? ' ' : '',
          h('strong', { className: 'nobr', 'data-value': s[2] }, String(r.values[j]))])),
      bars));
  }
  if (series.length > 1) {
    box.append(h('ul', { className: 'legend' }, series.map((s, j) => h('li', {}, h('span', { className: `swatch s${j}`, 'aria-hidden': 'true' }), L(s[0], s[1])))));
  }
  return box;
}

async function loadFigures() {
  clearError($('figures-error'));
  try {
    const f = await session.call('/api/v1/service/figures');
    const bundles = (metric) => f.bundles.map((b) => ({ key: b.bundle, name: named(b), values: [b[metric]] }));
    $('figures').replaceChildren(
      barChart('chart-trips', L('少跑的趟数（按以往各自办理要跑的趟数计）', 'Visits saved (the visits the separate old processes took)'), bundles('trips_saved'), [['少跑', 'saved', 'trips_saved']]),
      barChart('chart-prefilled', L('由部门数据自动填好的项', 'Fields filled in from department data'), bundles('fields_prefilled'), [['免填', 'filled in', 'fields_prefilled']]),
      barChart('chart-wallet', L('卡包证照免交的材料', 'Materials taken from the wallet'), bundles('materials_from_wallet'), [['免交', 'from the wallet', 'materials_from_wallet']]),
      barChart('chart-departments', L('各部门在办、逾期与已办结的事项', 'Open, overdue and approved items by department'),
        f.departments.map((d) => ({ key: d.department.key, name: named(d.department), values: [d.open, d.overdue, d.approved] })),
        [['在办', 'open', 'open'], ['逾期', 'overdue', 'overdue'], ['已办结', 'approved', 'approved']]));
  } catch (e) {
    showProblem($('figures-error'), e);
  }
}

// --- Session ----------------------------------------------------------------------------------

async function signedIn(account) {
  if (account.role !== 'staff') {
    await session.logout();
    showError($('error'), new Error(T('该账号不是部门工作人员账号。', 'This account is not a department staff account.')));
    return;
  }
  clearError($('error'));
  $('login-section').hidden = true;
  $('work').hidden = false;
  try {
    [svc, cat, types] = await Promise.all([services(), catalogue(), licenceTypes()]);
  } catch (e) {
    showProblem($('error'), e);
    return;
  }
  myDept = cat.deptByName(account.department) || null;
  $('who').replaceChildren(L('当前工作人员：', 'Signed in: '), raw(`${account.display_name} (${account.login})`), ' · ',
    myDept ? named(myDept) : raw(account.department));
  filterButtons($('filters'), FILTERS, filter, pickFilter);
  await Promise.all([loadQueue(), loadNotices(), loadFigures()]);
  const linked = new URLSearchParams(location.search).get('case');
  if (linked) await openCase(linked);
  document.body.dataset.signedIn = 'true';
}

function signedOut() {
  shownCase = null;
  $('work').hidden = true;
  $('case-section').hidden = true;
  $('login-section').hidden = false;
  delete document.body.dataset.signedIn;
}
bindSignIn(session, signedIn, signedOut);
document.body.dataset.ready = 'true';
