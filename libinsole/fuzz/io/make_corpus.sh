#!/usr/bin/env bash
# Regenerates the seeds of fuzz_io_hdf5 (libinsole/fuzz/io/corpus/): small valid recordings,
# a few KB each, written by the toolkit (whole-file writer and streaming capture writer) and by
# h5py (HDF5's default, older file format with variable-length strings, and the 1.10 format).
# Usage: bash libinsole/fuzz/io/make_corpus.sh [BUILD_DIR]   (default build/test; needs its
#        cli/insole and /usr/bin/python3 with h5py and numpy)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
build=${1:-$root/build/test}
insole=$build/cli/insole
out=$here/corpus
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export ASAN_OPTIONS=detect_leaks=0
mkdir -p "$out"

# The toolkit's whole-file writer (io::write_recording): a sensors stream and a grid stream.
"$insole" simulate -o "$tmp/a.h5" --layout insole16 --duration 0.3 --rate 50 --seed 1 >/dev/null
cp "$tmp/a.h5" "$out/toolkit_walk_insole16.h5"
"$insole" simulate -o "$tmp/b.h5" --mode stand --layout mat --rows 12 --cols 10 --pitch 25 \
  --duration 0.2 --rate 25 --seed 2 >/dev/null
cp "$tmp/b.h5" "$out/toolkit_stand_mat.h5"
# The streaming capture writer (io::RecordingWriter, SWMR; sequence, frame_count, events).
"$insole" capture --source "sim://walk?layout=insole16&duration=0.2&rate=50&realtime=0" \
  -o "$tmp/c.h5" --quiet >/dev/null
cp "$tmp/c.h5" "$out/toolkit_capture_insole16.h5"
# An import with vendor channels (optional group /streams/<name>/vendor): the Moticon importer seed.
"$insole" import "$root/libinsole/fuzz/importers/corpus/moticon/moticon_vendor.txt" -o "$tmp/m.h5" >/dev/null
cp "$tmp/m.h5" "$out/toolkit_moticon_vendor.h5"

# h5py, default (oldest) file format: the example of docs/format.md (variable-length strings).
"$py" "$root/tests/io/write_fixture_h5py.py" "$tmp/d.h5"
cp "$tmp/d.h5" "$out/h5py_format_example.h5"
# h5py, HDF5 1.10 format (checksummed metadata), fixed-length strings and one variable-length
# string (its global heap is the one unchecksummed structure), integer pressure, only the
# required parts.
"$py" - "$tmp/e.h5" <<'PY'
import sys
import h5py
import numpy as np
with h5py.File(sys.argv[1], "w", libver=("v110", "v110")) as f:
    f.attrs["format"] = np.bytes_("insole")
    f.attrs["format_version"] = np.float64(1)  # as MATLAB writes it
    s = f.create_group("streams").create_group("mat")
    for k, v in {"kind": "grid", "side": "unknown", "units": "kPa"}.items():
        s.attrs[k] = np.bytes_(v)
    s.attrs["device"] = "h5py 1.10-format example"  # a Python str: variable-length
    s.attrs["sample_rate_hz"] = np.float32(10)
    s.attrs["pitch_mm"] = np.array([10.0, 10.0], dtype=np.float32)
    s.create_dataset("time_s", data=np.arange(6, dtype=np.float32) / 10)
    s.create_dataset("pressure", data=np.arange(6 * 3 * 2, dtype=np.uint16).reshape(6, 3, 2),
                     chunks=(2, 3, 2), compression="gzip", shuffle=True, fletcher32=True)
PY
cp "$tmp/e.h5" "$out/h5py_v110.h5"
ls -l "$out"
