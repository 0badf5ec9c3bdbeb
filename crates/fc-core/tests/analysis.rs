//! Analysis end to end on a small simulated fleet: simulate to a temp dir,
//! analyse the files in memory, check the JSON shape, reconciliation, events
//! near the labels, and the HTML report (self-contained, escaped, translated).

use std::path::Path;
use std::sync::Arc;

use fc_core::{
    AnalysisReport, AnalyzeRequest, EvalRequest, EventModel, FleetSettings, SimConfig, SimProfile,
    analyze_files, evaluate, render_html, simulate,
};
use fc_i18n::{Lang, Units};
use fc_ledger::{EventKind, Evidence};
use fc_model::parse_rfc3339_ms;

fn fleet(dir: &Path) -> SimConfig {
    let cfg = SimConfig::new(4, 3, 3, SimProfile::Default);
    simulate(dir, &cfg).expect("simulate");
    cfg
}

fn analyze(dir: &Path, model: Option<Arc<dyn EventModel>>) -> AnalysisReport {
    let request = AnalyzeRequest {
        // trucks and purchases recognised by their headers, given after the telemetry
        files: vec![
            dir.join("telemetry.csv"),
            dir.join("trucks.csv"),
            dir.join("purchases.csv"),
        ],
        candidates: true,
        model,
        ..AnalyzeRequest::default()
    };
    analyze_files(&request, &FleetSettings::default(), &mut |_| {}).expect("analyze")
}

struct Labels(Vec<(String, String, i64, i64, f64)>);

fn labels(dir: &Path) -> Labels {
    let text = std::fs::read_to_string(dir.join("labels.csv")).unwrap();
    Labels(
        text.lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&str> = l.split(',').collect();
                (
                    f[0].to_string(),
                    f[1].to_string(),
                    parse_rfc3339_ms(f[2]).unwrap(),
                    parse_rfc3339_ms(f[3]).unwrap(),
                    f[4].parse().unwrap(),
                )
            })
            .collect(),
    )
}

#[test]
fn analyze_json_shape_reconciliation_and_events_near_labels() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fleet(dir);
    let report = analyze(dir, None);
    let json = serde_json::to_value(&report).unwrap();
    for key in ["events", "trucks", "purchases", "rejected_rows"] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    assert_eq!(json["trucks"].as_array().unwrap().len(), 4);
    for t in json["trucks"].as_array().unwrap() {
        for key in [
            "truck_id",
            "distance_km",
            "fuel_used_l",
            "l_per_100km",
            "mpg_us",
            "idle_h",
            "idle_fuel_l",
        ] {
            assert!(t.get(key).is_some(), "truck without {key}: {t}");
        }
        assert!(t["distance_km"].as_f64().unwrap() > 10.0, "{t}");
    }
    let events = json["events"].as_array().unwrap();
    assert!(!events.is_empty());
    for e in events {
        assert!(matches!(e["kind"].as_str(), Some("fill" | "drain")), "{e}");
        for key in [
            "truck_id",
            "start",
            "end",
            "volume_l",
            "lat",
            "lon",
            "confidence",
        ] {
            assert!(e.get(key).is_some(), "event without {key}: {e}");
        }
        assert!(parse_rfc3339_ms(e["start"].as_str().unwrap()).is_some());
        assert!(e["start"].as_str().unwrap().ends_with('Z'));
        // no model: confidence is the rule's, and no model version is claimed
        assert_eq!(e["confidence"], e["rule_confidence"]);
        assert!(e.get("model_version").is_none());
        assert!(e["confidence"].as_f64().unwrap() >= report.alert_threshold);
    }
    // every purchase has a status; this fleet has at least one matched refuel
    let statuses: Vec<&str> = json["purchases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["status"].as_str().unwrap())
        .collect();
    assert!(!statuses.is_empty());
    assert!(statuses.contains(&"matched"), "{statuses:?}");
    assert!(json["candidates"].is_array());
    assert_eq!(report.rows, 10_749);
    // every alerting event is near a label of its truck and kind (the simulation is labelled)
    let labels = labels(dir);
    for e in &report.events {
        let (s, en) = (
            parse_rfc3339_ms(&e.start).unwrap(),
            parse_rfc3339_ms(&e.end).unwrap(),
        );
        let near = labels.0.iter().any(|l| {
            l.0 == e.truck_id && l.1 == e.kind && s - 3_600_000 <= l.3 && l.2 <= en + 3_600_000
        });
        assert!(near, "alert without a label nearby: {e:?}");
    }
    // the ledger counts every final fill, alerting or not
    let fills: u32 = report.trucks.iter().map(|t| t.fills).sum();
    let labelled_fills = labels.0.iter().filter(|l| l.1 == "fill").count() as u32;
    assert!(fills >= labelled_fills.saturating_sub(1), "{fills} fills");
}

struct Halve;

impl EventModel for Halve {
    fn version(&self) -> String {
        "test-model/1".into()
    }
    fn score(&self, _: EventKind, _: f64, rule: f64, _: &Evidence) -> f64 {
        rule / 2.0
    }
}

#[test]
fn a_model_sets_confidence_and_version() {
    let tmp = tempfile::tempdir().unwrap();
    fleet(tmp.path());
    let plain = analyze(tmp.path(), None);
    let scored = analyze(tmp.path(), Some(Arc::new(Halve)));
    let all = scored.candidates.clone().unwrap_or_default();
    let e = scored
        .events
        .iter()
        .chain(all.iter())
        .find(|e| e.status == "final")
        .expect("a final event");
    assert_eq!(e.model_version.as_deref(), Some("test-model/1"));
    assert_eq!(e.ml_score, Some(e.rule_confidence / 2.0));
    assert!((e.confidence - 0.75 * e.rule_confidence).abs() < 1e-12);
    // a lower combined confidence means fewer alerts, never more
    assert!(scored.events.len() <= plain.events.len());
}

#[test]
fn html_report_is_self_contained_escaped_and_translated() {
    let tmp = tempfile::tempdir().unwrap();
    fleet(tmp.path());
    let mut report = analyze(tmp.path(), None);
    assert!(!report.events.is_empty());
    let evil = "<script>alert(1)</script>";
    report.trucks[0].truck_id = evil.into();
    report.events[0].truck_id = evil.into();
    let html = render_html(&report, Lang::En, Units::default());
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains(evil));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script"));
    for attr in ["src=", "href=", "url(", "@import"] {
        assert!(!html.contains(attr), "external reference {attr}");
    }
    assert!(!html.contains("http"));
    assert!(html.contains("<svg"));
    assert!(html.contains("<polyline"));
    assert!(html.contains("prefers-color-scheme"));
    assert!(html.contains("Fuel ledger per truck"));
    assert!(html.contains("expected consumption"));
    let es = render_html(&report, Lang::Es, Units::default());
    assert!(es.contains("Balance de combustible por camión"));
    assert!(es.contains("Conciliación de tarjetas de combustible"));
    assert!(es.contains("consumo esperado"));
    assert!(es.contains("lang=\"es\""));
    // gallons and miles when the user wants them
    let us = render_html(&report, Lang::En, Units::parse("gal", "mi").expect("units"));
    assert!(us.contains("mpg (US)"));
    assert!(us.contains("Distance (mi)"));
}

#[test]
fn eval_of_a_folder_scores_three_methods() {
    let tmp = tempfile::tempdir().unwrap();
    fleet(tmp.path());
    let mut seen = 0;
    let report = evaluate(
        &EvalRequest {
            dir: Some(tmp.path().to_path_buf()),
            ..EvalRequest::default()
        },
        &mut |_| seen += 1,
    )
    .expect("eval");
    assert_eq!(seen, 1);
    let run = &report.runs[0];
    assert_eq!(run.labels, 4);
    let methods: Vec<&str> = run.methods.iter().map(|m| m.method.as_str()).collect();
    assert_eq!(methods, ["ours", "traccar", "wialon"]);
    assert_eq!(report.summary.len(), 3);
    let ours = &run.methods[0];
    assert!(ours.fill.recall > 0.5, "{ours:?}");
    // a missing folder is an error, not a panic
    assert!(
        evaluate(
            &EvalRequest {
                dir: Some(tmp.path().join("nope")),
                ..EvalRequest::default()
            },
            &mut |_| {}
        )
        .is_err()
    );
}

#[test]
fn eval_over_seeds_reports_mean_and_spread() {
    let report = evaluate(
        &EvalRequest {
            dir: None,
            profiles: vec![SimProfile::Clean],
            seeds: (1..=5).collect(),
            trucks: 2,
            days: 2,
            model: None,
        },
        &mut |_| {},
    )
    .expect("eval");
    assert_eq!(report.runs.len(), 5);
    let ours = report
        .summary
        .iter()
        .find(|m| m.method == "ours")
        .expect("ours");
    assert_eq!(ours.runs, 5);
    assert_eq!(ours.group, "clean");
    assert!(ours.fill.f1.min <= ours.fill.f1.mean && ours.fill.f1.mean <= ours.fill.f1.max);
}
