#!/usr/bin/env python3
"""Reads a Parquet file with pyarrow (independent of dlradiomics) and prints what it holds as JSON:
row count, row groups, created_by, each column's name, Arrow type and Parquet physical type, and
the values (NaN and infinities as the strings "NaN", "Infinity", "-Infinity", which JSON cannot
hold as numbers).

Usage: tools/table/.venv/bin/python tools/table/read_parquet.py FILE.parquet > out.json
Made for crates/dlr-pipeline/tests/fixtures/parquet_small.json (see tools/table/make_fixture.sh).
"""
import json
import math
import sys

import pyarrow
import pyarrow.parquet as pq


def special(v):
    """NaN and infinities as strings (JSON has no such numbers)."""
    if isinstance(v, float) and math.isnan(v):
        return "NaN"
    if isinstance(v, float) and math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return v


def main(path):
    pf = pq.ParquetFile(path)
    table = pf.read()
    meta = pf.metadata
    columns = []
    for i, field in enumerate(table.schema):
        values = table.column(i).to_pylist()
        values = [special(v) for v in values]
        columns.append({
            "name": field.name,
            "arrow_type": str(field.type),
            "nullable": field.nullable,
            "physical_type": meta.schema.column(i).physical_type,
            "values": values,
        })
    out = {
        "reader": f"pyarrow {pyarrow.__version__}",
        "num_rows": meta.num_rows,
        "num_row_groups": meta.num_row_groups,
        "created_by": meta.created_by,
        "columns": columns,
    }
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
