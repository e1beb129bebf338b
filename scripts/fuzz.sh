#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs them.
#
#   bash scripts/fuzz.sh                      CI mode: deterministic. Each target replays its
#                                             committed seed corpus and every input that ever broke it
#                                             (regressions/), then runs a fixed number of mutations
#                                             from a fixed seed in a fresh working corpus. The verdict
#                                             depends on the committed inputs only, never on the speed
#                                             of the machine.
#   bash scripts/fuzz.sh --explore SECONDS [TARGET ...]
#                                             open-ended exploration for SECONDS per target (all
#                                             targets by default), from a corpus kept in build/fuzz
#                                             between runs. Crashing inputs are written to
#                                             build/fuzz/findings/<target>/; commit each one to the
#                                             target's regressions/ folder together with its fix.
#   bash scripts/fuzz.sh --list               the targets, their corpora and mutation counts.
#
# Environment: FUZZ_RUNS_SCALE multiplies every mutation count (default 1; e.g. 10 before a release).
# Build tree: build/fuzz, or FUZZ_BUILD_DIR (a clang tree configured with INSOLE_BUILD_FUZZ=ON and
# INSOLE_SANITIZE=ON, as scripts/test.sh's build/test). Needs clang++ (scripts/install-deps.sh installs it); under CI=true a
# missing clang fails the run instead of skipping it.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=ci
explore_seconds=0
selected=()
case "${1:-}" in
  --explore)
    mode=explore
    explore_seconds=${2:?"usage: fuzz.sh --explore SECONDS [TARGET ...]"}
    [[ "$explore_seconds" =~ ^[0-9]+$ ]] || { echo "fuzz.sh: --explore wants whole seconds, got '$explore_seconds'" >&2; exit 2; }
    shift 2
    selected=("$@")
    ;;
  --list) mode=list ;;
  "") ;;
  [0-9]*) ;;  # the old "fuzz.sh SECONDS" form: CI mode (time no longer decides anything)
  *) echo "fuzz.sh: unknown argument '$1' (see the header of scripts/fuzz.sh)" >&2; exit 2 ;;
esac

# target | seed corpora (space-separated) | regression inputs | mutations in CI mode
# Counts are set so that the whole CI step takes about three minutes on a 2-core machine; each
# target's rate under ASan differs by a factor of ten, hence one count per target.
table=(
  "fuzz_sensel|-|drivers/fuzz/regressions/sensel|60000"
  "fuzz_matrix|drivers/fuzz/corpus/matrix|drivers/fuzz/regressions/matrix|60000"
  "fuzz_device_description|drivers/fuzz/corpus/device_description drivers/devices|drivers/fuzz/regressions/device_description|20000"
  "fuzz_fisica|drivers/fuzz/corpus/fisica|drivers/fuzz/regressions/fisica|20000"
  "fuzz_recommend_intake|libinsole/fuzz/recommend/corpus/intake|libinsole/fuzz/recommend/regressions/intake|15000"
  "fuzz_recommend_rules|libinsole/fuzz/recommend/corpus/rules libinsole/rules|libinsole/fuzz/recommend/regressions/rules|3000"
)
for fmt in tekscan emed pedar pliance xsensor moticon gaitpdb apd; do
  table+=("fuzz_importer_$fmt|libinsole/fuzz/importers/corpus/$fmt|libinsole/fuzz/importers/regressions/$fmt|20000")
done
# The HDF5 reader (docs/reliability.md): file images opened from memory through the reader that
# info, analyze, batch and playback use.
table+=("fuzz_io_hdf5|libinsole/fuzz/io/corpus|libinsole/fuzz/io/regressions|1500")
# The calibration file parser (docs/calibration.md) and the clinic app's request checks
# (app/src/http.cpp: request targets, data-directory paths, the security policy).
table+=("fuzz_calibration_file|libinsole/fuzz/calibration/corpus|libinsole/fuzz/calibration/regressions|15000")
table+=("fuzz_app_http|app/fuzz/corpus|app/fuzz/regressions|6000")

if [ "$mode" = list ]; then
  printf '%-26s %-45s %s\n' target "seed corpus" "CI mutations"
  for row in "${table[@]}"; do IFS='|' read -r t c r n <<<"$row"; printf '%-26s %-45s %s\n' "$t" "$c" "$n"; done
  exit 0
fi

if ! command -v clang++ >/dev/null; then
  if [ "${CI:-}" = true ]; then echo "fuzz.sh: clang++ not found under CI=true" >&2; exit 1; fi
  echo "fuzz.sh: clang++ not found; skipping the libFuzzer runs (scripts/install-deps.sh installs it)"
  exit 0
fi

targets=()
for row in "${table[@]}"; do
  IFS='|' read -r t _ _ _ <<<"$row"
  if [ ${#selected[@]} -gt 0 ]; then
    keep=0
    for s in "${selected[@]}"; do [ "$s" = "$t" ] && keep=1; done
    [ $keep -eq 1 ] || continue
  fi
  targets+=("$t")
done
[ ${#targets[@]} -gt 0 ] || { echo "fuzz.sh: no such target: ${selected[*]} (fuzz.sh --list)" >&2; exit 2; }

build=${FUZZ_BUILD_DIR:-build/fuzz}
if [ -n "${FUZZ_BUILD_DIR:-}" ]; then
  # A tree configured elsewhere (scripts/test.sh's): it must be clang with the fuzz targets on.
  grep -q '^INSOLE_BUILD_FUZZ:BOOL=ON' "$build/CMakeCache.txt" 2>/dev/null \
    && grep -q '^CMAKE_CXX_COMPILER:[A-Z]*=.*clang' "$build/CMakeCache.txt" \
    || { echo "fuzz.sh: FUZZ_BUILD_DIR=$build is not a clang build tree with INSOLE_BUILD_FUZZ=ON" >&2; exit 2; }
else
  mkdir -p build
  cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
        -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DINSOLE_SANITIZE=ON -DINSOLE_BUILD_FUZZ=ON \
        -DINSOLE_BUILD_TESTS=OFF -DINSOLE_BUILD_CLI=OFF > "$build.configure.log" 2>&1 \
    || { cat "$build.configure.log"; exit 1; }
fi
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# -timeout: a single input running this long is a hang (far above any input's real cost, so the
# machine's speed cannot decide it); memory limits catch unbounded allocation.
common=(-rss_limit_mb=2048 -malloc_limit_mb=1024 -max_len=65536 -timeout=120)
scale=${FUZZ_RUNS_SCALE:-1}
# One target: replay, then mutations (CI mode), or open-ended exploration. Prints its verdict line
# (and the log's tail when it failed) and returns non-zero on failure.
run_target() {
  local t=$1 corpus=$2 regress=$3 runs=$4
  local exe inputs=() log c
  exe=$(find "$build" -type f -name "$t" -perm -u+x | head -n 1)
  for c in $corpus; do [ "$c" != - ] && [ -d "$c" ] && inputs+=("$c"); done
  [ -d "$regress" ] && inputs+=("$regress")
  log="$build/$t.log"
  if [ "$mode" = explore ]; then
    local keep="$build/corpus/$t" findings="$build/findings/$t"
    mkdir -p "$keep" "$findings"
    if "$exe" "${common[@]}" -max_total_time="$explore_seconds" -print_final_stats=1 \
         -artifact_prefix="$findings/" "$keep" "${inputs[@]}" > "$log" 2>&1; then
      echo "explore $t: no crash in ${explore_seconds}s ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | awk '{print $2}') runs, corpus $(ls "$keep" | wc -l) inputs)"
      return 0
    fi
    echo "explore $t: FOUND a failing input (log: $log; input in $findings/): commit it to $regress/ with its fix"
    tail -n 30 "$log"
    return 1
  fi
  # 1. Replay: every committed input once (-runs=0 executes the initial corpus and stops).
  if [ ${#inputs[@]} -gt 0 ] && ! "$exe" "${common[@]}" -runs=0 "${inputs[@]}" > "$log" 2>&1; then
    echo "fuzz $t: FAILED replaying the committed inputs (log: $log)"; tail -n 40 "$log"; return 1
  fi
  # 2. A fixed number of mutations from a fixed seed, in a fresh working corpus so that earlier
  #    runs on this machine cannot change what is tried.
  local work n rc=0
  work=$(mktemp -d "$build/work-$t.XXXXXX")
  n=$((runs * scale))
  if "$exe" "${common[@]}" -seed=1 -runs="$n" -print_final_stats=1 -artifact_prefix="$build/$t-" \
       "$work" "${inputs[@]}" >> "$log" 2>&1; then
    echo "fuzz $t: ok ($n mutations from seed 1 after replaying $( [ ${#inputs[@]} -gt 0 ] && find "${inputs[@]}" -type f | wc -l || echo 0) committed inputs)"
  else
    echo "fuzz $t: FAILED (log: $log)"; tail -n 40 "$log"; rc=1
  fi
  rm -rf "$work"
  return $rc
}

# The targets run $(nproc) at a time (each libFuzzer process is single-threaded). Every target's
# work is fixed by its inputs, seed and count, so running them side by side changes only the
# wall time, never the verdict; their lines are printed in the table's order.
jobs=$(nproc)
failed=0
passed=0
pids=()
outs=()
for row in "${table[@]}"; do
  IFS='|' read -r t corpus regress runs <<<"$row"
  printf '%s\n' "${targets[@]}" | grep -qx "$t" || continue
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  out="$build/$t.verdict"
  run_target "$t" "$corpus" "$regress" "$runs" > "$out" 2>&1 &
  pids+=($!)
  outs+=("$out")
done
for i in "${!pids[@]}"; do
  if wait "${pids[$i]}"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
  cat "${outs[$i]}"
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
