// SM2 signature verification (GB/T 32918.2-2016 §7) on the recommended curve (GB/T 32918.5),
// with SM3 and the default distinguishing ID "1234567812345678" (GB/T 35276) — what a `gm` ledger
// signs its checkpoints with (docs/ledger.md, "The SM2 note signature type"). Written for the
// browser with BigInt, affine coordinates; verification only (no secrets here, so constant time
// does not matter). Pure; safe to call from anywhere.

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

// Points are [x, y] or null for the point at infinity.
function add(p, q) {
  if (p === null) return q;
  if (q === null) return p;
  let l;
  if (p[0] === q[0]) {
    if (mod(p[1] + q[1], P) === 0n) return null;
    l = mod((3n * p[0] * p[0] + A) * inv(2n * p[1], P), P);
  } else {
    l = mod((q[1] - p[1]) * inv(q[0] - p[0], P), P);
  }
  const x = mod(l * l - p[0] - q[0], P);
  return [x, mod(l * (p[0] - x) - p[1], P)];
}

function mul(k, p) {
  let r = null;
  for (let i = BigInt(k.toString(2).length) - 1n; i >= 0n; i--) {
    r = add(r, r);
    if ((k >> i) & 1n) r = add(r, p);
  }
  return r;
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
  const pt = add(mul(s, G), mul(t, Q));
  if (pt === null) return false;
  return mod(e + pt[0], N) === r;
}
