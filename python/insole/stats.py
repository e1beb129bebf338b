"""Registration of footprint images and pixel-level statistics with family-wise error control
(pedobarographic statistical parametric mapping, Pataky et al. 2008 J Biomech 41:1987; permutation
inference after Nichols & Holmes 2002 Hum Brain Mapp 15:1), over the same C++ library as
`insole spm` (docs/statistics.md; the Python side is described in docs/python.md).

    >>> from insole import stats
    >>> template = stats.mun104("right")                  # 63 x 27 template, 5 mm pixels assumed
    >>> reg = stats.register(image, template, kind="affine")
    >>> reg.warped.values.shape, reg.quality.dice
    >>> res = stats.spm("regression", warped_images, covariate=speeds, regions=stats.regions(template, "right"))
    >>> res.threshold_t, [(c.sign, c.pixels, c.region, c.p_fwe) for c in res.clusters_max]

Images are ``Image`` objects: ``values`` a [rows, cols] float array (kPa for pressure), ``pitch_mm``
(row, col) in mm as in the recording format, ``origin_mm`` (x, y). Pixel (r, c) is centred at
x = origin_x + (c + 0.5) * pitch_col, y = origin_y + (r + 0.5) * pitch_row; the toolkit's images are
seen from above with x towards the subject's right and y from the heel to the toes. Every function
also accepts a bare 2-D array with a ``pitch_mm`` argument. Errors raise the package's exceptions
(insole.InputError, insole.NoDataError ...) with the toolkit's messages.
"""

from __future__ import annotations

import os
import pathlib
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _insole

__all__ = [
    "Cluster", "Image", "Quality", "RegionMap", "Registration", "SpmResult", "apply_registration", "compare",
    "from_foot_image", "load_csv_image", "mirror", "mun104", "needs_mirror", "one_sample", "paired", "regions",
    "register", "regression", "resample", "shared_data_dir", "smooth", "spm", "t_quantile", "two_sample",
]

Pitch = Union[float, Tuple[float, float]]


@dataclass
class Image:
    """A pressure image on a regular grid in mm.

    ``values``: float64 [rows, cols]; NaN and everything outside the grid count as 0 (no contact).
    ``pitch_mm``: (row pitch, column pitch) in mm, i.e. (y spacing, x spacing).
    ``origin_mm``: (x, y) in mm of the grid's corner; pixel (r, c) is centred at
    (origin_x + (c + 0.5) pitch_col, origin_y + (r + 0.5) pitch_row).
    """

    values: np.ndarray
    pitch_mm: Tuple[float, float] = (1.0, 1.0)
    origin_mm: Tuple[float, float] = (0.0, 0.0)

    @property
    def shape(self) -> Tuple[int, int]:
        return tuple(self.values.shape)  # type: ignore[return-value]

    def grid(self) -> Dict[str, Any]:
        """The grid without the values: rows, cols, pitch_mm, origin_mm (for resample())."""
        return {"rows": int(self.values.shape[0]), "cols": int(self.values.shape[1]),
                "pitch_mm": tuple(self.pitch_mm), "origin_mm": tuple(self.origin_mm)}

    def _to_dict(self) -> Dict[str, Any]:
        return {"values": np.asarray(self.values, dtype=np.float64), "pitch_mm": tuple(map(float, self.pitch_mm)),
                "origin_mm": tuple(map(float, self.origin_mm))}

    @classmethod
    def _from_dict(cls, d: Dict[str, Any]) -> "Image":
        return cls(values=d["values"], pitch_mm=tuple(d["pitch_mm"]), origin_mm=tuple(d["origin_mm"]))


def _pitch_pair(pitch_mm: Optional[Pitch]) -> Tuple[float, float]:
    if pitch_mm is None:
        return (1.0, 1.0)
    if np.ndim(pitch_mm) == 0:
        return (float(pitch_mm), float(pitch_mm))  # type: ignore[arg-type]
    p = tuple(float(v) for v in pitch_mm)  # type: ignore[union-attr]
    return p  # type: ignore[return-value]


def _image(x: Union[Image, np.ndarray, Sequence[Sequence[float]]], pitch_mm: Optional[Pitch] = None) -> Image:
    if isinstance(x, Image):
        return x
    try:
        values = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError) as e:
        from ._errors import InputError
        err = InputError(f"an image must be an insole.stats.Image or a 2-D array of numbers ({e})")
        err.code = "invalid_argument"
        raise err from e
    return Image(values=values, pitch_mm=_pitch_pair(pitch_mm))


def _dict(x: Any, pitch_mm: Optional[Pitch] = None) -> Dict[str, Any]:
    return _image(x, pitch_mm)._to_dict()


ImageLike = Union[Image, np.ndarray]


# ---- images -----------------------------------------------------------------------------------


def resample(image: ImageLike, grid: Union[Image, Dict[str, Any]], pitch_mm: Optional[Pitch] = None) -> Image:
    """The image resampled onto ``grid`` (another Image's grid, or a dict rows, cols, pitch_mm,
    origin_mm) by bilinear interpolation in mm; when the target is more than 1.5 times coarser the
    source is first smoothed with a Gaussian of sigma = half the target pitch (anti-aliasing)."""
    g = grid.grid() if isinstance(grid, Image) else dict(grid)
    g["pitch_mm"] = _pitch_pair(g.get("pitch_mm"))
    return Image._from_dict(_insole.stats_resample(_dict(image, pitch_mm), g))


def smooth(image: ImageLike, sigma_mm: float, pitch_mm: Optional[Pitch] = None) -> Image:
    """Separable Gaussian smoothing, standard deviation ``sigma_mm`` (kernel truncated at 3 sigma,
    zeros beyond the edges); sigma <= 0 gives a copy."""
    return Image._from_dict(_insole.stats_smooth(_dict(image, pitch_mm), float(sigma_mm)))


def mirror(image: ImageLike, pitch_mm: Optional[Pitch] = None) -> Image:
    """The image mirrored left <-> right (columns reversed): a left foot seen from above looks
    like a right foot."""
    return Image._from_dict(_insole.stats_mirror(_dict(image, pitch_mm)))


def load_csv_image(path: Union[str, "os.PathLike[str]"], pitch_mm: float) -> Image:
    """An image from a CSV of numbers (one image row per line, no header; the MUN104 layout).
    ``pitch_mm`` is the pixel spacing, which such files do not carry. Errors name the file, line and
    column (insole.InputError), or insole.NotFoundError when the file cannot be opened."""
    p = os.fspath(path)
    try:
        with open(p, "rb") as f:
            text = f.read().decode("utf-8", errors="replace")
    except FileNotFoundError as e:
        from ._errors import NotFoundError
        err = NotFoundError(f"{p}: cannot open the file")
        err.code = "not_found"
        raise err from e
    return Image._from_dict(_insole.stats_parse_csv_image(text, float(pitch_mm), p))


def shared_data_dir() -> pathlib.Path:
    """Where the third-party data sets are read in place: $INSOLE_SHARED_DATA, else ../shared/data
    beside the repository checkout (as the C++ tests look for them)."""
    env = os.environ.get("INSOLE_SHARED_DATA")
    if env:
        return pathlib.Path(env)
    here = pathlib.Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent.parent / "shared" / "data"
        if (parent / "libinsole").is_dir() and candidate.is_dir():
            return candidate
    return pathlib.Path.cwd().parent / "shared" / "data"


def mun104(side: str = "right", pitch_mm: float = 5.0, directory: Optional[Union[str, "os.PathLike[str]"]] = None) -> Image:
    """The MUN104 population template of one side (Pataky, Bosch, Mu, Keijsers, Segers, Rosenbaum,
    Goulermas 2011, Gait Posture 33:418; github.com/0todd0000/mun104, MIT licence, (c) 2011 Todd Colin
    Pataky, Kerstin Bosch, Dieter Rosenbaum): the mean peak-pressure image of 104 subjects on a Novel
    emed platform, 63 x 27 pixels, heel at the low rows, hallux at the low columns (seen from above,
    x to the subject's right, the toolkit's convention).

    Units and pitch are not stated with the data: the values (0..402) are peak-pressure-like,
    plausibly kPa, and ``pitch_mm`` defaults to 5 mm (emed, 4 sensors/cm^2), which makes the right
    template's contact 260 mm long. Read in place from ``directory`` (default
    shared_data_dir() / "mun104"); never copied into a repository.
    """
    if side not in ("left", "right"):
        from ._errors import InputError
        err = InputError(f"side must be left or right, not \"{side}\"")
        err.code = "invalid_argument"
        raise err
    d = pathlib.Path(directory) if directory is not None else shared_data_dir() / "mun104"
    return load_csv_image(d / ("MUN104L.csv" if side == "left" else "MUN104R.csv"), pitch_mm)


def from_foot_image(foot_image: Any, value: str = "mean_peak_kpa") -> Image:
    """The per-foot image of an analysis (insole.analyze(...).images[i]) as an Image seen from above
    (y from the heel, x to the subject's right), exactly what `insole spm` tests. ``value``:
    mean_peak_kpa (default, pSPM's usual input), max_peak_kpa, mean_pressure_kpa, pti_kpa_s or
    contact_percent. Insole (sensor-set) images are not rasters: insole.InputError."""
    images = getattr(foot_image, "stats_images", None) or {}
    if value not in images:
        from ._errors import InputError
        if not getattr(foot_image, "raster", False):
            msg = "an insole (sensor-set) image is not a raster and cannot be registered"
        else:
            msg = (f"value must be mean_peak_kpa, max_peak_kpa, mean_pressure_kpa, pti_kpa_s or contact_percent,"
                   f" not \"{value}\"")
        err = InputError(msg)
        err.code = "unsupported" if not getattr(foot_image, "raster", False) else "invalid_argument"
        raise err
    return Image._from_dict(images[value])


# ---- registration -----------------------------------------------------------------------------


@dataclass
class Quality:
    """Registration quality over the union of both images' contact (value > contact_threshold):
    Dice overlap of the contact areas (0..1), normalised cross-correlation (-1..1), RMS residual in
    the fixed image's unit; the same before the transform (moving only resampled and mirrored);
    nonlinear only, the smallest Jacobian determinant of the field (<= 0: it folds)."""

    dice: float
    ncc: float
    rms_residual: float
    dice_before: float
    ncc_before: float
    rms_residual_before: float
    min_jacobian: Optional[float] = None


@dataclass
class Registration:
    """Transform moving -> fixed, p_fixed = A @ p_moving + t_mm (mm), A = R(angle) @ M with
    M = diag(-1, 1) when mirrored (rigid), any 2 x 2 (affine), plus the displacement field ux_mm,
    uy_mm on the fixed grid (nonlinear). ``warped`` is the moving image on the fixed grid."""

    kind: str
    mirrored: bool
    A: np.ndarray
    t_mm: np.ndarray
    angle_deg: float
    ux_mm: Optional[np.ndarray]
    uy_mm: Optional[np.ndarray]
    warped: Image
    quality: Quality
    final_cost: float

    def map(self, q_mm: Sequence[float]) -> np.ndarray:
        """Where the moving-image point q (mm) lands in the fixed image (affine part)."""
        return self.A @ np.asarray(q_mm, dtype=np.float64) + self.t_mm

    def _to_dict(self) -> Dict[str, Any]:
        return {"kind": self.kind, "mirrored": self.mirrored, "A": self.A, "t_mm": self.t_mm,
                "ux_mm": self.ux_mm, "uy_mm": self.uy_mm, "warped": self.warped._to_dict()}

    @classmethod
    def _from_dict(cls, d: Dict[str, Any]) -> "Registration":
        return cls(kind=d["kind"], mirrored=d["mirrored"], A=d["A"], t_mm=d["t_mm"], angle_deg=d["angle_deg"],
                   ux_mm=d["ux_mm"], uy_mm=d["uy_mm"], warped=Image._from_dict(d["warped"]),
                   quality=Quality(**d["quality"]), final_cost=d["final_cost"])


def needs_mirror(moving_side: str, fixed_side: str) -> bool:
    """Whether a foot of side ``moving_side`` must be mirrored onto one of ``fixed_side``."""
    return bool(_insole.stats_needs_mirror(moving_side, fixed_side))


def register(moving: ImageLike, fixed: ImageLike, kind: str = "rigid", *, mirror: bool = False,
             pitch_mm: Optional[Pitch] = None, levels_sigma_mm: Optional[Sequence[float]] = None,
             max_iterations: Optional[int] = None, tolerance: Optional[float] = None,
             contact_threshold: Optional[float] = None, demons_iterations: Optional[int] = None,
             demons_step_mm: Optional[float] = None, demons_smooth_mm: Optional[float] = None) -> Registration:
    """Registers ``moving`` onto ``fixed`` (docs/statistics.md, "Registration").

    ``kind``: "rigid" (rotation + translation; trials of one subject), "affine" (6 parameters; to a
    template) or "nonlinear" (affine then a demons displacement field; between subjects).
    ``mirror``: mirror the moving foot first (a left foot onto a right one; see needs_mirror()).
    Least squares after scaling the moving image to the fixed image's integral (equal total
    force), coarse to fine over ``levels_sigma_mm`` (default 12, 6, 0 mm), started from the images'
    moments in four orientations. Defaults of the other parameters: max_iterations 60, tolerance
    1e-6, contact_threshold 5 (kPa, for Dice), demons_iterations 80, demons_step_mm 2,
    demons_smooth_mm 8. ``pitch_mm`` applies to bare arrays.
    Errors: insole.InputError (malformed image or parameter), insole.NoDataError (an image without
    contact).
    """
    options: Dict[str, Any] = {"mirror": bool(mirror)}
    for key, v in (("levels_sigma_mm", levels_sigma_mm), ("max_iterations", max_iterations),
                   ("tolerance", tolerance), ("contact_threshold", contact_threshold),
                   ("demons_iterations", demons_iterations), ("demons_step_mm", demons_step_mm),
                   ("demons_smooth_mm", demons_smooth_mm)):
        if v is not None:
            options[key] = list(map(float, v)) if key == "levels_sigma_mm" else v  # type: ignore[arg-type]
    return Registration._from_dict(_insole.stats_register(_dict(moving, pitch_mm), _dict(fixed, pitch_mm), kind,
                                                          options))


def apply_registration(registration: Registration, image: ImageLike, pitch_mm: Optional[Pitch] = None) -> Image:
    """Another image of the same foot (e.g. the PTI or a slope image of the trial whose peak image
    was registered) carried onto the fixed grid by an existing registration."""
    return Image._from_dict(_insole.stats_apply_registration(registration._to_dict(), _dict(image, pitch_mm)))


def compare(warped: ImageLike, fixed: ImageLike, contact_threshold: float = 5.0,
            pitch_mm: Optional[Pitch] = None) -> Quality:
    """Quality of an image already on the fixed grid (no transform): Dice, NCC, RMS residual."""
    return Quality(**_insole.stats_compare_images(_dict(warped, pitch_mm), _dict(fixed, pitch_mm),
                                                  float(contact_threshold)))


# ---- regions ----------------------------------------------------------------------------------


@dataclass
class RegionMap:
    """Anatomical region labels on an image grid: ``label`` int32 [rows, cols], index into
    ``names`` (-1 = none). Used to name the clusters of a statistical map."""

    label: np.ndarray
    names: List[str]

    def name_at(self, row: int, col: int) -> Optional[str]:
        i = int(self.label[row, col])
        return self.names[i] if i >= 0 else None


def regions(image: ImageLike, side: str, toe_direction: Tuple[float, float] = (0.0, 1.0),
            contact_threshold: float = 5.0, pitch_mm: Optional[Pitch] = None) -> RegionMap:
    """Region labels of a footprint image (a template or a mean registered image): hallux,
    lesser_toes, mth1..mth5, midfoot, hindfoot, from the toolkit's footprint regions
    (docs/metrics.md). ``side`` left | right | unknown; ``toe_direction`` (x, y) which way the
    toes point on the grid ((0, 1) for images stored heel at the low rows, as MUN104 and the
    analysis images are; (0, 0): decided from the shape alone)."""
    label, names = _insole.stats_regions(_dict(image, pitch_mm), side,
                                         (float(toe_direction[0]), float(toe_direction[1])),
                                         float(contact_threshold))
    return RegionMap(label=label, names=list(names))


# ---- statistics -------------------------------------------------------------------------------


@dataclass
class Cluster:
    """A suprathreshold cluster: sign (+1 above the threshold, -1 below its negative), size in
    pixels and mm^2, centroid and peak location (x, y) in mm, peak t, FWE-corrected p, and the
    nearest anatomical region (None without a region map)."""

    sign: int
    pixels: int
    area_mm2: float
    centroid_mm: Tuple[float, float]
    peak_t: float
    peak_mm: Tuple[float, float]
    p_fwe: float
    region: Optional[str]


@dataclass
class SpmResult:
    """One pixel-level test (docs/statistics.md, "Pixel-level statistics").

    ``statistic``: the t map (Image; NaN outside the analysed pixels); ``effect``: mean, mean
    difference or slope per pixel; ``p_fwe``: maximum-statistic FWE p per pixel; ``mask``: the
    analysed pixels. ``threshold_t`` is the maximum-statistic critical t and ``clusters_max`` the
    clusters beyond it (p = smallest pixel p); ``cluster_forming_t``, ``critical_cluster_pixels``
    and ``clusters_extent`` are the cluster-extent inference. ``max_distribution`` and
    ``cluster_distribution`` hold the N relabellings' maxima (observed first)."""

    test: str
    tail: str
    n: int
    df: int
    alpha: float
    statistic: Image
    effect: np.ndarray
    p_fwe: np.ndarray
    mask: np.ndarray
    permutations: int
    possible_permutations: int
    exact: bool
    seed: int
    threshold_t: float
    max_distribution: np.ndarray
    clusters_max: List[Cluster]
    cluster_forming_t: float
    critical_cluster_pixels: float
    cluster_distribution: np.ndarray
    clusters_extent: List[Cluster]

    @property
    def significant(self) -> np.ndarray:
        """Pixels beyond the maximum-statistic threshold (bool [rows, cols])."""
        t = np.nan_to_num(self.statistic.values, nan=0.0)
        if self.tail == "upper":
            return t > self.threshold_t
        if self.tail == "lower":
            return -t > self.threshold_t
        return np.abs(t) > self.threshold_t

    @classmethod
    def _from_dict(cls, d: Dict[str, Any]) -> "SpmResult":
        d = dict(d)
        d["statistic"] = Image._from_dict(d["statistic"])
        for key in ("clusters_max", "clusters_extent"):
            d[key] = [Cluster(**{**c, "centroid_mm": tuple(c["centroid_mm"]), "peak_mm": tuple(c["peak_mm"])})
                      for c in d[key]]
        return cls(**d)


_TESTS = ("one-sample", "paired", "two-sample", "regression")


def spm(test: str, images: Sequence[ImageLike], images_b: Optional[Sequence[ImageLike]] = None, *,
        covariate: Optional[Sequence[float]] = None, alpha: float = 0.05, tail: str = "two-sided",
        permutations: int = 10000, seed: int = 1, cluster_p: float = 0.01, cluster_t: Optional[float] = None,
        contact_threshold: float = 0.0, min_contact_fraction: float = 0.5,
        regions: Optional[RegionMap] = None, pitch_mm: Optional[Pitch] = None,
        output: Optional[Union[str, "os.PathLike[str]"]] = None) -> SpmResult:
    """A pixel-level t test over registered images (one grid) with permutation FWE control.

    ``test``: "one-sample" (images), "paired" (images = condition a, images_b = condition b, same
    subject order; t > 0 means a > b), "two-sample" (groups images and images_b) or "regression"
    (images against ``covariate``, one value per image; e.g. peak pressure against speed).
    When all relabellings (sign flips, label reassignments, covariate orderings) number at most
    ``permutations`` they are enumerated (exact); otherwise ``permutations`` are drawn from
    ``seed``. ``tail``: two-sided, upper or lower. ``cluster_p`` (uncorrected one-tailed p) or
    ``cluster_t`` sets the cluster-forming threshold. Pixels analysed: those where at least
    ``min_contact_fraction`` of the images exceed ``contact_threshold`` and whose statistic is
    defined. ``regions`` names the clusters. ``output``: also write the HDF5 results file
    (docs/statistics.md, "Results file"; the test as group /spm), atomically.
    Same inputs and seed give the same figures as `insole spm`.
    """
    if test not in _TESTS:
        from ._errors import InputError
        err = InputError(f"test must be one-sample, paired, two-sample or regression, not \"{test}\"")
        err.code = "invalid_argument"
        raise err
    a = [_dict(im, pitch_mm) for im in images]
    b = [_dict(im, pitch_mm) for im in (images_b or [])]
    x = [float(v) for v in covariate] if covariate is not None else []
    options: Dict[str, Any] = {"alpha": float(alpha), "tail": tail, "permutations": int(permutations),
                               "seed": int(seed), "cluster_p": float(cluster_p), "cluster_t": cluster_t,
                               "contact_threshold": float(contact_threshold),
                               "min_contact_fraction": float(min_contact_fraction)}
    reg = (np.asarray(regions.label, dtype=np.int32), list(regions.names)) if regions is not None else None
    out = _insole.stats_spm(test, a, b, x, options, reg, os.fspath(output) if output is not None else "")
    return SpmResult._from_dict(out)


def one_sample(images: Sequence[ImageLike], **kwargs: Any) -> SpmResult:
    """spm("one-sample", images, **kwargs): t = mean / (sd / sqrt(n)), sign-flip permutations."""
    return spm("one-sample", images, **kwargs)


def paired(a: Sequence[ImageLike], b: Sequence[ImageLike], **kwargs: Any) -> SpmResult:
    """spm("paired", a, b, **kwargs): one-sample t of a - b per subject."""
    return spm("paired", a, b, **kwargs)


def two_sample(a: Sequence[ImageLike], b: Sequence[ImageLike], **kwargs: Any) -> SpmResult:
    """spm("two-sample", a, b, **kwargs): pooled-variance t, label permutations."""
    return spm("two-sample", a, b, **kwargs)


def regression(images: Sequence[ImageLike], covariate: Sequence[float], **kwargs: Any) -> SpmResult:
    """spm("regression", images, covariate=covariate, **kwargs): t of the slope, covariate
    permutations."""
    return spm("regression", images, covariate=covariate, **kwargs)


def t_quantile(p: float, df: int) -> float:
    """Upper quantile of Student's t: the t with P(T > t) = p (Boost.Math, as the cluster-forming
    threshold uses)."""
    return float(_insole.stats_t_quantile(float(p), int(df)))
