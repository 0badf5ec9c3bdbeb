//! Live ingest through the core API with the theft model and coaching rollups: a
//! simulated `hard` fleet replayed over the feed protocol into fresh databases.
//! With a model every stored fill and drain carries the model's score and version
//! and alerts are decided on that combined confidence; without one (a damaged file)
//! the rule's confidence decides; `detect` rescoring stored data uses the model too;
//! and the rollups built at ingest match the import's rebuild of the same points.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use fc_core::{
    Chaos, Core, EventQuery, FeedServeOptions, FeedSource, ImportRequest, LiveSource, SimConfig,
    SimProfile, TheftModel, load_model, serve_feed, simulate,
};

const GUARD: Duration = Duration::from_secs(300);

mod common;

fn trained(dir: &Path) -> Arc<TheftModel> {
    let (out, _) = common::train_small(dir);
    load_model(Some(&out))
        .model
        .expect("the trained model loads")
}

async fn open(path: &Path, threshold: f64) -> Core {
    let core = Core::open(&format!("sqlite://{}", path.display()))
        .await
        .expect("open");
    let mut s = core.fleet_settings().await.expect("settings");
    s.alert_threshold = threshold;
    core.save_fleet_settings(&s).await.expect("save settings");
    core
}

/// Replays the fleet's telemetry through a loopback gateway into `db` until the end.
async fn live_run(fleet: &Path, db: &Path, threshold: f64, model: Option<Arc<TheftModel>>) -> Core {
    let core = open(db, threshold).await;
    let token = fc_core::random_token();
    let gw = serve_feed(
        FeedServeOptions {
            listen: "127.0.0.1:0".parse().unwrap(),
            token: token.clone(),
            replay_batches: 256,
            chaos: Chaos::default(),
        },
        FeedSource::Replay {
            file: fleet.join("telemetry.csv"),
            trucks: Some(fleet.join("trucks.csv")),
            speed: 1e9,
        },
    )
    .await
    .expect("gateway");
    let live = core
        .start_live_with(
            LiveSource::Feed {
                url: gw.url(),
                token,
            },
            model,
        )
        .await
        .expect("live");
    let mut ended = live.ended();
    tokio::time::timeout(GUARD, async {
        while ended.borrow_and_update().is_none() {
            ended.changed().await.expect("live stopped");
        }
    })
    .await
    .expect("the replay did not end");
    live.stop().await;
    gw.shutdown().await;
    core
}

/// Fill and drain alerts: event id -> payload.
async fn event_alerts(core: &Core) -> BTreeMap<String, serde_json::Value> {
    core.alerts_after(0, 100_000)
        .await
        .expect("alerts")
        .into_iter()
        .filter(|a| a.kind == "fill" || a.kind == "drain")
        .filter(|a| a.payload["status"] != "retracted")
        .map(|a| (a.event_id.expect("event alert"), a.payload))
        .collect()
}

fn path(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_scores_with_the_model_alerts_on_combined_confidence_and_rolls_up() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let model = trained(tmp.path());
    let version = model.model().model_version.clone();
    let fleet = path(tmp.path(), "fleet");
    simulate(&fleet, &SimConfig::new(8, 4, 5, SimProfile::Hard)).expect("simulate");

    // 1. With the model: every stored fill and drain carries its score and version.
    let core = live_run(
        &fleet,
        &path(tmp.path(), "a.db"),
        0.8,
        Some(Arc::clone(&model)),
    )
    .await;
    let all = core
        .events(&EventQuery {
            kinds: vec!["fill".into(), "drain".into()],
            ..EventQuery::default()
        })
        .await
        .expect("events");
    assert!(all.len() >= 4, "{} events", all.len());
    for e in &all {
        let ml = e.event.ml_score.expect("ml score");
        assert_eq!(e.event.confidence, ml, "{}", e.event.id);
        assert_eq!(e.event.model_version.as_deref(), Some(version.as_str()));
    }
    // Rollups at ingest: every simulated day, with distance and fuel, as the import's
    // rebuild from the same points gives them.
    let live_rollups = core
        .store()
        .rollups(Default::default())
        .await
        .expect("rollups");
    assert!(!live_rollups.is_empty());
    let imported = open(&path(tmp.path(), "import.db"), 0.8).await;
    imported
        .import_files(
            &ImportRequest {
                files: vec![fleet.join("trucks.csv"), fleet.join("telemetry.csv")],
                ..ImportRequest::default()
            },
            &mut |_| {},
        )
        .await
        .expect("import");
    let rebuilt = imported
        .store()
        .rollups(Default::default())
        .await
        .expect("rollups");
    let sum = |rs: &[fc_store::RollupRecord], day: &str, f: &str| -> f64 {
        rs.iter()
            .filter(|r| r.day == day)
            .map(|r| r.metrics[f].as_f64().unwrap_or(0.0))
            .sum()
    };
    let days: HashSet<&str> = rebuilt.iter().map(|r| r.day.as_str()).collect();
    assert_eq!(
        days,
        live_rollups
            .iter()
            .map(|r| r.day.as_str())
            .collect::<HashSet<_>>()
    );
    let mut driven = 0;
    for day in days {
        let (km, km0) = (
            sum(&live_rollups, day, "distance_km"),
            sum(&rebuilt, day, "distance_km"),
        );
        assert!((km - km0).abs() <= 0.02 * km0, "{day}: {km} vs {km0} km");
        let (l, l0) = (
            sum(&live_rollups, day, "fuel_l"),
            sum(&rebuilt, day, "fuel_l"),
        );
        assert!((l - l0).abs() <= 0.1 * l0, "{day}: {l} vs {l0} L");
        driven += usize::from(km0 > 100.0 && l0 > 10.0);
    }
    assert!(driven >= 3, "{driven} days with driving");
    assert!(core.coach(&Default::default()).await.is_ok());

    // 2. The event where rule and model disagree most, with the threshold between them:
    // with the model the alerts follow the combined confidence, without it the rule's.
    let e = all
        .iter()
        .max_by(|a, b| {
            let d = |x: &fc_core::dto_events::StoredEventDto| {
                (x.event.rule_confidence - x.event.confidence).abs()
            };
            d(a).total_cmp(&d(b))
        })
        .expect("an event");
    let gap = (e.event.rule_confidence - e.event.confidence).abs();
    // Any clear disagreement will do: the threshold sits halfway, so each side
    // is at least 0.05 away from it.
    assert!(
        gap > 0.1,
        "rule and model agree everywhere (largest gap {gap})"
    );
    let t = (e.event.rule_confidence + e.event.confidence) / 2.0;
    let with = live_run(
        &fleet,
        &path(tmp.path(), "b.db"),
        t,
        Some(Arc::clone(&model)),
    )
    .await;
    let damaged = path(tmp.path(), "damaged.json");
    std::fs::write(&damaged, b"{ \"format\": \"fuelcopilot-theft-model\", ").expect("write");
    let fallback = load_model(Some(&damaged));
    assert_eq!(
        fallback.problem.as_ref().map(|p| p.code()),
        Some("model_corrupt")
    );
    let without = live_run(&fleet, &path(tmp.path(), "c.db"), t, fallback.model).await;
    let (a_with, a_without) = (event_alerts(&with).await, event_alerts(&without).await);
    for p in a_with.values() {
        let c = p["confidence"].as_f64().expect("confidence");
        assert!(c >= t, "{p}");
        assert_eq!(p["ml_score"].as_f64(), Some(c), "{p}");
        assert_eq!(p["model_version"].as_str(), Some(version.as_str()));
    }
    for p in a_without.values() {
        let c = p["confidence"].as_f64().expect("confidence");
        assert!(c >= t && p["ml_score"].is_null(), "{p}");
        assert_eq!(p["rule_confidence"].as_f64(), Some(c), "{p}");
    }
    let ids = |m: &BTreeMap<String, serde_json::Value>| m.keys().cloned().collect::<HashSet<_>>();
    assert_ne!(
        ids(&a_with),
        ids(&a_without),
        "the decision ignored the model"
    );
    // The final confidence on its side of the threshold alerts (a provisional version
    // may have alerted on the other side too, so only this direction is certain).
    if e.event.rule_confidence >= t {
        assert!(a_without.contains_key(&e.event.id), "{}", e.event.id);
    } else {
        assert!(a_with.contains_key(&e.event.id), "{}", e.event.id);
    }

    // 3. `detect` over the rule-only store rescores with the model.
    let report = without
        .detect_stored_with(&[], Some(&model))
        .await
        .expect("detect");
    assert!(report.events > 0);
    let rescored = without
        .events(&EventQuery::default())
        .await
        .expect("events");
    for e in rescored.iter().filter(|e| e.event.kind != "sensor_fault") {
        assert_eq!(
            e.event.model_version.as_deref(),
            Some(version.as_str()),
            "{}",
            e.event.id
        );
        assert_eq!(Some(e.event.confidence), e.event.ml_score);
    }
}
