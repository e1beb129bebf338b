#!/usr/bin/env bash
# Batch at archive scale (docs/performance.md, "Batch at archive scale"): builds a folder of
# INSOLE_BENCH_ARCHIVE (default 2000) small recordings that mixes good recordings, corrupt files and
# files written by other tools, runs `insole batch --jobs 2` over it and reports throughput
# (recordings/s) and peak memory (max RSS, /usr/bin/time); then interrupts the same batch
# INSOLE_BENCH_INTERRUPTS times (default 3) with SIGINT or SIGTERM after a random delay, resumes
# it with --resume, and checks that every resumed CSV is byte-identical to the uninterrupted one.
# The verdict does not depend on where the signal lands (before the first recording, in the
# middle, or after the end: all must give the same CSV).
# Not run in CI (minutes); tests/batch covers interruption and --resume on small folders.
# Environment: INSOLE_BENCH_BUILD (Release build dir, default build-bench; configured if needed),
# INSOLE_BENCH_WORK (default /tmp/insole-archive-bench; the archive is rebuilt each run),
# INSOLE_SHARED_DATA (vendor exports to import, default ../shared/data: skipped when absent).
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
build=${INSOLE_BENCH_BUILD:-$src/build-bench}
work=${INSOLE_BENCH_WORK:-/tmp/insole-archive-bench}
total=${INSOLE_BENCH_ARCHIVE:-2000}
interrupts=${INSOLE_BENCH_INTERRUPTS:-3}
shared=${INSOLE_SHARED_DATA:-$src/../shared/data}
py=/usr/bin/python3

if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DINSOLE_BUILD_TESTS=OFF > /dev/null
fi
cmake --build "$build" -j2 --target insole > /dev/null
insole=$build/cli/insole
[ -x /usr/bin/time ] || { echo "batch_archive: needs /usr/bin/time (Debian: time)" >&2; exit 1; }

rm -rf "$work"
pool=$work/pool
mkdir -p "$pool/good" "$pool/other" "$pool/corrupt" "$work/archive"

# --- the pool of distinct files ------------------------------------------------------------------
# Good: the sample recordings and small simulated walks, standing trials and insole recordings.
cp "$src"/data/*.h5 "$pool/good/"
for seed in $(seq 1 12); do
  foot=$(echo "flat normal cavus" | cut -d' ' -f$(( (seed % 3) + 1 )))
  "$insole" simulate -o "$pool/good/mat-$seed.h5" --seed "$seed" --foot "$foot" --duration 3 --rows 60 --cols 200 > /dev/null 2>&1
done
for seed in 1 2 3; do
  "$insole" simulate -o "$pool/good/stand-$seed.h5" --mode stand --seed "$seed" --duration 5 --rows 60 --cols 200 > /dev/null 2>&1
  "$insole" simulate -o "$pool/good/insole-$seed.h5" --seed "$seed" --layout insole99 --duration 4 > /dev/null 2>&1
done
# Other tools: vendor exports converted by the importers; recordings rewritten by h5repack
# (contiguous layout; gzip without shuffle) and written by h5py (docs/format.md's example).
imported=0
if [ -d "$shared" ]; then
  for f in "$shared"/pressure_vendor_samples/* "$shared"/tekscan_fscan_footpress/*.asf; do
    case "$f" in *.txt|*.md) continue ;; esac
    out="$pool/other/import-$(basename "$f" | tr '.' '_').h5"
    if "$insole" import "$f" -o "$out" > /dev/null 2>&1; then imported=$((imported + 1)); fi
  done
fi
if command -v h5repack > /dev/null; then
  h5repack -l CONTI "$pool/good/mat-1.h5" "$pool/other/repack-contiguous.h5"
  h5repack -f GZIP=9 "$pool/good/walk_normal.h5" "$pool/other/repack-gzip9.h5"
fi
if $py -c 'import h5py, numpy' 2> /dev/null; then
  $py "$src/tests/io/write_fixture_h5py.py" "$pool/other/h5py-example.h5"
  # An HDF5 file that is not a recording (some other tool's data).
  $py -c 'import h5py, numpy, sys; f = h5py.File(sys.argv[1], "w"); f["signal"] = numpy.arange(1000.0)' \
    "$pool/corrupt/foreign.h5"
fi
# Corrupt: cut copies (an interrupted transfer), flipped bytes inside a chunk, noise, empty, text.
n=0
for f in "$pool"/good/walk_normal.h5 "$pool"/good/mat-2.h5 "$pool"/good/insole-1.h5; do
  for frac in 10 50 90; do
    n=$((n + 1))
    head -c $(( $(stat -c %s "$f") * frac / 100 )) "$f" > "$pool/corrupt/cut-$n.h5"
  done
done
cp "$pool/good/mat-3.h5" "$pool/corrupt/flipped.h5"
size=$(stat -c %s "$pool/corrupt/flipped.h5")
printf '\xff\xff\xff\xff\xff\xff\xff\xff' | dd of="$pool/corrupt/flipped.h5" bs=1 seek=$((size * 3 / 4)) conv=notrunc status=none
head -c 20000 /dev/urandom > "$pool/corrupt/noise.h5"
: > "$pool/corrupt/empty.h5"
echo "subject walked twice" > "$pool/corrupt/notes.h5"

# --- the archive: `total` files cycling through the pool (about 70 % good, 15 % other tools,
# 15 % corrupt), in subject folders, plus vendor files that are not inputs -----------------------
mapfile -t good < <(ls "$pool"/good/*.h5)
mapfile -t other < <(ls "$pool"/other/*.h5 2> /dev/null || true)
mapfile -t corrupt < <(ls "$pool"/corrupt/*.h5)
[ ${#other[@]} -gt 0 ] || other=("${good[@]}")
for i in $(seq 1 "$total"); do
  r=$((i % 20))
  if [ "$r" -lt 14 ]; then set -- "${good[@]}"; elif [ "$r" -lt 17 ]; then set -- "${other[@]}"; else set -- "${corrupt[@]}"; fi
  idx=$(( (i / 20) % $# + 1 ))
  pick=${!idx}
  dir="$work/archive/sub-$(printf %03d $((i % 97)))"
  mkdir -p "$dir"
  cp "$pick" "$dir/trial-$(printf %04d "$i")-$(basename "$pick")"
done
[ -d "$shared/pressure_vendor_samples" ] && cp "$shared"/pressure_vendor_samples/*.asc "$work/archive/sub-000/" 2> /dev/null || true
files=$(find "$work/archive" -name '*.h5' | wc -l)
mb=$(du -sm "$work/archive" | cut -f1)
echo "insole batch at archive scale: $(nproc) cores, $(uname -m)"
echo "archive: $files recordings, $mb MB (pool: ${#good[@]} good, ${#other[@]} from other tools ($imported imported vendor exports), ${#corrupt[@]} corrupt)"

# --- the uninterrupted run -------------------------------------------------------------------------
cd "$work"
/usr/bin/time -f '%e %M' -o time.txt "$insole" batch archive -o full.csv --jobs 2 --progress none 2> full.log || true
read -r seconds max_kb < <(tail -n 1 time.txt)  # after "Command exited with non-zero status 1"
echo "uninterrupted --jobs 2: $(tail -n 2 full.log | head -n 1 | sed 's/^insole batch: //')"
awk -v n="$files" -v s="$seconds" -v kb="$max_kb" \
  'BEGIN { printf "  throughput %.1f recordings/s (%.2f s wall), peak memory %.0f MB (max RSS)\n", n / s, s, kb / 1024 }'
awk -F, 'NR > 1 { print $3 }' full.csv | sort | uniq -c | awk '{ printf "  rows %s: %s\n", $2, $1 }'

# --- interrupted at a random moment, then resumed ------------------------------------------------
fails=0
for k in $(seq 1 "$interrupts"); do
  rm -f int.csv int.csv.journal
  if [ $((RANDOM % 2)) -eq 0 ]; then signal=INT; else signal=TERM; fi
  delay=$(awk -v s="$seconds" -v r="$RANDOM" 'BEGIN { printf "%.2f", s * 1.1 * r / 32768 }')
  # Job control on: a background command of a script would otherwise start with SIGINT ignored.
  set -m
  "$insole" batch archive -o int.csv --jobs 2 --progress none 2> int.log &
  pid=$!
  set +m
  sleep "$delay"
  kill -"$signal" "$pid" 2> /dev/null || true
  status=0; wait "$pid" || status=$?
  if [ -f int.csv.journal ]; then journaled="$(wc -l < int.csv.journal) recordings journaled"; else journaled="finished"; fi
  /usr/bin/time -f '%e %M' -o time-r.txt "$insole" batch archive -o int.csv --jobs 2 --progress none --resume 2> resume.log || true
  read -r r_seconds r_kb < <(tail -n 1 time-r.txt)
  verdict=identical
  cmp -s full.csv int.csv || { verdict=DIFFERENT; fails=$((fails + 1)); }
  echo "interruption $k: SIG$signal after ${delay} s (exit $status, $journaled); resume in ${r_seconds} s, max RSS $((r_kb / 1024)) MB:" \
       "$(tail -n 2 resume.log | head -n 1 | sed 's/^insole batch: //'); CSV $verdict"
done
[ "$fails" -eq 0 ] || { echo "FAILED: $fails resumed CSVs differ from the uninterrupted one" >&2; exit 1; }
echo "all $interrupts interrupted-and-resumed CSVs are byte-identical to the uninterrupted one"
