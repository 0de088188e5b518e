#!/usr/bin/env python3
"""Times peer readers on the files of crates/dlr-image/benches/readers.rs (median of 20 runs):
SimpleITK (what PyRadiomics uses) for NRRD/NIfTI/PNG, Pillow+numpy for PNG.
Run: tools/readers/.venv/bin/python tools/readers/bench_peers.py  (then compare with
`cargo bench -p dlr-image --bench readers`)."""
import os
import statistics
import time

import numpy as np
import SimpleITK as sitk
from PIL import Image

S = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared", "data")


def bench(name, fn, n=20):
    fn()
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t)
    print(f"{name:45s} median {statistics.median(ts) * 1e3:9.3f} ms")


files = {
    "nrrd_gzip_brain1_256x256x25": "pyradiomics/brain1_image.nrrd",
    "nifti_gz_ct_204x201x60": "ibsi/theibsi_data_sets/ibsi_1_ct_radiomics_phantom/nifti/image/phantom.nii.gz",
    "png_busi_benign_100": "busi/images/benign_100.png",
}
for name, rel in files.items():
    p = os.path.join(S, rel)
    bench("SimpleITK " + name, lambda p=p: sitk.GetArrayFromImage(sitk.ReadImage(p)).astype(np.float32))
p = os.path.join(S, files["png_busi_benign_100"])
bench("Pillow " + "png_busi_benign_100", lambda: np.asarray(Image.open(p), dtype=np.float32))
imgs = [os.path.join(S, f"busi/images/benign_{i}.png") for i in range(100, 120)]
masks = [os.path.join(S, f"busi/masks/benign_{i}_mask.png") for i in range(100, 120)]
pairs = [(i, m) for i, m in zip(imgs, masks) if os.path.exists(i) and os.path.exists(m)]
bench("Pillow png_busi_20_images_20_masks",
      lambda: [(np.asarray(Image.open(i), dtype=np.float32), np.asarray(Image.open(m)) != 0) for i, m in pairs])
bench("SimpleITK png_busi_20_images_20_masks",
      lambda: [(sitk.GetArrayFromImage(sitk.ReadImage(i)).astype(np.float32), sitk.GetArrayFromImage(sitk.ReadImage(m)) != 0) for i, m in pairs])
