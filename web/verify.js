// The public verify page (/verify): paste, scan (camera or image file) or type in a receipt's
// numbers; shows the verdict and, for receipts, the ledger proof checked in this browser.
// ?qr=<text> verifies at load.

import { clearError, h, initShell, L, showError } from './shell.js';
import { classify, renderReceipt, verifyReceiptFields, verifyText } from './verifier.js';
import { decodeImageFile, startScan, stopScan } from './qrscan.js';

initShell();
const $ = (id) => document.getElementById(id);

async function run(work) {
  clearError($('error'));
  $('result').replaceChildren(h('p', {}, L('正在验证…', 'Verifying…')));
  document.body.dataset.busy = 'true';
  try {
    const el = await work();
    $('result').replaceChildren(el);
    $('result-h').scrollIntoView({ block: 'start' });
  } catch (e) {
    $('result').replaceChildren();
    showError($('error'), e);
  } finally {
    delete document.body.dataset.busy;
  }
}

function verifyQr(text) {
  $('qr-text').value = text;
  return run(async () => {
    if (!classify(text)) {
      throw new Error(L('无法识别的二维码内容：票据以 TBR1. 开头，证照以 TBL1. 或 ey 开头。',
        'Unrecognised QR text: receipts start with TBR1., licences with TBL1. or ey.').textContent);
    }
    return (await verifyText(text)).element;
  });
}

$('paste-form').addEventListener('submit', (ev) => { ev.preventDefault(); verifyQr($('qr-text').value.trim()); });
$('fields-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const f = ev.target.elements;
  run(async () => renderReceipt(await verifyReceiptFields(f.code.value, f.number.value, f.check.value)));
});
$('image-file').addEventListener('change', async (ev) => {
  const file = ev.target.files[0];
  ev.target.value = '';
  if (!file) return;
  try {
    const text = await decodeImageFile(file);
    if (!text) throw new Error(L('图片中没有找到二维码', 'No QR code found in the image').textContent);
    verifyQr(text);
  } catch (e) {
    showError($('error'), e);
  }
});
$('camera').addEventListener('click', async () => {
  clearError($('error'));
  try {
    await startScan($('video'), (text) => verifyQr(text));
  } catch (e) {
    stopScan($('video'));
    showError($('error'), e);
  }
});

const q = new URLSearchParams(location.search).get('qr');
if (q) verifyQr(q);
document.body.dataset.ready = 'true';
