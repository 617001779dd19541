// RFC 9162 §2.1 Merkle tree checks done in the browser: leaf and node hashing, inclusion-proof
// (§2.1.3.2) and consistency-proof (§2.1.4.2) verification, transcribed step by step as the
// ledger part does in C++ (src/ledger/proof.cc), so a page can check a proof without trusting the
// server. The hash is the log's suite hash: SM3 (`gm`, our own sm3.js) or SHA-256 (`intl`,
// WebCrypto). Pure; every function is async only because WebCrypto is.

import { sm3 } from './sm3.js';
import { concat, equalBytes } from './encoding.js';

// Returns async (Uint8Array) => Uint8Array(32) for the ledger's hash name ("sm3" or "sha256").
export function suiteHash(name) {
  if (name === 'sm3') return async (data) => sm3(data);
  if (name === 'sha256') {
    if (!globalThis.crypto || !globalThis.crypto.subtle) {
      throw new Error('WebCrypto is unavailable (the page must be served over HTTPS or from localhost)');
    }
    return async (data) => new Uint8Array(await crypto.subtle.digest('SHA-256', data));
  }
  throw new Error(`unknown ledger hash "${name}"`);
}

export const leafHash = (H, entry) => H(concat(Uint8Array.of(0), entry));
export const nodeHash = (H, left, right) => H(concat(Uint8Array.of(1), left, right));

// Recomputes the root from a leaf hash and its audit path. Throws on a malformed proof.
export async function rootFromInclusionProof(H, index, treeSize, leaf, path) {
  let fn = BigInt(index);
  let sn = BigInt(treeSize) - 1n;
  if (fn > sn) throw new Error('index is not below tree size');
  let r = leaf;
  for (const p of path) {
    if (sn === 0n) throw new Error('proof is too long');
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(H, p, r);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
      }
    } else {
      r = await nodeHash(H, r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new Error('proof is too short');
  return r;
}

export async function verifyInclusion(H, index, treeSize, leaf, path, root) {
  try {
    return equalBytes(await rootFromInclusionProof(H, index, treeSize, leaf, path), root);
  } catch {
    return false;
  }
}

// True when `path` proves the tree of size `first` with root `firstRoot` is a prefix of the tree
// of size `second` with root `secondRoot`.
export async function verifyConsistency(H, first, second, firstRoot, secondRoot, path) {
  let m = BigInt(first);
  const n = BigInt(second);
  if (m === 0n || m > n) return false;
  if (m === n) return path.length === 0 && equalBytes(firstRoot, secondRoot);
  let proof = path.slice();
  if ((m & (m - 1n)) === 0n) proof = [firstRoot, ...proof];  // first is a power of two
  if (proof.length === 0) return false;
  let fn = m - 1n;
  let sn = n - 1n;
  while ((fn & 1n) === 1n) { fn >>= 1n; sn >>= 1n; }
  let fr = proof[0];
  let sr = proof[0];
  for (const c of proof.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = await nodeHash(H, c, fr);
      sr = await nodeHash(H, c, sr);
      if ((fn & 1n) === 0n) {
        while ((fn & 1n) === 0n && fn !== 0n) { fn >>= 1n; sn >>= 1n; }
      }
    } else {
      sr = await nodeHash(H, sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && equalBytes(fr, firstRoot) && equalBytes(sr, secondRoot);
}
