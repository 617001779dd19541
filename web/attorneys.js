// "我的授权 / My authorisations" (/portal/attorneys) and the window's and enterprises' page
// (/console/attorneys), one script by role (docs/auth.md "Acting for others"):
//   citizen     give a power of attorney (POST /api/v1/me/attorneys), see and withdraw those given,
//               see whom I may act for and switch to acting for them (the shell's banner and
//               X-Act-For), see what was done for me (GET /api/v1/me/attorneys/uses);
//   enterprise  its agents (经办人): authorise, list, withdraw (/api/v1/me/enterprise/agents);
//   staff       an assisted authorisation: send the citizen a code, then create it with the code
//               (POST /api/v1/staff/attorneys/codes, /api/v1/staff/attorneys).
// Field-level problems are shown beside their fields.

import { api, bindSignIn, clearError, formatTime, h, initShell, L, Session, showError, startActing, T } from './shell.js';

initShell();
const $ = (id) => document.getElementById(id);
const console_ = location.pathname.startsWith('/console');
const session = new Session(console_ ? 'console' : 'portal');
let role = '';

const SCOPES = [
  ['receipts.view', '查看我的电子票据', 'See my receipts'],
  ['licenses.view', '查看我的电子证照', 'See my licences'],
  ['licenses.present', '出示我的电子证照', 'Present my licences'],
  ['services.view', '查看我的办件', 'See my applications'],
  ['data.view', '查看我的数据', 'See my data'],
];
const STATES = {
  in_force: ['有效', 'In force', 'state-good'],
  not_yet: ['未生效', 'Not yet in force', 'state-warn'],
  expired: ['已过期', 'Expired', 'state-muted'],
  revoked: ['已撤销', 'Withdrawn', 'state-bad'],
};
const KINDS = { attorney: ['授权委托', 'Power of attorney'], guardian: ['监护', 'Guardian'], enterprise_agent: ['企业经办人', 'Enterprise agent'] };

for (const [name, zh, en] of SCOPES) {
  const id = `scope-${name.replace('.', '-')}`;
  $('scopes').append(h('div', { className: 'check' },
    h('input', { type: 'checkbox', id, name: 'scope', value: name }), ' ', h('label', { for: id }, L(zh, en))));
}
// The services one may be authorised to apply for, by code, with their names (public catalogue).
const services = new Map();
const servicesLoaded = api('/api/v1/services').then((r) => {
  for (const b of r.bundles) {
    services.set(b.code, b);
    $('apply-item').append(h('option', { value: b.code, 'data-zh': b.name_zh, 'data-en': b.name_en }, T(b.name_zh, b.name_en)));
  }
}, () => {});
function scopeText(s) {
  if (!s.name.startsWith('services.apply:')) return L(s.zh, s.en);
  const code = s.name.slice('services.apply:'.length);
  const b = services.get(code);
  return h('span', {}, L('代为申请：', 'Apply for: '), b ? L(b.name_zh, b.name_en) : h('code', {}, code));
}
const inDays = (n) => new Date(Date.now() + n * 86400000 + 8 * 3600000).toISOString().slice(0, 10);
$('valid-until').value = inDays(90);

function fieldErrors(e) {
  for (const el of document.querySelectorAll('.field-error')) { el.hidden = true; el.replaceChildren(); }
  const rest = [];
  for (const f of (e && e.problem && e.problem.errors) || []) {
    const key = f.field.replace(/^\//, '').split('/')[0];
    const box = $(`err-${key}`);
    if (box) { box.hidden = false; box.append(h('p', {}, f.reason)); } else rest.push(f);
  }
  return rest;
}

function card(a) {
  const [szh, sen, cls] = STATES[a.state] || [a.state, a.state, ''];
  const [kzh, ken] = KINDS[a.kind] || [a.kind, a.kind];
  const who = a.as === 'agent' ? a.principal_name : `${a.agent_name}（${a.agent_login_masked}）`;
  const li = h('li', { className: 'card attorney', 'data-id': String(a.id), 'data-state': a.state },
    h('h3', {}, h('span', { 'data-raw': '' }, who), ' ', h('span', { className: `state ${cls}` }, L(szh, sen))),
    h('p', { className: 'muted' }, L(kzh, ken), ' · #', String(a.id)),
    h('p', {}, L('事项：', 'For: '), ...a.scopes.flatMap((s, i) => [i ? ' · ' : '', scopeText(s)])),
    h('p', { className: 'muted' }, L('有效期 ', 'Valid '), formatTime(a.valid_from), ' — ', formatTime(a.valid_until)));
  if (a.as === 'principal' && a.state !== 'revoked' && a.state !== 'expired' && a.kind !== 'guardian') {
    li.append(h('button', { type: 'button', className: 'withdraw', onclick: () => withdraw(a) }, L('撤销授权', 'Withdraw')));
  }
  if (a.as === 'agent' && a.state === 'in_force') {
    li.append(h('button', { type: 'button', className: 'act-for primary', onclick: () => actFor(a) },
      L('代其办理', 'Act for them')));
  }
  return li;
}

function actFor(a) {
  startActing(a.id, a.principal_name);
  location.href = '/portal';
}

async function withdraw(a) {
  clearError($('error'));
  if (!confirm(T(`撤销对 ${a.agent_name} 的授权？`, `Withdraw ${a.agent_name}'s authorisation?`))) return;
  try {
    const path = role === 'enterprise' ? `/api/v1/me/enterprise/agents/${a.id}/revoke` : `/api/v1/me/attorneys/${a.id}/revoke`;
    await session.call(path, { method: 'POST', body: {} });
  } catch (e) {
    showError($('error'), e);
  }
  await load();
}

async function load() {
  clearError($('error'));
  await servicesLoaded;
  try {
    if (role === 'citizen') {
      const [mine, uses] = await Promise.all([session.call('/api/v1/me/attorneys'), session.call('/api/v1/me/attorneys/uses')]);
      $('given').replaceChildren(...(mine.given.length ? mine.given.map(card) : [h('li', { className: 'muted' }, L('还没有授权他人。', 'You have not authorised anyone.'))]));
      $('received').replaceChildren(...(mine.received.length ? mine.received.map(card) : [h('li', { className: 'muted' }, L('没有人授权您代办。', 'No one has authorised you.'))]));
      $('uses').replaceChildren(...(uses.items.length ? uses.items.map((u) => h('li', { className: 'card use' },
        h('strong', { 'data-raw': '' }, u.agent_name), ' ', L(`代您${u.zh}`, `${u.en} for you`), h('p', { className: 'muted' }, formatTime(u.at))))
        : [h('li', { className: 'muted' }, L('还没有人代您办理过。', 'No one has acted for you yet.'))]));
    } else if (role === 'enterprise') {
      const list = await session.call('/api/v1/me/enterprise/agents');
      $('given').replaceChildren(...(list.items.length ? list.items.map(card) : [h('li', { className: 'muted' }, L('还没有经办人。', 'No agents yet.'))]));
    }
  } catch (e) {
    showError($('error'), e);
  }
  document.body.dataset.loaded = '1';
}

$('send-code').addEventListener('click', async () => {
  clearError($('error'));
  try {
    await session.call('/api/v1/staff/attorneys/codes', { method: 'POST', body: { principal_login: $('principal-login').value.trim() } });
    $('code-sent').hidden = false;
  } catch (e) {
    showError($('error'), e);
  }
});

$('give-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearError($('error'));
  $('given-ok').hidden = true;
  const scopes = [...document.querySelectorAll('input[name=scope]:checked')].map((c) => c.value);
  const item = $('apply-item').value.trim();
  if (item) scopes.push(`services.apply:${item}`);
  const body = { agent_login: $('agent-login').value.trim(), scopes, valid_until: $('valid-until').value };
  let path = '/api/v1/me/attorneys';
  if (role === 'enterprise') path = '/api/v1/me/enterprise/agents';
  if (role === 'staff') {
    path = '/api/v1/staff/attorneys';
    body.principal_login = $('principal-login').value.trim();
    body.code = $('code').value.trim();
  }
  $('give').disabled = true;
  try {
    const a = await session.call(path, { method: 'POST', body });
    fieldErrors(null);
    $('given-ok').hidden = false;
    $('given-ok').replaceChildren(L('已授权 ', 'Authorised: '), h('span', { 'data-raw': '' }, a.agent_name), ` (#${a.id})`);
    $('given-ok').dataset.id = String(a.id);
    $('give-form').reset();
    $('valid-until').value = inDays(90);
    await load();
  } catch (e) {
    const rest = fieldErrors(e);
    if (!(e.problem && e.problem.errors && rest.length === 0)) showError($('error'), e);
  } finally {
    $('give').disabled = false;
  }
});

bindSignIn(session, (me) => {
  role = me.role;
  $('signed-out').hidden = true;
  $('signed-in').hidden = false;
  $('who').replaceChildren(h('strong', { 'data-raw': '' }, me.display_name), ' ');
  const citizen = role === 'citizen';
  $('give-section').hidden = !(citizen || role === 'enterprise' || role === 'staff');
  $('principal-box').hidden = role !== 'staff';
  $('given-section').hidden = !(citizen || role === 'enterprise');
  $('received-section').hidden = !citizen;
  $('uses-section').hidden = !citizen;
  if (role === 'enterprise') {
    $('page-title').replaceChildren(L('企业经办人', 'Enterprise agents'));
    $('give-h').replaceChildren(L('授权经办人', 'Authorise an agent'));
    $('given-h').replaceChildren(L('本企业的经办人', "This enterprise's agents"));
  } else if (role === 'staff') {
    $('page-title').replaceChildren(L('窗口协助授权', 'Assisted authorisation at the window'));
    $('give-h').replaceChildren(L('为在场群众办理授权', 'Authorise for a citizen who is present'));
  }
  load();
}, () => {
  $('signed-out').hidden = false;
  $('signed-in').hidden = true;
});
