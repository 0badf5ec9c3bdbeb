//! `fuelcopilot train` and the model in `analyze`, through the built binary: the
//! model goes to the app-data folder by default, `analyze` picks it up and explains
//! its scores, a damaged file gives a translated warning and the rule's confidence.

use std::path::Path;
use std::process::{Command, Output};

fn run(data: &Path, args: &[&str], extra: &[&Path]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_fuelcopilot"));
    c.env("FUELCOPILOT_DATA_DIR", data).args(args);
    for p in extra {
        c.arg(p);
    }
    let out = c.output().expect("runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn train_then_analyze_with_the_default_model_and_fall_back_on_a_damaged_one() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let sim = tmp.path().join("sim");
    run(
        &data,
        &[
            "--json",
            "simulate",
            "--trucks",
            "4",
            "--days",
            "4",
            "--seed",
            "9",
            "--profile",
            "hard",
            "--out",
        ],
        &[&sim],
    );
    let files = [
        sim.join("telemetry.csv"),
        sim.join("trucks.csv"),
        sim.join("purchases.csv"),
    ];
    let files: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    // Without a model: the rule's confidence, no warning.
    let out = run(&data, &["analyze"], &files);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("model"));

    let out = run(
        &data,
        &[
            "--json", "train", "--seeds", "1001", "--trucks", "16", "--days", "10",
        ],
        &[],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let model_file = data.join("theft-model.json");
    assert_eq!(v["model_file"], model_file.display().to_string());
    assert!(model_file.exists());
    assert!(v["heads"].as_array().is_some_and(|h| !h.is_empty()), "{v}");

    let out = run(&data, &["--json", "analyze", "--candidates"], &files);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let all: Vec<&serde_json::Value> = v["events"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(v["candidates"].as_array().into_iter().flatten())
        .collect();
    assert!(v["events"].as_array().is_some_and(|e| !e.is_empty()), "{v}");
    assert!(!all.is_empty());
    for e in all {
        assert!(e["ml_score"].is_number(), "{e}");
        assert!(e["model_version"].is_string(), "{e}");
        assert!(
            e["explanation"].as_array().is_some_and(|x| !x.is_empty()),
            "{e}"
        );
    }
    let out = run(&data, &["--lang", "es", "analyze"], &files);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("por qué:"), "every alert says why: {text}");

    // A damaged model file: a warning in the user's language, and the analysis goes on.
    std::fs::write(&model_file, b"{ damaged").expect("write");
    let out = run(&data, &["--lang", "es", "analyze"], &files);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("No se usa el modelo de robos"), "{err}");
    assert!(err.contains("dañado"), "{err}");
    let out = run(&data, &["--json", "analyze"], &files);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    for e in v["events"].as_array().into_iter().flatten() {
        assert!(e.get("ml_score").is_none(), "{e}");
        assert_eq!(e["confidence"], e["rule_confidence"]);
    }
}

#[test]
fn training_over_the_database_uses_its_verdicts_and_rescores_stored_events() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let data = tmp.path().join("data");
    let sim = tmp.path().join("sim");
    run(
        &data,
        &[
            "--json",
            "simulate",
            "--trucks",
            "4",
            "--days",
            "4",
            "--seed",
            "11",
            "--profile",
            "hard",
            "--out",
        ],
        &[&sim],
    );
    let files = [
        sim.join("trucks.csv"),
        sim.join("telemetry.csv"),
        sim.join("purchases.csv"),
    ];
    let files: Vec<&Path> = files.iter().map(|p| p.as_path()).collect();
    run(&data, &["--json", "import"], &files);
    run(&data, &["--json", "detect"], &[]);
    let out = run(&data, &["--json", "events"], &[]);
    let events: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let events = events.as_array().expect("list");
    assert!(!events.is_empty());
    let id = events[0]["event"]["id"].as_str().expect("id").to_string();
    run(
        &data,
        &["--json", "verdict", &id, "false_alarm", "--by", "ana"],
        &[],
    );

    let out = run(
        &data,
        &[
            "--json", "train", "--seeds", "1001", "--trucks", "16", "--days", "10",
        ],
        &[],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["verdicts"], 1, "{v}");
    assert!(v["rescored"].as_u64().is_some_and(|n| n >= 1), "{v}");
    assert!(
        v["sources"]
            .as_array()
            .is_some_and(|s| s.iter().any(|x| x == "store")),
        "{v}"
    );
    let out = run(&data, &["--json", "events"], &[]);
    let events: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let scored = events
        .as_array()
        .expect("list")
        .iter()
        .filter(|e| e["event"]["kind"] != "sensor_fault")
        .all(|e| e["event"]["ml_score"].is_number() && e["event"]["model_version"].is_string());
    assert!(scored, "{events}");
}
