"""Builds the extension `insole._insole` with CMake (the project's own build, option
INSOLE_BUILD_PYTHON) for the interpreter running pip, and puts it into the wheel next to the
pure-Python package. Metadata is in pyproject.toml."""

import os
import pathlib
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent  # the repository: one CMake project


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        # A relative INSOLE_PIP_BUILD_DIR is taken from the repository root (pip runs this from python/).
        build_dir = (ROOT / os.environ.get("INSOLE_PIP_BUILD_DIR", "build/pip")).resolve()
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", "2")
        configure = ["cmake", "-S", str(ROOT), "-B", str(build_dir), "-DINSOLE_BUILD_PYTHON=ON",
                     f"-DPython_EXECUTABLE={sys.executable}"]
        if not (build_dir / "CMakeCache.txt").exists():
            # A new tree: only what the module needs. An existing tree (e.g. build/release) keeps
            # its other options (its CLI and tests stay as they were).
            configure += ["-DCMAKE_BUILD_TYPE=Release", "-DINSOLE_BUILD_CLI=OFF", "-DINSOLE_BUILD_TESTS=OFF"]
        if shutil.which("ccache"):
            configure.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
        subprocess.run(configure, check=True)
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "_insole", "-j", jobs], check=True)
        built = list((build_dir / "python" / "insole").glob("_insole*.so"))
        if len(built) != 1:
            raise RuntimeError(f"expected one _insole module in {build_dir}/python/insole, found {built}")
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built[0], target)
        # The shipped rule file goes with the package (found through INSOLE_RULES_DIR, see __init__.py).
        rules = target.parent / "rules"
        rules.mkdir(exist_ok=True)
        shutil.copy2(ROOT / "libinsole" / "rules" / "default.json", rules / "default.json")


setup(ext_modules=[CMakeExtension("insole._insole")], cmdclass={"build_ext": CMakeBuild})
