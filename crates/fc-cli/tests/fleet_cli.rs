//! `fuelcopilot fleet` and `fuelcopilot truck` through the built binary: JSON with
//! the desktop's shapes, text in English and Spanish, unknown trucks refused.

use std::path::Path;
use std::process::{Command, Output};

fn run(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fuelcopilot"))
        .env("FUELCOPILOT_DATA_DIR", data)
        .args(args)
        .output()
        .unwrap()
}

fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn fleet_and_truck_in_json_and_both_languages() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let sim = tmp.path().join("sim");
    let sim_s = sim.to_str().unwrap();
    ok(&run(
        &data,
        &[
            "simulate", "--trucks", "2", "--days", "2", "--seed", "3", "--out", sim_s,
        ],
    ));
    let file = |n: &str| sim.join(n).to_str().unwrap().to_string();
    ok(&run(
        &data,
        &[
            "import",
            &file("trucks.csv"),
            &file("telemetry.csv"),
            &file("purchases.csv"),
        ],
    ));
    ok(&run(&data, &["detect"]));

    let v: serde_json::Value =
        serde_json::from_str(&ok(&run(&data, &["--json", "fleet"]))).unwrap();
    let rows = v["snapshot"]["trucks"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(v["kpis"]["trucks"], 2);
    assert!(v["kpis"]["day"].as_str().unwrap().len() == 10, "{v}");
    let id = rows[0]["truck_id"].as_str().unwrap().to_string();
    for key in ["state", "fuel_l", "last_seen_ms", "open_alerts", "version"] {
        assert!(rows[0].get(key).is_some(), "missing {key}");
    }

    let en = ok(&run(&data, &["--lang", "en", "fleet"]));
    let es = ok(&run(&data, &["--lang", "es", "fleet"]));
    assert!(en.contains("open alerts") && en.contains(&id), "{en}");
    assert!(es.contains("alertas abiertas") && es.contains(&id), "{es}");
    assert_ne!(en, es);

    let d: serde_json::Value =
        serde_json::from_str(&ok(&run(&data, &["--json", "truck", &id]))).unwrap();
    assert_eq!(d["truck"]["truck_id"], id.as_str());
    assert_eq!(
        d["to_ms"].as_i64().unwrap() - d["from_ms"].as_i64().unwrap(),
        48 * 3_600_000
    );
    assert!(!d["series"].as_array().unwrap().is_empty());
    assert!(
        d["ledger"]["distance_km"].as_f64().unwrap() > 0.0,
        "{}",
        d["ledger"]
    );
    let text = ok(&run(&data, &["--lang", "es", "truck", &id]));
    assert!(
        text.contains("Sensor: ruido") && text.contains("Consumo"),
        "{text}"
    );

    let out = run(&data, &["--json", "truck", "NOPE"]);
    assert!(!out.status.success());
    let err: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(err["error"]["code"], "not_found", "{err}");
    let out = run(&data, &["truck", &id, "--from", "yesterday"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--from"));
}
