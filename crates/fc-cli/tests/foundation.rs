//! The `fuelcopilot` binary as a user runs it: exit codes, JSON shapes,
//! translated text, and the app-data folder kept out of the way.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/import")
        .join(name)
}

/// Runs the binary with its data folder inside `dir`, so nothing touches the user's files.
fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fuelcopilot"))
        .args(args)
        .env("FUELCOPILOT_DATA_DIR", dir)
        .env_remove("FUELCOPILOT_DB")
        .env_remove("FUELCOPILOT_LANG")
        .env("LANG", "C")
        .output()
        .expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn import_summary_export_round_trip_in_the_default_store() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let semicolon = fixture("semicolon.csv");
    let out = run(d, &["--json", "import", semicolon.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reports[0]["stored"], 3);
    assert_eq!(reports[0]["kind"], "telemetry");
    // The default store is the embedded file in the (relocated) app-data folder.
    assert!(d.join("fleet.db").exists());

    let summary: serde_json::Value =
        serde_json::from_slice(&run(d, &["--json", "summary"]).stdout).unwrap();
    let points: u64 = summary
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["points"].as_u64().unwrap())
        .sum();
    assert_eq!(points, 3);

    let csv = d.join("out.csv");
    let out = run(d, &["--json", "export", "--out", csv.to_str().unwrap()]);
    assert!(out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["rows"], 3);
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.starts_with(fc_model::CANONICAL_HEADER));
    // Export to standard output gives the same bytes.
    assert_eq!(stdout(&run(d, &["export"])), text);
}

#[test]
fn reports_speak_spanish_and_english() {
    let dir = tempfile::tempdir().unwrap();
    let bad = fixture("bad_rows.csv");
    let es = stdout(&run(
        dir.path(),
        &["--lang", "es", "import", bad.to_str().unwrap()],
    ));
    assert!(
        es.contains("filas leídas") && es.contains("En cuarentena, por motivo"),
        "{es}"
    );
    let en = stdout(&run(
        dir.path(),
        &["--lang", "en", "import", bad.to_str().unwrap()],
    ));
    assert!(
        en.contains("rows read") && en.contains("duplicates"),
        "{en}"
    );
}

#[test]
fn a_file_that_cannot_be_read_fails_the_command_with_advice() {
    let dir = tempfile::tempdir().unwrap();
    let ambiguous = fixture("ambiguous_dates.csv");
    let out = run(dir.path(), &["import", ambiguous.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("--date-order"), "{}", stdout(&out));

    let out = run(dir.path(), &["--json", "import", "/no/such/file.csv"]);
    assert_eq!(out.status.code(), Some(1));
    let reports: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(reports[0]["error"]["code"], "import_io");
}

#[test]
fn bad_arguments_and_databases_exit_non_zero_with_a_code() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["--json", "settings", "time_zone=Mars/Base"]);
    assert_eq!(out.status.code(), Some(2));
    let err: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(err["error"]["code"], "invalid_input");

    let not_a_db = dir.path().join("notes.txt");
    std::fs::write(
        &not_a_db,
        "this is not a database, just text that is long enough",
    )
    .unwrap();
    let url = format!("sqlite://{}", not_a_db.display());
    let out = run(dir.path(), &["--lang", "es", "--db", &url, "summary"]);
    assert_eq!(out.status.code(), Some(2));
    let msg = String::from_utf8_lossy(&out.stderr);
    assert!(msg.contains("dañado"), "{msg}");
    assert!(
        !msg.to_lowercase().contains("sqlite"),
        "driver text leaked: {msg}"
    );
}
