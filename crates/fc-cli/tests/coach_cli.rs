//! `fuelcopilot coach`: JSON shape, English and Spanish text, one driver, bad periods.

use std::path::Path;
use std::process::{Command, Output};

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
fn coach_json_text_driver_and_period() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let csv = d.join("telemetry.csv");
    fc_sim::coaching::write_coaching_csv(&csv, 2, 5).unwrap();
    let out = run(
        d,
        &["settings", "time_zone=Etc/GMT-1", "speed_limit_kmh=90"],
    );
    assert!(out.status.success(), "{out:?}");
    let out = run(d, &["import", csv.to_str().unwrap()]);
    assert!(out.status.success(), "{out:?}");

    let out = run(d, &["--json", "coach"]);
    assert!(out.status.success(), "{out:?}");
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let drivers = v["drivers"].as_array().unwrap();
    assert!(drivers.len() >= 10, "{v}");
    for d in drivers {
        assert!(d["driver_id"].is_string());
        assert!(d["score"]["value"].as_f64().unwrap() > 0.0);
        assert!(d["metrics"].is_object());
        assert!(d["recommendations"].is_array());
    }
    assert_eq!(v["prices"]["currency"], "EUR");

    let out = run(d, &["--lang", "en", "coach", "--driver", "C07"]);
    let text = stdout(&out);
    assert!(out.status.success(), "{out:?}");
    assert!(
        text.contains("Driver coaching") && text.contains("C07"),
        "{text}"
    );
    assert!(text.contains("Idle") && text.contains("a week"), "{text}");
    assert!(!text.contains("C08"), "{text}");

    let out = run(d, &["--lang", "es", "coach", "--period", "7d"]);
    let text = stdout(&out);
    assert!(
        text.contains("Coaching de conductores") && text.contains("a la semana"),
        "{text}"
    );

    let out = run(d, &["--json", "coach", "--period", "soon"]);
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["error"]["code"], "invalid_input", "{v}");
}
