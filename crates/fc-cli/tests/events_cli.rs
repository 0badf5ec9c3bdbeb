//! `detect`, `events`, `verdict` and `alerts` as a dispatcher runs them.

use std::path::Path;
use std::process::{Command, Output};

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fuelcopilot"))
        .args(args)
        .env("FUELCOPILOT_DATA_DIR", dir)
        .env_remove("FUELCOPILOT_DB")
        .env_remove("FUELCOPILOT_LANG")
        .env_remove("USER")
        .env("LANG", "C")
        .output()
        .expect("the binary runs")
}

fn ok_json(dir: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let out = run(dir, &all);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON")
}

#[test]
fn detect_list_judge_and_acknowledge() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let sim = d.join("sim");
    let sim_s = sim.to_str().unwrap();
    ok_json(
        d,
        &[
            "simulate", "--trucks", "3", "--days", "3", "--seed", "5", "--out", sim_s,
        ],
    );
    let files: Vec<String> = ["trucks.csv", "telemetry.csv", "purchases.csv"]
        .iter()
        .map(|f| sim.join(f).display().to_string())
        .collect();
    let mut import = vec!["import"];
    import.extend(files.iter().map(String::as_str));
    ok_json(d, &import);

    let report = ok_json(d, &["detect"]);
    assert_eq!(report["trucks"], 3);
    let events = ok_json(d, &["events", "--alerts"]);
    let events = events.as_array().unwrap();
    assert!(!events.is_empty(), "the simulated fleet has fills");
    let id = events[0]["event"]["id"].as_str().unwrap().to_string();

    // No --by and no $USER: a clear message and a non-zero exit.
    let out = run(d, &["verdict", &id, "false_alarm"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--by"));

    let judged = ok_json(d, &["verdict", &id, "false-alarm", "--by", "ana"]);
    assert_eq!(judged["verdict"]["verdict"], "false_alarm");
    let out = run(
        d,
        &[
            "--lang",
            "es",
            "events",
            "--truck",
            judged["event"]["truck_id"].as_str().unwrap(),
        ],
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("falsa alarma, por ana"));

    let open = ok_json(d, &["alerts"]);
    let n = open.as_array().unwrap().len();
    let seq = open[0]["seq"].as_i64().unwrap().to_string();
    let after = ok_json(d, &["alerts", "--ack", &seq, "--by", "ana"]);
    assert_eq!(after.as_array().unwrap().len(), n - 1);
    // Acknowledged already: not found, exit 2.
    let out = run(d, &["alerts", "--ack", &seq, "--by", "ana"]);
    assert_eq!(out.status.code(), Some(2));
    let resumed = ok_json(d, &["alerts", "--after", "0", "--limit", "1000"]);
    assert_eq!(resumed.as_array().unwrap().len(), n);

    let out = run(d, &["verdict", "T9:drain:1", "confirmed", "--by", "ana"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("T9:drain:1"));
}
