//! Speed of the main learners on the Wisconsin breast-cancer training split (398 × 30):
//! LASSO-CV (glmnet defaults: 100 lambdas, 10 folds, thresh 1e-7), random forest (500 trees),
//! RBF SVM with Platt scaling. Compare with R via `tools/learn/bench_vs_r.sh`.
use criterion::{criterion_group, criterion_main, Criterion};
use dlr_learn::{Fit, LassoCvParams, Matrix, RandomForestParams, SvmParams, Transform, ZScore};

fn load() -> Option<(Matrix, Vec<bool>, Vec<usize>)> {
    let dir = dlr_testutil::shared_dir()?.join("golden/data");
    let mut rdr = csv::Reader::from_path(dir.join("breast_cancer.csv")).ok()?;
    let header: Vec<String> = rdr.headers().ok()?.iter().map(String::from).collect();
    let rows: Vec<Vec<f64>> = rdr
        .records()
        .map(|r| r.map(|r| r.iter().map(|v| v.parse().unwrap_or(f64::NAN)).collect()))
        .collect::<Result<_, _>>()
        .ok()?;
    let feats: Vec<usize> = (0..header.len())
        .filter(|&j| header[j] != "target" && header[j] != "malignant")
        .collect();
    let yj = header.iter().position(|h| h == "malignant")?;
    let mut split = csv::Reader::from_path(dir.join("breast_cancer_split.csv")).ok()?;
    let mut train = Vec::new();
    let mut fold = Vec::new();
    for (i, r) in split.records().enumerate() {
        let r = r.ok()?;
        if &r[1] == "train" {
            train.push(i);
            fold.push(r[2].parse().ok()?);
        }
    }
    let data: Vec<f64> = train
        .iter()
        .flat_map(|&i| feats.iter().map(move |&j| (i, j)))
        .map(|(i, j)| rows[i][j])
        .collect();
    let names = feats.iter().map(|&j| header[j].clone()).collect();
    let x = Matrix::new(data, train.len(), feats.len(), names).ok()?;
    let y = train.iter().map(|&i| rows[i][yj] == 1.0).collect();
    Some((x, y, fold))
}

fn bench(c: &mut Criterion) {
    let Some((x, y, fold)) = load() else {
        eprintln!("SKIPPED: learn benches need ../shared/golden/data");
        return;
    };
    let xz = ZScore
        .fit(&x)
        .and_then(|z| z.transform(&x))
        .expect("z-score");
    let mut g = c.benchmark_group("breast_cancer_398x30");
    g.sample_size(10);
    let cv = LassoCvParams::default()
        .fold_ids(fold)
        .build()
        .expect("params");
    g.bench_function("lasso_cv_glmnet_defaults", |b| {
        b.iter(|| cv.fit(&xz, &y).expect("fit"))
    });
    let rf = RandomForestParams::default()
        .seed(1)
        .build()
        .expect("params");
    g.bench_function("random_forest_500", |b| {
        b.iter(|| rf.fit(&x, &y).expect("fit"))
    });
    let svm = SvmParams::default().build().expect("params");
    g.bench_function("svm_rbf_platt", |b| {
        b.iter(|| svm.fit(&xz, &y).expect("fit"))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
