// The pages' receipt checker (web/receipt_check.js, through web/verifier.js as the pages call it)
// against verify answers made by the real server in this test run: starts `tongban demo` (suite
// gm or intl) on a free 127.0.0.1 port in a throwaway folder, fetches the sample receipt's answer
// and a new receipt's (by QR, with &manifest=1) and the published keys, then checks that a good
// answer passes every check and that each tampering fails exactly the check it should — a changed
// document byte, a changed manifest line, swapped signatures, a forged or another receipt's QR,
// another receipt's proof, a missing manifest, a wrong key — also with the per-hospital keys
// format ({"issuers": [...]} and batch.issuer_key_id). Run by unit.mjs (CTest web_unit_test):
//   node tests/web/receipt_answers.mjs --tongban build/tongban [--suite intl]
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { citizenId, startDemo } from './demo_server.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const tongban = arg('tongban');
const suite = arg('suite', 'gm');
if (!tongban) { console.error('usage: node receipt_answers.mjs --tongban PATH [--suite gm|intl]'); process.exit(2); }

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
globalThis.localStorage ||= { getItem: () => null, setItem() {} };  // shell.js reads the language

let passed = 0;
let failed = 0;
async function test(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   [${suite}] ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL [${suite}] ${name}\n${e.stack}`);
  }
}

let demo = null;
try {
  demo = await startDemo(tongban, { suite });
  const { base, hospitalKey, sample } = demo;

  // The pages call relative URLs; here they go to the demo.
  const realFetch = globalThis.fetch;
  globalThis.fetch = (u, o) => realFetch(typeof u === 'string' && u.startsWith('/') ? base + u : u, o);
  const call = async (path, { method = 'GET', body } = {}) => {
    const headers = { Accept: 'application/json', Authorization: `Bearer ${hospitalKey}` };
    if (body) Object.assign(headers, { 'Content-Type': 'application/json', 'Idempotency-Key': `answers-${Date.now()}-${Math.random()}` });
    const r = await realFetch(base + path, { method, headers, body: body && JSON.stringify(body) });
    assert.ok(r.ok, `${method} ${path} → ${r.status} ${await r.clone().text()}`);
    return r.json();
  };

  const v = await import(join(root, 'web', 'verifier.js'));
  const rc = await import(join(root, 'web', 'receipt_check.js'));
  const { checkInclusionProof, ledgerKey } = await import(join(root, 'web', 'proof.js'));
  const { H } = await ledgerKey();
  const keys = await v.receiptKeys();
  assert.equal(keys.algorithm, suite === 'gm' ? 'sm2' : 'ed25519');

  // The sample receipt (by code, number and check code) and a new one issued now (by its QR).
  const sampleAnswer = await v.verifyReceiptFields(sample.code, sample.number, sample.check);
  // The published key that signed the sample's batch (per-hospital keys: GET /api/v1/receipts/keys).
  const sampleUscc = rc.documentFields(sampleAnswer.document).issuer;
  const signer = keys.issuers.find((k) => k.uscc === sampleUscc && k.key_id === sampleAnswer.batch.issuer_key_id);
  assert.ok(signer, 'the keys endpoint publishes the key that signed the sample batch');
  const issuerKey = signer.key;
  const withIssuerKey = (key) => ({ ...keys, issuers: keys.issuers.map((k) => (k === signer ? { ...k, key } : k)) });
  const made = await call('/api/v1/receipts', { method: 'POST', body: {
    kind: 'outpatient', payer_id_number: citizenId('33010619850312213'), payer_name: '张伟', channel: 'wechat',
    items: [{ category: '检查费', name: '血常规', quantity: 1, unit_fen: 2500, amount_fen: 2500 }],
    total_fen: 2500, insurance_fen: 1500, self_fen: 1000 } });
  const issued = await call(`/api/v1/receipts/${made.code}/${made.number}`);
  const sampleQr = (await call(`/api/v1/receipts/${sample.code}/${sample.number}`)).qr_text;
  const newAnswer = await v.verifyReceiptQr(issued.qr_text);

  const copy = (x) => JSON.parse(JSON.stringify(x));
  // Every check of an answer, as the pages run them: {verdict, ok: {name: true|false|null}}.
  async function checks(answer, { qr, withKeys = keys } = {}) {
    let ledger = null;
    try {
      ledger = answer.ledger ? await checkInclusionProof(answer.ledger, { document: answer.document ?? undefined }) : null;
    } catch { /* an unparsable proof fails the ledger check */ }
    const r = await rc.checkReceipt(answer, { ledger, H, keys: withKeys, qr });
    return { verdict: r.verdict, ok: Object.fromEntries(r.checks.map((c) => [c.name, c.ok])), checks: r.checks };
  }
  const all = (names, ok = true) => Object.fromEntries(names.map((n) => [n, ok]));
  const FIVE = ['ledger', 'document', 'manifest', 'issuer', 'finance'];
  const good = all(FIVE);

  await test('the sample receipt passes every check (as the page runs them, with its QR)', async () => {
    assert.equal(sampleAnswer.status, 'authentic');
    const c = await v.checkReceiptAnswer(sampleAnswer, { qr: sampleQr });
    assert.equal(c.checks.verdict, 'verified', JSON.stringify(c.checks.checks, null, 1));
    assert.deepEqual(c.checks.checks.map((x) => [x.name, x.ok]), [...FIVE, 'qr'].map((n) => [n, true]));
    assert.equal(v.shownStatus(sampleAnswer, c), 'authentic');
    assert.ok(c.proof.ok);
  });
  await test('a receipt issued now, verified by its QR, passes every check', async () => {
    assert.equal(newAnswer.status, 'authentic');
    const r = await checks(newAnswer, { qr: issued.qr_text });
    assert.deepEqual(r.ok, { ...good, qr: true });
    assert.equal(r.verdict, 'verified');
  });
  await test('one byte of the document changed: the document check fails, the verdict is failed, the page shows not verified', async () => {
    const a = copy(sampleAnswer);
    a.document = a.document.replace('total_fen: ', 'total_fen: 1');
    const r = await checks(a);
    assert.deepEqual(r.ok, { ...good, document: false });
    assert.equal(r.verdict, 'failed');
    // The QR is compared with the document's check code and total only once the document passed
    // (as tongban verify-receipt does), so a changed total fails the document, not the QR.
    assert.deepEqual((await checks(a, { qr: sampleQr })).ok, { ...good, document: false, qr: true });
    const c = await v.checkReceiptAnswer(a);
    assert.equal(v.shownStatus(a, c), 'not_verified');
  });
  await test('the receipt\'s manifest line changed: manifest and both signatures fail', async () => {
    const a = copy(sampleAnswer);
    const i = a.batch.manifest.indexOf(`${sample.code}/${sample.number} `) + 20;
    const ch = a.batch.manifest[i];
    a.batch.manifest = a.batch.manifest.slice(0, i) + (ch === '0' ? '1' : '0') + a.batch.manifest.slice(i + 1);
    assert.deepEqual((await checks(a)).ok, { ...good, manifest: false, issuer: false, finance: false });
  });
  await test('another line of the manifest changed: the line still listed, both signatures fail', async () => {
    const a = copy(sampleAnswer);
    a.batch.manifest = a.batch.manifest.replace(/\ncount: /, '\ncount: 9');
    assert.deepEqual((await checks(a)).ok, { ...good, issuer: false, finance: false });
  });
  await test('the issuer and finance signatures swapped: both fail; one swapped for a copy of the other: that one fails', async () => {
    const a = copy(sampleAnswer);
    [a.batch.issuer_signature, a.batch.finance_signature] = [a.batch.finance_signature, a.batch.issuer_signature];
    assert.deepEqual((await checks(a)).ok, { ...good, issuer: false, finance: false });
    const b = copy(sampleAnswer);
    b.batch.issuer_signature = b.batch.finance_signature;
    assert.deepEqual((await checks(b)).ok, { ...good, issuer: false });
    const c = copy(sampleAnswer);
    c.batch.finance_signature = newAnswer.batch.finance_signature;  // another batch's signature
    assert.deepEqual((await checks(c)).ok, { ...good, finance: false });
  });
  await test('a forged QR signature, another receipt\'s genuine QR, a malformed QR: the QR check fails', async () => {
    const q = issued.qr_text;
    const i = q.length - 5;
    const forged = q.slice(0, i) + (q[i] === 'A' ? 'B' : 'A') + q.slice(i + 1);
    assert.deepEqual((await checks(newAnswer, { qr: forged })).ok, { ...good, qr: false });
    assert.deepEqual((await checks(newAnswer, { qr: sampleQr })).ok, { ...good, qr: false });
    const r = await checks(newAnswer, { qr: 'TBR1.not-a-qr' });
    assert.deepEqual(r.ok, { ...good, qr: false });
    assert.equal(r.verdict, 'failed');
  });
  await test('another receipt\'s ledger proof: document and manifest fail', async () => {
    const a = copy(sampleAnswer);
    a.ledger = copy(newAnswer.ledger);
    assert.deepEqual((await checks(a)).ok, { ...good, document: false, manifest: false });
  });
  await test('a changed proof hash or entry: the ledger fails', async () => {
    const a = copy(sampleAnswer);
    if (a.ledger.hashes.length) {
      a.ledger.hashes[0] = a.ledger.hashes[0].startsWith('A') ? `B${a.ledger.hashes[0].slice(1)}` : `A${a.ledger.hashes[0].slice(1)}`;
      assert.equal((await checks(a)).ok.ledger, false);
    }
    const b = copy(sampleAnswer);
    b.ledger = null;
    const r = await checks(b);
    assert.equal(r.ok.ledger, false);
    assert.equal(r.verdict, 'failed');
  });
  await test('no manifest in the answer (asked without &manifest=1): manifest and both signatures fail', async () => {
    const a = copy(sampleAnswer);
    delete a.batch.manifest;
    assert.deepEqual((await checks(a)).ok, { ...good, manifest: false, issuer: false, finance: false });
  });
  await test('wrong published keys: the finance key as the issuer\'s fails the issuer; keys not fetched fail both', async () => {
    assert.deepEqual((await checks(sampleAnswer, { withKeys: withIssuerKey(keys.finance) })).ok, { ...good, issuer: false });
    assert.deepEqual((await checks(sampleAnswer, { withKeys: { ...keys, finance: issuerKey }, qr: sampleQr })).ok,
      { ...good, finance: false, qr: false });
    assert.deepEqual((await checks(sampleAnswer, { withKeys: new Error('offline') })).ok, { ...good, issuer: false, finance: false });
  });
  await test('per-hospital keys: the issuer\'s key picked by USCC and batch.issuer_key_id; absent or wrong fails the issuer', async () => {
    const uscc = rc.documentFields(sampleAnswer.document).issuer;
    const perHospital = { algorithm: keys.algorithm, finance: keys.finance, issuers: [
      { uscc: '12330100H00000099X', name: '另一家医院', key_id: 'k1', key: keys.finance, current: true },
      { uscc, name: '杭州市示范第一医院', key_id: 'k1', key: issuerKey, current: true },
      { uscc, name: '杭州市示范第一医院', key_id: 'k0', key: keys.finance, current: false }] };
    const a = copy(sampleAnswer);
    a.batch.issuer_key_id = 'k1';
    const r = await checks(a, { withKeys: perHospital });
    assert.deepEqual(r.ok, good);
    assert.match(r.checks.find((c) => c.name === 'issuer').detail, /杭州市示范第一医院 · k1/);
    a.batch.issuer_key_id = 'k0';  // a key of this issuer, but not the one that signed
    assert.deepEqual((await checks(a, { withKeys: perHospital })).ok, { ...good, issuer: false });
    a.batch.issuer_key_id = 'k9';
    const missing = await checks(a, { withKeys: perHospital });
    assert.deepEqual(missing.ok, { ...good, issuer: false });
    assert.match(missing.checks.find((c) => c.name === 'issuer').en, /No published key of this issuer/);
    delete a.batch.issuer_key_id;
    assert.match((await checks(a, { withKeys: perHospital })).checks.find((c) => c.name === 'issuer').en, /issuer_key_id/);
    // A manifest naming another issuer than the document: the issuer row fails (the key is chosen
    // by the issuer), whatever the keys; the signatures over the changed bytes fail too.
    const b = copy(sampleAnswer);
    b.batch.manifest = b.batch.manifest.replace(`issuer: ${uscc}\n`, 'issuer: 12330100H00000099X\n');
    b.batch.issuer_key_id = 'k1';
    const other = await checks(b, { withKeys: perHospital });
    assert.deepEqual(other.ok, { ...good, issuer: false, finance: false });
    assert.match(other.checks.find((c) => c.name === 'issuer').en, /another issuer than the document/);
  });
  if (suite === 'intl') {
    await test('a browser without Ed25519 in WebCrypto: the signature checks say so (not passed, not failed), the verdict is incomplete', async () => {
      const subtle = globalThis.crypto.subtle;
      const importKey = subtle.importKey;
      subtle.importKey = async (format, key, alg, ...rest) => {
        if (alg && alg.name === 'Ed25519') throw new DOMException('Ed25519 is not supported', 'NotSupportedError');
        return importKey.call(subtle, format, key, alg, ...rest);
      };
      try {
        const r = await checks(newAnswer, { qr: issued.qr_text });
        assert.deepEqual(r.ok, { ledger: null, document: true, manifest: true, issuer: null, finance: null, qr: null });
        assert.equal(r.verdict, 'incomplete');
        const c = await v.checkReceiptAnswer(newAnswer, { qr: issued.qr_text });
        assert.equal(v.shownStatus(newAnswer, c), 'authentic');  // the server's word, marked unchecked
        // A tampered document still fails: hashes need no Ed25519.
        const a = copy(newAnswer);
        a.document = a.document.replace('total_fen: ', 'total_fen: 1');
        assert.equal((await checks(a)).verdict, 'failed');
      } finally {
        subtle.importKey = importKey;
      }
    });
  }
} catch (e) {
  failed++;
  console.log(`FAIL [${suite}] setting up: ${e.stack}`);
} finally {
  if (demo) await demo.stop();
}
console.log(`[${suite}] ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
