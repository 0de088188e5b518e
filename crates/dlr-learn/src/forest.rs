//! Breiman's random forest for binary classification: bootstrap samples, Gini splits over
//! `mtry = ⌊√p⌋` randomly drawn features per node, trees grown to purity (node size 1),
//! class probability = fraction of trees voting positive, out-of-bag error.
//!
//! Trees are grown in parallel with rayon; tree `t` draws from its own ChaCha8 stream
//! (`seed`, stream `t`), and votes are integer counts, so results are bitwise identical for any
//! thread count.

use crate::error::{LearnError, Result};
use crate::estimator::{Classifier, Fit, PredictProba};
use crate::matrix::{check_labels, Matrix};
use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// Hyper-parameters of [`RandomForest`].
#[derive(Debug, Clone, PartialEq)]
pub struct RandomForestParams {
    /// Number of trees (R default 500).
    pub n_trees: usize,
    /// Features tried per split; `None` = ⌊√p⌋ (R's default for classification).
    pub mtry: Option<usize>,
    /// Minimum node size to attempt a split (R default 1 for classification: grow to purity).
    pub min_node_size: usize,
    /// Seed.
    pub seed: u64,
}

impl Default for RandomForestParams {
    fn default() -> Self {
        Self {
            n_trees: 500,
            mtry: None,
            min_node_size: 1,
            seed: 1,
        }
    }
}

impl RandomForestParams {
    /// Sets the number of trees.
    pub fn n_trees(mut self, n: usize) -> Self {
        self.n_trees = n;
        self
    }
    /// Sets mtry.
    pub fn mtry(mut self, m: usize) -> Self {
        self.mtry = Some(m);
        self
    }
    /// Sets the seed.
    pub fn seed(mut self, s: u64) -> Self {
        self.seed = s;
        self
    }
    /// Validates the parameters.
    pub fn build(self) -> Result<RandomForest> {
        if self.n_trees == 0 {
            return Err(LearnError::param("n_trees", 0, "must be positive"));
        }
        if self.mtry == Some(0) {
            return Err(LearnError::param("mtry", 0, "must be positive"));
        }
        if self.min_node_size == 0 {
            return Err(LearnError::param("min_node_size", 0, "must be positive"));
        }
        Ok(RandomForest { params: self })
    }
}

/// Random forest with validated parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct RandomForest {
    params: RandomForestParams,
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Split {
        feature: usize,
        threshold: f64,
        left: usize,
        right: usize,
    },
    Leaf {
        vote: f64,
    },
}

/// One fitted tree.
#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    nodes: Vec<Node>,
}

impl Tree {
    fn vote(&self, row: &[f64]) -> f64 {
        let mut k = 0;
        loop {
            match &self.nodes[k] {
                Node::Leaf { vote } => return *vote,
                Node::Split {
                    feature,
                    threshold,
                    left,
                    right,
                } => {
                    k = if row[*feature] <= *threshold {
                        *left
                    } else {
                        *right
                    }
                }
            }
        }
    }
}

/// A fitted forest.
#[derive(Debug, Clone, PartialEq)]
pub struct RandomForestFit {
    /// Feature names.
    pub names: Vec<String>,
    /// The trees.
    pub trees: Vec<Tree>,
    /// Out-of-bag misclassification rate (rows never out of bag are left out).
    pub oob_error: f64,
    /// mtry used.
    pub mtry: usize,
}

fn gini_split(xs: &mut [(f64, bool)], n_pos: usize) -> Option<(f64, f64)> {
    // returns (threshold, weighted child impurity) of the best split on this feature
    xs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let n = xs.len() as f64;
    let mut left_pos = 0usize;
    let mut best: Option<(f64, f64)> = None;
    for k in 0..xs.len() - 1 {
        if xs[k].1 {
            left_pos += 1;
        }
        if xs[k].0 == xs[k + 1].0 {
            continue;
        }
        let nl = (k + 1) as f64;
        let nr = n - nl;
        let pl = left_pos as f64 / nl;
        let pr = (n_pos - left_pos) as f64 / nr;
        let imp = nl * 2.0 * pl * (1.0 - pl) + nr * 2.0 * pr * (1.0 - pr);
        if best.is_none_or(|(_, b)| imp < b) {
            best = Some(((xs[k].0 + xs[k + 1].0) / 2.0, imp));
        }
    }
    best
}

fn grow_tree(
    x: &Matrix,
    y: &[bool],
    rows: Vec<usize>,
    mtry: usize,
    min_node: usize,
    rng: &mut ChaCha8Rng,
) -> Tree {
    let p = x.n_cols();
    let mut nodes = Vec::new();
    let mut stack: Vec<(usize, Vec<usize>)> = Vec::new();
    nodes.push(Node::Leaf { vote: 0.0 });
    stack.push((0, rows));
    let mut buf: Vec<(f64, bool)> = Vec::new();
    while let Some((id, idx)) = stack.pop() {
        let n_pos = idx.iter().filter(|&&i| y[i]).count();
        let n = idx.len();
        let frac = n_pos as f64 / n as f64;
        let leaf_vote = if frac > 0.5 {
            1.0
        } else if frac < 0.5 {
            0.0
        } else {
            0.5
        };
        if n_pos == 0 || n_pos == n || n <= min_node {
            nodes[id] = Node::Leaf { vote: leaf_vote };
            continue;
        }
        let parent = n as f64 * 2.0 * frac * (1.0 - frac);
        let mut best: Option<(usize, f64, f64)> = None;
        for f in sample(rng, p, mtry.min(p)).into_iter() {
            buf.clear();
            buf.extend(idx.iter().map(|&i| (x.get(i, f), y[i])));
            if let Some((thr, imp)) = gini_split(&mut buf, n_pos) {
                if imp < parent - 1e-12 && best.is_none_or(|(_, _, b)| imp < b) {
                    best = Some((f, thr, imp));
                }
            }
        }
        match best {
            None => nodes[id] = Node::Leaf { vote: leaf_vote },
            Some((feature, threshold, _)) => {
                let (l, r): (Vec<usize>, Vec<usize>) =
                    idx.iter().partition(|&&i| x.get(i, feature) <= threshold);
                let left = nodes.len();
                nodes.push(Node::Leaf { vote: 0.0 });
                let right = nodes.len();
                nodes.push(Node::Leaf { vote: 0.0 });
                nodes[id] = Node::Split {
                    feature,
                    threshold,
                    left,
                    right,
                };
                stack.push((right, r));
                stack.push((left, l));
            }
        }
    }
    Tree { nodes }
}

impl Fit for RandomForest {
    type Fitted = RandomForestFit;
    fn fit(&self, x: &Matrix, y: &[bool]) -> Result<RandomForestFit> {
        check_labels(x, y, "RandomForest::fit")?;
        x.check_finite("RandomForest::fit")?;
        if x.n_cols() == 0 {
            return Err(LearnError::data("RandomForest::fit", "no features"));
        }
        let p = x.n_cols();
        let mtry = self
            .params
            .mtry
            .unwrap_or(((p as f64).sqrt().floor() as usize).max(1));
        if mtry > p {
            return Err(LearnError::param(
                "mtry",
                mtry,
                format!("exceeds the {p} features"),
            ));
        }
        let n = x.n_rows();
        let seed = self.params.seed;
        let min_node = self.params.min_node_size;
        let grown: Vec<(Tree, Vec<bool>)> = (0..self.params.n_trees)
            .into_par_iter()
            .map(|t| {
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                rng.set_stream(t as u64);
                let rows: Vec<usize> = (0..n).map(|_| rng.gen_range(0..n)).collect();
                let mut in_bag = vec![false; n];
                for &i in &rows {
                    in_bag[i] = true;
                }
                (grow_tree(x, y, rows, mtry, min_node, &mut rng), in_bag)
            })
            .collect();
        let mut oob_votes = vec![0.0; n];
        let mut oob_count = vec![0usize; n];
        for (tree, in_bag) in &grown {
            for i in 0..n {
                if !in_bag[i] {
                    oob_votes[i] += tree.vote(x.row(i));
                    oob_count[i] += 1;
                }
            }
        }
        let (mut wrong, mut counted) = (0usize, 0usize);
        for i in 0..n {
            if oob_count[i] > 0 {
                counted += 1;
                let pred = oob_votes[i] / oob_count[i] as f64 > 0.5;
                wrong += usize::from(pred != y[i]);
            }
        }
        let oob_error = if counted > 0 {
            wrong as f64 / counted as f64
        } else {
            f64::NAN
        };
        Ok(RandomForestFit {
            names: x.names().to_vec(),
            trees: grown.into_iter().map(|(t, _)| t).collect(),
            oob_error,
            mtry,
        })
    }
}

impl PredictProba for RandomForestFit {
    fn predict_proba(&self, x: &Matrix) -> Result<Vec<f64>> {
        let x = if x.names() == self.names.as_slice() {
            x.clone()
        } else {
            x.select_named(&self.names)?
        };
        let nt = self.trees.len() as f64;
        Ok((0..x.n_rows())
            .into_par_iter()
            .map(|i| self.trees.iter().map(|t| t.vote(x.row(i))).sum::<f64>() / nt)
            .collect())
    }
}

impl Classifier for RandomForest {
    fn name(&self) -> String {
        "random_forest".into()
    }
    fn fit_boxed(&self, x: &Matrix, y: &[bool]) -> Result<Box<dyn PredictProba + Send + Sync>> {
        Ok(Box::new(self.fit(x, y)?))
    }
}
