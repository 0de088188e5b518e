#!/usr/bin/env python3
"""Peer side of bench/deep/run.sh: ONNX Runtime and PyTorch throughput on the same network
(fixture weights, same input rule as dlr-deep), batch N, T threads. Usage:
    peer_bench.py export <resnet50|efficientnet-lite0> <onnx path>
    peer_bench.py ort    <arch> <onnx path> <batch> <seconds> <threads>
    peer_bench.py torch  <arch> <batch> <seconds> <threads>
Prints one line: `<runtime> <arch> batch=<n> images_per_s=<x>`.
"""
import os, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools", "deep"))
import numpy as np


def model(arch):
    import torch, torchvision
    from make_fixtures import fill_fixture
    if arch == "resnet50":
        return fill_fixture(torchvision.models.resnet50(weights=None))
    from efficientnet_lite_pytorch import EfficientNet
    return fill_fixture(EfficientNet.from_name("efficientnet-lite0"))


class Pooled:
    pass


def pooled_module(arch):
    import torch
    m = model(arch)

    class P(torch.nn.Module):
        def __init__(self, m):
            super().__init__()
            self.m = m

        def forward(self, x):
            if arch == "resnet50":
                m = self.m
                h = m.maxpool(m.relu(m.bn1(m.conv1(x))))
                h = m.layer4(m.layer3(m.layer2(m.layer1(h))))
                return torch.flatten(m.avgpool(h), 1)
            return self.m.extract_features(x).mean(dim=(2, 3))

    return P(m).eval()


def run(fn, batch, seconds):
    fn()
    t0 = time.perf_counter()
    n = 0
    while time.perf_counter() - t0 < seconds:
        fn()
        n += batch
    return n / (time.perf_counter() - t0)


def main():
    cmd, arch = sys.argv[1], sys.argv[2]
    if cmd == "export":
        import torch
        m = pooled_module(arch)
        x = torch.zeros(1, 3, 224, 224)
        torch.onnx.export(m, x, sys.argv[3], input_names=["x"], output_names=["f"],
                          dynamic_axes={"x": {0: "n"}, "f": {0: "n"}}, opset_version=17, dynamo=False)
        return
    from make_fixtures import fixture_input
    if cmd == "ort":
        import onnxruntime as ort
        path, batch, seconds, threads = sys.argv[3], int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
        so = ort.SessionOptions()
        so.intra_op_num_threads = threads
        so.inter_op_num_threads = 1
        s = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
        x = fixture_input(batch).numpy()
        ips = run(lambda: s.run(None, {"x": x}), batch, seconds)
        print(f"onnxruntime {arch} batch={batch} images_per_s={ips:.2f}")
    elif cmd == "torch":
        import torch
        batch, seconds, threads = int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
        torch.set_num_threads(threads)
        m = pooled_module(arch)
        x = fixture_input(batch)
        with torch.inference_mode():
            ips = run(lambda: m(x), batch, seconds)
        print(f"pytorch {arch} batch={batch} images_per_s={ips:.2f}")


if __name__ == "__main__":
    main()
