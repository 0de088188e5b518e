#!/usr/bin/env bash
# Creates tools/deep/.venv with the reference tools used to generate dlr-deep's fixtures and for
# the side-by-side speed benchmark: torch + torchvision (PyPI build), onnx, onnxruntime, Pillow,
# and the EfficientNet-Lite PyTorch port. Nothing here is needed by the product itself.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [ ! -x "$here/.venv/bin/python" ]; then
  python3 -m venv "$here/.venv"
fi
"$here/.venv/bin/pip" install -q torch torchvision numpy pillow onnx onnxruntime efficientnet-lite-pytorch==0.1.0
