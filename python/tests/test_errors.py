"""Errors are Python exceptions carrying the toolkit's own messages (the CLI's, word for word)."""

import json

import numpy as np
import pytest

import insole
from conftest import DATA, cli_error


def test_missing_file(tmp_path, cli):
    missing = tmp_path / "nope.h5"
    with pytest.raises(insole.NotFoundError) as e:
        insole.analyze(str(missing))
    assert isinstance(e.value, FileNotFoundError) and e.value.code == "not_found"
    p = cli("analyze", missing, "--json", check_codes=(2,))
    assert str(e.value) == cli_error(p.stderr, "analyze")
    assert str(missing) in str(e.value)
    with pytest.raises(FileNotFoundError):
        insole.read(missing)


def test_not_an_hdf5_file(tmp_path, cli):
    bad = tmp_path / "notes.h5"
    bad.write_text("this is not HDF5\n")
    with pytest.raises(insole.InputError) as e:
        insole.read(bad)
    assert isinstance(e.value, ValueError) and e.value.code == "format_error"
    assert str(bad) in str(e.value)
    with pytest.raises(insole.InputError) as e2:
        insole.analyze(str(bad))
    p = cli("analyze", bad, "--json", check_codes=(2,))
    assert str(e2.value) == cli_error(p.stderr, "analyze")


def test_bad_rules(tmp_path, cli):
    rules = json.loads((DATA.parent / "libinsole" / "rules" / "default.json").read_text())
    rules["schema"] = 999
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(rules))
    sample = DATA / "walk_normal.h5"
    with pytest.raises(insole.InputError) as e:
        insole.analyze(str(sample), rules=path)
    p = cli("analyze", sample, "--json", "--rules", path, check_codes=(2,))
    assert str(e.value) == cli_error(p.stderr, "analyze")
    with pytest.raises(insole.InputError):
        insole.analyze(str(sample), rules=rules)  # the same document as a dict


def test_bad_mode_and_bad_recording():
    with pytest.raises(insole.InputError, match="mode must be walk or stand"):
        insole.analyze(str(DATA / "walk_normal.h5"), mode="run")
    rec = insole.read(DATA / "walk_normal.h5")
    s = rec.streams[0]
    s.time_s = s.time_s[::-1].copy()  # time must increase
    with pytest.raises(insole.InputError):
        insole.analyze(rec)
    s.time_s = np.zeros(3)
    with pytest.raises(insole.InputError, match="pressure"):
        insole.analyze(rec)


def test_simulate_rejects_bad_options():
    with pytest.raises(insole.InputError):
        insole.simulate(foot="square")
    with pytest.raises(TypeError):
        insole.simulate(speed=3)
