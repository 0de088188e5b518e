"""Makes crates/dlr-radiomics/tests/fixtures/pyradiomics_filtered.json: PyRadiomics 3.1.4
(pyradiomics-bhklab) features of filtered images — Original + Wavelet (coif1, level 1, start
level 0) + LoG sigma 1, 2, 3 mm, binWidth 25, all other settings PyRadiomics' defaults — on
(a) PyRadiomics' brain1 test case (3D NRRD) and (b) three BUSI ROIs read as native 2D images and
cast to int16 (uint8 overflows in PyRadiomics with numpy 2), exactly as
bench/radiomics/pyradiomics_bench.py feeds them; and (c) one BUSI ROI with Original + Wavelet
level 2, start_level 1 (a few values per image type). The BUSI cases are chosen for odd and even
image sizes (PyRadiomics pads odd axes before its wavelet) and an ROI touching the image edge.

Per case the fixture keeps the image types PyRadiomics produced with their feature counts, the
feature names of `original` and of one filtered image type (to check the column set) and the values of a
subset of features per image type (to keep the file small).

usage (from the repository root):
    bench/radiomics/setup.sh
    bench/radiomics/.venv/bin/python tools/radiomics/make_filtered_fixture.py ../shared
"""
import json
import logging
import os
import sys

import SimpleITK as sitk
import radiomics
from radiomics import featureextractor

logging.disable(logging.CRITICAL)

KEEP = [
    "firstorder_Mean", "firstorder_Variance", "firstorder_Skewness", "firstorder_Kurtosis",
    "firstorder_Entropy", "firstorder_Uniformity", "firstorder_Minimum", "firstorder_Maximum",
    "firstorder_10Percentile", "firstorder_90Percentile", "firstorder_Energy",
    "glcm_Contrast", "glcm_JointEntropy", "glcm_Correlation", "glrlm_RunEntropy",
    "glszm_ZoneEntropy", "gldm_DependenceEntropy", "ngtdm_Busyness",
]
KEEP_SHORT = ["firstorder_Mean", "firstorder_Variance", "firstorder_Entropy", "firstorder_Maximum",
              "glcm_Contrast", "glszm_ZoneEntropy"]
BUSI = ["benign_100", "benign_164", "benign_133"]


def extractor():
    ext = featureextractor.RadiomicsFeatureExtractor()  # defaults: binWidth 25, all classes
    ext.settings["additionalInfo"] = False
    ext.enableImageTypes(Original={}, Wavelet={}, LoG={"sigma": [1.0, 2.0, 3.0]})
    return ext


def run(ext, img, mask, keep=None):
    keep = keep or KEEP
    res = {k: float(v) for k, v in ext.execute(img, mask).items() if not k.startswith("diagnostics")}
    names = sorted(res)
    per_type = {}
    for k in names:
        t, rest = k.split("_", 1)
        per_type.setdefault(t, []).append(rest)
    values = {k: res[k] for k in names if k.split("_", 1)[1] in keep}
    # the column set, compactly: image types, and the class_feature names of each
    return {"image_types": {t: len(v) for t, v in per_type.items()},
            "original_names": per_type.get("original", []),
            "filtered_names": next((v for t, v in per_type.items() if t != "original"), []), "values": values}


def main():
    shared = sys.argv[1]
    ext = extractor()
    out = {
        "generator": "tools/radiomics/make_filtered_fixture.py",
        "pyradiomics": radiomics.__version__,
        "settings": {"binWidth": 25, "imageType": {"Original": {}, "Wavelet": {}, "LoG": {"sigma": [1.0, 2.0, 3.0]}}},
        "cases": {},
    }
    p = f"{shared}/data/pyradiomics"
    out["cases"]["brain1"] = {
        "image": "data/pyradiomics/brain1_image.nrrd",
        "mask": "data/pyradiomics/brain1_label.nrrd",
        **run(ext, sitk.ReadImage(f"{p}/brain1_image.nrrd"), sitk.ReadImage(f"{p}/brain1_label.nrrd")),
    }
    for c in BUSI:
        img = sitk.Cast(sitk.ReadImage(f"{shared}/data/busi/images/{c}.png"), sitk.sitkInt16)
        m = sitk.Cast(sitk.ReadImage(f"{shared}/data/busi/masks/{c}_mask.png") > 0, sitk.sitkUInt8)
        m.CopyInformation(img)
        out["cases"][c] = {
            "image": f"data/busi/images/{c}.png",
            "mask": f"data/busi/masks/{c}_mask.png",
            **run(ext, img, m),
        }
    # (c) two wavelet levels after one skipped level (start_level 1), no LoG, on one BUSI ROI
    ext2 = featureextractor.RadiomicsFeatureExtractor()
    ext2.settings["additionalInfo"] = False
    ext2.enableImageTypes(Original={}, Wavelet={"level": 2, "start_level": 1})
    c = "benign_133"
    img = sitk.Cast(sitk.ReadImage(f"{shared}/data/busi/images/{c}.png"), sitk.sitkInt16)
    m = sitk.Cast(sitk.ReadImage(f"{shared}/data/busi/masks/{c}_mask.png") > 0, sitk.sitkUInt8)
    m.CopyInformation(img)
    out["cases"][c + "@wavelet_level2_start1"] = {
        "image": f"data/busi/images/{c}.png",
        "mask": f"data/busi/masks/{c}_mask.png",
        "image_types_setting": {"wavelet": {"level": 2, "start_level": 1}},
        **run(ext2, img, m, keep=KEEP_SHORT),
    }
    dst = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../crates/dlr-radiomics/tests/fixtures/pyradiomics_filtered.json")
    with open(dst, "w") as f:
        json.dump(out, f, indent=0, sort_keys=False)
        f.write("\n")


if __name__ == "__main__":
    main()
