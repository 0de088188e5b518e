#!/usr/bin/env bash
# Creates bench/radiomics/.venv with PyRadiomics (pyradiomics-bhklab) for side-by-side benchmarks.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ ! -x "$here/.venv/bin/python" ]; then
  python3 -m venv "$here/.venv"
fi
"$here/.venv/bin/pip" install -q --upgrade pip
"$here/.venv/bin/pip" install -q pyradiomics-bhklab SimpleITK numpy pillow
"$here/.venv/bin/python" -c "import radiomics; print('pyradiomics', radiomics.__version__)"
