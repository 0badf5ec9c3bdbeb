//! Trains on simulator seeds, evaluates rule-only against rule+ML on other seeds,
//! and measures training and scoring speed.
//!
//! `cargo run --release -p fc-ml --example ml_bench -- [--train 1001-1003] [--eval 1-5]
//!  [--profile hard] [--trucks 50] [--days 14] [--train-points 1000000]`

use std::collections::HashMap;
use std::time::Instant;

use fc_ledger::eval::Label;
use fc_ledger::{DetectorConfig, EventKind};
use fc_ml::dataset::{self, FleetOutput};
use fc_ml::metrics::compare;
use fc_ml::{FleetRun, Model, TrainingInfo};
use fc_sim::{Fleet, LabelKind, Profile, SimConfig};

fn seeds(s: &str) -> Vec<u64> {
    let mut v = Vec::new();
    for part in s.split(',') {
        if let Some((a, b)) = part.split_once('-') {
            if let (Ok(a), Ok(b)) = (a.parse::<u64>(), b.parse::<u64>()) {
                v.extend(a..=b);
            }
        } else if let Ok(x) = part.parse() {
            v.push(x);
        }
    }
    v
}

struct Sim {
    out: FleetOutput,
    labels: Vec<Label>,
    purchases: Vec<fc_model::Purchase>,
    truck_days: f64,
}

fn simulate(cfg: &SimConfig, max_points: Option<u64>) -> Sim {
    let mut fleet = Fleet::new(cfg).expect("valid config");
    let mut run = FleetRun::new(fleet.trucks(), &DetectorConfig::default());
    let mut labels = Vec::new();
    let end = fleet.end_ms();
    let mut t = fleet.start_ms();
    let mut n = 0u64;
    let mut purchases = Vec::new();
    loop {
        t = (t + 3_600_000).min(end);
        for p in fleet.next_until(t) {
            run.push(&p);
            n += 1;
        }
        labels.extend(fleet.take_labels().into_iter().map(|l| Label {
            truck_id: l.truck_id,
            kind: match l.kind {
                LabelKind::Fill => EventKind::Fill,
                LabelKind::Drain => EventKind::Drain,
            },
            start_ms: l.start,
            end_ms: l.end,
            volume_l: l.volume_l,
        }));
        purchases.extend(fleet.take_purchases());
        if (t >= end && fleet.is_finished()) || max_points.is_some_and(|m| n >= m) {
            break;
        }
    }
    Sim {
        out: run.finish(),
        labels,
        purchases,
        truck_days: cfg.trucks as f64 * f64::from(cfg.days),
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |k: &str, d: &str| {
        args.iter()
            .position(|a| a == k)
            .and_then(|i| args.get(i + 1).cloned())
            .unwrap_or_else(|| d.to_string())
    };
    let train_seeds = seeds(&get("--train", "1001-1003"));
    let eval_seeds = seeds(&get("--eval", "1-5"));
    let profile: Profile = get("--profile", "hard").parse().expect("profile");
    let trucks: usize = get("--trucks", "50").parse().expect("trucks");
    let days: u32 = get("--days", "14").parse().expect("days");
    let tz: chrono_tz::Tz = "Europe/Paris".parse().expect("zone");
    assert!(
        train_seeds.iter().all(|s| !eval_seeds.contains(s)),
        "training and evaluation seeds must differ"
    );

    // Training set.
    let no_verdicts = HashMap::new();
    let mut rows = Vec::new();
    let mut points = 0u64;
    let mut detect_s = 0.0;
    for &s in &train_seeds {
        let sim = simulate(&SimConfig::new(trucks, days, s, profile), None);
        let t0 = Instant::now();
        let ctx = dataset::context(&sim.out, tz, &sim.purchases, &[]);
        rows.extend(dataset::rows(
            &sim.out,
            &ctx,
            Some(&sim.labels),
            &no_verdicts,
            &format!("seed {s}"),
        ));
        detect_s += t0.elapsed().as_secs_f64();
        points += sim.out.points;
    }
    let t0 = Instant::now();
    let model = Model::train(
        &rows,
        TrainingInfo {
            seeds: train_seeds.clone(),
            points,
            ..TrainingInfo::default()
        },
        Vec::new(),
    )
    .expect("training");
    println!(
        "training set: {} seeds, {points} points, {} rows, {} positives; fit {:.2} s (features {:.2} s)",
        train_seeds.len(),
        rows.len(),
        model.training.positives,
        t0.elapsed().as_secs_f64(),
        detect_s
    );
    for h in &model.heads {
        println!(
            "  {}: rows {} pos {} held-out auc {:.3} (rule {:.3}) brier {:.4} t@rule-recall {:.3}",
            h.kind.code(),
            h.rows,
            h.positives,
            h.metrics.roc_auc,
            h.metrics.rule_roc_auc,
            h.metrics.brier,
            h.threshold_at_rule_recall
        );
        let mut c: Vec<(usize, f64)> = h.coef.iter().copied().enumerate().collect();
        c.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
        let top: Vec<String> = c
            .iter()
            .take(8)
            .map(|(i, w)| format!("{}={w:+.2}", model.features[*i]))
            .collect();
        println!("    {}", top.join(" "));
    }

    // Evaluation on other seeds.
    let mut per_seed = Vec::new();
    for &s in &eval_seeds {
        let sim = simulate(&SimConfig::new(trucks, days, s, profile), None);
        let ctx = dataset::context(&sim.out, tz, &sim.purchases, &model.verdicts);
        let cmp = compare(&sim.out, &ctx, &model, &sim.labels, sim.truck_days, 0.8);
        for k in &cmp {
            for o in &k.operating {
                println!(
                    "seed {s} {} {:<20} t={:.3} alarms {:4} tp {:4} fp {:4} P {:.3} R {:.3} F1 {:.3} fp/100td {:.2}",
                    k.kind,
                    o.method,
                    o.threshold,
                    o.alarms,
                    o.true_positives,
                    o.false_positives,
                    o.precision,
                    o.recall,
                    o.f1,
                    o.false_per_100_truck_days
                );
            }
            println!(
                "seed {s} {} P@{} rules {:.3} ml {:.3}; AUC rules {:.3} ml {:.3}",
                k.kind,
                k.top_k,
                k.rule_precision_at_top,
                k.ml_precision_at_top,
                k.rule_roc_auc,
                k.ml_roc_auc
            );
        }
        per_seed.push(cmp);
    }
    let _ = per_seed;
}
