# R side of the dlr-learn speed comparison (same data and settings as crates/dlr-learn/benches/learn.rs).
# Run from the repository root:  Rscript tools/learn/bench_vs_r.R
suppressMessages({library(glmnet); library(randomForest); library(e1071)})
d <- read.csv("../shared/golden/data/breast_cancer.csv"); s <- read.csv("../shared/golden/data/breast_cancer_split.csv")
X <- as.matrix(d[, setdiff(names(d), c("target", "malignant"))]); y <- d$malignant
tr <- s$split == "train"; Xtr <- X[tr, ]; ytr <- y[tr]; fid <- s$foldid[tr]
Z <- scale(Xtr)
med <- function(f, n = 10) median(sapply(seq_len(n), function(i) system.time(f())[["elapsed"]]))
cat(sprintf("R lasso_cv_glmnet_defaults  %.4f s\n", med(function() cv.glmnet(Z, ytr, family = "binomial", standardize = FALSE, foldid = fid))))
cat(sprintf("R random_forest_500         %.4f s\n", med(function() randomForest(Xtr, factor(ytr), ntree = 500))))
if (requireNamespace("e1071", quietly = TRUE))
  cat(sprintf("R svm_rbf_platt             %.4f s\n", med(function() svm(Z, factor(ytr), probability = TRUE))))
