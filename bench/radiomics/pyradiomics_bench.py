"""PyRadiomics side of bench/radiomics/run.sh, CPU time per ROI on one thread. Setting a
(default): default extractor (original image, all default classes, binWidth 25); setting b: the
same plus imageType Wavelet (coif1, level 1) and LoG sigma 1, 2, 3 mm.

usage: pyradiomics_bench.py busi <manifest.csv> <n_cases> <reps> [a|b]
       pyradiomics_bench.py volume <image> <mask> <reps> [a|b]
"""
import csv
import logging
import os
import sys
import time

import numpy as np
import SimpleITK as sitk
from radiomics import featureextractor

logging.disable(logging.CRITICAL)


def grey(path):
    img = sitk.ReadImage(path)
    if img.GetNumberOfComponentsPerPixel() > 1:
        arr = sitk.GetArrayFromImage(img).astype(np.float64)
        lum = 0.299 * arr[..., 0] + 0.587 * arr[..., 1] + 0.114 * arr[..., 2]
        img = sitk.GetImageFromArray(lum)
    # uint8 overflows in PyRadiomics with numpy 2 when the ROI maximum exceeds 205: use int16.
    return sitk.Cast(img, sitk.sitkInt16) if img.GetPixelID() == sitk.sitkUInt8 else img


def time_ms(ext, img, mask, reps):
    t = time.process_time()
    for _ in range(reps):
        res = ext.execute(img, mask)
    n = sum(1 for k in res if not k.startswith("diagnostics"))
    return (time.process_time() - t) * 1e3 / reps, n


def main():
    ext = featureextractor.RadiomicsFeatureExtractor()  # PyRadiomics defaults
    ext.settings["additionalInfo"] = False
    setting = sys.argv[5] if len(sys.argv) > 5 else "a"
    if setting == "b":
        ext.enableImageTypes(Original={}, Wavelet={}, LoG={"sigma": [1.0, 2.0, 3.0]})
    elif setting != "a":
        sys.exit(f"unknown setting {setting!r}: use a or b")
    mode = sys.argv[1]
    if mode == "busi":
        manifest, n, reps = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        base = os.path.dirname(manifest)
        total, cases = 0.0, 0
        with open(manifest) as f:
            for i, row in enumerate(csv.DictReader(f)):
                if i >= n:
                    break
                img = grey(os.path.join(base, row["image"]))
                m = sitk.ReadImage(os.path.join(base, row["mask"]))
                if m.GetNumberOfComponentsPerPixel() > 1:
                    m = sitk.VectorIndexSelectionCast(m, 0)
                m = sitk.Cast(m > 0, sitk.sitkUInt8)
                m.CopyInformation(img)
                if sitk.GetArrayViewFromImage(m).sum() == 0:
                    continue
                ms, nf = time_ms(ext, img, m, reps)
                print(f"pyradiomics {row['case_id']} {ms:.3f} ms {nf} features")
                total += ms
                cases += 1
        print(f"pyradiomics_mean_ms {total / cases:.4f} over {cases} ROIs")
    elif mode == "volume":
        img = sitk.ReadImage(sys.argv[2])
        m = sitk.ReadImage(sys.argv[3])
        ms, nf = time_ms(ext, img, m, int(sys.argv[4]))
        print(f"pyradiomics_mean_ms {ms:.4f} ({nf} features)")


if __name__ == "__main__":
    main()
