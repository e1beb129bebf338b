#!/usr/bin/env bash
# Regenerates the sample recordings in data/ with the built `insole simulate`.
# Usage: scripts/make-samples.sh [path/to/insole]   (default: build/cli/insole)
# Deterministic: the same toolkit version and seeds give the same pressures.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
insole="${1:-$here/build/cli/insole}"
out="$here/data"
mkdir -p "$out"
# A 0.49 x 2.44 m walkway (96 x 480 sensels at 5.08 mm), 50 Hz, realistic sensor noise.
mat=(--rows 96 --cols 480 --pitch 5.08 --rate 50 --typical-noise)
run() { echo "+ insole simulate $*"; "$insole" simulate "$@"; }
run "${mat[@]}" --duration 4 --seed 1 --foot normal -o "$out/walk_normal.h5"
run "${mat[@]}" --duration 4 --seed 2 --foot flat --pronation 0.8 -o "$out/walk_flat_pronated.h5"
run "${mat[@]}" --duration 4 --seed 3 --foot cavus --pronation -0.5 --direction 180 -o "$out/walk_cavus.h5"
run "${mat[@]}" --duration 4 --seed 4 --foot normal --equinus --direction 15 -o "$out/walk_equinus.h5"
run --mode stand --rows 80 --cols 80 --pitch 5.08 --rate 20 --duration 5 --typical-noise --seed 5 \
    -o "$out/stand_normal.h5"
run --layout insole99 --rate 50 --duration 6 --seed 6 --foot flat --pronation 0.6 \
    --noise-kpa 1 --threshold-kpa 3 --quantum-kpa 1 -o "$out/insoles_pedar99_flat.h5"
run --layout insole-grid --rate 50 --duration 6 --seed 7 --foot normal \
    --noise-kpa 1 --threshold-kpa 3 --quantum-kpa 1 -o "$out/insoles_grid_normal.h5"
du -ch "$out"/*.h5
