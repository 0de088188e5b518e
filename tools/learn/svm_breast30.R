# Reference for dlr-learn's SVM without the `target` column that ../shared/golden/svm.json
# accidentally includes (its X has 31 columns, one of them the label in sklearn coding).
# libsvm via e1071, 30 z-scored features, C = 1, gamma = 1/30, tolerance 1e-6.
# Run from the repository root:  Rscript tools/learn/svm_breast30.R
suppressPackageStartupMessages({library(e1071); library(jsonlite)})
d <- read.csv("../shared/golden/data/breast_cancer.csv"); s <- read.csv("../shared/golden/data/breast_cancer_split.csv")
X <- as.matrix(d[, setdiff(names(d), c("target", "malignant"))]); y <- d$malignant
tr <- s$split == "train"; te <- !tr
mu <- colMeans(X[tr, ]); sdv <- apply(X[tr, ], 2, sd)
Z <- sweep(sweep(X, 2, mu), 2, sdv, "/")
out <- list(generator = "tools/learn/svm_breast30.R", e1071 = as.character(packageVersion("e1071")), models = list())
for (k in c("linear", "radial")) {
  g <- 1 / ncol(Z)
  m <- svm(Z[tr, ], factor(y[tr], levels = c(0, 1)), kernel = k, cost = 1, gamma = g, scale = FALSE, tolerance = 1e-6, shrinking = TRUE)
  dv <- attr(predict(m, Z[te, ], decision.values = TRUE), "decision.values")[, 1]
  if (as.character(y[tr][1]) == "0") dv <- -dv
  out$models[[k]] <- list(kernel = k, C = 1, gamma = g, n_sv = m$tot.nSV, rho = if (as.character(y[tr][1]) == "0") -m$rho else m$rho,
                          decision_values_test = unname(dv), note = "oriented so that larger = malignant")
}
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE), "crates/dlr-learn/tests/fixtures/svm_breast30.json")
cat("n_sv", out$models$linear$n_sv, out$models$radial$n_sv, "\n")
