#!/usr/bin/env bash
# Builds isodrv and runs it on the example package that ships in examples/quokka/.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dir="$("$here/scripts/build.sh" isodrv | tail -n 1)"
bin="$dir/src/isodrv"
cd "$here/examples"
set -x
"$bin" inf dump quokka/quokka.inf
"$bin" inf dump --json quokka/quokka.inf
