// Checks a ledger inclusion proof in the browser — the JSON object GET
// /api/v1/ledger/proofs/inclusion returns ({index, tree_size, leaf_hash, hashes, entry,
// checkpoint}) — step by step, and renders the steps. The log's key comes from
// /api/v1/ledger/key (trust on first use; a verifier who holds the key from elsewhere can pin it
// with ?key=… on the explorer). Pure apart from that one cached fetch.

import { api, h, L, formatTime } from './shell.js';
import { fromBase64, fromUtf8, readUint64, toHex, utf8, equalBytes } from './encoding.js';
import { leafHash, rootFromInclusionProof, suiteHash } from './merkle.js';
import { checkNoteSignatures, keyIdMatches, parseVerifierKey } from './note.js';

let keyPromise = null;
// {origin, hash, verifier_key, key (parsed), H (hash function)}; fetched once per page.
export function ledgerKey() {
  keyPromise ||= api('/api/v1/ledger/key').then(async (k) => {
    const key = parseVerifierKey(k.verifier_key);
    key.idOk = await keyIdMatches(key).catch(() => null);
    return { ...k, key, H: suiteHash(k.hash) };
  });
  return keyPromise;
}

// entry = version index time subject document type-len type (docs/ledger.md, "Entries").
export function parseEntry(bytes) {
  if (!bytes || bytes.length < 83 || bytes[0] !== 1) throw new Error('not a version-1 entry');
  const typeLen = bytes[81];
  if (bytes.length !== 82 + typeLen) throw new Error('entry length does not match its type length');
  return {
    index: readUint64(bytes, 1),
    time_micros: readUint64(bytes, 9),
    subject: bytes.subarray(17, 49),
    document: bytes.subarray(49, 81),
    type: fromUtf8(bytes.subarray(82)),
  };
}

const step = (ok, zh, en, detail) => ({ ok, zh, en, detail });

// Runs every check; returns {ok, steps, entry, checkpoint, signatures}. `document` (a string) is
// the canonical document text whose hash the entry should hold, when the caller has it.
export async function checkInclusionProof(proof, { document } = {}) {
  const steps = [];
  const k = await ledgerKey();
  const H = k.H;
  steps.push(step(k.key.idOk !== false, '账本公钥格式与密钥编号一致', 'Log key is well formed and its key ID matches',
                  `${k.verifier_key.slice(0, 48)}…`));
  let entryBytes = fromBase64(proof.entry || '');
  let entry = null;
  try {
    entry = parseEntry(entryBytes);
    steps.push(step(entry.index === BigInt(proof.index), '条目中的序号与证明一致', 'Entry index matches the proof',
                    `#${entry.index} · ${entry.type} · ${formatTime(Number(entry.time_micros))}`));
  } catch (e) {
    steps.push(step(false, '条目无法解析', 'Entry cannot be parsed', e.message));
  }
  let leaf = null;
  if (entryBytes) {
    leaf = await leafHash(H, entryBytes);
    steps.push(step(equalBytes(leaf, fromBase64(proof.leaf_hash || '')), `叶子哈希 = ${k.hash.toUpperCase()}(0x00‖条目)`,
                    `Leaf hash = ${k.hash.toUpperCase()}(0x00 ‖ entry)`, toHex(leaf)));
  }
  if (document !== undefined && entry) {
    const dh = await H(utf8(document));
    steps.push({ ...step(equalBytes(dh, entry.document), '文书哈希与账本条目一致', 'Document hash matches the ledger entry', toHex(dh)),
                 id: 'document' });
  }
  let cp = null;
  let signatures = [];
  try {
    const r = await checkNoteSignatures(proof.checkpoint, k.key);
    cp = r.checkpoint;
    signatures = r.signatures;
    const logSig = signatures.find((s) => s.kind === 'log');
    steps.push(step(cp.origin === k.origin, '检查点来源与账本一致', 'Checkpoint origin is the log\'s', cp.origin));
    if (logSig && logSig.ok === null) {
      // An older browser without Ed25519 in WebCrypto: say so rather than pass or fail it.
      steps.push(step(null, `本浏览器无法核对检查点签名 (${k.key.type.toUpperCase()})，请用 tongban verify 离线核对`,
                      `This browser cannot check the checkpoint signature (${k.key.type.toUpperCase()}); check it offline with tongban verify`,
                      `${logSig.name} ${logSig.keyId}`));
    } else {
      steps.push(step(logSig ? logSig.ok : false, `检查点签名有效 (${k.key.type.toUpperCase()})`,
                      `Checkpoint signature is valid (${k.key.type.toUpperCase()})`,
                      logSig ? `${logSig.name} ${logSig.keyId}` : '—'));
    }
    const cos = signatures.filter((s) => s.kind === 'cosignature');
    if (cos.length) {
      steps.push(step(null, `见证人联署 ${cos.length} 个`, `${cos.length} witness cosignature(s)`,
                      cos.map((c) => `${c.name} @ ${formatTime(c.time)}`).join('; ')));
    }
  } catch (e) {
    steps.push(step(false, '检查点无法解析', 'Checkpoint cannot be parsed', e.message));
  }
  if (leaf && cp) {
    const path = (proof.hashes || []).map((x) => fromBase64(x));
    let ok = false;
    let detail = '';
    try {
      if (path.some((p) => !p || p.length !== 32)) throw new Error('a proof hash is not 32 bytes');
      if (BigInt(proof.tree_size) !== cp.size) throw new Error('proof tree size differs from the checkpoint');
      const root = await rootFromInclusionProof(H, proof.index, proof.tree_size, leaf, path);
      ok = equalBytes(root, cp.root);
      detail = `${path.length} hashes → ${toHex(root).slice(0, 16)}… (size ${cp.size})`;
    } catch (e) {
      detail = e.message;
    }
    steps.push(step(ok, '包含证明算出的根与已签名检查点一致', 'Inclusion proof leads to the signed checkpoint root', detail));
  }
  const ok = steps.every((s) => s.ok !== false);
  const signed = signatures.some((s) => s.kind === 'log' && s.ok === true);
  return { ok, signed, steps, entry, checkpoint: cp, signatures };
}

// Renders the result of checkInclusionProof as an accessible list.
export function renderChecks(result) {
  const box = h('div', { className: `checks ${result.ok ? 'good' : 'bad'}`, 'data-proof-ok': String(result.ok) });
  box.append(h('p', { className: 'verdict', role: 'status' },
    !result.ok ? L('✗ 账本证明未通过验证', '✗ Ledger proof did NOT verify')
      : result.signed ? L('✓ 已在本浏览器中验证账本证明', '✓ Ledger proof checked in this browser')
        : L('✓ 包含证明已核对；检查点签名未能在本浏览器核对', '✓ Inclusion proof checked; the checkpoint signature could not be checked in this browser')));
  const ol = h('ol');
  for (const s of result.steps) {
    const mark = s.ok === true ? '✓' : s.ok === false ? '✗' : 'ℹ';
    ol.append(h('li', { className: s.ok === false ? 'fail' : s.ok ? 'pass' : 'info' },
      h('span', { 'aria-hidden': 'true', className: 'mark' }, mark), ' ',
      L(s.zh, s.en), s.ok === false ? L('（失败）', ' (failed)') : '',
      s.detail ? h('code', { className: 'detail' }, s.detail) : ''));
  }
  box.append(ol);
  if (result.entry) {
    box.append(h('p', { className: 'no-print' }, h('a', { href: `/explorer?index=${result.entry.index}` },
      L(`在账本浏览中查看条目 #${result.entry.index}`, `See entry #${result.entry.index} in the ledger explorer`))));
  }
  return box;
}
