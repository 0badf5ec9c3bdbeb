//! Coaching end to end: simulated drivers with known habits imported into a
//! temp store (rollups built at import), coached from the rollups; the same
//! files analysed in memory carry the same drivers in JSON and in the HTML report.

use fc_core::{AnalyzeRequest, CoachRequest, Core, FleetSettings, analyze_files, render_html};
use fc_i18n::{Lang, Units};

const DAYS: u32 = 3;

fn settings() -> FleetSettings {
    FleetSettings {
        // The simulator's fleet runs on UTC+1.
        time_zone: "Etc/GMT-1".into(),
        speed_limit_kmh: fc_sim::coaching::SPEED_LIMIT_KMH,
        currency: "EUR".into(),
        fuel_price_per_l: 1.8,
        ..FleetSettings::default()
    }
}

fn top(report: &fc_core::CoachReport, id: &str) -> Option<String> {
    let d = report.drivers.iter().find(|d| d.driver_id == id)?;
    d.recommendations.first().map(|r| r.code.clone())
}

#[tokio::test]
async fn import_then_coach_and_analyze_agree() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("telemetry.csv");
    fc_sim::coaching::write_coaching_csv(&csv, DAYS, 11).unwrap();
    let db = format!("sqlite:{}", dir.path().join("fleet.db").display());
    let core = Core::open(&db).await.unwrap();
    // Nothing imported yet: a message that says what to do.
    let err = core.coach(&CoachRequest::default()).await.unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    assert!(err.to_string().contains("import"), "{err}");
    core.save_fleet_settings(&settings()).await.unwrap();
    let request = fc_core::ImportRequest {
        files: vec![csv.clone()],
        ..fc_core::ImportRequest::default()
    };
    core.import_files(&request, &mut |_| {}).await.unwrap();
    let stored = core.coach(&CoachRequest::default()).await.unwrap();
    assert_eq!(stored.period.days, 30);
    assert_eq!(top(&stored, "C07").as_deref(), Some("idle"));
    assert_eq!(top(&stored, "C08").as_deref(), Some("speeding"));
    assert_eq!(stored.prices.currency, "EUR");

    // Importing the same file again rebuilds the same rollups.
    core.import_files(&request, &mut |_| {}).await.unwrap();
    let again = core.coach(&CoachRequest::default()).await.unwrap();
    assert_eq!(again, stored);

    // One driver, compared with the whole fleet; an unknown one is a clear error.
    let one = core
        .coach(&CoachRequest {
            driver: Some("C07".into()),
            period: Some(format!(
                "{}..{}",
                stored.period.to_day, stored.period.to_day
            )),
        })
        .await
        .unwrap();
    assert_eq!(one.drivers.len(), 1);
    assert_eq!(one.period.days, 1);
    let err = core
        .coach(&CoachRequest {
            driver: Some("NOBODY".into()),
            period: None,
        })
        .await
        .unwrap_err();
    assert!(err.to_string().contains("C07"), "{err}");
    core.close().await;

    // The same files in memory: drivers in the JSON and the HTML report.
    let report = analyze_files(
        &AnalyzeRequest {
            files: vec![csv],
            ..AnalyzeRequest::default()
        },
        &settings(),
        &mut |_| {},
    )
    .unwrap();
    let json = serde_json::to_value(&report).unwrap();
    let drivers = json["drivers"].as_array().unwrap();
    assert!(drivers.len() >= 10);
    let idler = drivers.iter().find(|d| d["driver_id"] == "C07").unwrap();
    assert_eq!(idler["recommendations"][0]["code"], "idle");
    for key in ["value", "low", "high", "percentile", "provisional"] {
        assert!(idler["score"].get(key).is_some(), "{key}");
    }
    assert!(idler["metrics"]["idle_h"].as_f64().unwrap() > 0.5);
    // The in-memory and the stored scores agree (same rollups, same formula).
    let mem = report
        .drivers
        .iter()
        .find(|d| d.driver_id == "C08")
        .unwrap();
    let db_card = stored
        .drivers
        .iter()
        .find(|d| d.driver_id == "C08")
        .unwrap();
    assert!(
        (mem.score.value - db_card.score.value).abs() < 1.0,
        "{} {}",
        mem.score.value,
        db_card.score.value
    );
    for (lang, heading, word) in [
        (Lang::En, "Drivers", "a week"),
        (Lang::Es, "Conductores", "a la semana"),
    ] {
        let html = render_html(&report, lang, Units::default());
        assert!(html.contains(&format!("<h2>{heading}</h2>")), "{lang}");
        assert!(html.contains("C07") && html.contains(word), "{lang}");
    }
}
