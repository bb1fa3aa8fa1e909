#!/usr/bin/env bash
# Builds isodrv and runs the whole GoogleTest suite through CTest.
#   scripts/test.sh [--sanitize]     (--sanitize: AddressSanitizer + UndefinedBehaviorSanitizer build)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dir="$("$here/scripts/build.sh" "$@" | tail -n 1)"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
ctest --test-dir "$dir" --output-on-failure -j "$(nproc 2>/dev/null || echo 2)"
