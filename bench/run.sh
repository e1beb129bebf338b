#!/usr/bin/env bash
# Analysis and batch benchmarks (docs/performance.md, "Analysis and batch"): builds the toolkit in
# Release, simulates 64 x 64 mat recordings at 100 Hz, and prints ratios measured in this one run:
#   (a) analysis throughput / read+decompress throughput of the same datasets (the I/O limit)
#   (b) NumPy + h5py baseline time / insole time, one core
#   (c) batch of many recordings on one core (taskset) against two cores: --jobs 1 (which reads
#       ahead on a second thread), --jobs 2 (threads), and two --shard processes side by side
#   (d) peak memory (max RSS) analysing a short and a long recording; and, for three activity
#       patterns (a 64 x 64 mat walk, walking in place on a 60 x 150 treadmill mat, a standing
#       trial on a 200 x 200 mat), the analysis' peak RSS at 1 and at INSOLE_BENCH_MEMORY_MINUTES
#       minutes (bench/memory_bench.cpp; INSOLE_BENCH_ONLY=memory runs this part alone)
#   (e) pixel-level statistics: 10 000 permutations on 100 registered images (bench/spm_bench.cpp),
#       and the progress callback's cost as a ratio
#   (g) for the same three activity patterns (1-min recordings), `insole analyze` throughput on one
#       core and on two against h5py reading the same frames and against the NumPy baseline
#       (INSOLE_BENCH_ONLY=patterns runs (g) and (d) alone)
#   (f) the clinic app's live view in headless Chromium at 100 Hz input: frames/s drawn and latency
#       from a frame's arrival to the screen (bench/app_live.py; skipped without chromium,
#       chromium-driver and python3-selenium)
# Environment: INSOLE_BENCH_BUILD (build dir, default build-bench), INSOLE_BENCH_WORK (recordings,
# default /tmp/insole-bench, reused between runs), INSOLE_BENCH_MINUTES (throughput recording,
# default 10), INSOLE_BENCH_LONG_MINUTES (memory, default 60), INSOLE_BENCH_REPEATS (default 3),
# INSOLE_BENCH_SPM_IMAGES (default 100), INSOLE_BENCH_SPM_PERMUTATIONS (default 10000);
# INSOLE_BENCH_APP_SECONDS (default 12); INSOLE_BENCH_ONLY=spm runs (e) alone, INSOLE_BENCH_ONLY=app (f);
# INSOLE_BENCH_MEMORY_MINUTES (default 10), INSOLE_BENCH_STAND_RATE (200 x 200 standing trial, Hz,
# default 50), INSOLE_BENCH_PATTERN_MINUTES (length of the recordings of (g), default 1).
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
build=${INSOLE_BENCH_BUILD:-$src/build-bench}
work=${INSOLE_BENCH_WORK:-/tmp/insole-bench}
minutes=${INSOLE_BENCH_MINUTES:-10}
long_minutes=${INSOLE_BENCH_LONG_MINUTES:-60}
repeats=${INSOLE_BENCH_REPEATS:-3}
spm_images=${INSOLE_BENCH_SPM_IMAGES:-100}
spm_permutations=${INSOLE_BENCH_SPM_PERMUTATIONS:-10000}
memory_minutes=${INSOLE_BENCH_MEMORY_MINUTES:-10}
stand_rate=${INSOLE_BENCH_STAND_RATE:-50}
py=/usr/bin/python3

cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DINSOLE_BUILD_BENCH=ON -DINSOLE_BUILD_TESTS=OFF >/dev/null
if [ "${INSOLE_BENCH_ONLY:-}" = spm ]; then targets="insole_bench_spm"; elif [ "${INSOLE_BENCH_ONLY:-}" = app ]; then targets="insole";
elif [ "${INSOLE_BENCH_ONLY:-}" = memory ]; then targets="insole_bench_make insole_bench_memory";
elif [ "${INSOLE_BENCH_ONLY:-}" = patterns ]; then targets="insole insole_bench_make insole_bench_memory"; else
  targets="insole insole_bench_make insole_bench_analysis insole_bench_spm insole_bench_memory"; fi
cmake --build "$build" -j2 --target $targets >/dev/null
insole=$build/cli/insole

# (e) registration and permutation statistics on synthetic footprints (no recordings needed).
spm_bench() {
  echo
  echo "(e) pixel-level statistics: ${spm_permutations} permutations on ${spm_images} registered images"
  "$build/bench/insole_bench_spm" "$spm_images" "$spm_permutations" | sed 's/^/    /'
}
# (f) the app's live view in a real browser.
app_bench() {
  echo
  if command -v chromium >/dev/null && command -v chromedriver >/dev/null && $py -c 'import selenium' 2>/dev/null; then
    echo "(f) clinic app live view, 100 Hz input, ${INSOLE_BENCH_APP_SECONDS:-12} s"
    $py "$src/bench/app_live.py" "$insole" "${INSOLE_BENCH_APP_SECONDS:-12}" 100 | sed 's/^/    /'
  else
    echo "(f) skipped: needs chromium, chromium-driver, python3-selenium (scripts/install-deps.sh)"
  fi
}
if [ "${INSOLE_BENCH_ONLY:-}" = spm ]; then
  spm_bench
  exit 0
fi
if [ "${INSOLE_BENCH_ONLY:-}" = app ]; then
  app_bench
  exit 0
fi
mkdir -p "$work/set"
now() { date +%s.%N; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
field() { $py -c "import json,sys; print(json.loads(sys.stdin.read())['$1'])"; }

# The three activity patterns of (d) and (g): generator mode, name, rows, cols, pitch (mm), rate (Hz).
patterns="walk walk-64x64 64 64 10 100
treadmill treadmill-60x150 60 150 10 100
stand stand-200x200 200 200 5 $stand_rate"

# Peak memory of the analysis for three activity patterns, 1 min against $memory_minutes min.
# Each figure is one process (insole_bench_memory: batch::assess_file, then getrusage).
memory_bench() {
  echo
  echo "(d) analysis peak memory (max RSS), 1 min against ${memory_minutes} min:"
  local mode name rows cols pitch rate m f
  while read -r mode name rows cols pitch rate; do
    local rss=() raw=()
    for m in 1 "$memory_minutes"; do
      f="$work/mem-$name-${m}min.h5"
      [ -s "$f" ] || "$build/bench/insole_bench_make" --mode "$mode" "$f" "$m" "$rows" "$cols" "$pitch" "$rate" >/dev/null
      local j
      j=$("$build/bench/insole_bench_memory" "$f")
      rss+=("$(echo "$j" | field max_rss_mb)")
      raw+=("$(echo "$j" | field raw_mb)")
    done
    echo "    $name (${rows} x ${cols} at ${pitch} mm, ${rate} Hz): ${rss[0]} MB vs ${rss[1]} MB, ratio $(ratio "${rss[1]}" "${rss[0]}") (raw frames ${raw[0]} MB vs ${raw[1]} MB)"
  done <<<"$patterns"
}
# Throughput by activity pattern, on the 1-min recordings of memory_bench (INSOLE_BENCH_PATTERN_MINUTES
# for others; the NumPy baseline holds a whole activity window in float64, 9.6 GB for 10 min of the
# standing trial): `insole analyze` (the
# CLI, process start included) pinned to one core (taskset -c 0) and free on both, against h5py
# reading and decompressing the same frames in the same blocks (bench/h5py_read.py) and against
# the NumPy + h5py baseline (bench/numpy_baseline.py), both pinned to one core. Best of $repeats.
pattern_bench() {
  local pm=${INSOLE_BENCH_PATTERN_MINUTES:-1}
  echo
  echo "(g) throughput by activity pattern, ${pm}-min recordings, best of ${repeats} (MB/s of raw float32 frames):"
  printf "    %-18s %7s %8s %9s %9s %8s %8s %9s %8s %8s\n" recording "raw MB" "h5py" "insole 1c" "insole 2c" \
    "/h5py 1c" "/h5py 2c" "NumPy 1c" "xNumPy 1c" "xNumPy 2c"
  local mode name rows cols pitch rate f
  while read -r mode name rows cols pitch rate; do
    f="$work/mem-$name-${pm}min.h5"
    [ -s "$f" ] || "$build/bench/insole_bench_make" --mode "$mode" "$f" "$pm" "$rows" "$cols" "$pitch" "$rate" >/dev/null
    local h5 mb one=1e9 two=1e9 np=1e9 t0 t1 s
    h5=$(taskset -c 0 $py "$src/bench/h5py_read.py" "$f" "$repeats")
    mb=$(echo "$h5" | field raw_mb)
    for _ in $(seq "$repeats"); do
      t0=$(now); taskset -c 0 "$insole" analyze "$f" --json >/dev/null; t1=$(now)
      one=$(awk -v a="$one" -v t0="$t0" -v t1="$t1" 'BEGIN { d = t1 - t0; print (d < a) ? d : a }')
      t0=$(now); "$insole" analyze "$f" --json >/dev/null; t1=$(now)
      two=$(awk -v a="$two" -v t0="$t0" -v t1="$t1" 'BEGIN { d = t1 - t0; print (d < a) ? d : a }')
      s=$(taskset -c 0 $py "$src/bench/numpy_baseline.py" "$f" | field seconds)
      np=$(awk -v a="$np" -v b="$s" 'BEGIN { print (b < a) ? b : a }')
    done
    local h5s one_mb two_mb
    h5s=$(echo "$h5" | field h5py_s)
    one_mb=$(awk -v m="$mb" -v s="$one" 'BEGIN { printf "%.1f", m / s }')
    two_mb=$(awk -v m="$mb" -v s="$two" 'BEGIN { printf "%.1f", m / s }')
    printf "    %-18s %7s %8s %9s %9s %8s %8s %8ss %9s %9s\n" "$name" "$mb" "$(echo "$h5" | field h5py_mb_s)" "$one_mb" "$two_mb" \
      "$(ratio "$h5s" "$one")" "$(ratio "$h5s" "$two")" "$np" "$(ratio "$np" "$one")" "$(ratio "$np" "$two")"
  done <<<"$patterns"
  echo "    aims: /h5py >= 1.0 on one core, >= 1.8 on two; xNumPy >= 5 on one core, >= 10 on two"
}
if [ "${INSOLE_BENCH_ONLY:-}" = memory ]; then
  memory_bench
  exit 0
fi
if [ "${INSOLE_BENCH_ONLY:-}" = patterns ]; then
  pattern_bench
  memory_bench
  exit 0
fi

make_rec() {  # file minutes [seed-free: the generator's default seed]
  [ -s "$1" ] || "$build/bench/insole_bench_make" "$1" "$2" >/dev/null
}
make_rec "$work/mat-1min.h5" 1
make_rec "$work/mat-${minutes}min.h5" "$minutes"
make_rec "$work/mat-${long_minutes}min.h5" "$long_minutes"
for i in 1 2 3 4 5 6 7 8; do make_rec "$work/set/rec$i.h5" 1; done


echo "insole analysis/batch benchmarks: $(nproc) cores, $(uname -m), HDF5 $(h5cc -showconfig 2>/dev/null | awk -F': ' '/HDF5 Version/ {print $2}')"
echo

# (a) analysis against the I/O limit, best of $repeats interleaved runs.
a=$("$build/bench/insole_bench_analysis" "$work/mat-${minutes}min.h5" "$repeats")
read_s=$(echo "$a" | field read_s)
echo "(a) ${minutes}-min recording ($(echo "$a" | field raw_mb) MB of frames, $(echo "$a" | field footfalls) footfalls)"
echo "    read+decompress $(echo "$a" | field read_s) s ($(echo "$a" | field read_mb_s) MB/s), analysis $(echo "$a" | field analyze_s) s ($(echo "$a" | field analyze_mb_s) MB/s)"
echo "    ratio analysis/I-O throughput: $(echo "$a" | field analysis_over_io)   (target >= 0.7)"

# (b) the NumPy baseline on one core against insole on one core (the CLI, process start included):
# both pinned to CPU 0 with taskset, so insole's read-ahead thread shares that core.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
best_np=1e9; best_in=1e9; np_read=0
for _ in $(seq "$repeats"); do
  np_json=$(taskset -c 0 $py "$src/bench/numpy_baseline.py" "$work/mat-${minutes}min.h5")
  np_s=$(echo "$np_json" | field seconds)
  np_r=$(echo "$np_json" | field read_seconds)
  awk -v a="$np_s" -v b="$best_np" 'BEGIN { exit !(a < b) }' && np_read=$np_r
  t0=$(now); taskset -c 0 "$insole" batch "$work/mat-${minutes}min.h5" -o "$work/b.csv" --jobs 1 --progress none 2>/dev/null || true; t1=$(now)
  in_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
  best_np=$(awk -v a="$best_np" -v b="$np_s" 'BEGIN { print (b < a) ? b : a }')
  best_in=$(awk -v a="$best_in" -v b="$in_s" 'BEGIN { print (b < a) ? b : a }')
done
echo
echo "(b) NumPy+h5py baseline ${best_np} s (of which h5py reading ${np_read} s), insole ${best_in} s, one core:"
echo "    insole is $(ratio "$best_np" "$best_in")x faster   (target >= 10)"
echo "    beyond reading: baseline $(awk -v a="$best_np" -v b="$np_read" 'BEGIN { printf "%.3f", a - b }') s, insole $(awk -v a="$best_in" -v b="$read_s" 'BEGIN { printf "%.3f", a - b }') s (its own read+decompress time from (a))"

# (c) batch scaling over 8 one-minute recordings.
best1=1e9; best2=1e9; bestp=1e9; bestc=1e9
for _ in $(seq "$repeats"); do
  tc=$(now); taskset -c 0 "$insole" batch "$work/set" -o "$work/c0.csv" --jobs 1 --progress none 2>/dev/null || true
  t0=$(now); "$insole" batch "$work/set" -o "$work/c1.csv" --jobs 1 --progress none 2>/dev/null || true; t1=$(now)
  "$insole" batch "$work/set" -o "$work/c2.csv" --jobs 2 --progress none 2>/dev/null || true; t2=$(now)
  "$insole" batch "$work/set" -o "$work/p1.csv" --shard 1/2 --jobs 1 --progress none 2>/dev/null &
  "$insole" batch "$work/set" -o "$work/p2.csv" --shard 2/2 --jobs 1 --progress none 2>/dev/null &
  wait || true; t3=$(now)
  best1=$(awk -v a="$best1" -v t0="$t0" -v t1="$t1" 'BEGIN { d = t1 - t0; print (d < a) ? d : a }')
  best2=$(awk -v a="$best2" -v t0="$t1" -v t1="$t2" 'BEGIN { d = t1 - t0; print (d < a) ? d : a }')
  bestp=$(awk -v a="$bestp" -v t0="$t2" -v t1="$t3" 'BEGIN { d = t1 - t0; print (d < a) ? d : a }')
  bestc=$(awk -v a="$bestc" -v t0="$tc" -v t1="$t0" 'BEGIN { d = t1 - t0; print (d < a) ? d : a }')
done
cmp -s "$work/c1.csv" "$work/c2.csv" && same="identical" || same="DIFFERENT"
echo
echo "(c) batch of 8 x 1 min: one core (taskset, --jobs 1) ${bestc} s; two cores: --jobs 1 with read-ahead ${best1} s,"
echo "    --jobs 2 ${best2} s, two --shard processes side by side ${bestp} s (CSV $same)"
echo "    speed-up from one core to two: --jobs 1 $(ratio "$bestc" "$best1")x, --jobs 2 $(ratio "$bestc" "$best2")x, shards $(ratio "$bestc" "$bestp")x"

# (d) peak memory, short against long recording (one job, GNU time's maximum resident set size).
rss() {
  /usr/bin/time -v "$insole" batch "$1" -o "$work/d.csv" --jobs 1 --progress none 2>&1 >/dev/null |
    awk -F': ' '/Maximum resident set size/ {print $2}'
}
r1=$(rss "$work/mat-1min.h5"); rl=$(rss "$work/mat-${long_minutes}min.h5")
echo
echo "(d) max RSS: 1 min ${r1} kB, ${long_minutes} min ${rl} kB: ratio $(ratio "$rl" "$r1") (flat = 1.0; raw frames of ${long_minutes} min: $((long_minutes * 6000 * 4096 * 4 / 1000000)) MB)"
memory_bench
pattern_bench

spm_bench
app_bench
