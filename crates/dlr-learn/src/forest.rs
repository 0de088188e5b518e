//! Breiman's random forest for binary classification: bootstrap samples, Gini splits over
//! `mtry = ⌊√p⌋` randomly drawn features per node, trees grown to purity (node size 1),
//! class probability = fraction of trees voting positive, out-of-bag error and out-of-bag
//! predictions ([`RandomForest::fit_with_oob`]).
//!
//! Trees are grown in parallel with rayon; tree `t` draws from its own ChaCha8 stream
//! (`seed`, stream `t`: first its `n` bootstrap row indices, `gen_range(0..n)` each, then its
//! split features), and votes are summed per row in tree order, so results are bitwise
//! identical for any thread count.
//!
//! The fitted forest ([`RandomForestFit`]) keeps the tree structure only (split features,
//! thresholds, leaf votes); neither the training rows, the outcomes nor the bootstrap samples
//! are stored.

use crate::error::{LearnError, Result};
use crate::estimator::{Classifier, Fit, PredictProba};
use crate::fitted::FittedClassifier;
use crate::matrix::{check_labels, Matrix};
use rand::seq::index::sample;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

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

/// One node of a tree. JSON: a split `{"feature": j, "threshold": t, "left": a, "right": b}`
/// (rows with `x_j <= t` go to node `a`), or a leaf `{"vote": v}` (v in {0, 0.5, 1}).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
enum Node {
    Split {
        feature: usize,
        #[serde(with = "crate::serde_float::nonfinite")]
        threshold: f64,
        left: usize,
        right: usize,
    },
    Leaf {
        vote: f64,
    },
}

/// One fitted tree: nodes in growth order, the root first; children always follow their parent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "UncheckedTree")]
pub struct Tree {
    nodes: Vec<Node>,
}

#[derive(Deserialize)]
struct UncheckedTree {
    nodes: Vec<Node>,
}

impl TryFrom<UncheckedTree> for Tree {
    type Error = LearnError;
    /// Refuses a tree whose child links do not point forward inside the node list (which could
    /// loop or index out of range when predicting).
    fn try_from(t: UncheckedTree) -> Result<Self> {
        let n = t.nodes.len();
        if n == 0 {
            return Err(LearnError::data("random forest tree", "no nodes"));
        }
        for (k, node) in t.nodes.iter().enumerate() {
            if let Node::Split { left, right, .. } = node {
                if !(*left > k && *right > k && *left < n && *right < n) {
                    return Err(LearnError::data(
                        "random forest tree",
                        format!(
                            "node {k} links to nodes {left} and {right}, outside {}..{n}",
                            k + 1
                        ),
                    ));
                }
            }
        }
        Ok(Tree { nodes: t.nodes })
    }
}

impl Tree {
    /// The tree's vote for one row (columns in the forest's training order): the leaf value
    /// 0, 0.5 (a tie in the leaf) or 1.
    pub fn vote(&self, row: &[f64]) -> f64 {
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

    /// Number of nodes.
    pub fn n_nodes(&self) -> usize {
        self.nodes.len()
    }

    fn max_feature(&self) -> Option<usize> {
        self.nodes
            .iter()
            .filter_map(|n| match n {
                Node::Split { feature, .. } => Some(*feature),
                Node::Leaf { .. } => None,
            })
            .max()
    }
}

/// A fitted forest: tree structure only (no training rows, outcomes or bootstrap samples).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RandomForestFit {
    /// Feature names.
    pub names: Vec<String>,
    /// The trees.
    pub trees: Vec<Tree>,
    /// Out-of-bag misclassification rate (rows never out of bag are left out; NaN if none is
    /// ever out of bag).
    #[serde(with = "crate::serde_float::nonfinite")]
    pub oob_error: f64,
    /// mtry used.
    pub mtry: usize,
}

impl RandomForestFit {
    /// Checks that there is at least one tree and every split feature is a known column.
    pub fn validate(&self) -> Result<()> {
        if self.trees.is_empty() {
            return Err(LearnError::data("RandomForestFit", "no trees"));
        }
        let p = self.names.len();
        if let Some(f) = self.trees.iter().filter_map(Tree::max_feature).max() {
            if f >= p {
                return Err(LearnError::data(
                    "RandomForestFit",
                    format!("a split uses feature {f} of {p}"),
                ));
            }
        }
        Ok(())
    }
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

impl RandomForest {
    /// The validated parameters.
    pub fn params(&self) -> &RandomForestParams {
        &self.params
    }

    /// Fits the forest and also returns the out-of-bag probability of every training row: the
    /// mean vote of the trees whose bootstrap sample did not contain the row (NaN for a row that
    /// was in every tree's sample). The OOB predictions are returned, not stored in the fit.
    /// Bitwise identical for any thread count.
    pub fn fit_with_oob(&self, x: &Matrix, y: &[bool]) -> Result<(RandomForestFit, Vec<f64>)> {
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
        // per row, votes summed over its out-of-bag trees in tree order
        let oob: Vec<f64> = (0..n)
            .into_par_iter()
            .map(|i| {
                let (mut votes, mut count) = (0.0, 0usize);
                for (tree, in_bag) in &grown {
                    if !in_bag[i] {
                        votes += tree.vote(x.row(i));
                        count += 1;
                    }
                }
                if count > 0 {
                    votes / count as f64
                } else {
                    f64::NAN
                }
            })
            .collect();
        let (mut wrong, mut counted) = (0usize, 0usize);
        for (p, &yi) in oob.iter().zip(y) {
            if !p.is_nan() {
                counted += 1;
                wrong += usize::from((*p > 0.5) != yi);
            }
        }
        let oob_error = if counted > 0 {
            wrong as f64 / counted as f64
        } else {
            f64::NAN
        };
        let fit = RandomForestFit {
            names: x.names().to_vec(),
            trees: grown.into_iter().map(|(t, _)| t).collect(),
            oob_error,
            mtry,
        };
        Ok((fit, oob))
    }
}

impl Fit for RandomForest {
    type Fitted = RandomForestFit;
    fn fit(&self, x: &Matrix, y: &[bool]) -> Result<RandomForestFit> {
        Ok(self.fit_with_oob(x, y)?.0)
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
    fn fit_classifier(&self, x: &Matrix, y: &[bool]) -> Result<FittedClassifier> {
        Ok(FittedClassifier::RandomForest(self.fit(x, y)?))
    }
}
