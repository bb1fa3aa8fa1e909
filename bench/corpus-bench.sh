#!/usr/bin/env bash
# Builds two inputs from the shared corpus and times the INF engine against `wc -l` and a read+memchr
# loop over the same bytes, single-threaded; prints a table (also written to OUT/results.{tsv,md}).
#
#   bench/corpus-bench.sh [--out DIR] [--build DIR] [--reps N] [--corpus DIR] [--rebuild-inputs]
#                         [--baseline INF_THROUGHPUT]
#
# Inputs (rebuilt only when the corpus manifest or inputs_version changes):
#   big:   per corpus file, one file holding its bytes 72 times over, a newline between copies and the
#          BOM only at the start (copies 2..72 lose their BOM; UTF-16LE files get a 0A 00 newline);
#          ~200 MB in 442 files, the largest ~17 MB.
#   small: 32 copies of every corpus file, each a separate file (~14,000 files, ~90 MB).
# Tools, each run REPS times (interleaved) after one untimed warm-up (every run reads from the page cache):
#   wc -l (GNU coreutils, one process over the file list), inf_throughput --mode memchr|parse|full|view
#   (full reads every key and field back as copied strings; view reads the same ones as the package
#   model does, as views of the document with substitutions in an arena).
# --baseline adds "before parse" and "before full" rows: another inf_throughput binary (say, one built
# from the previous tree) timed in the same interleaved rounds, so before/after is one run's ratio.
# Time is wall-clock around the whole process; peak RSS is /usr/bin/time's %M (ru_maxrss). The CPU
# column is user + system time from /usr/bin/time (10 ms resolution): on a shared machine a process
# that waits for a core loses wall-clock time but not CPU time, so that column moves less with load.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
corpus="${ISODRV_CORPUS_DIR:-$repo/../shared/corpus}"
out="$repo/bench/out"
build="$repo/build-bench"
reps=5
copies_big=72
copies_small=32
rebuild=0
baseline=""

while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --build) build="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --corpus) corpus="$2"; shift 2 ;;
    --rebuild-inputs) rebuild=1; shift ;;
    --baseline) baseline="$2"; shift 2 ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "corpus-bench: unknown argument $1" >&2; exit 2 ;;
  esac
done

if [ ! -f "$corpus/MANIFEST.tsv" ]; then
  echo "corpus-bench: no corpus at $corpus (MANIFEST.tsv missing); skipping the corpus benchmark." >&2
  exit 0
fi
corpus="$(cd "$corpus" && pwd)"

# ---------------------------------------------------------------------------------------------
# The throughput driver: built in its own Release tree unless one is already there.
# ---------------------------------------------------------------------------------------------
tool="$build/bench/inf_throughput"
if [ ! -x "$tool" ] || [ -n "$(find "$repo/src/inf" "$repo/bench/inf_throughput.cpp" -newer "$tool" 2>/dev/null | head -1)" ]; then
  if [ ! -f "$build/build.ninja" ]; then
    cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DISODRV_TESTS=OFF >/dev/null
  fi
  ninja -C "$build" -j2 inf_throughput >/dev/null
fi

# ---------------------------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------------------------
mkdir -p "$out"
# Bump inputs_version when the way inputs are built changes.
inputs_version=1
stamp="$( (cat "$corpus/MANIFEST.tsv"; echo "v$inputs_version $copies_big $copies_small") | md5sum | cut -d' ' -f1)"
rel_list="$out/corpus.rel"
tail -n +2 "$corpus/MANIFEST.tsv" | cut -f1 | while IFS= read -r f; do
  if [ -f "$corpus/$f" ]; then printf '%s\n' "$f"; fi
done > "$rel_list"
nfiles=$(wc -l < "$rel_list")

if [ "$rebuild" = 1 ] || [ "$(cat "$out/.stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "corpus-bench: building inputs from $nfiles corpus files into $out ..." >&2
  rm -rf "$out/big" "$out/small" "$out/.stamp"
  mkdir -p "$out/big" "$out/small"
  body="$out/.body"
  i=0
  # big: copy 1 as is, then 71 times (newline + bytes without BOM), with one cat per file.
  while IFS= read -r f; do
    i=$((i + 1))
    src="$corpus/$f"
    name="$(printf '%03d_%s' "$i" "$(basename "$f" | tr ' ' '_')")"
    bom="$(head -c 3 "$src" | od -An -tx1 | tr -d ' \n')"
    case "$bom" in
      fffe*) { printf '\n\0'; tail -c +3 "$src"; } > "$body" ;;   # UTF-16LE: BOM is 2 bytes
      feff*) { printf '\0\n'; tail -c +3 "$src"; } > "$body" ;;   # UTF-16BE
      efbbbf) { printf '\n'; tail -c +4 "$src"; } > "$body" ;;    # UTF-8 BOM
      *) { printf '\n'; cat "$src"; } > "$body" ;;
    esac
    args=()
    for ((k = 1; k < copies_big; k++)); do args+=("$body"); done
    cat "$src" "${args[@]}" > "$out/big/$name"
  done < "$rel_list"
  rm -f "$body"
  # small: 32 directory trees, each a full copy of the corpus files (paths kept, so no name clashes).
  for ((k = 0; k < copies_small; k++)); do
    d="$out/small/$(printf 'c%02d' "$k")"
    mkdir -p "$d"
    (cd "$corpus" && tr '\n' '\0' < "$rel_list" | xargs -0 cp --parents -t "$d")
  done
  echo "$stamp" > "$out/.stamp"
fi

find "$out/big" -type f | sort > "$out/big.list"
find "$out/small" -type f | sort > "$out/small.list"
for n in big small; do tr '\n' '\0' < "$out/$n.list" > "$out/$n.list0"; done

size_of() { tr '\n' '\0' < "$1" | du -cb --files0-from=- | tail -1 | cut -f1; }
big_bytes=$(size_of "$out/big.list"); big_files=$(wc -l < "$out/big.list")
small_bytes=$(size_of "$out/small.list"); small_files=$(wc -l < "$out/small.list")
big_max=$(tr '\n' '\0' < "$out/big.list" | du -b --files0-from=- | sort -n | tail -1 | cut -f1)
echo "corpus-bench: big = $big_files files, $big_bytes bytes (largest $big_max); small = $small_files files, $small_bytes bytes" >&2

# ---------------------------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------------------------
have_time=0
[ -x /usr/bin/time ] && have_time=1
raw="$out/runs.tsv"
: > "$raw"

# cmd_for INPUT TOOL: sets cmd to the command line of one run.
cmd_for() {
  case "$2" in
    wc) cmd=(wc -l --files0-from="$out/$1.list0") ;;
    memchr|parse|full|view) cmd=("$tool" --quiet --mode "$2" --list "$out/$1.list") ;;
    base_parse|base_full) cmd=("$baseline" --quiet --mode "${2#base_}" --list "$out/$1.list") ;;
  esac
}

# timed INPUT TOOL REP: one timed run; appends "input tool rep seconds rss_kb cpu_seconds" to the raw file.
timed() {
  local t0 t1 rss=0 cpu=0
  cmd_for "$1" "$2"
  t0=$(date +%s%N)
  if [ "$have_time" = 1 ]; then
    /usr/bin/time -f '%M %U %S' -o "$out/.rss" "${cmd[@]}" >/dev/null 2>&1 || true
    read -r rss u s < <(tail -1 "$out/.rss")
    cpu=$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u + s}')
  else
    "${cmd[@]}" >/dev/null 2>&1 || true
  fi
  t1=$(date +%s%N)
  printf '%s\t%s\t%d\t%s\t%s\t%s\n' "$1" "$2" "$3" "$(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.6f", (b-a)/1e9}')" "$rss" "$cpu" >> "$raw"
}

tools="wc memchr parse full view"
[ -z "$baseline" ] || tools="$tools base_parse base_full"
echo "corpus-bench: load average before: $(cut -d' ' -f1-3 /proc/loadavg) (nproc $(nproc))" >&2
# One untimed warm-up per cell puts every file in the page cache; then the cells are interleaved
# rep by rep, so a burst of load from other users hits all tools alike rather than one cell.
for input in big small; do
  for t in $tools; do cmd_for "$input" "$t"; "${cmd[@]}" >/dev/null 2>&1 || true; done
done
for ((r = 1; r <= reps; r++)); do
  echo "corpus-bench: round $r/$reps" >&2
  for input in big small; do
    for t in $tools; do timed "$input" "$t" "$r"; done
  done
done
rm -f "$out/.rss"

# ---------------------------------------------------------------------------------------------
# Table: median and best of REPS; ratios are median time over the baseline's median time.
# ---------------------------------------------------------------------------------------------
echo "corpus-bench: load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
awk -F'\t' -v toollist="$tools" -v out="$out" -v bmax="$big_max" -v bb="$big_bytes" -v bf="$big_files" -v sb="$small_bytes" -v sf="$small_files" -v reps="$reps" '
  { key = $1 SUBSEP $2; n[key]++; t[key, n[key]] = $4; c[key, n[key]] = $6; if ($5 > rss[key]) rss[key] = $5 }
  function median(key,   i, j, tmp, m, a) {
    m = n[key]
    for (i = 1; i <= m; i++) a[i] = t[key, i]
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { tmp = a[i]; a[i] = a[j]; a[j] = tmp }
    best[key] = a[1]
    return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
  }
  function median_cpu(key,   i, j, tmp, m, a) {
    m = n[key]
    for (i = 1; i <= m; i++) a[i] = c[key, i]
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] < a[i]) { tmp = a[i]; a[i] = a[j]; a[j] = tmp }
    return (m % 2) ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
  }
  END {
    split("big small", inputs, " "); ntools = split(toollist, tools, " ")
    label["wc"] = "wc -l"; label["memchr"] = "read+memchr loop"
    label["parse"] = "isodrv parse"; label["full"] = "isodrv full (parse + read back)"
    label["view"] = "isodrv view (parse + views)"
    label["base_parse"] = "before: isodrv parse"; label["base_full"] = "before: isodrv full"
    tsv = out "/results.tsv"; md = out "/results.md"
    print "input\ttool\tbytes\tfiles\tmedian_s\tbest_s\tmbps_median\tmbps_best\tfiles_per_s_median\tpeak_rss_kb\ttime_vs_memchr\ttime_vs_wc\tcpu_s_median\tmbps_cpu\tfiles_per_s_cpu" > tsv
    print "| tool | input | MB/s (median) | MB/s (best) | files/s (median) | peak RSS | time ÷ memchr loop | time ÷ wc -l | MB/s (CPU time) | files/s (CPU time) |" > md
    print "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|" > md
    printf "%-32s %-6s %9s %9s %11s %10s %9s %9s %9s %11s\n", "tool", "input", "MB/s med", "MB/s best", "files/s med", "peak RSS", "x memchr", "x wc -l", "MB/s cpu", "files/s cpu"
    for (ii = 1; ii <= 2; ii++) {
      inp = inputs[ii]; bytes = (inp == "big") ? bb : sb; files = (inp == "big") ? bf : sf
      for (k = 1; k <= ntools; k++) med[inp, tools[k]] = median(inp SUBSEP tools[k])
      for (k = 1; k <= ntools; k++) {
        tl = tools[k]; key = inp SUBSEP tl; m = med[inp, tl]
        mbps = bytes / 1e6 / m; mbpsb = bytes / 1e6 / best[key]; fps = files / m
        rm = m / med[inp, "memchr"]; rw = m / med[inp, "wc"]
        cm = median_cpu(key); cmb = cm > 0 ? bytes / 1e6 / cm : 0; cmf = cm > 0 ? files / cm : 0
        printf "%-32s %-6s %9.1f %9.1f %11.0f %7.1f MiB %8.2fx %8.2fx %9.1f %11.0f\n", label[tl], inp, mbps, mbpsb, fps, rss[key] / 1024, rm, rw, cmb, cmf
        printf "%s\t%s\t%d\t%d\t%.6f\t%.6f\t%.1f\t%.1f\t%.0f\t%d\t%.3f\t%.3f\t%.2f\t%.1f\t%.0f\n", inp, tl, bytes, files, m, best[key], mbps, mbpsb, fps, rss[key], rm, rw, cm, cmb, cmf > tsv
        printf "| %s | %s | %.0f | %.0f | %.0f | %.1f MiB | %.2f× | %.2f× | %.0f | %.0f |\n", label[tl], inp, mbps, mbpsb, fps, rss[key] / 1024, rm, rw, cmb, cmf > md
      }
    }
    # Files are processed one at a time, so memory is judged against the largest single file.
    k = "big" SUBSEP "full"
    printf "peak RSS of isodrv full on big: %.1f MiB = %.2fx the largest file (%.1f MiB)\n", rss[k] / 1024, rss[k] * 1024 / bmax, bmax / 1048576
    printf "\nPeak RSS of isodrv full on big: %.1f MiB = %.2f× the largest file (%.1f MiB).\n", rss[k] / 1024, rss[k] * 1024 / bmax, bmax / 1048576 > md
  }' "$raw"
echo "corpus-bench: $reps runs per cell (median and best shown); raw runs in $raw, tables in $out/results.{tsv,md}" >&2
