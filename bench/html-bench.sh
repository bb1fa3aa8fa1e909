#!/usr/bin/env bash
# Times how long the --format html report of a 14,000-file run takes to open in headless Chromium
# (issue 10 item 3: under 2 s), for the flat folder and the FileRepository-style tree that
# bench/flat-bench.sh builds, and prints the page size, isodrv's time and peak RSS writing it.
#
#   bench/html-bench.sh [--build DIR] [--reps N] [--work DIR] [--chromium PATH]
#
# "ready" is the page's own clock: performance.now() (from the start of navigation: reading and
# parsing the 20 MB file, every JSON block, grouping into packages, the first page of the table)
# when its script sets data-ready-ms. "process" is the wall time of the whole chromium --dump-dom
# run (browser start, load, and serialising the whole DOM, which holds the data blocks), given for
# comparison with a one-finding page in the same run. Median of REPS runs (default 3), each with
# a fresh profile. Exits 1 when a median ready time is 2,000 ms or more.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
build="$repo/build"
work="${TMPDIR:-/tmp}/isodrv-flat-bench"
reps=3
chromium=/usr/bin/chromium

while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --chromium) chromium="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "html-bench: unknown argument $1" >&2; exit 2 ;;
  esac
done
isodrv="$build/src/isodrv"
[ -x "$chromium" ] || { echo "html-bench: no $chromium (scripts/setup-deps.sh installs Debian's chromium)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "html-bench: needs /usr/bin/time (Debian package time)" >&2; exit 2; }
"$here/flat-bench.sh" --build "$build" --work "$work" --prepare-only

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# One load: prints "READY_MS PROCESS_S"; READY_MS is "error" when the script did not finish.
load() {
  local page="$1" profile="$work/.chromium-profile" start end dom
  rm -rf "$profile"
  mkdir -p "$profile"
  start=$(date +%s.%N)
  dom=$(timeout 300 "$chromium" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --user-data-dir="$profile" \
    --dump-dom "file://$page" 2>/dev/null | grep -o '<body[^>]*>' || true)
  end=$(date +%s.%N)
  local ms
  ms=$(printf '%s' "$dom" | sed -n 's/.*data-ready-ms="\([0-9]*\)".*/\1/p')
  printf '%s %s\n' "${ms:-error}" "$(echo "$end - $start" | bc -l)"
}

status=0
echo "html-bench: $(nproc) cores, $("$isodrv" --version 2>/dev/null | head -1 || echo isodrv), $("$chromium" --version 2>/dev/null)"
cp "$repo/tests/rules/1322/bad.inf" "$work/one.inf"
"$isodrv" check --format html --progress never "$work/one.inf" > "$work/one.html" || true
printf '%-6s %7s %9s %9s %10s %9s %10s %12s\n' page files findings MB write_s rss_MB ready_ms process_s
for layout in one flat tree; do
  page="$work/$layout.html"
  files=1 write_s=- rss=-
  if [ "$layout" != one ]; then
    /usr/bin/time -f "%e %M" -o "$work/.time" "$isodrv" check --format html --progress never "$work/$layout" > "$page" || true
    read -r write_s rss < <(tail -1 "$work/.time")
    rss=$(echo "$rss / 1024" | bc -l | xargs printf '%.1f')
    files=$(find "$work/$layout" -type f | wc -l)
  fi
  : > "$work/.loads"
  load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
  for ((r = 1; r <= reps; r++)); do load "$page" >> "$work/.loads"; done
  if grep -q '^error' "$work/.loads"; then
    echo "html-bench: the $layout page did not finish its script" >&2
    status=1
    continue
  fi
  ready=$(cut -d' ' -f1 "$work/.loads" | median)
  process=$(cut -d' ' -f2 "$work/.loads" | median)
  errors=$(grep -o 'id="n-errors">errors<b>[0-9]*' "$page" | grep -o '[0-9]*$')
  warnings=$(grep -o 'id="n-warnings">warnings<b>[0-9]*' "$page" | grep -o '[0-9]*$')
  printf '%-6s %7s %9s %9.1f %10s %9s %10s %12.2f   load %s -> %s\n' "$layout" "$files" "$((errors + warnings))" \
    "$(echo "$(stat -c %s "$page") / 1000000" | bc -l)" "$write_s" "$rss" "$ready" "$process" "$load_before" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
  if [ "$layout" != one ] && [ "$(echo "$ready >= 2000" | bc)" = 1 ]; then status=1; fi
done
rm -rf "$work/.chromium-profile"
exit "$status"
