// "我的消息 / My messages" (/portal/inbox), for a citizen or an enterprise logged in (the portal's
// session): the inbox, newest first, with the unread count (GET /api/v1/me/inbox in the page's
// language; an item is marked read when opened: POST /api/v1/me/inbox/{id}/read), and the
// notification settings — language, phone, e-mail and the channels of each kind of notice (GET/PUT
// /api/v1/me/notification-preferences). One-time codes never appear (docs/notifications.md).

import { bindSignIn, clearError, formatTime, h, initShell, L, lang, onLanguageChange, Session, showError } from './shell.js';

initShell();
const $ = (id) => document.getElementById(id);
const session = new Session('portal');
let before = null;
let kinds = [];

function setUnread(n) {
  $('unread').textContent = n > 0 ? (lang === 'zh' ? `${n} 条未读` : `${n} unread`) : '';
  $('unread').dataset.count = String(n);
}

function itemCard(i) {
  const li = h('li', { className: 'card inbox-item' + (i.read_at ? '' : ' unread'), 'data-id': String(i.id), 'data-template': i.template });
  const body = h('p', { className: 'inbox-body', hidden: true, 'data-raw': true }, i.body);  // names and codes as issued
  const open = h('button', { type: 'button', className: 'inbox-title', 'aria-expanded': 'false' },
    i.read_at ? '' : h('span', { className: 'dot', 'aria-hidden': 'true' }, '● '), i.title);
  open.addEventListener('click', async () => {
    const shown = body.hidden;
    body.hidden = !shown;
    open.setAttribute('aria-expanded', shown ? 'true' : 'false');
    if (shown && !i.read_at) {
      try {
        const r = await session.call(`/api/v1/me/inbox/${i.id}/read`, { method: 'POST', body: {} });
        i.read_at = new Date().toISOString();
        li.classList.remove('unread');
        open.querySelector('.dot')?.remove();
        setUnread(r.unread);
      } catch (e) { showError($('inbox-error'), e); }
    }
  });
  li.append(h('h3', {}, open), h('p', { className: 'muted' }, formatTime(i.created_at)), body);
  return li;
}

async function loadInbox(more = false) {
  clearError($('inbox-error'));
  // The list is fetched in the page's language: busy until the answer replaced it (screen
  // readers wait, and so do the page tests after a language switch).
  $('inbox').setAttribute('aria-busy', 'true');
  try {
    const q = `?limit=20&lang=${lang}` + (more && before ? `&before=${before}` : '');
    const r = await session.call('/api/v1/me/inbox' + q);
    if (!more) $('inbox').replaceChildren();
    $('inbox').append(...r.items.map(itemCard));
    before = r.next_before;
    $('inbox-more').hidden = !before;
    $('inbox-empty').hidden = r.total !== 0;
    setUnread(r.unread);
  } catch (e) { showError($('inbox-error'), e); } finally { $('inbox').setAttribute('aria-busy', 'false'); }
}
$('inbox-more').addEventListener('click', () => loadInbox(true));

function channelBox(kind, channel, chosen) {
  const box = h('input', { type: 'checkbox', name: `${kind.id}:${channel}`, 'data-kind': kind.id, 'data-channel': channel });
  box.checked = chosen.includes(channel);
  box.setAttribute('aria-label', `${lang === 'zh' ? kind.title_zh : kind.title_en} · ${channel}`);
  if (channel === 'inbox' && kind.sensitive) { box.checked = false; box.disabled = true; }
  return h('td', {}, box);
}

async function loadPrefs() {
  clearError($('prefs-error'));
  try {
    const p = await session.call('/api/v1/me/notification-preferences');
    kinds = p.kinds;
    $('pref-language').value = p.language;
    $('pref-phone').value = p.phone;
    $('pref-email').value = p.email;
    $('pref-channels').querySelector('tbody').replaceChildren(...kinds.map((k) =>
      h('tr', { 'data-kind': k.id }, h('th', { scope: 'row' }, L(k.title_zh, k.title_en)),
        ...['inbox', 'sms', 'email'].map((c) => channelBox(k, c, p.channels[k.id] || k.default_channels)))));
  } catch (e) { showError($('prefs-error'), e); }
}

$('prefs-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearError($('prefs-error'));
  $('prefs-saved').hidden = true;
  const channels = {};
  for (const k of kinds) {
    channels[k.id] = [...document.querySelectorAll(`input[data-kind="${k.id}"]:checked`)].map((b) => b.dataset.channel);
  }
  const btn = $('prefs-form').querySelector('button[type=submit]');
  btn.disabled = true;
  try {
    await session.call('/api/v1/me/notification-preferences', { method: 'PUT', body: {
      language: $('pref-language').value, phone: $('pref-phone').value.trim(), email: $('pref-email').value.trim(), channels } });
    $('prefs-saved').hidden = false;
    await loadPrefs();
  } catch (e) { showError($('prefs-error'), e); } finally { btn.disabled = false; }
});

onLanguageChange(() => { if (!$('mine').hidden) { before = null; loadInbox(); } });

function signedIn(me) {
  $('login-section').hidden = true;
  $('mine').hidden = false;
  $('who').replaceChildren(L('当前登录：', 'Logged in as: '), h('strong', { 'data-raw': true }, me.display_name || me.login || ''));
  before = null;
  loadInbox();
  loadPrefs();
}
function signedOut() {
  $('mine').hidden = true;
  $('login-section').hidden = false;
}
bindSignIn(session, signedIn, signedOut);
