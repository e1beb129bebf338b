"""insole: plantar-pressure analysis (footprints, arch index, CPEI, gait events, findings and
orthotic recommendations) from Python, over the same C++ library as the ``insole`` program.

    >>> import insole
    >>> rec = insole.read("data/walk_normal.h5")          # streams as NumPy arrays
    >>> a = insole.analyze("data/walk_normal.h5")         # == `insole analyze --json` as a dict
    >>> a["feet"][0]["arch_index"], a.images[0].peak_kpa.shape

See docs/python.md. Errors raise insole.Error subclasses carrying the toolkit's message:
InputError (also a ValueError), NotFoundError (also a FileNotFoundError), NoDataError,
ToolkitIOError (also an OSError).

insole.stats registers footprint images and tests them pixel by pixel (statistical parametric
mapping with permutation family-wise error control), as `insole spm` does.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np

# A pip-installed package carries the shipped rule file in insole/rules (setup.py); the library
# looks for it through INSOLE_RULES_DIR (recommend/rules.hpp), which a user's setting overrides.
_PACKAGED_RULES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rules")
if os.path.isfile(os.path.join(_PACKAGED_RULES, "default.json")):
    os.environ.setdefault("INSOLE_RULES_DIR", _PACKAGED_RULES)

from . import _insole  # noqa: E402
from ._errors import Error, InputError, NoDataError, NotFoundError, ToolkitIOError
from . import stats  # noqa: E402  (registration and pixel-level statistics)

__all__ = [
    "Assessment", "Error", "FootImage", "InputError", "NoDataError", "NotFoundError", "Recording", "Stream",
    "ToolkitIOError", "algorithm_version", "analyze", "batch", "formats", "import_file", "read", "simulate",
    "stats", "__version__",
]

__version__: str = _insole.__version__
algorithm_version: str = _insole.algorithm_version

PathLike = Union[str, "os.PathLike[str]"]


@dataclass
class Stream:
    """One sensor stream (a mat, a left insole ...), as in the HDF5 format (docs/format.md)."""

    name: str
    kind: str  # "grid" | "sensors"
    side: str  # "left" | "right" | "both" | "unknown"
    units: str  # "kPa"
    sample_rate_hz: float
    device: str
    attributes: Dict[str, str]
    time_s: np.ndarray  # float64 [frames], seconds from the start
    pressure: np.ndarray  # float32 [frames, rows, cols] (grid) or [frames, sensors]; kPa, NaN = no sensel
    present: np.ndarray  # bool [rows, cols] or [sensors]: sensels that exist
    pitch_mm: Optional[Tuple[float, float]] = None  # grid: (row pitch, column pitch)
    sensor_xy_mm: Optional[np.ndarray] = None  # sensors: float32 [sensors, 2] (x, y heel->toe)
    sensor_area_mm2: Optional[np.ndarray] = None  # sensors: float32 [sensors]
    # The maker's own channels where the file has them (Moticon exports; HDF5 group "vendor"):
    # total force in N, float64 [frames], and COP as fractions of the insole's width and length,
    # float64 [frames, 2] (column 0 across, column 1 heel -> toe); NaN where the maker gave none.
    vendor_total_force_n: Optional[np.ndarray] = None
    vendor_cop_normalised: Optional[np.ndarray] = None

    @property
    def frame_count(self) -> int:
        return int(self.time_s.shape[0])

    @property
    def area_mm2(self) -> np.ndarray:
        """Area of each sensel in mm^2, shaped like one frame."""
        if self.kind == "grid":
            assert self.pitch_mm is not None
            return np.full(self.pressure.shape[1:], self.pitch_mm[0] * self.pitch_mm[1], dtype=np.float64)
        assert self.sensor_area_mm2 is not None
        return self.sensor_area_mm2.astype(np.float64)

    def total_force_n(self) -> np.ndarray:
        """Total force per frame in N: sum(p_kPa * A_mm2) * 1e-3, absent sensels (NaN) left out."""
        p = np.nan_to_num(self.pressure.astype(np.float64), nan=0.0)
        axes = tuple(range(1, p.ndim))
        return (p * self.area_mm2).sum(axis=axes) * 1e-3

    def _to_dict(self) -> Dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def _from_dict(cls, d: Dict[str, Any]) -> "Stream":
        return cls(**d)


@dataclass
class Recording:
    """A recording: metadata, streams and events. ``source`` is the file it came from, if any."""

    metadata: Dict[str, Any]
    streams: List[Stream]
    events: List[Dict[str, Any]] = field(default_factory=list)
    source: str = ""

    def stream(self, name: str) -> Stream:
        """The stream of that name (KeyError when there is none)."""
        for s in self.streams:
            if s.name == name:
                return s
        raise KeyError(name)

    def write(self, path: PathLike) -> None:
        """Writes the recording as an insole HDF5 file (atomically: a temporary renamed over path)."""
        _insole.write(os.fspath(path), self._to_dict())

    def _to_dict(self) -> Dict[str, Any]:
        return {"metadata": self.metadata, "streams": [s._to_dict() for s in self.streams], "events": self.events}

    @classmethod
    def _from_dict(cls, d: Dict[str, Any], source: str = "") -> "Recording":
        return cls(metadata=d["metadata"], streams=[Stream._from_dict(s) for s in d["streams"]], events=d["events"],
                   source=source)


@dataclass
class FootImage:
    """One foot's pressure images aggregated over its used footfalls, in the foot's own frame
    (ml: medial-lateral mm, positive medial; ap: mm from the heel). See docs/python.md.

    ``cells`` holds one entry per cell (grids: raster cells of ``cell_mm``; insoles: one per
    sensor) as arrays ml_mm, ap_mm, half_ml_mm, half_ap_mm, footfalls (that loaded it),
    max_peak_kpa, peak_kpa (mean over footfalls of the per-footfall peak), mean_kpa, pti_kpa_s,
    contact_percent, region (index into region_names, -1 = none).
    ``grid`` (grids only) holds the same images as dense [ap, ml] arrays over the footprint's
    bounding box (row 0 at the heel), with ``loaded`` (bool) and ``origin_mm`` (ml, ap of cell [0, 0]);
    cells no footfall loaded are 0.
    """

    stream: str
    side: str
    raster: bool
    cell_mm: float
    footfalls: int
    cells: Dict[str, np.ndarray]
    region_names: List[str]
    mean_cop_mm: np.ndarray  # [101, 2] (ml, ap) mean centre-of-pressure path of walking footfalls, or [0, 2]
    thirds_ap_mm: Optional[Tuple[float, float]]
    grid: Optional[Dict[str, Any]]
    # Raster images only: the images insole.stats takes, by value name (see stats.from_foot_image).
    stats_images: Dict[str, Dict[str, Any]] = field(default_factory=dict)

    def _image(self, name: str) -> np.ndarray:
        return self.grid[name] if self.grid is not None else self.cells[name]

    @property
    def peak_kpa(self) -> np.ndarray:
        """Mean over footfalls of each cell's peak pressure (kPa): dense grid or per sensor."""
        return self._image("peak_kpa")

    @property
    def max_peak_kpa(self) -> np.ndarray:
        """Highest peak pressure of each cell over the footfalls (kPa)."""
        return self._image("max_peak_kpa")

    @property
    def mean_kpa(self) -> np.ndarray:
        """Mean pressure over the contact, averaged over footfalls (kPa)."""
        return self._image("mean_kpa")

    @property
    def pti_kpa_s(self) -> np.ndarray:
        """Pressure-time integral, averaged over footfalls (kPa s)."""
        return self._image("pti_kpa_s")

    @property
    def contact_percent(self) -> np.ndarray:
        """Share of the contact time each cell was loaded, averaged over footfalls (%)."""
        return self._image("contact_percent")


class Assessment(dict):
    """The assessment of one recording: exactly the document `insole analyze --json` prints, as
    a dict (``a["feet"]``, ``a["findings"]``, ``a["recommendations"]`` ...), plus the per-foot
    images as NumPy arrays in ``images`` (which the JSON does not carry)."""

    images: List[FootImage]
    usable_contact: bool

    def image(self, side: str, stream: Optional[str] = None) -> FootImage:
        """The image of the foot on that side (and stream); KeyError when there is none."""
        for im in self.images:
            if im.side == side and (stream is None or im.stream == stream):
                return im
        raise KeyError((side, stream))


def _assessment(out: Tuple[str, List[Dict[str, Any]], bool]) -> Assessment:
    text, images, usable = out
    a = Assessment(json.loads(text))
    a.images = [FootImage(**im) for im in images]
    a.usable_contact = usable
    return a


def _rules_arg(rules: Any) -> Any:
    if rules is None or isinstance(rules, dict):
        return rules
    return os.fspath(rules)


def read(path: PathLike) -> Recording:
    """Reads an insole HDF5 recording (docs/format.md) into memory."""
    p = os.fspath(path)
    return Recording._from_dict(_insole.read(p), source=p)


def analyze(recording: Union[PathLike, Recording], rules: Union[None, PathLike, Dict[str, Any]] = None,
            intake: Union[None, PathLike, Dict[str, Any]] = None, mode: Optional[str] = None) -> Assessment:
    """Assesses a recording: measures, footfalls, findings and recommendations, as `insole analyze`.

    ``recording`` is a file name (read chunk by chunk, as the CLI does) or a Recording.
    ``rules``: None (the shipped default.json), a rule file's path or its JSON as a dict.
    ``intake``: None, a .json/.yaml intake file or a dict of intake fields.
    ``mode``: None (as recorded), "walk" or "stand".
    A recording with no usable foot contact gives an assessment with ``usable_contact`` False
    (the CLI's exit code 1), not an exception.
    """
    m = mode or ""
    if isinstance(recording, Recording):
        return _assessment(_insole.analyze_recording(recording._to_dict(), recording.source, _rules_arg(rules),
                                                     _rules_arg(intake), m))
    return _assessment(_insole.analyze_file(os.fspath(recording), _rules_arg(rules), _rules_arg(intake), m))


# keyword of simulate() -> key of the simulator's spec (the CLI's option names, with '_' for '-')
_SIM_KEYS = {
    "mode": "mode", "foot": "foot", "arch_height": "arch_height", "pronation": "pronation", "mass": "mass",
    "foot_length": "length", "duration": "duration", "rate": "rate", "seed": "seed", "layout": "layout",
    "rows": "rows", "cols": "cols", "pitch": "pitch", "direction": "direction", "step_length": "step_length",
    "step_width": "step_width", "stance_width": "stance_width", "fpa": "fpa", "cadence": "cadence",
    "noise_kpa": "noise", "gain_sd": "gain", "threshold_kpa": "threshold", "quantum_kpa": "quantum",
    "saturation_kpa": "saturation",
}


def simulate(output: Optional[PathLike] = None, *, equinus: bool = False, typical_noise: bool = False,
             **options: Any) -> Recording:
    """Simulates a walk or standing trial, as `insole simulate` (options named like its
    command-line options with '_' for '-': mode, foot, arch_height, pronation, mass, foot_length,
    duration, rate, seed, layout, rows, cols, pitch, direction, step_length, step_width,
    stance_width, fpa, cadence, noise_kpa, gain_sd, threshold_kpa, quantum_kpa, saturation_kpa;
    flags equinus and typical_noise). Returns the recording and, with ``output``, also writes it.
    Same options and seed give the same pressures as the CLI.
    """
    spec: Dict[str, str] = {}
    for k, v in options.items():
        if k not in _SIM_KEYS:
            raise TypeError(f"simulate() got an unexpected keyword argument '{k}'")
        if v is not None:
            spec[_SIM_KEYS[k]] = str(v)
    if equinus:
        spec["equinus"] = "true"
    if typical_noise:
        spec["typical_noise"] = "true"
    shown = ", ".join(f"{k}={v!r}" for k, v in sorted(options.items()))
    rec = Recording._from_dict(_insole.simulate(spec, f"insole.simulate({shown})"))
    if output is not None:
        rec.write(output)
        rec.source = os.fspath(output)
    return rec


def import_file(path: PathLike, format: Optional[str] = None, side: Optional[str] = None,
                output: Optional[PathLike] = None) -> Recording:
    """Reads a vendor export (Tekscan, novel, XSENSOR, Moticon, gaitpdb ...; see formats()), as
    `insole import`. ``format`` None detects it from the content; ``side`` sets the side of a
    single-insole file. With ``output`` the recording is also written as insole HDF5."""
    p = os.fspath(path)
    rec = Recording._from_dict(_insole.import_file(p, format or "", side or ""), source=p)
    if output is not None:
        rec.write(output)
    return rec


def formats() -> List[Dict[str, Any]]:
    """The vendor formats import_file() reads: name, description, extensions."""
    return _insole.formats()


def batch(inputs: Union[PathLike, Sequence[PathLike]], output: Optional[PathLike] = None, *,
          rules: Union[None, PathLike, Dict[str, Any]] = None, jobs: int = 1, mode: Optional[str] = None,
          json_dir: Optional[PathLike] = None) -> List[Dict[str, Optional[str]]]:
    """Assesses many recordings (files, directories, glob patterns), as `insole batch`: one row per
    foot per recording (failures are rows too). Returns the rows of the results CSV as dicts
    (column -> text, None where the CSV is empty; docs/batch.md lists the columns); with
    ``output`` the CSV is also written there (atomically)."""
    if isinstance(inputs, (str, os.PathLike)):
        inputs = [inputs]
    names = [os.fspath(i) for i in inputs]
    with tempfile.TemporaryDirectory(prefix="insole-batch-") as tmp:
        out = os.fspath(output) if output is not None else os.path.join(tmp, "results.csv")
        _insole.run_batch(names, out, _rules_arg(rules), int(jobs), mode or "",
                          os.fspath(json_dir) if json_dir is not None else "")
        with open(out, newline="", encoding="utf-8") as f:
            return [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(f)]
