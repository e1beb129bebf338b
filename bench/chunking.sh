#!/usr/bin/env bash
# The writer's chunking and deflate level, chosen by measurement (docs/format.md, "Chunking and
# compression"): writes the same simulated recordings with several chunk lengths (frames) and
# deflate levels and prints, for each, the file size and the read throughput of the analysis path
# (raw chunks, 1 and 2 decode threads) and of HDF5's own filter pipeline, all from this one run.
# Environment: INSOLE_BENCH_BUILD (Release build dir, default build-bench), INSOLE_BENCH_WORK
# (default /tmp/insole-bench-chunking), INSOLE_BENCH_REPEATS (default 3).
set -euo pipefail
source "$(dirname "$0")/read_common.sh" /tmp/insole-bench-chunking

echo "recording                 chunk  level  MB on disk  raw MB  direct 1t MB/s  direct 2t MB/s  library MB/s"
# name minutes rows cols pitch
for spec in "walk64 0.5 64 64 10" "mat200 0.1 200 200 5"; do
  read -r name minutes rows cols pitch <<<"$spec"
  for chunk in 4 8 16 64; do
    for level in 1 4 6; do
      f="$work/$name-c$chunk-l$level.h5"
      [ -s "$f" ] || "$build/bench/insole_bench_make" "$f" "$minutes" "$rows" "$cols" "$pitch" 100 "$chunk" "$level" >/dev/null
      out=$("$build/bench/insole_bench_read" "$f" "$repeats")
      size=$(awk -v b="$(stat -c %s "$f")" 'BEGIN { printf "%.3f", b / 1e6 }')
      printf "%-25s %5s  %5s  %10s  %6s  %14s  %14s  %12s\n" "$name ${rows}x${cols}" "$chunk" "$level" "$size" \
        "$(echo "$out" | field 0 raw_mb)" "$(echo "$out" | field 0 direct_mb_s)" "$(echo "$out" | field 1 direct_mb_s)" \
        "$(echo "$out" | field 0 library_mb_s)"
    done
  done
done
