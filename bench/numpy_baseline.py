#!/usr/bin/python3
"""The baseline a researcher would write: NumPy + h5py, same core measures as `insole analyze`.

For every stream of an insole HDF5 recording (docs/format.md):
  * per frame: total force (N) and centre of pressure (mm) over sensels above the threshold;
  * footfall segmentation: activity windows (runs of loaded frames separated by quiet gaps),
    and within a window the 8-connected blobs of the window's peak image, one per footfall;
  * per footfall: first/last frame, peak footprint (per-sensel maximum), contact area (mm^2)
    and its own COP trajectory.
Frames are read in blocks of whole HDF5 chunks (never the whole dataset), vectorised over frames
with NumPy; the only Python loop over sensels is the flood fill of one 2-D peak image per window.
It is deliberately simpler than the toolkit (no tracking of overlapping feet, no foot axis, no
regions): what it does is a subset of what `insole analyze` does, so the speed ratio is
conservative.  Usage: /usr/bin/python3 numpy_baseline.py FILE.h5  (prints one JSON line)
"""
import json
import sys
import time

import h5py
import numpy as np

THRESHOLD_KPA = 5.0      # loaded sensel (as SegmentationParams.active_threshold_kpa)
QUIET_FORCE_N = 5.0      # a frame below this total force is quiet (AnalysisParams.quiet_force_n)
QUIET_GAP_S = 0.3        # a window closes after this much quiet (AnalysisParams.quiet_gap_s)
MIN_SENSELS = 2          # smaller blobs are noise
READ_S = [0.0]           # time spent inside h5py reads (decompression included)


def read(dset, a, b):
    """dset[a:b], timed: the share of the baseline that is h5py reading and decompressing."""
    t0 = time.perf_counter()
    out = dset[a:b]
    READ_S[0] += time.perf_counter() - t0
    return out


def blobs(mask):
    """8-connected components of a 2-D boolean mask (iterative flood fill)."""
    rows, cols = mask.shape
    labels = np.zeros(mask.shape, dtype=np.int32)
    n = 0
    for r, c in zip(*np.nonzero(mask)):
        if labels[r, c]:
            continue
        n += 1
        labels[r, c] = n
        stack = [(r, c)]
        while stack:
            y, x = stack.pop()
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    yy, xx = y + dy, x + dx
                    if 0 <= yy < rows and 0 <= xx < cols and mask[yy, xx] and not labels[yy, xx]:
                        labels[yy, xx] = n
                        stack.append((yy, xx))
    return labels, n


def windows(t, loaded):
    """[first, last] frame index pairs of activity, split at quiet gaps >= QUIET_GAP_S."""
    idx = np.flatnonzero(loaded)
    if idx.size == 0:
        return []
    gaps = np.flatnonzero(t[idx[1:]] - t[idx[:-1]] >= QUIET_GAP_S)
    starts = np.concatenate(([idx[0]], idx[gaps + 1]))
    ends = np.concatenate((idx[gaps], [idx[-1]]))
    return list(zip(starts, ends))


def analyse_stream(g):
    t = g["time_s"][:]
    pressure = g["pressure"]
    if pressure.ndim != 3:
        return {"frames": int(t.size), "footfalls": []}  # sensor sets: not a mat
    n, rows, cols = pressure.shape
    pitch = np.asarray(g.attrs["pitch_mm"], dtype=np.float64)
    area_mm2 = pitch[0] * pitch[1]
    y_mm = (np.arange(rows) + 0.5) * pitch[0]
    x_mm = (np.arange(cols) + 0.5) * pitch[1]
    # Whole chunks holding at least 4 MiB of float32 frames, as the toolkit and h5py_read.py read.
    chunk = pressure.chunks[0] if pressure.chunks else 1
    block = -(-max(1, -(-(4 << 20) // (4 * rows * cols))) // chunk) * chunk

    force_n = np.zeros(n)
    cop_mm = np.full((n, 2), np.nan)
    for a in range(0, n, block):
        p = np.nan_to_num(read(pressure, a, a + block)).astype(np.float64)
        p[p <= THRESHOLD_KPA] = 0.0
        s = p.sum(axis=(1, 2))
        force_n[a:a + block] = s * area_mm2 * 1e-3
        with np.errstate(invalid="ignore", divide="ignore"):
            cop_mm[a:a + block, 0] = p.sum(axis=1) @ x_mm / s
            cop_mm[a:a + block, 1] = p.sum(axis=2) @ y_mm / s

    footfalls = []
    for first, last in windows(t, force_n >= QUIET_FORCE_N):
        p = np.nan_to_num(read(pressure, first, last + 1)).astype(np.float64)
        p[p <= THRESHOLD_KPA] = 0.0
        peak_image = p.max(axis=0)
        labels, count = blobs(peak_image > 0)
        for k in range(1, count + 1):
            mask = labels == k
            if mask.sum() < MIN_SENSELS:
                continue
            pm = p[:, mask]                               # frames x blob sensels
            on = np.flatnonzero(pm.max(axis=1) > 0)
            s = pm.sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                cop = np.stack([pm @ np.broadcast_to(x_mm, (rows, cols))[mask],
                                pm @ np.broadcast_to(y_mm[:, None], (rows, cols))[mask]], axis=1) / s[:, None]
            footfalls.append({
                "first_frame": int(first + on[0]),
                "last_frame": int(first + on[-1]),
                "contact_area_mm2": float(mask.sum() * area_mm2),
                "peak_kpa": float(peak_image[mask].max()),
                "cop_points": int(np.isfinite(cop[:, 0]).sum()),
            })
    return {"frames": int(n), "peak_force_n": float(force_n.max()) if n else 0.0, "footfalls": footfalls}


def main():
    path = sys.argv[1]
    t0 = time.perf_counter()
    with h5py.File(path, "r") as f:
        streams = {name: analyse_stream(g) for name, g in f["streams"].items()}
    elapsed = time.perf_counter() - t0
    print(json.dumps({"file": path, "seconds": round(elapsed, 4), "read_seconds": round(READ_S[0], 4),
                      "footfalls": sum(len(s["footfalls"]) for s in streams.values()),
                      "frames": sum(s["frames"] for s in streams.values())}))


if __name__ == "__main__":
    main()
