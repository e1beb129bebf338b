# Shared setup of the read benchmarks (bench/read.sh, bench/chunking.sh); sourced, not run.
# Usage: source "$(dirname "$0")/read_common.sh" DEFAULT_WORK_DIR
# Sets src (repository root), build (INSOLE_BENCH_BUILD, default build-bench), work
# (INSOLE_BENCH_WORK, default DEFAULT_WORK_DIR; created), repeats (INSOLE_BENCH_REPEATS, default
# 3) and py; configures a Release build with the bench tools and builds insole_bench_make and
# insole_bench_read; defines field LINE KEY, which prints KEY of the LINE-th (0-based) JSON line
# read from stdin.
set -euo pipefail

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${INSOLE_BENCH_BUILD:-$src/build-bench}
work=${INSOLE_BENCH_WORK:-${1:?"read_common.sh: give the default work directory"}}
repeats=${INSOLE_BENCH_REPEATS:-3}
py=/usr/bin/python3

cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DINSOLE_BUILD_BENCH=ON -DINSOLE_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target insole_bench_make insole_bench_read >/dev/null
mkdir -p "$work"
field() { $py -c "import json,sys; print(json.loads(sys.stdin.readlines()[$1])['$2'])"; }
