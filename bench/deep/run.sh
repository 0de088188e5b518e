#!/usr/bin/env bash
# Side-by-side CPU throughput of dlr-deep vs ONNX Runtime and PyTorch on the same network
# (closed-form fixture weights, same inputs), alternating runs, printing images/s and ratios.
#
# usage: bench/deep/run.sh [arch=resnet50|efficientnet-lite0] [batch=8] [threads=2] [rounds=3] [seconds=8]
# The peers live in tools/deep/.venv (created by tools/deep/setup.sh on first use).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
arch="${1:-resnet50}"; batch="${2:-8}"; threads="${3:-2}"; rounds="${4:-3}"; secs="${5:-8}"
py="$root/tools/deep/.venv/bin/python"
[ -x "$py" ] || bash "$root/tools/deep/setup.sh"
cd "$root"
if ! cargo build --release -q -p dlr-deep --example deep_bench; then
  [ -x target/release/examples/deep_bench ] || exit 1
  echo "# WARNING: build failed (workspace mid-edit?); using the existing target/release/examples/deep_bench"
fi
mkdir -p target/deep-bench
onnx="target/deep-bench/$arch.onnx"
[ -f "$onnx" ] || "$py" bench/deep/peer_bench.py export "$arch" "$onnx" 2>/dev/null
has_torch=1; "$py" -c "import torch" 2>/dev/null || has_torch=0
log="target/deep-bench/$arch-b$batch-t$threads.log"; : > "$log"
echo "# $(date -u +%FT%TZ) $(nproc) cpus, load: $(cut -d' ' -f1-3 /proc/loadavg); arch=$arch batch=$batch threads=$threads rounds=$rounds ${secs}s each"
for r in $(seq "$rounds"); do
  RAYON_NUM_THREADS="$threads" target/release/examples/deep_bench "$arch" "$batch" "$secs" | tee -a "$log"
  "$py" bench/deep/peer_bench.py ort "$arch" "$onnx" "$batch" "$secs" "$threads" | tee -a "$log"
  if [ "$has_torch" = 1 ]; then
    "$py" bench/deep/peer_bench.py torch "$arch" "$batch" "$secs" "$threads" | tee -a "$log"
  fi
done
"$py" - "$log" <<'PY'
import re, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    m = re.match(r"(\S+) \S+ batch=\d+ images_per_s=([\d.]+)", line)
    if m:
        runs.setdefault(m.group(1), []).append(float(m.group(2)))
med = {k: statistics.median(v) for k, v in runs.items()}
for k, v in med.items():
    print(f"median {k:12s} {v:7.2f} images/s  (runs: {', '.join(f'{x:.2f}' for x in runs[k])})")
for peer in ("onnxruntime", "pytorch"):
    if peer in med and "rust" in med:
        print(f"ratio dlr-deep / {peer}: {med['rust'] / med[peer]:.2f}")
PY
