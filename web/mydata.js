// "我的数据 / My data" (/portal/data), for a citizen or an enterprise logged in (the portal's
// session: the same tab stays logged in between /portal and here): my records by department
// (GET /api/v1/me/data, names from the catalogue), who read them and why (GET
// /api/v1/me/data-access), each read's ledger inclusion proof checked in this browser against the
// signed checkpoint as the receipt pages check theirs (proof.js) and its ledger document tied to
// the row shown; my authorisations (GET/POST /api/v1/me/data-grants, …/{id}/withdraw); objections
// to a record's element and how each was handled (GET/POST /api/v1/me/data/objections).

import { ApiError, bindSignIn, clearError, formatTime, h, initShell, L, Session, showError, T } from './shell.js';
import { checkInclusionProof, renderChecks } from './proof.js';
import { catalogue, elementCheckboxes, elementList, elementName, elementOf, explainRefusal, named, option, raw, showRefusal, stateBadge, valueCell, when } from './data_common.js';

initShell();
const $ = (id) => document.getElementById(id);
const session = new Session('portal');
const enc = encodeURIComponent;
let me = null;
let cat = null;

function sectionError(box, e) {
  if (e instanceof ApiError && e.status === 404) {
    box.hidden = false;
    box.className = 'muted';
    box.replaceChildren(L('本服务器尚未提供此功能。', 'This server does not offer this yet.'));
  } else showError(box, e);
}

// --- My records -------------------------------------------------------------------------------

function recordTable(r) {
  const ds = cat.dataset(r.dataset.code);
  const codes = [...(ds ? ds.elements.map((e) => e.code) : []), ...Object.keys(r.fields)];
  const rows = [...new Set(codes)].filter((c) => Object.prototype.hasOwnProperty.call(r.fields, c)).map((c) =>
    h('tr', { 'data-element': c }, h('th', { scope: 'row' }, elementName(ds, c)), h('td', {}, valueCell(elementOf(ds, c), r.fields[c]))));
  return h('div', { className: 'record-box' }, h('div', { className: 'table-wrap' }, h('table', { className: 'data record', 'data-dataset': r.dataset.code },
    h('caption', {}, named(r.dataset), ' · ', h('span', { className: 'nobr' }, L('版本 ', 'version '), String(r.record_version)),
      ' · ', when(formatTime(r.recorded_at))),
    h('tbody', {}, rows))),
  objectionsOffered ? h('button', { type: 'button', className: 'no-print dispute', 'data-dataset': r.dataset.code, onclick: () => openObjection(r) },
    L('数据有误？提出异议', 'Wrong? Dispute it')) : '');
}

// --- Objections (数据异议) ------------------------------------------------------------------------

let objectionsOffered = false;
let disputed = null;  // the record being disputed

function openObjection(r) {
  const ds = cat.dataset(r.dataset.code);
  disputed = r;
  clearError($('objection-error'));
  $('objection-record').replaceChildren(named(r.dataset), ' · ', named(r.source), ' · ',
    h('span', { className: 'nobr' }, L('版本 ', 'version '), String(r.record_version)));
  $('objection-element').replaceChildren(...Object.keys(r.fields).map((c) => option(elementOf(ds, c), c)));
  showRecorded();
  $('objection-section').hidden = false;
  $('objection-section').scrollIntoView({ block: 'start' });
  $('objection-element').focus();
}
function showRecorded() {
  if (!disputed) return;
  const c = $('objection-element').value;
  const ds = cat.dataset(disputed.dataset.code);
  $('objection-recorded').replaceChildren(L('现登记为：', 'Now recorded: '), valueCell(elementOf(ds, c), disputed.fields[c]));
}
$('objection-element').addEventListener('change', showRecorded);
$('objection-close').addEventListener('click', () => { $('objection-section').hidden = true; disputed = null; });

$('objection-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearError($('objection-error'));
  const body = { dataset: disputed.dataset.code, record_key: disputed.record_key, element: $('objection-element').value,
    reason: $('objection-reason').value.trim() };
  if ($('objection-claimed').value.trim()) body.claimed_value = $('objection-claimed').value.trim();
  const btn = $('objection-form').querySelector('button[type=submit]');
  btn.disabled = true;
  try {
    await session.call('/api/v1/me/data/objections', { method: 'POST', body });
    $('objection-claimed').value = '';
    $('objection-reason').value = '';
    $('objection-section').hidden = true;
    disputed = null;
    await loadObjections();
    $('objections-section').scrollIntoView({ block: 'start' });
  } catch (e) {
    showRefusal($('objection-error'), e);
  } finally {
    btn.disabled = false;
  }
});

const OBJECTION_STATES = {
  open: ['处理中', 'being handled', 'warn'],
  escalated: ['逾期未处理，已升级', 'overdue, escalated', 'bad'],
  accepted: ['已更正', 'corrected', 'good'],
  rejected: ['已驳回', 'rejected', 'bad'],
};
const STEP = { raise: ['提出', 'raised'], escalate: ['逾期升级', 'escalated'], accept: ['接受并更正', 'accepted and corrected'], reject: ['驳回', 'rejected'] };

function objectionCard(o) {
  const ds = cat.dataset(o.dataset.code);
  const el = elementOf(ds, o.element.code);
  return h('li', { className: 'card', 'data-objection-id': String(o.id), 'data-state': o.state },
    h('h3', {}, named(o.dataset), L('：', ': '), named(o.element)),
    h('p', {}, stateBadge(o.state, OBJECTION_STATES),
      o.overdue && o.state === 'open' ? [' ', h('span', { className: 'state state-bad' }, L('已逾期', 'overdue'))] : ''),
    h('dl', { className: 'kv' },
      h('dt', {}, L('处理部门', 'Department')), h('dd', {}, named(o.department)),
      h('dt', {}, L('原登记值', 'Recorded')), h('dd', {}, valueCell(el, o.recorded_value)),
      h('dt', {}, L('应为', 'Should be')), h('dd', {}, valueCell(el, o.claimed_value)),
      h('dt', {}, L('理由', 'Why')), h('dd', {}, raw(o.reason)),
      h('dt', {}, L('提出时间', 'Raised')), h('dd', {}, when(formatTime(o.raised_at))),
      h('dt', {}, L('处理期限', 'Due by')), h('dd', {}, h('span', { className: 'nobr' }, o.due_date)),
      o.decision ? [h('dt', {}, L('处理意见', 'Decision')), h('dd', { className: 'decision' }, raw(o.decision))] : '',
      o.corrected_version ? [h('dt', {}, L('更正后版本', 'Corrected in')), h('dd', {}, h('span', { className: 'nobr' }, L('版本 ', 'version '), String(o.corrected_version)))] : ''),
    h('details', {}, h('summary', {}, L('处理经过', 'Steps')),
      h('ol', {}, o.steps.map((st) => h('li', {}, when(formatTime(st.at)), ' ', L(...(STEP[st.action] || [st.action, st.action])),
        st.version ? [' · ', h('span', { className: 'nobr' }, L('版本 ', 'version '), String(st.version))] : '')))));
}

// The list as the server answers it: fetched here, or `answer` when the caller already has it.
async function loadObjections(answer) {
  clearError($('objections-error'));
  try {
    const r = answer || await session.call('/api/v1/me/data/objections');
    $('objections').replaceChildren(...(r.items.length ? r.items.map(objectionCard)
      : [h('li', { className: 'muted' }, L('您没有提出过数据异议。', 'You have not disputed any data.'))]));
  } catch (e) {
    sectionError($('objections-error'), e);
  }
}

async function loadRecords() {
  clearError($('records-error'));
  try {
    const r = await session.call('/api/v1/me/data');
    const byDept = new Map();
    for (const x of r.items) {
      if (!byDept.has(x.source.key)) byDept.set(x.source.key, []);
      byDept.get(x.source.key).push(x);
    }
    $('records').replaceChildren(...(byDept.size ? [...byDept].map(([key, items]) => h('div', { className: 'dept', 'data-department': key },
      h('h3', {}, named(items[0].source)), items.map(recordTable)))
      : [h('p', { className: 'muted' }, L('各部门尚未向平台提供关于您的数据。', 'No department has put data about you on the platform yet.'))]));
  } catch (e) {
    sectionError($('records-error'), e);
  }
}

// --- Who read my data -------------------------------------------------------------------------

const PURPOSE = { agreement: ['共享协议', 'sharing agreement'], grant: ['您的授权', 'your authorisation'], case: ['办件', 'case'] };

// The browser's checks of one read: the inclusion proof against the signed checkpoint (proof.js),
// the entry's type, and the ledger document (whose hash the entry holds) naming exactly the
// department, dataset, elements, purpose and time this row shows.
async function checkRead(item) {
  const result = await checkInclusionProof(item.ledger, { document: item.ledger.document });
  let doc = null;
  let elements = null;
  try {
    doc = JSON.parse(item.ledger.document);
    // The server writes the element list as a JSON array, or as the text of one.
    elements = typeof doc.elements === 'string' ? JSON.parse(doc.elements) : doc.elements;
  } catch { /* not JSON: fails below */ }
  const same = !!doc && doc.read === 'data' && doc.reader_department === item.reader.key && doc.dataset === item.dataset.code
    && JSON.stringify(elements) === JSON.stringify(item.elements) && doc.purpose === item.purpose.kind
    && doc.purpose_ref === item.purpose.ref && Math.abs(Number(doc.time) / 1000 - Date.parse(item.at)) < 1000;
  result.steps.push({ ok: !!result.entry && result.entry.type === 'data.read', zh: '账本条目是一次数据查询',
    en: 'The ledger entry is a data read', detail: result.entry ? result.entry.type : '—' });
  result.steps.push({ ok: same, zh: '账本文书与本条记录所列的部门、数据集、数据项、依据和时间一致',
    en: 'The ledger document names the department, dataset, elements, purpose and time shown here', detail: item.ledger.document });
  result.ok = result.steps.every((s) => s.ok !== false);
  return result;
}

function proofMark(state) {
  const marks = {
    true: ['good', '✓ 已验证', '✓ verified'],
    false: ['bad', '✗ 未通过验证', '✗ NOT verified'],
    pending: ['warn', '待入账', 'not yet in the ledger'],
    checking: ['warn', '正在核对…', 'checking…'],
  };
  const [tone, zh, en] = marks[state];
  return h('span', { className: `proof-mark ${tone}`, 'data-proof-ok': String(state) }, L(zh, en));
}

function accessCard(item) {
  const ds = cat.dataset(item.dataset.code);
  const [pzh, pen] = PURPOSE[item.purpose.kind] || [item.purpose.kind, item.purpose.kind];
  const mark = h('p', { className: 'mark' }, L('账本证明：', 'Ledger proof: '), proofMark(item.ledger ? 'checking' : 'pending'));
  const details = h('details', {}, h('summary', {}, L('核对步骤', 'The checks')));
  const li = h('li', { className: 'card', 'data-access-id': String(item.id) },
    h('h3', {}, named(item.reader)),
    h('dl', { className: 'kv' },
      h('dt', {}, L('时间', 'When')), h('dd', {}, when(formatTime(item.at))),
      h('dt', {}, L('数据集', 'Dataset')), h('dd', {}, named(item.dataset)),
      h('dt', {}, L('数据项', 'Elements')), h('dd', { className: 'elements' }, elementList(ds, item.elements)),
      h('dt', {}, L('依据', 'Purpose')), h('dd', {}, L(pzh, pen), ' ', raw(item.purpose.kind === 'case' ? item.purpose.ref : `#${item.purpose.ref}`, 'nobr'),
        item.purpose.text ? [L('：', ': '), raw(item.purpose.text)] : '')),
    mark, item.ledger ? details : '');
  if (item.ledger) {
    checkRead(item).then((result) => {
      mark.replaceChildren(L('账本证明：', 'Ledger proof: '), proofMark(result.ok));
      details.append(renderChecks(result));
    }, (e) => {
      mark.replaceChildren(L('账本证明：', 'Ledger proof: '), proofMark(false));
      details.append(h('p', { className: 'fail' }, L('账本证明无法核对：', 'The ledger proof could not be checked: '), h('code', {}, String(e.message || e))));
    }).finally(() => li.setAttribute('data-checked', 'true'));
  } else {
    li.setAttribute('data-checked', 'true');
  }
  return li;
}

let accessBefore = null;
async function loadAccess(more) {
  clearError($('access-error'));
  try {
    const r = await session.call(`/api/v1/me/data-access${more && accessBefore ? `?before=${enc(accessBefore)}` : ''}`);
    if (!more) $('access').replaceChildren();
    $('access').append(...r.items.map(accessCard));
    if (!more && !r.items.length) $('access').append(h('li', { className: 'muted' }, L('还没有部门查询过您的数据。', 'No department has read your data yet.')));
    accessBefore = r.next_before;
    $('access-more').hidden = !accessBefore;
  } catch (e) {
    sectionError($('access-error'), e);
  }
}
$('access-more').addEventListener('click', () => loadAccess(true));

// --- My authorisations ------------------------------------------------------------------------

const GRANT_STATES = { active: ['有效', 'active', 'good'], withdrawn: ['已撤回', 'withdrawn', 'bad'], expired: ['已过期', 'expired', 'bad'] };

function grantCard(g) {
  const ds = cat.dataset(g.dataset.code);
  const state = g.withdrawn_at ? 'withdrawn' : g.until && Date.parse(g.until) <= Date.now() ? 'expired' : 'active';
  const withdraw = h('button', { type: 'button', className: 'no-print', onclick: () => withdrawGrant(g, withdraw) }, L('撤回授权', 'Withdraw'));
  return h('li', { className: 'card', 'data-grant-id': String(g.id), 'data-state': state },
    h('h3', {}, named(g.department)),
    h('dl', { className: 'kv' },
      h('dt', {}, L('数据集', 'Dataset')), h('dd', {}, named(g.dataset)),
      h('dt', {}, L('数据项', 'Elements')), h('dd', {}, elementList(ds, g.elements)),
      h('dt', {}, L('用途', 'Purpose')), h('dd', {}, raw(g.purpose)),
      h('dt', {}, L('有效期至', 'Until')), h('dd', {}, when(formatTime(g.until))),
      h('dt', {}, L('状态', 'State')), h('dd', {}, stateBadge(state, GRANT_STATES),
        g.withdrawn_at ? [' ', when(formatTime(g.withdrawn_at))] : '')),
    state === 'active' ? withdraw : '');
}

async function loadGrants() {
  clearError($('grants-error'));
  try {
    const r = await session.call('/api/v1/me/data-grants');
    $('grants').replaceChildren(...(r.items.length ? r.items.map(grantCard)
      : [h('li', { className: 'muted' }, L('您还没有授权任何部门。', 'You have not authorised any department.'))]));
  } catch (e) {
    sectionError($('grants-error'), e);
  }
}

async function withdrawGrant(g, button) {
  if (!window.confirm(T(`撤回对${g.department.name_zh}的授权？撤回后对方立即不能再凭此授权查询。`,
    `Withdraw the authorisation of ${g.department.name_en}? Reads under it stop at once.`))) return;
  clearError($('grants-error'));
  button.disabled = true;
  try {
    await session.call(`/api/v1/me/data-grants/${enc(g.id)}/withdraw`, { method: 'POST', body: {} });
    await loadGrants();
  } catch (e) {
    button.disabled = false;
    $('grants-error').hidden = false;
    $('grants-error').replaceChildren(explainRefusal(e));
  }
}

function fillGrantForm() {
  const dsSel = $('grant-dataset');
  const kind = me.role === 'enterprise' ? 'enterprise' : 'person';
  $('grant-department').replaceChildren(...cat.departments.map((d) => option(d, d.key)));
  dsSel.replaceChildren(...cat.datasets.filter((d) => d.subject === kind).map((d) => option(d, d.code)));
  fillElements();
}
function fillElements() {
  elementCheckboxes($('grant-elements'), cat.dataset($('grant-dataset').value), 'grant-el-');
}
$('grant-dataset').addEventListener('change', fillElements);

$('grant-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearError($('grant-error'));
  const elements = [...$('grant-form').querySelectorAll('input[name=element]:checked')].map((i) => i.value);
  if (!elements.length) {
    showError($('grant-error'), new Error(T('请至少选择一个数据项。', 'Choose at least one element.')));
    return;
  }
  const btn = $('grant-form').querySelector('button[type=submit]');
  btn.disabled = true;
  try {
    await session.call('/api/v1/me/data-grants', { method: 'POST', body: {
      department: $('grant-department').value, dataset: $('grant-dataset').value, elements,
      purpose: $('grant-purpose').value.trim(), days: Number($('grant-days').value) } });
    $('grant-purpose').value = '';
    for (const i of $('grant-form').querySelectorAll('input[name=element]')) i.checked = false;
    await loadGrants();
  } catch (e) {
    if (e instanceof ApiError && e.status === 400) showError($('grant-error'), e);
    else { $('grant-error').hidden = false; $('grant-error').replaceChildren(explainRefusal(e)); }
  } finally {
    btn.disabled = false;
  }
});

// --- Session ----------------------------------------------------------------------------------

async function signedIn(account) {
  if (!['citizen', 'enterprise'].includes(account.role)) {
    await session.logout();
    showError($('error'), new Error(T('“我的数据”供个人或企业登录查看；工作人员请使用窗口查询页面。',
      '"My data" is for a person or an enterprise; staff use the console look-up page.')));
    return;
  }
  clearError($('error'));
  me = account;
  $('login-section').hidden = true;
  $('mine').hidden = false;
  $('who').replaceChildren(L('您好，', 'Hello, '), raw(account.display_name), ...(account.subject_id_masked ? [' (', raw(account.subject_id_masked, 'nobr'), ')'] : []));
  document.body.dataset.signedIn = 'true';
  try {
    cat = await catalogue();
  } catch (e) {
    showError($('error'), e);
    return;
  }
  fillGrantForm();
  // Objections are offered when this server has the routes (a 404 of the list means it has not);
  // the list that answered is the one shown.
  let objections = null;
  objectionsOffered = await session.call('/api/v1/me/data/objections').then((r) => { objections = r; return true; }, () => false);
  $('objections-section').hidden = !objectionsOffered;
  await Promise.all([loadRecords(), loadAccess(false), loadGrants(), objectionsOffered ? loadObjections(objections) : null]);
  document.body.dataset.loaded = 'true';
}

function signedOut() {
  me = null;
  disputed = null;
  $('objection-section').hidden = true;
  $('mine').hidden = true;
  $('login-section').hidden = false;
  delete document.body.dataset.signedIn;
  delete document.body.dataset.loaded;
}
bindSignIn(session, signedIn, signedOut);
document.body.dataset.ready = 'true';
