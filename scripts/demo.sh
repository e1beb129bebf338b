#!/usr/bin/env bash
# The main job, from a fresh machine: install dependencies, build, then simulate a walk over a
# pressure mat, analyse it and write the fitting report (PDF + HTML); then the report of every
# bundled sample recording in data/. Outputs go to out/demo/.
# Usage: bash scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
build=build/release
mkdir -p build
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DINSOLE_BUILD_TESTS=OFF > "$build.configure.log" 2>&1 \
  || { cat "$build.configure.log"; exit 1; }
cmake --build "$build" -j "$(nproc)" --target insole
insole="$build/cli/insole"
out=out/demo
mkdir -p "$out"

echo "== 1. simulate a flat, pronating foot walking back and forth over a pressure mat"
"$insole" simulate --mode walk --foot flat --pronation 0.6 --mass 80 --duration 12 --seed 7 \
  -o "$out/walk_flat.h5"
echo "== 2. what is in the recording"
"$insole" info "$out/walk_flat.h5"
echo "== 3. analysis (per-foot table; add --json for the machine-readable document)"
"$insole" analyze "$out/walk_flat.h5" || [ $? -eq 1 ]
"$insole" analyze "$out/walk_flat.h5" --json > "$out/walk_flat.json" || [ $? -eq 1 ]
echo "== 4. fitting report with recommendations (intake: data/intake-example.yaml)"
"$insole" report "$out/walk_flat.h5" --intake data/intake-example.yaml --clinic "Demo Clinic" \
  -o "$out/report.pdf"
"$insole" report "$out/walk_flat.h5" --intake data/intake-example.yaml --clinic "Demo Clinic" \
  --format html -o "$out/report.html"
echo "== 5. fitting reports of the bundled sample recordings (data/README.md says how each was made)"
mkdir -p "$out/samples"
for f in data/*.h5; do
  name=$(basename "$f" .h5)
  "$insole" report "$f" --clinic "Demo Clinic" -o "$out/samples/$name.pdf" || [ $? -eq 1 ]
done
echo
echo "analysis JSON: $out/walk_flat.json"
echo "fitting report: $(pwd)/$out/report.pdf (HTML twin: $out/report.html)"
