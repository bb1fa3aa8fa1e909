#!/usr/bin/env bash
# Times `isodrv check DIR` on one flat folder of ~14,000 INFs (a C:\Windows\INF-like layout) and on
# a DriverStore FileRepository-like tree (one folder per package), against `wc -l` over the same
# files in the same run; prints files/s, ratios, -j2 speed-up and the load average (issue 10 item 1).
#
#   bench/flat-bench.sh [--build DIR] [--reps N] [--files N] [--jobs "1 2"] [--work DIR] [--corpus DIR] [--prepare-only]
#
# Inputs are built outside the repository, in WORK (default ${TMPDIR:-/tmp}/isodrv-flat-bench):
# the corpus's .inf/.inx files are copied round-robin until FILES files exist (default 14000), each
# named cNNNNN_<name>; without a corpus, synthetic INFs are written instead. flat/ holds them all
# in one folder; tree/ holds each in a folder of its own (<name>_amd64_<16 hex digits>/).
# Runs one untimed warm-up per command, then REPS interleaved rounds (default 5) of
#   wc -l --files0-from=LIST    and    isodrv check -jN --format json --progress never DIR > /dev/null
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
corpus="${ISODRV_CORPUS_DIR:-$repo/../shared/corpus}"
build="$repo/build"
work="${TMPDIR:-/tmp}/isodrv-flat-bench"
reps=5
files=14000
jobs_list="1 2"
prepare_only=0

while [ $# -gt 0 ]; do
  case "$1" in
    --build) build="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --files) files="$2"; shift 2 ;;
    --jobs) jobs_list="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --corpus) corpus="$2"; shift 2 ;;
    --prepare-only) prepare_only=1; shift ;;  # build the inputs (bench/html-bench.sh uses them) and stop
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "flat-bench: unknown argument $1" >&2; exit 2 ;;
  esac
done
isodrv="$build/src/isodrv"
[ -x /usr/bin/time ] || { echo "flat-bench: needs /usr/bin/time (Debian package time)" >&2; exit 2; }
[ -x "$isodrv" ] || { echo "flat-bench: no $isodrv; build it with scripts/build.sh isodrv" >&2; exit 2; }

# A synthetic INF that passes most rules: used only when the corpus is absent.
synthetic() {
  printf '[Version]\r\nSignature="$WINDOWS NT$"\r\nClass=System\r\nClassGuid={4d36e97d-e325-11ce-bfc1-08002be10318}\r\n'
  printf 'Provider=%%P%%\r\nCatalogFile=s%d.cat\r\nDriverVer=01/01/2024,1.0.0.%d\r\nPnpLockdown=1\r\n\r\n' "$1" "$1"
  printf '[Manufacturer]\r\n%%P%%=M,NTamd64\r\n\r\n[M.NTamd64]\r\n%%D%%=I,ROOT\\S%d\r\n\r\n' "$1"
  printf '[I.NT]\r\nCopyFiles=C\r\n\r\n[I.NT.Services]\r\nAddService=s%d,2,Svc\r\n\r\n' "$1"
  printf '[Svc]\r\nServiceType=1\r\nStartType=3\r\nErrorControl=1\r\nServiceBinary=%%13%%\\s%d.sys\r\n\r\n' "$1"
  printf '[C]\r\ns%d.sys\r\n\r\n[DestinationDirs]\r\nC=13\r\n\r\n[SourceDisksNames]\r\n1=%%D%%\r\n\r\n' "$1"
  printf '[SourceDisksFiles]\r\ns%d.sys=1\r\n\r\n[Strings]\r\nP="Bench"\r\nD="Bench device"\r\n' "$1"
}

stamp="$files $( (cat "$corpus/MANIFEST.tsv" 2>/dev/null || echo synthetic) | md5sum | cut -d' ' -f1)"
if [ "$(cat "$work/.stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "flat-bench: building $files files into $work/flat and $work/tree ..." >&2
  rm -rf "$work/flat" "$work/tree" "$work/.stamp"
  mkdir -p "$work/flat" "$work/tree"
  if [ -f "$corpus/MANIFEST.tsv" ]; then
    tail -n +2 "$corpus/MANIFEST.tsv" | cut -f1 | grep -iE '\.in[fx]$' | while IFS= read -r f; do
      [ -f "$corpus/$f" ] && printf '%s\n' "$corpus/$f"
    done > "$work/sources"
  else
    echo "flat-bench: no corpus at $corpus; writing synthetic INFs" >&2
    : > "$work/sources"
  fi
  mapfile -t sources < "$work/sources"
  nsrc=${#sources[@]}
  for ((i = 0; i < files; i++)); do
    name=$(printf 'c%05d' "$i")
    if [ "$nsrc" -gt 0 ]; then
      src=${sources[$((i % nsrc))]}
      base=${src##*/}
      printf '%s\0%s\0' "$src" "$work/flat/${name}_$base"
    else
      base=s$i.inf
      synthetic "$i" > "$work/flat/${name}_$base"
    fi
  done | xargs -0 -n 2 -P 1 cp 2>/dev/null || true
  # The tree: each file in a folder of its own, named like a FileRepository folder.
  for f in "$work"/flat/*; do
    base=${f##*/}
    i=$((10#${base:1:5}))
    inf=${base#*_}
    pkg="$work/tree/${base%%.*}_amd64_$(printf '%016x' "$((i * 2654435761 % 4294967296))")"
    printf '%s\0' "$pkg"
  done | xargs -0 mkdir -p
  for f in "$work"/flat/*; do
    base=${f##*/}
    i=$((10#${base:1:5}))
    printf '%s\0%s\0' "$f" "$work/tree/${base%%.*}_amd64_$(printf '%016x' "$((i * 2654435761 % 4294967296))")/${base#*_}"
  done | xargs -0 -n 2 cp
  echo "$stamp" > "$work/.stamp"
fi
[ "$prepare_only" = 1 ] && exit 0

timed() {
  local name="$1" rc=0
  shift
  /usr/bin/time -f "%e %U %S" -o "$work/.time" "$@" > /dev/null || rc=$?
  if [ "$rc" -ge 2 ]; then echo "flat-bench: $* exited $rc" >&2; exit 2; fi
  read -r e u s < <(tail -1 "$work/.time")
  echo "$name $e $(echo "$u + $s" | bc -l)" >> "$raw"
}
median() { grep "^$1 " "$raw" | cut -d' ' -f"${2:-2}" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "flat-bench: $(nproc) cores, $("$isodrv" --version 2>/dev/null | head -1 || echo isodrv)"
for layout in flat tree; do
  dir="$work/$layout"
  find "$dir" -type f | sort | tr '\n' '\0' > "$work/$layout.list0"
  n=$(tr -cd '\0' < "$work/$layout.list0" | wc -c)
  raw="$work/$layout-runs.txt"
  : > "$raw"
  load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
  timed warmup wc -l --files0-from="$work/$layout.list0"
  for j in $jobs_list; do timed warmup "$isodrv" check -j"$j" --format json --progress never "$dir"; done
  for ((r = 1; r <= reps; r++)); do
    timed wc wc -l --files0-from="$work/$layout.list0"
    for j in $jobs_list; do timed "check-j$j" "$isodrv" check -j"$j" --format json --progress never "$dir"; done
  done
  load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
  wc_s=$(median wc)
  printf '\n%s: %d files, %d rounds; load average (1/5/15 min) before %s, after %s\n' "$layout" "$n" "$reps" "$load_before" "$load_after"
  printf '%-10s %8s %9s %8s %8s %12s\n' tool wall_s files/s "x wc" cpu_s files/cpu-s
  for name in wc $(for j in $jobs_list; do printf 'check-j%s ' "$j"; done); do
    s=$(median "$name"); c=$(median "$name" 3)
    printf '%-10s %8.3f %9.0f %8.2f %8.3f %12.0f\n' "$name" "$s" "$(echo "$n / $s" | bc -l)" \
      "$(echo "$s / $wc_s" | bc -l)" "$c" "$(echo "$n / $c" | bc -l)"
  done
done
