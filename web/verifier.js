// Verifying what a QR code carries, shared by the public verify page and the staff console:
// a receipt QR (`TBR1.` …, GET /api/v1/receipts/verify?qr=…), a receipt typed in by code, number
// and check code, or a licence presentation (an SD-JWT VC token starting `ey`, or a `TBL1.`
// reference; POST /api/v1/licenses/verify). Renders the verdict, the receipt or licence facts and
// the ledger proof checked in this browser (for a licence: its latest lifecycle entry, whose event
// document must name the licence and the status shown; docs/license.md). A receipt is checked in
// this browser as fully as `tongban verify-receipt` checks it (receipt_check.js: ledger, document
// hash, manifest line, issuer and finance signatures, the QR's signature); any failed check turns
// the verdict into "not verified", whatever the server said. State: the published receipt keys,
// fetched once per page.

import { api, formatFen, formatTime, h, L, lang, T } from './shell.js';
import { checkInclusionProof, ledgerKey, renderChecks } from './proof.js';
import { checkReceipt } from './receipt_check.js';

// "receipt" | "license-token" | "license-reference" | null
export function classify(text) {
  const t = (text || '').trim();
  if (t.startsWith('TBR1.')) return 'receipt';
  if (t.startsWith('TBL1.')) return 'license-reference';
  if (/^ey[A-Za-z0-9_-]*\./.test(t)) return 'license-token';
  return null;
}

const RECEIPT_STATUS = {
  authentic: ['good', '真实有效', 'Authentic'],
  reimbursed: ['warn', '真实 · 已报销', 'Authentic · reimbursed'],
  partially_reimbursed: ['warn', '真实 · 部分报销', 'Authentic · partially reimbursed'],
  voided: ['bad', '已作废（红冲）', 'Voided'],
  destroyed: ['warn', '已核销（超过保存期限）', 'Destroyed after its retention period'],
  tampered: ['bad', '记录与账本不符', 'Record does not match the ledger'],
  unknown: ['bad', '查无此票据', 'Unknown receipt'],
  // Not a server status: the browser's own checks failed (the server's word is shown beside it).
  not_verified: ['bad', '未通过验证（本浏览器核对不符）', 'NOT verified (the checks in this browser failed)'],
};
const LICENSE_STATUS = {
  valid: ['good', '有效', 'Valid'],
  revoked: ['bad', '已撤销', 'Revoked'],
  suspended: ['bad', '已暂停', 'Suspended'],
  expired: ['bad', '已过期', 'Expired'],
  invalid: ['bad', '无效（签名或内容不符）', 'Invalid (signature or content does not check)'],
  tampered: ['bad', '记录与账本不符', 'Record does not match the ledger'],
};

// A verdict in the current language, e.g. statusText('receipt', 'voided') → "已作废（红冲）".
export function statusText(kind, status) {
  const e = (kind === 'receipt' ? RECEIPT_STATUS : LICENSE_STATUS)[status];
  return e ? T(e[1], e[2]) : status;
}

function badge(table, status) {
  const [tone, zh, en] = table[status] || ['bad', status, status];
  return h('p', { className: `status-badge status-${tone}`, role: 'status', 'data-status': status }, L(zh, en));
}

function kv(pairs) {
  const dl = h('dl', { className: 'kv' });
  for (const [k, v] of pairs) dl.append(h('dt', {}, k), h('dd', {}, v ?? '—'));
  return dl;
}

// Both ask for the signed batch manifest (&manifest=1, up to ~85 KB), which the browser checks.
export async function verifyReceiptQr(qr, token) {
  return api(`/api/v1/receipts/verify?qr=${encodeURIComponent(qr.trim())}&manifest=1`, { token });
}

export async function verifyReceiptFields(code, number, check, token) {
  const q = new URLSearchParams({ code: code.trim(), number: number.trim(), check: check.trim(), manifest: '1' });
  return api(`/api/v1/receipts/verify?${q}`, { token });
}

// The issuer's and the finance department's public keys (GET /api/v1/receipts/keys, public),
// fetched once per page; an Error (not a rejection) when they cannot be had, so the signature
// checks fail with the reason.
let receiptKeysPromise = null;
export function receiptKeys() {
  receiptKeysPromise ||= api('/api/v1/receipts/keys').catch((e) => {
    receiptKeysPromise = null;  // try again next time
    return new Error(`GET /api/v1/receipts/keys: ${e.message || e}`);
  });
  return receiptKeysPromise;
}

const CHECK_NAMES = {
  ledger: ['账本', 'Ledger'],
  document: ['文书哈希', 'Document hash'],
  manifest: ['批次清单', 'Batch manifest'],
  issuer: ['开票单位签名', 'Issuer signature'],
  finance: ['财政部门签名', 'Finance signature'],
  qr: ['二维码签名', 'QR signature'],
};

// Renders checkReceipt's result: the verdict, then one row per check ("checked in this browser").
export function renderReceiptChecks(result) {
  const tone = { verified: ' good', failed: ' bad', incomplete: '' }[result.verdict];
  const box = h('div', { className: `checks receipt-checks${tone}`, 'data-verdict': result.verdict });
  box.append(h('p', { className: 'verdict', role: 'status' }, {
    verified: L('✓ 已在本浏览器中核对全部签名与证明', '✓ Every signature and proof checked in this browser'),
    failed: L('✗ 未通过验证：以下核对失败', '✗ NOT verified: a check below failed'),
    incomplete: L('ℹ 部分核对无法在本浏览器完成', 'ℹ Some checks could not be made in this browser'),
  }[result.verdict]));
  const ol = h('ol');
  for (const c of result.checks) {
    const [zh, en] = CHECK_NAMES[c.name] || [c.name, c.name];
    const mark = c.ok === true ? '✓' : c.ok === false ? '✗' : 'ℹ';
    ol.append(h('li', { className: c.ok === false ? 'fail' : c.ok ? 'pass' : 'info', 'data-check': c.name, 'data-ok': String(c.ok) },
      h('span', { 'aria-hidden': 'true', className: 'mark' }, mark), ' ',
      h('strong', {}, L(zh, en)), ': ',
      c.ok === true ? L('已在本浏览器核对 — ', 'checked in this browser — ') : c.ok === false ? L('失败 — ', 'FAILED — ') : '',
      L(c.zh, c.en),
      c.detail ? h('code', { className: 'detail' }, String(c.detail)) : ''));
  }
  box.append(ol);
  return box;
}

export async function verifyLicense(text, purpose, token) {
  const t = text.trim();
  const body = classify(t) === 'license-reference' ? { reference: t } : { token: t };
  if (purpose) body.purpose = purpose;
  return api('/api/v1/licenses/verify', { method: 'POST', body, token });
}

// The browser's checks of a receipt answer: {proof (checkInclusionProof's result or null), proofError,
// checks (checkReceipt's result or null: an unknown receipt has nothing to check)}.
export async function checkReceiptAnswer(r, { qr } = {}) {
  if (!r || !r.receipt) return { proof: null, proofError: null, checks: null };
  let proof = null;
  let proofError = null;
  if (r.ledger) {
    try {
      proof = await checkInclusionProof(r.ledger, { document: typeof r.document === 'string' ? r.document : undefined });
    } catch (e) {
      proofError = String(e.message || e);
    }
  }
  const [keys, H] = await Promise.all([receiptKeys(), ledgerKey().then((k) => k.H, () => null)]);
  const checks = await checkReceipt(r, { ledger: proof, H, keys, qr });
  if (proofError) {
    checks.checks[0] = { name: 'ledger', ok: false, zh: '账本证明无法核对', en: 'The ledger proof could not be checked', detail: proofError };
    checks.verdict = 'failed';
  }
  return { proof, proofError, checks };
}

// The status to show: the server's, unless the browser's own checks failed.
export const shownStatus = (r, c) => (c && c.checks && c.checks.verdict === 'failed' && r.status !== 'tampered' ? 'not_verified' : r.status);

// Renders a receipt verification answer (the contract in docs/receipt.md). `qr`: the QR text it
// was verified by, whose signature is then checked too. `checked`: checkReceiptAnswer's result,
// when the caller already has it.
export async function renderReceipt(r, { qr, checked } = {}) {
  const c = checked || await checkReceiptAnswer(r, { qr });
  const out = h('div', { className: 'result', 'data-kind': 'receipt', 'data-verdict': c.checks ? c.checks.verdict : 'none' });
  const status = shownStatus(r, c);
  out.append(badge(RECEIPT_STATUS, status));
  if (status !== r.status) {
    out.append(h('p', { className: 'muted', 'data-server-status': r.status }, L('服务器的答复：', 'The server said: '), L(...(RECEIPT_STATUS[r.status] || [null, r.status, r.status]).slice(1))));
  }
  if (r.reason || r.problem) out.append(h('p', { className: 'fail' }, r.reason || r.problem));
  if (c.checks) {
    out.append(h('h3', {}, L('本浏览器核对结果', 'Checked in this browser')));
    out.append(renderReceiptChecks(c.checks));
  }
  if (r.receipt) {
    const x = r.receipt;
    out.append(kv([[L('票据代码', 'Receipt code'), x.code], [L('票据号码', 'Receipt number'), x.number],
      [L('开票单位', 'Issuer'), x.issuer_name], [L('开票时间', 'Issued at'), formatTime(x.issue_time)],
      [L('金额', 'Total'), formatFen(x.total_fen)], [L('交款人', 'Payer'), x.payer_name]]));
  }
  if (r.voided) {
    out.append(h('div', { className: 'problem' }, h('strong', {}, L('作废（红冲）', 'Voided')),
      kv([[L('原因', 'Reason'), r.voided.reason], [L('时间', 'Time'), formatTime(r.voided.time)],
        [L('替代票据', 'Replacement'), r.voided.replacement || '—']])));
  }
  if (Array.isArray(r.claims) && r.claims.length) {
    out.append(h('div', { className: 'table-wrap' }, h('table', { className: 'claims' },
      h('caption', {}, L('报销记录', 'Reimbursements')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, L('报销方', 'Claimant')),
        h('th', { scope: 'col' }, L('金额', 'Amount')), h('th', { scope: 'col' }, L('时间', 'Time')))),
      h('tbody', {}, r.claims.map((c) => h('tr', {}, h('td', {}, c.claimant), h('td', {}, formatFen(c.amount_fen)),
        h('td', {}, formatTime(c.time))))))));
  }
  if (r.ledger) {
    out.append(h('h3', {}, L('账本证明', 'Ledger proof')));
    if (c.proof) out.append(renderChecks(c.proof));
    else out.append(h('p', { className: 'fail' }, L('账本证明无法核对：', 'The ledger proof could not be checked: '), c.proofError || ''));
  }
  return out;
}

// The checks that tie a licence's ledger entry to the answer shown (docs/license.md, "Ledger proof
// of a verification"): the entry is this event's, the event document names this licence (or, for a
// superseded licence, its renewal names it as `previous`), and its status is the one shown.
export function licenseDocumentSteps(r, entry) {
  const steps = [];
  const step = (ok, zh, en, detail) => steps.push({ ok, zh, en, detail });
  let doc = null;
  try {
    doc = JSON.parse(r.ledger.document);
  } catch (e) {
    step(false, '账本文书无法解析', 'The ledger document cannot be parsed', String(e.message || e));
    return steps;
  }
  const id = r.license && r.license.id;
  if (entry) {
    step(entry.type === `license.${doc.action}`, '账本条目类型与文书一致', 'Entry type matches the document',
      `${entry.type} · ${doc.action}`);
  }
  const superseded = doc.action === 'renew' && doc.previous === id && doc.license_id !== id;
  step(Boolean(id) && (doc.license_id === id || superseded), '账本文书所记为此证照', 'The ledger document names this licence',
    superseded ? `${doc.license_id} ← ${id}` : doc.license_id);
  if (doc.expires_at !== undefined && !superseded && r.license) {
    const shownExp = r.license.expires_at ? Math.floor(Date.parse(r.license.expires_at) / 1000) : 0;
    step(shownExp === doc.expires_at, '账本所记有效期与证照一致', 'The expiry on the ledger is the licence\'s',
      doc.expires_at ? formatTime(doc.expires_at * 1000000) : '—');
  }
  const shown = r.status || (r.valid ? 'valid' : 'invalid');
  const expected = {
    valid: [doc.status === 'valid'],
    revoked: [doc.status === 'revoked' || superseded],
    suspended: [doc.status === 'suspended'],
    expired: [doc.status === 'expired' || doc.status === 'valid'],  // expiry can be by the clock alone
  }[shown];
  if (expected) {
    step(expected[0], '账本所记状态与核验结果一致', 'The status on the ledger is the one shown',
      `${doc.status}${superseded ? ' (renewed)' : ''} · ${shown}`);
  } else {
    step(null, '本次出示未通过，账本所记为证照本身状态', 'This presentation failed; the ledger records the licence itself',
      doc.status);
  }
  return steps;
}

// The public licence catalogue (field labels in both languages), fetched once per page.
let typesPromise = null;
function licenseTypes() {
  typesPromise ||= api('/api/v1/licenses/types').then((r) => r.items || [], () => []);
  return typesPromise;
}

// Renders a licence verification answer.
export async function renderLicense(r) {
  const type = r.license ? (await licenseTypes()).find((t) => t.code === r.license.type_code) : null;
  const fieldLabel = (name) => {
    const f = type && (type.fields || []).find((x) => x.name === name);
    return f ? L(f.zh, f.en) : name;
  };
  const out = h('div', { className: 'result', 'data-kind': 'license' });
  out.append(badge(LICENSE_STATUS, r.status || (r.valid ? 'valid' : 'invalid')));
  if (r.reason) out.append(h('p', { className: r.valid ? 'muted' : 'fail' }, r.reason));
  if (r.license) {
    const x = r.license;
    out.append(kv([[L('证照', 'Licence'), lang === 'zh' ? x.type_name_zh : (x.type_name_en || x.type_name_zh)],
      [L('证照编号', 'Licence ID'), x.id], [L('发证机关', 'Issuer'), x.issuer_name],
      [L('有效期至', 'Expires'), x.expires_at ? formatTime(x.expires_at) : L('长期有效', 'no expiry')]]));
  }
  if (r.disclosed && Object.keys(r.disclosed).length) {
    out.append(h('h3', {}, L('持证人出示的信息', 'Disclosed by the holder')));
    const dl = kv(Object.entries(r.disclosed).map(([k, v]) => [fieldLabel(k), typeof v === 'object' ? JSON.stringify(v) : String(v)]));
    dl.classList.add('disclosed');
    out.append(dl);
  }
  if (r.ledger) {
    out.append(h('h3', {}, L('账本证明', 'Ledger proof')));
    try {
      const result = await checkInclusionProof(r.ledger, { document: r.ledger.document });
      result.steps.push(...licenseDocumentSteps(r, result.entry));
      result.ok = result.steps.every((s) => s.ok !== false);
      out.append(renderChecks(result));
    } catch (e) {
      out.append(h('p', { className: 'fail' }, L('账本证明无法核对：', 'The ledger proof could not be checked: '), String(e.message || e)));
    }
  } else if (r.ledger_reason) {
    out.append(h('p', { className: 'muted', 'data-ledger': 'none' }, L('无账本证明：', 'No ledger proof: '), r.ledger_reason));
  }
  return out;
}

// Verifies any QR text and renders it; returns {kind, status, element}. Throws ApiError for a
// malformed input (the caller shows the problem).
export async function verifyText(text, { token, purpose } = {}) {
  const kind = classify(text);
  if (kind === 'receipt') {
    const r = await verifyReceiptQr(text, token);
    const checked = await checkReceiptAnswer(r, { qr: text });
    return { kind, status: shownStatus(r, checked), summary: r.receipt ? `${r.receipt.code}/${r.receipt.number}` : '',
      element: await renderReceipt(r, { qr: text, checked }) };
  }
  if (kind === 'license-token' || kind === 'license-reference') {
    const r = await verifyLicense(text, purpose, token);
    const name = r.license ? (lang === 'zh' ? r.license.type_name_zh : r.license.type_name_en) : '';
    return { kind: 'license', status: r.status || (r.valid ? 'valid' : 'invalid'), summary: name || '', element: await renderLicense(r) };
  }
  return null;
}
