#!/usr/bin/env bash
# Reading frames at the hardware limit (docs/performance.md, "Reading frames"): builds the bench
# tools in Release, simulates a 64 x 64 mat walk (10 mm) and a 200 x 200 mat (5 mm) at 100 Hz,
# each written with chunks of 8 and of 64 frames (shuffle + deflate level 4 + Fletcher-32, as the
# writer stores them), and prints from this one run, for 1 and 2 decode threads:
#   direct / library   read_frames by raw chunks against HDF5's filter pipeline (same process)
#   direct / h5py      against h5py reading and decompressing the same frames (bench/h5py_read.py)
# Environment: INSOLE_BENCH_BUILD (default build-bench), INSOLE_BENCH_WORK (default
# /tmp/insole-bench-read, reused), INSOLE_BENCH_REPEATS (default 3).
set -euo pipefail
source "$(dirname "$0")/read_common.sh" /tmp/insole-bench-read
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo "insole read benchmark: $(nproc) cores, HDF5 $(h5cc -showconfig 2>/dev/null | awk -F': ' '/HDF5 Version/ {print $2}'), libdeflate $(pkg-config --modversion libdeflate)"
printf "%-22s %5s %7s %8s  %9s %9s %9s  %8s %8s\n" recording chunk threads "raw MB" "direct" "library" "h5py" "/library" "/h5py"
# name minutes rows cols pitch
for spec in "walk64x64 2 64 64 10" "mat200x200 0.5 200 200 5"; do
  read -r name minutes rows cols pitch <<<"$spec"
  for chunk in 8 64; do
    f="$work/$name-c$chunk.h5"
    [ -s "$f" ] || "$build/bench/insole_bench_make" "$f" "$minutes" "$rows" "$cols" "$pitch" 100 "$chunk" 4 >/dev/null
    out=$("$build/bench/insole_bench_read" "$f" "$repeats")
    h5py_mb_s=$($py "$src/bench/h5py_read.py" "$f" "$repeats" | field 0 h5py_mb_s)
    for line in 0 1; do
      d=$(echo "$out" | field $line direct_mb_s)
      l=$(echo "$out" | field $line library_mb_s)
      printf "%-22s %5s %7s %8s  %6s MB/s %6s MB/s %6s MB/s  %8s %8s\n" "$name" "$chunk" "$(echo "$out" | field $line threads)" \
        "$(echo "$out" | field $line raw_mb)" "$d" "$l" "$h5py_mb_s" "$(ratio "$d" "$l")" "$(ratio "$d" "$h5py_mb_s")"
    done
  done
done
