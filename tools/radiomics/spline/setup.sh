#!/usr/bin/env bash
# Creates tools/radiomics/spline/.venv with numpy + scipy, used only to regenerate the cubic
# B-spline fixture of dlr-radiomics (crates/dlr-radiomics/tests/fixtures/scipy_cubic_spline.csv).
set -euo pipefail
cd "$(dirname "$0")"
python3 -m venv .venv
.venv/bin/pip install --quiet "numpy>=1.26" "scipy>=1.11"
