#!/usr/bin/env python3
"""Worked example on published data: peak plantar pressure against walking speed, after
Pataky TC, Caravaggi P, Savage R, Parker D, Goulermas JY, Sellers WI, Crompton RH (2008), New
insights into the plantar pressure correlates of walking speed using pedobarographic statistical
parametric mapping (pSPM), J Biomech 41(9):1987-1994, doi:10.1016/j.jbiomech.2008.03.034.

Data: the SpeedPP2D set (github.com/jiku-pro/jiku-data, made public by the authors Pataky and
Crompton; repository licence GPL-3.0), read in place from ../shared/data/pataky2008_speedpp2d
(or --data, or $INSOLE_SHARED_DATA/pataky2008_speedpp2d); never copied. 10 subjects x 60 trials,
one peak-pressure image (63 x 33, footscan plate) per stance phase, walking speed per trial.

What it does (docs/example-pataky2008.md):
 1. within each subject, registers every trial rigidly onto the subject's mean image;
 2. per subject, regresses peak pressure on walking speed pixel by pixel (insole.stats regression,
    permutation FWE): the slope map (kPa per m/s) and the subject's own significant clusters;
 3. registers each subject's mean image onto one template (MUN104 right, affine; the first
    subject's mean when MUN104 is absent) and carries the slope maps with the same transform;
 4. tests the ten slope maps against zero (one-sample t, all 2^10 sign flips: exact permutation
    FWE, maximum statistic and cluster extent): the group regression of pressure on speed with
    subjects as a random effect;
 5. writes the group t map as a PNG and the HDF5 results file, and prints the clusters.

Run:  PYTHONPATH=build/release/python python3 python/examples/pataky2008.py --out /tmp/pataky
"""

from __future__ import annotations

import argparse
import csv
import os
import pathlib
import sys
import time
from typing import Any, Dict, List, Optional

import numpy as np

import insole
from insole import stats

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from figure_png import statistic_figure, write_png  # noqa: E402

# The images carry no pitch. The footscan plate's sensors are 5.08 x 7.62 mm, but with either
# pitch along the rows the images' contact would be 280 mm (5.08) or 420 mm (7.62) long, and
# 86 or 130 mm wide along the columns: only 5.08 mm on both axes gives an adult foot, so the images
# appear to have been resampled onto a square grid of 5.08 mm. The pitch only scales the mm figures
# (areas, locations); the statistics are per pixel.
PITCH_MM = 5.08
SUBJECTS = 10


def data_dir(arg: Optional[str]) -> pathlib.Path:
    if arg:
        return pathlib.Path(arg)
    return stats.shared_data_dir() / "pataky2008_speedpp2d"


def load(directory: pathlib.Path, trials: Optional[int] = None) -> Dict[str, Any]:
    """Images [subjects][trials] (uint16 -> float, kPa presumably) and speeds (m/s)."""
    import h5py

    with open(directory / "data_x" / "speeds.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    images: List[np.ndarray] = []
    speeds: List[np.ndarray] = []
    for s in range(SUBJECTS):
        with h5py.File(directory / "data_y" / f"subj{s:03d}.h5", "r") as h:
            y = np.asarray(h["y"], dtype=np.float64)
        v = np.array([float(r[f"subj{s:03d}"]) for r in rows])
        if y.shape[0] != v.shape[0]:
            raise ValueError(f"subject {s}: {y.shape[0]} images but {v.shape[0]} speeds")
        if trials is not None:
            # An even spread over the session (every k-th trial), keeping the speed range.
            idx = np.linspace(0, y.shape[0] - 1, trials).round().astype(int)
            y, v = y[idx], v[idx]
        images.append(y)
        speeds.append(v)
    return {"images": images, "speeds": speeds}


def img(values: np.ndarray) -> stats.Image:
    return stats.Image(values=values, pitch_mm=(PITCH_MM, PITCH_MM))


def register_within(trials: np.ndarray) -> Dict[str, Any]:
    """Rigid registration of each trial onto the mean of the subject's trials (one pass)."""
    mean = img(trials.mean(axis=0))
    out, angles, dice = [], [], []
    for t in trials:
        reg = stats.register(img(t), mean, "rigid", levels_sigma_mm=[8.0, 0.0])
        out.append(np.clip(reg.warped.values, 0.0, None))
        angles.append(reg.angle_deg)
        dice.append(reg.quality.dice)
    return {"images": np.array(out), "angles": np.array(angles), "dice": np.array(dice)}


def run(data: pathlib.Path, out: Optional[pathlib.Path], trials: Optional[int] = None, permutations: int = 1000,
        subject_permutations: int = 1000, template: str = "mun104", verbose: bool = True) -> Dict[str, Any]:
    say = print if verbose else (lambda *a, **k: None)
    t0 = time.time()
    d = load(data, trials)
    say(f"SpeedPP2D: {SUBJECTS} subjects x {d['images'][0].shape[0]} trials, images "
        f"{d['images'][0].shape[1]} x {d['images'][0].shape[2]}, pitch assumed {PITCH_MM} mm")

    # 1-2: within-subject registration and regression on speed.
    slopes, means, per_subject = [], [], []
    for s in range(SUBJECTS):
        r = register_within(d["images"][s])
        v = d["speeds"][s]
        res = stats.regression([img(x) for x in r["images"]], v, permutations=subject_permutations, seed=s + 1)
        slopes.append(np.nan_to_num(res.effect, nan=0.0))
        means.append(r["images"].mean(axis=0))
        pos = sum(c.pixels for c in res.clusters_max if c.sign > 0)
        neg = sum(c.pixels for c in res.clusters_max if c.sign < 0)
        per_subject.append({"subject": s, "speed_min": float(v.min()), "speed_max": float(v.max()),
                            "median_angle_deg": float(np.median(np.abs(r["angles"]))),
                            "median_dice": float(np.median(r["dice"])), "threshold_t": res.threshold_t,
                            "positive_pixels": pos, "negative_pixels": neg})
        say(f"  subject {s}: speed {v.min():.2f}-{v.max():.2f} m/s; within-subject registration median "
            f"|angle| {np.median(np.abs(r['angles'])):.1f} deg, Dice {np.median(r['dice']):.3f}; "
            f"regression FWE t* {res.threshold_t:.2f}: {pos} px +, {neg} px - significant")

    # 3: between subjects, onto the template.
    tmpl_side = "right"
    tmpl: stats.Image
    if template == "mun104" and (stats.shared_data_dir() / "mun104" / "MUN104R.csv").exists():
        tmpl = stats.mun104("right")
        tmpl_name = "MUN104 right (5 mm pixels assumed)"
    else:
        tmpl = img(means[0])
        tmpl_name = "subject 0's mean image"
    kind = "affine"
    group, quality = [], []
    for s in range(SUBJECTS):
        reg = stats.register(img(means[s]), tmpl, kind)
        group.append(stats.apply_registration(reg, img(slopes[s])))
        quality.append((reg.quality.dice, reg.quality.ncc, float(np.linalg.det(reg.A))))
    q = np.array(quality)
    say(f"between subjects: {kind} onto {tmpl_name}: Dice {q[:, 0].min():.2f}-{q[:, 0].max():.2f}, "
        f"NCC {q[:, 1].min():.2f}-{q[:, 1].max():.2f}, det(A) {q[:, 2].min():.2f}-{q[:, 2].max():.2f}")
    names = stats.regions(tmpl, tmpl_side, (0.0, 1.0), 5.0)

    # 4: group test of the slopes (kPa per m/s) against 0. Slopes are signed, so the mask is not
    # "above 0 in half the images": every pixel the template covers where the slopes vary.
    footprint = tmpl.values > 5.0
    group_masked = [stats.Image(np.where(footprint, g.values, 0.0), g.pitch_mm, g.origin_mm) for g in group]
    output = None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        output = out / "pataky2008_spm.h5"
    res = stats.one_sample(group_masked, permutations=permutations, min_contact_fraction=0.0, regions=names,
                           output=output)
    say(f"group: one-sample t of the slopes, n {res.n}, df {res.df}, {res.permutations} "
        f"{'(all)' if res.exact else 'random'} sign flips, {int(res.mask.sum())} pixels")
    say(f"  maximum statistic: FWE threshold t* = {res.threshold_t:.3f} (alpha {res.alpha})")
    for c in res.clusters_max:
        say(f"    {'+' if c.sign > 0 else '-'} {c.pixels:4d} px {c.area_mm2:7.0f} mm2  {c.region or '?':12s} "
            f"peak t {c.peak_t:6.2f}  p {c.p_fwe:.4f}")
    say(f"  cluster extent: forming t = {res.cluster_forming_t:.3f}, critical size "
        f"{res.critical_cluster_pixels:.0f} px")
    for c in res.clusters_extent:
        say(f"    {'+' if c.sign > 0 else '-'} {c.pixels:4d} px {c.area_mm2:7.0f} mm2  {c.region or '?':12s} "
            f"peak t {c.peak_t:6.2f}  p {c.p_fwe:.4f}")

    # Mean t and slope per region over the analysed pixels: the direction of the effect there.
    by_region: Dict[str, Dict[str, float]] = {}
    t = res.statistic.values
    mean_slope = np.mean([g.values for g in group_masked], axis=0)
    for i, name in enumerate(names.names):
        m = (names.label == i) & res.mask
        if m.any():
            by_region[name] = {"pixels": int(m.sum()), "mean_t": float(np.nanmean(t[m])),
                               "mean_slope_kpa_per_m_s": float(mean_slope[m].mean()),
                               "significant_positive": int((res.significant & m & (t > 0)).sum()),
                               "significant_negative": int((res.significant & m & (t < 0)).sum())}
    say("  by region (mean t, mean slope kPa/(m/s), significant pixels +/-):")
    for name, r in by_region.items():
        say(f"    {name:12s} {r['pixels']:4d} px  t {r['mean_t']:6.2f}  slope {r['mean_slope_kpa_per_m_s']:7.1f}  "
            f"{r['significant_positive']:3d} + {r['significant_negative']:3d} -")

    if out is not None:
        figure = out / "pataky2008_t.png"
        # Colours saturate at twice the FWE threshold, so that moderate effects stay visible.
        write_png(str(figure), statistic_figure(t, res.significant, limit=2.0 * res.threshold_t))
        say(f"wrote {figure} (t map, heel at the bottom; black outline: FWE-significant pixels) and {output}")
    say(f"took {time.time() - t0:.1f} s")
    return {"result": res, "regions": names, "by_region": by_region, "per_subject": per_subject,
            "template": tmpl_name, "registration_quality": q}


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", help="the pataky2008_speedpp2d folder (default: the shared data)")
    ap.add_argument("--out", help="folder for the figure and the HDF5 results file")
    ap.add_argument("--trials", type=int, help="use this many trials per subject (default: all 60)")
    ap.add_argument("--permutations", type=int, default=10000, help="group test (2^10 = 1024 exist: exact)")
    ap.add_argument("--subject-permutations", type=int, default=1000, help="per-subject regressions")
    ap.add_argument("--template", choices=["mun104", "first"], default="mun104")
    a = ap.parse_args(argv)
    data = data_dir(a.data)
    if not (data / "data_y").is_dir():
        print(f"pataky2008: no data in {data} (see docs/example-pataky2008.md)", file=sys.stderr)
        return 2
    try:
        run(data, pathlib.Path(a.out) if a.out else None, a.trials, a.permutations, a.subject_permutations,
            a.template)
    except insole.Error as e:
        print(f"pataky2008: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
