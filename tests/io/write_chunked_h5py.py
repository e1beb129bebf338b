#!/usr/bin/python3
"""Writes an insole recording (docs/format.md) with h5py, with the frame dataset's chunking and
filters chosen on the command line, for the tests of the direct chunk reader and its fallback.

Usage: /usr/bin/python3 write_chunked_h5py.py OUT.h5 CHUNKS FILTERS
  CHUNKS   "frames" - chunks of 8 whole frames; "auto" - h5py's automatic chunks (they split frames)
  FILTERS  comma-separated, in h5py's order: gzip, shuffle, fletcher32, lzf, scaleoffset; or "none"
"""
import sys

import h5py
import numpy as np


def main(path, chunks, filters):
    filters = set(filters.split(",")) - {"none"}
    n, rows, cols = 37, 20, 30  # 37 frames: the last chunk of 8 is partial
    t = 0.01 * np.arange(n)
    r = np.arange(rows)[:, None]
    c = np.arange(cols)[None, :]
    p = np.stack([np.fmod(0.37 * (r * cols + c) + 1.3 * f, 250.0) for f in range(n)]).astype(np.float32)
    p[:, 0, 0] = np.nan
    with h5py.File(path, "w") as f:
        f.attrs["format"] = "insole"
        f.attrs["format_version"] = 1
        mat = f.create_group("streams").create_group("mat")
        mat.attrs["kind"] = "grid"
        mat.attrs["side"] = "both"
        mat.attrs["units"] = "kPa"
        mat.attrs["sample_rate_hz"] = 100.0
        mat.attrs["device"] = "h5py chunked mat"
        mat.attrs["pitch_mm"] = np.array([5.0, 5.0])
        mat.create_dataset("time_s", data=t)
        kw = {"chunks": (8, rows, cols) if chunks == "frames" else True}
        if "gzip" in filters:
            kw["compression"] = "gzip"
            kw["compression_opts"] = 4
        if "lzf" in filters:
            kw["compression"] = "lzf"
        kw["shuffle"] = "shuffle" in filters
        kw["fletcher32"] = "fletcher32" in filters
        if "scaleoffset" in filters:
            kw["scaleoffset"] = 2
        mat.create_dataset("pressure", data=p, **kw)


if __name__ == "__main__":
    main(*sys.argv[1:4])
