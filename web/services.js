// "一件事 / One-thing services" (/portal/services), for a citizen logged in (the portal's session:
// the same tab stays logged in between /portal, /portal/data and here): the service catalogue
// (GET /api/v1/services, bundles first, then single items); starting an application (POST
// /api/v1/me/cases) and its form — fields the departments hold shown pre-filled with their source,
// not editable (a wrong one is disputed in 我的数据), the rest asked by type; materials taken from
// the wallet (免交) or uploaded (PUT …/materials/{code} with the file's bytes); the co-applicant
// named by ID number; the server's field errors shown under their fields. My applications (GET
// /api/v1/me/cases) with each department's task, its handler and due date, and the events; a
// co-applicant confirms (POST …/confirm, their own materials first); an applicant answers a
// department's request for more (补正, POST …/supplement). An item decided at once by rules (秒批)
// shows its decision with "why" (the inputs, the rows that applied, the rule version); an automatic
// refusal may be appealed (申诉, POST …/appeals) and the appeal's answer is shown. A decided item is
// rated (好差评: five levels and a comment, POST …/ratings); a bad rating's remediation (回访, 核实,
// 整改, 答复, with their deadlines) and the department's answer are shown beside it, then a second
// rating is offered once. The inbox (GET /api/v1/me/notices). ?case=<id> opens one application.

import { ApiError, bindSignIn, clearError, formatTime, h, initShell, L, lang, Session, showError, T } from './shell.js';
import { catalogue, citizenIdChecks, named, raw, when } from './data_common.js';
import { actorName, badge, byteCounter, byteLength, CASE_STATES, eventList, fieldValue, LEVELS, levelName, licenceTypes, mark, noticeText,
  placeErrors, reasonText, services, sourceLine, taskItem, TICKET_STATES, ticketProgress } from './service_common.js';

initShell();
const $ = (id) => document.getElementById(id);
const session = new Session('portal');
const enc = encodeURIComponent;
let svc = null;        // the service catalogue
let cat = null;        // the data catalogue (department names)
let types = null;      // the licence types (names)
let wallet = new Map(); // licence id → licence of my wallet
let current = null;    // the open form: {c, mode}; mode submit | confirm | supplement
let myName = '';       // the account's display name

// --- Problems -------------------------------------------------------------------------------

// A refusal in words: what happened, then the server's own detail (as code: it is English).
function problemBox(e, title) {
  const p = e instanceof ApiError ? e.problem : { detail: String(e && e.message || e) };
  const box = h('div', { className: 'problem', role: 'alert', 'data-status': String(e && e.status || '') });
  let what = title || L('未能完成', 'Not done');
  if (e instanceof ApiError && e.status === 404) what = L('没有找到：它不存在，或者不是您的。', 'Not found: it does not exist or is not yours.');
  else if (e instanceof ApiError && e.status === 409) what = L('现在不能这样做：办件的状态已经变了，请刷新后再看。', 'Not possible now: the application\'s state has changed; reload and look again.');
  else if (e instanceof ApiError && e.status === 413) what = L('文件太大。', 'The file is too large.');
  else if (e instanceof ApiError && e.status === 0) what = L('网络错误，请稍后再试。', 'Network error; try again later.');
  box.append(h('strong', {}, what, e && e.status ? ` (${e.status})` : ''));
  if (p && p.detail) box.append(h('p', { className: 'muted' }, L('服务器说明：', 'The server said: '), h('code', { 'data-raw': '' }, p.detail)));
  return box;
}
function showProblem(box, e, title) {
  if (e instanceof ApiError && e.status === 401) return;  // onExpired says so
  box.hidden = false;
  box.replaceChildren(problemBox(e, title));
}

// --- Licences ---------------------------------------------------------------------------------

// "居民身份证 · 张伟 · 浙江省公安厅" for a licence of my wallet.
function licenceName(id) {
  const l = wallet.get(id);
  if (!l) return h('code', {}, id);
  return h('span', {}, l.type_name_zh ? L(l.type_name_zh, l.type_name_en || l.type_name_zh) : types.name(l.type_code),
    l.fields && l.fields.name ? [' · ', raw(l.fields.name)] : '', l.issuer_name ? [' · ', raw(l.issuer_name)] : '');
}
async function loadWallet() {
  try {
    const r = await session.call('/api/v1/me/licenses');
    wallet = new Map(r.items.map((l) => [l.id, l]));
  } catch { /* names fall back to ids */ }
}

// --- The catalogue ----------------------------------------------------------------------------

function bundleCard(b) {
  const depts = new Set(b.steps.map((s) => s.department.key)).size;
  const start = h('button', { type: 'button', className: 'primary', 'data-action': 'start', 'data-bundle': b.code,
    onclick: () => startCase(b, start) }, L('开始办理', 'Apply'));
  return h('li', { className: 'card', 'data-bundle': b.code },
    h('h4', {}, named(b)),
    h('p', { className: 'muted' },
      b.single ? named(b.steps[0].department)
        : L(`${b.steps.length} 个事项 · ${depts} 个部门联办`, `${b.steps.length} items · ${depts} departments at once`),
      b.co_applicant ? [' · ', L(`需${b.co_applicant.name_zh}共同申请`, `with the ${b.co_applicant.name_en.toLowerCase()}`)] : ''),
    b.old_visits ? h('p', {}, L(`以往要跑 ${b.old_visits} 趟，现在网上办、一趟不用跑。`, `It used to take ${b.old_visits} visits; now none.`)) : '',
    b.single ? '' : h('details', {}, h('summary', {}, L('包含的事项', 'What it covers')),
      h('ol', {}, b.steps.map((s) => h('li', {}, named(s), L('：', ': '), named(s.department), L('，', ', '),
        h('span', { className: 'nobr' }, L(`${s.time_limit_days} 个工作日`, `${s.time_limit_days} working days`)))))),
    start);
}

function renderCatalogue() {
  $('bundles').replaceChildren(...svc.bundles.filter((b) => !b.single).map(bundleCard));
  $('items').replaceChildren(...svc.bundles.filter((b) => b.single).map(bundleCard));
}

async function startCase(b, button) {
  clearError($('catalogue-error'));
  button.disabled = true;
  try {
    const c = await session.call('/api/v1/me/cases', { method: 'POST', body: { bundle: b.code } });
    await openForm(c, 'submit');
    loadCases();
  } catch (e) {
    showProblem($('catalogue-error'), e);
  } finally {
    button.disabled = false;
  }
}

// --- The form ---------------------------------------------------------------------------------

const MODES = {
  submit: { h: ['填写申请：', 'Apply: '], button: ['提交申请', 'Submit'], path: 'submit' },
  confirm: { h: ['核对并确认：', 'Check and confirm: '], button: ['确认并提交', 'Confirm'], path: 'confirm' },
  supplement: { h: ['补正：', 'Supplement: '], button: ['提交补正', 'Send'], path: 'supplement' },
};

const fieldErrorBox = (id) => h('div', { id: `err-${id}`, className: 'field-error', hidden: true });

function input(f) {
  const id = `f-${f.code}`;
  let el;
  if (f.type === 'code') {
    el = h('select', { id, name: f.code }, L('请选择', 'Choose', 'option'), f.codes.map((x) => h('option', { value: x }, x)));
    el.options[0].value = '';
  } else {
    el = h('input', { id, name: f.code, autocomplete: 'off',
      type: f.type === 'date' ? 'date' : 'text',
      inputmode: ['integer', 'fen'].includes(f.type) ? 'numeric' : undefined,
      maxlength: f.type === 'citizen_id' ? '18' : undefined,
      spellcheck: f.type === 'citizen_id' ? 'false' : undefined });
  }
  el.setAttribute('aria-describedby', `err-${id}`);
  if (f.value !== null && f.value !== undefined) el.value = String(f.value);
  return el;
}

// The department a field of the bundle is read from, by the catalogue (also before it was read).
function catalogueSource(c, code) {
  const b = svc.bundle(c.bundle.code);
  const f = b && b.fields.find((x) => x.code === code);
  return f && f.source ? f.source : null;
}

function fieldsPart(c, mode) {
  const party = c.role;
  const consented = (c.events || []).some((e) => e.action === 'consent');
  const mine = c.fields.filter((f) => f.party === party);
  const given = [];  // from the departments, or to be read from them on confirming
  const asked = [];
  for (const f of mine) {
    if (f.prefilled) given.push(h('div', { 'data-field': f.code, 'data-prefilled': 'true' },
      h('dt', {}, named(f)),
      h('dd', {}, h('div', { className: 'value' }, fieldValue(f)),
        h('div', { className: 'muted small' }, sourceLine(f), ' · ',
          h('a', { href: '/portal/data', className: 'dispute' }, L('有误？提出数据异议', 'Wrong? Dispute it'))))));
    else if (mode === 'confirm' && !consented && catalogueSource(c, f.code)) given.push(h('div', { 'data-field': f.code, 'data-prefilled': 'pending' },
      h('dt', {}, named(f)),
      h('dd', { className: 'muted' }, L('确认时从', 'Read from '), named(catalogueSource(c, f.code).department), L('调取', ' when you confirm'))));
    else if (f.editable) asked.push(h('div', { className: 'field', 'data-field': f.code },
      h('label', { for: `f-${f.code}` }, named(f), f.required ? '' : L('（选填）', ' (optional)')),
      input(f), fieldErrorBox(`f-${f.code}`)));
  }
  const parts = [];
  if (given.length) {
    parts.push(h('h3', {}, L('部门已有的信息（不用填）', 'What the departments already hold (nothing to fill in)')),
      h('dl', { className: 'fields', id: 'given' }, given));
  }
  if (asked.length) parts.push(h('h3', {}, L('请填写', 'Please fill in')), h('div', { id: 'asked' }, asked));
  // The other party's part: what the applicant gave (for the co-applicant to check), or a note.
  const theirs = c.fields.filter((f) => f.party !== party);
  if (theirs.length) {
    const other = party === 'applicant' ? L(c.bundle.co_applicant_zh, c.bundle.co_applicant_en.toLowerCase()) : L('申请人', 'the applicant');
    if (theirs.every((f) => f.value === null || f.value === undefined)) {
      parts.push(h('p', { className: 'muted', id: 'theirs-note' }, L('以下由', 'Given by '), other, L('确认时提供：', ' when confirming: '),
        theirs.flatMap((f, i) => [i ? L('、', ', ') : '', named(f)])));
    } else {
      parts.push(h('h3', {}, L('由', 'Given by '), other, L('提供', '')),
        h('dl', { className: 'fields', id: 'theirs' }, theirs.map((f) =>
          h('div', { 'data-field': f.code }, h('dt', {}, named(f)),
            h('dd', {}, h('div', { className: 'value' }, fieldValue(f)), f.source ? h('div', { className: 'muted small' }, sourceLine(f)) : '')))));
    }
  }
  return parts;
}

// What a material is now: attached (a licence or a file), or the wallet licence chosen to be
// attached on sending (`chosen`), or nothing yet.
function attachedText(m, chosen) {
  const a = m.attached;
  if (chosen && !(a && a.license_id === chosen)) return h('span', {}, L('提交时从卡包附上：', 'Attached from the wallet on sending: '), licenceName(chosen));
  if (!a) return h('span', { className: 'muted' }, L('尚未提供', 'not given yet'));
  if (a.license_id) return h('span', { className: 'pass' }, L('✓ 已从卡包附上：', '✓ From the wallet: '), wallet.has(a.license_id) ? licenceName(a.license_id) : types.name(a.type));
  const kind = { 'image/png': 'PNG', 'image/jpeg': 'JPEG', 'application/pdf': 'PDF' }[a.upload.mime] || a.upload.mime;
  return h('span', { className: 'pass' }, L('✓ 已上传 ', '✓ Uploaded '), h('span', { className: 'nobr', 'data-raw': '' }, `${kind} · ${a.upload.size} B`));
}

function materialBlock(c, m) {
  const parts = [h('h4', {}, named(m), m.required ? '' : L('（选填）', ' (optional)')),
    h('p', { className: 'attached', id: `att-${m.code}` })];
  let select = null;
  if (m.license_type && m.available.length) {
    const id = `m-${m.code}-licence`;
    select = h('select', { id, name: m.code, 'aria-describedby': `err-m-${m.code}` },
      L('不用卡包中的证照', 'None from my wallet', 'option'), m.available.map((lid) => {
        const o = h('option', { value: lid });
        const l = wallet.get(lid);
        if (l) {
          o.dataset.zh = `${l.type_name_zh} · ${(l.fields && l.fields.name) || ''}`;
          o.dataset.en = `${l.type_name_en || l.type_name_zh} · ${(l.fields && l.fields.name) || ''}`;
          o.textContent = lang === 'zh' ? o.dataset.zh : o.dataset.en;
        } else o.textContent = lid;
        return o;
      }));
    select.options[0].value = '';
    // 免交 by default: the licence attached before, else one of the type in my own name. (The
    // wallet also holds my children's licences, as their guardian; `available` lists those too,
    // but the server takes only the applicant's own.)
    const own = m.available.find((lid) => wallet.has(lid) && wallet.get(lid).fields && wallet.get(lid).fields.name === myName);
    select.value = m.attached && m.attached.license_id && m.available.includes(m.attached.license_id) ? m.attached.license_id
      : m.attached && m.attached.upload ? '' : own || '';
    select.addEventListener('change', () => $(`att-${m.code}`).replaceChildren(attachedText(current.c.materials.find((x) => x.code === m.code), select.value)));
    parts.push(h('label', { for: id }, L('从卡包选择（免交复印件）', 'From my wallet (no copy needed)')), select);
  } else if (m.license_type) {
    parts.push(h('p', { className: 'muted' }, L('您的卡包中没有', 'Your wallet has no '), types.name(m.license_type), m.upload ? L('，请上传。', '; upload it.') : L('。', '.')));
  }
  if (m.upload) {
    const id = `m-${m.code}-file`;
    const file = h('input', { type: 'file', id, className: 'visually-hidden', accept: 'image/jpeg,image/png,application/pdf',
      'aria-describedby': `err-m-${m.code}` });
    file.addEventListener('change', () => upload(c.id, m.code, file, select));
    parts.push(h('div', { className: 'actions' }, file, h('label', { className: 'button', for: id },
      select ? L('或上传文件', 'Or upload a file') : L('上传文件', 'Upload a file'), ' (', h('span', { 'data-raw': '' }, 'JPEG / PNG / PDF'), ')')));
  }
  parts.push(fieldErrorBox(`m-${m.code}`));
  parts[1].replaceChildren(attachedText(m, select && select.value));
  return h('div', { className: 'material', 'data-material': m.code }, parts);
}

function materialsPart(c) {
  const mine = c.materials.filter((m) => m.party === c.role);
  const theirs = c.materials.filter((m) => m.party !== c.role);
  const parts = [];
  if (mine.length) parts.push(h('h3', {}, L('材料', 'Materials')), h('div', { id: 'my-materials' }, mine.map((m) => materialBlock(c, m))));
  if (theirs.length && c.state !== 'draft') {
    parts.push(h('h3', {}, L('对方的材料', 'The other party\'s materials')), h('ul', { id: 'their-materials' }, theirs.map((m) =>
      h('li', { 'data-material': m.code }, named(m), L('：', ': '), m.attached ? h('span', { className: 'pass' }, L('✓ 已提供', '✓ given'))
        : h('span', { className: 'muted' }, L('尚未提供', 'not given yet'))))));
  }
  return parts;
}

async function upload(caseId, code, fileInput, select) {
  const file = fileInput.files[0];
  if (!file) return;
  const err = $(`err-m-${code}`);
  err.hidden = true;
  $(`att-${code}`).replaceChildren(L('正在上传…', 'Uploading…'));
  try {
    let res;
    try {
      res = await fetch(`/api/v1/me/cases/${enc(caseId)}/materials/${enc(code)}`, { method: 'PUT', body: file,
        headers: { Accept: 'application/json', 'Content-Type': 'application/octet-stream', Authorization: `Bearer ${session.token}` } });
    } catch (e) {
      throw new ApiError(0, { title: 'network', detail: String(e) });
    }
    const data = await res.json().catch(() => null);
    if (res.status === 401) { session.expired(); return; }
    if (!res.ok) throw new ApiError(res.status, data || { detail: `HTTP ${res.status}` });
    current.c = data;
    const m = data.materials.find((x) => x.code === code);
    if (select) select.value = '';  // the file is the choice now
    $(`att-${code}`).replaceChildren(attachedText(m));
  } catch (e) {
    const m = current.c.materials.find((x) => x.code === code);
    $(`att-${code}`).replaceChildren(attachedText(m, select && select.value));
    const reason = e.problem && Array.isArray(e.problem.errors) && e.problem.errors[0];
    err.hidden = false;
    err.replaceChildren(reason ? reasonText(reason.reason) : problemBox(e));
  } finally {
    fileInput.value = '';
  }
}

function renderForm(c, mode) {
  current = { c, mode };
  const M = MODES[mode];
  $('apply-h').replaceChildren(L(...M.h), named(c.bundle));
  const intro = [h('p', {}, L('办件编号 ', 'Application number '), h('span', { className: 'nobr', id: 'case-number', 'data-raw': '' }, c.case_number))];
  if (mode === 'confirm') {
    intro.push(h('p', {}, raw(c.applicant.name), L(`在申请中把您列为${c.bundle.co_applicant_zh}。请核对以下内容，补齐您的材料后确认；确认后各部门开始办理。`,
      ` named you as the ${c.bundle.co_applicant_en.toLowerCase()} in this application. Check it, add your materials and confirm; then the departments start.`)));
  }
  if (mode === 'supplement') {
    const asked = c.tasks.filter((t) => t.state === 'awaiting_citizen');
    intro.push(h('div', { className: 'checks', id: 'asked-for' }, h('strong', {}, L('部门要求补正：', 'The departments ask for more:')),
      h('ul', {}, asked.map((t) => h('li', { 'data-task-id': String(t.id) }, named(t.department), L('（', ' ('), named(t.item), L('）：', '): '), raw(t.reason))))));
  }
  $('apply-intro').replaceChildren(...intro);
  $('apply-fields').replaceChildren(...fieldsPart(c, mode));
  $('apply-materials').replaceChildren(...materialsPart(c));
  const co = mode === 'submit' && svc.bundle(c.bundle.code).co_applicant;
  $('co-box').hidden = !co;
  if (co) $('co-legend').replaceChildren(L(co.name_zh, co.name_en), L('（共同申请人）', ' (co-applicant)'));
  $('apply-submit').replaceChildren(L(...M.button));
  clearError($('apply-error'));
  $('apply-section').hidden = false;
  document.body.dataset.form = mode;
}

async function openForm(c, mode) {
  if (c.materials.some((m) => m.available.some((id) => !wallet.has(id)))) await loadWallet();
  renderForm(c, mode);
  $('apply-section').scrollIntoView({ block: 'start' });
  $('apply-h').focus();
}

async function openCase(id, mode) {
  clearError($('cases-error'));
  try {
    await openForm(await session.call(`/api/v1/me/cases/${enc(id)}`), mode);
  } catch (e) {
    showProblem($('cases-error'), e);
  }
}

function closeForm() {
  current = null;
  $('apply-section').hidden = true;
  $('co-id').value = '';
  $('co-name').value = '';
  delete document.body.dataset.form;
}
$('apply-close').addEventListener('click', closeForm);

// Field errors under their fields; what has no place on the form goes to the box at its end.
function showFieldErrors(c, e) {
  const box = $('apply-error');
  const errors = (e.problem && e.problem.errors) || [];
  const left = [];
  let first = null;
  for (const x of errors) {
    const m = /^\/(answers|materials)\/([^/]+)/.exec(x.field);
    const target = m ? $(`err-${m[1] === 'answers' ? 'f' : 'm'}-${m[2]}`) : x.field === '/co_applicant_id' ? $('err-co-id')
      : x.field === '/co_applicant_name' ? $('err-co-name') : null;
    if (target && !target.parentElement.closest('[hidden]')) {
      target.hidden = false;
      const empty = target.id.startsWith('err-co-') && !$(target.id.slice(4)).value.trim();
      target.replaceChildren(empty ? L('必填', 'required') : reasonText(x.reason));
      first ||= target;
    } else {
      const what = m && (c.fields.find((f) => f.code === m[2]) || c.materials.find((f) => f.code === m[2]));
      left.push(h('li', {}, what ? named(what) : h('code', {}, x.field), L('：', ': '), reasonText(x.reason)));
    }
  }
  box.hidden = false;
  box.replaceChildren(h('div', { className: 'problem', role: 'alert', 'data-errors': String(errors.length) },
    h('strong', {}, L(`还有 ${errors.length} 处需要处理`, `${errors.length} thing${errors.length === 1 ? '' : 's'} to fix`)),
    first ? h('p', {}, L('见各项下方的红字说明。', 'See the notes in red under each.')) : '',
    left.length ? h('ul', {}, left) : ''));
  const focus = first ? first.parentElement.querySelector('input:not([type=file]), select') || first.parentElement.querySelector('input') : null;
  if (focus) focus.focus();
  else box.scrollIntoView({ block: 'center' });
}

function clearFieldErrors() {
  for (const el of document.querySelectorAll('#apply-form .field-error')) { el.hidden = true; el.replaceChildren(); }
  clearError($('apply-error'));
}

// What the person typed and chose, kept across a re-render of the form.
function snapshot() {
  return [...$('apply-form').querySelectorAll('input:not([type=file]), select')].map((el) => [el.id, el.value]);
}
function restore(values) {
  for (const [id, v] of values) {
    const el = id && $(id);
    if (el && (el.tagName !== 'SELECT' || [...el.options].some((o) => o.value === v))) el.value = v;
  }
}

$('apply-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (!current) return;
  const { c, mode } = current;
  clearFieldErrors();
  const answers = {};
  for (const f of c.fields) {
    const el = f.editable && $(`f-${f.code}`);
    if (!el) continue;
    let v = el.value.trim();
    if (v === '') continue;
    if (['integer', 'fen'].includes(f.type) && /^-?[0-9]+$/.test(v)) v = Number(v);
    else if (f.type === 'citizen_id') v = v.toUpperCase();
    answers[f.code] = v;
  }
  const materials = [];
  for (const m of c.materials) {
    const sel = $(`m-${m.code}-licence`);
    if (sel && sel.value) materials.push({ code: m.code, license_id: sel.value });
  }
  const body = { answers, materials };
  if (mode === 'submit' && !$('co-box').hidden) {
    const id = $('co-id').value.trim().toUpperCase();
    const name = $('co-name').value.trim();
    // A mistyped ID number is caught here (its check character); anything missing the server
    // lists with the rest.
    if (id && !citizenIdChecks(id)) {
      $('err-co-id').hidden = false;
      $('err-co-id').replaceChildren(L('公民身份号码不正确（请核对最后一位校验码）', 'Not a valid citizen ID number (check its last character)'));
      $('co-id').focus();
      return;
    }
    body.co_applicant_id = id;
    body.co_applicant_name = name;
  }
  const btn = $('apply-submit');
  btn.disabled = true;
  try {
    await session.call(`/api/v1/me/cases/${enc(c.id)}/${MODES[mode].path}`, { method: 'POST', body });
    closeForm();
    await Promise.all([loadCases(), loadNotices()]);
    const card = document.querySelector(`#cases li[data-case-id="${c.id}"]`);
    if (card) { card.scrollIntoView({ block: 'start' }); card.focus(); }
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    if (e instanceof ApiError && [400, 422].includes(e.status) && Array.isArray(e.problem.errors) && e.problem.errors.length) {
      // The server may have stored something meanwhile (a confirmation keeps what it read): show
      // the case as it is now, with what was typed and chosen kept.
      const values = snapshot();
      try {
        const again = await session.call(`/api/v1/me/cases/${enc(c.id)}`);
        renderForm(again, mode);
        restore(values);
      } catch { /* keep the form as it is */ }
      showFieldErrors(current.c, e);
    } else showProblem($('apply-error'), e, L('未能提交', 'Not sent'));
  } finally {
    btn.disabled = false;
  }
});

// --- My applications --------------------------------------------------------------------------

// `ratings`: the case's ratings (GET …/ratings), or null when not read (nothing decided yet).
function caseCard(c, ratings = null) {
  const co = c.co_applicant;
  const act = (action, zh, en, mode, primary) => h('button', { type: 'button', className: primary ? 'primary' : '', 'data-action': action,
    onclick: () => openCase(c.id, mode) }, L(zh, en));
  const actions = [];
  if (c.role === 'applicant' && c.state === 'draft') actions.push(act('edit', '继续填写', 'Continue', 'submit', true));
  if (c.role === 'co_applicant' && c.state === 'awaiting_co_applicant') actions.push(act('confirm', '核对并确认', 'Check and confirm', 'confirm', true));
  if (c.role === 'applicant' && c.tasks.some((t) => t.state === 'awaiting_citizen')) actions.push(act('supplement', '补正材料', 'Supplement', 'supplement', true));
  const f = c.figures;
  return h('li', { className: 'card', tabindex: '-1', 'data-case-id': String(c.id), 'data-state': c.state, 'data-role': c.role },
    h('h3', {}, named(c.bundle)),
    h('p', {}, h('span', { className: 'nobr case-number', 'data-raw': '' }, c.case_number), ' ', badge(c.state, CASE_STATES)),
    h('dl', { className: 'kv' },
      h('dt', {}, L('我是', 'I am')), h('dd', { className: 'role' }, c.role === 'applicant' ? L('申请人', 'the applicant')
        : [L(c.bundle.co_applicant_zh, `the ${c.bundle.co_applicant_en.toLowerCase()}`), L('（共同申请人）', ' (co-applicant)')]),
      h('dt', {}, L('申请人', 'Applicant')), h('dd', {}, raw(c.applicant.name)),
      co ? [h('dt', {}, L(c.bundle.co_applicant_zh, c.bundle.co_applicant_en)), h('dd', { className: 'co' }, raw(co.name), ' ',
        co.confirmed ? L('（已确认）', '(confirmed)') : L('（待确认）', '(not yet confirmed)'))] : '',
      c.submitted_at ? [h('dt', {}, L('提交时间', 'Sent')), h('dd', {}, when(formatTime(c.submitted_at)))] : '',
      c.completed_at ? [h('dt', {}, L('办结时间', 'Done')), h('dd', {}, when(formatTime(c.completed_at)))] : ''),
    c.submitted_at ? h('p', { className: 'figures muted' }, L(`免填 ${f.fields_prefilled} 项 · 卡包免交 ${f.materials_from_wallet} 份 · 少跑 ${f.old_visits} 趟`,
      `${f.fields_prefilled} fields filled in for you · ${f.materials_from_wallet} licences from the wallet · ${f.old_visits} visits saved`)) : '',
    c.tasks.length ? [h('p', {}, h('strong', {}, L('各部门办理进度', 'Progress at each department'))),
      h('ul', { className: 'tasks' }, c.tasks.map((t) => taskItem(t, taskExtras(c, t, ratings))))] : '',
    actions.length ? h('div', { className: 'actions no-print' }, actions) : '',
    historyBox(c));
}

// The events: the case's own when it was read whole, else read when the box is opened (the list of
// applications carries none).
function historyBox(c) {
  const read = Boolean(c.events && c.events.length);
  const body = h('div', {}, read ? eventList(c, cat) : '');
  const box = h('details', { className: 'history', 'data-loaded': read ? 'true' : undefined }, h('summary', {}, L('办理记录', 'History')), body);
  box.addEventListener('toggle', async () => {
    if (!box.open || box.dataset.loaded) return;
    try {
      const full = await session.call(`/api/v1/me/cases/${enc(c.id)}`);
      body.replaceChildren(eventList(full, cat));
      box.dataset.loaded = 'true';
    } catch (e) {
      body.replaceChildren(problemBox(e));
    }
  });
  return box;
}

// What a case's card needs beyond the list's row: the case itself when an item is decided by rules
// (the list carries no decisions or appeals) unless `c` was read whole already (`whole`), its
// ratings once an item is decided.
const DECIDED = ['approved', 'rejected'];
async function caseDetails(c, { whole = false } = {}) {
  const full = !whole && c.tasks.some((t) => t.instant && !t.decision && !['waiting', 'cancelled'].includes(t.state))
    ? session.call(`/api/v1/me/cases/${enc(c.id)}`) : c;
  const ratings = c.tasks.some((t) => DECIDED.includes(t.state))
    ? session.call(`/api/v1/me/cases/${enc(c.id)}/ratings`).then((r) => r.items) : null;
  return [await full, await ratings];
}

// The cards at once from the list; each replaced when it has details to read and they arrive
// (without them a card still shows the progress). Resolves once all have settled. A later call's
// cards win over an earlier call's late details.
let casesDrawn = 0;
async function loadCases() {
  clearError($('cases-error'));
  const drawn = ++casesDrawn;
  try {
    const r = await session.call('/api/v1/me/cases');
    if (drawn !== casesDrawn) return;
    const cards = r.items.map((c) => caseCard(c));
    $('cases').replaceChildren(...(cards.length ? cards
      : [h('li', { className: 'muted' }, L('您还没有办过一件事。', 'You have no applications yet.'))]));
    await Promise.allSettled(r.items.map(async (c, i) => {
      const [full, ratings] = await caseDetails(c);
      if ((full !== c || ratings) && drawn === casesDrawn && cards[i].isConnected) cards[i].replaceWith(caseCard(full, ratings));
    }));
  } catch (e) {
    showProblem($('cases-error'), e);
  }
}

// One card again, after a rating or an appeal (with the inbox, which says so); returns it.
async function refreshCase(id) {
  const c = await session.call(`/api/v1/me/cases/${enc(id)}`);
  const [full, ratings] = await caseDetails(c, { whole: true });
  const card = caseCard(full, ratings);
  const old = document.querySelector(`#cases li[data-case-id="${c.id}"]`);
  if (old) old.replaceWith(card);
  loadNotices();
  return card;
}

// --- A decided item: appeal (申诉) and rating (好差评) -----------------------------------------

function taskExtras(c, t, ratings) {
  const parts = [];
  // (The list's rows carry no decisions: an appeal is offered once the case was read whole.)
  if (t.appealable && t.decision && !t.appeal && c.role === 'applicant') parts.push(appealPart(c, t));
  if (ratings && DECIDED.includes(t.state) && ['applicant', 'co_applicant'].includes(c.role)) parts.push(ratingPart(c, t, ratings));
  return parts;
}

function fieldErr(id) {
  return h('div', { id, className: 'field-error', hidden: true });
}

function appealPart(c, t) {
  const id = `appeal-${t.id}`;
  const reason = h('textarea', { id: `${id}-reason`, name: 'reason', rows: '4', 'aria-describedby': `${id}-count ${id}-reason-error` });
  const err = fieldErr(`${id}-reason-error`);
  const box = h('div', { id: `${id}-error`, hidden: true });
  const submit = h('button', { type: 'submit', className: 'primary', 'data-action': 'send-appeal' }, L('提交申诉', 'Send the appeal'));
  const form = h('form', { id: `${id}-form`, className: 'appeal-form', novalidate: true, hidden: true, 'data-task-id': String(t.id) },
    h('p', { className: 'muted small' }, L('认为自动审核结果有误？写明理由（例如哪项信息不对），工作人员会复核并答复。',
      'Think the automatic check got it wrong? Say why (which information is wrong, for example); staff review it and answer.')),
    h('label', { for: reason.id }, L('申诉理由（必填，最多 1000 字节）', 'Why you appeal (required, at most 1,000 bytes)')),
    reason, byteCounter(reason, 1000, `${id}-count`), err, box,
    h('div', { className: 'actions' }, submit,
      h('button', { type: 'button', 'data-action': 'cancel-appeal', onclick: () => { form.hidden = true; open.setAttribute('aria-expanded', 'false'); open.focus(); } },
        L('取消', 'Cancel'))));
  const open = h('button', { type: 'button', 'data-action': 'appeal', 'aria-expanded': 'false', 'aria-controls': form.id,
    onclick: () => {
      form.hidden = !form.hidden;
      open.setAttribute('aria-expanded', form.hidden ? 'false' : 'true');
      if (!form.hidden) reason.focus();
    } }, L('申诉', 'Appeal'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    err.hidden = true;
    clearError(box);
    submit.disabled = true;
    try {
      await session.call(`/api/v1/me/cases/${enc(c.id)}/appeals`, { method: 'POST', body: { task_id: t.id, reason: reason.value.trim() } });
      const card = await refreshCase(c.id);
      const shown = card.querySelector(`li.task[data-task-id="${t.id}"] .appeal`);
      if (shown) { shown.tabIndex = -1; shown.focus(); }
    } catch (e) {
      submit.disabled = false;
      if (e instanceof ApiError && e.status === 401) return;
      if (placeErrors(e, { '/reason': err }, box, showProblem)) reason.focus();
    }
  });
  return h('div', { className: 'appeal-part no-print' }, h('div', { className: 'actions' }, open), form);
}

function ratingPart(c, t, ratings) {
  const mine = ratings.filter((r) => r.task_id === t.id).sort((a, b) => a.round - b.round);
  const last = mine[mine.length - 1];
  return h('div', { className: 'rating-part', 'data-task-id': String(t.id), 'data-rated': mine.length ? 'true' : 'false' },
    mine.map((r) => ratingShown(c, r)),
    !last || last.may_rate_again ? rateForm(c, t, last ? 2 : 1) : '');
}

function ratingShown(c, r) {
  const k = r.ticket;
  return h('div', { className: `checks rated ${r.level >= 3 ? 'good' : 'bad'}`, 'data-rating-id': String(r.id), 'data-level': String(r.level),
    'data-round': String(r.round) },
  h('p', { className: 'verdict' }, r.round > 1 ? L('再次评价：', 'Second rating: ') : L('评价：', 'Rating: '),
    h('span', { className: 'level' }, levelName(r.level))),
  h('dl', { className: 'kv' },
    r.by !== c.role ? [h('dt', {}, L('评价人', 'Rated by')), h('dd', {}, actorName(r.by, c))] : '',
    r.comment ? [h('dt', {}, L('意见', 'Comment')), h('dd', { className: 'comment' }, raw(r.comment))] : '',
    h('dt', {}, L('时间', 'When')), h('dd', {}, when(formatTime(r.at)))),
  k ? h('div', { className: 'ticket', 'data-ticket-id': String(k.id), 'data-state': k.state },
    h('p', {}, h('strong', {}, L('差评整改', 'Follow-up of a bad rating')), ' ', badge(k.state, TICKET_STATES),
      k.overdue ? [' ', mark('overdue', 'bad', '已逾期', 'overdue')] : ''),
    h('p', { className: 'muted small' }, L('部门将回访您、核实情况、整改并答复。', 'The department calls you back, checks what happened, puts it right and answers you.')),
    ticketProgress(k),
    k.answer ? h('div', { className: 'answer' }, h('strong', {}, L('部门答复：', 'The department\'s answer: ')), raw(k.answer),
      k.answered_at ? [' ', h('span', { className: 'muted small' }, when(formatTime(k.answered_at)))] : '') : '') : '');
}

function rateForm(c, t, round) {
  const id = `rate-${t.id}`;
  const levelErr = fieldErr(`${id}-level-error`);
  const comment = h('textarea', { id: `${id}-comment`, name: 'comment', rows: '3', 'aria-describedby': `${id}-count ${id}-comment-error` });
  const commentErr = fieldErr(`${id}-comment-error`);
  const box = h('div', { id: `${id}-error`, hidden: true });
  const submit = h('button', { type: 'submit', className: 'primary', 'data-action': 'rate' }, L('提交评价', 'Send the rating'));
  const form = h('form', { id: `${id}-form`, novalidate: true, 'data-round': String(round) },
    h('fieldset', { className: 'levels', 'aria-describedby': levelErr.id },
      h('legend', {}, round > 1 ? L('看过答复后，您现在的评价：', 'Having read the answer, your rating now:')
        : [L('您对“', 'How satisfied are you with '), named(t.item), L('”的办理满意吗？', '?')]),
      LEVELS.map(([level, zh, en]) => h('label', { for: `${id}-${level}` },
        h('input', { type: 'radio', id: `${id}-${level}`, name: `${id}-level`, value: String(level) }), L(zh, en)))),
    levelErr,
    h('label', { for: comment.id }, L('意见（选填，最多 500 字节）', 'Comment (optional, at most 500 bytes)')),
    comment, byteCounter(comment, 500, `${id}-count`), commentErr, box,
    h('p', { className: 'muted small' }, L('“不满意”和“非常不满意”会转给部门整改，部门将回访并答复您。评价提交后不能修改。',
      '"Dissatisfied" and "very dissatisfied" go to the department to put right: they call you back and answer. A rating cannot be changed once sent.')),
    h('div', { className: 'actions' }, submit));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    for (const e of [levelErr, commentErr]) { e.hidden = true; e.replaceChildren(); }
    clearError(box);
    const checked = form.querySelector(`input[name="${id}-level"]:checked`);
    if (!checked) {
      levelErr.hidden = false;
      levelErr.replaceChildren(L('请选择一个评价等级', 'choose a level'));
      form.querySelector('input[type=radio]').focus();
      return;
    }
    if (byteLength(comment.value.trim()) > 500) {
      commentErr.hidden = false;
      commentErr.replaceChildren(L('内容太长（最多 500 字节）', 'too long (at most 500 bytes)'));
      comment.focus();
      return;
    }
    submit.disabled = true;
    try {
      const body = { task_id: t.id, level: Number(checked.value) };
      if (comment.value.trim()) body.comment = comment.value.trim();
      await session.call(`/api/v1/me/cases/${enc(c.id)}/ratings`, { method: 'POST', body });
      const card = await refreshCase(c.id);
      const shown = [...card.querySelectorAll(`.rating-part[data-task-id="${t.id}"] .rated`)].pop();
      if (shown) { shown.tabIndex = -1; shown.focus(); }
    } catch (e) {
      submit.disabled = false;
      if (e instanceof ApiError && e.status === 401) return;
      const first = placeErrors(e, { '/level': levelErr, '/comment': commentErr }, box, showProblem);
      if (first === commentErr) comment.focus();
    }
  });
  return h('details', { className: 'rate no-print', 'data-task-id': String(t.id), open: round > 1 || undefined },
    h('summary', {}, round > 1 ? L('再次评价', 'Rate again') : L('评价这项服务', 'Rate this service')), form);
}

// ?case=<id>: that application — its form when it waits for me, else its card.
async function openLinkedCase(id) {
  try {
    const c = await session.call(`/api/v1/me/cases/${enc(id)}`);
    if (c.role === 'co_applicant' && c.state === 'awaiting_co_applicant') return openForm(c, 'confirm');
    if (c.role === 'applicant' && c.state === 'draft') return openForm(c, 'submit');
    const card = document.querySelector(`#cases li[data-case-id="${c.id}"]`);
    if (card) { card.scrollIntoView({ block: 'start' }); card.focus(); }
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      $('cases-error').hidden = false;
      $('cases-error').replaceChildren(h('div', { className: 'problem', role: 'alert', 'data-not-found': id },
        h('strong', {}, L(`没有找到办件 ${id}：它不存在，或者您不是它的申请人。`, `No application ${id}: it does not exist or you are not one of its applicants.`))));
      $('cases-section').scrollIntoView({ block: 'start' });
    } else showProblem($('cases-error'), e);
  }
}

// --- Inbox ------------------------------------------------------------------------------------

async function loadNotices() {
  clearError($('notices-error'));
  try {
    const r = await session.call('/api/v1/me/notices');
    const unread = r.items.filter((n) => !n.read_at).length;
    $('unread').hidden = !unread;
    $('unread').replaceChildren(L(`${unread} 条未读`, `${unread} unread`));
    $('notices').replaceChildren(...(r.items.length ? r.items.slice(0, 30).map((n) => {
      const read = h('button', { type: 'button', 'data-action': 'read', onclick: () => markRead(n, read) }, L('标为已读', 'Mark read'));
      return h('li', { className: 'card', 'data-notice-id': String(n.id), 'data-kind': n.kind, 'data-read': n.read_at ? 'true' : 'false' },
        h('p', {}, n.read_at ? '' : [h('span', { className: 'state state-warn' }, L('新', 'new')), ' '], noticeText(n)),
        h('p', { className: 'muted' }, when(formatTime(n.at)), n.case_number ? [' · ', h('span', { className: 'nobr', 'data-raw': '' }, n.case_number)] : ''),
        n.read_at ? '' : read);
    }) : [h('li', { className: 'muted' }, L('没有消息。', 'No messages.'))]));
  } catch (e) {
    showProblem($('notices-error'), e);
  }
}

async function markRead(n, button) {
  button.disabled = true;
  try {
    await session.call(`/api/v1/me/notices/${enc(n.id)}/read`, { method: 'POST', body: {} });
    await loadNotices();
  } catch (e) {
    button.disabled = false;
    showProblem($('notices-error'), e);
  }
}

// --- Session ----------------------------------------------------------------------------------

async function signedIn(account) {
  if (account.role !== 'citizen') {
    await session.logout();
    showError($('error'), new Error(T('一件事由个人用自己的账号办理；企业和工作人员请使用各自的页面。',
      'One-thing services are for a person with their own login; enterprises and staff use their own pages.')));
    return;
  }
  clearError($('error'));
  myName = account.display_name;
  $('login-section').hidden = true;
  $('mine').hidden = false;
  $('who').replaceChildren(L('您好，', 'Hello, '), raw(account.display_name), ...(account.subject_id_masked ? [' (', raw(account.subject_id_masked, 'nobr'), ')'] : []));
  document.body.dataset.signedIn = 'true';
  try {
    [svc, cat, types] = await Promise.all([services(), catalogue(), licenceTypes()]);
  } catch (e) {
    showProblem($('error'), e);
    return;
  }
  renderCatalogue();
  await Promise.all([loadWallet(), loadCases(), loadNotices()]);
  const linked = new URLSearchParams(location.search).get('case');
  if (linked) await openLinkedCase(linked);
  document.body.dataset.loaded = 'true';
}

function signedOut() {
  closeForm();
  wallet = new Map();
  $('mine').hidden = true;
  $('login-section').hidden = false;
  delete document.body.dataset.signedIn;
  delete document.body.dataset.loaded;
}
bindSignIn(session, signedIn, signedOut);
document.body.dataset.ready = 'true';
