#!/usr/bin/env bash
# Side-by-side speed of PyRadiomics 3.1.x (pyradiomics-bhklab, in bench/radiomics/.venv) and
# dlr-radiomics' PyRadiomics preset on the same ROIs, one thread each, runs alternating.
#   (a) BUSI development ROIs (2D), original image, all default classes, bin width 25;
#   (b) the same ROIs, plus wavelet (coif1, level 1) and LoG sigma 1, 2, 3 mm image types;
#   3D: PyRadiomics' brain1 and lung1 test cases, settings (a) and (b).
# usage: bench/radiomics/run.sh [n_busi_cases=40] [reps=3]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
shared="${DLR_SHARED_DIR:-$root/../shared}"
n="${1:-40}"; reps="${2:-3}"
"$here/setup.sh" >/dev/null
cores=$(nproc)
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 RAYON_NUM_THREADS=1
(cd "$root" && cargo build --release -q -p dlr-radiomics --example bench_extract)
dlr="$root/target/release/examples/bench_extract"
py="$here/.venv/bin/python $here/pyradiomics_bench.py"
mean() { grep -o "$1_mean_ms [0-9.]*" | awk '{print $2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.1f", a/b}'; }
echo "# $(date -u +%FT%TZ) $(uname -m), ${cores} cores; one thread per side; ms per ROI (dlr: wall clock, PyRadiomics: process CPU time)"
m="$shared/data/busi/manifest.csv"
for setting in a b; do
  d1=$("$dlr" busi "$m" "$n" "$reps" "$setting" | mean dlr)
  p1=$($py busi "$m" "$n" "$reps" "$setting" | mean pyradiomics)
  d2=$("$dlr" busi "$m" "$n" "$reps" "$setting" | mean dlr)
  p2=$($py busi "$m" "$n" "$reps" "$setting" | mean pyradiomics)
  d=$(awk -v a="$d1" -v b="$d2" 'BEGIN{print (a<b?a:b)}'); p=$(awk -v a="$p1" -v b="$p2" 'BEGIN{print (a<b?a:b)}')
  what="original"; [ "$setting" = b ] && what="original + wavelet + LoG 1,2,3"
  echo "($setting) BUSI 2D, $n ROIs, $what: pyradiomics ${p} ms, dlr ${d} ms, ratio $(ratio "$p" "$d")x"
done
for setting in a b; do
  for c in brain1 lung1; do
    img="$shared/data/pyradiomics/${c}_image.nrrd"; lab="$shared/data/pyradiomics/${c}_label.nrrd"
    d1=$("$dlr" volume "$img" "$lab" "$reps" "$setting" | mean dlr)
    p1=$($py volume "$img" "$lab" "$reps" "$setting" | mean pyradiomics)
    d2=$("$dlr" volume "$img" "$lab" "$reps" "$setting" | mean dlr)
    d=$(awk -v a="$d1" -v b="$d2" 'BEGIN{print (a<b?a:b)}')
    echo "3D $c ($setting): pyradiomics ${p1} ms, dlr ${d} ms, ratio $(ratio "$p1" "$d")x"
  done
done
