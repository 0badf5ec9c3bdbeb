//! Rule-only against rule+ML on one labelled fleet: precision, recall, F1, false
//! alarms per 100 truck-days, precision at the top 10 alerts per 100 truck-days
//! and ROC AUC, per kind.

use fc_ledger::eval::{Label, score};
use fc_ledger::{EventKind, FuelEvent};
use serde::{Deserialize, Serialize};

use crate::dataset::{FleetOutput, candidate_as_event, items, true_ids};
use crate::features::FleetContext;
use crate::model::{Model, roc_auc};

/// Alerts per 100 truck-days for the precision-at-top figure.
pub const TOP_PER_100_TRUCK_DAYS: f64 = 10.0;

/// One way of choosing alarms, scored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Operating {
    /// `rules`, `ml_fleet_threshold`, `ml_rule_recall` (threshold chosen on the training
    /// seeds) or `ml_same_recall` (threshold chosen on this set to match the rules' recall).
    pub method: String,
    /// Probability threshold (NaN for rules: the detector's own alarms).
    pub threshold: f64,
    /// Alarms raised.
    pub alarms: usize,
    /// Matched alarms.
    pub true_positives: usize,
    /// Unmatched alarms.
    pub false_positives: usize,
    /// Missed labels.
    pub false_negatives: usize,
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
    /// False alarms per 100 truck-days.
    pub false_per_100_truck_days: f64,
}

/// Rule-only and rule+ML figures for one kind on one fleet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KindComparison {
    /// `fill` or `drain`.
    pub kind: String,
    /// Items ranked (events and candidates).
    pub items: usize,
    /// Labels.
    pub labels: usize,
    /// The operating points, rules first.
    pub operating: Vec<Operating>,
    /// Precision of the top k alerts by rule confidence (k = 10 per 100 truck-days).
    pub rule_precision_at_top: f64,
    /// Same, ranked by the model.
    pub ml_precision_at_top: f64,
    /// k.
    pub top_k: usize,
    /// ROC AUC of the rule's confidence over all items (real = matched to a label).
    pub rule_roc_auc: f64,
    /// ROC AUC of the model's confidence over the same items.
    pub ml_roc_auc: f64,
}

fn operating(
    method: &str,
    threshold: f64,
    alarms: &[FuelEvent],
    labels: &[Label],
    kind: EventKind,
    truck_days: f64,
) -> Operating {
    let s = score(alarms, labels, truck_days);
    let k = if kind == EventKind::Fill {
        s.fill
    } else {
        s.drain
    };
    Operating {
        method: method.to_string(),
        threshold,
        alarms: k.true_positives + k.false_positives,
        true_positives: k.true_positives,
        false_positives: k.false_positives,
        false_negatives: k.false_negatives,
        precision: k.precision,
        recall: k.recall,
        f1: k.f1,
        false_per_100_truck_days: if truck_days > 0.0 {
            k.false_positives as f64 * 100.0 / truck_days
        } else {
            0.0
        },
    }
}

/// One ranked item: rule confidence, model probability, the rule alerted, the
/// change as an event, and whether it is real.
type Ranked = (f64, f64, bool, FuelEvent, bool);

/// Compares rules and rules+ML on a labelled fleet, for fills and drains.
pub fn compare(
    out: &FleetOutput,
    ctx: &FleetContext,
    model: &Model,
    labels: &[Label],
    truck_days: f64,
    fleet_threshold: f64,
) -> Vec<KindComparison> {
    let real = true_ids(out, labels);
    let all = items(out);
    let mut result = Vec::new();
    for kind in [EventKind::Drain, EventKind::Fill] {
        let Some(head) = model.head(kind) else {
            continue;
        };
        let labels_k: Vec<Label> = labels.iter().filter(|l| l.kind == kind).cloned().collect();
        let mut scored: Vec<Ranked> = Vec::new();
        for (ti, it, rule_alarm) in all.iter().filter(|(_, it, _)| it.kind == kind) {
            let p = model
                .score_item(ctx, it, Some(&out.trucks[*ti].track))
                .map_or(it.rule_confidence, |s| s.probability);
            let ev = if *rule_alarm {
                out.trucks[*ti]
                    .events
                    .iter()
                    .find(|e| e.id == it.id)
                    .cloned()
            } else {
                out.trucks[*ti]
                    .candidates
                    .iter()
                    .find(|c| c.id == it.id)
                    .map(candidate_as_event)
            };
            if let Some(ev) = ev {
                scored.push((it.rule_confidence, p, *rule_alarm, ev, real.contains(it.id)));
            }
        }
        let rules: Vec<FuelEvent> = scored.iter().filter(|s| s.2).map(|s| s.3.clone()).collect();
        let above = |t: f64| -> Vec<FuelEvent> {
            scored
                .iter()
                .filter(|s| s.1 >= t)
                .map(|s| s.3.clone())
                .collect()
        };
        let mut ops = vec![operating(
            "rules",
            f64::NAN,
            &rules,
            &labels_k,
            kind,
            truck_days,
        )];
        ops.push(operating(
            "ml_fleet_threshold",
            fleet_threshold,
            &above(fleet_threshold),
            &labels_k,
            kind,
            truck_days,
        ));
        let t = head.threshold_at_rule_recall;
        ops.push(operating(
            "ml_rule_recall",
            t,
            &above(t),
            &labels_k,
            kind,
            truck_days,
        ));
        // The highest threshold on this set whose recall is at least the rules'.
        let rule_recall = ops[0].recall;
        let mut ps: Vec<f64> = scored.iter().map(|s| s.1).collect();
        ps.sort_by(|a, b| b.total_cmp(a));
        ps.dedup();
        let mut same = None;
        for &t in &ps {
            let o = operating("ml_same_recall", t, &above(t), &labels_k, kind, truck_days);
            if o.recall >= rule_recall - 1e-12 {
                same = Some(o);
                break;
            }
        }
        if let Some(o) = same {
            ops.push(o);
        }
        let top_k = ((TOP_PER_100_TRUCK_DAYS * truck_days / 100.0).round() as usize).max(1);
        let top = |by: &dyn Fn(&Ranked) -> f64| {
            let mut idx: Vec<usize> = (0..scored.len()).collect();
            idx.sort_by(|&a, &b| by(&scored[b]).total_cmp(&by(&scored[a])));
            let chosen: Vec<FuelEvent> = idx
                .iter()
                .take(top_k)
                .map(|&i| scored[i].3.clone())
                .collect();
            let s = score(&chosen, &labels_k, truck_days);
            let k = if kind == EventKind::Fill {
                s.fill
            } else {
                s.drain
            };
            k.true_positives as f64 / top_k as f64
        };
        let y: Vec<bool> = scored.iter().map(|s| s.4).collect();
        let rule_s: Vec<f64> = scored.iter().map(|s| s.0).collect();
        let ml_s: Vec<f64> = scored.iter().map(|s| s.1).collect();
        result.push(KindComparison {
            kind: kind.code().to_string(),
            items: scored.len(),
            labels: labels_k.len(),
            operating: ops,
            // Ties in rule confidence are broken towards the detector's own alarms.
            rule_precision_at_top: top(&|s| s.0 + if s.2 { 1.0 } else { 0.0 }),
            ml_precision_at_top: top(&|s| s.1),
            top_k,
            rule_roc_auc: roc_auc(&rule_s, &y),
            ml_roc_auc: roc_auc(&ml_s, &y),
        });
    }
    result
}
