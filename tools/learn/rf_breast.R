# Reference for dlr-learn's random forest: R randomForest test AUC on the stored breast-cancer split
# over 20 seeds (ntree = 500, mtry = floor(sqrt(p)), Gini, bootstrap; probability = vote fraction).
# Run from the repository root:  Rscript tools/learn/rf_breast.R
# Writes crates/dlr-learn/tests/fixtures/rf_breast_cancer.json (small; committed).
suppressMessages({library(randomForest); library(jsonlite)})
d <- read.csv("../shared/golden/data/breast_cancer.csv"); s <- read.csv("../shared/golden/data/breast_cancer_split.csv")
X <- as.matrix(d[, setdiff(names(d), c("target", "malignant"))]); y <- factor(d$malignant, levels = c(0, 1))
tr <- s$split == "train"; te <- !tr
auc <- function(p, yy) { r <- rank(p); n1 <- sum(yy == 1); n0 <- sum(yy == 0); (sum(r[yy == 1]) - n1 * (n1 + 1) / 2) / (n1 * n0) }
res <- sapply(1:20, function(seed) {
  set.seed(seed)
  f <- randomForest(X[tr, ], y[tr], ntree = 500, mtry = floor(sqrt(ncol(X))))
  p <- predict(f, X[te, ], type = "prob")[, "1"]
  c(auc = auc(p, d$malignant[te]), oob = unname(f$err.rate[500, "OOB"]))
})
out <- list(generator = "tools/learn/rf_breast.R", R = R.version.string, randomForest = as.character(packageVersion("randomForest")),
  settings = "randomForest(x = 30 raw features of the 398 training rows, y = factor(malignant), ntree = 500, mtry = 5); seeds 1..20; test AUC of predict(type='prob') on the 171 test rows",
  test_auc = unname(res["auc", ]), oob_error = unname(res["oob", ]),
  mean_test_auc = mean(res["auc", ]), sd_test_auc = sd(res["auc", ]), mean_oob_error = mean(res["oob", ]))
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "crates/dlr-learn/tests/fixtures/rf_breast_cancer.json")
cat("mean test AUC", out$mean_test_auc, "sd", out$sd_test_auc, "mean OOB", out$mean_oob_error, "\n")
