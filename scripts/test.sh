#!/usr/bin/env bash
# Builds the toolkit with AddressSanitizer + UBSan (clang, with the libFuzzer targets), runs the
# whole test suite (ctest), the Python tests (scripts/test-python.sh), the clinic app's browser test
# (scripts/test-browser.sh), the cluster test (scripts/test-cluster.sh), then every libFuzzer target
# from the same build tree (scripts/fuzz.sh).
# Usage: bash scripts/test.sh          (from anywhere; build tree in build/test)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
build=build/test
mkdir -p build
# One sanitizer tree for the tests and the fuzz targets: clang -O1 -g1 takes as long to build as
# GCC at -O0 did without the fuzz targets, and runs the suite in less than half the time.
# (GCC still builds the library, the CLI and the Python module with -Werror in scripts/test-python.sh.)
cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-O1 -g1" \
      -DINSOLE_SANITIZE=ON -DINSOLE_WARNINGS_AS_ERRORS=ON -DINSOLE_BUILD_FUZZ=ON > "$build.configure.log" 2>&1 \
  || { cat "$build.configure.log"; exit 1; }
cmake --build "$build" -j "$(nproc)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# The bounded libFuzzer cases (label fuzz) are left to scripts/fuzz.sh below, which replays the
# same corpora and regressions and runs more mutations.
ctest --test-dir "$build" --output-on-failure -j "$(nproc)" --timeout 600 -LE fuzz
# The Python package (pybind11, Release tree build/release: not under ASan) and its pytest suite.
bash scripts/test-python.sh
# The clinic app in a real headless Chromium (insole serve on loopback, temporary data directory).
bash scripts/test-browser.sh
# Sharding proven on a scheduler (docs/batch.md): a one-node Slurm cluster runs the documented job
# array over sample recordings, GNU parallel the documented command; both merged CSVs must equal
# one process's. It runs the Release CLI that test-python.sh has just built (quicker), or the ASan
# one when that was skipped.
cli=build/test/cli/insole
if [ build/release/cli/insole -nt "$cli" ]; then cli=build/release/cli/insole; fi
bash scripts/test-cluster.sh "$cli"
# libFuzzer targets (decoders, importers, recommendation inputs, the HDF5 reader): replay of the
# committed corpora and regression inputs, then a fixed number of mutations from a fixed seed
# (deterministic), from the sanitizer tree built above.
FUZZ_BUILD_DIR="$build" bash scripts/fuzz.sh
