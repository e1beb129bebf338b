#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for a bounded time from its
# seed corpus. Decoders, importers and the recommendation parsers each have a target.
# Usage: bash scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 10; build tree in build/fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
if ! command -v clang++ >/dev/null; then
  echo "fuzz.sh: clang++ not found; skipping the libFuzzer runs (scripts/install-deps.sh installs it)"
  exit 0
fi
build=build/fuzz
mkdir -p build
cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
      -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" -DINSOLE_SANITIZE=ON -DINSOLE_BUILD_FUZZ=ON \
      -DINSOLE_BUILD_TESTS=OFF -DINSOLE_BUILD_CLI=OFF > "$build.configure.log" 2>&1 \
  || { cat "$build.configure.log"; exit 1; }
targets=(fuzz_sensel fuzz_matrix fuzz_recommend_intake fuzz_recommend_rules)
for fmt in tekscan emed pedar pliance xsensor moticon gaitpdb apd; do targets+=("fuzz_importer_$fmt"); done
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=0
for t in "${targets[@]}"; do
  exe=$(find "$build" -type f -name "$t" -perm -u+x | head -n 1)
  corpus_dir="$build/corpus/$t"
  mkdir -p "$corpus_dir"
  seeds=()
  case "$t" in
    fuzz_importer_*) seeds+=("libinsole/fuzz/importers/corpus/${t#fuzz_importer_}") ;;
    fuzz_recommend_*) seeds+=("libinsole/fuzz/recommend/corpus/${t#fuzz_recommend_}") ;;
  esac
  existing=()
  for s in "${seeds[@]}"; do [ -d "$s" ] && existing+=("$s"); done
  if "$exe" -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 -seed=1 -print_final_stats=1 \
       "$corpus_dir" "${existing[@]}" > "$build/$t.log" 2>&1; then
    echo "fuzz $t: ok ($(grep -o 'stat::number_of_executed_units: [0-9]*' "$build/$t.log" | awk '{print $2}' || true) runs in ${seconds}s)"
  else
    echo "fuzz $t: FAILED (log: $build/$t.log)"; tail -n 40 "$build/$t.log"; failed=1
  fi
done
[ "$failed" -eq 0 ] && echo "fuzz: ${#targets[@]} passed, 0 failed"
exit "$failed"
