"""Type hints for the insole package (docs/python.md). Units are in the names: _kpa, _mm, _s, _hz."""

import os
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

from ._errors import Error as Error
from ._errors import InputError as InputError
from ._errors import NoDataError as NoDataError
from ._errors import NotFoundError as NotFoundError
from ._errors import ToolkitIOError as ToolkitIOError
from . import stats as stats

__version__: str
algorithm_version: str

PathLike = Union[str, os.PathLike[str]]

class Stream:
    """One sensor stream, as in the HDF5 format (docs/format.md)."""

    name: str
    kind: str
    """"grid" or "sensors"."""
    side: str
    """"left", "right", "both" or "unknown"."""
    units: str
    """"kPa"."""
    sample_rate_hz: float
    device: str
    attributes: Dict[str, str]
    time_s: npt.NDArray[np.float64]
    """[frames], seconds from the start, strictly increasing."""
    pressure: npt.NDArray[np.float32]
    """[frames, rows, cols] (grid) or [frames, sensors]; kPa; NaN = no sensel."""
    present: npt.NDArray[np.bool_]
    """[rows, cols] or [sensors]: the sensels that exist."""
    pitch_mm: Optional[Tuple[float, float]]
    """Grids: (row pitch, column pitch) in mm; None for sensor sets."""
    sensor_xy_mm: Optional[npt.NDArray[np.float32]]
    """Sensor sets: [sensors, 2] centres (x towards the subject's right, y heel to toe); None for grids."""
    sensor_area_mm2: Optional[npt.NDArray[np.float32]]
    """Sensor sets: [sensors] areas; None for grids."""
    vendor_total_force_n: Optional[npt.NDArray[np.float64]]
    """The maker's own total force in N per frame (Moticon exports), NaN where it gave none; else None."""
    vendor_cop_normalised: Optional[npt.NDArray[np.float64]]
    """The maker's own COP per frame, [frames, 2]: across and heel -> toe, as fractions of the
    insole's width and length (-0.5 .. +0.5); None when the file has no vendor channels."""
    def __init__(self, name: str, kind: str, side: str, units: str, sample_rate_hz: float, device: str,
                 attributes: Dict[str, str], time_s: np.ndarray, pressure: np.ndarray, present: np.ndarray,
                 pitch_mm: Optional[Tuple[float, float]] = ..., sensor_xy_mm: Optional[np.ndarray] = ...,
                 sensor_area_mm2: Optional[np.ndarray] = ..., vendor_total_force_n: Optional[np.ndarray] = ...,
                 vendor_cop_normalised: Optional[np.ndarray] = ...) -> None: ...
    @property
    def frame_count(self) -> int: ...
    @property
    def area_mm2(self) -> npt.NDArray[np.float64]:
        """Area of each sensel in mm^2, shaped like one frame."""
    def total_force_n(self) -> npt.NDArray[np.float64]:
        """Total force per frame in N: sum(p_kPa * A_mm2) * 1e-3, absent sensels left out."""

class Recording:
    """A recording: metadata (subject, body_mass_kg, mode, created_by, attributes), streams, events."""

    metadata: Dict[str, Any]
    streams: List[Stream]
    events: List[Dict[str, Any]]
    """Each {time_s, stream, kind, detail}."""
    source: str
    """The file it was read from (the "input" of its assessment), "" when built in memory."""
    def __init__(self, metadata: Dict[str, Any], streams: List[Stream], events: List[Dict[str, Any]] = ...,
                 source: str = ...) -> None: ...
    def stream(self, name: str) -> Stream:
        """The stream of that name; KeyError when there is none."""
    def write(self, path: PathLike) -> None:
        """Writes an insole HDF5 file atomically."""

class FootImage:
    """One foot's images aggregated over its used footfalls, in foot coordinates (ml positive
    medial, ap from the heel, mm)."""

    stream: str
    side: str
    raster: bool
    """True for grids (raster of cell_mm), False for insoles (one cell per sensor)."""
    cell_mm: float
    footfalls: int
    cells: Dict[str, npt.NDArray[Any]]
    """Per cell: ml_mm, ap_mm, half_ml_mm, half_ap_mm, footfalls, max_peak_kpa, peak_kpa, mean_kpa,
    pti_kpa_s, contact_percent, region."""
    region_names: List[str]
    mean_cop_mm: npt.NDArray[np.float64]
    """[101, 2] (ml, ap): mean centre-of-pressure path of the walking footfalls; [0, 2] without."""
    thirds_ap_mm: Optional[Tuple[float, float]]
    """Median ap of the hindfoot|midfoot and midfoot|forefoot cuts."""
    grid: Optional[Dict[str, Any]]
    """Grids only: dense [ap, ml] arrays (row 0 at the heel) peak_kpa, max_peak_kpa, mean_kpa,
    pti_kpa_s, contact_percent, region, loaded, and origin_mm (ml, ap of cell [0, 0])."""
    stats_images: Dict[str, Dict[str, Any]]
    """Grids only: the images insole.stats takes, by value (mean_peak_kpa, max_peak_kpa,
    mean_pressure_kpa, pti_kpa_s, contact_percent); use insole.stats.from_foot_image()."""
    @property
    def peak_kpa(self) -> npt.NDArray[np.float64]:
        """Mean over footfalls of each cell's peak pressure: the dense grid, or per sensor."""
    @property
    def max_peak_kpa(self) -> npt.NDArray[np.float64]:
        """Highest peak of each cell over the footfalls."""
    @property
    def mean_kpa(self) -> npt.NDArray[np.float64]:
        """Mean pressure over the contact, averaged over footfalls."""
    @property
    def pti_kpa_s(self) -> npt.NDArray[np.float64]:
        """Pressure-time integral, averaged over footfalls."""
    @property
    def contact_percent(self) -> npt.NDArray[np.float64]:
        """Share of the contact each cell was loaded, averaged over footfalls."""

class Assessment(Dict[str, Any]):
    """The document `insole analyze --json` prints (toolkit_version, input, feet, gait, findings,
    recommendations, quality, parameters, rules ...) as a dict, plus the per-foot images."""

    images: List[FootImage]
    usable_contact: bool
    """False when no footfall was usable (the CLI exits 1)."""
    def image(self, side: str, stream: Optional[str] = ...) -> FootImage:
        """The image of the foot on that side (and stream); KeyError when none."""

def read(path: PathLike) -> Recording:
    """Reads an insole HDF5 recording. Raises NotFoundError, InputError (not an insole file)."""

def analyze(recording: Union[PathLike, Recording], rules: Union[None, PathLike, Dict[str, Any]] = ...,
            intake: Union[None, PathLike, Dict[str, Any]] = ..., mode: Optional[str] = ...) -> Assessment:
    """Assesses a recording (file name, read chunk by chunk, or Recording), with the rule file
    (default: the shipped one) and an optional intake; equals `insole analyze FILE --json`."""

def simulate(output: Optional[PathLike] = ..., *, equinus: bool = ..., typical_noise: bool = ...,
             mode: Optional[str] = ..., foot: Optional[str] = ..., arch_height: Optional[float] = ...,
             pronation: Optional[float] = ..., mass: Optional[float] = ..., foot_length: Optional[float] = ...,
             duration: Optional[float] = ..., rate: Optional[float] = ..., seed: Optional[int] = ...,
             layout: Optional[str] = ..., rows: Optional[int] = ..., cols: Optional[int] = ...,
             pitch: Optional[float] = ..., direction: Optional[float] = ..., step_length: Optional[float] = ...,
             step_width: Optional[float] = ..., stance_width: Optional[float] = ..., fpa: Optional[float] = ...,
             cadence: Optional[float] = ..., noise_kpa: Optional[float] = ..., gain_sd: Optional[float] = ...,
             threshold_kpa: Optional[float] = ..., quantum_kpa: Optional[float] = ...,
             saturation_kpa: Optional[float] = ...) -> Recording:
    """Simulates a trial as `insole simulate` (same options, '_' for '-'); writes it to output if given."""

def import_file(path: PathLike, format: Optional[str] = ..., side: Optional[str] = ...,
                output: Optional[PathLike] = ...) -> Recording:
    """Reads a vendor export as `insole import` (format None = detect from content)."""

def formats() -> List[Dict[str, Any]]:
    """The vendor formats: name, description, extensions."""

def batch(inputs: Union[PathLike, Sequence[PathLike]], output: Optional[PathLike] = ..., *,
          rules: Union[None, PathLike, Dict[str, Any]] = ..., jobs: int = ..., mode: Optional[str] = ...,
          json_dir: Optional[PathLike] = ...) -> List[Dict[str, Optional[str]]]:
    """Assesses many recordings as `insole batch`: the results CSV's rows as dicts (None = empty)."""
