//! The dispatcher feedback loop (decision 14): reefer top-ups at the depot look like
//! siphoning to any rule. After false-alarm verdicts on some of them and a retrain,
//! the confidence of that pattern's other events falls well beyond noise, while real
//! thefts stay high.

mod common;

use std::collections::HashMap;

use fc_ledger::EventKind;
use fc_ml::dataset::{self, items, true_ids};
use fc_ml::{Model, TrainingInfo};
use fc_sim::{Profile, SimConfig};

const SLACK_MS: i64 = 30 * 60_000;

fn mean_sd(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let sd = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
    (m, sd)
}

#[test]
fn false_alarm_verdicts_on_reefer_top_ups_lower_that_pattern_only() {
    // The fleet the first model learns from: no reefers, simulator labels.
    let base = common::simulate(&SimConfig::new(40, 14, 7101, Profile::Hard));
    let no_verdicts = HashMap::new();
    let ctx = dataset::context(&base.out, common::tz(), &base.purchases, &[]);
    let base_rows = dataset::rows(&base.out, &ctx, Some(&base.labels), &no_verdicts, "base");
    let v1 = Model::train(&base_rows, TrainingInfo::default(), Vec::new()).expect("train v1");

    // A fleet whose reefer trucks top up their units at the depot every evening.
    let cfg = SimConfig {
        reefer: true,
        ..SimConfig::new(24, 14, 7102, Profile::Hard)
    };
    let fleet = common::simulate(&cfg);
    let reefer: Vec<_> = fleet
        .traps
        .iter()
        .filter(|t| t.kind == "reefer_transfer")
        .collect();
    eprintln!("{} reefer top-ups", reefer.len());
    assert!(reefer.len() >= 20, "{} reefer top-ups", reefer.len());
    let real = true_ids(&fleet.out, &fleet.labels);
    let all = items(&fleet.out);
    let is_reefer = |truck: &str, s: i64, e: i64| {
        reefer
            .iter()
            .any(|t| t.truck_id == truck && s - SLACK_MS <= t.end && t.start <= e + SLACK_MS)
    };
    let half = SimConfig::new(1, 7, 1, Profile::Default).end_ms();
    // Verdicts on the first week: its reefer drains are false alarms, its thefts confirmed.
    let mut verdicts = HashMap::new();
    for (_, it, _) in &all {
        if it.kind != EventKind::Drain || it.start_ms >= half {
            continue;
        }
        if is_reefer(it.truck_id, it.start_ms, it.end_ms) && !real.contains(it.id) {
            verdicts.insert(it.id.to_string(), true);
        } else if real.contains(it.id) {
            verdicts.insert(it.id.to_string(), false);
        }
    }
    let n_false = verdicts.values().filter(|v| **v).count();
    assert!(n_false >= 8, "{n_false} false-alarm verdicts");
    let places = dataset::verdict_places(&fleet.out, &verdicts);
    let ctx2 = dataset::context(&fleet.out, common::tz(), &fleet.purchases, &places);
    let mut rows = base_rows.clone();
    rows.extend(dataset::rows(&fleet.out, &ctx2, None, &verdicts, "fleet"));
    let v2 = Model::train(&rows, TrainingInfo::default(), places.clone()).expect("train v2");
    assert_eq!(v2.verdicts.len(), places.len());
    for (name, m) in [("v1", &v1), ("v2", &v2)] {
        let h = m.head(EventKind::Drain).expect("drain head");
        eprintln!(
            "{name}: rows {} pos {} platt {:.3} {:.3} auc {:.3} fa-coef {:.3} ok-coef {:.3}",
            h.rows, h.positives, h.platt_a, h.platt_b, h.metrics.roc_auc, h.coef[26], h.coef[27]
        );
    }

    // Second week, no verdicts: the same pattern, and real thefts.
    let ctx1 = dataset::context(&fleet.out, common::tz(), &fleet.purchases, &v1.verdicts);
    let score = |m: &Model, ctx: &fc_ml::FleetContext, want_reefer: bool| -> Vec<f64> {
        all.iter()
            .filter(|(_, it, _)| it.kind == EventKind::Drain && it.start_ms >= half)
            .filter(|(_, it, _)| {
                if want_reefer {
                    is_reefer(it.truck_id, it.start_ms, it.end_ms) && !real.contains(it.id)
                } else {
                    real.contains(it.id)
                }
            })
            .map(|(ti, it, _)| {
                m.score_item(ctx, it, Some(&fleet.out.trucks[*ti].track))
                    .expect("drain head")
                    .probability
            })
            .collect()
    };
    let before = score(&v1, &ctx1, true);
    let after = score(&v2, &ctx2, true);
    assert!(
        before.len() >= 8,
        "{} reefer drains in week two",
        before.len()
    );
    let (b, bsd) = mean_sd(&before);
    let (a, asd) = mean_sd(&after);
    let se = ((bsd * bsd + asd * asd) / before.len() as f64).sqrt();
    eprintln!(
        "reefer drains in week two: {} ; mean confidence {b:.3} -> {a:.3} (se {se:.3})",
        before.len()
    );
    // A rule cannot know this pattern: the first model took them for thefts.
    assert!(b > 0.5, "before {b}");
    assert!(
        b - a > 0.3 && b - a > 4.0 * se,
        "before {b} after {a} se {se}"
    );
    let thefts_before = score(&v1, &ctx1, false);
    let thefts_after = score(&v2, &ctx2, false);
    assert!(thefts_after.len() >= 5, "{} thefts", thefts_after.len());
    let (tb, _) = mean_sd(&thefts_before);
    let (ta, _) = mean_sd(&thefts_after);
    eprintln!(
        "real thefts in week two: {} ; mean confidence {tb:.3} -> {ta:.3}",
        thefts_after.len()
    );
    assert!(ta > 0.6 && tb - ta < 0.15, "thefts {tb} -> {ta}");
}
