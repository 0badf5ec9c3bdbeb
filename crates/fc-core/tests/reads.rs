//! The desktop's reads end to end: the fleet snapshot and KPIs, the truck page,
//! the read cache (a hit on repeat, a miss after any write), the coaching report,
//! and the live demo with its scripted theft feeding the fleet view.

use std::path::Path;
use std::time::{Duration, Instant};

use fc_core::{
    Core, CoreError, DemoSettings, EventQuery, EventQueryDto, ImportRequest, SimConfig, SimProfile,
    VerdictKind, simulate,
};
use fc_live::TruckState;

async fn imported_fleet(dir: &Path) -> Core {
    let cfg = SimConfig::new(3, 3, 11, SimProfile::Default);
    simulate(dir, &cfg).expect("simulate");
    let core = Core::open(&format!("sqlite://{}", dir.join("fleet.db").display()))
        .await
        .expect("open");
    let request = ImportRequest {
        files: vec![
            dir.join("trucks.csv"),
            dir.join("telemetry.csv"),
            dir.join("purchases.csv"),
        ],
        ..ImportRequest::default()
    };
    core.import_files(&request, &mut |_| {})
        .await
        .expect("import");
    core
}

#[tokio::test]
async fn fleet_truck_and_cache_reads_over_an_imported_fleet() {
    let tmp = tempfile::tempdir().unwrap();
    let core = Core::open(&format!("sqlite://{}", tmp.path().join("x.db").display()))
        .await
        .unwrap();
    // An empty database: no rows, no KPIs to speak of, unknown trucks are not found.
    assert!(core.fleet_snapshot().await.unwrap().trucks.is_empty());
    let err = core.truck_detail("T01", None, None).await.unwrap_err();
    assert!(matches!(err, CoreError::NotFound { .. }), "{err}");
    core.close().await;

    let core = imported_fleet(tmp.path()).await;
    let detect = core.detect_stored(&[]).await.unwrap();
    let snap = core.fleet_snapshot().await.unwrap();
    assert_eq!(snap.trucks.len(), 3);
    let last_seen = snap.trucks.iter().filter_map(|r| r.last_seen_ms).max();
    assert_eq!(Some(snap.data_time_ms), last_seen);
    for r in &snap.trucks {
        assert!(r.tank_l.is_some_and(|c| c > 0.0), "{r:?}");
        assert!(r.fuel_l.is_some() && r.fuel_pct.is_some(), "{r:?}");
        assert_ne!(r.name, "");
    }
    let open = core.open_alerts(10_000).await.unwrap();
    assert_eq!(
        snap.trucks
            .iter()
            .map(|r| r.open_alerts as usize)
            .sum::<usize>(),
        open.len()
    );
    assert_eq!(open.len() as u32, detect.alerts);

    // Historical data: the KPIs are the last day with data, from its rollups.
    let kpis = core.fleet_kpis().await.unwrap();
    let days = core.store().rollup_days().await.unwrap().unwrap();
    assert_eq!(kpis.day, days.1);
    assert_eq!(kpis.trucks, 3);
    assert_eq!(kpis.open_alerts as usize, open.len());
    assert!(kpis.open_thefts <= kpis.open_alerts);

    // The truck page: the last 48 h of its data by default.
    let id = snap.trucks[0].truck_id.clone();
    let d = core.truck_detail(&id, None, None).await.unwrap();
    assert_eq!(d.to_ms - d.from_ms, 48 * 3_600_000);
    assert_eq!(Some(d.to_ms - 1), snap.trucks[0].last_seen_ms);
    assert!(
        !d.series.is_empty() && d.series.len() <= 2_000,
        "{}",
        d.series.len()
    );
    assert!(d.series.windows(2).all(|w| w[0].ts_ms < w[1].ts_ms));
    assert!(
        d.series
            .iter()
            .all(|s| s.ts_ms >= d.from_ms && s.ts_ms < d.to_ms)
    );
    assert!(
        d.series.iter().any(|s| s.filtered_l.is_some()),
        "the detector's level"
    );
    assert!(d.series.iter().any(|s| s.raw_l.is_some()));
    let ledger = d.ledger.as_ref().expect("a ledger");
    assert!(ledger.points > 0 && ledger.distance_km > 0.0, "{ledger:?}");
    assert!(d.sensor.noise_l.is_some());
    let stored = core
        .events(&EventQuery {
            trucks: vec![id.clone()],
            ..EventQuery::default()
        })
        .await
        .unwrap();
    for e in &d.events {
        assert!(stored.contains(e));
    }
    // A window in the past; a backwards one is refused.
    let early = core
        .truck_detail(&id, Some(d.from_ms - 24 * 3_600_000), Some(d.from_ms))
        .await
        .unwrap();
    assert!(early.series.iter().all(|s| s.ts_ms < d.from_ms));
    let err = core
        .truck_detail(&id, Some(d.to_ms), Some(d.from_ms))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "invalid_input");

    // The cache: a repeat is a hit and gives the same answer; after a write, a miss.
    let before = core.cache_stats();
    let again = core.truck_detail(&id, None, None).await.unwrap();
    assert_eq!(again, d);
    let after = core.cache_stats();
    assert_eq!(after.hits, before.hits + 1);
    assert_eq!(after.misses, before.misses);
    assert!(after.entries >= 2, "{after:?}");

    let q = EventQueryDto::default();
    let listed = core.list_events(&q).await.unwrap();
    assert_eq!(listed, core.events(&EventQuery::default()).await.unwrap());
    let target = listed.iter().find(|e| e.event.alert).expect("an alert");
    let misses = core.cache_stats().misses;
    core.list_events(&q).await.unwrap();
    assert_eq!(core.cache_stats().misses, misses, "a hit");
    core.record_verdict(&target.event.id, VerdictKind::FalseAlarm, "ana", None)
        .await
        .unwrap();
    let relisted = core.list_events(&q).await.unwrap();
    assert_eq!(
        core.cache_stats().misses,
        misses + 1,
        "a verdict invalidates"
    );
    let judged = relisted
        .iter()
        .find(|e| e.event.id == target.event.id)
        .unwrap();
    assert_eq!(
        judged.verdict.as_ref().map(|v| v.verdict.as_str()),
        Some("false_alarm"),
        "never the stale list"
    );
    let misses = core.cache_stats().misses;
    core.truck_detail(&id, None, None).await.unwrap();
    assert_eq!(core.cache_stats().misses, misses + 1, "the detail too");

    // Acknowledging an alert shows in the fleet view.
    let alert = &open[0];
    let row_before = snap
        .trucks
        .iter()
        .find(|r| r.truck_id == alert.truck_id)
        .unwrap()
        .open_alerts;
    core.ack_alert(alert.seq, "ana").await.unwrap();
    let snap2 = core.fleet_snapshot().await.unwrap();
    assert!(snap2.version > snap.version);
    let row_after = snap2
        .trucks
        .iter()
        .find(|r| r.truck_id == alert.truck_id)
        .unwrap()
        .open_alerts;
    assert_eq!(row_after + 1, row_before);

    // The coaching report: real scorecards, cached.
    let rep = core.coach_report(None, None).await.unwrap();
    assert!(!rep.drivers.is_empty());
    assert_eq!(rep.coaching.period.to_day, days.1);
    let hits = core.cache_stats().hits;
    assert_eq!(core.coach_report(None, None).await.unwrap(), rep);
    assert_eq!(core.cache_stats().hits, hits + 1);
    let s = core.cache_stats();
    assert!(s.hit_ratio.is_some_and(|r| r > 0.0 && r < 1.0), "{s:?}");
    core.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_demo_raises_the_scripted_drain_and_fills_the_fleet_view() {
    let tmp = tempfile::tempdir().unwrap();
    let core = Core::open(&format!(
        "sqlite://{}",
        tmp.path().join("demo.db").display()
    ))
    .await
    .unwrap();
    // A small demo, fast enough that a test sees the theft's alert in seconds.
    let demo = DemoSettings {
        trucks: 4,
        speedup: 60.0,
        seed: 7,
        ..DemoSettings::default()
    };
    let first = demo.sim_config();
    let first_truck = fc_sim::Fleet::new(&first).unwrap().trucks()[0]
        .truck_id
        .clone();
    let started = Instant::now();
    let live = core.start_live(demo.live_source()).await.unwrap();
    let deadline = started + Duration::from_secs(90);
    let mut drain = None;
    while drain.is_none() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
        drain = core
            .alerts_after(0, 10_000)
            .await
            .unwrap()
            .into_iter()
            .find(|a| a.kind == "drain" && a.truck_id == first_truck);
    }
    let took = started.elapsed();
    let drain = drain.expect("the scripted theft raises a drain alert");
    eprintln!(
        "drain alert after {:.1} s at {}x",
        took.as_secs_f64(),
        demo.speedup
    );

    // The fleet view follows the bus: every truck, the same state the pipeline published.
    let snap = core.fleet_snapshot().await.unwrap();
    assert_eq!(snap.trucks.len(), demo.trucks, "{snap:?}");
    let bus = live.bus().snapshot();
    for u in &bus {
        let row = snap
            .trucks
            .iter()
            .find(|r| r.truck_id == u.truck_id)
            .unwrap();
        assert!(row.last_seen_ms >= Some(u.ts_ms), "{row:?} {u:?}");
        // Offline turns on the data clock, which the two may read a commit apart.
        let offline = [row.state, u.state].contains(&TruckState::Offline);
        if row.last_seen_ms == Some(u.ts_ms) && !offline {
            assert_eq!(row.state, u.state, "{row:?} {u:?}");
        }
    }
    let thief = snap
        .trucks
        .iter()
        .find(|r| r.truck_id == first_truck)
        .unwrap();
    assert!(thief.open_alerts >= 1, "{thief:?}");
    assert!(drain.event_id.is_some());
    live.stop().await;

    // The store-filled view (a fresh core on the same file) reads the same states from
    // the latest points as the live pipeline computed from them.
    let reopened = Core::open(&format!(
        "sqlite://{}",
        tmp.path().join("demo.db").display()
    ))
    .await
    .unwrap();
    let cold = reopened.fleet_snapshot().await.unwrap();
    for u in &bus {
        let row = cold
            .trucks
            .iter()
            .find(|r| r.truck_id == u.truck_id)
            .unwrap();
        if row.last_seen_ms == Some(u.ts_ms) {
            if ![row.state, u.state].contains(&TruckState::Offline) {
                assert_eq!(row.state, u.state, "{row:?} {u:?}");
            }
            assert_eq!(row.fuel_l, u.fuel_l, "{row:?} {u:?}");
        }
    }
    reopened.close().await;
    core.close().await;
}
