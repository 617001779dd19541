// "账户与安全 / Account and security" (/portal/account): log in with a one-time code
// (POST /api/v1/auth/otp/request, /otp/login) or a password, reset a forgotten password with a
// code (POST /api/v1/auth/password/reset); once in, my sessions and devices (GET
// /api/v1/me/sessions, end one or all others) and "download my data" (POST
// /api/v1/me/data-export, its progress polled, the JSON copy downloaded once and shown here as
// a readable page). Shares the portal's session (the same tab stays logged in).

import { api, bindSignIn, clearError, formatTime, h, initShell, L, Session, showError, T } from './shell.js';

initShell();
const $ = (id) => document.getElementById(id);
const session = new Session('portal');

// --- Signed out: codes and password reset ------------------------------------------------------

async function sendCode(loginInput, purpose, sentNote, button) {
  clearError($('error'));
  const login = loginInput.value.trim();
  if (!login) { loginInput.reportValidity(); return; }
  button.disabled = true;
  try {
    await api('/api/v1/auth/otp/request', { method: 'POST', body: { login, purpose } });
    sentNote.hidden = false;
  } catch (e) {
    showError($('error'), e);
  } finally {
    button.disabled = false;
  }
}

$('otp-send').addEventListener('click', () => sendCode($('otp-login'), 'login', $('otp-sent'), $('otp-send')));
$('reset-send').addEventListener('click', () => sendCode($('reset-login'), 'password_reset', $('reset-sent'), $('reset-send')));

$('otp-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearError($('error'));
  const btn = $('otp-form').querySelector('button[type=submit]');
  btn.disabled = true;
  try {
    const r = await api('/api/v1/auth/otp/login', { method: 'POST', body: { login: $('otp-login').value.trim(), code: $('otp-code').value.trim() } });
    sessionStorage.setItem(session.key, r.access_token);
    $('otp-code').value = '';
    signedIn(await session.me());
  } catch (e) {
    showError($('error'), e);
  } finally {
    btn.disabled = false;
  }
});

$('reset-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearError($('error'));
  const btn = $('reset-form').querySelector('button[type=submit]');
  btn.disabled = true;
  try {
    await api('/api/v1/auth/password/reset', { method: 'POST', body: {
      login: $('reset-login').value.trim(), code: $('reset-code').value.trim(), new_password: $('reset-password').value } });
    $('reset-password').value = '';
    $('reset-code').value = '';
    $('reset-done').hidden = false;
  } catch (e) {
    showError($('error'), e);
  } finally {
    btn.disabled = false;
  }
});

// --- Signed in: my sessions ---------------------------------------------------------------------

async function loadSessions() {
  clearError($('sessions-error'));
  try {
    const r = await session.call('/api/v1/me/sessions');
    $('sessions').replaceChildren(...r.sessions.map((s) => h('li', { className: 'card', 'data-session': String(s.id), 'data-current': s.current ? '1' : '0' },
      h('strong', { 'data-raw': '' }, s.device), ' ', s.current ? h('span', { className: 'badge ok' }, L('本设备', 'This device')) : '',
      s.stepped_up ? h('span', { className: 'badge' }, L('已验证码确认', 'Confirmed by code')) : '',
      h('p', {}, L('地点：', 'Place: '), h('span', { 'data-raw': '' }, s.region)),
      h('p', { className: 'muted' }, L('登录于 ', 'Logged in '), formatTime(s.created_at), h('br'), L('最近使用 ', 'Last used '), formatTime(s.last_used_at)),
      s.current ? '' : h('button', { type: 'button', className: 'end-session', onclick: () => endSession(s.id) }, L('结束此登录', 'Log this device out')))));
    $('end-others').hidden = r.sessions.length < 2;
  } catch (e) {
    showError($('sessions-error'), e);
  }
}

async function endSession(id) {
  clearError($('sessions-error'));
  try {
    await session.call(`/api/v1/me/sessions/${encodeURIComponent(id)}/end`, { method: 'POST', body: {} });
  } catch (e) {
    showError($('sessions-error'), e);
  }
  await loadSessions();
}

$('end-others').addEventListener('click', async () => {
  clearError($('sessions-error'));
  try {
    const r = await session.call('/api/v1/me/sessions/end-others', { method: 'POST', body: {} });
    $('end-others-done').hidden = false;
    $('end-others-done').replaceChildren(L(`已结束 ${r.ended} 个其他登录。`, `${r.ended} other login(s) ended.`));
  } catch (e) {
    showError($('sessions-error'), e);
  }
  await loadSessions();
});

// --- Signed in: download my data -----------------------------------------------------------------

let polling = null;

function showProgress(job) {
  $('export-status').hidden = false;
  $('export-progress').value = job.progress;
  $('export-percent').textContent = `${job.progress}%`;
  $('export-download').hidden = job.status !== 'ready';
  $('export-download').dataset.id = String(job.id);
  $('export-section').dataset.status = job.status;
}

async function poll(id) {
  try {
    const job = await session.call(`/api/v1/me/data-export/${encodeURIComponent(id)}`);
    showProgress(job);
    if (job.status === 'queued' || job.status === 'running') polling = setTimeout(() => poll(id), 700);
    else if (job.status === 'failed' || job.status === 'expired') showError($('export-error'), new Error(T('生成失败或已过期，请重新申请。', 'The copy failed or expired; ask again.')));
  } catch (e) {
    showError($('export-error'), e);
  }
}

$('export-start').addEventListener('click', async () => {
  clearError($('export-error'));
  clearTimeout(polling);
  $('export-view').replaceChildren();
  $('export-file').hidden = true;
  try {
    const job = await session.call('/api/v1/me/data-export', { method: 'POST', body: {} });
    showProgress(job);
    poll(job.id);
  } catch (e) {
    showError($('export-error'), e);
  }
});

// A readable rendering of the JSON copy: one section per part, each route's items as cards of
// field: value lines (nested values as JSON text).
function value(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object') return h('code', {}, JSON.stringify(v));
  return String(v);
}
function fields(obj) {
  return h('dl', {}, ...Object.entries(obj).flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, value(v))]));
}
function renderCopy(doc) {
  const out = [h('p', {}, L('生成于 ', 'Generated '), formatTime(doc.generated_at), ' · ', h('span', { 'data-raw': '' }, doc.account.display_name))];
  for (const section of doc.sections) {
    const parts = section.parts.map((p) => {
      const items = Array.isArray(p.items) ? p.items : [p.answer];
      return h('div', { className: 'export-part', 'data-raw': '' }, h('h4', {}, h('code', {}, p.route), ` (${items.length})`),
        items.length ? h('ul', { className: 'cards' }, ...items.map((it) => h('li', { className: 'card' }, it && typeof it === 'object' ? fields(it) : value(it))))
          : h('p', { className: 'muted' }, '—'));
    });
    out.push(h('section', { className: 'export-section', 'data-section': section.name }, h('h3', {}, L(section.title_zh, section.title_en)), ...parts));
  }
  return out;
}

$('export-download').addEventListener('click', async () => {
  clearError($('export-error'));
  const id = $('export-download').dataset.id;
  try {
    const doc = await session.call(`/api/v1/me/data-export/${encodeURIComponent(id)}/download`);
    const blob = new Blob([JSON.stringify(doc, null, 2)], { type: 'application/json' });
    const a = h('a', { href: URL.createObjectURL(blob), download: `tongban-my-data-${id}.json` }, L('保存副本文件', 'Save the file'));
    $('export-file').hidden = false;
    $('export-file').replaceChildren(L('副本已从服务器删除；请保存：', 'The copy is erased from the server; keep it: '), a);
    $('export-view').replaceChildren(...renderCopy(doc));
    $('export-download').hidden = true;
  } catch (e) {
    showError($('export-error'), e);
  }
});

// --- Sign-in state ------------------------------------------------------------------------------

function signedIn(me) {
  $('signed-out').hidden = true;
  $('mine').hidden = false;
  $('who').replaceChildren(L('已登录：', 'Logged in: '), h('span', { 'data-raw': '' }, me.display_name));
  loadSessions();
}
function signedOut() {
  clearTimeout(polling);
  $('signed-out').hidden = false;
  $('mine').hidden = true;
  $('export-view').replaceChildren();
}

bindSignIn(session, signedIn, signedOut);
