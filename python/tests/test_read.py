"""insole.read() against h5py reading the same files (docs/format.md)."""

import h5py
import numpy as np
import pytest

import insole
from conftest import SAMPLES


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_read_matches_h5py(path):
    rec = insole.read(path)
    assert rec.source == str(path)
    with h5py.File(path, "r") as f:
        assert text(f.attrs["format"]) == "insole"
        names = sorted(f["streams"].keys())
        assert sorted(s.name for s in rec.streams) == names
        for s in rec.streams:
            g = f["streams"][s.name]
            assert s.kind == text(g.attrs["kind"])
            assert s.side == text(g.attrs["side"])
            assert s.units == text(g.attrs["units"]) == "kPa"
            assert s.device == text(g.attrs["device"])
            assert s.sample_rate_hz == pytest.approx(float(g.attrs["sample_rate_hz"]))
            t = g["time_s"][...]
            p = g["pressure"][...]
            assert s.time_s.dtype == np.float64 and s.pressure.dtype == np.float32
            assert s.time_s.shape == t.shape and s.pressure.shape == p.shape
            np.testing.assert_array_equal(s.time_s, t)
            np.testing.assert_array_equal(s.pressure, p)  # NaN where no sensel, in both
            assert s.frame_count == t.shape[0]
            if s.kind == "grid":
                assert s.pressure.ndim == 3
                np.testing.assert_allclose(s.pitch_mm, g.attrs["pitch_mm"])
                assert s.sensor_xy_mm is None
                assert s.area_mm2.shape == p.shape[1:]
            else:
                assert s.pressure.ndim == 2
                np.testing.assert_array_equal(s.sensor_xy_mm, g["sensor_xy_mm"][...])
                np.testing.assert_array_equal(s.sensor_area_mm2, g["sensor_area_mm2"][...])
            assert s.present.shape == p.shape[1:]


def test_total_force_by_hand():
    rec = insole.read(SAMPLES[0])
    s = rec.streams[0]
    i = int(np.nanargmax(np.nansum(s.pressure.reshape(s.frame_count, -1), axis=1)))
    frame = np.nan_to_num(s.pressure[i].astype(np.float64))
    pitch_r, pitch_c = s.pitch_mm
    # kPa * mm^2 = 1e-3 N
    assert s.total_force_n()[i] == pytest.approx(frame.sum() * pitch_r * pitch_c * 1e-3)


def test_metadata_and_events():
    path = [p for p in SAMPLES if p.name == "walk_normal.h5"][0]
    rec = insole.read(path)
    assert rec.metadata["mode"] == "walk"
    assert rec.metadata["body_mass_kg"] == pytest.approx(70)
    assert "sim.command" in rec.metadata["attributes"]
    kinds = {e["kind"] for e in rec.events}
    assert {"initial_contact", "toe_off"} <= kinds


def test_write_round_trip(tmp_path):
    rec = insole.read(SAMPLES[0])
    out = tmp_path / "copy.h5"
    rec.write(out)
    back = insole.read(out)
    assert back.metadata == rec.metadata
    assert back.events == rec.events
    for a, b in zip(rec.streams, back.streams):
        np.testing.assert_array_equal(a.time_s, b.time_s)
        np.testing.assert_array_equal(a.pressure, b.pressure)
        assert (a.name, a.kind, a.side, a.pitch_mm) == (b.name, b.kind, b.side, b.pitch_mm)
