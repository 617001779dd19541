// The shared page shell of every Tongban page: the header (site name, navigation, language and
// large-text switches), zh/en text (Chinese by default, the choice persisted in localStorage),
// the login helper (a bearer token per page kept in sessionStorage), a fetch wrapper that turns
// RFC 9457 problem+json into readable errors, and formatters (times in Asia/Shanghai, money as ¥
// from integer fen). Pages import what they need; module state is per page load.

const LANG_KEY = 'tongban.lang';
const LARGE_KEY = 'tongban.large';

export let lang = localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh';
const listeners = [];

// Text in both languages: an element whose text follows the language switch.
export function L(zh, en, tag = 'span') {
  const el = document.createElement(tag);
  el.dataset.zh = zh;
  el.dataset.en = en;
  el.textContent = lang === 'zh' ? zh : en;
  return el;
}

// The current language's string (for attributes and messages built once).
export const T = (zh, en) => (lang === 'zh' ? zh : en);

// Re-render hooks for content that is not plain data-zh/data-en text.
export const onLanguageChange = (fn) => listeners.push(fn);

export function applyLanguage() {
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  for (const el of document.querySelectorAll('[data-zh]')) el.textContent = el.dataset[lang];
  for (const el of document.querySelectorAll('[data-ph-zh]')) el.placeholder = el.dataset[lang === 'zh' ? 'phZh' : 'phEn'];
  for (const el of document.querySelectorAll('[data-label-zh]')) el.setAttribute('aria-label', el.dataset[lang === 'zh' ? 'labelZh' : 'labelEn']);
  const t = document.querySelector('title');
  if (t && t.dataset.zh) document.title = t.dataset[lang];
  const b = document.getElementById('lang');
  if (b) {
    b.textContent = lang === 'zh' ? 'English' : '中文';
    b.lang = lang === 'zh' ? 'en' : 'zh-CN';  // the button names the other language, in it
  }
  for (const fn of listeners) fn(lang);
}

function setLarge(on) {
  document.documentElement.classList.toggle('large', on);
  localStorage.setItem(LARGE_KEY, on ? '1' : '0');
  const b = document.getElementById('large');
  if (b) b.setAttribute('aria-pressed', on ? 'true' : 'false');
}

const PAGES = [
  ['/', '首页', 'Home'],
  ['/portal', '我的', 'My wallet'],
  ['/portal/account', '账户与安全', 'Account and security'],
  ['/portal/inbox', '消息', 'Messages'],
  ['/portal/attorneys', '我的授权', 'My authorisations'],
  ['/console', '窗口核验', 'Staff console'],
  ['/verify', '公众验证', 'Verify'],
  ['/explorer', '账本浏览', 'Ledger explorer'],
];

// Builds the header into <header id="site-header"> and applies the saved preferences.
export function initShell() {
  const header = document.getElementById('site-header');
  if (header) {
    header.replaceChildren();
    const top = document.createElement('div');
    top.className = 'bar';
    const h = document.createElement('a');
    h.href = '/';
    h.className = 'brand';
    const zh = document.createElement('span');
    zh.lang = 'zh-CN';
    zh.textContent = '通办';
    h.append(zh, ' Tongban');
    const tools = document.createElement('div');
    tools.className = 'tools';
    const large = document.createElement('button');
    large.type = 'button';
    large.id = 'large';
    large.append(L('大字', 'Large text'));
    large.addEventListener('click', () => setLarge(!document.documentElement.classList.contains('large')));
    const lb = document.createElement('button');
    lb.type = 'button';
    lb.id = 'lang';
    lb.setAttribute('aria-label', 'Switch language / 切换语言');
    lb.addEventListener('click', () => {
      lang = lang === 'zh' ? 'en' : 'zh';
      localStorage.setItem(LANG_KEY, lang);
      applyLanguage();
    });
    tools.append(large, lb);
    top.append(h, tools);
    const nav = document.createElement('nav');
    nav.setAttribute('aria-label', 'Tongban');
    const ul = document.createElement('ul');
    for (const [href, zh, en] of PAGES) {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = href;
      a.append(L(zh, en));
      if (location.pathname === href) a.setAttribute('aria-current', 'page');
      li.append(a);
      ul.append(li);
    }
    nav.append(ul);
    header.append(top, nav);
  }
  const main = document.querySelector('main');
  if (main) {
    main.id ||= 'main';
    const skip = L('跳到正文', 'Skip to content', 'a');
    skip.href = `#${main.id}`;
    skip.className = 'skip';
    document.body.prepend(skip);
  }
  showActingBanner();
  setLarge(localStorage.getItem(LARGE_KEY) === '1');
  applyLanguage();
}

// --- Acting for someone (docs/auth.md "Acting for others") ---------------------------------------
// While a person acts for another under a power of attorney, every API call the attorney can cover
// carries `X-Act-For: <id>`, and every page shows a banner saying for whom, with a way to stop.
const ACT_KEY = 'tongban.actfor';
const ACT_PATHS = [
  /^\/api\/v1\/me\/(receipts|licenses|verifications|cases|notices|data|data-access)(\?|$)/,
  /^\/api\/v1\/receipts\/[^/]+\/[^/?]+(\?|$)/,
  /^\/api\/v1\/me\/licenses\/[^/]+\/presentations$/,
  /^\/api\/v1\/me\/cases\/\d+(\/(submit|supplement|materials\/[^/]+))?(\?|$)/,
];
export function actingFor() {
  try { return JSON.parse(sessionStorage.getItem(ACT_KEY)); } catch { return null; }
}
export function startActing(id, name) { sessionStorage.setItem(ACT_KEY, JSON.stringify({ id, name })); }
export function stopActing() { sessionStorage.removeItem(ACT_KEY); }
function showActingBanner() {
  const act = actingFor();
  document.getElementById('acting-banner')?.remove();
  if (!act) return;
  const stop = h('button', { type: 'button', id: 'stop-acting' }, L('结束代办', 'Stop acting for them'));
  stop.addEventListener('click', () => { stopActing(); location.reload(); });
  const banner = h('div', { id: 'acting-banner', className: 'acting-banner', role: 'status' },
    L('您正在代 ', 'You are acting for '), h('strong', {}, act.name),
    L(' 办理（授权 #' + act.id + '）', ` (authorisation #${act.id})`), ' ', stop);
  const header = document.getElementById('site-header');
  if (header) header.after(banner); else document.body.prepend(banner);
}

// --- HTTP -----------------------------------------------------------------------------------

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

// fetch() a JSON API; throws ApiError with the problem document for any non-2xx answer.
export async function api(path, { method = 'GET', body, token, headers = {} } = {}) {
  const h = { Accept: 'application/json', ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (token) h.Authorization = `Bearer ${token}`;
  const act = actingFor();
  if (act && token && !('X-Act-For' in h) && ACT_PATHS.some((re) => re.test(path))) h['X-Act-For'] = String(act.id);
  let res;
  try {
    res = await fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, { title: T('网络错误', 'Network error'), detail: String(e) });
  }
  const type = res.headers.get('Content-Type') || '';
  let data = null;
  if (type.includes('json')) data = await res.json().catch(() => null);
  else data = await res.text();
  if (!res.ok) {
    const problem = data && typeof data === 'object' ? data : { title: `HTTP ${res.status}`, detail: String(data || '') };
    throw new ApiError(res.status, problem);
  }
  return data;
}

// Shows an error (an ApiError's problem: title, detail and field-level reasons) in `box`.
export function showError(box, err) {
  box.replaceChildren();
  box.hidden = false;
  box.setAttribute('role', 'alert');
  box.className = 'problem';
  const p = err instanceof ApiError ? err.problem : { title: T('出错了', 'Something went wrong'), detail: String(err && err.message || err) };
  const title = document.createElement('strong');
  title.textContent = (err instanceof ApiError && err.status ? `${err.status} ` : '') + (p.title || '');
  box.append(title);
  if (p.detail) {
    const d = document.createElement('p');
    d.textContent = p.detail;
    box.append(d);
  }
  if (Array.isArray(p.errors) && p.errors.length) {
    const ul = document.createElement('ul');
    for (const f of p.errors) {
      const li = document.createElement('li');
      const c = document.createElement('code');
      c.textContent = f.field;
      li.append(c, `: ${f.reason}`);
      ul.append(li);
    }
    box.append(ul);
  }
}

export function clearError(box) {
  box.replaceChildren();
  box.hidden = true;
}

// --- Login ----------------------------------------------------------------------------------

// A login session for one page (the portal and the console keep separate tokens).
export class Session {
  constructor(name) { this.key = `tongban.token.${name}`; }
  get token() { return sessionStorage.getItem(this.key); }
  async login(login, password) {
    const r = await api('/api/v1/auth/login', { method: 'POST', body: { login, password } });
    sessionStorage.setItem(this.key, r.access_token);
    return this.me();
  }
  me() { return api('/api/v1/me', { token: this.token }); }
  async logout() {
    const t = this.token;
    sessionStorage.removeItem(this.key);
    stopActing();
    if (t) await api('/api/v1/auth/logout', { method: 'POST', token: t, body: {} }).catch(() => {});
  }
  // An API call with this session's token. A 401 means the token expired or was revoked: the
  // token is dropped and onExpired() (set by the page: back to the login form) runs.
  async call(path, opts = {}) {
    try {
      return await api(path, { ...opts, token: this.token });
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) this.expired();
      throw e;
    }
  }
  expired() {
    sessionStorage.removeItem(this.key);
    if (this.onExpired) this.onExpired();
  }
}

// The message a page shows when its session has expired.
export const expiredError = () => new ApiError(401, {
  title: T('登录已失效', 'Signed out'),
  detail: T('登录已过期或已在别处退出，请重新登录。', 'Your login expired or was ended elsewhere; please log in again.'),
});

// Wires a <form> with #login and #password inputs to a Session; onIn(me) runs after a login (or
// at load when a stored token still works), onOut() after logout or an expired token.
export function bindLogin(session, form, errorBox, onIn) {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearError(errorBox);
    const btn = form.querySelector('button[type=submit]');
    btn.disabled = true;
    try {
      const me = await session.login(form.elements.login.value.trim(), form.elements.password.value);
      form.elements.password.value = '';
      onIn(me);
    } catch (e) {
      showError(errorBox, e);
    } finally {
      btn.disabled = false;
    }
  });
  if (session.token) session.me().then(onIn, () => session.logout());
}

// The sign-in of a page with the usual elements (#login-form, #error, #logout): log in (or resume
// the stored session) then `onIn(me)`; log out, or a session that expires, then `onOut()` (an
// expiry also says why in #error).
export function bindSignIn(session, onIn, onOut) {
  const byId = (id) => document.getElementById(id);
  session.onExpired = () => { onOut(); showError(byId('error'), expiredError()); };
  bindLogin(session, byId('login-form'), byId('error'), onIn);
  byId('logout').addEventListener('click', async () => {
    await session.logout();
    onOut();
  });
}

// --- Formatting -------------------------------------------------------------------------------

// A UTC time (Date, ISO string, or unix microseconds/milliseconds/seconds number) shown in
// Asia/Shanghai as "2026-12-02 23:54:09 (UTC+8)": one unambiguous form in both languages, so a
// language switch need not re-render times.
const shanghai = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit',
  hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
});
export function formatTime(t) {
  if (t === null || t === undefined || t === '') return '—';
  let d;
  if (t instanceof Date) d = t;
  else if (typeof t === 'number' || typeof t === 'bigint') {
    const n = Number(t);
    d = new Date(n > 1e14 ? n / 1000 : n > 1e11 ? n : n * 1000);  // micros, millis or seconds
  } else d = new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  const p = Object.fromEntries(shanghai.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} (UTC+8)`;
}

// Integer fen → "¥1,234.50"; never goes through floating point.
export function formatFen(fen) {
  if (fen === null || fen === undefined) return '—';
  let v = BigInt(fen);
  const neg = v < 0n;
  if (neg) v = -v;
  const yuan = (v / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const cents = (v % 100n).toString().padStart(2, '0');
  return `${neg ? '-' : ''}¥${yuan}.${cents}`;
}

// Small DOM builder: h('p', {className:'x'}, 'text', child…).
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'className') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}
