//! Intensity-based statistics (IBSI UHIW), intensity histogram (ZVCW), intensity–volume
//! histogram (P88C) and PyRadiomics `firstorder`.

/// Percentile with linear interpolation between closest ranks (numpy's default), `q` in 0..=100,
/// on sorted data. NaN for empty input.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q / 100.0;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    let t = h - lo as f64;
    let (a, b) = (sorted[lo], sorted[hi]);
    if t >= 0.5 {
        b - (b - a) * (1.0 - t)
    } else {
        a + (b - a) * t
    }
}

/// Sorts `xs` in `f64::total_cmp` order. Values that compare equal there have identical bits,
/// so the result is bitwise the same as any comparison sort's; large inputs use an LSD radix
/// sort on the order-preserving integer key (bytes shared by all keys are skipped, e.g. the low
/// mantissa bytes of values that came from `f32` images).
pub fn sort_total(xs: &mut [f64]) {
    const RADIX_MIN: usize = 512;
    if xs.len() < RADIX_MIN {
        xs.sort_unstable_by(|a, b| a.total_cmp(b));
        return;
    }
    if sort_small_integers(xs) {
        return;
    }
    // Values that are exactly `f32` (images are stored as f32) sort on 32-bit keys, in fewer
    // passes; f64 → f32 → f64 is monotone, so their order is the same.
    let fits_f32 = xs
        .iter()
        .all(|&v| ((v as f32) as f64).to_bits() == v.to_bits());
    if fits_f32 {
        // Order-preserving key: flip all bits of negatives, only the sign bit of the others.
        let mut keys: Vec<u32> = xs
            .iter()
            .map(|&v| {
                let b = (v as f32).to_bits();
                b ^ ((((b as i32) >> 31) as u32) | (1u32 << 31))
            })
            .collect();
        radix_sort_by_digits(&mut keys, 11);
        for (x, &k) in xs.iter_mut().zip(&keys) {
            *x = f32::from_bits(k ^ (!(((k as i32) >> 31) as u32) | (1u32 << 31))) as f64;
        }
    } else {
        let mut keys: Vec<u64> = xs
            .iter()
            .map(|&v| {
                let b = v.to_bits();
                b ^ ((((b as i64) >> 63) as u64) | (1u64 << 63))
            })
            .collect();
        radix_sort_by_digits(&mut keys, 11);
        for (x, &k) in xs.iter_mut().zip(&keys) {
            *x = f64::from_bits(k ^ (!(((k as i64) >> 63) as u64) | (1u64 << 63)));
        }
    }
}

/// Unsigned integer keys for [`radix_sort_by_digits`].
trait RadixKey: Copy + Default {
    /// Key width in bits.
    const BITS: u32;
    /// The key as u64.
    fn wide(self) -> u64;
}

impl RadixKey for u32 {
    const BITS: u32 = 32;
    fn wide(self) -> u64 {
        self as u64
    }
}

impl RadixKey for u64 {
    const BITS: u32 = 64;
    fn wide(self) -> u64 {
        self
    }
}

/// Stable LSD radix sort of `keys` with digits of `bits` bits, skipping digits in which all
/// keys agree.
fn radix_sort_by_digits<K: RadixKey>(keys: &mut Vec<K>, bits: u32) {
    let (or, and) = keys
        .iter()
        .fold((0u64, u64::MAX), |(o, n), &k| (o | k.wide(), n & k.wide()));
    let varying = or ^ and;
    let mask = (1u64 << bits) - 1;
    let mut other = vec![K::default(); keys.len()];
    let mut pos = vec![0usize; 1 << bits];
    let mut shift = 0;
    while shift < K::BITS {
        if (varying >> shift) & mask != 0 {
            pos.fill(0);
            for &k in keys.iter() {
                pos[((k.wide() >> shift) & mask) as usize] += 1;
            }
            let mut acc = 0;
            for p in pos.iter_mut() {
                let c = *p;
                *p = acc;
                acc += c;
            }
            for &k in keys.iter() {
                let d = ((k.wide() >> shift) & mask) as usize;
                other[pos[d]] = k;
                pos[d] += 1;
            }
            std::mem::swap(keys, &mut other);
        }
        shift += bits;
    }
}

/// Counting sort of `xs` when every value is an integer (not −0) spanning a range no wider
/// than the number of values (8- and 16-bit images); returns false, leaving `xs` as it was,
/// otherwise. Equal integers have identical bits, so this is the `total_cmp` order.
fn sort_small_integers(xs: &mut [f64]) -> bool {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2⁵³
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    for &v in xs.iter() {
        // NaN fails the first test; −0 is left to the general sort (its bits differ from 0's).
        let in_range = v.abs() < EXACT; // false for NaN and ±∞
        if !in_range || (v as i64) as f64 != v || v.to_bits() == (-0.0f64).to_bits() {
            return false;
        }
        lo = lo.min(v as i64);
        hi = hi.max(v as i64);
    }
    let width = (hi - lo) as u64 + 1;
    if width > xs.len().max(1 << 12) as u64 {
        return false;
    }
    let mut counts = vec![0usize; width as usize];
    for &v in xs.iter() {
        counts[(v as i64 - lo) as usize] += 1;
    }
    let mut k = 0;
    for (off, &c) in counts.iter().enumerate() {
        xs[k..k + c].fill((lo + off as i64) as f64);
        k += c;
    }
    true
}

/// IBSI statistics names, in the order of [`statistics`].
pub const STAT_NAMES: [&str; 18] = [
    "mean", "var", "skew", "kurt", "median", "min", "p10", "p90", "max", "iqr", "range", "mad",
    "rmad", "medad", "cov", "qcod", "energy", "rms",
];

/// The 18 IBSI statistics of `xs` (any order): see [`STAT_NAMES`]. Skewness and kurtosis are
/// NaN (undefined) for zero variance, as IBSI leaves them.
pub fn statistics(xs: &[f64]) -> [f64; 18] {
    if xs.is_empty() {
        return [f64::NAN; 18];
    }
    let mut s = xs.to_vec();
    sort_total(&mut s);
    let n = s.len() as f64;
    let mean = s.iter().sum::<f64>() / n;
    let m2 = s.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    let m3 = s.iter().map(|x| (x - mean).powi(3)).sum::<f64>() / n;
    let m4 = s.iter().map(|x| (x - mean).powi(4)).sum::<f64>() / n;
    let (skew, kurt) = if m2 > 0.0 {
        (m3 / m2.powf(1.5), m4 / (m2 * m2) - 3.0)
    } else {
        (f64::NAN, f64::NAN)
    };
    let median = percentile(&s, 50.0);
    let p10 = percentile(&s, 10.0);
    let p90 = percentile(&s, 90.0);
    let p25 = percentile(&s, 25.0);
    let p75 = percentile(&s, 75.0);
    let mad = s.iter().map(|x| (x - mean).abs()).sum::<f64>() / n;
    let robust: Vec<f64> = s
        .iter()
        .copied()
        .filter(|&x| x >= p10 && x <= p90)
        .collect();
    let rmean = robust.iter().sum::<f64>() / robust.len() as f64;
    let rmad = robust.iter().map(|x| (x - rmean).abs()).sum::<f64>() / robust.len() as f64;
    let medad = s.iter().map(|x| (x - median).abs()).sum::<f64>() / n;
    let cov = if mean != 0.0 {
        m2.sqrt() / mean
    } else {
        f64::NAN
    };
    let qcod = if p75 + p25 != 0.0 {
        (p75 - p25) / (p75 + p25)
    } else {
        f64::NAN
    };
    let energy = s.iter().map(|x| x * x).sum::<f64>();
    let rms = (energy / n).sqrt();
    [
        mean,
        m2,
        skew,
        kurt,
        median,
        s[0],
        p10,
        p90,
        s[s.len() - 1],
        p75 - p25,
        s[s.len() - 1] - s[0],
        mad,
        rmad,
        medad,
        cov,
        qcod,
        energy,
        rms,
    ]
}

/// Intensity-histogram-only features: mode, entropy, uniformity, max/min histogram gradient
/// and their grey levels, from discretised levels (values `1..=ng`).
pub fn histogram_extras(levels: &[u32], ng: usize) -> [f64; 7] {
    if levels.is_empty() {
        return [f64::NAN; 7];
    }
    let ng = ng.max(*levels.iter().max().unwrap_or(&1) as usize);
    let mut h = vec![0.0; ng];
    for &l in levels {
        h[l as usize - 1] += 1.0;
    }
    let n = levels.len() as f64;
    let mut mode = 0;
    for i in 0..ng {
        if h[i] > h[mode] {
            mode = i;
        }
    }
    let mut entropy = 0.0;
    let mut uniformity = 0.0;
    for &c in &h {
        if c > 0.0 {
            let p = c / n;
            entropy -= p * p.log2();
            uniformity += p * p;
        }
    }
    let grad: Vec<f64> = (0..ng)
        .map(|i| {
            if ng == 1 {
                0.0
            } else if i == 0 {
                h[1] - h[0]
            } else if i == ng - 1 {
                h[ng - 1] - h[ng - 2]
            } else {
                (h[i + 1] - h[i - 1]) / 2.0
            }
        })
        .collect();
    let (mut gmax, mut gmin) = (0, 0);
    for i in 0..ng {
        if grad[i] > grad[gmax] {
            gmax = i;
        }
        if grad[i] < grad[gmin] {
            gmin = i;
        }
    }
    [
        (mode + 1) as f64,
        entropy,
        uniformity,
        grad[gmax],
        (gmax + 1) as f64,
        grad[gmin],
        (gmin + 1) as f64,
    ]
}

/// IBSI intensity–volume histogram features `[v10, v90, i10, i90, v10−v90, i10−i90]` from the
/// intensities `xs` taking values on the grid `lo, lo + step, …, hi`.
pub fn ivh(xs: &[f64], lo: f64, hi: f64, step: f64) -> [f64; 6] {
    if xs.is_empty() || hi.is_nan() || lo.is_nan() || hi < lo || step.is_nan() || step <= 0.0 {
        return [f64::NAN; 6];
    }
    let mut s = xs.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let n = s.len() as f64;
    // Fraction of voxels with intensity >= t.
    let frac_ge = |t: f64| (s.len() - s.partition_point(|&v| v < t)) as f64 / n;
    let range = hi - lo;
    let vx = |x: f64| {
        if range > 0.0 {
            frac_ge(lo + x * range)
        } else {
            f64::NAN
        }
    };
    let v10 = vx(0.10);
    let v90 = vx(0.90);
    let steps = ((hi - lo) / step).round() as usize;
    let ix = |x: f64| {
        for k in 0..=steps {
            let i = lo + k as f64 * step;
            if frac_ge(i - step * 1e-9) <= x {
                return i;
            }
        }
        hi + step
    };
    let i10 = ix(0.10);
    let i90 = ix(0.90);
    [v10, v90, i10, i90, v10 - v90, i10 - i90]
}

/// PyRadiomics `firstorder` names, in the order of [`firstorder_pyradiomics`].
pub const FIRSTORDER_PYR: [&str; 19] = [
    "Energy",
    "TotalEnergy",
    "Entropy",
    "Minimum",
    "10Percentile",
    "90Percentile",
    "Maximum",
    "Mean",
    "Median",
    "InterquartileRange",
    "Range",
    "MeanAbsoluteDeviation",
    "RobustMeanAbsoluteDeviation",
    "RootMeanSquared",
    "StandardDeviation",
    "Skewness",
    "Kurtosis",
    "Variance",
    "Uniformity",
];

/// PyRadiomics first-order features of intensities `xs`, their discretised `levels` (level 0,
/// outside the mask, is ignored, so a whole level grid may be passed), voxel volume and
/// `voxelArrayShift`. `StandardDeviation` is included (deprecated in PyRadiomics and
/// not enabled by its defaults; callers drop it there).
pub fn firstorder_pyradiomics(
    xs: &[f64],
    levels: &[u32],
    voxel_volume: f64,
    shift: f64,
) -> [f64; 19] {
    if xs.is_empty() {
        return [f64::NAN; 19];
    }
    let mut s = xs.to_vec();
    sort_total(&mut s);
    let n = s.len() as f64;
    let p10 = percentile(&s, 10.0);
    let p90 = percentile(&s, 90.0);
    // The values in [p10, p90] (robust statistics) are a contiguous run of the sorted values.
    let (lo, hi) = (
        s.partition_point(|&x| x < p10),
        s.partition_point(|&x| x <= p90),
    );
    // Each sum runs over the sorted values in order, as separate passes would (`Iterator::sum`
    // starts from −0); the robust sums ride along over their run.
    let (mut energy, mut sum, mut rsum) = (-0.0f64, -0.0f64, -0.0f64);
    for (k, part) in [&s[..lo], &s[lo..hi], &s[hi..]].into_iter().enumerate() {
        if k == 1 {
            for &x in part {
                energy += (x + shift).powi(2);
                sum += x;
                rsum += x;
            }
        } else {
            for &x in part {
                energy += (x + shift).powi(2);
                sum += x;
            }
        }
    }
    let mean = sum / n;
    let rmean = rsum / (hi - lo) as f64;
    let (mut s2, mut s3, mut s4, mut sabs, mut rabs) =
        (-0.0f64, -0.0f64, -0.0f64, -0.0f64, -0.0f64);
    for (k, part) in [&s[..lo], &s[lo..hi], &s[hi..]].into_iter().enumerate() {
        if k == 1 {
            for &x in part {
                let d = x - mean;
                s2 += d.powi(2);
                s3 += d.powi(3);
                s4 += d.powi(4);
                sabs += d.abs();
                rabs += (x - rmean).abs();
            }
        } else {
            for &x in part {
                let d = x - mean;
                s2 += d.powi(2);
                s3 += d.powi(3);
                s4 += d.powi(4);
                sabs += d.abs();
            }
        }
    }
    let (m2, m3, m4) = (s2 / n, s3 / n, s4 / n);
    let (skew, kurt) = if m2 == 0.0 {
        (0.0, 0.0)
    } else {
        (m3 / m2.powf(1.5), m4 / (m2 * m2))
    };
    let rmad = rabs / (hi - lo) as f64;
    // Level histogram, summed in increasing level order.
    let top = levels.iter().copied().max().unwrap_or(0) as usize;
    let mut counts = vec![0usize; top + 1];
    for &l in levels {
        counts[l as usize] += 1;
    }
    counts[0] = 0;
    let nl = counts.iter().sum::<usize>() as f64;
    let mut entropy = 0.0;
    let mut uniformity = 0.0;
    for &c in counts.iter().filter(|&&c| c > 0) {
        let p = c as f64 / nl;
        entropy -= p * (p + f64::EPSILON).log2();
        uniformity += p * p;
    }
    [
        energy,
        energy * voxel_volume,
        entropy,
        s[0],
        p10,
        p90,
        s[s.len() - 1],
        mean,
        percentile(&s, 50.0),
        percentile(&s, 75.0) - percentile(&s, 25.0),
        s[s.len() - 1] - s[0],
        sabs / n,
        rmad,
        (energy / n).sqrt(),
        m2.sqrt(),
        skew,
        kurt,
        m2,
        uniformity,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_sort(xs: Vec<f64>) {
        let mut want = xs.clone();
        want.sort_by(|a, b| a.total_cmp(b));
        let mut got = xs;
        sort_total(&mut got);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&got), bits(&want));
    }

    #[test]
    fn sort_total_equals_total_cmp_sort() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        // 8-bit integers, f32 values of both signs, arbitrary f64 bit patterns (NaNs included),
        // signed zeros and infinities; sizes around the radix threshold.
        for &n in &[3usize, 511, 512, 2_000, 20_000] {
            check_sort((0..n).map(|_| (next() % 256) as f64).collect());
            check_sort((0..n).map(|_| (next() % 5000) as f64 - 2500.0).collect());
            check_sort((0..n).map(|k| [3.0, -0.0, 0.0, -7.0][k % 4]).collect());
            check_sort(
                (0..n)
                    .map(|_| ((next() >> 11) as f64 / 9.0e15 - 0.5) as f32 as f64 * 1e3)
                    .collect(),
            );
            check_sort((0..n).map(|_| f64::from_bits(next())).collect());
            check_sort(
                (0..n)
                    .map(|k| [0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, 1.5][k % 5])
                    .collect(),
            );
        }
    }
}
