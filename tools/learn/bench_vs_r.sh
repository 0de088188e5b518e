#!/bin/sh
# Side-by-side speed: dlr-learn (criterion, release) vs R (glmnet, randomForest, e1071 if installed).
# Run from the repository root. Needs R with glmnet/randomForest (apt: r-cran-glmnet r-cran-randomforest).
set -e
cargo bench -p dlr-learn --bench learn -- --noplot 2>&1 | grep -E "^breast_cancer|time:"
Rscript tools/learn/bench_vs_r.R
