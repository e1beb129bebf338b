"""simulate(), import_file() and batch() against the CLI commands they mirror."""

import csv

import h5py
import numpy as np
import pytest

import insole
from conftest import DATA, REPO, SAMPLES


def test_simulate_round_trip_equals_cli(tmp_path, cli):
    opts = dict(rows=48, cols=160, pitch=5.08, rate=50, duration=2, seed=9, foot="flat", pronation=0.5)
    out = tmp_path / "py.h5"
    rec = insole.simulate(out, typical_noise=True, **opts)
    cli_out = tmp_path / "cli.h5"
    cli("simulate", "--rows", 48, "--cols", 160, "--pitch", 5.08, "--rate", 50, "--duration", 2, "--seed", 9,
        "--foot", "flat", "--pronation", 0.5, "--typical-noise", "-o", cli_out)
    back, ref = insole.read(out), insole.read(cli_out)
    assert [s.name for s in back.streams] == [s.name for s in ref.streams] == [s.name for s in rec.streams]
    for a, b, c in zip(rec.streams, back.streams, ref.streams):
        assert a.pressure.shape == (100, 48, 160)
        np.testing.assert_array_equal(a.pressure, b.pressure)
        np.testing.assert_array_equal(a.pressure, c.pressure)  # same options and seed as the CLI
        np.testing.assert_array_equal(a.time_s, c.time_s)
    ref_attrs = dict(ref.metadata["attributes"])
    got_attrs = dict(back.metadata["attributes"])
    assert got_attrs.pop("sim.command").startswith("insole.simulate(")
    ref_attrs.pop("sim.command")
    assert got_attrs == ref_attrs
    assert back.events == ref.events
    # The simulated recording analyses like the file written from it.
    assert dict(insole.analyze(rec)) == dict(insole.analyze(str(out)))


def test_simulate_in_memory_only(tmp_path):
    rec = insole.simulate(layout="insole16", duration=2, seed=2)
    assert {s.name for s in rec.streams} == {"left", "right"}
    for s in rec.streams:
        assert s.kind == "sensors" and s.pressure.shape[1] == 16 and s.sensor_xy_mm.shape == (16, 2)
    assert list(tmp_path.iterdir()) == []


def gaitpdb_text(rows):
    lines = []
    for t, left, right in rows:
        vals = [t, *left, *right, sum(left), sum(right)]
        lines.append("\t".join(f"{v:.2f}" for v in vals))
    return "\n".join(lines) + "\n"


def test_import_gaitpdb_by_hand(tmp_path, cli):
    # Forces in N under 8 + 8 sensors; the importer gives each sensor a nominal 100 mm^2, so
    # p = 1000 * F / 100 kPa and the stream's total force is the sum of the forces written.
    rows = [(0.00 + 0.01 * i, [10.0 * i + k for k in range(8)], [5.0 + 2.0 * k + i for k in range(8)]) for i in range(5)]
    src = tmp_path / "GaXx01_01.txt"
    src.write_text(gaitpdb_text(rows))
    out = tmp_path / "imported.h5"
    rec = insole.import_file(src, output=out)
    left, right = rec.stream("left"), rec.stream("right")
    np.testing.assert_allclose(left.time_s, [r[0] for r in rows])
    np.testing.assert_allclose(left.pressure, 10.0 * np.array([r[1] for r in rows]), rtol=1e-6)
    np.testing.assert_allclose(right.total_force_n(), [sum(r[2]) for r in rows], rtol=1e-6)
    assert any(f["name"] == "gaitpdb" for f in insole.formats())
    # Same file as `insole import`.
    cli_out = tmp_path / "cli.h5"
    cli("import", src, "-o", cli_out)
    with h5py.File(cli_out, "r") as f:
        np.testing.assert_array_equal(f["streams/left/pressure"][...], left.pressure)
    np.testing.assert_array_equal(insole.read(out).stream("right").pressure, right.pressure)


def test_import_errors(tmp_path):
    src = tmp_path / "GaXx01_01.txt"
    src.write_text("0.00\t1\t2\n")
    with pytest.raises(insole.InputError) as e:
        insole.import_file(src, format="gaitpdb")
    assert str(src) in str(e.value)
    with pytest.raises(FileNotFoundError):
        insole.import_file(tmp_path / "missing.txt")


def test_batch_equals_cli(tmp_path, cli):
    out = tmp_path / "py.csv"
    rows = insole.batch([str(p) for p in SAMPLES], out)
    cli_out = tmp_path / "cli.csv"
    cli("batch", *[str(p) for p in SAMPLES], "-o", cli_out, check_codes=(0, 1))
    with open(cli_out, newline="") as f:
        expected = [{k: (v or None) for k, v in r.items()} for r in csv.DictReader(f)]
    assert rows == expected
    assert out.read_text() == cli_out.read_text()
    assert {r["file"] for r in rows} == {str(p) for p in SAMPLES}
    # One row per foot: the feet of the assessment of each file.
    for p in SAMPLES:
        feet = insole.analyze(str(p))["feet"]
        assert len([r for r in rows if r["file"] == str(p) and r["status"] == "ok"]) == len(feet)


def test_batch_failure_is_a_row(tmp_path):
    bad = tmp_path / "bad.h5"
    bad.write_text("not hdf5")
    good = DATA / "walk_normal.h5"
    rows = insole.batch([bad, good])
    # Rows come sorted by path (docs/batch.md), so where they fall depends on where the
    # repository and the temporary directory live: find them by file.
    assert [r["file"] for r in rows] == sorted(r["file"] for r in rows)
    bad_rows = [r for r in rows if r["file"] == str(bad)]
    good_rows = [r for r in rows if r["file"] == str(good)]
    assert len(bad_rows) == 1 and bad_rows[0]["status"] == "failed" and str(bad) in bad_rows[0]["message"]
    assert good_rows and all(r["status"] == "ok" for r in good_rows)
    assert len(rows) == 1 + len(good_rows)


def test_moticon_vendor_channels(tmp_path, cli):
    # The importer's seed export: 4 rows; the left insole has total force and COP (X along the
    # insole, Y across), the right only a total force, so only the left keeps vendor channels.
    src = tmp_path / "walk.txt"
    src.write_text((REPO / "libinsole/fuzz/importers/corpus/moticon/moticon_vendor.txt").read_text())
    rec = insole.import_file(src, format="moticon")
    left, right = rec.stream("left"), rec.stream("right")
    assert right.vendor_total_force_n is None and right.vendor_cop_normalised is None
    # Left samples at 0.00, 0.01 (blank vendor fields) and 0.03, as written in the file.
    np.testing.assert_array_equal(left.time_s, [0.00, 0.01, 0.03])
    np.testing.assert_array_equal(left.vendor_total_force_n, [300.0, np.nan, 0.0])
    np.testing.assert_array_equal(left.vendor_cop_normalised, [[0.05, -0.3], [np.nan, np.nan], [0.0, 0.0]])
    # Written and read back, as `insole import` writes it.
    out = tmp_path / "py.h5"
    rec.write(out)
    back = insole.read(out).stream("left")
    np.testing.assert_array_equal(back.vendor_total_force_n, left.vendor_total_force_n)
    np.testing.assert_array_equal(back.vendor_cop_normalised, left.vendor_cop_normalised)
    cli_out = tmp_path / "cli.h5"
    cli("import", src, "-o", cli_out, "--format", "moticon")
    with h5py.File(cli_out, "r") as f:
        np.testing.assert_array_equal(f["streams/left/vendor/total_force_n"][...], left.vendor_total_force_n)
    # Both or neither, with one row per frame.
    left.vendor_cop_normalised = None
    with pytest.raises(insole.InputError, match="both or neither"):
        rec.write(tmp_path / "bad.h5")
    left.vendor_cop_normalised = np.zeros((2, 2))
    with pytest.raises(insole.InputError, match=r"shape \[frames, 2\]"):
        rec.write(tmp_path / "bad.h5")
