#!/usr/bin/env bash
# Regenerates the Parquet fixture pair of crates/dlr-pipeline/tests/parquet_pyarrow.rs:
# the test writes parquet_small.parquet with our writer, pyarrow reads it into parquet_small.json.
# Needs tools/table/setup.sh to have been run.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
fx="$root/crates/dlr-pipeline/tests/fixtures"
mkdir -p "$fx"
(cd "$root" && DLR_WRITE_PARQUET_FIXTURE=1 cargo test -p dlr-pipeline --test parquet_pyarrow -q)
"$root/tools/table/.venv/bin/python" "$root/tools/table/read_parquet.py" "$fx/parquet_small.parquet" > "$fx/parquet_small.json"
echo "wrote $fx/parquet_small.parquet and parquet_small.json"
