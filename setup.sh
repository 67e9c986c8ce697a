#!/usr/bin/env bash
# Installs everything the pipeline and its tests need on a fresh Debian machine:
# system packages (when run as root), a virtual environment in .venv, and the
# browser-test helper axe-core. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")"

# libharfbuzz-subset0: WeasyPrint subsets fonts with HarfBuzz (about 3x faster than fontTools).
# poppler-utils: pdftotext/pdftoppm for tests; chromium: real-browser tests of the HTML.
APT_PACKAGES=(libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils chromium)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# npm (for axe-core, the accessibility tests) from Debian only when no npm is on the PATH:
# a Node.js installed another way brings its own.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: please install these Debian packages: ${missing[*]}" >&2
  fi
fi

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install -q -e '.[test]'

if command -v npm >/dev/null 2>&1 && [ ! -f node_modules/axe-core/axe.min.js ]; then
  npm install --no-save --silent --no-audit --no-fund axe-core@4 >/dev/null
fi
echo "setup: done"
