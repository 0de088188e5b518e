#!/usr/bin/env bash
# Side-by-side: AUC + DeLong 95% CI, dlr-stats vs R pROC (ci.auc(method = "delong")), on the same
# synthetic data (n = 20 000, 30% positives, ties included). Prints both results and the speed ratio.
# Needs R with pROC (Debian: apt-get install r-cran-proc). Run from the repository root:
#   crates/dlr-stats/bench/delong_vs_proc.sh [n] [reps]
set -euo pipefail
n=${1:-20000}
reps=${2:-10}
command -v Rscript >/dev/null || { echo "Rscript not found: install R and r-cran-proc" >&2; exit 2; }
Rscript -e 'quit(status = !requireNamespace("pROC", quietly = TRUE))' || { echo "R package pROC missing (apt-get install r-cran-proc)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
Rscript -e "set.seed(1); n <- $n; y <- rbinom(n, 1, 0.3); s <- round(rnorm(n) + 0.8 * y, 2); write.csv(data.frame(score = s, label = y), '$tmp/d.csv', row.names = FALSE)"
cargo build --release -q -p dlr-stats --example delong_timing
ours=$(target/release/examples/delong_timing "$tmp/d.csv" "$reps")
theirs=$(Rscript -e "suppressMessages(library(pROC)); d <- read.csv('$tmp/d.csv'); t0 <- proc.time()[['elapsed']];
  for (i in 1:$reps) { r <- roc(d\$label, d\$score, levels = c(0, 1), direction = '<', quiet = TRUE); ci <- ci.auc(r, method = 'delong') };
  per <- (proc.time()[['elapsed']] - t0) / $reps;
  cat(sprintf('auc=%.12f lower=%.12f upper=%.12f seconds_per_call=%.6e', ci[2], ci[1], ci[3], per))")
echo "dlr-stats: $ours"
echo "pROC:      $theirs"
a=$(sed 's/.*seconds_per_call=//' <<<"$ours")
b=$(sed 's/.*seconds_per_call=//' <<<"$theirs")
python3 -c "print(f'speed ratio pROC/dlr-stats (roc + ci.auc vs auc_delong): {float(\"$b\")/float(\"$a\"):.1f}x')"
