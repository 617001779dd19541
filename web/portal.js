// The citizen portal (/portal): log in; the wallet of e-licences (each opening to a presentation
// QR with the holder's choice of fields) and e-receipts (detail with items, its verification
// status and ledger proof checked in this browser, the receipt QR, a printable view); and who
// verified my licences. Endpoints: /api/v1/me/licenses, /api/v1/me/licenses/{id}/presentations,
// /api/v1/me/verifications, /api/v1/me/receipts, /api/v1/receipts/{code}/{number}[/qr.svg],
// /api/v1/receipts/verify.

import { api, ApiError, bindSignIn, clearError, formatFen, formatTime, h, initShell, L, lang, onLanguageChange, Session, showError, T } from './shell.js';
import { toBase64, utf8 } from './encoding.js';
import { renderReceipt, statusText, verifyReceiptQr } from './verifier.js';

initShell();
const $ = (id) => document.getElementById(id);
const session = new Session('portal');
let licenses = [];
let verifications = [];
let current = null;  // the licence being presented

const enc = encodeURIComponent;
const svgDataUrl = (svg) => `data:image/svg+xml;base64,${toBase64(utf8(svg))}`;
const label = (lic, field) => {
  const l = lic.field_labels && lic.field_labels[field];
  return l ? (lang === 'zh' ? l.zh : l.en) || field : field;
};
const typeName = (x) => (lang === 'zh' ? x.type_name_zh : x.type_name_en || x.type_name_zh) || x.type_code;

// A list endpoint answers 404 only when the part is not deployed on this server: that shows as
// "not available", not as an error.
function showSectionError(box, e) {
  if (e instanceof ApiError && e.status === 404) {
    box.hidden = false;
    box.className = 'muted';
    box.replaceChildren(L('本服务器尚未提供此功能。', 'This server does not offer this yet.'));
  } else showError(box, e);
}

// --- Licences -------------------------------------------------------------------------------

function renderLicenses() {
  const STATUS = { valid: ['有效', 'valid'], revoked: ['已撤销', 'revoked'], suspended: ['已暂停', 'suspended'], expired: ['已过期', 'expired'] };
  $('licenses').replaceChildren(...(licenses.length ? licenses.map((x) => h('li', { className: 'card', 'data-license-id': x.id },
    h('h3', {}, typeName(x)),
    x.issuer_name ? h('p', { className: 'muted' }, x.issuer_name) : '',
    h('p', {}, L(...(STATUS[x.status] || [x.status, x.status])), ' · ',
      x.expires_at ? [L('有效期至 ', 'expires '), formatTime(x.expires_at)] : L('长期有效', 'no expiry')),
    h('button', { type: 'button', className: 'primary', disabled: x.status !== 'valid', onclick: () => openPresent(x) },
      L('亮证', 'Present'))))
    : [h('li', { className: 'muted' }, L('暂无电子证照。', 'No e-licences yet.'))]));
}

// Field kinds from the public catalogue: ID numbers start unticked (disclose the least by default).
let typesPromise = null;
const licenseTypes = () => (typesPromise ||= session.call('/api/v1/licenses/types').then((r) => r.items || [], () => []));

async function openPresent(lic) {
  const type = (await licenseTypes()).find((t) => t.code === lic.type_code);
  const kindOf = (name) => ((type && type.fields || []).find((f) => f.name === name) || {}).kind;
  current = lic;
  clearError($('present-error'));
  $('presentation').replaceChildren();
  const fs = $('present-fields');
  for (const el of [...fs.querySelectorAll('label')]) el.remove();
  for (const [name, value] of Object.entries(lic.fields || {})) {
    const id = `disclose-${name}`;
    const sensitive = ['citizen_id', 'uscc'].includes(kindOf(name));
    fs.append(h('label', { for: id }, h('input', { type: 'checkbox', id, name: 'disclose', value: name, checked: !sensitive }),
      `${label(lic, name)}：${value}`));
  }
  $('present-h').replaceChildren(L(`亮证：${lic.type_name_zh}`, `Present: ${lic.type_name_en || lic.type_name_zh}`));
  $('present-section').hidden = false;
  $('present-section').scrollIntoView({ block: 'start' });
  fs.querySelector('input')?.focus();
}

$('present-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearError($('present-error'));
  const disclose = [...$('present-form').querySelectorAll('input[name=disclose]:checked')].map((i) => i.value);
  const body = { disclose };
  if ($('present-verifier').value.trim()) body.verifier = $('present-verifier').value.trim();
  if ($('present-purpose').value.trim()) body.purpose = $('present-purpose').value.trim();
  try {
    const p = await session.call(`/api/v1/me/licenses/${enc(current.id)}/presentations`, { method: 'POST', body });
    $('presentation').replaceChildren(
      h('div', { className: 'qr' }, h('img', { id: 'presentation-qr', src: svgDataUrl(p.qr_svg),
        alt: T(`${current.type_name_zh}亮证二维码`, `QR code presenting ${current.type_name_en || current.type_name_zh}`) })),
      h('p', { className: 'muted' }, L('请对方扫码核验；有效期至 ', 'Let the verifier scan it; valid until '), formatTime(p.expires_at)),
      h('details', {}, h('summary', {}, L('二维码内容（可复制给对方粘贴）', 'QR text (to copy and paste)')),
        h('textarea', { id: 'presentation-text', rows: '4', readonly: true, 'aria-label': T('二维码内容', 'QR text') }, p.qr_text)));
  } catch (e) {
    showError($('present-error'), e);
  }
});
$('present-close').addEventListener('click', () => { $('present-section').hidden = true; current = null; });

function renderVerifications() {
  $('verifications').querySelector('tbody').replaceChildren(...(verifications.length ? verifications.map((v) => h('tr', {},
    h('td', {}, formatTime(v.time || v.verified_at)),
    h('td', {}, v.verifier_name || v.verifier || '—'),
    h('td', {}, (lang === 'zh' ? v.type_name_zh : v.type_name_en) || v.license_type_name_zh || v.license_id || v.type_code || '—'),
    h('td', {}, v.purpose || '—'),
    h('td', { className: (v.result || v.status) === 'valid' ? 'pass' : 'fail' }, statusText('license', v.result || v.status || '—'),
      v.reason && (v.result || v.status) !== 'valid' ? ` (${v.reason})` : '')))
    : [h('tr', {}, h('td', { colspan: '5', className: 'muted' }, L('还没有人核验过您的证照。', 'Nobody has verified your licences yet.')))]));
}

// --- Receipts -------------------------------------------------------------------------------

let receiptCursor = null;
const RSTATUS = { authentic: ['有效', 'valid'], voided: ['已作废', 'voided'], destroyed: ['已核销', 'destroyed'],
  reimbursed: ['已报销', 'reimbursed'], partially_reimbursed: ['部分报销', 'partially reimbursed'] };

async function loadReceipts(more) {
  clearError($('receipts-error'));
  try {
    const r = await session.call(`/api/v1/me/receipts${more && receiptCursor ? `?cursor=${enc(receiptCursor)}` : ''}`);
    const items = r.items.map((x) => h('li', { className: 'card', 'data-receipt': `${x.code}/${x.number}` },
      h('h3', {}, x.issuer_name || `${x.code}/${x.number}`),
      h('p', {}, formatFen(x.total_fen), ' · ', formatTime(x.issue_time), x.status ? [' · ', L(...(RSTATUS[x.status] || [x.status, x.status]))] : ''),
      h('button', { type: 'button', onclick: () => openReceipt(x.code, x.number) }, L('查看详情', 'Details'))));
    if (!more) $('receipts').replaceChildren();
    $('receipts').append(...items);
    if (!more && !items.length) $('receipts').append(h('li', { className: 'muted' }, L('暂无电子票据。', 'No e-receipts yet.')));
    receiptCursor = r.next_cursor || null;
    $('receipts-more').hidden = !receiptCursor;
  } catch (e) {
    showSectionError($('receipts-error'), e);
  }
}

async function openReceipt(code, number) {
  clearError($('receipt-error'));
  $('receipt-section').hidden = false;
  $('receipt').replaceChildren(h('p', {}, L('正在加载…', 'Loading…')));
  $('receipt-section').scrollIntoView({ block: 'start' });
  try {
    const path = `/api/v1/receipts/${enc(code)}/${enc(number)}`;
    const r = await session.call(path);
    const parts = [];
    parts.push(h('dl', { className: 'kv' },
      h('dt', {}, L('票据代码', 'Code')), h('dd', {}, r.code),
      h('dt', {}, L('票据号码', 'Number')), h('dd', {}, r.number),
      h('dt', {}, L('开票单位', 'Issuer')), h('dd', {}, r.issuer_name || '—'),
      h('dt', {}, L('开票时间', 'Issued')), h('dd', {}, formatTime(r.issue_time)),
      h('dt', {}, L('交款人', 'Payer')), h('dd', {}, r.payer_name || '—'),
      h('dt', {}, L('金额合计', 'Total')), h('dd', { className: 'total' }, formatFen(r.total_fen)),
      h('dt', {}, L('校验码', 'Check code')), h('dd', {}, h('code', {}, r.check_code || '—'))));
    if (Array.isArray(r.items) && r.items.length) {
      parts.push(h('div', { className: 'table-wrap' }, h('table', { className: 'items' },
        h('caption', {}, L('项目明细', 'Items')),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, L('类别', 'Category')), h('th', { scope: 'col' }, L('项目', 'Item')),
          h('th', { scope: 'col' }, L('数量', 'Qty')), h('th', { scope: 'col' }, L('单价', 'Unit price')),
          h('th', { scope: 'col' }, L('金额', 'Amount')))),
        h('tbody', {}, r.items.map((it) => h('tr', {}, h('td', {}, it.category || '—'), h('td', {}, it.name || '—'),
          h('td', {}, it.quantity ?? '—'), h('td', {}, it.unit_fen === undefined ? '—' : formatFen(it.unit_fen)),
          h('td', {}, formatFen(it.amount_fen))))))));
      if (r.insurance_fen !== undefined) {
        parts.push(h('dl', { className: 'kv' },
          h('dt', {}, L('医保统筹支付', 'Paid by insurance')), h('dd', {}, formatFen(r.insurance_fen)),
          h('dt', {}, L('个人支付', 'Paid by the patient')), h('dd', {}, formatFen(r.self_fen))));
      }
    }
    try {
      const svg = await session.call(`${path}/qr.svg`, { headers: { Accept: 'image/svg+xml' } });
      parts.push(h('div', { className: 'qr' }, h('img', { id: 'receipt-qr', src: svgDataUrl(svg), alt: T('票据二维码', 'Receipt QR code') })));
    } catch { /* the QR is optional on the page */ }
    if (r.qr_text) {
      parts.push(h('h3', {}, L('验证状态', 'Verification status')));
      parts.push(await renderReceipt(await verifyReceiptQr(r.qr_text), { qr: r.qr_text }));
    }
    $('receipt').replaceChildren(...parts);
  } catch (e) {
    $('receipt').replaceChildren();
    showError($('receipt-error'), e);
  }
}
$('receipt-close').addEventListener('click', () => { $('receipt-section').hidden = true; });
$('receipt-print').addEventListener('click', () => window.print());
$('receipts-more').addEventListener('click', () => loadReceipts(true));

// --- Session --------------------------------------------------------------------------------

async function signedIn(me) {
  clearError($('error'));
  $('login-section').hidden = true;
  $('wallet').hidden = false;
  $('who').replaceChildren(L('您好，', 'Hello, '), me.display_name, me.subject_id_masked ? ` (${me.subject_id_masked})` : '');
  document.body.dataset.signedIn = 'true';
  // E-receipts are the citizen's (a payer is a person); an enterprise sees its licences only.
  const citizen = me.role === 'citizen';
  $('receipts-section').hidden = !citizen;
  const tasks = [
    session.call('/api/v1/me/licenses').then((r) => { licenses = r.items || []; renderLicenses(); },
      (e) => showSectionError($('licenses-error'), e)),
    session.call('/api/v1/me/verifications').then((r) => { verifications = r.items || []; renderVerifications(); },
      (e) => showSectionError($('verifications-error'), e)),
    citizen ? loadReceipts(false) : null,
  ];
  await Promise.all(tasks);
  document.body.dataset.loaded = 'true';
}
onLanguageChange(() => { if (!$('wallet').hidden) { renderLicenses(); renderVerifications(); } });

function signedOut() {
  $('wallet').hidden = true;
  $('present-section').hidden = true;
  $('receipt-section').hidden = true;
  $('login-section').hidden = false;
  delete document.body.dataset.signedIn;
  delete document.body.dataset.loaded;
}
// --- Province login (统一身份认证, OIDC; docs/auth.md) -------------------------------------------
// A button per configured provider (none: nothing shows). The provider sends the browser back to
// /portal.html#oidc_ticket=… (single use, 60 s), redeemed here for the session's token; or
// #oidc_error=<code>. The fragment never reaches a server; it is removed at once.
const OIDC_KEY = 'tongban.oidc.portal';
const OIDC_ERRORS = {
  bad_state: ['这次登录已失效或已使用，请重新登录。', 'This login expired or was already used; please log in again.'],
  access_denied: ['您在统一身份认证页面取消了登录。', 'You cancelled the login at the province ID page.'],
  provider_unavailable: ['统一身份认证暂时无法访问，请稍后再试或使用密码登录。', 'The province ID service cannot be reached; try again later or log in with a password.'],
  bad_subject: ['统一身份认证未提供有效的身份证号或统一社会信用代码。', 'The province ID did not provide a valid ID number or credit code.'],
};
const oidcError = (code) => {
  const [zh, en] = OIDC_ERRORS[code] || ['统一身份认证登录未能完成（身份凭证校验未通过），请重新登录。', 'The province login could not be completed (its identity token failed our checks); please log in again.'];
  const e = new ApiError(401, { title: T('统一身份认证登录失败', 'Province login failed'), detail: T(zh, en) });
  e.code = code;
  return e;
};
async function provinceLogin() {
  const frag = new URLSearchParams(location.hash.slice(1));
  if (frag.has('oidc_ticket') || frag.has('oidc_error')) history.replaceState(null, '', location.pathname + location.search);
  if (frag.has('oidc_error')) {
    showError($('error'), oidcError(frag.get('oidc_error')));
    $('error').dataset.oidcError = frag.get('oidc_error');
  } else if (frag.has('oidc_ticket')) {
    try {
      const r = await api('/api/v1/auth/oidc/ticket', { method: 'POST', body: { ticket: frag.get('oidc_ticket') } });
      sessionStorage.setItem(session.key, r.access_token);
      sessionStorage.setItem(OIDC_KEY, '1');
      signedIn(await session.me());
    } catch (e) {
      showError($('error'), oidcError('bad_ticket'));
    }
  }
  const list = await api('/api/v1/auth/providers').then((r) => r.providers || [], () => []);
  $('province-buttons').replaceChildren(...list.map((p) => h('button', { type: 'button', className: 'primary', 'data-provider': p.name, onclick: () => { location.href = p.start_url; } },
    L(`统一身份认证登录（${p.display_name_zh}）`, `Log in with the province's ID (${p.display_name_en || p.display_name_zh})`))));
  $('province-login').hidden = list.length === 0;
}
// Logging out of a province login also ends the provider's session (RP-initiated logout); this
// listener runs before the usual one and replaces it.
$('logout').addEventListener('click', async (ev) => {
  if (!sessionStorage.getItem(OIDC_KEY)) return;
  ev.stopImmediatePropagation();
  const token = session.token;
  sessionStorage.removeItem(session.key);
  sessionStorage.removeItem(OIDC_KEY);
  const r = await api('/api/v1/auth/oidc/logout', { method: 'POST', token }).catch(() => null);
  signedOut();
  if (r && r.end_session_url) location.href = r.end_session_url;
});
provinceLogin();
bindSignIn(session, signedIn, signedOut);
document.body.dataset.ready = 'true';
