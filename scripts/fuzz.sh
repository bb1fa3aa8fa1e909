#!/usr/bin/env bash
# Bounded libFuzzer run of the INF engine: builds build-fuzz (clang, -DISODRV_FUZZ=ON) and fuzzes
# inf_parse_fuzz for N seconds, seeded from a temporary copy of the shared corpus.
#   scripts/fuzz.sh [--seconds N] [-- extra libFuzzer flags]
# Exits non-zero when the fuzzer finds a crash, a leak, a timeout or an out-of-memory; the input
# that caused it is kept under build-fuzz/artifacts/.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
seconds=60
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift ;;
    --seconds=*) seconds="${1#--seconds=}" ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,7p' "$0"; exit 0 ;;
    *) echo "fuzz.sh: unknown argument '$1' (try --seconds N)" >&2; exit 2 ;;
  esac
  shift
done
case "$seconds" in ''|*[!0-9]*) echo "fuzz.sh: --seconds takes a whole number" >&2; exit 2 ;; esac

dir="$("$here/scripts/build.sh" --fuzz inf_parse_fuzz | tail -n 1)"
fuzzer="$dir/fuzz/inf_parse_fuzz"
[ -x "$fuzzer" ] || { echo "fuzz.sh: $fuzzer was not built" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/isodrv-fuzz.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus" "$dir/artifacts"

corpus="${ISODRV_CORPUS_DIR:-$here/../shared/corpus}"
if [ -d "$corpus" ]; then
  # Seeds are copied at run time and never enter the repository.
  n=0
  while IFS= read -r -d '' f; do
    n=$((n + 1))
    cp "$f" "$work/corpus/seed-$n"
  done < <(find "$corpus" -type f \( -iname '*.inf' -o -iname '*.inx' -o -iname '*.in' \) -print0)
  echo "fuzz.sh: $n seed files from $corpus"
else
  echo "fuzz.sh: no corpus at $corpus; starting without seeds"
fi
# Our own small fixtures are seeds too.
cp "$here"/tests/inf/fixtures/*.inf "$work/corpus/" 2>/dev/null || true

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
echo "fuzz.sh: fuzzing for ${seconds}s"
"$fuzzer" "$work/corpus" \
  -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 -max_len=65536 \
  -dict="$here/fuzz/inf.dict" -artifact_prefix="$dir/artifacts/" -print_final_stats=1 \
  "${extra[@]}"
echo "fuzz.sh: no crash in ${seconds}s"
