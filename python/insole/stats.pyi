"""Type hints for insole.stats: registration of footprint images and pixel-level statistics with
permutation family-wise error control (docs/statistics.md, docs/python.md)."""

import os
import pathlib
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

Pitch = Union[float, Tuple[float, float]]
PathLike = Union[str, os.PathLike[str]]

class Image:
    """A pressure image on a regular grid in mm (values [rows, cols]; pitch_mm (row, col);
    origin_mm (x, y)). Pixel (r, c) is centred at (origin_x + (c + 0.5) pitch_col,
    origin_y + (r + 0.5) pitch_row); NaN and outside count as 0 (no contact)."""

    values: npt.NDArray[np.float64]
    pitch_mm: Tuple[float, float]
    origin_mm: Tuple[float, float]
    def __init__(self, values: np.ndarray, pitch_mm: Tuple[float, float] = ...,
                 origin_mm: Tuple[float, float] = ...) -> None: ...
    @property
    def shape(self) -> Tuple[int, int]: ...
    def grid(self) -> Dict[str, Any]:
        """rows, cols, pitch_mm, origin_mm (for resample())."""

ImageLike = Union[Image, np.ndarray]

def resample(image: ImageLike, grid: Union[Image, Dict[str, Any]], pitch_mm: Optional[Pitch] = ...) -> Image:
    """Bilinear resampling onto another grid (anti-aliased when > 1.5 times coarser)."""
def smooth(image: ImageLike, sigma_mm: float, pitch_mm: Optional[Pitch] = ...) -> Image:
    """Gaussian smoothing, sigma in mm."""
def mirror(image: ImageLike, pitch_mm: Optional[Pitch] = ...) -> Image:
    """Columns reversed: a left foot seen from above as a right one."""
def load_csv_image(path: PathLike, pitch_mm: float) -> Image:
    """A CSV grid of numbers (MUN104 layout); errors name file, line and column."""
def shared_data_dir() -> pathlib.Path:
    """$INSOLE_SHARED_DATA, else ../shared/data beside the checkout."""
def mun104(side: str = ..., pitch_mm: float = ..., directory: Optional[PathLike] = ...) -> Image:
    """The MUN104 template (Pataky et al. 2011, MIT; 63 x 27; units plausibly kPa, pitch assumed 5 mm)."""
def from_foot_image(foot_image: Any, value: str = ...) -> Image:
    """An analysis's per-foot raster image as `insole spm` takes it (seen from above)."""

class Quality:
    dice: float
    ncc: float
    rms_residual: float
    dice_before: float
    ncc_before: float
    rms_residual_before: float
    min_jacobian: Optional[float]

class Registration:
    """p_fixed = A @ p_moving + t_mm (mm); nonlinear adds ux_mm, uy_mm on the fixed grid."""

    kind: str
    mirrored: bool
    A: npt.NDArray[np.float64]
    t_mm: npt.NDArray[np.float64]
    angle_deg: float
    ux_mm: Optional[npt.NDArray[np.float64]]
    uy_mm: Optional[npt.NDArray[np.float64]]
    warped: Image
    quality: Quality
    final_cost: float
    def map(self, q_mm: Sequence[float]) -> npt.NDArray[np.float64]: ...

def needs_mirror(moving_side: str, fixed_side: str) -> bool: ...
def register(moving: ImageLike, fixed: ImageLike, kind: str = ..., *, mirror: bool = ...,
             pitch_mm: Optional[Pitch] = ..., levels_sigma_mm: Optional[Sequence[float]] = ...,
             max_iterations: Optional[int] = ..., tolerance: Optional[float] = ...,
             contact_threshold: Optional[float] = ..., demons_iterations: Optional[int] = ...,
             demons_step_mm: Optional[float] = ..., demons_smooth_mm: Optional[float] = ...) -> Registration:
    """kind rigid | affine | nonlinear; raises InputError, NoDataError."""
def apply_registration(registration: Registration, image: ImageLike, pitch_mm: Optional[Pitch] = ...) -> Image: ...
def compare(warped: ImageLike, fixed: ImageLike, contact_threshold: float = ...,
            pitch_mm: Optional[Pitch] = ...) -> Quality: ...

class RegionMap:
    label: npt.NDArray[np.int32]
    names: List[str]
    def name_at(self, row: int, col: int) -> Optional[str]: ...

def regions(image: ImageLike, side: str, toe_direction: Tuple[float, float] = ..., contact_threshold: float = ...,
            pitch_mm: Optional[Pitch] = ...) -> RegionMap:
    """hallux, lesser_toes, mth1..mth5, midfoot, hindfoot labels on a footprint image."""

class Cluster:
    sign: int
    pixels: int
    area_mm2: float
    centroid_mm: Tuple[float, float]
    peak_t: float
    peak_mm: Tuple[float, float]
    p_fwe: float
    region: Optional[str]

class SpmResult:
    test: str
    tail: str
    n: int
    df: int
    alpha: float
    statistic: Image
    effect: npt.NDArray[np.float64]
    p_fwe: npt.NDArray[np.float64]
    mask: npt.NDArray[np.bool_]
    permutations: int
    possible_permutations: int
    exact: bool
    seed: int
    threshold_t: float
    max_distribution: npt.NDArray[np.float64]
    clusters_max: List[Cluster]
    cluster_forming_t: float
    critical_cluster_pixels: float
    cluster_distribution: npt.NDArray[np.float64]
    clusters_extent: List[Cluster]
    @property
    def significant(self) -> npt.NDArray[np.bool_]: ...

def spm(test: str, images: Sequence[ImageLike], images_b: Optional[Sequence[ImageLike]] = ..., *,
        covariate: Optional[Sequence[float]] = ..., alpha: float = ..., tail: str = ..., permutations: int = ...,
        seed: int = ..., cluster_p: float = ..., cluster_t: Optional[float] = ..., contact_threshold: float = ...,
        min_contact_fraction: float = ..., regions: Optional[RegionMap] = ..., pitch_mm: Optional[Pitch] = ...,
        output: Optional[PathLike] = ...) -> SpmResult:
    """test one-sample | paired | two-sample | regression; permutation FWE (max statistic, cluster extent)."""
def one_sample(images: Sequence[ImageLike], **kwargs: Any) -> SpmResult: ...
def paired(a: Sequence[ImageLike], b: Sequence[ImageLike], **kwargs: Any) -> SpmResult: ...
def two_sample(a: Sequence[ImageLike], b: Sequence[ImageLike], **kwargs: Any) -> SpmResult: ...
def regression(images: Sequence[ImageLike], covariate: Sequence[float], **kwargs: Any) -> SpmResult: ...
def t_quantile(p: float, df: int) -> float: ...
