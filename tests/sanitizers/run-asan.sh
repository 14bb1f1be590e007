#!/usr/bin/env bash
# Builds the core test suite with AddressSanitizer and UBSan (asan preset) and runs it.
# Too slow for every CI run (a build of its own, and training under ASan); run it before a release
# or after touching memory-handling code:   tests/sanitizers/run-asan.sh [GTEST_FILTER]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cmake --preset asan -S "$ROOT" >/dev/null
cmake --build "$ROOT/build/asan" --target graft_core_tests --parallel "$(nproc)"
# allocator_may_return_null: the out-of-memory test asks for 4 TB and expects LibTorch's own
# error, as without ASan. LeakSanitizer stays on.
export ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1:abort_on_error=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:${UBSAN_OPTIONS:-}"
cd "$ROOT/build/asan/tests"
exec ./graft_core_tests --gtest_filter="${1:-*}"
