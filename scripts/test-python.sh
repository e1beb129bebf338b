#!/usr/bin/env bash
# Builds the Python module (pybind11) and the CLI in a Release tree (build/release) and runs the
# pytest suite in python/tests, which compares insole.analyze() with `insole analyze --json` of
# the same build. Not an ASan build: CPython does not run under the ASan runtime.
# Usage: bash scripts/test-python.sh [pytest args...]
# Interpreter: $PYTHON, else Debian's /usr/bin/python3 (where python3-numpy, -h5py, -pytest and
# -pybind11 live), else python3. Without pybind11 the script skips with a message, except under
# CI=true, where it fails.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build/release
py="${PYTHON:-}"
if [ -z "$py" ]; then
  if [ -x /usr/bin/python3 ]; then py=/usr/bin/python3; else py=python3; fi
fi

if ! "$py" -c "import pybind11, numpy, h5py, pytest" 2>/dev/null; then
  msg="test-python: $py cannot import pybind11, numpy, h5py or pytest (Debian: pybind11-dev python3-pybind11 python3-numpy python3-h5py python3-pytest; scripts/install-deps.sh)"
  if [ "${CI:-}" = "true" ]; then echo "$msg" >&2; exit 1; fi
  echo "$msg: skipped" >&2
  exit 0
fi

mkdir -p build
launcher=()
if command -v ccache > /dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DINSOLE_BUILD_PYTHON=ON -DINSOLE_BUILD_CLI=ON \
      -DINSOLE_BUILD_TESTS=OFF -DINSOLE_WARNINGS_AS_ERRORS=ON -DPython_EXECUTABLE="$(command -v "$py")" \
      "${launcher[@]}" > "$build.configure.log" 2>&1 \
  || { cat "$build.configure.log"; exit 1; }
start=$(date +%s)
cmake --build "$build" --target _insole insole -j 2
echo "test-python: Release build of _insole and insole took $(( $(date +%s) - start )) s"

export PYTHONPATH="$PWD/$build/python${PYTHONPATH:+:$PYTHONPATH}"
export INSOLE_CLI="$PWD/$build/cli/insole"
start=$(date +%s)
"$py" -m pytest -q -p no:cacheprovider python/tests "$@"
echo "test-python: pytest took $(( $(date +%s) - start )) s"
