// SM2 signature verification (GB/T 32918.2-2016 §7) on the recommended curve (GB/T 32918.5),
// with SM3 and the default distinguishing ID "1234567812345678" (GB/T 35276) — what a `gm` ledger
// signs its checkpoints with (docs/ledger.md, "The SM2 note signature type"). Written for the
// browser with BigInt; verification only (no secrets here, so constant time does not matter).
// s·G + t·Q is computed in one pass (Shamir's trick) in Jacobian coordinates, with one modular
// inversion at the end instead of one per point operation (~4x faster than affine; a receipt
// check makes four of these). Pure; safe to call from anywhere.

import { sm3 } from './sm3.js';
import { bigIntToBytes, bytesToBigInt, concat, utf8 } from './encoding.js';

const P = 0xfffffffeffffffffffffffffffffffffffffffff00000000ffffffffffffffffn;
const A = 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn;
const B = 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n;
const N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;
const G = [0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n,
           0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n];
export const DEFAULT_ID = '1234567812345678';

const mod = (a, m) => { const r = a % m; return r >= 0n ? r : r + m; };

function inv(a, m) {  // extended Euclid; a and m coprime
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, m);
}

// Jacobian coordinates: [X, Y, Z] is the affine point (X/Z², Y/Z³); null is the point at infinity.
function jDouble(p) {
  if (p === null) return null;
  const [x, y, z] = p;
  if (y === 0n) return null;
  const yy = (y * y) % P;
  const s = (4n * x * yy) % P;
  const zz = (z * z) % P;
  const m = mod(3n * x * x + A * ((zz * zz) % P), P);
  const x3 = mod(m * m - 2n * s, P);
  const y3 = mod(m * (s - x3) - 8n * ((yy * yy) % P), P);
  return [x3, y3, (2n * y * z) % P];
}

function jAdd(p, q) {
  if (p === null) return q;
  if (q === null) return p;
  const [x1, y1, z1] = p;
  const [x2, y2, z2] = q;
  const z1z1 = (z1 * z1) % P;
  const z2z2 = (z2 * z2) % P;
  const u1 = (x1 * z2z2) % P;
  const u2 = (x2 * z1z1) % P;
  const s1 = (((y1 * z2) % P) * z2z2) % P;
  const s2 = (((y2 * z1) % P) * z1z1) % P;
  if (u1 === u2) return s1 === s2 ? jDouble(p) : null;
  const hh = mod(u2 - u1, P);
  const r = mod(s2 - s1, P);
  const h2 = (hh * hh) % P;
  const h3 = (h2 * hh) % P;
  const u1h2 = (u1 * h2) % P;
  const x3 = mod(r * r - h3 - 2n * u1h2, P);
  const y3 = mod(r * (u1h2 - x3) - s1 * h3, P);
  return [x3, y3, (((hh * z1) % P) * z2) % P];
}

// The affine x coordinate of a·G1 + b·G2 (affine points), or null for the point at infinity.
function mulAddX(a, g1, b, g2) {
  const j1 = [g1[0], g1[1], 1n];
  const j2 = [g2[0], g2[1], 1n];
  const both = jAdd(j1, j2);
  let r = null;
  const bits = Math.max(a.toString(2).length, b.toString(2).length);
  for (let i = BigInt(bits) - 1n; i >= 0n; i--) {
    r = jDouble(r);
    const ba = (a >> i) & 1n;
    const bb = (b >> i) & 1n;
    if (ba && bb) r = jAdd(r, both);
    else if (ba) r = jAdd(r, j1);
    else if (bb) r = jAdd(r, j2);
  }
  if (r === null || r[2] === 0n) return null;
  const zi = inv(r[2], P);
  return (r[0] * ((zi * zi) % P)) % P;
}

const onCurve = ([x, y]) => x < P && y < P && mod(y * y - (x * x * x + A * x + B), P) === 0n;

// Z_A = SM3(ENTL || ID || a || b || xG || yG || xA || yA).
function za(pub, id) {
  const idBytes = utf8(id);
  const bits = idBytes.length * 8;
  return sm3(concat(Uint8Array.of(bits >> 8, bits & 0xff), idBytes, bigIntToBytes(A, 32),
                    bigIntToBytes(B, 32), bigIntToBytes(G[0], 32), bigIntToBytes(G[1], 32),
                    pub.subarray(1, 33), pub.subarray(33, 65)));
}

// `pub`: 65 bytes 04||X||Y; `sig`: 64 bytes r||s; `message`: bytes. Returns true or false.
export function sm2Verify(pub, message, sig, id = DEFAULT_ID) {
  if (pub.length !== 65 || pub[0] !== 4 || sig.length !== 64) return false;
  const Q = [bytesToBigInt(pub.subarray(1, 33)), bytesToBigInt(pub.subarray(33, 65))];
  if (!onCurve(Q)) return false;
  const r = bytesToBigInt(sig.subarray(0, 32));
  const s = bytesToBigInt(sig.subarray(32, 64));
  if (r < 1n || r >= N || s < 1n || s >= N) return false;
  const e = bytesToBigInt(sm3(concat(za(pub, id), message)));
  const t = mod(r + s, N);
  if (t === 0n) return false;
  const x1 = mulAddX(s, G, t, Q);
  if (x1 === null) return false;
  return mod(e + x1, N) === r;
}
