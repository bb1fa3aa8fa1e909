#!/usr/bin/env bash
# Times `isodrv check` over the INF engine's *small* benchmark input (32 copies of every corpus file,
# ~14,000 files) against `wc -l` over the same files; prints files/s, MB/s, ratios and load average.
#
#   bench/check-bench.sh [--build DIR] [--reps N] [--jobs "1 2"] [--mode w] [--corpus DIR] [--out DIR]
#
# Input: bench/out/small from bench/corpus-bench.sh when it is there; otherwise the same recipe
# (32 directory trees, each a `cp --parents` copy of the corpus files) is built into OUT/small
# (default bench/out/check, ignored by git), so this script never writes into corpus-bench's folder.
# Runs: one untimed warm-up of each tool, then REPS interleaved rounds of
#   wc -l --files0-from=LIST   and   isodrv check -jN --format json --files-from LIST >/dev/null
# for each N in --jobs. Wall-clock and CPU time (user + sys) per process; medians are reported.
# Exit status of check (1 = findings) is expected and ignored; 2 or 3 aborts.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
corpus="${ISODRV_CORPUS_DIR:-$repo/../shared/corpus}"
build="$repo/build-check"
out="$repo/bench/out/check"
reps=7
jobs_list="1 2"
mode=w
copies=32

while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --jobs) jobs_list="$2"; shift 2 ;;
    --mode) mode="$2"; shift 2 ;;
    --corpus) corpus="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "check-bench: unknown argument $1" >&2; exit 2 ;;
  esac
done

isodrv="$build/src/isodrv"
[ -x /usr/bin/time ] || { echo "check-bench: needs /usr/bin/time (Debian package time)" >&2; exit 2; }
[ -x "$isodrv" ] || { echo "check-bench: no $isodrv; build it with scripts/build.sh --dir $(basename "$build") isodrv" >&2; exit 2; }

if [ -f "$repo/bench/out/.stamp" ] && [ -d "$repo/bench/out/small" ]; then
  small="$repo/bench/out/small"
else
  if [ ! -f "$corpus/MANIFEST.tsv" ]; then
    echo "check-bench: no corpus at $corpus (MANIFEST.tsv missing); skipping." >&2
    exit 0
  fi
  corpus="$(cd "$corpus" && pwd)"
  small="$out/small"
  stamp="$( (cat "$corpus/MANIFEST.tsv"; echo "small $copies") | md5sum | cut -d' ' -f1)"
  if [ "$(cat "$out/.stamp" 2>/dev/null)" != "$stamp" ]; then
    echo "check-bench: building the small input into $small ..." >&2
    rm -rf "$small" "$out/.stamp"
    mkdir -p "$small"
    rel="$out/corpus.rel"
    tail -n +2 "$corpus/MANIFEST.tsv" | cut -f1 | while IFS= read -r f; do
      if [ -f "$corpus/$f" ]; then printf '%s\n' "$f"; fi
    done > "$rel"
    for ((k = 0; k < copies; k++)); do
      d="$small/$(printf 'c%02d' "$k")"
      mkdir -p "$d"
      (cd "$corpus" && tr '\n' '\0' < "$rel" | xargs -0 cp --parents -t "$d")
    done
    echo "$stamp" > "$out/.stamp"
  fi
fi
mkdir -p "$out"
list="$out/small.list"
find "$small" -type f | sort > "$list"
tr '\n' '\0' < "$list" > "$list.0"
files=$(wc -l < "$list")
bytes=$(du -cb --files0-from="$list.0" | tail -1 | cut -f1)

# NAME COMMAND...: runs COMMAND under /usr/bin/time and appends "NAME wall_seconds cpu_seconds"
# to the raw file. CPU time (user + sys of the process and its threads) is what "per core" means
# on a shared machine, where wall time also counts waiting for a core. Exit status 1 (findings)
# is expected from check; 2 or more aborts.
timed() {
  local name="$1" rc=0
  shift
  /usr/bin/time -f "%e %U %S" -o "$out/.time" "$@" > /dev/null || rc=$?
  if [ "$rc" -ge 2 ]; then echo "check-bench: $* exited $rc" >&2; exit 2; fi
  read -r e u s < <(tail -1 "$out/.time")
  echo "$name $e $(echo "$u + $s" | bc -l)" >> "$raw"
}
wc_cmd=(wc -l --files0-from="$list.0")
check_cmd() { check=("$isodrv" check -j"$1" --mode "$mode" --format json --progress never --files-from "$list"); }

raw="$out/check-runs.txt"
: > "$raw"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
timed warmup "${wc_cmd[@]}"
for j in $jobs_list; do check_cmd "$j"; timed warmup "${check[@]}"; done
for ((r = 1; r <= reps; r++)); do
  timed wc "${wc_cmd[@]}"
  for j in $jobs_list; do check_cmd "$j"; timed "check-j$j" "${check[@]}"; done
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

median() { grep "^$1 " "$raw" | cut -d' ' -f"${2:-2}" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
wc_s=$(median wc)
printf 'check-bench: %d files, %d bytes (%.1f MB), mode /%s, %d rounds, %s\n' "$files" "$bytes" \
  "$(echo "$bytes / 1000000" | bc -l)" "$mode" "$reps" "$("$isodrv" --version 2>/dev/null | head -1 || echo isodrv)"
printf 'load average (1/5/15 min): before %s, after %s; %s cores\n' "$load_before" "$load_after" "$(nproc)"
wc_cpu=$(median wc 3)
printf '%-10s %8s %9s %8s %8s %8s %12s %8s\n' tool wall_s files/s MB/s "x wc" cpu_s files/cpu-s "x wc cpu"
for name in wc $(for j in $jobs_list; do printf 'check-j%s ' "$j"; done); do
  s=$(median "$name")
  c=$(median "$name" 3)
  printf '%-10s %8.3f %9.0f %8.1f %8.2f %8.3f %12.0f %8.2f\n' "$name" "$s" "$(echo "$files / $s" | bc -l)" \
    "$(echo "$bytes / 1000000 / $s" | bc -l)" "$(echo "$s / $wc_s" | bc -l)" "$c" "$(echo "$files / $c" | bc -l)" \
    "$(echo "$c / $wc_cpu" | bc -l)"
done
