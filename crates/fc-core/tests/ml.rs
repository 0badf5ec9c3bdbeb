//! The theft model through the core API: training writes a model with its metadata,
//! `analyze` scores with it (ml_score, confidence, model_version, explanation),
//! a missing or damaged file falls back to the rule's confidence, and `eval`
//! refuses a model trained on the seeds it evaluates. (The default file in the
//! app-data folder is covered by the CLI tests, which relocate it.)

use fc_core::{
    AnalyzeRequest, EvalRequest, EventModel, FleetSettings, SimConfig, SimProfile, analyze_files,
    evaluate, load_model, simulate,
};

mod common;

fn trained(dir: &std::path::Path) -> std::path::PathBuf {
    let (out, report) = common::train_small(dir);
    assert_eq!(report.model_file, out.display().to_string());
    assert!(report.rows > 0 && report.points > 10_000, "{report:?}");
    assert!(report.heads.iter().any(|h| h.kind == "drain"), "{report:?}");
    out
}

#[test]
fn a_trained_model_scores_and_explains_analyze_and_eval_keeps_seeds_apart() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let path = trained(tmp.path());
    let load = load_model(Some(&path));
    assert!(load.problem.is_none(), "{:?}", load.problem);
    let model = load.model.expect("model");
    assert_eq!(model.model().training.seeds, vec![1001]);

    let data = tmp.path().join("fleet");
    simulate(&data, &SimConfig::new(6, 5, 42, SimProfile::Hard)).expect("simulate");
    let request = AnalyzeRequest {
        files: vec![data.join("telemetry.csv")],
        trucks: vec![data.join("trucks.csv")],
        purchases: vec![data.join("purchases.csv")],
        candidates: true,
        model: Some(model.clone() as std::sync::Arc<dyn EventModel>),
        ..AnalyzeRequest::default()
    };
    let report = analyze_files(&request, &FleetSettings::default(), &mut |_| {}).expect("analyze");
    let scored: Vec<_> = report
        .events
        .iter()
        .chain(report.candidates.iter().flatten())
        .filter(|e| e.kind != "sensor_fault")
        .collect();
    assert!(!scored.is_empty());
    for e in &scored {
        let ml = e.ml_score.expect("ml score");
        assert!((0.0..=1.0).contains(&ml));
        assert_eq!(e.confidence, ml);
        assert_eq!(e.model_version.as_deref(), Some(model.version().as_str()));
        let why = e.explanation.as_ref().expect("explanation");
        assert!(!why.is_empty() && why.len() <= 4);
        assert_eq!(
            e.alert,
            e.status == "final" && e.confidence >= report.alert_threshold
        );
    }

    // eval refuses the training seed and accepts others.
    let eval = |seeds: Vec<u64>| {
        evaluate(
            &EvalRequest {
                profiles: vec![SimProfile::Hard],
                seeds,
                trucks: 4,
                days: 3,
                model: Some(std::sync::Arc::new(model.model().clone())),
                ..EvalRequest::default()
            },
            &mut |_| {},
        )
    };
    let err = eval(vec![3, 1001]).expect_err("training seed");
    assert_eq!(err.code(), "invalid_input");
    let ok = eval(vec![3]).expect("eval");
    assert!(ok.runs[0].ml.is_some());
    assert!(ok.ml_summary.iter().any(|m| m.method == "rules"));
    assert!(
        ok.ml_summary
            .iter()
            .any(|m| m.method == "ml_fleet_threshold")
    );
}

#[test]
fn missing_or_damaged_model_files_fall_back_to_the_rule() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // Asked for explicitly but missing; damaged; of another version.
    let bad = tmp.path().join("bad.json");
    std::fs::write(&bad, b"{ not json").expect("write");
    let old = tmp.path().join("old.json");
    std::fs::write(
        &old,
        br#"{"format":"fuelcopilot-theft-model","format_version":0}"#,
    )
    .expect("write");
    for (path, code) in [
        (tmp.path().join("nope.json"), "model_missing"),
        (bad, "model_corrupt"),
        (old, "model_incompatible"),
    ] {
        let l = load_model(Some(&path));
        assert!(l.model.is_none());
        assert_eq!(l.problem.as_ref().map(|e| e.code()), Some(code), "{path:?}");
    }
}
