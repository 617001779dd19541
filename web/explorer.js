// The ledger explorer (/explorer): the log's key, the latest checkpoint with every signature line
// (the log's own, checked here; witness cosignatures, checked when their keys are given), recent
// checkpoints, an entry by index with its inclusion proof checked in the browser, and consistency
// proofs between two checkpoints checked in the browser.

import { api, clearError, formatTime, h, initShell, L, showError } from './shell.js';
import { fromBase64, toHex } from './encoding.js';
import { verifyConsistency } from './merkle.js';
import { checkNoteSignatures, parseVerifierKey } from './note.js';
import { checkInclusionProof, ledgerKey, renderChecks } from './proof.js';

initShell();
const $ = (id) => document.getElementById(id);
const checkpoints = new Map();  // size → {size, root, note, time_micros}
let latest = null;

function kv(dl, pairs) {
  dl.replaceChildren();
  for (const [k, v] of pairs) dl.append(h('dt', {}, k), h('dd', {}, v));
}

function witnessKeys() {
  return $('witness-keys').value.split('\n').map((s) => s.trim()).filter(Boolean).flatMap((s) => {
    try { return [parseVerifierKey(s)]; } catch { return []; }
  });
}

async function showLatest() {
  const k = await ledgerKey();
  const r = await checkNoteSignatures(latest.note, k.key, witnessKeys());
  const rows = r.signatures.map((s) => h('tr', { 'data-kind': s.kind },
    h('td', {}, s.name), h('td', {}, h('code', {}, s.keyId)),
    h('td', {}, s.kind === 'log' ? L(`账本签名 (${s.type.toUpperCase()})`, `log signature (${s.type.toUpperCase()})`)
      : s.kind === 'cosignature' ? L(`见证联署 ${formatTime(s.time)}`, `witness cosignature ${formatTime(s.time)}`)
      : L('未知密钥', 'unknown key')),
    h('td', { className: s.ok === true ? 'pass' : s.ok === false ? 'fail' : 'info' },
      s.ok === true ? L('✓ 有效', '✓ valid') : s.ok === false ? L('✗ 无效', '✗ INVALID') : L('未核对', 'not checked'))));
  $('latest').replaceChildren(
    h('dl', { className: 'kv' },
      h('dt', {}, L('树大小', 'Tree size')), h('dd', { id: 'latest-size' }, String(r.checkpoint.size)),
      h('dt', {}, L('根哈希', 'Root')), h('dd', {}, h('code', {}, toHex(r.checkpoint.root))),
      h('dt', {}, L('时间', 'Time')), h('dd', {}, formatTime(latest.time_micros))),
    h('pre', { className: 'note', tabindex: '0', 'aria-label': 'signed note' }, latest.note),
    h('div', { className: 'table-wrap' }, h('table', { id: 'signatures' },
      h('caption', {}, L('签名行', 'Signature lines')),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, L('密钥名', 'Key name')), h('th', { scope: 'col' }, L('密钥编号', 'Key ID')),
        h('th', { scope: 'col' }, L('类型', 'Kind')), h('th', { scope: 'col' }, L('结果', 'Result')))),
      h('tbody', {}, rows))));
}

async function loadCheckpoints() {
  // Checkpoints are listed ascending after a size; walk forward (bounded) and keep the last 20.
  let after = null;
  const seen = [];
  for (let page = 0; page < 20; page++) {
    const r = await api(`/api/v1/ledger/checkpoints?limit=100${after !== null ? `&after=${after}` : ''}`);
    seen.push(...r.items);
    if (r.next_after === undefined) break;
    after = r.next_after;
  }
  for (const c of seen) checkpoints.set(String(c.size), c);
  const recent = seen.slice(-20).reverse();
  const tbody = $('checkpoints').querySelector('tbody');
  tbody.replaceChildren(...recent.map((c) => h('tr', {},
    h('td', {}, String(c.size)),
    h('td', {}, h('code', {}, toHex(fromBase64(c.root)).slice(0, 16) + '…')),
    h('td', {}, formatTime(c.time_micros)),
    h('td', {}, latest && c.size > 0 && c.size < latest.size
      ? h('button', { type: 'button', className: 'link', onclick: () => {
          $('cons-from').value = c.size; $('cons-to').value = latest.size;
          $('cons-form').requestSubmit();
        } }, L(`检验 → ${latest.size}`, `check → ${latest.size}`))
      : '—'))));
}

async function loadRecentEntries() {
  const size = Number(latest.size);
  const indices = [];
  for (let i = size - 1; i >= 0 && i >= size - 10; i--) indices.push(i);
  const entries = await Promise.all(indices.map((i) => api(`/api/v1/ledger/entries/${i}`).catch(() => null)));
  $('recent-entries').querySelector('tbody').replaceChildren(...entries.filter(Boolean).map((e) => h('tr', {},
    h('td', {}, String(e.index)), h('td', {}, h('code', {}, e.type || '—')), h('td', {}, formatTime(e.time_micros)),
    h('td', {}, h('button', { type: 'button', className: 'link', onclick: () => {
      $('entry-index').value = e.index;
      $('entry-form').requestSubmit();
      $('entry-h').scrollIntoView();
    } }, L('验证', 'verify'))))));
}

async function rootOf(size) {
  if (checkpoints.has(String(size))) return fromBase64(checkpoints.get(String(size)).root);
  // Not a published checkpoint: the inclusion proof endpoint returns that tree's checkpoint only
  // when one was signed at that size.
  throw new Error(`no signed checkpoint of size ${size}`);
}

$('entry-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearError($('entry-error'));
  $('entry').replaceChildren(h('p', {}, L('正在核对…', 'Checking…')));
  const i = $('entry-index').value.trim();
  try {
    const e = await api(`/api/v1/ledger/entries/${encodeURIComponent(i)}`);
    const proof = await api(`/api/v1/ledger/proofs/inclusion?index=${encodeURIComponent(i)}`);
    const result = await checkInclusionProof(proof);
    const dl = h('dl', { className: 'kv' });
    kv(dl, [[L('序号', 'Index'), String(e.index)], [L('类型', 'Type'), e.type || '—'],
      [L('时间', 'Time'), formatTime(e.time_micros)],
      [L('主体（加密哈希）', 'Subject (keyed hash)'), h('code', {}, e.subject_hash || '—')],
      [L('文书哈希', 'Document hash'), h('code', {}, e.document_hash || '—')],
      [L('叶子哈希', 'Leaf hash'), h('code', {}, toHex(fromBase64(e.leaf_hash)))]]);
    const save = h('a', { download: `proof-${e.index}.json`, className: 'button',
      href: URL.createObjectURL(new Blob([JSON.stringify(proof, null, 1)], { type: 'application/json' })) },
      L('下载证明（可用 tongban verify 离线核对）', 'Download the proof (check offline with tongban verify)'));
    $('entry').replaceChildren(dl, renderChecks(result), save);
  } catch (err) {
    $('entry').replaceChildren();
    showError($('entry-error'), err);
  }
});

$('cons-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  clearError($('cons-error'));
  const from = $('cons-from').value.trim();
  const to = $('cons-to').value.trim();
  $('cons').replaceChildren(h('p', {}, L('正在核对…', 'Checking…')));
  try {
    const k = await ledgerKey();
    const r = await api(`/api/v1/ledger/proofs/consistency?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    const path = r.hashes.map(fromBase64);
    const ok = await verifyConsistency(k.H, from, to, await rootOf(from), await rootOf(to), path);
    $('cons').replaceChildren(h('div', { className: `checks ${ok ? 'good' : 'bad'}`, 'data-proof-ok': String(ok) },
      h('p', { className: 'verdict', role: 'status' }, ok
        ? L(`✓ 树 ${to} 是树 ${from} 的延续（${path.length} 个哈希，已在本浏览器中核对）`, `✓ Tree ${to} extends tree ${from} (${path.length} hashes, checked in this browser)`)
        : L(`✗ 一致性证明未通过：树 ${to} 并非树 ${from} 的延续`, `✗ Consistency proof failed: tree ${to} does not extend tree ${from}`))));
  } catch (err) {
    $('cons').replaceChildren();
    showError($('cons-error'), err);
  }
});

$('recheck').addEventListener('click', () => showLatest().catch((e) => showError($('error'), e)));

async function main() {
  try {
    const k = await ledgerKey();
    kv($('log-info'), [[L('来源', 'Origin'), h('code', {}, k.origin)],
      [L('套件', 'Suite'), k.hash === 'sm3' ? L('国密 gm（SM3 + SM2）', 'gm (SM3 + SM2)') : L('国际 intl（SHA-256 + Ed25519）', 'intl (SHA-256 + Ed25519)')],
      [L('验证公钥', 'Verifier key'), h('code', { id: 'verifier-key' }, k.verifier_key)]]);
    latest = await api('/api/v1/ledger/checkpoint');
    await showLatest();
    await loadCheckpoints();
    await loadRecentEntries();
    const params = new URLSearchParams(location.search);
    if (params.get('index')) { $('entry-index').value = params.get('index'); $('entry-form').requestSubmit(); }
  } catch (e) {
    showError($('error'), e);
  }
  document.body.dataset.ready = 'true';
}
main();
