#!/usr/bin/env bash
# Builds the .deb (CPack), unpacks it with `dpkg -x` into a scratch folder, runs the example
# (scripts/example.sh) and the infverif link from the unpacked copy, and prints `dpkg-deb --info`.
#   scripts/package.sh [--keep]   (--keep leaves the .deb in build/ and prints its path last)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dir="$("$here/scripts/build.sh" | tail -n 1)"
(cd "$dir" && cpack -G DEB >/dev/null)
deb="$(ls -t "$dir"/isodrv_*.deb | head -n 1)"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/isodrv-deb.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
dpkg -x "$deb" "$scratch"
bin="$scratch/usr/bin"
for f in isodrv infverif stampinf; do [ -x "$bin/$f" ] || { echo "package.sh: $f missing from $deb" >&2; exit 1; }; done
for f in usr/share/man/man1/isodrv.1 usr/share/man/man1/isodrv-check.1 usr/share/bash-completion/completions/isodrv; do
  [ -s "$scratch/$f" ] || { echo "package.sh: $f missing from $deb" >&2; exit 1; }
done
ISODRV_BIN="$bin/isodrv" "$here/scripts/example.sh"
# The link behaves as InfVerif.
(cd "$here/examples" && "$bin/infverif" /w /v quokka/quokka.inf)
dpkg-deb --info "$deb"
echo "$deb"
