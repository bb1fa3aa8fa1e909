#!/usr/bin/env bash
# Regenerates docs/rules/ from the rule table (the only source of rule text).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
bin="${ISODRV_BIN:-$here/build/src/isodrv}"
out="$here/docs/rules"
mkdir -p "$out"
rm -f "$out"/*.md
"$bin" explain --markdown index > "$out/README.md"
for code in $(grep -oE '^\| [0-9]+ \| \[' "$out/README.md" | grep -oE '[0-9]+'); do
  "$bin" explain --markdown "$code" > "$out/$code.md"
done
