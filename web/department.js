// "本部门共享协议 / My department's agreements" (/console/department): a department's staff (login)
// or its system (API key, kept in this tab's sessionStorage only) see the sharing agreements where
// the department provides or uses data (GET /api/v1/data/agreements), approve or reject a request
// as provider, revoke as either side, with a reason (POST …/{id}/approve|reject|revoke), and request
// a new agreement (POST /api/v1/data/agreements); objections to the department's data (GET
// /api/v1/data/objections?state=all), accepted with the corrected value or rejected with a reason.
// Every step is a ledger entry (docs/data.md).

import { ApiError, bindLogin, clearError, expiredError, formatTime, h, initShell, L, Session, showError, T } from './shell.js';
import { catalogue, elementCheckboxes, elementList, elementOf, explainRefusal, named, raw, showRefusal, stateBadge, valueCell, when } from './data_common.js';

initShell();
const $ = (id) => document.getElementById(id);
const session = new Session('department');
const enc = encodeURIComponent;
let cat = null;
let myDept = null;

function agreementCard(a, provider) {
  const ds = cat.dataset(a.dataset);
  const other = provider ? a.consumer : a.provider;
  const err = h('div', { hidden: true });
  const reasonId = `reason-${a.id}`;
  const reason = h('input', { id: reasonId, name: 'reason', maxlength: '200', autocomplete: 'off' });
  const act = (action, zh, en, primary) => h('button', { type: 'button', className: primary ? 'primary' : '', 'data-action': action,
    onclick: (ev) => decide(a, action, reason, err, ev.currentTarget) }, L(zh, en));
  const actions = [];
  if (provider && a.state === 'requested') actions.push(act('approve', '批准', 'Approve', true), act('reject', '驳回', 'Reject'));
  if (a.state === 'requested' || a.state === 'approved') actions.push(act('revoke', '撤销', 'Revoke'));
  return h('li', { className: 'card', 'data-agreement-id': String(a.id), 'data-state': a.state },
    h('h3', {}, h('span', { className: 'nobr' }, `#${a.id}`), ' ', ds ? named(ds) : raw(a.dataset), ' ', stateBadge(a.state)),
    h('dl', { className: 'kv' },
      h('dt', {}, provider ? L('使用方', 'Consumer') : L('提供方', 'Provider')), h('dd', {}, named(other)),
      h('dt', {}, L('数据项', 'Elements')), h('dd', {}, elementList(ds, a.elements)),
      h('dt', {}, L('用途', 'Purpose')), h('dd', {}, raw(a.purpose)),
      h('dt', {}, L('法律依据', 'Legal basis')), h('dd', {}, raw(a.legal_basis)),
      h('dt', {}, L('有效期至', 'Until')), h('dd', {}, when(formatTime(a.until))),
      h('dt', {}, L('申请时间', 'Requested')), h('dd', {}, when(formatTime(a.created_at))),
      a.decided_at ? [h('dt', {}, L('处理时间', 'Decided')), h('dd', {}, when(formatTime(a.decided_at)))] : '',
      a.reason ? [h('dt', {}, L('理由', 'Reason')), h('dd', { className: 'reason' }, raw(a.reason))] : ''),
    actions.length ? [h('label', { for: reasonId }, L('理由（驳回、撤销时必填）', 'Reason (required to reject or revoke)')), reason,
      h('div', { className: 'actions' }, actions)] : '',
    err);
}

async function decide(a, action, reasonInput, errBox, button) {
  clearError(errBox);
  const reason = reasonInput.value.trim();
  if (action !== 'approve' && !reason) {
    showError(errBox, new Error(T('驳回或撤销须写明理由。', 'A rejection or revocation needs a reason.')));
    reasonInput.focus();
    return;
  }
  button.disabled = true;
  try {
    await session.call(`/api/v1/data/agreements/${enc(a.id)}/${action}`, { method: 'POST', body: reason ? { reason } : {} });
    await loadAgreements();
    document.querySelector(`[data-agreement-id="${a.id}"]`)?.focus?.();
  } catch (e) {
    button.disabled = false;
    if (e instanceof ApiError && e.status === 401) return;
    errBox.hidden = false;
    errBox.replaceChildren(explainRefusal(e));
  }
}

async function loadAgreements() {
  clearError($('list-error'));
  try {
    const r = await session.call('/api/v1/data/agreements');
    const provided = r.items.filter((a) => a.provider.key === myDept.key);
    const consumed = r.items.filter((a) => a.consumer.key === myDept.key);
    $('provided').replaceChildren(...(provided.length ? provided.map((a) => agreementCard(a, true))
      : [h('li', { className: 'muted' }, L('暂无其他部门申请本部门的数据。', 'No department has asked for our data.'))]));
    $('consumed').replaceChildren(...(consumed.length ? consumed.map((a) => agreementCard(a, false))
      : [h('li', { className: 'muted' }, L('本部门尚未申请使用其他部门的数据。', 'We have not asked for another department\'s data.'))]));
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) showError($('list-error'), e);
  }
}

// --- Objections to our data (数据异议) ---------------------------------------------------------

const OBJECTION_STATES = {
  open: ['待处理', 'to decide', 'warn'],
  escalated: ['逾期，已升级', 'overdue, escalated', 'bad'],
  accepted: ['已接受并更正', 'accepted, corrected', 'good'],
  rejected: ['已驳回', 'rejected', 'bad'],
};

function objectionCard(o) {
  const ds = cat.dataset(o.dataset.code);
  const el = elementOf(ds, o.element.code);
  const err = h('div', { hidden: true });
  const open = o.state === 'open' || o.state === 'escalated';
  const valueId = `objection-value-${o.id}`;
  const reasonId = `objection-reason-${o.id}`;
  const value = h('input', { id: valueId, autocomplete: 'off', maxlength: '500' });
  value.value = o.claimed_value === null || o.claimed_value === undefined ? '' : String(o.claimed_value);
  const reason = h('input', { id: reasonId, autocomplete: 'off', maxlength: '500' });
  const decideObjection = async (action, button) => {
    clearError(err);
    let body;
    if (action === 'accept') {
      const v = value.value.trim();
      body = { value: v === '' ? null : ['integer', 'fen'].includes(el.type) && /^-?[0-9]+$/.test(v) ? Number(v) : v };
      if (reason.value.trim()) body.note = reason.value.trim();
    } else {
      if (!reason.value.trim()) {
        showError(err, new Error(T('驳回须写明理由。', 'A rejection needs a reason.')));
        reason.focus();
        return;
      }
      body = { reason: reason.value.trim() };
    }
    button.disabled = true;
    try {
      await session.call(`/api/v1/data/objections/${enc(o.id)}/${action}`, { method: 'POST', body });
      await loadObjections();
    } catch (e) {
      button.disabled = false;
      showRefusal(err, e);
    }
  };
  return h('li', { className: 'card', 'data-objection-id': String(o.id), 'data-state': o.state },
    h('h3', {}, h('span', { className: 'nobr' }, `#${o.id}`), ' ', named(o.dataset), L('：', ': '), named(o.element)),
    h('p', {}, stateBadge(o.state, OBJECTION_STATES),
      o.overdue && o.state === 'open' ? [' ', h('span', { className: 'state state-bad' }, L('已逾期', 'overdue'))] : ''),
    h('dl', { className: 'kv' },
      h('dt', {}, L('记录', 'Record')), h('dd', {}, raw(o.record_key, 'nobr'), ' ', h('span', { className: 'nobr' }, L('版本 ', 'version '), String(o.record_version))),
      h('dt', {}, L('原登记值', 'Recorded')), h('dd', {}, valueCell(el, o.recorded_value)),
      h('dt', {}, L('当事人认为应为', 'Should be, says the person')), h('dd', {}, valueCell(el, o.claimed_value)),
      h('dt', {}, L('理由', 'Why')), h('dd', {}, raw(o.reason)),
      h('dt', {}, L('处理期限', 'Due by')), h('dd', {}, h('span', { className: 'nobr' }, o.due_date)),
      o.decision ? [h('dt', {}, L('处理意见', 'Decision')), h('dd', { className: 'decision' }, raw(o.decision))] : '',
      o.corrected_version ? [h('dt', {}, L('更正后版本', 'Corrected in')), h('dd', {}, h('span', { className: 'nobr' }, L('版本 ', 'version '), String(o.corrected_version)))] : ''),
    open ? [h('label', { for: valueId }, L('更正后的值（接受时）', 'Corrected value (to accept)')), value,
      h('label', { for: reasonId }, L('理由或说明（驳回时必填）', 'Reason or note (required to reject)')), reason,
      h('div', { className: 'actions' },
        h('button', { type: 'button', className: 'primary', 'data-action': 'accept', onclick: (ev) => decideObjection('accept', ev.currentTarget) }, L('接受并更正', 'Accept and correct')),
        h('button', { type: 'button', 'data-action': 'reject', onclick: (ev) => decideObjection('reject', ev.currentTarget) }, L('驳回', 'Reject')))] : '',
    err);
}

async function loadObjections() {
  clearError($('objections-error'));
  try {
    const r = await session.call('/api/v1/data/objections?state=all');
    $('objections-section').hidden = false;
    $('objections').replaceChildren(...(r.items.length ? r.items.map(objectionCard)
      : [h('li', { className: 'muted' }, L('没有针对本部门数据的异议。', 'No objection to our data.'))]));
  } catch (e) {
    // A server without the objection routes: no section.
    if (e instanceof ApiError && e.status === 404) $('objections-section').hidden = true;
    else if (!(e instanceof ApiError && e.status === 401)) { $('objections-section').hidden = false; showError($('objections-error'), e); }
  }
}

// --- A new request ----------------------------------------------------------------------------

function fillRequestForm() {
  $('req-dataset').replaceChildren(...cat.datasets.filter((d) => d.owner !== myDept.key).map((d) => {
    const owner = cat.dept(d.owner) || { name_zh: d.owner, name_en: d.owner };
    const o = L(`${d.name_zh}（${owner.name_zh}）`, `${d.name_en || d.name_zh} (${owner.name_en || owner.name_zh})`, 'option');
    o.value = d.code;
    return o;
  }));
  const until = new Date(Date.now() + 365 * 86400e3);
  $('req-until').value = until.toISOString().slice(0, 10);
  fillRequestElements();
}
function fillRequestElements() {
  elementCheckboxes($('req-elements'), cat.dataset($('req-dataset').value), 'req-el-');
}
$('req-dataset').addEventListener('change', fillRequestElements);

$('request-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearError($('request-error'));
  const elements = [...$('request-form').querySelectorAll('input[name=element]:checked')].map((i) => i.value);
  if (!elements.length) {
    showError($('request-error'), new Error(T('请至少选择一个数据项。', 'Choose at least one element.')));
    return;
  }
  const btn = $('request-form').querySelector('button[type=submit]');
  btn.disabled = true;
  try {
    await session.call('/api/v1/data/agreements', { method: 'POST', body: {
      dataset: $('req-dataset').value, elements, purpose: $('req-purpose').value.trim(),
      legal_basis: $('req-basis').value.trim(), until: `${$('req-until').value}T00:00:00Z` } });
    $('req-purpose').value = '';
    for (const i of $('request-form').querySelectorAll('input[name=element]')) i.checked = false;
    await loadAgreements();
  } catch (e) {
    showRefusal($('request-error'), e);
  } finally {
    btn.disabled = false;
  }
});

// --- Session ----------------------------------------------------------------------------------

async function signedIn(account) {
  if (!['staff', 'department_system'].includes(account.role)) {
    await session.logout();
    showError($('error'), new Error(T('该账号不是部门工作人员或部门系统。', 'This account is not a department\'s staff or system.')));
    return;
  }
  clearError($('error'));
  try {
    cat = await catalogue();
  } catch (e) {
    showError($('error'), e);
    return;
  }
  myDept = cat.deptByName(account.department);
  if (!myDept) {
    await session.logout();
    showError($('error'), new Error(T('该账号所在的部门不在公共数据目录中。', 'This account\'s department is not in the public data catalogue.')));
    return;
  }
  $('login-section').hidden = true;
  $('work').hidden = false;
  $('who').replaceChildren(L('当前：', 'Signed in: '), raw(account.display_name), account.role === 'staff' ? raw(` (${account.login})`) : '',
    ' · ', named(myDept));
  fillRequestForm();
  await Promise.all([loadAgreements(), loadObjections()]);
  document.body.dataset.signedIn = 'true';
}

function signedOut() {
  $('work').hidden = true;
  $('login-section').hidden = false;
  delete document.body.dataset.signedIn;
}
session.onExpired = () => { signedOut(); showError($('error'), expiredError()); };

bindLogin(session, $('login-form'), $('error'), signedIn);
// A department system has no password: its API key is the bearer token of this tab's session.
$('key-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearError($('error'));
  const key = $('api-key').value.trim();
  $('api-key').value = '';
  sessionStorage.setItem(session.key, key);
  try {
    await signedIn(await session.me());
  } catch (e) {
    sessionStorage.removeItem(session.key);
    showError($('error'), e);
  }
});
$('logout').addEventListener('click', async () => {
  // An API key is not a login session: forget it here, never "log it out" (that is for tokens).
  if ((session.token || '').startsWith('tbk_')) sessionStorage.removeItem(session.key);
  else await session.logout();
  signedOut();
});
document.body.dataset.ready = 'true';
