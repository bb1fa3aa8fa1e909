#!/usr/bin/env bash
# Builds isodrv and runs it on the example package in examples/quokka/: parse, validate, stage into
# a fresh store root, install on a simulated device, and find the driver's state through the API.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
# ISODRV_BIN runs an installed copy instead (CI runs the example from the unpacked .deb).
if [ -n "${ISODRV_BIN:-}" ]; then
  bin="$ISODRV_BIN"
else
  dir="$("$here/scripts/build.sh" isodrv | tail -n 1)"
  bin="$dir/src/isodrv"
fi
root="$(mktemp -d "${TMPDIR:-/tmp}/isodrv-example.XXXXXX")"
trap 'rm -rf "$root"' EXIT
cd "$here/examples"
run() { printf '\n$ isodrv %s\n' "$*"; "$bin" "$@"; }

run inf dump quokka/quokka.inf
run check --mode w quokka/quokka.inf
run --root "$root" driver add quokka/quokka.inf
run --root "$root" device add 'ROOT\QUOKKA\0000' --hwid 'ROOT\QUOKKA'
run --root "$root" device install 'ROOT\QUOKKA\0000' --dry-run
run --root "$root" device install 'ROOT\QUOKKA\0000'
run --root "$root" device show 'ROOT\QUOKKA\0000'
run --root "$root" state device-key 'ROOT\QUOKKA\0000' --type hardware
run --root "$root" state driver-key quokka --type parameters --create
run --root "$root" state driver-dir quokka --type image
run --root "$root" reg query 'HKLM\SYSTEM\CurrentControlSet\Services\quokka' /s
run --root "$root" store verify
printf '\nexample: all steps succeeded (store root %s, removed on exit)\n' "$root"
