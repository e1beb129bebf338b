"""insole.analyze() is the document `insole analyze --json` prints, on every sample recording."""

import json

import numpy as np
import pytest

import insole
from conftest import DATA, SAMPLES


def test_there_are_samples():
    assert len(SAMPLES) >= 5, f"expected the sample recordings in {DATA}"


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_analyze_equals_cli_json(path, cli):
    p = cli("analyze", path, "--json", check_codes=(0, 1))
    expected = json.loads(p.stdout)
    got = insole.analyze(str(path))
    assert isinstance(got, dict)
    # Exactly the same document: same keys, numbers, findings and recommendations, "input" included.
    assert dict(got) == expected
    assert got.usable_contact == (p.returncode == 0)


def test_analyze_with_rules_and_intake_equals_cli(cli):
    path = DATA / "walk_flat_pronated.h5"
    rules = DATA.parent / "libinsole" / "rules" / "default.json"
    intake = DATA / "intake-example.yaml"
    p = cli("analyze", path, "--json", "--rules", rules, "--intake", intake, check_codes=(0, 1))
    got = insole.analyze(str(path), rules=rules, intake=intake)
    assert dict(got) == json.loads(p.stdout)
    assert got["intake_given"] is True
    assert got["rules"]["origin"] == str(rules)


def test_mode_override_equals_cli(cli):
    path = DATA / "stand_normal.h5"
    p = cli("analyze", path, "--json", "--mode", "walk", check_codes=(0, 1))
    assert dict(insole.analyze(str(path), mode="walk")) == json.loads(p.stdout)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_analyze_of_a_recording_in_memory_equals_the_file(path):
    # The in-memory path (assess::assess over a Recording) and the streaming file path give one result.
    assert dict(insole.analyze(insole.read(path))) == dict(insole.analyze(str(path)))


def test_images_are_the_feet_of_the_document():
    a = insole.analyze(str(DATA / "walk_normal.h5"))
    assert len(a.images) == len(a["feet"]) > 0
    for foot in a["feet"]:
        im = a.image(foot["side"], foot["stream"])
        assert im.raster and im.cell_mm == pytest.approx(5.08)
        g = im.grid
        for name in ("peak_kpa", "max_peak_kpa", "mean_kpa", "pti_kpa_s", "contact_percent", "region", "loaded"):
            assert g[name].shape == g["loaded"].shape
        loaded = g["loaded"]
        assert loaded.sum() == im.cells["peak_kpa"].size
        # Outside the footprint nothing; inside: mean <= mean peak <= max peak, contact in 0..100 %.
        assert np.all(g["peak_kpa"][~loaded] == 0)
        assert np.all(g["mean_kpa"][loaded] <= g["peak_kpa"][loaded] + 1e-9)
        assert np.all(g["peak_kpa"][loaded] <= g["max_peak_kpa"][loaded] + 1e-9)
        assert np.all((g["contact_percent"] >= 0) & (g["contact_percent"] <= 100))
        # The dense grid spans the foot: its ap extent covers the foot length the document reports.
        ap_extent_mm = loaded.any(axis=1).sum() * im.cell_mm
        assert ap_extent_mm == pytest.approx(foot["foot_length_mm"], abs=3 * im.cell_mm)
        assert im.footfalls == foot["footfalls_used"]
        assert im.mean_cop_mm.shape == (101, 2)
        # The COP rolls from heel to toe.
        assert im.mean_cop_mm[-1, 1] > im.mean_cop_mm[0, 1] + 0.5 * foot["foot_length_mm"]


def test_insole_images_are_per_sensor():
    a = insole.analyze(str(DATA / "insoles_pedar99_flat.h5"))
    assert {im.side for im in a.images} == {"left", "right"}
    for im in a.images:
        assert not im.raster and im.grid is None
        assert im.peak_kpa.ndim == 1 and im.peak_kpa.size == im.cells["ml_mm"].size <= 99
        assert np.all(im.peak_kpa > 0)
