//! The model file: round trip, and every way a file can be unusable (each gives a
//! clear error with a stable code, never a panic).

use fc_ledger::EventKind;
use fc_ml::{FEATURE_NAMES, MlError, Model, N_FEATURES, Row, TrainingInfo};

/// Deterministic pseudo-random numbers in [0, 1).
fn lcg(state: &mut u64) -> f64 {
    *state = state
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (*state >> 11) as f64 / (1u64 << 53) as f64
}

/// Rows where a large, fast drop with the ignition off is real, with noise.
fn rows() -> Vec<Row> {
    let mut s = 7u64;
    let mut out = Vec::new();
    for i in 0..600 {
        let mut x = [0.0; N_FEATURES];
        for v in x.iter_mut() {
            *v = lcg(&mut s);
        }
        x[5] = f64::NAN; // an unknown speed: imputed
        let signal = 2.0 * x[0] + x[1] - x[3];
        let y = signal + 0.6 * (lcg(&mut s) - 0.5) > 1.0;
        out.push(Row {
            kind: if i % 3 == 0 {
                EventKind::Fill
            } else {
                EventKind::Drain
            },
            x,
            y,
            from_verdict: i % 50 == 0,
            rule_alarm: y && i % 4 != 0,
            group: (i % 17) as u64,
        });
    }
    out
}

fn trained() -> Model {
    Model::train(
        &rows(),
        TrainingInfo {
            seeds: vec![1001],
            ..TrainingInfo::default()
        },
        Vec::new(),
    )
    .expect("trains")
}

#[test]
fn a_saved_model_loads_and_scores_the_same_with_its_metadata() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("sub").join("model.json");
    let m = trained();
    assert_eq!(m.heads.len(), 2);
    assert_eq!(m.training.rows, 600);
    assert_eq!(m.training.seeds, vec![1001]);
    assert_eq!(m.training.verdicts, 12);
    assert_eq!(m.features.len(), N_FEATURES + 1);
    let drain = m.head(EventKind::Drain).expect("drain head");
    assert!(drain.metrics.roc_auc > 0.8, "{:?}", drain.metrics);
    m.save(&path).expect("saves");
    let back = Model::load(&path).expect("loads");
    assert_eq!(back.model_version, m.model_version);
    let mut hi = [0.5; N_FEATURES];
    hi[0] = 0.95;
    hi[1] = 0.9;
    hi[3] = 0.05;
    let mut lo = hi;
    lo[0] = 0.05;
    lo[1] = 0.1;
    lo[3] = 0.95;
    for x in [hi, lo] {
        assert_eq!(
            m.probability(EventKind::Drain, &x),
            back.probability(EventKind::Drain, &x)
        );
    }
    let p_hi = back.probability(EventKind::Drain, &hi).expect("p");
    let p_lo = back.probability(EventKind::Drain, &lo).expect("p");
    assert!(
        p_hi > 0.8 && p_lo < 0.2,
        "{p_hi} {p_lo} {:?} {:?}",
        back.explain(EventKind::Drain, &lo),
        back.head(EventKind::Drain)
            .map(|h| (h.platt_a, h.platt_b, h.intercept))
    );
    // The explanation: the same probability, the largest pushes first.
    let s = back.explain(EventKind::Drain, &hi).expect("explained");
    assert!((s.probability - p_hi).abs() < 1e-12);
    assert!(!s.top.is_empty() && s.top.len() <= fc_ml::TOP_CONTRIBUTIONS);
    assert!(
        s.top
            .windows(2)
            .all(|w| w[0].log_odds.abs() >= w[1].log_odds.abs())
    );
    assert!(
        s.top
            .iter()
            .any(|c| c.feature == FEATURE_NAMES[0] && c.log_odds > 0.0),
        "{:?}",
        s.top
    );
}

#[test]
fn unusable_files_give_clear_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = serde_json::to_value(trained()).expect("json");
    let cases: Vec<(&str, Option<Vec<u8>>, &str)> = vec![
        ("missing", None, "model_missing"),
        (
            "garbage",
            Some(b"\x00\x01 not json".to_vec()),
            "model_corrupt",
        ),
        (
            "truncated",
            Some(serde_json::to_vec(&good).expect("bytes")[..200].to_vec()),
            "model_corrupt",
        ),
        (
            "other json",
            Some(br#"{"hello": 1}"#.to_vec()),
            "model_corrupt",
        ),
        (
            "future format",
            Some(edit(&good, |v| v["format_version"] = 99.into())),
            "model_incompatible",
        ),
        (
            "other features",
            Some(edit(&good, |v| v["features"][0] = "something_else".into())),
            "model_incompatible",
        ),
        (
            "short arrays",
            Some(edit(&good, |v| {
                v["heads"][0]["coef"] = serde_json::json!([1.0, 2.0]);
            })),
            "model_corrupt",
        ),
        (
            "zero spread",
            Some(edit(&good, |v| v["heads"][0]["sd"][0] = 0.0.into())),
            "model_corrupt",
        ),
    ];
    for (name, bytes, code) in cases {
        let path = dir.path().join(format!("{}.json", name.replace(' ', "_")));
        if let Some(b) = bytes {
            std::fs::write(&path, b).expect("write");
        }
        match Model::load(&path) {
            Ok(_) => panic!("{name}: loaded"),
            Err(e) => {
                assert_eq!(e.code(), code, "{name}: {e}");
                assert!(
                    e.to_string().contains("train"),
                    "{name}: says what to do: {e}"
                );
            }
        }
    }
    // Too few labels is an error too, not a useless model.
    let few: Vec<Row> = rows().into_iter().take(10).collect();
    let e = Model::train(&few, TrainingInfo::default(), Vec::new()).expect_err("too few");
    assert!(matches!(e, MlError::TooFewLabels { .. }), "{e}");
}

fn edit(v: &serde_json::Value, f: impl FnOnce(&mut serde_json::Value)) -> Vec<u8> {
    let mut v = v.clone();
    f(&mut v);
    serde_json::to_vec(&v).expect("bytes")
}
