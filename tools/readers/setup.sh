#!/usr/bin/env bash
# Creates tools/readers/.venv with the reference tools used to make the reader test fixtures
# (pydicom, Pillow, numpy) and to read the shared NRRD/NIfTI files independently (pynrrd, nibabel) and to cross-check geometry against ITK (SimpleITK).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python3 -m venv "$here/.venv"
"$here/.venv/bin/pip" install --quiet --upgrade pip
"$here/.venv/bin/pip" install --quiet "pydicom>=2.4" "numpy>=1.26" "pillow>=10" "pynrrd>=1.0" "nibabel>=5" "SimpleITK>=2.3"
