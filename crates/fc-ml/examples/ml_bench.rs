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
    let mut bench_items: Vec<Sim> = Vec::new();
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
        if bench_items.is_empty() {
            bench_items.push(sim);
        }
    }
    let ms = |v: &[f64]| {
        let n = v.len() as f64;
        let m = v.iter().sum::<f64>() / n;
        let sd = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
        (m, sd)
    };
    println!(
        "\nSUMMARY over {} evaluation seeds ({profile:?}, {trucks} trucks x {days} days), training seeds {train_seeds:?}",
        eval_seeds.len()
    );
    for kind in ["drain", "fill"] {
        for method in [
            "rules",
            "ml_fleet_threshold",
            "ml_rule_recall",
            "ml_same_recall",
        ] {
            let ops: Vec<&fc_ml::metrics::Operating> = per_seed
                .iter()
                .flat_map(|c| c.iter().filter(|k| k.kind == kind))
                .flat_map(|k| k.operating.iter().filter(|o| o.method == method))
                .collect();
            if ops.is_empty() {
                continue;
            }
            let f = |g: &dyn Fn(&fc_ml::metrics::Operating) -> f64| {
                ms(&ops.iter().map(|o| g(o)).collect::<Vec<_>>())
            };
            let (p, psd) = f(&|o| o.precision);
            let (r, rsd) = f(&|o| o.recall);
            let (f1, f1sd) = f(&|o| o.f1);
            let (fp, fpsd) = f(&|o| o.false_positives as f64);
            let (fr, frsd) = f(&|o| o.false_per_100_truck_days);
            println!(
                "{kind:<5} {method:<20} P {p:.3}±{psd:.3} R {r:.3}±{rsd:.3} F1 {f1:.3}±{f1sd:.3} false alarms {fp:.1}±{fpsd:.1} ({fr:.2}±{frsd:.2} /100 truck-days)"
            );
        }
        let ks: Vec<&fc_ml::metrics::KindComparison> = per_seed
            .iter()
            .flat_map(|c| c.iter().filter(|k| k.kind == kind))
            .collect();
        if ks.is_empty() {
            continue;
        }
        let (a, asd) = ms(&ks
            .iter()
            .map(|k| k.rule_precision_at_top)
            .collect::<Vec<_>>());
        let (b, bsd) = ms(&ks.iter().map(|k| k.ml_precision_at_top).collect::<Vec<_>>());
        let (c, csd) = ms(&ks.iter().map(|k| k.rule_roc_auc).collect::<Vec<_>>());
        let (d, dsd) = ms(&ks.iter().map(|k| k.ml_roc_auc).collect::<Vec<_>>());
        println!(
            "{kind:<5} precision at top 10/100 truck-days: rules {a:.3}±{asd:.3} ml {b:.3}±{bsd:.3}; ROC AUC rules {c:.3}±{csd:.3} ml {d:.3}±{dsd:.3}"
        );
        // False drain alarms at the same recall: per seed, ML's against the rules'.
        let red: Vec<f64> = ks
            .iter()
            .filter_map(|k| {
                let rules = k.operating.iter().find(|o| o.method == "rules")?;
                let same = k.operating.iter().find(|o| o.method == "ml_same_recall")?;
                (rules.false_positives > 0)
                    .then(|| 1.0 - same.false_positives as f64 / rules.false_positives as f64)
            })
            .collect();
        if !red.is_empty() {
            let (m, sd) = ms(&red);
            println!(
                "{kind:<5} fewer false alarms at the rules' recall (ml_same_recall vs rules): {:.0}% ± {:.0}% over {} seeds",
                m * 100.0,
                sd * 100.0,
                red.len()
            );
        }
        let pooled = |method: &str| -> f64 {
            ks.iter()
                .filter_map(|k| k.operating.iter().find(|o| o.method == method))
                .map(|o| o.false_positives as f64)
                .sum()
        };
        println!(
            "{kind:<5} false alarms pooled over seeds: rules {} ml_rule_recall {} ml_same_recall {}",
            pooled("rules"),
            pooled("ml_rule_recall"),
            pooled("ml_same_recall")
        );
    }

    // Training speed on >= 1M points held in memory (simulation not counted).
    let target: u64 = get("--train-points", "1000000").parse().expect("points");
    let mut pts = Vec::new();
    let mut labels = Vec::new();
    let mut purchases = Vec::new();
    let mut profiles = Vec::new();
    let mut seed = 2001;
    while (pts.len() as u64) < target {
        let cfg = SimConfig::new(trucks, days, seed, profile);
        let mut fleet = Fleet::new(&cfg).expect("config");
        for p in fleet.trucks() {
            let mut p = p.clone();
            p.truck_id = format!("s{seed}-{}", p.truck_id);
            profiles.push(p);
        }
        let end = fleet.end_ms();
        for mut p in fleet.next_until(end + 86_400_000) {
            p.truck_id = format!("s{seed}-{}", p.truck_id);
            pts.push(p);
        }
        for l in fleet.take_labels() {
            labels.push(Label {
                truck_id: format!("s{seed}-{}", l.truck_id),
                kind: match l.kind {
                    LabelKind::Fill => EventKind::Fill,
                    LabelKind::Drain => EventKind::Drain,
                },
                start_ms: l.start,
                end_ms: l.end,
                volume_l: l.volume_l,
            });
        }
        for mut p in fleet.take_purchases() {
            p.truck_id = format!("s{seed}-{}", p.truck_id);
            purchases.push(p);
        }
        seed += 1;
    }
    let t0 = Instant::now();
    let mut run = FleetRun::new(&profiles, &DetectorConfig::default());
    for p in &pts {
        run.push(p);
    }
    let out = run.finish();
    let t_detect = t0.elapsed().as_secs_f64();
    let ctx = dataset::context(&out, tz, &purchases, &[]);
    let rows = dataset::rows(&out, &ctx, Some(&labels), &no_verdicts, "bench");
    let t_rows = t0.elapsed().as_secs_f64();
    let m = Model::train(&rows, TrainingInfo::default(), Vec::new()).expect("train");
    let t_all = t0.elapsed().as_secs_f64();
    println!(
        "\nTRAINING on {} points: {:.2} s total (detector + tracks {:.2} s, features and labels {:.2} s, mixture + logistic + calibration {:.2} s), {} rows",
        pts.len(),
        t_all,
        t_detect,
        t_rows - t_detect,
        t_all - t_rows,
        rows.len()
    );
    let _ = m;

    // Scoring speed: features from the context plus the calibrated probability
    // (and, separately, with the explanation), over a real fleet's candidates and events.
    let sim = &bench_items[0];
    let ctx = dataset::context(&sim.out, tz, &sim.purchases, &model.verdicts);
    let its = dataset::items(&sim.out);
    let mut n = 0usize;
    let mut sink = 0.0;
    let t0 = Instant::now();
    while n < 1_000_000 {
        for (ti, it, _) in &its {
            let tr = &sim.out.trucks[*ti].track;
            let tf = tr.features(
                it.start_ms,
                it.end_ms,
                it.evidence.window_start_ms,
                it.evidence.window_end_ms,
            );
            let x = ctx.features(it, Some(&tf));
            sink += model.probability(it.kind, &x).unwrap_or(0.0);
            n += 1;
        }
    }
    let fast = n as f64 / t0.elapsed().as_secs_f64();
    let mut n2 = 0usize;
    let t0 = Instant::now();
    while n2 < 300_000 {
        for (ti, it, _) in &its {
            if let Some(s) = model.score_item(&ctx, it, Some(&sim.out.trucks[*ti].track)) {
                sink += s.probability;
            }
            n2 += 1;
        }
    }
    let explained = n2 as f64 / t0.elapsed().as_secs_f64();
    println!(
        "SCORING: {:.0} candidate events/s (features + probability), {:.0}/s with explanations ({} distinct items; checksum {:.1})",
        fast,
        explained,
        its.len(),
        sink
    );
}
