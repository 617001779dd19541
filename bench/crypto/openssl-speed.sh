#!/usr/bin/env bash
# Runs crypto_bench and `openssl speed` on the same machine in the same run, and prints our
# figures beside OpenSSL's as ratios (the machines are noisy; only ratios compare across runs).
#
#   bench/crypto/openssl-speed.sh [BUILD_DIR]      # default: build (a Release build)
#   SECONDS_PER_TEST=2 bench/crypto/openssl-speed.sh build-rel
#
# Hash throughput is MB/s (10^6 bytes/s, as openssl speed reports); signatures are ops/s.
# Needs: openssl (3.x), python3.
set -euo pipefail

BUILD_DIR=${1:-build}
SECS=${SECONDS_PER_TEST:-2}
BENCH="$BUILD_DIR/bench/crypto/crypto_bench"
if [[ ! -x "$BENCH" ]]; then
  echo "missing $BENCH: build it with: ninja -C $BUILD_DIR crypto_bench" >&2
  exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "openssl: $(openssl version)" >&2
for alg in sm3 sha256; do
  for bytes in 1024 16384; do
    echo "openssl speed -seconds $SECS -bytes $bytes -evp $alg" >&2
    openssl speed -seconds "$SECS" -bytes "$bytes" -evp "$alg" 2>/dev/null |
      awk -v alg="$alg" -v bytes="$bytes" '$1 == alg { sub(/k$/, "", $2); print alg, bytes, $2 / 1000 }' \
      >>"$tmp/openssl-hash.txt"
  done
done
echo "openssl speed -seconds $SECS sm2 ed25519 ecdsap256" >&2
openssl speed -seconds "$SECS" sm2 ed25519 ecdsap256 2>/dev/null |
  awk '/SM2 \(CurveSM2\)/ { print "sm2", $(NF-1), $NF }
       /EdDSA \(Ed25519\)/ { print "ed25519", $(NF-1), $NF }
       /ecdsa \(nistp256\)/ { print "es256", $(NF-1), $NF }' >"$tmp/openssl-sig.txt"

echo "$BENCH --benchmark_min_time=$SECS" >&2
"$BENCH" --benchmark_min_time="$SECS" --benchmark_format=json \
  --benchmark_filter='BM_Hash|BM_Sign|BM_Verify|BM_Argon2id|BM_Hmac' >"$tmp/ours.json"

python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
ours = {b["name"]: b for b in json.load(open(f"{tmp}/ours.json"))["benchmarks"]}
ossl_hash = {}
for line in open(f"{tmp}/openssl-hash.txt"):
    alg, size, mbs = line.split()
    ossl_hash[(alg, int(size))] = float(mbs)
ossl_sig = {}
for line in open(f"{tmp}/openssl-sig.txt"):
    alg, sign, verify = line.split()
    ossl_sig[alg] = (float(sign), float(verify))

print(f"{'measure':<28}{'tongban':>12}{'openssl':>12}{'ratio':>8}")
for i, alg in enumerate(["sm3", "sha256"]):
    for size in (1024, 16384):
        b = ours.get(f"BM_Hash/{i}/{size}")
        mine = b["bytes_per_second"] / 1e6 if b else float("nan")
        theirs = ossl_hash.get((alg, size), float("nan"))
        print(f"{alg + ' ' + str(size) + ' B (MB/s)':<28}{mine:>12.1f}{theirs:>12.1f}{mine / theirs:>8.2f}")
for i, alg in enumerate(["sm2", "ed25519", "es256"]):
    for j, op in enumerate(["sign", "verify"]):
        b = ours.get(f"BM_{op.capitalize()}/{i}")
        mine = b["items_per_second"] if b else float("nan")
        theirs = ossl_sig.get(alg, (float("nan"),) * 2)[j]
        print(f"{alg + ' ' + op + ' (ops/s)':<28}{mine:>12.0f}{theirs:>12.0f}{mine / theirs:>8.2f}")
for i, alg in enumerate(["sm3", "sha256"]):
    b = ours.get(f"BM_HmacSubjectId/{i}")
    if b:
        print(f"{'hmac-' + alg + ' 18 B (ops/s)':<28}{b['items_per_second']:>12.0f}{'-':>12}{'-':>8}")
b = ours.get("BM_Argon2idInteractive/real_time")
if b:
    print(f"{'argon2id t=2 m=64MiB (/s)':<28}{b['items_per_second']:>12.1f}{'-':>12}{'-':>8}")
PY
