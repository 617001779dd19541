// C2SP signed notes and tlog-checkpoints, read and checked in the browser (the formats are in
// docs/ledger.md): parsing a note into text and signature lines, a checkpoint into origin, size
// and root, a verifier key string into name, key ID and public key; verifying the log's Ed25519
// (WebCrypto) or SM2 (sm2.js) signature and recognising witness cosignatures (tlog-cosignature
// v1, type 0x04: key ID || 8-byte timestamp || Ed25519 signature). Pure; no state.

import { sm2Verify } from './sm2.js';
import { concat, fromBase64, readUint64, toHex, utf8 } from './encoding.js';

export const SM2_TYPE = concat(Uint8Array.of(0xff), utf8('tongban-sm2-sm3'));

// Splits a signed note at its last blank line. Returns {text, signatures:[{name, keyId, sig}]} or
// throws with a reason.
export function parseNote(note) {
  const cut = note.lastIndexOf('\n\n');
  if (cut < 0) throw new Error('no signature block');
  const text = note.slice(0, cut + 1);
  const lines = note.slice(cut + 2).split('\n');
  if (lines.pop() !== '') throw new Error('note does not end with a newline');
  const signatures = lines.map((line) => {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m) throw new Error(`malformed signature line: ${line}`);
    const bytes = fromBase64(m[2]);
    if (!bytes || bytes.length < 5) throw new Error(`malformed signature: ${line}`);
    const keyId = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
    return { name: m[1], keyId, sig: bytes.subarray(4) };
  });
  if (signatures.length === 0) throw new Error('no signatures');
  return { text, signatures };
}

// origin LF size LF base64(root) LF *(extension LF)
export function parseCheckpoint(text) {
  const lines = text.split('\n');
  if (lines.length < 4 || lines[lines.length - 1] !== '') throw new Error('checkpoint needs 3 lines');
  const [origin, sizeText, rootText] = lines;
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) throw new Error('bad tree size');
  const root = fromBase64(rootText);
  if (!root || root.length !== 32) throw new Error('bad root hash');
  return { origin, size: BigInt(sizeText), root, extensions: lines.slice(3, -1) };
}

// name "+" 8-hex key ID "+" base64(type || public key)
export function parseVerifierKey(key) {
  const m = /^([^+\s]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/=]+)$/.exec(key || '');
  if (!m) throw new Error('malformed verifier key');
  const raw = fromBase64(m[3]);
  if (!raw) throw new Error('malformed verifier key');
  let type;
  let pub;
  if (raw[0] === 0x01 && raw.length === 33) { type = 'ed25519'; pub = raw.subarray(1); }
  else if (raw[0] === 0x04 && raw.length === 33) { type = 'cosignature'; pub = raw.subarray(1); }
  else if (raw.length === SM2_TYPE.length + 65 &&
           raw.subarray(0, SM2_TYPE.length).every((b, i) => b === SM2_TYPE[i])) {
    type = 'sm2'; pub = raw.subarray(SM2_TYPE.length);
  } else throw new Error('unknown key type');
  return { name: m[1], keyId: parseInt(m[2], 16), type, typeBytes: raw.subarray(0, raw.length - pub.length), pub };
}

// SHA-256(name || LF || type || public key)[:4] must equal the key ID (needs WebCrypto).
export async function keyIdMatches(key) {
  const h = new Uint8Array(await crypto.subtle.digest('SHA-256',
    concat(utf8(key.name), Uint8Array.of(10), key.typeBytes, key.pub)));
  return (((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0) === key.keyId;
}

// Ed25519 by WebCrypto: true | false | null (null: this browser has no Ed25519 in WebCrypto).
// Also used for receipt signatures (receipt_check.js).
export async function ed25519Verify(pub, message, sig) {
  try {
    const k = await crypto.subtle.importKey('raw', pub, { name: 'Ed25519' }, false, ['verify']);
    return await crypto.subtle.verify({ name: 'Ed25519' }, k, sig, message);
  } catch (e) {
    // NotSupportedError: this browser has no Ed25519 in WebCrypto (cannot tell). Anything else
    // (a public key that is not a curve point): the signature does not verify.
    return e && e.name === 'NotSupportedError' ? null : false;
  }
}

// Checks every signature line of a note against the log's key (and optional witness keys).
// Returns [{name, keyId, kind: "log"|"cosignature"|"unknown", ok: true|false|null, time?}];
// ok is null when the signature could not be checked (unknown key or no browser support).
export async function checkNoteSignatures(note, logKey, witnessKeys = []) {
  const { text, signatures } = parseNote(note);
  const out = [];
  for (const s of signatures) {
    const row = { name: s.name, keyId: s.keyId.toString(16).padStart(8, '0'), kind: 'unknown', ok: null };
    if (logKey && s.name === logKey.name && s.keyId === logKey.keyId) {
      row.kind = 'log';
      row.type = logKey.type;
      if (logKey.type === 'sm2') row.ok = s.sig.length === 64 && sm2Verify(logKey.pub, utf8(text), s.sig);
      else if (logKey.type === 'ed25519') row.ok = s.sig.length === 64 ? await ed25519Verify(logKey.pub, utf8(text), s.sig) : false;
    } else if (s.sig.length === 72) {
      // A tlog-cosignature v1: 8-byte timestamp then an Ed25519 signature.
      row.kind = 'cosignature';
      const t = readUint64(s.sig, 0);
      row.time = new Date(Number(t) * 1000);
      const wk = witnessKeys.find((k) => k.name === s.name && k.keyId === s.keyId && k.type === 'cosignature');
      if (wk) {
        const msg = utf8(`cosignature/v1\ntime ${t}\n${text}`);
        row.ok = await ed25519Verify(wk.pub, msg, s.sig.subarray(8));
      }
    }
    out.push(row);
  }
  return { text, checkpoint: parseCheckpoint(text), signatures: out };
}

export const hex = toHex;
