#!/usr/bin/env bash
# Builds isodrv and runs it on the example package in examples/quokka/: parse, validate, stage into
# a fresh store root, install on a simulated device, and find the driver's state through the API.
# Then the same for examples/wombat/ and runs its KMDF-style example driver (examples/drivers/, C
# against <isodrv/win/wdf.h>, linked with -lisodrv) twice: it keeps its state only through the
# state API, so the isolation audit stays empty.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
# ISODRV_BIN runs an installed copy instead (CI runs the example from the unpacked .deb); the
# example C driver is always the one built here.
dir="$("$here/scripts/build.sh" isodrv wombat_kmdf | tail -n 1)"
bin="${ISODRV_BIN:-$dir/src/isodrv}"
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

run --root "$root" driver add wombat/wombat.inf
run --root "$root" device add 'ROOT\WOMBAT\0000' --hwid 'ROOT\WOMBAT'
run --root "$root" device install 'ROOT\WOMBAT\0000'
for start in 1 2; do
  printf '\n$ wombat_kmdf %s wombat %s   # start %s\n' "$root" 'ROOT\WOMBAT\0000' "$start"
  "$dir/examples/wombat_kmdf" "$root" wombat 'ROOT\WOMBAT\0000'
done
run --root "$root" reg query 'HKLM\SYSTEM\CurrentControlSet\Services\wombat\State'
run --root "$root" audit show
printf '\nexample: all steps succeeded (store root %s, removed on exit)\n' "$root"
