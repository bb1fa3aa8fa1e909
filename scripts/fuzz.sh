#!/usr/bin/env bash
# libFuzzer runs of isodrv's input surfaces under ASan+UBSan: builds build-fuzz (clang,
# -DISODRV_FUZZ=ON) and fuzzes each target for N seconds, seeded from the shared corpus, the test
# fixtures and fuzz/seeds/.
#   scripts/fuzz.sh [--seconds N] [--target NAME | --all] [--long] [-- extra libFuzzer flags]
# Targets: inf_parse_fuzz (default), inf_tokenizer_fuzz, check_fuzz, stamp_fuzz, reg_import_fuzz, machine_fuzz,
# state_paths_fuzz; --all runs every one for N seconds each (CI does this with a small N).
# --long keeps the corpus that grows in build-fuzz/corpus/<target>/ (or $ISODRV_FUZZ_CORPUS/<target>)
# and starts from it next time; without it, runs start from the seeds in a temporary folder.
# Exits non-zero when a fuzzer finds a crash, a leak, a timeout or an out-of-memory; the input that
# caused it is kept under build-fuzz/artifacts/. Per-target executions are printed at the end.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
seconds=60
targets=()
long=0
extra=()
all_targets=(inf_parse_fuzz inf_tokenizer_fuzz check_fuzz stamp_fuzz reg_import_fuzz machine_fuzz state_paths_fuzz)
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds="$2"; shift ;;
    --seconds=*) seconds="${1#--seconds=}" ;;
    --target) targets+=("$2"); shift ;;
    --target=*) targets+=("${1#--target=}") ;;
    --all) targets=("${all_targets[@]}") ;;
    --long) long=1 ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "fuzz.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
  shift
done
case "$seconds" in ''|*[!0-9]*) echo "fuzz.sh: --seconds takes a whole number" >&2; exit 2 ;; esac
[ ${#targets[@]} -gt 0 ] || targets=(inf_parse_fuzz)
for t in "${targets[@]}"; do
  case " ${all_targets[*]} " in *" $t "*) ;; *) echo "fuzz.sh: unknown target '$t' (one of: ${all_targets[*]})" >&2; exit 2 ;; esac
done

dir="$("$here/scripts/build.sh" --fuzz "${targets[@]}" | tail -n 1)"
work="$(mktemp -d "${TMPDIR:-/tmp}/isodrv-fuzz.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$dir/artifacts"
corpus_src="${ISODRV_CORPUS_DIR:-$here/../shared/corpus}"

# Seeds are copied at run time and never enter the repository.
seed_infs() {
  local to="$1" n=0
  if [ -d "$corpus_src" ]; then
    while IFS= read -r -d '' f; do
      n=$((n + 1))
      cp "$f" "$to/seed-$n"
    done < <(find "$corpus_src" -type f \( -iname '*.inf' -o -iname '*.inx' -o -iname '*.in' \) -print0)
  else
    echo "fuzz.sh: no corpus at $corpus_src; INF seeds are the fixtures only"
  fi
  find "$here/tests" -type f \( -iname '*.inf' -o -iname '*.inx' \) -size -64k -print0 |
    while IFS= read -r -d '' f; do cp "$f" "$to/fixture-$(printf '%s' "$f" | cksum | cut -d' ' -f1)"; done
}
seed_target() {
  local t="$1" to="$2"
  case "$t" in
    inf_parse_fuzz|inf_tokenizer_fuzz|check_fuzz|stamp_fuzz) seed_infs "$to" ;;
    reg_import_fuzz) cp "$here"/fuzz/seeds/reg/* "$to/"
      find "$here/tests" -type f -iname '*.reg' -exec cp {} "$to/" \; ;;
    machine_fuzz) cp "$here"/fuzz/seeds/machine/* "$to/" ;;
    state_paths_fuzz) cp "$here"/fuzz/seeds/paths/* "$to/" ;;
  esac
}

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
summary=""
for t in "${targets[@]}"; do
  fuzzer="$dir/fuzz/$t"
  [ -x "$fuzzer" ] || { echo "fuzz.sh: $fuzzer was not built" >&2; exit 2; }
  if [ "$long" = 1 ]; then
    corpus="${ISODRV_FUZZ_CORPUS:-$dir/corpus}/$t"
    mkdir -p "$corpus"
    [ -n "$(ls -A "$corpus")" ] || seed_target "$t" "$corpus"
  else
    corpus="$work/$t"
    mkdir -p "$corpus"
    seed_target "$t" "$corpus"
  fi
  dict=()
  case "$t" in inf_parse_fuzz|inf_tokenizer_fuzz|check_fuzz|stamp_fuzz) dict=(-dict="$here/fuzz/inf.dict") ;; esac
  echo "fuzz.sh: $t for ${seconds}s from $(ls "$corpus" | wc -l) inputs"
  log="$work/$t.log"
  set +e
  "$fuzzer" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 -max_len=65536 \
    "${dict[@]}" -artifact_prefix="$dir/artifacts/$t-" -print_final_stats=1 "${extra[@]}" 2>&1 | tee "$log" | grep -v '^#[0-9]'
  rc=${PIPESTATUS[0]}
  set -e
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
  summary+="$t: ${runs:-?} executions in ${seconds}s, exit $rc"$'\n'
  if [ "$rc" != 0 ]; then
    printf '%s' "$summary"
    echo "fuzz.sh: $t found a problem (exit $rc); the input is under $dir/artifacts/" >&2
    exit 1
  fi
done
printf '%s' "$summary"
echo "fuzz.sh: no crash in ${#targets[@]} target(s)"
