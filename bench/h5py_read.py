#!/usr/bin/python3
"""h5py read + decompress throughput of a recording's frames: every stream's pressure dataset read
in blocks of whole chunks holding at least 4 MiB (as the toolkit reads: batch::AnalyseOptions::read_bytes),
best of REPEATS.
Prints one JSON line. Usage: /usr/bin/python3 h5py_read.py FILE [REPEATS]"""
import json
import sys
import time

import h5py
import numpy as np


def block_frames(d, target_bytes=4 << 20):
    """Frames per read: the smallest multiple of the chunk length holding target_bytes."""
    chunk = d.chunks[0] if d.chunks else 1
    frame_bytes = max(1, int(np.prod(d.shape[1:]))) * d.dtype.itemsize
    want = max(1, -(-target_bytes // frame_bytes))
    return -(-want // chunk) * chunk


def read_once(path):
    t0 = time.perf_counter()
    values = 0
    with h5py.File(path, "r") as f:
        for name in f["streams"]:
            d = f["streams"][name]["pressure"]
            block = block_frames(d)
            for a in range(0, d.shape[0], block):
                p = d[a:a + block]
                values += p.size
                np.nansum(p)  # touch every value, as the C++ side does
    return time.perf_counter() - t0, values


def main():
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    best, values = min(read_once(path) for _ in range(repeats))
    mb = values * 4 / 1e6
    print(json.dumps({"file": path, "raw_mb": round(mb, 1), "h5py_s": round(best, 4), "h5py_mb_s": round(mb / best, 1)}))


if __name__ == "__main__":
    main()
