//! Evaluation against labels: one-to-one matching (decision 13), precision,
//! recall, F1, median volume error per kind, false drain alarms per 100 truck-days.

use serde::{Deserialize, Serialize};

use crate::event::{EventKind, EventStatus, FuelEvent};

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
}
