#!/usr/bin/env bash
# End-to-end test of the clinic app in a real headless Chromium (Debian's chromium,
# chromium-driver, python3-selenium; scripts/install-deps.sh). Starts `insole serve` on a temporary
# data directory and a free loopback port (--port 0), drives the page as a person would, and stops
# the server. Screenshots of the main screens go to build/browser-screenshots/.
# Usage: bash scripts/test-browser.sh [path/to/insole]   (default: the Release build, else the ASan one)
set -euo pipefail
cd "$(dirname "$0")/.."
cli="${1:-}"
if [ -z "$cli" ]; then
  cli=build/test/cli/insole
  if [ -x build/release/cli/insole ] && [ build/release/cli/insole -nt "$cli" ]; then cli=build/release/cli/insole; fi
fi
missing=""
command -v chromium > /dev/null || missing="$missing chromium"
command -v chromedriver > /dev/null || missing="$missing chromium-driver"
/usr/bin/python3 -c 'import selenium' 2> /dev/null || missing="$missing python3-selenium"
command -v pdftotext > /dev/null || missing="$missing poppler-utils"
if [ -n "$missing" ]; then
  if [ "${CI:-}" = "true" ]; then echo "test-browser: missing:$missing" >&2; exit 1; fi
  echo "test-browser: skipped, missing:$missing (bash scripts/install-deps.sh)"
  exit 0
fi
[ -x "$cli" ] || { echo "test-browser: no insole program at $cli" >&2; exit 1; }
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}"
/usr/bin/python3 tests/browser/test_app.py "$cli" build/browser-screenshots
# Calibration in live capture (a calibration file of the M1616 demo device); imports test_app.py.
exec /usr/bin/python3 tests/browser/test_calibration.py "$cli" build/browser-screenshots
