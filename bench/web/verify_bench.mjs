// How fast the pages' own verification code runs (the same ES modules the browser loads, in
// node's V8 — the engine of Chromium): SM3 (web/sm3.js) beside OpenSSL's SM3 through node:crypto,
// SM2 checkpoint-signature verification (web/sm2.js) beside OpenSSL's SM2 verify, and a whole
// 1M-leaf inclusion proof check (21 hashes) with SM3 and with WebCrypto SHA-256. With --tongban,
// the whole receipt check the pages make (verifier.js checkReceiptAnswer: ledger proof, document
// hash, manifest line, issuer and finance SM2 signatures over the manifest, the QR's SM2
// signature) on answers a `tongban demo` makes in the run — a receipt of a 1,000-receipt batch
// (~85 KB manifest) and the demo's sample (a 3-receipt batch) — beside the ledger-proof-only check
// the pages made before, in the same run. Baselines are measured in the same run; compare ratios,
// not absolute figures, on a shared machine.
//   node bench/web/verify_bench.mjs [--tongban build/tongban]            (~30 s)
//   node bench/web/verify_bench.mjs --quick [--tongban build/tongban]    (smoke run, CTest web_verify_bench_smoke)
import { createHash, generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { sm3 } = await import(join(root, 'web', 'sm3.js'));
const { sm2Verify } = await import(join(root, 'web', 'sm2.js'));
const merkle = await import(join(root, 'web', 'merkle.js'));
const quick = process.argv.includes('--quick');
const budget = quick ? 50 : 2000;  // ms per measurement

async function rate(fn) {  // calls per second over ~budget ms
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < budget) { await fn(); n++; t = performance.now(); }
  return (n * 1000) / (t - t0);
}
const fmt = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : x >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(1));
const rows = [];
const row = (what, js, base, unit, baseName) =>
  rows.push(`| ${what} | ${fmt(js)} ${unit} | ${baseName}: ${fmt(base)} ${unit} | ${(js / base).toFixed(2)} |`);

for (const size of [64, 16384]) {
  const data = new Uint8Array(randomBytes(size));
  const js = await rate(() => sm3(data));
  const ossl = await rate(() => createHash('sm3').update(data).digest());
  row(`SM3, ${size}-byte messages`, (js * size) / 1e6, (ossl * size) / 1e6, 'MB/s', 'OpenSSL SM3 (node:crypto)');
}

// SM2: a signature OpenSSL made over a checkpoint-sized note; the baseline verifies with OpenSSL.
{
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'SM2' });
  const pub = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }).subarray(-65));
  const msg = Buffer.from(`demo.tongban.example/ledger\n3009\n${randomBytes(32).toString('base64')}\n`);
  const der = sign('sm3', msg, privateKey);
  // node signs with its own ID, so the JS check answers false here, after exactly the same math
  // as a success (r and s in range, one Z_A and e hash, two scalar multiplications).
  const rs = new Uint8Array(64);
  let p = 2;
  for (let k = 0; k < 2; k++) {
    const len = der[p + 1];
    let x = der.subarray(p + 2, p + 2 + len);
    while (x.length > 32 && x[0] === 0) x = x.subarray(1);
    rs.set(x, k * 32 + 32 - x.length);
    p += 2 + len;
  }
  const js = await rate(() => sm2Verify(pub, new Uint8Array(msg), rs));
  const ossl = await rate(() => verify('sm3', msg, publicKey, der));
  row('SM2 signature verification', js, ossl, '/s', 'OpenSSL SM2 verify (node:crypto)');
}

// A 21-hash inclusion proof (a leaf in a 1M-leaf tree), leaf hash included.
{
  const entry = new Uint8Array(randomBytes(96));
  const path = Array.from({ length: 20 }, () => new Uint8Array(randomBytes(32)));
  const S = merkle.suiteHash('sm3');
  const W = merkle.suiteHash('sha256');
  const check = async (H) => merkle.rootFromInclusionProof(H, 123456, 1 << 20, await merkle.leafHash(H, entry), path);
  const js = await rate(() => check(S));
  const wc = await rate(() => check(W));
  row('inclusion proof check, 1M-leaf tree (21 hashes)', js, wc, '/s', 'same with WebCrypto SHA-256');
}

console.log('| what | pages\' JS | baseline, same run | ratio |\n|---|---|---|---|');
console.log(rows.join('\n'));

// The whole receipt check, on answers the real server makes now.
const tongbanArg = process.argv.indexOf('--tongban');
if (tongbanArg > 0) {
  const { citizenId, startDemo } = await import(join(root, 'tests', 'web', 'demo_server.mjs'));
  const demo = await startDemo(process.argv[tongbanArg + 1]);
  try {
    globalThis.localStorage ||= { getItem: () => null, setItem() {} };  // shell.js reads the language
    const realFetch = globalThis.fetch;
    globalThis.fetch = (u, o) => realFetch(typeof u === 'string' && u.startsWith('/') ? demo.base + u : u, o);
    const call = async (path, body) => {
      const headers = { Accept: 'application/json', Authorization: `Bearer ${demo.hospitalKey}` };
      if (body) Object.assign(headers, { 'Content-Type': 'application/json', 'Idempotency-Key': `bench-${Date.now()}` });
      const r = await realFetch(demo.base + path, { method: body ? 'POST' : 'GET', headers, body: body && JSON.stringify(body) });
      if (!r.ok) throw new Error(`${path} → ${r.status} ${await r.text()}`);
      return r.json();
    };
    const item = { category: '检查费', name: '血常规', quantity: 1, unit_fen: 2500, amount_fen: 2500 };
    const batch = await call('/api/v1/receipts', { receipts: Array.from({ length: 1000 }, (_, i) => ({
      kind: 'outpatient', payer_id_number: citizenId(`330106198503${String(10000 + i).slice(-5)}`), payer_name: '张伟',
      channel: 'wechat', items: [item], total_fen: 2500, insurance_fen: 1500, self_fen: 1000 })) });
    const picked = batch.receipts[500];
    const v = await import(join(root, 'web', 'verifier.js'));
    const { checkInclusionProof } = await import(join(root, 'web', 'proof.js'));
    const receiptRows = [];
    for (const [what, code, number] of [['1,000-receipt batch', picked.code, picked.number],
      ['3-receipt batch (demo sample)', demo.sample.code, demo.sample.number]]) {
      const qr = (await call(`/api/v1/receipts/${code}/${number}`)).qr_text;
      const answer = await v.verifyReceiptQr(qr);
      const c = await v.checkReceiptAnswer(answer, { qr });  // warms the key caches
      if (c.checks.verdict !== 'verified') throw new Error(`${what}: ${JSON.stringify(c.checks.checks)}`);
      const full = await rate(() => v.checkReceiptAnswer(answer, { qr }));
      const proofOnly = await rate(() => checkInclusionProof(answer.ledger, { document: answer.document }));
      receiptRows.push(`| whole receipt check, ${what}, manifest ${(answer.batch.manifest.length / 1024).toFixed(1)} KB | ` +
        `${(1000 / full).toFixed(1)} ms | ledger proof only (the check before): ${(1000 / proofOnly).toFixed(1)} ms | ${(full / proofOnly).toFixed(2)} |`);  // < 1: slower than the baseline
    }
    console.log('\n| receipt check (SM2, gm) | time per check | baseline, same run | ratio (rate / baseline rate) |\n|---|---|---|---|');
    console.log(receiptRows.join('\n'));
  } finally {
    await demo.stop();
  }
}
