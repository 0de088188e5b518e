//! Ranking helpers: average (mid) ranks as R's `rank(ties.method = "average")`, and tie-group sizes.

/// Average ranks (1-based, ties get the mean of their positions). Input must be NaN-free.
pub fn midranks(x: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    let mut r = vec![0.0; x.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i + 1;
        while j < idx.len() && x[idx[j]] == x[idx[i]] {
            j += 1;
        }
        // positions i..j (0-based) share rank mean of (i+1 ..= j)
        let avg = (i + 1 + j) as f64 / 2.0;
        for &k in &idx[i..j] {
            r[k] = avg;
        }
        i = j;
    }
    r
}

/// Sizes of the tie groups (groups of equal values, including singletons) of `x`.
pub fn tie_sizes(x: &[f64]) -> Vec<usize> {
    let mut v: Vec<f64> = x.to_vec();
    v.sort_by(|a, b| a.total_cmp(b));
    let mut out = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let mut j = i + 1;
        while j < v.len() && v[j] == v[i] {
            j += 1;
        }
        out.push(j - i);
        i = j;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn midranks_match_r_rank() {
        // R: rank(c(3, 1, 3, 2, 3)) = 4 1 4 2 4
        assert_eq!(
            midranks(&[3.0, 1.0, 3.0, 2.0, 3.0]),
            vec![4.0, 1.0, 4.0, 2.0, 4.0]
        );
        assert_eq!(tie_sizes(&[3.0, 1.0, 3.0, 2.0, 3.0]), vec![1, 1, 3]);
    }
}
