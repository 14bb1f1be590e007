#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz preset) and runs each for SECONDS (default 60) on a copy of
# its seed corpus in tests/fuzz/corpus; prints the executions per target. Crashing inputs are
# kept in build/fuzz/findings. For a long run: tests/fuzz/run-fuzzers.sh 3600
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SECONDS_PER_TARGET="${1:-60}"
TARGETS=(pickle image_decode csv_import idx_import project_open)

cmake --preset fuzz -S "$ROOT" >/dev/null
cmake --build "$ROOT/build/fuzz" --parallel "$(nproc)"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
FINDINGS="$ROOT/build/fuzz/findings"
mkdir -p "$FINDINGS"
failed=0
for target in "${TARGETS[@]}"; do
    mkdir -p "$WORK/$target/corpus" "$WORK/$target/tmp"
    log="$WORK/$target.log"
    if TMPDIR="$WORK/$target/tmp" "$ROOT/build/fuzz/tests/fuzz/fuzz_$target" -max_total_time="$SECONDS_PER_TARGET" \
        -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$FINDINGS/$target-" \
        "$WORK/$target/corpus" "$ROOT/tests/fuzz/corpus/$target" >"$log" 2>&1; then
        executions="$(awk '/stat::number_of_executed_units/ {print $2}' "$log")"
        echo "fuzz_$target: $executions executions in $SECONDS_PER_TARGET s, no failure"
    else
        echo "fuzz_$target: FAILED; the input is in $FINDINGS" >&2
        tail -40 "$log" >&2
        failed=1
    fi
done
exit "$failed"
