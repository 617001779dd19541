// Unit tests of the pages' verification code, run in node (same ES modules the browser loads):
// SM3 against GB/T 32905's two examples and OpenSSL's SM3 (node:crypto) on 0..300-byte inputs;
// SM2 verification against signatures made by the `openssl` command; RFC 6962's 8-leaf tree
// (roots, every inclusion and consistency proof, tampered proofs rejected); signed-note vectors
// (Go x/mod Ed25519 note verifies, the corrupted one does not); checkpoint and key parsing; the
// checks tying a licence's ledger document to the verification answer shown; the receipt
// checker's parsers (DER signatures, QR text, manifest lines, base64url); and, with --tongban,
// the receipt checker against answers the real server makes in this run (receipt_answers.mjs,
// under the gm and the intl suite).
//   node tests/web/unit.mjs [--tongban build/tongban]       (CTest: web_unit_test)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const web = (m) => import(join(root, 'web', m));
const { sm3 } = await web('sm3.js');
const { sm2Verify } = await web('sm2.js');
const { fromHex, toHex, fromBase64, fromBase64Url, toBase64, utf8 } = await web('encoding.js');
const merkle = await web('merkle.js');
const note = await web('note.js');
const rc = await web('receipt_check.js');

let passed = 0;
async function test(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok   ${name}`);
  } catch (e) {
    console.log(`FAIL ${name}\n${e.stack}`);
    process.exitCode = 1;
  }
}

await test('SM3 GB/T 32905 example 1 ("abc")', () => {
  assert.equal(toHex(sm3('abc')), '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
});
await test('SM3 GB/T 32905 example 2 ("abcd" x 16)', () => {
  assert.equal(toHex(sm3('abcd'.repeat(16))), 'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732');
});
await test('SM3 equals OpenSSL SM3 for every length 0..300 and a 1 MB input', () => {
  for (let n = 0; n <= 300; n++) {
    const d = randomBytes(n);
    assert.equal(toHex(sm3(new Uint8Array(d))), createHash('sm3').update(d).digest('hex'), `length ${n}`);
  }
  const big = randomBytes(1 << 20);
  assert.equal(toHex(sm3(new Uint8Array(big))), createHash('sm3').update(big).digest('hex'));
});

await test('SM2 verifies signatures made by openssl (default ID), rejects altered ones', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-sm2-'));
  try {
    const o = (...a) => execFileSync('openssl', a, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    o('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:SM2', '-out', 'k.pem');
    o('pkey', '-in', 'k.pem', '-pubout', '-outform', 'DER', '-out', 'pub.der');
    const pub = new Uint8Array(readFileSync(join(dir, 'pub.der')).subarray(-65));
    for (let i = 0; i < 3; i++) {
      const msg = utf8(`tongban.example/gm\n${3009 + i}\n${toBase64(randomBytes(32))}\n`);
      writeFileSync(join(dir, 'm'), msg);
      o('pkeyutl', '-sign', '-in', 'm', '-inkey', 'k.pem', '-rawin', '-digest', 'sm3',
        '-pkeyopt', 'distid:1234567812345678', '-out', 's.der');
      const der = readFileSync(join(dir, 's.der'));
      // DER SEQUENCE { INTEGER r, INTEGER s } → fixed 64-byte r||s, as notes carry it.
      let p = 2;
      const ints = [];
      for (let k = 0; k < 2; k++) {
        const len = der[p + 1];
        let v = der.subarray(p + 2, p + 2 + len);
        while (v.length > 32 && v[0] === 0) v = v.subarray(1);
        const b = new Uint8Array(32);
        b.set(v, 32 - v.length);
        ints.push(b);
        p += 2 + len;
      }
      const sig = new Uint8Array([...ints[0], ...ints[1]]);
      assert.equal(sm2Verify(pub, msg, sig), true);
      // The receipt checker reads the DER form itself (batch signatures are DER).
      assert.deepEqual(rc.derToRaw(new Uint8Array(der)), sig);
      assert.equal(await rc.verifySignature('sm2', pub, msg, new Uint8Array(der)), true);
      assert.equal(await rc.verifySignature('sm2', pub, msg, sig, { raw: true }), true);
      assert.equal(await rc.verifySignature('sm2', pub, msg, sig), false, 'raw bytes are not DER');
      const bad = msg.slice(); bad[5] ^= 1;
      assert.equal(sm2Verify(pub, bad, sig), false);
      const badSig = sig.slice(); badSig[63] ^= 1;
      assert.equal(sm2Verify(pub, msg, badSig), false);
      assert.equal(sm2Verify(pub, msg, sig, 'another-id'), false);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const v = JSON.parse(readFileSync(join(root, 'tests/vectors/ledger/rfc6962-8leaf.json'), 'utf8'));
const H = merkle.suiteHash('sha256');
const leaves = await Promise.all(v.leaves_hex.map((x) => merkle.leafHash(H, fromHex(x))));
await test('RFC 6962 8-leaf tree: every inclusion proof verifies; altered ones do not', async () => {
  for (const c of v.inclusion) {
    const path = c.proof_hex.map(fromHex);
    const rootHash = fromHex(v.roots_hex[c.size]);
    assert.equal(await merkle.verifyInclusion(H, c.index, c.size, leaves[c.index], path, rootHash), true, JSON.stringify(c));
    if (path.length) {
      const bad = path.slice(); bad[0] = leaves[7];
      assert.equal(await merkle.verifyInclusion(H, c.index, c.size, leaves[c.index], bad, rootHash), false);
      assert.equal(await merkle.verifyInclusion(H, c.index, c.size, leaves[c.index], path.slice(1), rootHash), false);
    }
    assert.equal(await merkle.verifyInclusion(H, c.size, c.size, leaves[c.index], path, rootHash), false);
  }
});
await test('RFC 6962 8-leaf tree: every consistency proof verifies; altered ones do not', async () => {
  for (const c of v.consistency) {
    const path = c.proof_hex.map(fromHex);
    const r1 = fromHex(v.roots_hex[c.size1]);
    const r2 = fromHex(v.roots_hex[c.size2]);
    assert.equal(await merkle.verifyConsistency(H, c.size1, c.size2, r1, r2, path), true, JSON.stringify(c));
    if (c.size1 !== c.size2) {
      assert.equal(await merkle.verifyConsistency(H, c.size1, c.size2, r2, r1, path), false);
      if (path.length) assert.equal(await merkle.verifyConsistency(H, c.size1, c.size2, r1, r2, path.slice(0, -1)), false);
    }
  }
  assert.equal(await merkle.verifyConsistency(H, 0, 8, fromHex(v.roots_hex[0]), fromHex(v.roots_hex[8]), []), false);
});
await test('SM3 tree hashing: leaf = SM3(0x00 || x), node = SM3(0x01 || l || r)', async () => {
  const S = merkle.suiteHash('sm3');
  const a = await merkle.leafHash(S, utf8('a'));
  assert.equal(toHex(a), createHash('sm3').update(Buffer.from([0, 0x61])).digest('hex'));
  const n = await merkle.nodeHash(S, a, a);
  assert.equal(toHex(n), createHash('sm3').update(Buffer.concat([Buffer.from([1]), a, a])).digest('hex'));
});

const nv = JSON.parse(readFileSync(join(root, 'tests/vectors/ledger/signed-note-vectors.json'), 'utf8'));
await test('signed note: Go x/mod Ed25519 vector verifies, the corrupted signature does not', async () => {
  const c = nv.notes.find((n) => n.id === 'go-peter-only');
  const key = note.parseVerifierKey(c.vkeys[0]);
  assert.equal(key.type, 'ed25519');
  assert.equal(await note.keyIdMatches(key), true);
  const parsed = note.parseNote(c.note);
  assert.equal(parsed.signatures[0].name, 'PeterNeumann');
  // checkNoteSignatures expects a checkpoint body; check the signature directly through it by
  // building the verdict from the same primitive.
  const ok = await crypto.subtle.verify({ name: 'Ed25519' },
    await crypto.subtle.importKey('raw', key.pub, { name: 'Ed25519' }, false, ['verify']),
    parsed.signatures[0].sig, utf8(parsed.text));
  assert.equal(ok, true);
  assert.throws(() => note.parseNote(nv.must_reject_malformed.cases[0]));
  const bad = note.parseNote(nv.invalid_signature_case.note);
  const badOk = bad.signatures[0].sig.length === 64 && await crypto.subtle.verify({ name: 'Ed25519' },
    await crypto.subtle.importKey('raw', key.pub, { name: 'Ed25519' }, false, ['verify']),
    bad.signatures[0].sig, utf8(bad.text));
  assert.equal(badOk, false);
  for (const k of nv.must_reject_bad_vkeys) assert.throws(() => note.parseVerifierKey(k));
});
await test('checkpoint parsing: Go sumdb tree text; bad size and root rejected', () => {
  const cp = note.parseCheckpoint(nv.go_sumdb_tree_format.text);
  assert.equal(cp.origin, 'go.sum database tree');
  assert.equal(cp.size, 123456789012n);
  assert.throws(() => note.parseCheckpoint('o\n012\nAAAA\n'));
  assert.throws(() => note.parseCheckpoint(`o\n1\n${toBase64(new Uint8Array(31))}\n`));
  assert.throws(() => note.parseCheckpoint('o\n1\n'));
});
await test('cosignature key (type 0x04) parses with a matching key ID', async () => {
  const k = note.parseVerifierKey(nv.other_known_vkeys['formats cosigv1 remora.n621.de (type 0x04)']);
  assert.equal(k.type, 'cosignature');
  assert.equal(await note.keyIdMatches(k), true);
});
await test('checkpoint note: the log\'s Ed25519 signature and a witness cosignature verify; tampering is caught', async () => {
  const { generateKeyPairSync, sign } = await import('node:crypto');
  const rawPub = (k) => new Uint8Array(k.export({ type: 'spki', format: 'der' }).subarray(-32));
  const keyId = (name, type, pub) => createHash('sha256').update(Buffer.concat([Buffer.from(`${name}\n`), Buffer.from([type]), pub])).digest().subarray(0, 4);
  const log = generateKeyPairSync('ed25519');
  const wit = generateKeyPairSync('ed25519');
  const logPub = rawPub(log.publicKey);
  const witPub = rawPub(wit.publicKey);
  const logKey = `example.com/log+${Buffer.from(keyId('example.com/log', 1, logPub)).toString('hex')}+${toBase64(new Uint8Array([1, ...logPub]))}`;
  const witKey = `witness.example+${Buffer.from(keyId('witness.example', 4, witPub)).toString('hex')}+${toBase64(new Uint8Array([4, ...witPub]))}`;
  const text = `example.com/log\n12\n${toBase64(new Uint8Array(32).fill(7))}\n`;
  const logSig = Buffer.concat([keyId('example.com/log', 1, logPub), sign(null, Buffer.from(text), log.privateKey)]);
  const t = 1764633600n;
  const ts = Buffer.alloc(8); ts.writeBigUInt64BE(t);
  const cosig = Buffer.concat([keyId('witness.example', 4, witPub), ts,
    sign(null, Buffer.from(`cosignature/v1\ntime ${t}\n${text}`), wit.privateKey)]);
  const noteText = `${text}\n\u2014 example.com/log ${logSig.toString('base64')}\n\u2014 witness.example ${cosig.toString('base64')}\n`;
  const lk = note.parseVerifierKey(logKey);
  const wk = note.parseVerifierKey(witKey);
  assert.equal(await note.keyIdMatches(lk), true);
  assert.equal(await note.keyIdMatches(wk), true);
  let r = await note.checkNoteSignatures(noteText, lk, [wk]);
  assert.equal(r.checkpoint.size, 12n);
  assert.deepEqual(r.signatures.map((x) => [x.kind, x.ok]), [['log', true], ['cosignature', true]]);
  assert.equal(r.signatures[1].time.getTime(), Number(t) * 1000);
  r = await note.checkNoteSignatures(noteText, lk);  // witness key not given: listed, not checked
  assert.deepEqual(r.signatures.map((x) => [x.kind, x.ok]), [['log', true], ['cosignature', null]]);
  const forged = noteText.replace('\n12\n', '\n13\n');
  r = await note.checkNoteSignatures(forged, lk, [wk]);
  assert.deepEqual(r.signatures.map((x) => [x.kind, x.ok]), [['log', false], ['cosignature', false]]);
});
await test('base64 is strict', () => {
  assert.equal(fromBase64('AAA'), null);
  assert.equal(fromBase64('AA=A'), null);
  assert.deepEqual([...fromBase64('AAE=')], [0, 1]);
});


await test('licence ledger document: names the licence, its status and expiry; a mismatch fails', async () => {
  globalThis.localStorage ||= { getItem: () => null, setItem() {} };  // shell.js reads the language
  const { licenseDocumentSteps } = await web('verifier.js');
  const id = '1.2.156.3005.2.11100000G000000015Q001.11330000P000010133.0000001.01.K';
  const doc = { action: 'revoke', license_id: id, status: 'revoked', expires_at: 1893456000 };
  const answer = (status, d, license = { id, expires_at: '2030-01-01T00:00:00Z' }) =>
    ({ status, license, ledger: { document: JSON.stringify(d) } });
  const entry = { type: 'license.revoke' };
  const ok = (steps) => steps.every((s) => s.ok !== false);
  assert.ok(ok(licenseDocumentSteps(answer('revoked', doc), entry)));
  assert.ok(!ok(licenseDocumentSteps(answer('valid', doc), entry)), 'status shown differs from the ledger');
  assert.ok(!ok(licenseDocumentSteps(answer('revoked', { ...doc, license_id: `${id}X` }), entry)), 'another licence');
  assert.ok(!ok(licenseDocumentSteps(answer('revoked', doc), { type: 'license.issue' })), 'entry of another event');
  assert.ok(!ok(licenseDocumentSteps(answer('revoked', { ...doc, expires_at: 1 }), entry)), 'another expiry');
  // A superseded licence: the renewal that names it as previous proves it revoked (superseded).
  const renewal = { action: 'renew', license_id: `${id.slice(0, -4)}02.X`, previous: id, status: 'valid', expires_at: 2000000000 };
  assert.ok(ok(licenseDocumentSteps(answer('revoked', renewal), { type: 'license.renew' })));
  // Expiry by the clock alone: the ledger still says valid.
  assert.ok(ok(licenseDocumentSteps(answer('expired', { ...doc, action: 'issue', status: 'valid' }), { type: 'license.issue' })));
  assert.ok(!ok(licenseDocumentSteps({ status: 'valid', license: { id }, ledger: { document: '{' } }, entry)));
});

await test('receipt checker: DER signatures are read strictly', () => {
  const int = (b) => [0x02, b.length, ...b];
  const seq = (...parts) => new Uint8Array([0x30, parts.flat().length, ...parts.flat()]);
  const r = Array(32).fill(0x11);
  const hi = [0x00, 0x90, ...Array(31).fill(0x22)];  // a high bit needs its leading zero
  const ok = rc.derToRaw(seq(int(r), int(hi)));
  assert.deepEqual([...ok], [...r, 0x90, ...Array(31).fill(0x22)]);
  assert.deepEqual([...rc.derToRaw(seq(int([5]), int([7])))].filter((x) => x), [5, 7]);  // short integers left-padded
  assert.equal(rc.derToRaw(seq(int([0x90, ...Array(31).fill(1)]), int(r))), null, 'negative');
  assert.equal(rc.derToRaw(seq(int([0, 0x11]), int(r))), null, 'non-minimal');
  assert.equal(rc.derToRaw(seq(int([1, ...r]), int(r))), null, 'more than 32 bytes');
  const trailing = seq(int(r), int(r));
  assert.equal(rc.derToRaw(new Uint8Array([...trailing, 0])), null, 'bytes after the sequence');
  assert.equal(rc.derToRaw(seq(int(r))), null, 'one integer');
  assert.equal(rc.derToRaw(new Uint8Array(64)), null, 'raw r||s is not DER');
});
await test('receipt checker: QR text parsed as strictly as the C++ (7 parts, formats, 64-byte base64url signature)', () => {
  const sig = toBase64(new Uint8Array(64).fill(0xfb)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  const q = rc.parseQrText(`TBR1.33040126.0000000001.TSJ64M.7200.20261202.${sig}`);
  assert.equal(q.payload, 'TBR1.33040126.0000000001.TSJ64M.7200.20261202');
  assert.deepEqual([q.code, q.number, q.check, q.total_fen, q.date], ['33040126', '0000000001', 'TSJ64M', '7200', '20261202']);
  assert.equal(q.signature.length, 64);
  for (const bad of [`TBR2.33040126.0000000001.TSJ64M.7200.20261202.${sig}`, `TBR1.3304012.0000000001.TSJ64M.7200.20261202.${sig}`,
    `TBR1.33040126.0000000000.TSJ64M.7200.20261202.${sig}`, `TBR1.33040126.0000000001.TSJ6OM.7200.20261202.${sig}`,
    `TBR1.33040126.0000000001.TSJ64M.07200.20261202.${sig}`, `TBR1.33040126.0000000001.TSJ64M.-1.20261202.${sig}`,
    `TBR1.33040126.0000000001.TSJ64M.7200.2026122.${sig}`, `TBR1.33040126.0000000001.TSJ64M.7200.20261202.${sig}A`,
    `TBR1.33040126.0000000001.TSJ64M.7200.20261202.${sig}=`, `TBR1.33040126.0000000001.TSJ64M.7200.20261202.${sig}.x`,
    'TBR1.33040126.0000000001.TSJ64M.7200.20261202']) {
    assert.throws(() => rc.parseQrText(bad), undefined, bad);
  }
  assert.equal(fromBase64Url('_-8A9'), null, 'a length that is not a whole number of bytes');
  assert.equal(fromBase64Url('_-8='), null, 'padding');
  assert.equal(fromBase64Url('_+8'), null, 'standard base64 alphabet');
  assert.deepEqual([...fromBase64Url('_-8')], [0xff, 0xef]);
});
await test('receipt checker: the manifest lists the receipt only as a whole line of a version-1 manifest', () => {
  const hash = new Uint8Array(32).fill(0xab);
  const line = rc.manifestLine('33040126', '0000000001', hash);
  assert.equal(line, `33040126/0000000001 ${'ab'.repeat(32)}\n`);
  const m = (body) => `tongban-receipt-batch/1\nissuer: 12330100H00000012N\ntime: 2026-12-02T15:42:32Z\ncount: 1\n${body}`;
  assert.ok(rc.manifestLists(m(line), line));
  assert.ok(!rc.manifestLists(m(`1${line}`), line), 'a longer code ending in the same digits');
  assert.ok(!rc.manifestLists(m(line.slice(0, -1)), line), 'no newline after the hash');
  assert.ok(!rc.manifestLists(`tongban-receipt-batch/2${m(line).slice(23)}`, line), 'another manifest version');
  assert.ok(!rc.manifestLists(null, line));
  const doc = 'tongban-receipt/1\ncode: 33040126\nnumber: 0000000001\ncheck: TSJ64M\nissuer: 12330100H00000012N\n' +
    'issuer_name: 杭州市示范第一医院\nitem: 西药费|阿莫西林胶囊 0.25g×24粒|2|1850|3700\nitem: 检查费|血常规|1|2500|2500\ntotal_fen: 6200\n';
  const f = rc.documentFields(doc);
  assert.deepEqual([f.code, f.number, f.check, f.issuer, f.issuer_name, f.total_fen, f.item],
    ['33040126', '0000000001', 'TSJ64M', '12330100H00000012N', '杭州市示范第一医院', '6200', '西药费|阿莫西林胶囊 0.25g×24粒|2|1850|3700']);
  assert.equal(rc.documentFields(doc.replace('tongban-receipt/1', 'tongban-receipt/2')), null);
  assert.equal(rc.documentFields(doc.replace('check: TSJ64M\n', '')), null, 'a required field missing');
  assert.equal(rc.documentFields(doc.slice(0, -1)), null, 'no final newline');
});

// The checker against answers made by the real server in this run (both suites).
const tongbanArg = process.argv.indexOf('--tongban');
if (tongbanArg > 0) {
  for (const suite of ['gm', 'intl']) {
    try {
      process.stdout.write(execFileSync(process.execPath, [join(root, 'tests/web/receipt_answers.mjs'),
        '--tongban', process.argv[tongbanArg + 1], '--suite', suite], { encoding: 'utf8', timeout: 150000 }));
      passed++;
    } catch (e) {
      console.log(`FAIL receipt answers (${suite})\n${e.stdout || ''}${e.stderr || ''}${e.message}`);
      process.exitCode = 1;
    }
  }
} else {
  console.log('skip receipt checker against the real server (no --tongban)');
}

console.log(`${passed} passed${process.exitCode ? ', some FAILED' : ''}`);
