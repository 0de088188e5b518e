# Goldens for dlr-stats: logistic recalibration at the edge of separation (R glm) and
# chisq.test with and without Yates' continuity correction on fixed 2x2 tables.
# Run from the repository root:
#   Rscript tools/stats/calibration_chisq_goldens.R
# Writes crates/dlr-stats/tests/data/calibration_chisq.json.
suppressPackageStartupMessages(library(jsonlite))

logit <- function(p) log(p / (1 - p))

# glm(y ~ logit(p)) and glm(y ~ offset(logit(p))), keeping any warnings R gives. glm's default
# stopping rule (epsilon = 1e-8) leaves steep fits about 1e-7 from the optimum; the golden is
# converged to epsilon = 1e-14 (maxit = 100). The constant score keeps glm's defaults, whose QR
# tolerance min(1e-7, epsilon / 1000) = 1e-11 is what marks its slope as aliased (NA).
tight <- glm.control(epsilon = 1e-14, maxit = 100)
recal <- function(p, y, ctl = tight) {
  warns <- character(0)
  fit <- withCallingHandlers(
    glm(y ~ logit(p), family = binomial, control = ctl),
    warning = function(w) {
      warns <<- c(warns, conditionMessage(w))
      invokeRestart("muffleWarning")
    }
  )
  citl <- glm(y ~ offset(logit(p)), family = binomial, control = ctl)
  cf <- unname(coef(fit))
  list(
    p = p, y = y,
    intercept = cf[1], slope = if (is.na(cf[2])) NULL else cf[2],
    slope_is_na = is.na(cf[2]),
    deviance = deviance(fit),
    converged = fit$converged,
    citl = unname(coef(citl))[1],
    glm_warnings = I(warns)
  )
}

p16 <- c(0.03, 0.08, 0.12, 0.21, 0.26, 0.33, 0.38, 0.47,
         0.52, 0.58, 0.66, 0.71, 0.77, 0.86, 0.91, 0.97)
calibration <- list(
  # Events and non-events overlap in one pair (0.47 is an event, 0.52 is not): the MLE exists.
  near_separation = recal(p16, c(0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1)),
  # Overlap in two pairs further apart.
  near_separation_2 = recal(p16, c(0, 0, 0, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 1)),
  # Every event above every non-event: no finite MLE (glm warns, coefficients are arbitrary).
  complete_separation = recal(p16, c(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1)),
  # Every event below every non-event (reversed score).
  complete_separation_reversed = recal(p16, c(1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
  # Events and non-events share only the score 0.5: quasi-complete separation.
  quasi_separation = recal(
    c(0.1, 0.2, 0.3, 0.5, 0.5, 0.5, 0.5, 0.7, 0.8, 0.9),
    c(0, 0, 0, 0, 1, 0, 1, 1, 1, 1)
  ),
  # A constant score: the slope is aliased (NA).
  constant = recal(rep(0.3, 10), c(0, 1, 0, 0, 1, 0, 0, 0, 1, 0), glm.control())
)

chisq2x2 <- function(m) {
  y <- suppressWarnings(chisq.test(m, correct = TRUE))
  n <- suppressWarnings(chisq.test(m, correct = FALSE))
  list(
    counts = unname(lapply(seq_len(nrow(m)), function(i) m[i, ])),
    expected_min = min(n$expected),
    yates_statistic = unname(y$statistic), yates_p = y$p.value,
    none_statistic = unname(n$statistic), none_p = n$p.value,
    fisher_p = fisher.test(m)$p.value
  )
}
chisq <- list(
  # Rows = levels of the variable, columns = groups (as dlr_stats::Contingency::counts).
  all_expected_ge_5 = chisq2x2(matrix(c(18, 7, 9, 16), 2, byrow = TRUE)),
  # |O - E| < 0.5 in every cell, so R's correction is min(0.5, |O - E|).
  small_deviation = chisq2x2(matrix(c(10, 10, 10, 11), 2, byrow = TRUE)),
  # Smallest expected count 4.09: Table 1 uses Fisher's exact test.
  expected_below_5 = chisq2x2(matrix(c(2, 8, 7, 5), 2, byrow = TRUE))
)

out <- list(
  r_version = R.version.string,
  calibration = calibration,
  chisq_2x2 = chisq
)
writeLines(
  toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"),
  "crates/dlr-stats/tests/data/calibration_chisq.json"
)
