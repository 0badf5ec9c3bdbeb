//! The model: per kind (fill, drain) a Gaussian mixture of the fleet's normal
//! behaviour (its negative log-likelihood is an anomaly feature), a logistic
//! regression over the standardised features and that anomaly score, and Platt
//! calibration fitted on held-out trucks. The file is versioned JSON.

use std::path::Path;

use fc_ledger::EventKind;
use linfa::prelude::*;
use linfa_clustering::GaussianMixtureModel;
use linfa_logistic::LogisticRegression;
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use crate::error::MlError;
use crate::features::{FEATURE_NAMES, N_FEATURES, VerdictPlace};

/// Written in every model file; anything else is not ours.
pub const FORMAT: &str = "fuelcopilot-theft-model";
/// The file layout version this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;
/// Name of the anomaly feature appended to [`FEATURE_NAMES`].
pub const ANOMALY_FEATURE: &str = "gmm_anomaly";
/// Features the mixture models (indices into [`FEATURE_NAMES`]): the continuous ones
/// that describe what normally happens to a fleet's fuel level.
pub const GMM_FEATURES: [usize; 10] = [0, 1, 2, 5, 7, 8, 9, 13, 15, 21];
/// A verdict weighs this many simulated labels (a dispatcher knows the fleet).
pub const VERDICT_WEIGHT: usize = 5;
const MIN_CLASS_ROWS: usize = 8;
/// Standardised values are clipped here: a change unlike anything in training (an
/// extreme anomaly score, a sensor's absurd reading) must not outvote every other feature.
const Z_CLIP: f64 = 4.0;
const GMM_MAX_ROWS: usize = 20_000;

/// One labelled training row.
#[derive(Debug, Clone)]
pub struct Row {
    /// Fill or drain.
    pub kind: EventKind,
    /// Features in [`FEATURE_NAMES`] order.
    pub x: [f64; N_FEATURES],
    /// True: a real event of this kind (a theft, for drains).
    pub y: bool,
    /// The label came from a dispatcher's verdict.
    pub from_verdict: bool,
    /// The detector alerted on it by itself (a final event, not a candidate).
    pub rule_alarm: bool,
    /// Group for the held-out split (trucks are never split).
    pub group: u64,
}

/// Figures measured on the held-out calibration rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeadMetrics {
    /// Held-out rows.
    pub rows: usize,
    /// Positives among them.
    pub positives: usize,
    /// ROC AUC of the calibrated probability.
    pub roc_auc: f64,
    /// ROC AUC of the rule's confidence on the same rows.
    pub rule_roc_auc: f64,
    /// Mean squared error of the probability.
    pub brier: f64,
    /// Mean log loss.
    pub log_loss: f64,
}

/// Where a training set came from and what it held.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct TrainingInfo {
    /// When, UTC ms.
    pub trained_at_ms: i64,
    /// Sources, e.g. `sim hard seed 1001` or a folder.
    pub sources: Vec<String>,
    /// Simulator seeds used (evaluation refuses them).
    pub seeds: Vec<u64>,
    /// Rows (candidates and events).
    pub rows: usize,
    /// Telemetry points behind them.
    pub points: u64,
    /// Positive labels.
    pub positives: usize,
    /// Rows labelled by a verdict.
    pub verdicts: usize,
    /// Training wall time, ms.
    pub elapsed_ms: u64,
}

/// A mixture stored as plain numbers (log-likelihood needs nothing else).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Mixture {
    /// Feature indices modelled.
    pub dims: Vec<usize>,
    /// Component weights.
    pub weights: Vec<f64>,
    /// Component means (standardised space).
    pub means: Vec<Vec<f64>>,
    /// Lower Cholesky factor of each covariance, row-major.
    pub chol: Vec<Vec<f64>>,
    /// `ln w - 0.5 (d ln 2 pi + ln det)` per component.
    pub log_norm: Vec<f64>,
}

/// The model for one kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Head {
    /// Fill or drain.
    pub kind: EventKind,
    /// Mean per feature (NaN inputs become it), anomaly last.
    pub mean: Vec<f64>,
    /// Standard deviation per feature.
    pub sd: Vec<f64>,
    /// The fleet's normal behaviour; absent when it could not be fitted.
    pub mixture: Option<Mixture>,
    /// Logistic coefficients on standardised features, anomaly last.
    pub coef: Vec<f64>,
    /// Logistic intercept.
    pub intercept: f64,
    /// Platt slope.
    pub platt_a: f64,
    /// Platt offset.
    pub platt_b: f64,
    /// Highest probability threshold that keeps the rules' recall on held-out rows.
    pub threshold_at_rule_recall: f64,
    /// Training rows of this kind.
    pub rows: usize,
    /// Positives among them.
    pub positives: usize,
    /// Held-out figures.
    pub metrics: HeadMetrics,
}

/// A trained, persisted theft model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`] at writing.
    pub format_version: u32,
    /// Stamped on every score (`fc-ml/1:<trained at>`).
    pub model_version: String,
    /// Feature names in order, anomaly last (checked on load).
    pub features: Vec<String>,
    /// Training metadata.
    pub training: TrainingInfo,
    /// One head per kind it was trained for.
    pub heads: Vec<Head>,
    /// Verdict places learned from dispatchers.
    pub verdicts: Vec<VerdictPlace>,
}

/// A contribution to one score, in log-odds of the final probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// Feature name.
    pub feature: String,
    /// Its value as computed (NaN: unknown, imputed).
    pub value: f64,
    /// Positive pushes towards a real event.
    pub log_odds: f64,
}

/// One score with its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    /// Calibrated probability that the change is real (a theft, for drains).
    pub probability: f64,
    /// The largest contributions, by size, at most [`TOP_CONTRIBUTIONS`].
    pub top: Vec<Contribution>,
}

/// Contributions kept in an explanation.
pub const TOP_CONTRIBUTIONS: usize = 4;

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn all_names() -> Vec<String> {
    FEATURE_NAMES
        .iter()
        .map(|s| s.to_string())
        .chain(std::iter::once(ANOMALY_FEATURE.to_string()))
        .collect()
}

impl Mixture {
    /// Negative log-likelihood of standardised `z` (a high value is unusual).
    fn nll(&self, z: &[f64]) -> f64 {
        let d = self.dims.len();
        let mut best = f64::NEG_INFINITY;
        let mut terms = [0.0f64; 16];
        let k = self.weights.len().min(16);
        let mut y = [0.0f64; 16];
        for (c, term) in terms.iter_mut().enumerate().take(k) {
            let (mu, l) = (&self.means[c], &self.chol[c]);
            // Solve L y = z - mu (forward substitution).
            let mut q = 0.0;
            for i in 0..d {
                let mut s = z[self.dims[i]] - mu[i];
                for (j, yj) in y.iter().enumerate().take(i) {
                    s -= l[i * d + j] * yj;
                }
                y[i] = s / l[i * d + i];
                q += y[i] * y[i];
            }
            *term = self.log_norm[c] - 0.5 * q;
            best = best.max(*term);
        }
        let lse = best
            + terms[..k]
                .iter()
                .map(|t| (t - best).exp())
                .sum::<f64>()
                .ln();
        -lse
    }

    fn fit(z: &Array2<f64>, dims: &[usize]) -> Option<Mixture> {
        let n = z.nrows().min(GMM_MAX_ROWS);
        // Every k-th row when there are many: EM cost grows with rows, the shape does not.
        let step = z.nrows().div_ceil(n.max(1)).max(1);
        let rows: Vec<usize> = (0..z.nrows()).step_by(step).collect();
        let d = dims.len();
        let mut x = Array2::<f64>::zeros((rows.len(), d));
        for (r, &i) in rows.iter().enumerate() {
            for (c, &j) in dims.iter().enumerate() {
                x[[r, c]] = z[[i, j]];
            }
        }
        let data = DatasetBase::from(x);
        for k in [4usize, 2, 1] {
            if rows.len() < 10 * k * d {
                continue;
            }
            let fitted = GaussianMixtureModel::params(k)
                .n_runs(1)
                .tolerance(1e-3)
                .reg_covariance(1e-3)
                .max_n_iterations(200)
                .fit(&data);
            let Ok(g) = fitted else { continue };
            if let Some(m) = Mixture::from_linfa(&g, dims) {
                return Some(m);
            }
        }
        None
    }

    fn from_linfa(g: &GaussianMixtureModel<f64>, dims: &[usize]) -> Option<Mixture> {
        let d = dims.len();
        let mut m = Mixture {
            dims: dims.to_vec(),
            weights: Vec::new(),
            means: Vec::new(),
            chol: Vec::new(),
            log_norm: Vec::new(),
        };
        for c in 0..g.weights().len() {
            let w = g.weights()[c];
            let cov = g.covariances().index_axis(ndarray::Axis(0), c);
            let mut l = vec![0.0; d * d];
            for i in 0..d {
                for j in 0..=i {
                    let mut s = cov[[i, j]];
                    for k in 0..j {
                        s -= l[i * d + k] * l[j * d + k];
                    }
                    if i == j {
                        if s <= 0.0 || !s.is_finite() {
                            return None;
                        }
                        l[i * d + i] = s.sqrt();
                    } else {
                        l[i * d + j] = s / l[j * d + j];
                    }
                }
            }
            let log_det: f64 = (0..d).map(|i| 2.0 * l[i * d + i].ln()).sum();
            m.weights.push(w);
            m.means.push(g.means().row(c).to_vec());
            m.chol.push(l);
            m.log_norm
                .push(w.max(1e-300).ln() - 0.5 * (d as f64 * std::f64::consts::TAU.ln() + log_det));
        }
        Some(m)
    }
}

impl Head {
    fn standardise(&self, x: &[f64; N_FEATURES], out: &mut [f64; N_FEATURES + 1]) {
        for i in 0..N_FEATURES {
            let v = if x[i].is_finite() { x[i] } else { self.mean[i] };
            out[i] = ((v - self.mean[i]) / self.sd[i]).clamp(-Z_CLIP, Z_CLIP);
        }
        let a = self.mixture.as_ref().map_or(0.0, |m| m.nll(&out[..]));
        out[N_FEATURES] =
            ((a - self.mean[N_FEATURES]) / self.sd[N_FEATURES]).clamp(-Z_CLIP, Z_CLIP);
    }

    /// Calibrated probability only (the fast path).
    pub fn probability(&self, x: &[f64; N_FEATURES]) -> f64 {
        let mut z = [0.0; N_FEATURES + 1];
        self.standardise(x, &mut z);
        let logit: f64 = self.intercept + self.coef.iter().zip(&z).map(|(w, v)| w * v).sum::<f64>();
        sigmoid(self.platt_a * logit + self.platt_b)
    }

    /// Probability with the top contributions.
    pub fn explain(&self, x: &[f64; N_FEATURES], names: &[String]) -> Scored {
        let mut z = [0.0; N_FEATURES + 1];
        self.standardise(x, &mut z);
        let mut parts: Vec<(usize, f64)> = self
            .coef
            .iter()
            .zip(&z)
            .enumerate()
            .map(|(i, (w, v))| (i, self.platt_a * w * v))
            .collect();
        let logit: f64 =
            self.intercept * self.platt_a + self.platt_b + parts.iter().map(|p| p.1).sum::<f64>();
        parts.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
        let top = parts
            .iter()
            .take(TOP_CONTRIBUTIONS)
            .map(|&(i, c)| Contribution {
                feature: names.get(i).cloned().unwrap_or_default(),
                value: if i < N_FEATURES {
                    x[i]
                } else {
                    z[i] * self.sd[i] + self.mean[i]
                },
                log_odds: c,
            })
            .collect();
        Scored {
            probability: sigmoid(logit),
            top,
        }
    }
}

/// ROC AUC by ranks (ties averaged); NaN without both classes.
pub fn roc_auc(scores: &[f64], labels: &[bool]) -> f64 {
    let mut idx: Vec<usize> = (0..scores.len()).collect();
    idx.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let (mut rank_sum, mut pos) = (0.0, 0usize);
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && scores[idx[j + 1]] == scores[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            if labels[k] {
                rank_sum += avg;
                pos += 1;
            }
        }
        i = j + 1;
    }
    let neg = labels.len() - pos;
    if pos == 0 || neg == 0 {
        return f64::NAN;
    }
    (rank_sum - (pos * (pos + 1)) as f64 / 2.0) / (pos * neg) as f64
}

/// Platt scaling: `p = sigmoid(a s + b)` fitted by Newton's method with a
/// backtracking line search and Platt's smoothed targets (no probability of
/// exactly 0 or 1 from a finite sample). A slope that is not positive (no signal
/// on the held-out rows) falls back to the identity.
fn platt(s: &[f64], y: &[bool]) -> (f64, f64) {
    let np = y.iter().filter(|v| **v).count() as f64;
    let nn = y.len() as f64 - np;
    let tp = (np + 1.0) / (np + 2.0);
    let tn = 1.0 / (nn + 2.0);
    let loss = |a: f64, b: f64| -> f64 {
        s.iter()
            .zip(y)
            .map(|(&si, &yi)| {
                let t = if yi { tp } else { tn };
                let z = a * si + b;
                // log(1 + e^z) - t z, stable for large |z|
                let softplus = if z > 0.0 {
                    z + (-z).exp().ln_1p()
                } else {
                    z.exp().ln_1p()
                };
                softplus - t * z
            })
            .sum()
    };
    let (mut a, mut b) = (1.0, 0.0);
    let mut f = loss(a, b);
    for _ in 0..100 {
        let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 1e-9, 0.0, 1e-9);
        for (&si, &yi) in s.iter().zip(y) {
            let p = sigmoid(a * si + b);
            let t = if yi { tp } else { tn };
            let r = p - t;
            let w = (p * (1.0 - p)).max(1e-12);
            ga += r * si;
            gb += r;
            haa += w * si * si;
            hab += w * si;
            hbb += w;
        }
        let det = haa * hbb - hab * hab;
        if det.abs() < 1e-18 {
            break;
        }
        let da = (hbb * ga - hab * gb) / det;
        let db = (haa * gb - hab * ga) / det;
        let mut step = 1.0;
        let mut improved = false;
        while step > 1e-6 {
            let (na, nb) = (a - step * da, b - step * db);
            let nf = loss(na, nb);
            if nf.is_finite() && nf <= f + 1e-12 {
                a = na;
                b = nb;
                improved = f - nf > 1e-10;
                f = nf;
                break;
            }
            step /= 2.0;
        }
        if !improved {
            break;
        }
    }
    if a.is_finite() && b.is_finite() && a > 0.0 {
        (a, b)
    } else {
        (1.0, 0.0)
    }
}

fn train_head(kind: EventKind, rows: &[&Row]) -> Result<Head, MlError> {
    let pos = rows.iter().filter(|r| r.y).count();
    let neg = rows.len() - pos;
    if pos < MIN_CLASS_ROWS || neg < MIN_CLASS_ROWS {
        return Err(MlError::TooFewLabels {
            kind: kind.code().to_string(),
            positives: pos,
            negatives: neg,
            needed: MIN_CLASS_ROWS,
        });
    }
    // A quarter of the trucks is held out for calibration and metrics.
    let held = |r: &Row| r.group.is_multiple_of(4);
    let mut fit: Vec<&Row> = rows.iter().copied().filter(|r| !held(r)).collect();
    let mut cal: Vec<&Row> = rows.iter().copied().filter(|r| held(r)).collect();
    if cal.iter().filter(|r| r.y).count() < 3 || fit.iter().filter(|r| r.y).count() < 3 {
        // Too few trucks to hold some out: calibrate on the training rows themselves.
        fit = rows.to_vec();
        cal = rows.to_vec();
    }
    let nf = N_FEATURES + 1;
    let mut mean = vec![0.0; nf];
    let mut sd = vec![1.0; nf];
    for i in 0..N_FEATURES {
        let v: Vec<f64> = fit
            .iter()
            .map(|r| r.x[i])
            .filter(|v| v.is_finite())
            .collect();
        if v.is_empty() {
            continue;
        }
        let m = v.iter().sum::<f64>() / v.len() as f64;
        let s = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / v.len() as f64).sqrt();
        mean[i] = m;
        sd[i] = if s > 1e-9 { s } else { 1.0 };
    }
    let mut head = Head {
        kind,
        mean,
        sd,
        mixture: None,
        coef: vec![0.0; nf],
        intercept: 0.0,
        platt_a: 1.0,
        platt_b: 0.0,
        threshold_at_rule_recall: 0.5,
        rows: rows.len(),
        positives: pos,
        metrics: HeadMetrics {
            rows: 0,
            positives: 0,
            roc_auc: f64::NAN,
            rule_roc_auc: f64::NAN,
            brier: f64::NAN,
            log_loss: f64::NAN,
        },
    };
    let standardise_all = |head: &Head, rows: &[&Row]| {
        let mut z = Array2::<f64>::zeros((rows.len(), nf));
        let mut buf = [0.0; N_FEATURES + 1];
        for (r, row) in rows.iter().enumerate() {
            head.standardise(&row.x, &mut buf);
            for (c, v) in buf.iter().enumerate() {
                z[[r, c]] = *v;
            }
        }
        z
    };
    // The mixture learns "normal" from the rows labelled normal: the fleet's own noise.
    let normal: Vec<&Row> = fit.iter().copied().filter(|r| !r.y).collect();
    let zn = standardise_all(&head, &normal);
    head.mixture = Mixture::fit(&zn, &GMM_FEATURES);
    if let Some(m) = &head.mixture {
        let a: Vec<f64> = (0..zn.nrows())
            .map(|i| m.nll(zn.row(i).as_slice().unwrap_or(&[])))
            .filter(|v| v.is_finite())
            .collect();
        if !a.is_empty() {
            let mu = a.iter().sum::<f64>() / a.len() as f64;
            let s = (a.iter().map(|x| (x - mu).powi(2)).sum::<f64>() / a.len() as f64).sqrt();
            head.mean[N_FEATURES] = mu;
            head.sd[N_FEATURES] = if s > 1e-9 { s } else { 1.0 };
        }
    }
    // Verdict rows are repeated: one dispatcher verdict outweighs one simulated label.
    let mut expanded: Vec<&Row> = Vec::with_capacity(fit.len());
    for r in &fit {
        let times = if r.from_verdict { VERDICT_WEIGHT } else { 1 };
        for _ in 0..times {
            expanded.push(r);
        }
    }
    let z = standardise_all(&head, &expanded);
    let y: Array1<bool> = expanded.iter().map(|r| r.y).collect();
    let lr = LogisticRegression::default()
        .alpha(1.0)
        .max_iterations(300)
        .gradient_tolerance(1e-5)
        .fit(&Dataset::new(z, y))
        .map_err(|e| MlError::Training(e.to_string()))?;
    let flip = if lr.labels().pos.class { 1.0 } else { -1.0 };
    head.coef = lr.params().iter().map(|w| w * flip).collect();
    head.intercept = lr.intercept() * flip;
    // Calibration on held-out trucks.
    let zc = standardise_all(&head, &cal);
    let raw: Vec<f64> = (0..zc.nrows())
        .map(|i| {
            head.intercept
                + head
                    .coef
                    .iter()
                    .zip(zc.row(i).iter())
                    .map(|(w, v)| w * v)
                    .sum::<f64>()
        })
        .collect();
    let yc: Vec<bool> = cal.iter().map(|r| r.y).collect();
    let (a, b) = platt(&raw, &yc);
    head.platt_a = a;
    head.platt_b = b;
    let p: Vec<f64> = raw.iter().map(|s| sigmoid(a * s + b)).collect();
    let rule: Vec<f64> = cal.iter().map(|r| r.x[25]).collect();
    let n = p.len().max(1) as f64;
    head.metrics = HeadMetrics {
        rows: cal.len(),
        positives: yc.iter().filter(|v| **v).count(),
        roc_auc: roc_auc(&p, &yc),
        rule_roc_auc: roc_auc(&rule, &yc),
        brier: p
            .iter()
            .zip(&yc)
            .map(|(p, &y)| (p - f64::from(u8::from(y))).powi(2))
            .sum::<f64>()
            / n,
        log_loss: -p
            .iter()
            .zip(&yc)
            .map(|(p, &y)| {
                let p = p.clamp(1e-12, 1.0 - 1e-12);
                if y { p.ln() } else { (1.0 - p).ln() }
            })
            .sum::<f64>()
            / n,
    };
    // The operating point that keeps the rules' recall: as many real events at or
    // above it as the detector alerted on by itself.
    let rule_hits = cal.iter().filter(|r| r.y && r.rule_alarm).count();
    let mut pos_p: Vec<f64> = p
        .iter()
        .zip(&yc)
        .filter(|(_, y)| **y)
        .map(|(p, _)| *p)
        .collect();
    pos_p.sort_by(|a, b| b.total_cmp(a));
    head.threshold_at_rule_recall = match rule_hits {
        0 => 0.5,
        k => pos_p.get(k - 1).copied().unwrap_or(0.5),
    };
    Ok(head)
}

impl Model {
    /// Trains one head per kind that has enough labels of both classes.
    pub fn train(
        rows: &[Row],
        mut info: TrainingInfo,
        verdicts: Vec<VerdictPlace>,
    ) -> Result<Model, MlError> {
        let started = std::time::Instant::now();
        let mut heads = Vec::new();
        let mut last_err = None;
        for kind in [EventKind::Drain, EventKind::Fill] {
            let of: Vec<&Row> = rows.iter().filter(|r| r.kind == kind).collect();
            match train_head(kind, &of) {
                Ok(h) => heads.push(h),
                Err(e) => last_err = Some(e),
            }
        }
        if heads.is_empty() {
            return Err(last_err.unwrap_or(MlError::Training("no rows".into())));
        }
        info.rows = rows.len();
        info.positives = rows.iter().filter(|r| r.y).count();
        info.verdicts = rows.iter().filter(|r| r.from_verdict).count();
        info.elapsed_ms += u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        Ok(Model {
            format: FORMAT.to_string(),
            format_version: FORMAT_VERSION,
            model_version: format!("fc-ml/{FORMAT_VERSION}:{}", info.trained_at_ms),
            features: all_names(),
            training: info,
            heads,
            verdicts,
        })
    }

    /// The head for a kind, if trained.
    pub fn head(&self, kind: EventKind) -> Option<&Head> {
        self.heads.iter().find(|h| h.kind == kind)
    }

    /// Calibrated probability for a feature vector; `None` for a kind without a head.
    pub fn probability(&self, kind: EventKind, x: &[f64; N_FEATURES]) -> Option<f64> {
        self.head(kind).map(|h| h.probability(x))
    }

    /// Probability with its explanation; `None` for a kind without a head.
    pub fn explain(&self, kind: EventKind, x: &[f64; N_FEATURES]) -> Option<Scored> {
        self.head(kind).map(|h| h.explain(x, &self.features))
    }

    /// Writes the model (JSON), atomically (temp file then rename).
    pub fn save(&self, path: &Path) -> Result<(), MlError> {
        let io = |e: std::io::Error| MlError::Io {
            path: path.display().to_string(),
            source: e,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let body = serde_json::to_vec_pretty(self).map_err(|e| MlError::Corrupt {
            path: path.display().to_string(),
            why: e.to_string(),
        })?;
        let tmp = path.with_extension("tmp");
        std::fs::write(&tmp, body).map_err(io)?;
        std::fs::rename(&tmp, path).map_err(io)
    }

    /// Reads and checks a model file: missing, corrupt and incompatible files are
    /// told apart (the caller falls back to the rule's confidence).
    pub fn load(path: &Path) -> Result<Model, MlError> {
        let p = path.display().to_string();
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(MlError::Missing { path: p });
            }
            Err(e) => return Err(MlError::Io { path: p, source: e }),
        };
        let v: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| MlError::Corrupt {
                path: p.clone(),
                why: e.to_string(),
            })?;
        if v.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(MlError::Corrupt {
                path: p,
                why: "not a Fuel Copilot model file".into(),
            });
        }
        let version = v
            .get("format_version")
            .and_then(|f| f.as_u64())
            .unwrap_or(0);
        if version != u64::from(FORMAT_VERSION) {
            return Err(MlError::Incompatible {
                path: p,
                why: format!("file format {version}, this build reads {FORMAT_VERSION}"),
            });
        }
        let m: Model = serde_json::from_value(v).map_err(|e| MlError::Corrupt {
            path: p.clone(),
            why: e.to_string(),
        })?;
        if m.features != all_names() {
            return Err(MlError::Incompatible {
                path: p,
                why: "trained on other features".into(),
            });
        }
        let nf = N_FEATURES + 1;
        for h in &m.heads {
            let shapes_ok = h.mean.len() == nf
                && h.sd.len() == nf
                && h.coef.len() == nf
                && h.sd.iter().all(|s| *s > 0.0)
                && h.mixture.as_ref().is_none_or(|g| {
                    let d = g.dims.len();
                    g.weights.len() <= 16
                        && !g.weights.is_empty()
                        && g.means.len() == g.weights.len()
                        && g.chol.len() == g.weights.len()
                        && g.log_norm.len() == g.weights.len()
                        && g.dims.iter().all(|&i| i < N_FEATURES)
                        && d <= 16
                        && g.means.iter().all(|m| m.len() == d)
                        && g.chol.iter().all(|c| c.len() == d * d)
                });
            if !shapes_ok {
                return Err(MlError::Corrupt {
                    path: p,
                    why: format!("the {} model's arrays have the wrong size", h.kind.code()),
                });
            }
        }
        Ok(m)
    }
}
