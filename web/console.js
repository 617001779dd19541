// The staff console (/console): window staff log in, then scan (camera with BarcodeDetector or
// the packaged jsQR decoder, or an image file) or paste a licence presentation or receipt QR and
// verify it with their token (so the licence part records the verifier by name), and keep the
// results in an archive on this device (localStorage, per staff login) instead of paper copies.

import { ApiError, bindSignIn, clearError, formatTime, h, initShell, L, onLanguageChange, Session, showError, T } from './shell.js';
import { classify, statusText, verifyText } from './verifier.js';
import { decodeImageFile, decoderName, startScan, stopScan } from './qrscan.js';

initShell();
const $ = (id) => document.getElementById(id);
const session = new Session('console');
let me = null;
const STAFF_ROLES = ['staff', 'admin', 'auditor'];

const archiveKey = () => `tongban.console.archive.${me ? me.login : ''}`;
const loadArchive = () => { try { return JSON.parse(localStorage.getItem(archiveKey()) || '[]'); } catch { return []; } };

function renderArchive() {
  const kinds = { receipt: ['票据', 'receipt'], license: ['证照', 'licence'] };
  $('archive').querySelector('tbody').replaceChildren(...loadArchive().map((a) => h('tr', { 'data-status': a.status },
    h('td', {}, formatTime(a.time)), h('td', {}, T(...(kinds[a.kind] || [a.kind, a.kind]))),
    h('td', { className: ['valid', 'authentic'].includes(a.status) ? 'pass' : 'fail', 'data-status': a.status },
      statusText(a.kind, a.status)),
    h('td', {}, a.summary || '—'), h('td', {}, a.purpose || '—'))));
}
onLanguageChange(() => { if (me) renderArchive(); });

function archive(entry) {
  const list = loadArchive();
  list.unshift(entry);
  localStorage.setItem(archiveKey(), JSON.stringify(list.slice(0, 500)));
  renderArchive();
}

async function verify(text) {
  $('qr-text').value = text;
  clearError($('scan-error'));
  $('result').replaceChildren(h('p', {}, L('正在核验…', 'Verifying…')));
  document.body.dataset.busy = 'true';
  try {
    if (!classify(text)) {
      throw new Error(T('无法识别的二维码内容：票据以 TBR1. 开头，证照以 TBL1. 或 ey 开头。',
        'Unrecognised QR text: receipts start with TBR1., licences with TBL1. or ey.'));
    }
    const purpose = $('purpose').value.trim();
    const r = await verifyText(text, { token: session.token, purpose: purpose || undefined });
    $('result').replaceChildren(r.element);
    $('result-h').scrollIntoView({ block: 'start' });
    archive({ time: new Date().toISOString(), kind: r.kind, status: r.status, summary: r.summary, purpose });
  } catch (e) {
    $('result').replaceChildren();
    if (e instanceof ApiError && e.status === 401) session.expired();
    else showError($('scan-error'), e);
  } finally {
    delete document.body.dataset.busy;
  }
}

function signedIn(account) {
  if (!STAFF_ROLES.includes(account.role)) {
    session.logout();
    showError($('error'), new Error(T('该账号不是窗口工作人员账号。', 'This account is not a staff account.')));
    return;
  }
  clearError($('error'));
  me = account;
  $('login-section').hidden = true;
  $('work').hidden = false;
  $('who').replaceChildren(L('当前工作人员：', 'Signed in: '), `${account.display_name} (${account.login})`,
    account.department ? ` · ${account.department}` : '');
  renderArchive();
  decoderName().then((n) => $('decoder').replaceChildren(L(`扫码方式：${n}`, `QR decoder: ${n}`)));
  document.body.dataset.signedIn = 'true';
}

function signedOut() {
  stopScan($('video'));
  me = null;
  $('work').hidden = true;
  $('login-section').hidden = false;
  delete document.body.dataset.signedIn;
}
bindSignIn(session, signedIn, signedOut);
$('scan-form').addEventListener('submit', (ev) => { ev.preventDefault(); verify($('qr-text').value.trim()); });
$('image-file').addEventListener('change', async (ev) => {
  const file = ev.target.files[0];
  ev.target.value = '';
  if (!file) return;
  clearError($('scan-error'));
  try {
    const text = await decodeImageFile(file);
    if (!text) throw new Error(T('图片中没有找到二维码', 'No QR code found in the image'));
    verify(text);
  } catch (e) {
    showError($('scan-error'), e);
  }
});
$('camera').addEventListener('click', async () => {
  clearError($('scan-error'));
  try {
    await startScan($('video'), verify);
  } catch (e) {
    stopScan($('video'));
    showError($('scan-error'), e);
  }
});
$('print').addEventListener('click', () => window.print());
$('clear').addEventListener('click', () => {
  if (window.confirm(T('确定清空本机留档？', 'Clear the archive on this device?'))) {
    localStorage.removeItem(archiveKey());
    renderArchive();
  }
});
document.body.dataset.ready = 'true';
