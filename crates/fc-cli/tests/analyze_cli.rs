//! `fuelcopilot simulate` then `fuelcopilot analyze --json` through the built
//! binary: the JSON has the promised shape and no database was created.

use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_fuelcopilot"))
}

#[test]
fn analyze_json_shape_and_nothing_stored() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let sim = tmp.path().join("sim");
    let out = bin()
        .env("FUELCOPILOT_DATA_DIR", &data)
        .args([
            "--json", "simulate", "--trucks", "3", "--days", "2", "--seed", "5",
        ])
        .arg("--out")
        .arg(&sim)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = tmp.path().join("report.html");
    let out = bin()
        .env("FUELCOPILOT_DATA_DIR", &data)
        .args(["--json", "--lang", "es", "analyze"])
        .arg(sim.join("telemetry.csv"))
        .arg("--trucks")
        .arg(sim.join("trucks.csv"))
        .arg("--purchases")
        .arg(sim.join("purchases.csv"))
        .arg("--html")
        .arg(&report)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in ["events", "trucks", "purchases", "rejected_rows"] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["trucks"].as_array().unwrap().len(), 3);
    for t in v["trucks"].as_array().unwrap() {
        for key in [
            "truck_id",
            "distance_km",
            "fuel_used_l",
            "l_per_100km",
            "mpg_us",
            "idle_h",
            "idle_fuel_l",
        ] {
            assert!(t.get(key).is_some(), "{key}");
        }
    }
    for p in v["purchases"].as_array().unwrap() {
        assert!(p["status"].is_string());
    }
    for e in v["events"].as_array().unwrap() {
        assert!(matches!(e["kind"].as_str(), Some("fill" | "drain")));
        for key in [
            "truck_id",
            "start",
            "end",
            "volume_l",
            "lat",
            "lon",
            "confidence",
        ] {
            assert!(e.get(key).is_some(), "{key}");
        }
    }
    assert!(
        v.get("candidates").is_none(),
        "candidates only with --candidates"
    );
    // in memory: no database appeared
    assert!(!data.join("fleet.db").exists());
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("Balance de combustible"));
}

#[test]
fn text_output_and_bad_profile() {
    let tmp = tempfile::tempdir().unwrap();
    let out = bin()
        .env("FUELCOPILOT_DATA_DIR", tmp.path())
        .args(["--lang", "en", "simulate", "--profile", "stormy", "--out"])
        .arg(tmp.path().join("x"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("clean, default or hard"));
}
