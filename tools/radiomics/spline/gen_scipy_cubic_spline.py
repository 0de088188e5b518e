"""Writes crates/dlr-radiomics/tests/fixtures/scipy_cubic_spline.csv: a small 3D array, sample
positions per axis (old voxel index units, some outside the grid) and the values of
scipy.ndimage.map_coordinates(order=3, mode="nearest") at the tensor grid of those positions,
which is MIRP's interpolation for IBSI configuration E.
Run: tools/radiomics/spline/setup.sh && tools/radiomics/spline/.venv/bin/python tools/radiomics/spline/gen_scipy_cubic_spline.py
Lines: `dims,nx,ny,nz`, `data,...` (x fastest), `px,...`, `py,...`, `pz,...`, `out,...` (x fastest).
"""
import pathlib

import numpy as np
import scipy
from scipy.ndimage import map_coordinates

rng = np.random.default_rng(20261127)
nx, ny, nz = 6, 5, 4
data = rng.integers(-1000, 400, size=(nz, ny, nx)).astype(np.float64)  # numpy order [z, y, x]
px = np.array([-0.7, 0.0, 0.3, 1.5, 2.25, 4.9, 5.0, 5.6])
py = np.array([-0.2, 1.1, 2.5, 3.99, 4.4])
pz = np.array([0.0, 0.5, 1.75, 3.2])
zz, yy, xx = np.meshgrid(pz, py, px, indexing="ij")
out = map_coordinates(data, [zz.ravel(), yy.ravel(), xx.ravel()], order=3, mode="nearest")

root = pathlib.Path(__file__).resolve().parents[3]
path = root / "crates/dlr-radiomics/tests/fixtures/scipy_cubic_spline.csv"
with open(path, "w") as f:
    f.write(f"# scipy {scipy.__version__} map_coordinates(order=3, mode='nearest'); made by tools/radiomics/spline/gen_scipy_cubic_spline.py\n")
    f.write(f"dims,{nx},{ny},{nz}\n")
    for name, arr in [("data", data.ravel()), ("px", px), ("py", py), ("pz", pz), ("out", out)]:
        f.write(name + "," + ",".join(repr(float(v)) for v in arr) + "\n")
print(path)
