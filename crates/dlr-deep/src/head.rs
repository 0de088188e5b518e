//! A new classification head on frozen pooled features: logistic (2 classes, one sigmoid unit) or
//! softmax (K > 2) regression with cross-entropy, L2 weight decay, SGD with momentum (PyTorch
//! semantics), a learning-rate schedule, optional mini-batches shuffled by a seeded ChaCha8
//! generator; features are standardised (mean 0, population sd 1) with training statistics.
//! Everything runs sequentially in `f64`: results are identical across runs and machines' thread
//! counts.

use crate::error::{DeepError, Result};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Learning-rate schedule over epochs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum LrSchedule {
    /// Constant rate.
    Constant,
    /// Cosine annealing from `lr` to `lr·min_factor` over the epochs.
    Cosine {
        /// Final rate as a fraction of the initial one.
        min_factor: f64,
    },
    /// Multiply by `gamma` every `every` epochs.
    Step {
        /// Epochs between decays.
        every: usize,
        /// Decay factor.
        gamma: f64,
    },
}

/// Training settings of the head.
#[derive(Debug, Clone, PartialEq)]
pub struct HeadTrainer {
    /// Passes over the training data (default 300).
    pub epochs: usize,
    /// Initial learning rate (default 0.5, for standardised features).
    pub lr: f64,
    /// SGD momentum (default 0.9).
    pub momentum: f64,
    /// L2 penalty `λ/2·‖W‖²` added to the mean cross-entropy (bias not penalised; default 1e-3).
    pub weight_decay: f64,
    /// Mini-batch size; `None` = full batch (default).
    pub batch_size: Option<usize>,
    /// Learning-rate schedule (default cosine to 1 %).
    pub schedule: LrSchedule,
    /// Seed of the mini-batch shuffling.
    pub seed: u64,
    /// Standardise features with the training mean and sd (default true).
    pub standardize: bool,
}

impl Default for HeadTrainer {
    fn default() -> Self {
        Self {
            epochs: 300,
            lr: 0.5,
            momentum: 0.9,
            weight_decay: 1e-3,
            batch_size: None,
            schedule: LrSchedule::Cosine { min_factor: 0.01 },
            seed: 0,
            standardize: true,
        }
    }
}

/// A trained head: standardisation plus logistic/softmax weights.
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticHead {
    classes: usize,
    mean: Vec<f64>,
    inv_sd: Vec<f64>,
    /// `units × dim` weights (units = 1 for two classes, else the number of classes).
    weights: Vec<f64>,
    bias: Vec<f64>,
}

/// Result of [`HeadTrainer::fit`].
#[derive(Debug, Clone)]
pub struct HeadFit {
    /// The trained head.
    pub head: LogisticHead,
    /// Training objective (mean cross-entropy + L2 term) after each epoch.
    pub loss_history: Vec<f64>,
}

impl LogisticHead {
    /// Number of classes.
    pub fn classes(&self) -> usize {
        self.classes
    }

    /// Input dimension.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// Weights on standardised features, one row per output unit (1 row for two classes).
    pub fn weights(&self) -> Vec<Vec<f64>> {
        self.weights
            .chunks(self.dim().max(1))
            .map(|r| r.to_vec())
            .collect()
    }

    /// Bias of each output unit.
    pub fn bias(&self) -> &[f64] {
        &self.bias
    }

    fn standardise(&self, x: &[f32]) -> Vec<f64> {
        x.iter()
            .zip(&self.mean)
            .zip(&self.inv_sd)
            .map(|((&v, m), s)| (v as f64 - m) * s)
            .collect()
    }

    fn probs_std(&self, z: &[f64]) -> Vec<f64> {
        let d = self.dim();
        let units = self.bias.len();
        let logits: Vec<f64> = (0..units)
            .map(|u| {
                self.bias[u]
                    + self.weights[u * d..(u + 1) * d]
                        .iter()
                        .zip(z)
                        .map(|(w, x)| w * x)
                        .sum::<f64>()
            })
            .collect();
        if units == 1 {
            let p = 1.0 / (1.0 + (-logits[0]).exp());
            vec![1.0 - p, p]
        } else {
            let mx = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = logits.iter().map(|l| (l - mx).exp()).collect();
            let s: f64 = e.iter().sum();
            e.into_iter().map(|v| v / s).collect()
        }
    }

    /// Class probabilities of one feature vector.
    pub fn predict_proba(&self, x: &[f32]) -> Result<Vec<f64>> {
        if x.len() != self.dim() {
            return Err(DeepError::InputShape {
                what: "feature vector".into(),
                expected: self.dim(),
                got: x.len(),
            });
        }
        Ok(self.probs_std(&self.standardise(x)))
    }
}

impl HeadTrainer {
    fn lr_at(&self, epoch: usize) -> f64 {
        match self.schedule {
            LrSchedule::Constant => self.lr,
            LrSchedule::Cosine { min_factor } => {
                let t = if self.epochs > 1 {
                    epoch as f64 / (self.epochs - 1) as f64
                } else {
                    0.0
                };
                self.lr
                    * (min_factor
                        + (1.0 - min_factor) * 0.5 * (1.0 + (std::f64::consts::PI * t).cos()))
            }
            LrSchedule::Step { every, gamma } => {
                self.lr * gamma.powi((epoch / every.max(1)) as i32)
            }
        }
    }

    /// Fits the head on features `x` (one vector per sample) and class labels `y` in `0..K`.
    pub fn fit(&self, x: &[Vec<f32>], y: &[usize]) -> Result<HeadFit> {
        let n = x.len();
        if n == 0 || n != y.len() {
            return Err(DeepError::Degenerate(format!(
                "need one label per sample and at least one sample ({n} samples, {} labels)",
                y.len()
            )));
        }
        let d = x[0].len();
        if d == 0 || x.iter().any(|r| r.len() != d) {
            return Err(DeepError::Degenerate(
                "feature vectors differ in length or are empty".into(),
            ));
        }
        if x.iter().flatten().any(|v| !v.is_finite()) {
            return Err(DeepError::Degenerate(
                "features contain NaN or infinite values".into(),
            ));
        }
        let classes = y.iter().max().map_or(0, |m| m + 1);
        let present = (0..classes).filter(|c| y.contains(c)).count();
        if present < 2 || present != classes {
            return Err(DeepError::Degenerate(format!(
                "labels must cover 0..K with K ≥ 2 classes, got classes present {present} of {classes}"
            )));
        }
        let settings_ok = self.lr > 0.0
            && self.lr.is_finite()
            && (0.0..1.0).contains(&self.momentum)
            && self.weight_decay >= 0.0
            && self.epochs > 0
            && self.batch_size != Some(0);
        if !settings_ok {
            return Err(DeepError::Invalid(format!(
                "head trainer settings out of range: {self:?}"
            )));
        }
        // standardisation
        let mut mean = vec![0.0f64; d];
        let mut inv_sd = vec![1.0f64; d];
        if self.standardize {
            for r in x {
                for (m, &v) in mean.iter_mut().zip(r) {
                    *m += v as f64;
                }
            }
            mean.iter_mut().for_each(|m| *m /= n as f64);
            let mut var = vec![0.0f64; d];
            for r in x {
                for ((s, &v), m) in var.iter_mut().zip(r).zip(&mean) {
                    *s += (v as f64 - m).powi(2);
                }
            }
            for (i, s) in inv_sd.iter_mut().zip(&var) {
                let sd = (s / n as f64).sqrt();
                *i = if sd > 0.0 { 1.0 / sd } else { 1.0 };
            }
        }
        let units = if classes == 2 { 1 } else { classes };
        let mut head = LogisticHead {
            classes,
            mean,
            inv_sd,
            weights: vec![0.0; units * d],
            bias: vec![0.0; units],
        };
        let z: Vec<Vec<f64>> = x.iter().map(|r| head.standardise(r)).collect();
        let mut vel_w = vec![0.0f64; units * d];
        let mut vel_b = vec![0.0f64; units];
        let mut order: Vec<usize> = (0..n).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
        let bs = self.batch_size.unwrap_or(n).min(n);
        let mut history = Vec::with_capacity(self.epochs);
        for epoch in 0..self.epochs {
            let lr = self.lr_at(epoch);
            if bs < n {
                order.shuffle(&mut rng);
            }
            for batch in order.chunks(bs) {
                let mut gw = vec![0.0f64; units * d];
                let mut gb = vec![0.0f64; units];
                for &i in batch {
                    let p = head.probs_std(&z[i]);
                    for u in 0..units {
                        let target = if units == 1 {
                            (y[i] == 1) as u8 as f64
                        } else {
                            (y[i] == u) as u8 as f64
                        };
                        let err = if units == 1 {
                            p[1] - target
                        } else {
                            p[u] - target
                        };
                        gb[u] += err;
                        for (g, &xv) in gw[u * d..(u + 1) * d].iter_mut().zip(&z[i]) {
                            *g += err * xv;
                        }
                    }
                }
                let m = batch.len() as f64;
                for (k, g) in gw.iter_mut().enumerate() {
                    *g = *g / m + self.weight_decay * head.weights[k];
                }
                for (k, g) in gw.iter().enumerate() {
                    vel_w[k] = self.momentum * vel_w[k] + g;
                    head.weights[k] -= lr * vel_w[k];
                }
                for (k, g) in gb.iter().enumerate() {
                    vel_b[k] = self.momentum * vel_b[k] + g / m;
                    head.bias[k] -= lr * vel_b[k];
                }
            }
            history.push(objective(&head, &z, y, self.weight_decay));
        }
        if history.last().is_some_and(|l| !l.is_finite()) {
            return Err(DeepError::Degenerate(
                "training diverged (non-finite loss); lower the learning rate".into(),
            ));
        }
        Ok(HeadFit {
            head,
            loss_history: history,
        })
    }
}

/// Mean cross-entropy plus `λ/2·‖W‖²` on standardised inputs.
fn objective(head: &LogisticHead, z: &[Vec<f64>], y: &[usize], wd: f64) -> f64 {
    let ce: f64 = z
        .iter()
        .zip(y)
        .map(|(zi, &yi)| -head.probs_std(zi)[yi].max(1e-300).ln())
        .sum::<f64>()
        / z.len() as f64;
    ce + 0.5 * wd * head.weights.iter().map(|w| w * w).sum::<f64>()
}

impl HeadFit {
    /// Training objective of the fitted head on `x`, `y` (same definition as the history).
    pub fn objective(&self, x: &[Vec<f32>], y: &[usize], weight_decay: f64) -> f64 {
        let z: Vec<Vec<f64>> = x.iter().map(|r| self.head.standardise(r)).collect();
        objective(&self.head, &z, y, weight_decay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degenerate_labels_are_errors() {
        let x = vec![vec![1.0f32], vec![2.0]];
        assert!(HeadTrainer::default().fit(&x, &[0, 0]).is_err());
        assert!(HeadTrainer::default().fit(&x, &[0]).is_err());
        assert!(HeadTrainer::default().fit(&[], &[]).is_err());
        assert!(HeadTrainer::default().fit(&x, &[0, 2]).is_err());
    }

    #[test]
    fn minibatch_training_is_seeded() {
        let x: Vec<Vec<f32>> = (0..40)
            .map(|i| vec![(i as f32 * 0.37).sin(), (i as f32 * 0.11).cos()])
            .collect();
        let y: Vec<usize> = (0..40)
            .map(|i| usize::from((i as f32 * 0.37).sin() > 0.1))
            .collect();
        let t = HeadTrainer {
            batch_size: Some(8),
            epochs: 20,
            seed: 5,
            ..HeadTrainer::default()
        };
        let a = t.fit(&x, &y).unwrap();
        let b = t.fit(&x, &y).unwrap();
        assert_eq!(a.head, b.head);
        let c = HeadTrainer { seed: 6, ..t }.fit(&x, &y).unwrap();
        assert_ne!(a.head, c.head);
        assert!(a.loss_history.last().unwrap() < &a.loss_history[0]);
    }
}
