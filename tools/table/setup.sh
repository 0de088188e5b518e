#!/usr/bin/env bash
# Creates tools/table/.venv with pyarrow, the independent Parquet reader used to check the
# files `dlr extract/deep --out x.parquet` write (tools/table/read_parquet.py makes the fixture).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
python3 -m venv "$here/.venv"
"$here/.venv/bin/pip" install --quiet --upgrade pip
"$here/.venv/bin/pip" install --quiet "pyarrow>=15"
