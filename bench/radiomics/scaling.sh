#!/usr/bin/env bash
# Start-up time, thread scaling and peak memory of `dlr extract`.
#   1. start-up: mean wall time of `dlr --version` over 200 runs;
#   2. scaling: `dlr extract --manifest` on all 455 BUSI ROIs (PyRadiomics preset, setting a or b)
#      with RAYON_NUM_THREADS = 1 and = nproc, alternating, best of `reps`; prints the speed-up;
#   3. memory: peak RSS (GNU time) of a single-ROI extraction on the largest BUSI image, against
#      the goal "≤ 2× the image plus 50 MiB per worker" (the image as f32: 4 bytes per pixel).
# usage: bench/radiomics/scaling.sh [setting=a|b] [reps=2]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
shared="${DLR_SHARED_DIR:-$root/../shared}"
setting="${1:-a}"; reps="${2:-2}"
(cd "$root" && cargo build --release -q -p dlr-cli)
dlr="$root/target/release/dlr"
m="$shared/data/busi/manifest.csv"
cfg=()
if [ "$setting" = b ]; then cfg=(--config "$root/configs/pyradiomics/wavelet_log.toml"); fi
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
cores=$(nproc)
echo "# $(date -u +%FT%TZ) $(uname -m), ${cores} cores, load $(cut -d' ' -f1 /proc/loadavg); setting ($setting)"

t0=$(date +%s%N)
for _ in $(seq 200); do "$dlr" --version >/dev/null; done
t1=$(date +%s%N)
echo "start-up: $(awk -v a="$t0" -v b="$t1" 'BEGIN{printf "%.2f", (b-a)/200/1e6}') ms per \`dlr --version\` (mean of 200)"

run() { # threads -> seconds
  local s e
  s=$(date +%s%N)
  RAYON_NUM_THREADS="$1" "$dlr" extract --manifest "$m" --layout busi --preset pyradiomics "${cfg[@]}" \
    --out "$tmp/f$1.csv" 2>/dev/null >/dev/null
  e=$(date +%s%N)
  awk -v a="$s" -v b="$e" 'BEGIN{printf "%.3f", (b-a)/1e9}'
}
best1=999999; bestn=999999
for _ in $(seq "$reps"); do
  a=$(run 1); b=$(run "$cores")
  best1=$(awk -v x="$best1" -v y="$a" 'BEGIN{print (y<x?y:x)}')
  bestn=$(awk -v x="$bestn" -v y="$b" 'BEGIN{print (y<x?y:x)}')
done
cmp -s "$tmp/f1.csv" "$tmp/f$cores.csv" && same="identical tables" || same="TABLES DIFFER"
echo "455 BUSI ROIs: 1 thread ${best1} s, ${cores} threads ${bestn} s, speed-up $(awk -v a="$best1" -v b="$bestn" 'BEGIN{printf "%.2f", a/b}')x of ${cores} ($same)"

# Largest BUSI image by pixel count.
big=$(python3 - "$m" <<'EOF'
import csv, os, struct, sys
m = sys.argv[1]; base = os.path.dirname(m); best = (0, None)
for r in csv.DictReader(open(m)):
    p = os.path.join(base, r["image"])
    with open(p, "rb") as f:
        h = f.read(24)
    w, hgt = struct.unpack(">II", h[16:24])
    if w * hgt > best[0]:
        best = (w * hgt, r)
r = best[1]
print(best[0], os.path.join(base, r["image"]), os.path.join(base, r["mask"]))
EOF
)
read -r px img mask <<<"$big"
rss_kib=$( { /usr/bin/time -f "%M" "$dlr" extract --image "$img" --mask "$mask" --preset pyradiomics "${cfg[@]}" \
  --format json >/dev/null; } 2>&1 | tail -1)
goal_mib=$(awk -v p="$px" 'BEGIN{printf "%.1f", 2*4*p/1048576 + 50}')
echo "peak RSS one ROI on the largest image ($px px): $(awk -v k="$rss_kib" 'BEGIN{printf "%.1f", k/1024}') MiB (goal <= ${goal_mib} MiB = 2 x f32 image + 50 MiB)"
