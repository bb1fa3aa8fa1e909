#!/usr/bin/env bash
# Configures and builds isodrv into a build directory (default: build/).
#   scripts/build.sh [--sanitize] [--fuzz] [--dir DIR] [targets…]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dir="$here/build"
cmake_args=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DISODRV_WERROR="${ISODRV_WERROR:-OFF}")
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) dir="$here/build-asan"; cmake_args+=(-DISODRV_SANITIZE=ON -DISODRV_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug) ;;
    --fuzz) dir="$here/build-fuzz"; cmake_args+=(-DISODRV_FUZZ=ON -DISODRV_TESTS=OFF -DISODRV_BENCH=OFF
                   -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++) ;;
    --dir) dir="$2"; shift ;;
    *) targets+=("$1") ;;
  esac
  shift
done
"$here/scripts/setup-deps.sh"
# ccache, when the machine has it, makes rebuilds in several checkouts cheap; the build never needs it.
if command -v ccache >/dev/null 2>&1; then
  cmake_args+=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
cmake -S "$here" -B "$dir" "${cmake_args[@]}" >/dev/null
jobs="$(nproc 2>/dev/null || echo 2)"
# The build's own output goes to stderr: callers read the folder from stdout (`dir=$(build.sh | tail -n 1)`),
# and a compiler error must reach the terminal or the CI log instead of vanishing into that capture.
ninja -C "$dir" -j "$jobs" "${targets[@]}" >&2
echo "$dir"
