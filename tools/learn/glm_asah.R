# Reference for dlr-learn's logistic regression and clinical model: R glm on pROC's aSAH data.
# Run from the repository root:  Rscript tools/learn/glm_asah.R
# Writes crates/dlr-learn/tests/fixtures/glm_asah.json (small; committed).
suppressMessages(library(jsonlite))
a <- read.csv("../shared/golden/data/asah.csv", stringsAsFactors = FALSE)
a$male <- as.integer(a$gender == "Male")
ctl <- glm.control(epsilon = 1e-14, maxit = 100)
tab <- function(f) {
  s <- summary(f)$coefficients; ci <- confint.default(f)
  lapply(seq_len(nrow(s)), function(i) list(name = rownames(s)[i], estimate = s[i, 1], std_error = s[i, 2], z = s[i, 3],
    p_value = s[i, 4], odds_ratio = exp(s[i, 1]), or_lower = exp(ci[i, 1]), or_upper = exp(ci[i, 2])))
}
full <- glm(poor ~ age + male + wfns + s100b + ndka, family = binomial, data = a, control = ctl)
tr <- a[a$cohort == "train", ]
vars <- c("age", "male", "wfns", "s100b", "ndka")
uni <- lapply(vars, function(v) { f <- glm(as.formula(paste("poor ~", v)), family = binomial, data = tr, control = ctl); tab(f)[[2]] })
sel <- vars[sapply(uni, function(u) u$p_value < 0.05)]
multi <- glm(as.formula(paste("poor ~", paste(sel, collapse = " + "))), family = binomial, data = tr, control = ctl)
res <- list(
  generator = "tools/learn/glm_asah.R", R = R.version.string,
  data = "../shared/golden/data/asah.csv; male = gender == 'Male'; y = poor",
  full_model = list(formula = "poor ~ age + male + wfns + s100b + ndka (all 113 rows)", coefficients = tab(full),
                    deviance = deviance(full), null_deviance = full$null.deviance, aic = AIC(full)),
  clinical_train = list(note = "train cohort (79 rows): univariable Wald p < 0.05 screen, then multivariable glm",
                        univariable = uni, selected = sel, multivariable = tab(multi)),
  wald_ci = "confint.default: estimate -/+ qnorm(0.975) * se, exponentiated for odds ratios")
writeLines(toJSON(res, auto_unbox = TRUE, digits = NA, pretty = TRUE), "crates/dlr-learn/tests/fixtures/glm_asah.json")
cat("selected:", sel, "\n")
