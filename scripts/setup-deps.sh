#!/usr/bin/env bash
# Installs the Debian packages isodrv needs to build, test and benchmark.
# Only packages that are missing are installed; nothing is downloaded from elsewhere.
set -euo pipefail
pkgs=(build-essential cmake ninja-build pkg-config git
      libsqlite3-dev libgtest-dev libgmock-dev libbenchmark-dev
      libmimalloc-dev  # the isodrv command's allocator (docs/PERFORMANCE.md)
      nlohmann-json3-dev libcli11-dev libssl-dev libtomlplusplus-dev
      clang libclang-rt-dev
      python3     # scripts/long-functions.py, run as the style.long_functions test
      chromium)  # the HTML report test (tests/cli/html_report_test.cpp) runs it headless
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "setup-deps: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >&2
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
