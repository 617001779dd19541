#!/usr/bin/env bash
# Runs license_bench beside `openssl speed -multi 2` (two cores' worth of raw signature
# verification) in the same run and prints presentations verified per second as a share of the
# ideal: openssl's two-core verify/s divided by the 2 signatures every presentation carries
# (issuer JWT + KB-JWT). The goal is >= 80 %: parsing, disclosure hashing and status lookup cost
# little beside the signatures. Also prints issues/s and the full service verify/s on SQLite.
#
#   bench/license/run.sh [BUILD_DIR]          # default: build (Release)
#   SECONDS_PER_TEST=3 REPETITIONS=3 bench/license/run.sh build   # medians of 3 repetitions
set -euo pipefail

BUILD_DIR=${1:-build}
SECS=${SECONDS_PER_TEST:-2}
BENCH="$BUILD_DIR/bench/license/license_bench"
if [[ ! -x "$BENCH" ]]; then
  echo "missing $BENCH: build it with: cmake --build $BUILD_DIR --target license_bench" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "openssl speed -multi 2 -seconds $SECS ecdsap256 sm2" >&2
openssl speed -multi 2 -seconds "$SECS" ecdsap256 sm2 2>/dev/null |
  awk '/ecdsa \(nistp256\)/ { print "ES256", $NF } /SM2 \(CurveSM2\)/ { print "SM2", $NF }' >"$tmp/openssl.txt"

REPS=${REPETITIONS:-3}
echo "$BENCH --benchmark_min_time=$SECS --benchmark_repetitions=$REPS (medians)" >&2
"$BENCH" --benchmark_min_time="$SECS" --benchmark_repetitions="$REPS" \
  --benchmark_report_aggregates_only=true --benchmark_format=json >"$tmp/ours.json"

python3 - "$tmp" <<'PY'
import json, sys
tmp = sys.argv[1]
ours = {}
for b in json.load(open(f"{tmp}/ours.json"))["benchmarks"]:
    name = b["name"]
    if b.get("aggregate_name") in (None, "median"):
        ours[name.removesuffix("_median")] = b
ossl = dict(line.split() for line in open(f"{tmp}/openssl.txt"))
def rate(name):
    b = ours.get(name)
    return b["items_per_second"] if b else float("nan")
print(f"{'measure':<44}{'per s':>10}{'ideal':>10}{'ratio':>8}{'vs ours':>9}")
for i, alg in enumerate(["ES256", "SM2"]):
    ideal = float(ossl[alg]) / 2  # two signatures per presentation, two cores
    for t in (1, 2):
        r = rate(f"BM_VerifyPresentation/{i}/real_time/threads:{t}")
        base = ideal if t == 2 else ideal / 2
        # "vs ours": against our own raw verification of the same algorithm, same thread count.
        own = rate(f"BM_RawVerify/{i}/real_time/threads:{t}") / 2
        print(f"{'presentations verified, ' + alg + f', {t} thread(s)':<44}{r:>10.0f}{base:>10.0f}{r / base:>8.2f}{r / own:>9.2f}")
    for t in (1, 2):
        b = ours.get(f"BM_PairedRatio/{i}/real_time/threads:{t}")
        if b:
            print(f"{'paired: presentations / (raw verify / 2), ' + alg + f', {t}t':<44}"
                  f"{b['presentations_per_s']:>10.0f}{b['raw_verify_per_s'] / 2:>10.0f}{b['ratio']:>8.2f}")
    raw = rate(f"BM_RawVerify/{i}/real_time/threads:2")
    print(f"{'raw verify (ours, EVP), ' + alg + ', 2 threads':<44}{raw:>10.0f}{float(ossl[alg]):>10.0f}{raw / float(ossl[alg]):>8.2f}")
    print(f"{'service verify (SQLite, 1 thread), ' + alg:<44}{rate(f'BM_ServiceVerify/{i}/real_time'):>10.0f}")
    print(f"{'licences issued (SQLite, 1 thread), ' + alg:<44}{rate(f'BM_IssueLicence/{i}/real_time'):>10.0f}")
PY
