#!/usr/bin/env bash
# `make bench`: every benchmark in one run, each printing a JSON summary with medians. Numbers from
# one run are comparable with each other; these machines are shared, so compare ratios, not runs.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== artifact sizes (bytes)"
stat -c '%n %s' build-wasm/cometprov.wasm build-wasm/cometprov_embind.wasm build-wasm/cometprov_embind.js
echo "== core: one invoke, native (build/cometprov_bench)"
build/cometprov_bench
echo "== core: one invoke, Node through Embind (node-harness/bench/core-bench.js)"
node node-harness/bench/core-bench.js
echo "== core: PHP host, warm invoke and fresh-process cost (tests/php/bench/bench.php)"
php tests/php/bench/bench.php 30
echo "== Comet emulator (node-harness/bench/emulator-bench.js)"
node node-harness/bench/emulator-bench.js
