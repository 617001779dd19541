// The checks `tongban verify-receipt` makes offline (docs/receipt.md, "Checking a receipt
// offline"), made in the browser on a verify answer fetched with `&manifest=1`: the ledger proof
// (its result comes from proof.js), the document's hash, the receipt's line in the signed batch
// manifest, the issuer's and the finance department's signatures over the manifest, and the QR
// text's finance signature. Trusts only the keys it is given (GET /api/v1/receipts/keys, and the
// log key proof.js fetched); treats the answer as untrusted. No DOM and no fetch: every text is
// {zh, en} data for the page to render, so node runs it too (tests/web/unit.mjs,
// bench/web/verify_bench.mjs). Pure apart from WebCrypto (Ed25519) and timing; safe to call from
// anywhere.

import { sm2Verify } from './sm2.js';
import { ed25519Verify } from './note.js';
import { equalBytes, fromBase64, fromBase64Url, toHex, utf8 } from './encoding.js';

const MANIFEST_HEADER = 'tongban-receipt-batch/1\n';
const DOCUMENT_HEADER = 'tongban-receipt/1\n';

// The receipt's line of a batch manifest: code "/" number SP 64HEXDIG LF (docs/receipt.md).
export const manifestLine = (code, number, documentHash) => `${code}/${number} ${toHex(documentHash)}\n`;

// True when `manifest` is a version-1 batch manifest listing `line` as a whole line.
export function manifestLists(manifest, line) {
  return typeof manifest === 'string' && manifest.startsWith(MANIFEST_HEADER) && manifest.includes(`\n${line}`);
}

// The "key: value" fields of a canonical receipt document (the first of each; items repeat and
// are not needed here). Returns null when it is not a version-1 document.
export function documentFields(text) {
  if (typeof text !== 'string' || !text.startsWith(DOCUMENT_HEADER) || !text.endsWith('\n')) return null;
  const out = {};
  for (const line of text.slice(DOCUMENT_HEADER.length, -1).split('\n')) {
    const cut = line.indexOf(': ');
    if (cut <= 0) return null;
    const k = line.slice(0, cut);
    if (!(k in out)) out[k] = line.slice(cut + 2);
  }
  for (const k of ['code', 'number', 'check', 'issuer', 'total_fen']) if (!(k in out)) return null;
  return out;
}

// qr-text = "TBR1." code "." number "." check "." total-fen "." date "." base64url(signature), as
// strictly as the C++ ParseQrText. Returns {code, number, check, total_fen, date, payload,
// signature} or throws with a reason.
export function parseQrText(text) {
  if (typeof text !== 'string' || !text.startsWith('TBR1.')) throw new Error('not a receipt QR (must start with TBR1.)');
  if (text.length > 256) throw new Error('QR text is too long');
  const parts = text.split('.');
  if (parts.length !== 7) throw new Error(`QR text has ${parts.length} parts, not 7`);
  const [, code, number, check, total, date, sig] = parts;
  if (!/^[0-9]{8}$/.test(code)) throw new Error('receipt code must be 8 digits');
  if (!/^[0-9]{10}$/.test(number) || /^0+$/.test(number)) throw new Error('receipt number must be 10 digits');
  if (!/^[0-9A-HJ-NP-Z]{6}$/.test(check)) throw new Error('check code must be 6 of 0-9 A-Z without I and O');
  if (!/^(0|[1-9][0-9]{0,17})$/.test(total)) throw new Error('total is not a whole number of fen');
  if (!/^[0-9]{8}$/.test(date)) throw new Error('date must be YYYYMMDD');
  const signature = fromBase64Url(sig);
  if (!signature || signature.length !== 64) throw new Error('signature must be 64 bytes of base64url');
  return { code, number, check, total_fen: total, date, payload: text.slice(0, text.length - sig.length - 1), signature };
}

// A DER ECDSA-Sig-Value (SEQUENCE { INTEGER r, INTEGER s }), as OpenSSL writes SM2 signatures,
// to the fixed 64-byte r||s; strict (definite minimal lengths, positive minimal integers, nothing
// after). Returns null for anything else.
export function derToRaw(der) {
  if (!der || der.length < 8 || der[0] !== 0x30 || der[1] !== der.length - 2 || der[1] > 0x7f) return null;
  const out = new Uint8Array(64);
  let p = 2;
  for (let k = 0; k < 2; k++) {
    if (der[p] !== 0x02) return null;
    const len = der[p + 1];
    if (len < 1 || len > 33 || p + 2 + len > der.length) return null;
    let v = der.subarray(p + 2, p + 2 + len);
    if (v[0] & 0x80) return null;  // negative
    if (v.length > 1 && v[0] === 0 && !(v[1] & 0x80)) return null;  // not minimal
    if (v[0] === 0) v = v.subarray(1);
    if (v.length > 32) return null;
    out.set(v, k * 32 + 32 - v.length);
    p += 2 + len;
  }
  return p === der.length ? out : null;
}

// Verifies `sig` (wire form: SM2 DER, or with raw=true 64-byte r||s; Ed25519 64 bytes) by `pub`
// (raw key) over `message` (bytes). true | false | null (the browser cannot check Ed25519).
export async function verifySignature(algorithm, pub, message, sig, { raw = false } = {}) {
  if (!pub || !sig) return false;
  if (algorithm === 'sm2') {
    const rs = raw ? sig : derToRaw(sig);
    return Boolean(rs) && rs.length === 64 && pub.length === 65 && sm2Verify(pub, message, rs);
  }
  if (algorithm === 'ed25519') {
    return pub.length === 32 && sig.length === 64 ? ed25519Verify(pub, message, sig) : false;
  }
  return false;
}

const KEY_LENGTH = { sm2: 65, ed25519: 32 };

function decodeKey(algorithm, b64) {
  const k = fromBase64(b64);
  return k && k.length === KEY_LENGTH[algorithm] && (algorithm !== 'sm2' || k[0] === 4) ? k : null;
}

// The issuer's key for this receipt. Two formats of GET /api/v1/receipts/keys: one key for the
// deployment {"algorithm", "issuer", "finance"}, or per hospital {"algorithm", "finance",
// "issuers": [{uscc, name, key_id, key, current}]}, where the answer's batch.issuer_key_id names
// the issuer's key. Returns {key, detail} or {error: {zh, en}, detail}.
export function issuerKeyFor(keys, uscc, keyId) {
  const alg = keys && keys.algorithm;
  if (keys && Array.isArray(keys.issuers)) {
    if (typeof keyId !== 'string' || !keyId) {
      return { error: { zh: '答复未写明开票单位密钥编号 (batch.issuer_key_id)', en: 'The answer names no issuer key (batch.issuer_key_id)' }, detail: uscc || '—' };
    }
    const e = keys.issuers.find((x) => x && x.uscc === uscc && x.key_id === keyId);
    if (!e) {
      return { error: { zh: '公布的密钥中没有该开票单位的此密钥', en: 'No published key of this issuer has that key ID' }, detail: `${uscc || '—'} · ${keyId}` };
    }
    const key = decodeKey(alg, e.key);
    if (!key) return { error: { zh: '开票单位公钥格式不正确', en: 'The issuer\'s published key is malformed' }, detail: `${uscc} · ${keyId}` };
    return { key, detail: `${e.name || uscc} · ${keyId}` };
  }
  const key = keys ? decodeKey(alg, keys.issuer) : null;
  if (!key) return { error: { zh: '没有有效的开票单位公钥', en: 'No valid issuer key was published' }, detail: '—' };
  return { key, detail: uscc || '' };
}

const check = (name, ok, zh, en, detail = '') => ({ name, ok, zh, en, detail });

// Runs the checks after the ledger proof. `answer`: the verify answer (with batch.manifest);
// `ledger`: the result of proof.js checkInclusionProof on answer.ledger (or null when the answer
// has none); `H`: the log's suite hash (async bytes → 32 bytes); `keys`: the published receipt
// keys, or an Error when they could not be fetched; `qr`: the QR text verified, when it came from
// a QR. Returns {verdict: "verified" | "failed" | "incomplete", checks: [{name, ok, zh, en,
// detail}], ms} — one check per name: ledger, document, manifest, issuer, finance[, qr].
export async function checkReceipt(answer, { ledger, H, keys, qr } = {}) {
  const t0 = (globalThis.performance || Date).now();
  const checks = [];
  const rec = (answer && answer.receipt) || {};
  const code = String(rec.code || '');
  const number = String(rec.number || '');

  // 1. The ledger: every step of the proof check (the document step is check 2), signed by the log,
  // and a receipt.issue entry.
  const entry = ledger && ledger.entry;
  if (!ledger) {
    checks.push(check('ledger', false, '答复中没有账本证明', 'The answer carries no ledger proof', answer && answer.ledger_reason));
  } else {
    const steps = ledger.steps.filter((s) => s.id !== 'document');
    const failed = steps.find((s) => s.ok === false);
    const logSig = (ledger.signatures || []).find((s) => s.kind === 'log');
    if (failed) {
      checks.push(check('ledger', false, `账本证明未通过：${failed.zh}`, `Ledger proof failed: ${failed.en}`, failed.detail));
    } else if (!entry || entry.type !== 'receipt.issue') {
      checks.push(check('ledger', false, '账本条目不是开票记录 (receipt.issue)', 'The ledger entry is not a receipt.issue', entry ? entry.type : '—'));
    } else if (!logSig || logSig.ok !== true) {
      checks.push(check('ledger', null, '包含证明已核对，本浏览器无法核对检查点签名', 'Inclusion proof checked; this browser cannot check the checkpoint signature',
        `#${entry.index}`));
    } else {
      checks.push(check('ledger', true, '账本已收录此票据的开票记录，检查点签名有效', 'The log holds this receipt\'s issue entry under a valid checkpoint signature',
        `#${entry.index} · ${ledger.checkpoint.origin} · size ${ledger.checkpoint.size}`));
    }
  }
  const docHash = entry ? entry.document : null;  // what the ledger committed to

  // 2. The document. Its fields are used below (issuer, check code, total) only once it passed.
  let fields = null;
  if (typeof answer.document === 'string') {
    const dh = H ? await H(utf8(answer.document)) : null;
    const parsed = documentFields(answer.document);
    if (!docHash) {
      checks.push(check('document', false, '没有可比对的账本条目', 'No ledger entry to compare the document with', dh ? toHex(dh) : ''));
    } else if (!equalBytes(dh, docHash)) {
      checks.push(check('document', false, '文书的哈希与账本所记不符', 'The document does not hash to the ledger entry\'s document hash', toHex(dh)));
    } else if (!parsed) {
      checks.push(check('document', false, '文书格式不正确', 'The document is malformed', toHex(dh)));
    } else if (parsed.code !== code || parsed.number !== number) {
      checks.push(check('document', false, '文书是另一张票据的', 'The document is another receipt\'s', `${parsed.code}/${parsed.number}`));
    } else {
      fields = parsed;
      checks.push(check('document', true, '文书的哈希与账本所记一致', 'The document hashes to the ledger entry\'s document hash', toHex(dh)));
    }
  } else if (answer.status === 'destroyed') {
    checks.push(check('document', true, '已核销：文书已删除，账本所记哈希在下一步核对', 'Destroyed: no document any more; the ledger\'s hash is checked next',
      docHash ? toHex(docHash) : '—'));
  } else {
    checks.push(check('document', false, '答复中没有票据文书', 'The answer carries no document'));
  }

  // 3. The receipt's line in the batch manifest.
  const batch = (answer && answer.batch) || {};
  const manifest = typeof batch.manifest === 'string' ? batch.manifest : null;
  const line = docHash ? manifestLine(code, number, docHash) : '';
  if (!manifest) {
    checks.push(check('manifest', false, '答复中没有批次清单', 'The answer carries no batch manifest'));
  } else if (!docHash) {
    checks.push(check('manifest', false, '没有账本条目，无法核对批次清单', 'No ledger entry to look up in the batch manifest'));
  } else if (!manifestLists(manifest, line)) {
    checks.push(check('manifest', false, '批次清单中没有本票据及其账本哈希', 'The batch manifest does not list this receipt with the ledger\'s hash', line.trim()));
  } else {
    checks.push(check('manifest', true, '批次清单列有本票据及其账本哈希', 'The batch manifest lists this receipt with the ledger\'s hash', line.trim()));
  }

  // 4, 5. The two signatures over the manifest bytes (encoded once for both).
  const alg = keys && !(keys instanceof Error) ? keys.algorithm : null;
  const bytes = manifest !== null ? utf8(manifest) : null;
  const algName = alg ? alg.toUpperCase() : '';
  const finance = alg ? decodeKey(alg, keys.finance) : null;
  // The issuer whose key must have signed: the checked document's, else (a destroyed receipt) the
  // manifest's own "issuer:" line, else the answer's. With per-hospital keys the key is chosen by
  // it, so a manifest naming another issuer than the document fails here (stricter than the CLI,
  // which has one issuer key).
  const manifestIssuer = manifest ? (/^issuer: (\S+)$/m.exec(manifest) || [])[1] : undefined;
  const issuerUscc = (fields && fields.issuer) || manifestIssuer || rec.issuer;
  const issuerKey = !alg ? null
    : fields && manifestIssuer && manifestIssuer !== fields.issuer
      ? { error: { zh: '批次清单所记开票单位与文书不同', en: 'The batch manifest names another issuer than the document' },
          detail: `${manifestIssuer} ≠ ${fields.issuer}` }
      : issuerKeyFor(keys, issuerUscc, batch.issuer_key_id);
  const signers = [
    ['issuer', '开票单位', 'issuer', 'issuer_signature', issuerKey],
    ['finance', '财政部门', 'finance department', 'finance_signature',
     finance ? { key: finance, detail: '' } : { error: { zh: '没有有效的财政部门公钥', en: 'No valid finance key was published' }, detail: '—' }],
  ];
  for (const [name, zh, en, field, k] of signers) {
    if (!alg || (alg !== 'sm2' && alg !== 'ed25519')) {
      checks.push(check(name, false, `无法取得${zh}公钥`, `The ${en} key could not be obtained`, keys instanceof Error ? keys.message : String(alg)));
      continue;
    }
    if (k.error) {
      checks.push(check(name, false, k.error.zh, k.error.en, k.detail));
      continue;
    }
    const sig = fromBase64(batch[field]);
    if (!sig) {
      checks.push(check(name, false, `答复中没有${zh}签名`, `The answer carries no ${en} signature`, field));
      continue;
    }
    const ok = bytes ? await verifySignature(alg, k.key, bytes, sig) : false;
    const detail = `${algName}${k.detail ? ` · ${k.detail}` : ''}`;
    if (ok === null) {
      checks.push(check(name, null, `本浏览器无法核对${zh}签名 (${algName})`, `This browser cannot check the ${en} signature (${algName})`, detail));
    } else if (ok) {
      checks.push(check(name, true, `${zh}对批次清单的签名有效`, `The ${en}'s signature over the batch manifest is valid`, detail));
    } else {
      checks.push(check(name, false, `${zh}对批次清单的签名无效`, `The ${en}'s signature over the batch manifest does not verify`, detail));
    }
  }

  // 6. The QR text: signed by the finance key, naming this receipt, its check code and total.
  if (qr) {
    let q = null;
    try {
      q = parseQrText(qr.trim());
    } catch (e) {
      checks.push(check('qr', false, '二维码内容格式不正确', 'The QR text is malformed', e.message));
    }
    if (q) {
      const ok = finance ? await verifySignature(alg, finance, utf8(q.payload), q.signature, { raw: true }) : false;
      const detail = `${q.code}/${q.number} · ${q.check} · ${q.total_fen} fen · ${q.date}`;
      if (ok === null) {
        checks.push(check('qr', null, `本浏览器无法核对二维码签名 (${algName})`, `This browser cannot check the QR signature (${algName})`, detail));
      } else if (!ok) {
        checks.push(check('qr', false, '二维码签名不是财政部门的', 'The QR text\'s signature is not the finance department\'s', detail));
      } else if (q.code !== code || q.number !== number ||
                 (fields && (q.check !== fields.check || q.total_fen !== fields.total_fen))) {
        checks.push(check('qr', false, '二维码已签名，但所记票据或金额与此票据不同', 'The QR text is signed but names another receipt or total', detail));
      } else {
        checks.push(check('qr', true, '财政部门对二维码的签名有效，票据号码、校验码与金额一致', 'The finance department signed the QR text; code, number, check code and total match', detail));
      }
    }
  }
  const verdict = checks.some((c) => c.ok === false) ? 'failed' : checks.some((c) => c.ok !== true) ? 'incomplete' : 'verified';
  return { verdict, checks, ms: (globalThis.performance || Date).now() - t0 };
}
