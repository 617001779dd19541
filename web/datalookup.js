// "查询数据 / Look up data" (/console/data), for window staff (the console's session: the same tab
// stays logged in between /console and here): a citizen ID or USCC (masked once entered), a
// purpose — one of the department's approved sharing agreements (GET /api/v1/data/agreements) or
// a case number — and the elements; the read (GET /api/v1/data/subjects/{subject}/datasets/
// {dataset}?purpose=…&elements=…) shows each value with its source department and record version,
// and a refusal (403) explained in words.

import { ApiError, bindSignIn, clearError, formatTime, h, initShell, L, Session, showError, T } from './shell.js';
import { catalogue, citizenIdChecks, elementName, elementOf, explainRefusal, looksLikeSubject, maskId, named, option, raw, valueCell, when } from './data_common.js';

initShell();
const $ = (id) => document.getElementById(id);
const session = new Session('console');
const enc = encodeURIComponent;
const STAFF_ROLES = ['staff'];
let cat = null;
let myDept = null;
let agreements = [];
let subject = '';  // the entered ID; the page shows it masked only

// --- The person -------------------------------------------------------------------------------

function takeSubject() {
  const v = $('subject').value.trim().toUpperCase();
  $('subject-error').hidden = true;
  if (!v) return;
  let problem = null;
  if (!looksLikeSubject(v)) problem = ['请输入 18 位公民身份号码或统一社会信用代码。', 'Enter an 18-character citizen ID number or USCC.'];
  // An all-digit number with a birth date where GB 11643 puts it is a citizen ID: check its last
  // character here; anything else (a USCC) the server checks.
  else if (/^[1-8][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])[0-9]{5}[0-9X]$/.test(v) && !citizenIdChecks(v)) {
    problem = ['公民身份号码的校验位不对，请核对。', 'The citizen ID number\'s check character is wrong; check it.'];
  }
  if (problem) {
    $('subject-error').hidden = false;
    $('subject-error').replaceChildren(L(...problem));
    return;
  }
  subject = v;
  $('subject').value = '';
  $('subject').hidden = true;
  $('subject-masked').textContent = maskId(v);
  $('subject-shown').hidden = false;
}
$('subject').addEventListener('change', takeSubject);
$('subject').addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { ev.preventDefault(); takeSubject(); } });
$('subject-change').addEventListener('click', () => {
  subject = '';
  $('subject-shown').hidden = true;
  $('subject').hidden = false;
  $('subject').focus();
});

// --- Purpose and elements ---------------------------------------------------------------------

const by = () => $('lookup-form').querySelector('input[name=by]:checked').value;

function fillElements(dataset, codes) {
  const fs = $('elements');
  for (const el of [...fs.querySelectorAll('label, p')]) el.remove();
  if (!dataset) {
    fs.append(h('p', { className: 'muted' }, L('请先选择查询依据。', 'Choose the purpose first.')));
    return;
  }
  for (const c of codes) {
    const id = `el-${c}`;
    fs.append(h('label', { for: id }, h('input', { type: 'checkbox', id, name: 'element', value: c, checked: true }), elementName(dataset, c)));
  }
}

function currentDataset() {
  if (by() === 'agreement') {
    const a = agreements.find((x) => String(x.id) === $('agreement').value);
    return a ? cat.dataset(a.dataset) : null;
  }
  return cat.dataset($('dataset').value);
}

function purposeChanged() {
  const agreement = by() === 'agreement';
  $('agreement-box').hidden = !agreement;
  $('case-box').hidden = agreement;
  if (agreement) {
    const a = agreements.find((x) => String(x.id) === $('agreement').value);
    fillElements(a ? cat.dataset(a.dataset) : null, a ? a.elements : []);
  } else {
    const ds = cat.dataset($('dataset').value);
    fillElements(ds, ds ? ds.elements.map((e) => e.code) : []);
  }
}
for (const r of document.querySelectorAll('input[name=by]')) r.addEventListener('change', purposeChanged);
$('agreement').addEventListener('change', purposeChanged);
$('dataset').addEventListener('change', purposeChanged);

async function loadAgreements() {
  const r = await session.call('/api/v1/data/agreements');
  agreements = r.items.filter((a) => a.state === 'approved' && (!myDept || a.consumer.key === myDept.key));
  $('agreement').replaceChildren(...(agreements.length ? agreements.map((a) => {
    const ds = cat.dataset(a.dataset);
    const o = L(`#${a.id} ${ds ? ds.name_zh : a.dataset}（${a.provider.name_zh}）：${a.purpose}`,
      `#${a.id} ${ds ? ds.name_en : a.dataset} (${a.provider.name_en}): ${a.purpose}`, 'option');
    o.value = String(a.id);
    return o;
  }) : [L('本部门没有已批准的共享协议', 'My department has no approved agreement', 'option')]));
  $('dataset').replaceChildren(...cat.datasets.map((d) => option(d, d.code)));
  purposeChanged();
}

// --- The read ---------------------------------------------------------------------------------

function showResult(r, ds) {
  const rows = r.values.map((v) => {
    const el = elementOf(ds, v.element);
    // Two columns fit a phone even in large text: the value, and under it where it comes from.
    return h('tr', { 'data-element': v.element },
      h('th', { scope: 'row' }, named(el)),
      h('td', {}, h('div', { className: 'value' }, valueCell(el, v.value)),
        h('div', { className: 'source muted' }, L('来源：', 'Source: '), named(v.source), ' · ',
          h('span', { className: 'nobr' }, L('版本 ', 'version '), String(v.record_version)), ' · ',
          h('span', { className: 'nobr', 'data-raw': '' }, v.record_key), ' · ', when(formatTime(v.recorded_at)))));
  });
  $('result').replaceChildren(
    h('p', { className: 'status-badge status-good', role: 'status', 'data-read': 'ok' }, L('已调取', 'Read')),
    h('p', {}, named(r.dataset), L('：', ': '), raw(maskId(subject), 'nobr')),
    rows.length ? h('div', { className: 'table-wrap' }, h('table', { className: 'data', id: 'values' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, L('数据项', 'Element')), h('th', { scope: 'col' }, L('值与来源', 'Value and source')))),
      h('tbody', {}, rows)))
      : h('p', { className: 'muted' }, L('该数据集中没有此人的记录。', 'This dataset holds no record of this person.')),
    h('p', { className: 'muted' }, L(`本次查询已记入账本（查询记录 #${r.access_id}），当事人可以在“我的数据”中看到。`,
      `This read is on the ledger (access record #${r.access_id}); the person sees it in "My data".`)));
}

$('lookup-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if ($('subject').value.trim()) takeSubject();
  if (!subject) {
    $('subject-error').hidden = false;
    $('subject-error').replaceChildren(L('请输入当事人的证件号码。', 'Enter the person\'s ID number.'));
    $('subject').focus();
    return;
  }
  const ds = currentDataset();
  let purpose;
  if (by() === 'agreement') {
    if (!$('agreement').value || !agreements.length) {
      $('result').replaceChildren(h('p', { className: 'fail' }, L('请选择一项共享协议。', 'Choose a sharing agreement.')));
      return;
    }
    purpose = `agreement:${$('agreement').value}`;
  } else {
    if (!$('case').value.trim()) {
      $('result').replaceChildren(h('p', { className: 'fail' }, L('请输入办件编号。', 'Enter the case number.')));
      return;
    }
    purpose = `case:${$('case').value.trim()}`;
  }
  const elements = [...$('elements').querySelectorAll('input[name=element]:checked')].map((i) => i.value);
  if (!ds || !elements.length) {
    $('result').replaceChildren(h('p', { className: 'fail' }, L('请至少选择一个数据项。', 'Choose at least one element.')));
    return;
  }
  const btn = $('lookup-form').querySelector('button[type=submit]');
  btn.disabled = true;
  $('result').replaceChildren(h('p', {}, L('正在查询…', 'Reading…')));
  try {
    const r = await session.call(`/api/v1/data/subjects/${enc(subject)}/datasets/${enc(ds.code)}?purpose=${enc(purpose)}&elements=${enc(elements.join(','))}`);
    showResult(r, ds);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    if (e instanceof ApiError && e.status === 400) {
      const box = h('div');
      showError(box, e);
      $('result').replaceChildren(box);
    } else {
      $('result').replaceChildren(explainRefusal(e));
    }
  } finally {
    btn.disabled = false;
  }
});

// --- Session ----------------------------------------------------------------------------------

async function signedIn(account) {
  if (!STAFF_ROLES.includes(account.role)) {
    await session.logout();
    showError($('error'), new Error(T('该账号不是窗口工作人员账号。', 'This account is not a staff account.')));
    return;
  }
  clearError($('error'));
  $('login-section').hidden = true;
  $('work').hidden = false;
  try {
    cat = await catalogue();
    myDept = cat.deptByName(account.department) || null;
    $('who').replaceChildren(L('当前工作人员：', 'Signed in: '), raw(`${account.display_name} (${account.login})`), ' · ',
      myDept ? named(myDept) : raw(account.department));
    await loadAgreements();
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) showError($('error'), e);
    return;
  }
  document.body.dataset.signedIn = 'true';
}

function signedOut() {
  subject = '';
  $('work').hidden = true;
  $('login-section').hidden = false;
  $('result').replaceChildren();
  delete document.body.dataset.signedIn;
}
bindSignIn(session, signedIn, signedOut);
document.body.dataset.ready = 'true';
