#!/usr/bin/env bash
# Installs the build and test dependencies from Debian's package archive (Debian 12).
# Installs only what is missing; safe to run again. Needs root (or sudo) when something is missing.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  libeigen3-dev                                  # linear algebra (analysis, core)
  libhdf5-dev hdf5-tools                         # HDF5 recordings (io); h5dump for docs/tests
  libdeflate-dev                                 # inflating the frames' chunks outside HDF5 (io)
  libboost-dev libboost-program-options-dev      # Asio (drivers), command line (cli)
  nlohmann-json3-dev                             # JSON output and rule files
  libyaml-cpp-dev                                # YAML intake forms
  libcairo2-dev                                  # PDF/PNG/SVG fitting reports
  libgtest-dev libgmock-dev libbenchmark-dev     # tests and benchmarks
  python3 python3-h5py python3-numpy             # h5py interop fixtures; NumPy baseline bench
  python3-dev pybind11-dev python3-pybind11      # the Python module (python/, scripts/test-python.sh)
  python3-pytest python3-setuptools python3-wheel python3-pip  # its tests; pip install ./python
  poppler-utils                                  # pdftotext/pdftoppm to check reports in tests
  clang libclang-rt-14-dev                       # libFuzzer targets
  libsqlite3-dev                                 # the clinic app's patient store (app/)
  libssl-dev                                     # libcrypto: PBKDF2 of the clinic app's password
  chromium chromium-driver python3-selenium      # browser tests of the clinic app (scripts/test-browser.sh)
  slurm-wlm munge parallel                       # sharding on a one-node Slurm cluster and GNU parallel (scripts/test-cluster.sh)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
