"""Shared fixtures: the repository's sample recordings and the `insole` program of the same build.

The package is imported from PYTHONPATH (scripts/test-python.sh sets it to build/release/python)
or from an installed copy; the CLI from $INSOLE_CLI, else build/release/cli/insole.
"""

import os
import pathlib
import shutil
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
DATA = REPO / "data"
SAMPLES = sorted(DATA.glob("*.h5"))


def cli_path() -> str:
    env = os.environ.get("INSOLE_CLI")
    if env:
        return env
    built = REPO / "build" / "release" / "cli" / "insole"
    if built.exists():
        return str(built)
    found = shutil.which("insole")
    if found:
        return found
    pytest.fail("the insole program is needed (set INSOLE_CLI or build build/release/cli/insole)")


@pytest.fixture(scope="session")
def cli():
    """Runs `insole ARGS...`; returns the CompletedProcess (text)."""
    exe = cli_path()

    def run(*args, check_codes=(0,)):
        p = subprocess.run([exe, *map(str, args)], capture_output=True, text=True)
        assert p.returncode in check_codes, f"insole {' '.join(map(str, args))}: exit {p.returncode}\n{p.stderr}"
        return p

    return run


def cli_error(stderr: str, command: str) -> str:
    """The message of `insole COMMAND: error: MESSAGE` on stderr."""
    prefix = f"insole {command}: error: "
    for line in stderr.splitlines():
        if line.startswith(prefix):
            return line[len(prefix):]
    raise AssertionError(f"no '{prefix}' line in:\n{stderr}")
