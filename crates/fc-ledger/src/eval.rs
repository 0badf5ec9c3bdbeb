//! Evaluation against labels: one-to-one matching (decision 13), precision,
//! recall, F1, median volume error per kind, false drain alarms per 100 truck-days.

use std::collections::{BTreeMap, HashMap};

use fc_model::{TelemetryPoint, TruckProfile};
use serde::{Deserialize, Serialize};

use crate::baseline::{TraccarConfig, WialonConfig, traccar, wialon};
use crate::config::DetectorConfig;
use crate::detector::{TruckDetector, split_final};
use crate::event::{Candidate, EventKind, EventStatus, EventUpdate, FuelEvent};

/// Half an hour: each window is widened by this much before testing overlap.
pub const MATCH_SLACK_MS: i64 = 30 * 60_000;

/// A true event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Label {
    /// Truck id.
    pub truck_id: String,
    /// Fill or drain.
    pub kind: EventKind,
    /// Start, UTC ms.
    pub start_ms: i64,
    /// End, UTC ms.
    pub end_ms: i64,
    /// True volume, litres.
    pub volume_l: f64,
}

/// Figures for one kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KindScore {
    /// The kind.
    pub kind: EventKind,
    /// Matched detections.
    pub true_positives: usize,
    /// Detections without a label.
    pub false_positives: usize,
    /// Labels without a detection.
    pub false_negatives: usize,
    /// tp / (tp + fp); 1 when nothing was detected.
    pub precision: f64,
    /// tp / (tp + fn); 1 when there was nothing to find.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Median of |detected - true| / true over matches.
    pub median_volume_error: Option<f64>,
}

/// Scores of one method on one labelled set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// Fill figures.
    pub fill: KindScore,
    /// Drain figures.
    pub drain: KindScore,
    /// Unmatched drains per 100 truck-days.
    pub false_drains_per_100_truck_days: f64,
}

fn overlaps(a: (i64, i64), b: (i64, i64)) -> bool {
    let w = |x: i64| x.saturating_sub(MATCH_SLACK_MS);
    let e = |x: i64| x.saturating_add(MATCH_SLACK_MS);
    w(a.0) <= e(b.1) && w(b.0) <= e(a.1)
}

fn separation(a: (i64, i64), b: (i64, i64)) -> i64 {
    a.0.saturating_sub(b.1).max(b.0.saturating_sub(a.1)).max(0)
}

/// One-to-one matches `(event index, label index)`: same truck and kind, windows
/// overlapping once each is widened by 30 minutes; closest pairs first.
/// Only final fills and drains take part.
pub fn match_events(events: &[FuelEvent], labels: &[Label]) -> Vec<(usize, usize)> {
    let mut pairs: Vec<(i64, u64, usize, usize)> = Vec::new();
    for (ei, e) in events.iter().enumerate() {
        if e.status != EventStatus::Final || e.kind == EventKind::SensorFault {
            continue;
        }
        for (li, l) in labels.iter().enumerate() {
            let (ew, lw) = ((e.start_ms, e.end_ms), (l.start_ms, l.end_ms));
            if e.truck_id == l.truck_id && e.kind == l.kind && overlaps(ew, lw) {
                let verr = ((e.volume_l - l.volume_l).abs() * 1000.0) as u64;
                pairs.push((separation(ew, lw), verr, ei, li));
            }
        }
    }
    pairs.sort();
    let mut e_used = vec![false; events.len()];
    let mut l_used = vec![false; labels.len()];
    let mut out = Vec::new();
    for (_, _, ei, li) in pairs {
        if !e_used[ei] && !l_used[li] {
            e_used[ei] = true;
            l_used[li] = true;
            out.push((ei, li));
        }
    }
    out
}

fn median(mut v: Vec<f64>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    })
}

fn kind_score(
    kind: EventKind,
    events: &[FuelEvent],
    labels: &[Label],
    matches: &[(usize, usize)],
) -> KindScore {
    let det = events
        .iter()
        .filter(|e| e.kind == kind && e.status == EventStatus::Final)
        .count();
    let lab = labels.iter().filter(|l| l.kind == kind).count();
    let errs: Vec<f64> = matches
        .iter()
        .filter(|(ei, _)| events[*ei].kind == kind)
        .map(|&(ei, li)| {
            (events[ei].volume_l - labels[li].volume_l).abs() / labels[li].volume_l.max(1e-9)
        })
        .collect();
    let tp = errs.len();
    let precision = if det == 0 {
        1.0
    } else {
        tp as f64 / det as f64
    };
    let recall = if lab == 0 {
        1.0
    } else {
        tp as f64 / lab as f64
    };
    let f1 = if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    };
    KindScore {
        kind,
        true_positives: tp,
        false_positives: det - tp,
        false_negatives: lab - tp,
        precision,
        recall,
        f1,
        median_volume_error: median(errs),
    }
}

/// Scores final events against labels over `truck_days` of data.
pub fn score(events: &[FuelEvent], labels: &[Label], truck_days: f64) -> Score {
    let matches = match_events(events, labels);
    let fill = kind_score(EventKind::Fill, events, labels, &matches);
    let drain = kind_score(EventKind::Drain, events, labels, &matches);
    let false_drains_per_100_truck_days = if truck_days > 0.0 {
        drain.false_positives as f64 * 100.0 / truck_days
    } else {
        0.0
    };
    Score {
        fill,
        drain,
        false_drains_per_100_truck_days,
    }
}

/// A detection method compared in an evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// This crate's detector.
    Ours,
    /// Traccar's pairwise threshold (20 L both ways).
    Traccar,
    /// Wialon-style median filter plus thresholds.
    Wialon,
}

impl Method {
    /// Every method, ours first.
    pub const ALL: [Method; 3] = [Method::Ours, Method::Traccar, Method::Wialon];

    /// Stable code (`ours`, `traccar`, `wialon`).
    pub const fn code(self) -> &'static str {
        match self {
            Method::Ours => "ours",
            Method::Traccar => "traccar",
            Method::Wialon => "wialon",
        }
    }
}

/// The final events of every method on one data set.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FleetEvents {
    /// Ours, final events.
    pub ours: Vec<FuelEvent>,
    /// Ours, sub-threshold candidates.
    pub candidates: Vec<Candidate>,
    /// Traccar baseline.
    pub traccar: Vec<FuelEvent>,
    /// Wialon-style baseline.
    pub wialon: Vec<FuelEvent>,
    /// Every update (provisional, final, retracted, candidate) of the traced trucks.
    pub traces: BTreeMap<String, Vec<EventUpdate>>,
    /// Each truck's last row that carried a fuel level.
    pub last_level_ms: BTreeMap<String, i64>,
}

impl FleetEvents {
    /// The events of one method.
    pub fn of(&self, m: Method) -> &[FuelEvent] {
        match m {
            Method::Ours => &self.ours,
            Method::Traccar => &self.traccar,
            Method::Wialon => &self.wialon,
        }
    }

    /// The labels that some reading could show: those that end before their truck's last
    /// row with a fuel level. A siphon on the last night of a silent tracker that next
    /// reports after the data ends leaves no trace in the data; no method can find it.
    pub fn observable(&self, labels: &[Label]) -> Vec<Label> {
        labels
            .iter()
            .filter(|l| {
                self.last_level_ms
                    .get(&l.truck_id)
                    .is_some_and(|&t| t > l.end_ms)
            })
            .cloned()
            .collect()
    }

    /// Scores every method against `labels` (see [`score`]).
    pub fn score(&self, labels: &[Label], truck_days: f64) -> Vec<(Method, Score)> {
        Method::ALL
            .iter()
            .map(|&m| (m, score(self.of(m), labels, truck_days)))
            .collect()
    }
}

/// Runs our detector and both baselines over one fleet's rows. The detector sees
/// every truck's points in arrival order, late and duplicated rows included, as
/// live ingest would; the baselines get the same rows (their own functions sort
/// them, which only helps them). The baselines need each truck's whole series, so
/// memory grows with the rows: this is for evaluation, not for production analysis.
pub struct Evaluator {
    profiles: Vec<TruckProfile>,
    index: HashMap<String, usize>,
    dets: Vec<TruckDetector>,
    updates: Vec<Vec<EventUpdate>>,
    series: Vec<Vec<TelemetryPoint>>,
    traced: Vec<bool>,
    unknown: u64,
}

impl std::fmt::Debug for Evaluator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Evaluator")
            .field("trucks", &self.profiles.len())
            .field("unknown", &self.unknown)
            .finish_non_exhaustive()
    }
}

impl Evaluator {
    /// One detector per profile.
    pub fn new(profiles: &[TruckProfile], cfg: &DetectorConfig) -> Self {
        Evaluator {
            profiles: profiles.to_vec(),
            index: profiles
                .iter()
                .enumerate()
                .map(|(i, p)| (p.truck_id.clone(), i))
                .collect(),
            dets: profiles
                .iter()
                .map(|p| TruckDetector::new(p, cfg))
                .collect(),
            updates: vec![Vec::new(); profiles.len()],
            series: vec![Vec::new(); profiles.len()],
            traced: vec![false; profiles.len()],
            unknown: 0,
        }
    }

    /// Keeps every update of this truck in [`FleetEvents::traces`] (diagnostics).
    pub fn trace(&mut self, truck_id: &str) {
        if let Some(&i) = self.index.get(truck_id) {
            self.traced[i] = true;
        }
    }

    /// Feeds one row to every method. Rows of trucks without a profile are counted and skipped.
    pub fn push(&mut self, p: TelemetryPoint) {
        let Some(&i) = self.index.get(&p.truck_id) else {
            self.unknown += 1;
            return;
        };
        self.dets[i].push_into(&p, &mut self.updates[i]);
        if !self.traced[i] {
            // Provisional updates are of no use to scoring: keep memory down.
            self.updates[i]
                .retain(|u| !matches!(u, EventUpdate::Event(e) if e.status != EventStatus::Final));
        }
        self.series[i].push(p);
    }

    /// Rows skipped because their truck had no profile.
    pub fn unknown_rows(&self) -> u64 {
        self.unknown
    }

    /// Ends the input and runs the baselines.
    pub fn finish(mut self) -> FleetEvents {
        let mut out = FleetEvents::default();
        for (i, det) in self.dets.iter_mut().enumerate() {
            let mut u = std::mem::take(&mut self.updates[i]);
            u.extend(det.finish());
            if self.traced[i] {
                out.traces
                    .insert(self.profiles[i].truck_id.clone(), u.clone());
            }
            let (events, cands) = split_final(u);
            out.ours.extend(events);
            out.candidates.extend(cands);
        }
        for (i, p) in self.profiles.iter().enumerate() {
            let series = std::mem::take(&mut self.series[i]);
            let last = series
                .iter()
                .filter(|x| {
                    x.fuel_l.is_some()
                        || x.fuel_level_pct.is_some()
                        || x.fuel_l_2.is_some()
                        || x.fuel_level_pct_2.is_some()
                })
                .map(|x| x.ts)
                .max();
            if let Some(t) = last {
                out.last_level_ms.insert(p.truck_id.clone(), t);
            }
            out.traccar
                .extend(traccar(p, &series, &TraccarConfig::default()));
            out.wialon
                .extend(wialon(p, &series, &WialonConfig::default()));
        }
        out
    }
}

/// Mean, sample standard deviation and range of one figure over several runs (seeds).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (0 for one run).
    pub sd: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Runs that had the figure.
    pub n: usize,
}

/// The [`Spread`] of the finite values; `None` when there are none.
pub fn spread(values: &[f64]) -> Option<Spread> {
    let v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    let sd = if v.len() > 1 {
        (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    Some(Spread {
        mean,
        sd,
        min: v.iter().copied().fold(f64::INFINITY, f64::min),
        max: v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        n: v.len(),
    })
}

/// One kind's figures over several runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KindSpread {
    /// The kind.
    pub kind: EventKind,
    /// Precision.
    pub precision: Spread,
    /// Recall.
    pub recall: Spread,
    /// F1.
    pub f1: Spread,
    /// Median relative volume error (absent when no run matched anything).
    pub median_volume_error: Option<Spread>,
}

/// A method's figures over several runs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreSpread {
    /// Runs summarised.
    pub runs: usize,
    /// Fills.
    pub fill: KindSpread,
    /// Drains.
    pub drain: KindSpread,
    /// Unmatched drains per 100 truck-days.
    pub false_drains_per_100_truck_days: Spread,
}

fn kind_spread(kind: EventKind, scores: &[&KindScore]) -> Option<KindSpread> {
    let pick =
        |f: &dyn Fn(&KindScore) -> f64| spread(&scores.iter().map(|s| f(s)).collect::<Vec<_>>());
    Some(KindSpread {
        kind,
        precision: pick(&|s| s.precision)?,
        recall: pick(&|s| s.recall)?,
        f1: pick(&|s| s.f1)?,
        median_volume_error: pick(&|s| s.median_volume_error.unwrap_or(f64::NAN)),
    })
}

/// Mean and spread of one method's scores over runs; `None` without runs.
pub fn summarize(scores: &[Score]) -> Option<ScoreSpread> {
    let fills: Vec<&KindScore> = scores.iter().map(|s| &s.fill).collect();
    let drains: Vec<&KindScore> = scores.iter().map(|s| &s.drain).collect();
    let fd: Vec<f64> = scores
        .iter()
        .map(|s| s.false_drains_per_100_truck_days)
        .collect();
    Some(ScoreSpread {
        runs: scores.len(),
        fill: kind_spread(EventKind::Fill, &fills)?,
        drain: kind_spread(EventKind::Drain, &drains)?,
        false_drains_per_100_truck_days: spread(&fd)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::{TraccarConfig, traccar};
    use fc_model::{Tank, TelemetryPoint, TruckProfile};

    const M: i64 = 60_000;

    fn label(kind: EventKind, start_min: i64, vol: f64) -> Label {
        Label {
            truck_id: "T".into(),
            kind,
            start_ms: start_min * M,
            end_ms: (start_min + 10) * M,
            volume_l: vol,
        }
    }

    /// Real events through Traccar on a tiny series (steps every 10 min).
    fn detected() -> Vec<FuelEvent> {
        let levels = [100.0, 300.0, 300.0, 270.0, 270.0, 240.0, 240.0];
        let pts: Vec<TelemetryPoint> = levels
            .iter()
            .enumerate()
            .map(|(i, &l)| {
                let mut p = TelemetryPoint::new("T", i as i64 * 10 * M);
                p.fuel_l = Some(l);
                p
            })
            .collect();
        let profile = TruckProfile {
            truck_id: "T".into(),
            name: "T".into(),
            fuel_type: None,
            tanks: vec![Tank {
                capacity_l: 500.0,
                calibration: None,
            }],
        };
        traccar(&profile, &pts, &TraccarConfig::default())
    }

    #[test]
    fn matching_is_one_to_one_with_slack() {
        let ev = detected();
        assert_eq!(ev.len(), 3); // fill at 0-10, drains at 20-30 and 40-50
        let labels = vec![
            label(EventKind::Fill, 35, 210.0), // 25 min after the fill ends: matched with slack
            label(EventKind::Drain, 22, 30.0),
            label(EventKind::Drain, 24, 30.0), // both drains overlap both labels; one to one
            label(EventKind::Drain, 300, 50.0), // missed
        ];
        let m = match_events(&ev, &labels);
        assert_eq!(m.len(), 3);
        let s = score(&ev, &labels, 2.0);
        assert_eq!(s.fill.true_positives, 1);
        assert!((s.fill.median_volume_error.unwrap() - 10.0 / 210.0).abs() < 1e-9);
        assert_eq!(s.drain.true_positives, 2);
        assert_eq!(s.drain.false_negatives, 1);
        assert!((s.drain.recall - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(s.drain.precision, 1.0);
        assert!((s.drain.f1 - 0.8).abs() < 1e-12);
        assert_eq!(s.false_drains_per_100_truck_days, 0.0);
        // a label of the wrong kind or far away does not match
        let far = vec![
            label(EventKind::Drain, 0, 200.0),
            label(EventKind::Fill, 200, 200.0),
        ];
        let s = score(&ev, &far, 2.0);
        assert_eq!(s.fill.true_positives + s.drain.true_positives, 1);
        assert_eq!(s.drain.false_positives, 1);
        assert_eq!(s.false_drains_per_100_truck_days, 50.0);
    }

    #[test]
    fn spread_over_runs() {
        assert_eq!(spread(&[]), None);
        assert_eq!(spread(&[f64::NAN]), None);
        let s = spread(&[1.0, 2.0, 3.0, f64::NAN]).unwrap();
        assert_eq!((s.mean, s.min, s.max, s.n), (2.0, 1.0, 3.0, 3));
        assert!((s.sd - 1.0).abs() < 1e-12);
        assert_eq!(spread(&[0.5]).unwrap().sd, 0.0);
    }

    #[test]
    fn evaluator_runs_every_method_and_summaries_spread() {
        let profile = TruckProfile {
            truck_id: "T".into(),
            name: "T".into(),
            fuel_type: None,
            tanks: vec![Tank {
                capacity_l: 500.0,
                calibration: None,
            }],
        };
        let mut ev = Evaluator::new(std::slice::from_ref(&profile), &DetectorConfig::default());
        ev.trace("T");
        // parked, engine off, every 2 min: 300 L, a 100 L fill, then a 60 L siphon
        for i in 0..240i64 {
            let mut p = TelemetryPoint::new("T", i * 2 * M);
            // a real gauge: a little deterministic jitter
            let jitter = ((i * 7919) % 13 - 6) as f64 * 0.08;
            p.fuel_l = Some(
                jitter
                    + match i {
                        0..80 => 300.0,
                        80..160 => 400.0,
                        _ => 340.0,
                    },
            );
            p.speed_kmh = Some(0.0);
            p.ignition = Some(false);
            ev.push(p);
        }
        ev.push(TelemetryPoint::new("nobody", 0));
        assert_eq!(ev.unknown_rows(), 1);
        let out = ev.finish();
        assert!(out.traces.contains_key("T"));
        let labels = vec![
            Label {
                truck_id: "T".into(),
                kind: EventKind::Fill,
                start_ms: 159 * M,
                end_ms: 160 * M,
                volume_l: 100.0,
            },
            Label {
                truck_id: "T".into(),
                kind: EventKind::Drain,
                start_ms: 319 * M,
                end_ms: 320 * M,
                volume_l: 60.0,
            },
        ];
        let scores = out.score(&labels, 1.0);
        assert_eq!(scores.len(), 3);
        for (m, s) in &scores {
            // a clean step is found by everyone
            assert_eq!(s.fill.true_positives, 1, "{m:?} {s:?}");
            assert_eq!(s.drain.true_positives, 1, "{m:?} {s:?}");
        }
        // The last level was read at 478 min: a label that ends after it cannot be seen.
        assert_eq!(out.last_level_ms.get("T"), Some(&(478 * M)));
        let mut late = labels.clone();
        late.push(Label {
            truck_id: "T".into(),
            kind: EventKind::Drain,
            start_ms: 470 * M,
            end_ms: 490 * M,
            volume_l: 50.0,
        });
        late.push(Label {
            truck_id: "nobody".into(),
            kind: EventKind::Drain,
            start_ms: 0,
            end_ms: M,
            volume_l: 50.0,
        });
        assert_eq!(out.observable(&late), labels);
        let ours: Vec<Score> = vec![scores[0].1.clone(), scores[0].1.clone()];
        let sum = summarize(&ours).unwrap();
        assert_eq!(sum.runs, 2);
        assert_eq!(sum.fill.f1.mean, 1.0);
        assert_eq!(sum.fill.f1.sd, 0.0);
        assert!(summarize(&[]).is_none());
    }
}
