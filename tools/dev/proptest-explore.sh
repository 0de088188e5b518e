#!/usr/bin/env bash
# Wider random exploration for the property tests, outside the test gate.
# The gate (`cargo test`, `.ci/run`) draws every property test from one fixed seed so it is
# deterministic. This script draws a fresh seed (or takes one), runs many more cases and prints the
# seed, so a failure can be replayed exactly: proptest also shrinks it and appends it to the test's
# `*.proptest-regressions` file — commit that file with the fix.
#
#   bash tools/dev/proptest-explore.sh [CASES] [SEED]
set -euo pipefail
cd "$(dirname "$0")/../.."
cases="${1:-2000}"
seed="${2:-$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')}"
echo "proptest exploration: PROPTEST_RNG_SEED=${seed} PROPTEST_CASES=${cases}"
for target in dlr-image:bad_input dlr-report:robustness dlr-stats:properties; do
  PROPTEST_RNG_SEED="$seed" PROPTEST_CASES="$cases" \
    cargo test --release -p "${target%%:*}" --test "${target##*:}"
done
echo "replay with: bash tools/dev/proptest-explore.sh ${cases} ${seed}"
