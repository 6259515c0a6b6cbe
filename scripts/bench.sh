#!/usr/bin/env bash
# `make bench` (not part of `make test`): every benchmark in one run, then build/bench/results.md (a
# table, with the targets of issue 11) and build/bench/results.json. Numbers from one run are
# comparable with each other; these machines are shared, so compare ratios, not runs.
# Each step is bounded by a timeout; a step that fails is recorded as such and the others still run.
# Env: BENCH_OUT (default build/bench), BENCH_RUNS (default 5), BENCH_USAGE_TIMEOUT (seconds per
# UsageUpdate run, default 120), BENCH_MEMORY_LIMIT (PHP memory_limit of the usage child, default 4G).
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${BENCH_OUT:-build/bench}
RUNS=${BENCH_RUNS:-5}
USAGE_TIMEOUT=${BENCH_USAGE_TIMEOUT:-120}
MEMORY_LIMIT=${BENCH_MEMORY_LIMIT:-4G}
export COMETPROV_WASM=${COMETPROV_WASM:-$PWD/build-wasm/cometprov.wasm}
PHP=(php -d ffi.enable=1)

rm -rf "$OUT/parts" "$OUT/requests"
mkdir -p "$OUT/parts"
LOG="$OUT/bench.log"
: >"$LOG"
failed=0

# step NAME TIMEOUT_SECONDS COMMAND...: stdout -> parts/NAME.json, stderr -> the log.
step() {
  local name=$1 limit=$2
  shift 2
  echo "== $name: $*" | tee -a "$LOG"
  local t0=$SECONDS
  timeout --signal=TERM --kill-after=30 "$limit" "$@" >"$OUT/parts/$name.json" 2>>"$LOG"
  local rc=$?
  if [ $rc -ne 0 ]; then
    echo "   $name FAILED (exit $rc after $((SECONDS - t0)) s; see $LOG)" | tee -a "$LOG"
    failed=1
  else
    echo "   done in $((SECONDS - t0)) s" | tee -a "$LOG"
  fi
}

echo "== artifact sizes (bytes)" | tee -a "$LOG"
stat -c '%n %s' build-wasm/cometprov.wasm build-wasm/cometprov_embind.wasm build-wasm/cometprov_embind.js | tee -a "$LOG"

step round_trips 600 "${PHP[@]}" tests/php/bench/module-bench.php round-trips
step lifecycle 900 "${PHP[@]}" tests/php/bench/module-bench.php lifecycle "$RUNS" 20
step php_request 900 php tests/php/bench/bench.php 15
step core_ops 1800 node node-harness/bench/core-ops.js --out "$OUT" --runs "$RUNS" --scale-n 10000
step core_ops_php 1200 "${PHP[@]}" tests/php/bench/core-ops.php "$OUT/requests" "$RUNS"
# The driver kills its child when a run exceeds USAGE_TIMEOUT, so these outer limits are a backstop.
step usage_10k $((600 + RUNS * (USAGE_TIMEOUT + 30))) "${PHP[@]}" tests/php/bench/module-bench.php usage 10000 "$RUNS" "$USAGE_TIMEOUT" "$MEMORY_LIMIT"
step usage_100k $((900 + RUNS * (USAGE_TIMEOUT + 30))) "${PHP[@]}" tests/php/bench/module-bench.php usage 100000 "$RUNS" "$USAGE_TIMEOUT" "$MEMORY_LIMIT"

echo "== Comet emulator (node-harness/bench/emulator-bench.js)" | tee -a "$LOG"
timeout 600 node node-harness/bench/emulator-bench.js >"$OUT/parts/emulator.json" 2>>"$LOG" || echo "   emulator bench FAILED" | tee -a "$LOG"

node node-harness/bench/report.js "$OUT" || failed=1
rm -rf "$OUT/requests"
echo
cat "$OUT/results.md" | sed -n '1,/^## Round trips/p' | head -n -1
if [ $failed -ne 0 ]; then
  echo "bench: some steps failed (see $LOG); the results mark what is missing" >&2
  exit 1
fi
