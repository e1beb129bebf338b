"""insole.stats: registration and pixel-level statistics from Python.

* the same design run through the package and through `insole spm --json` gives the same figures;
* a synthetic footprint moved and rotated by known amounts is recovered within one sensel and one
  degree (also across mats of different pitch, and a left foot mirrored onto a right one);
* a tiny one-sample test whose exact permutation p is worked out by hand;
* bad input raises the package's exceptions with the toolkit's messages (the CLI's, word for word).
"""

import json
import math

import numpy as np
import pytest

import insole
from insole import stats
from conftest import DATA, cli_error

WALKS = ["walk_normal.h5", "walk_flat_pronated.h5", "walk_cavus.h5"]
_ANALYSES = {}  # file -> assessment, shared by the tests of this module


# ---- the same figures as `insole spm --json` --------------------------------------------------


def design_rows():
    rows = []
    for i, name in enumerate(WALKS):
        for side in ("left", "right"):
            rows.append({"file": str(DATA / name), "side": side, "subject": f"s{i}", "condition": side,
                         "x": 1.0 + 0.5 * len(rows) + (0.3 if side == "left" else 0.0)})
    return rows


def write_design(tmp_path, rows):
    path = tmp_path / "design.csv"
    with open(path, "w") as f:
        f.write("file,side,subject,condition,x\n")
        for r in rows:
            f.write(f"{r['file']},{r['side']},{r['subject']},{r['condition']},{r['x']!r}\n")
    return path


def python_spm(rows, test, kind, template=None, template_side="right", permutations=500, seed=7):
    """What `insole spm` does, through the package: analyse, take the per-foot image, register onto
    the template (mirroring by side), name regions on the template, test."""
    images, sides = [], []
    for r in rows:
        if r["file"] not in _ANALYSES:
            _ANALYSES[r["file"]] = insole.analyze(r["file"])
        a = _ANALYSES[r["file"]]
        images.append(stats.from_foot_image(a.image(r["side"]), "mean_peak_kpa"))
        sides.append(r["side"])
    if template is None:
        template, template_side = images[0], sides[0]
    regs = [stats.register(im, template, kind, mirror=stats.needs_mirror(s, template_side))
            for im, s in zip(images, sides)]
    names = stats.regions(template, template_side, (0.0, 1.0), 5.0)
    warped = [g.warped for g in regs]
    if test == "regression":
        res = stats.regression(warped, [r["x"] for r in rows], permutations=permutations, seed=seed, regions=names)
    elif test == "two-sample":
        first = rows[0]["condition"]
        a = [w for w, r in zip(warped, rows) if r["condition"] == first]
        b = [w for w, r in zip(warped, rows) if r["condition"] != first]
        res = stats.two_sample(a, b, permutations=permutations, seed=seed, regions=names)
    elif test == "paired":
        res = stats.paired(warped[0::2], warped[1::2], permutations=permutations, seed=seed, regions=names)
    else:
        res = stats.one_sample(warped, permutations=permutations, seed=seed, regions=names)
    return res, regs


def assert_clusters_equal(got, expected):
    assert len(got) == len(expected)
    for c, e in zip(got, expected):
        assert c.sign == e["sign"] and c.pixels == e["pixels"] and c.region == e["region"]
        assert c.area_mm2 == pytest.approx(e["area_mm2"], rel=1e-9)
        assert c.centroid_mm == pytest.approx(tuple(e["centroid_mm"]), abs=1e-9)
        assert c.peak_mm == pytest.approx(tuple(e["peak_mm"]), abs=1e-9)
        assert c.peak_t == pytest.approx(e["peak_t"], rel=1e-9)
        assert c.p_fwe == pytest.approx(e["p_fwe"], rel=1e-12)


def assert_same_as_cli(res, regs, doc, rows):
    assert doc["test"] == res.test and doc["tail"] == res.tail
    assert doc["n"] == res.n and doc["df"] == res.df and doc["exact"] == res.exact
    assert doc["permutations"] == res.permutations and doc["seed"] == res.seed
    assert doc["pixels"] == int(res.mask.sum())
    assert doc["threshold_t"] == pytest.approx(res.threshold_t, rel=1e-9)
    assert doc["cluster_forming_t"] == pytest.approx(res.cluster_forming_t, rel=1e-12)
    assert doc["critical_cluster_pixels"] == pytest.approx(res.critical_cluster_pixels)
    assert len(doc["registrations"]) == len(regs)
    for r, g, row in zip(doc["registrations"], regs, rows):
        assert r["file"] == row["file"] and r["side"] == row["side"] and r["mirrored"] == g.mirrored
        assert r["angle_deg"] == pytest.approx(g.angle_deg, abs=1e-9)
        assert r["dice"] == pytest.approx(g.quality.dice, rel=1e-9)
        assert r["ncc"] == pytest.approx(g.quality.ncc, rel=1e-9)
        assert r["rms_residual"] == pytest.approx(g.quality.rms_residual, rel=1e-9)
    assert_clusters_equal(res.clusters_max, doc["clusters_max"])
    assert_clusters_equal(res.clusters_extent, doc["clusters_extent"])


@pytest.mark.parametrize("test,kind", [("regression", "rigid"), ("two-sample", "affine")])
def test_spm_equals_cli_json(tmp_path, cli, test, kind):
    rows = design_rows()
    design = write_design(tmp_path, rows)
    args = ["spm", design, "--test", test, "--register", kind, "--permutations", 500, "--seed", 7, "--json"]
    if test == "regression":
        args += ["--covariate", "x"]
    doc = json.loads(cli(*args).stdout)
    res, regs = python_spm(rows, test, kind)
    assert_same_as_cli(res, regs, doc, rows)
    # Something is being compared: the feet differ, so some pixels vary and have a statistic.
    assert doc["pixels"] > 100 and np.isfinite(res.statistic.values).sum() == doc["pixels"]


def test_spm_onto_mun104_equals_cli_json(tmp_path, cli):
    mun = stats.shared_data_dir() / "mun104" / "MUN104R.csv"
    if not mun.exists():
        pytest.skip(f"shared data not available: {mun}")
    rows = design_rows()
    design = write_design(tmp_path, rows)
    out = tmp_path / "cli.h5"
    doc = json.loads(cli("spm", design, "--test", "paired", "--template", mun, "--template-pitch-mm", 5,
                         "--register", "affine", "--permutations", 500, "--seed", 7, "--json", "-o", out).stdout)
    res, regs = python_spm(rows, "paired", "affine", template=stats.mun104("right"))
    assert_same_as_cli(res, regs, doc, rows)
    # The results file the CLI wrote holds the same t map as the package's result.
    h5py = pytest.importorskip("h5py")
    with h5py.File(out, "r") as f:
        np.testing.assert_allclose(f["spm/statistic"][()], res.statistic.values, rtol=1e-12, equal_nan=True)


# ---- known transforms recovered ---------------------------------------------------------------

# An analytic right footprint (mm, x to the subject's right, y from the heel): Gaussian blobs for
# the heel, lateral midfoot band, five metatarsal heads, hallux and lesser toes (kPa).
BLOBS = [  # x, y, sx, sy, kPa
    (0.0, 30.0, 18.0, 20.0, 300.0), (22.0, 95.0, 10.0, 30.0, 60.0),
    (-25.0, 180.0, 9.0, 9.0, 380.0), (-8.0, 186.0, 8.0, 8.0, 300.0), (6.0, 183.0, 8.0, 8.0, 260.0),
    (18.0, 176.0, 8.0, 8.0, 220.0), (30.0, 165.0, 8.0, 8.0, 180.0),
    (-24.0, 232.0, 9.0, 10.0, 320.0), (2.0, 228.0, 6.0, 6.0, 120.0), (18.0, 218.0, 6.0, 6.0, 100.0),
]
FOOT_CENTRE = np.array([100.0, 180.0])  # where the foot's origin sits on the fixed grid (mm)


def field(x, y):
    v = np.zeros_like(x)
    for bx, by, sx, sy, a in BLOBS:
        v += a * np.exp(-0.5 * (((x - bx) / sx) ** 2 + ((y - by) / sy) ** 2))
    return np.where(v > 5.0, v, 0.0)  # a sensel below 5 kPa reports nothing


def sensels(rows, cols, pitch, origin, transform):
    """Each sensel the mean of the field over 4 x 4 points of its area; `transform` maps grid mm
    to the foot's own mm."""
    img = np.zeros((rows, cols))
    offs = (np.arange(4) + 0.5) / 4.0
    for oy in offs:
        for ox in offs:
            gx, gy = np.meshgrid(origin[0] + (np.arange(cols) + ox) * pitch, origin[1] + (np.arange(rows) + oy) * pitch)
            fx, fy = transform(gx, gy)
            img += field(fx, fy)
    return img / 16.0


def rot(deg):
    a = math.radians(deg)
    return np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])


def make_pair(angle_deg, shift_mm, pitch_moving, mirror_moving=False):
    """Fixed: the foot upright at FOOT_CENTRE on a 5 mm grid. Moving: the point q of the moving grid
    shows the fixed-grid point p = R q + t (t = shift), i.e. the foot turned by -angle and moved;
    a registration must return A = R, t. The moving grid spans -300..400 mm on both axes, so the
    turned foot stays on it."""
    fixed = sensels(90, 44, 5.0, (0.0, 0.0), lambda gx, gy: (gx - FOOT_CENTRE[0], gy - FOOT_CENTRE[1]))
    R, t = rot(angle_deg), np.asarray(shift_mm, dtype=float)
    n = int(round(700 / pitch_moving))
    origin = (-300.0, -300.0)

    def moving_to_foot(gx, gy):
        px = R[0, 0] * gx + R[0, 1] * gy + t[0]
        py = R[1, 0] * gx + R[1, 1] * gy + t[1]
        fx, fy = px - FOOT_CENTRE[0], py - FOOT_CENTRE[1]
        return (-fx if mirror_moving else fx), fy

    moving = sensels(n, n, pitch_moving, origin, moving_to_foot)
    return stats.Image(moving, (pitch_moving, pitch_moving), origin), stats.Image(fixed, (5.0, 5.0)), R, t


LANDMARKS_FOOT = np.array([[0.0, 30.0], [-25.0, 180.0], [30.0, 165.0], [-24.0, 232.0]])  # heel, MTH1, MTH5, hallux


def check_recovered(reg, R, t, pitch):
    assert abs(reg.angle_deg - math.degrees(math.atan2(R[1, 0], R[0, 0]))) < 1.0
    # Landmarks of the moving image land where they belong on the fixed grid, within one sensel.
    Rinv = R.T
    for lm in LANDMARKS_FOOT:
        p = lm + FOOT_CENTRE  # on the fixed grid
        q = Rinv @ (p - t)  # the same anatomical point on the moving grid
        assert np.linalg.norm(reg.map(q) - p) < pitch, (lm, reg.map(q), p)


@pytest.mark.parametrize("angle,shift", [(12.0, (-30.0, 25.0)), (-35.0, (60.0, -20.0))])
def test_rigid_recovers_a_known_rotation_and_shift(angle, shift):
    moving, fixed, R, t = make_pair(angle, shift, 5.0)
    reg = stats.register(moving, fixed, "rigid")
    check_recovered(reg, R, t, 5.0)
    assert reg.kind == "rigid" and not reg.mirrored
    assert reg.quality.dice > 0.9 and reg.quality.ncc > 0.97
    assert reg.quality.ncc > reg.quality.ncc_before
    assert reg.warped.values.shape == fixed.values.shape


def test_different_pitch_registers_and_resamples():
    # The same foot on an 8.4 mm mat, turned and moved, onto the 5 mm grid.
    moving, fixed, R, t = make_pair(-20.0, (25.0, 15.0), 8.4)
    for kind in ("rigid", "affine"):
        reg = stats.register(moving, fixed, kind)
        check_recovered(reg, R, t, 5.0)
        assert reg.quality.dice > 0.85
    # The fixed image resampled onto an 8.4 mm grid over the same area keeps its total force
    # (sum of p x pixel area) within 2 %, and comes back to the 5 mm grid close to itself.
    coarse = stats.resample(fixed, {"rows": 54, "cols": 27, "pitch_mm": 8.4})
    assert coarse.values.shape == (54, 27)
    force = lambda im: im.values.sum() * im.pitch_mm[0] * im.pitch_mm[1]
    assert force(coarse) == pytest.approx(force(fixed), rel=0.02)
    back = stats.resample(coarse, fixed)
    assert stats.compare(back, fixed).ncc > 0.95


def test_left_foot_mirrored_onto_right():
    moving, fixed, R, t = make_pair(15.0, (10.0, -10.0), 5.0, mirror_moving=True)
    assert stats.needs_mirror("left", "right") and not stats.needs_mirror("right", "right")
    reg = stats.register(moving, fixed, "rigid", mirror=True)
    assert reg.mirrored and np.linalg.det(reg.A) < 0
    plain = stats.register(moving, fixed, "rigid")
    assert reg.quality.ncc > 0.97 and reg.quality.ncc > plain.quality.ncc + 0.05


def test_nonlinear_and_apply_registration():
    moving, fixed, _, _ = make_pair(8.0, (5.0, 5.0), 5.0)
    reg = stats.register(moving, fixed, "nonlinear")
    assert reg.ux_mm is not None and reg.ux_mm.shape == fixed.values.shape
    assert reg.quality.min_jacobian is not None and reg.quality.min_jacobian > 0
    # Carrying the same image with the registration reproduces the warped image.
    again = stats.apply_registration(reg, moving)
    np.testing.assert_allclose(again.values, reg.warped.values, rtol=1e-9, atol=1e-9)
    q = stats.compare(reg.warped, fixed)
    assert q.dice == pytest.approx(reg.quality.dice) and q.ncc == pytest.approx(reg.quality.ncc)


def test_smooth_mirror_and_bare_arrays():
    a = np.zeros((9, 7))
    a[4, 1] = 10.0
    m = stats.mirror(a, pitch_mm=2.0)
    assert m.values[4, 5] == 10.0 and m.pitch_mm == (2.0, 2.0)
    a = np.zeros((9, 9))
    a[4, 4] = 10.0
    # sigma 1 pixel, kernel to 3 sigma (inside the grid): the mass stays (99.5 % within 3 sigma on
    # both axes), the peak spreads to the neighbours by exp(-1/2) of the centre.
    s = stats.smooth(a, 2.0, pitch_mm=2.0)
    assert s.values.sum() == pytest.approx(10.0, rel=0.01) and s.values[4, 4] < 10.0
    assert s.values[4, 5] / s.values[4, 4] == pytest.approx(math.exp(-0.5), rel=1e-6)


# ---- an exact permutation p by hand -------------------------------------------------------------


def test_one_sample_exact_p_by_hand():
    # Four subjects, images of 2 x 3 pixels. Pixel (1, 2) holds 1, 2, 3, 4: mean 2.5, sd
    # sqrt((1.5^2 + 0.5^2 + 0.5^2 + 1.5^2) / 3) = sqrt(5/3) = 1.29099, t = 2.5 / (1.29099 / 2) = 3.87298.
    # Pixel (0, 0) is loaded in one image only (under half the images: not analysed); the others
    # are 1 in every image (no variance: no statistic). So the maximum statistic is |t| at (1, 2).
    # Sign flips: 2^4 = 16, all enumerated. Flipping one subject gives at most |t| = 1.852
    # (-1, 2, 3, 4: mean 2, sd 2.160); flipping two leaves |mean| <= 1 and |t| <= 0.679
    # (-1, -2, 3, 4: sd 2.944); three flips mirror one. Only the identity and the full flip reach
    # 3.873: two-sided FWE p = 2 / 16.
    images = []
    for i, v in enumerate([1.0, 2.0, 3.0, 4.0]):
        a = np.array([[7.0 if i == 0 else 0.0, 1.0, 1.0], [1.0, 1.0, v]])
        images.append(a)
    res = stats.one_sample(images, pitch_mm=5.0, permutations=10000)
    assert res.exact and res.permutations == 16 and res.df == 3 and res.n == 4
    assert not res.mask[0, 0] and res.mask[1, 2] and int(res.mask.sum()) == 1
    assert res.statistic.values[1, 2] == pytest.approx(3.872983, abs=1e-6)
    assert res.effect[1, 2] == pytest.approx(2.5)
    assert res.p_fwe[1, 2] == pytest.approx(2 / 16)
    assert math.isnan(res.statistic.values[0, 1]) and math.isnan(res.statistic.values[0, 0])
    assert len(res.max_distribution) == 16 and res.max_distribution[0] == pytest.approx(3.872983, abs=1e-6)
    assert sorted(res.max_distribution)[-2] == pytest.approx(3.872983, abs=1e-6)
    assert sorted(res.max_distribution)[-3] == pytest.approx(1.852, abs=1e-3)


def test_results_file_written(tmp_path):
    h5py = pytest.importorskip("h5py")
    rng = np.random.default_rng(3)
    images = [np.abs(rng.normal(100.0, 10.0, (6, 5))) + (30.0 if i % 2 else 0.0) for i in range(8)]
    out = tmp_path / "res.h5"
    res = stats.two_sample(images[0::2], images[1::2], pitch_mm=5.0, output=out, permutations=70)
    with h5py.File(out, "r") as f:
        assert f.attrs["format"] in (b"insole-spm", "insole-spm")
        np.testing.assert_allclose(f["spm/statistic"][()], res.statistic.values, equal_nan=True)
        assert len(f["spm/max_distribution"]) == res.permutations == 70
    # Group b is 30 kPa higher: t < 0 (a - b) everywhere it is significant.
    assert res.exact and res.permutations == math.comb(8, 4)
    assert (res.statistic.values[res.significant] < 0).all() and res.significant.any()


# ---- bad input ----------------------------------------------------------------------------------


def test_bad_template_csv_same_message_as_cli(tmp_path, cli):
    bad = tmp_path / "template.csv"
    bad.write_text("0,1,2\n3,x,5\n")
    rows = design_rows()[:3]
    design = write_design(tmp_path, rows)
    p = cli("spm", design, "--test", "one-sample", "--template", bad, "--template-pitch-mm", 5, check_codes=(2,))
    with pytest.raises(insole.InputError) as e:
        stats.load_csv_image(bad, 5.0)
    assert str(e.value) == cli_error(p.stderr, "spm")
    assert str(bad) in str(e.value) and "line 2" in str(e.value)
    with pytest.raises(insole.NotFoundError):
        stats.load_csv_image(tmp_path / "absent.csv", 5.0)
    with pytest.raises(insole.NotFoundError):
        stats.mun104("right", directory=tmp_path)


def test_bad_images_raise_input_errors():
    a = [np.ones((4, 4)) * (i + 1) for i in range(4)]
    with pytest.raises(insole.InputError, match="grid"):
        stats.one_sample(a[:3] + [np.ones((5, 4))], pitch_mm=5.0)
    with pytest.raises(insole.InputError, match="covariate"):
        stats.regression(a, [1.0, 2.0, 3.0], pitch_mm=5.0)
    with pytest.raises(insole.InputError, match="pitch"):
        stats.register(a[0], a[1], pitch_mm=-1.0)
    with pytest.raises(insole.InputError, match="kind must be rigid, affine or nonlinear"):
        stats.register(a[0], a[1], "elastic", pitch_mm=5.0)
    with pytest.raises(insole.InputError, match="test must be"):
        stats.spm("anova", a)
    with pytest.raises(insole.InputError, match="values"):
        stats.smooth(np.ones(5), 1.0)
    with pytest.raises(insole.NoDataError):
        stats.register(np.zeros((8, 8)), a[0], pitch_mm=5.0)
    with pytest.raises(insole.InputError):
        stats.from_foot_image(insole.analyze(str(DATA / "insoles_pedar99_flat.h5")).images[0])


def test_hostile_input_raises_named_errors(tmp_path):
    a = [np.ones((4, 4)) * (i + 1) for i in range(4)]
    with pytest.raises(insole.InputError, match=r"images\[0\]: value at row 1, column 2 is infinite"):
        bad = a[0].copy()
        bad[1, 2] = np.inf
        stats.one_sample([bad] + a[1:], pitch_mm=5.0)
    with pytest.raises(insole.InputError, match="2-D array of numbers"):
        stats.one_sample(["abc"] * 3, pitch_mm=5.0)
    with pytest.raises(insole.InputError, match="at least 2 images"):
        stats.one_sample([], pitch_mm=5.0)
    with pytest.raises(insole.InputError, match="one image per subject"):
        stats.paired(a, a[:3], pitch_mm=5.0)
    with pytest.raises(insole.InputError, match="not finite"):
        stats.regression(a, [1.0, 2.0, float("nan"), 4.0], pitch_mm=5.0)
    with pytest.raises(insole.InputError, match="alpha"):
        stats.one_sample(a, pitch_mm=5.0, alpha=2.0)
    with pytest.raises(insole.InputError, match="label 7 names no region"):
        stats.one_sample(a, pitch_mm=5.0, regions=stats.RegionMap(np.full((4, 4), 7, dtype=np.int32), ["x"]))
    with pytest.raises(insole.NoDataError, match="moving image"):
        stats.register(np.full((8, 8), np.nan), a[0], pitch_mm=5.0)
    # A results file that cannot be written: an error naming it, and an existing file untouched.
    with pytest.raises(insole.NotFoundError, match="does not exist"):
        stats.one_sample(a, pitch_mm=5.0, output=tmp_path / "absent" / "res.h5")
    keep = tmp_path / "res.h5"
    keep.write_bytes(b"previous results")
    with pytest.raises(insole.InputError):
        stats.one_sample([np.ones((4, 4))] * 3 + [np.ones((5, 4))], pitch_mm=5.0, output=keep)
    assert keep.read_bytes() == b"previous results"
