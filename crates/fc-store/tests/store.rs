//! The store's contract, written against `Store` so that every backend runs the same suite.

use std::sync::Arc;

use fc_model::{Calibration, Purchase, Tank, TelemetryPoint, TruckProfile};
use fc_store::{
    CONFLICTING_DUPLICATE, FeedCursor, ImportRun, Origin, PointFilter, PurchaseFilter,
    QuarantineCount, QuarantineEntry, QuarantineFilter, Store, WriteBatch, WriteOutcome,
    setting_keys,
};
use futures::TryStreamExt;
use serde_json::json;

async fn open_temp() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_path(&dir.path().join("fleet.db"))
        .await
        .expect("open store");
    (dir, store)
}

fn origin(line: u64) -> Origin {
    Origin {
        source: Arc::from("import.csv"),
        line: Some(line),
    }
}

fn full_point(truck: &str, ts: i64, seed: f64) -> TelemetryPoint {
    let mut p = TelemetryPoint::new(truck, ts);
    p.lat = Some(40.0 + seed * 1e-3);
    p.lon = Some(-3.5 - seed * 1e-3);
    p.speed_kmh = Some(60.0 + seed);
    p.rpm = Some(1200.0);
    p.fuel_level_pct = Some(74.5);
    p.fuel_l = Some(447.0 - seed);
    p.fuel_used_l = Some(1000.0 + seed * 0.25);
    p.fuel_rate_lph = Some(22.1);
    p.odometer_km = Some(12345.6 + seed);
    p.engine_hours = Some(789.1);
    p.ignition = Some(true);
    p.driver_id = Some("D-7".into());
    p.pto = Some(false);
    p.alt_m = Some(650.0);
    p.ambient_temp_c = Some(-4.5);
    p.fuel_level_pct_2 = Some(50.0);
    p.fuel_l_2 = Some(100.0);
    p
}

fn batch(points: Vec<TelemetryPoint>) -> WriteBatch {
    WriteBatch {
        points: points
            .into_iter()
            .enumerate()
            .map(|(i, p)| (p, origin(i as u64 + 2)))
            .collect(),
        ..WriteBatch::default()
    }
}

async fn all_points(store: &Store, filter: PointFilter) -> Vec<TelemetryPoint> {
    store
        .points(filter)
        .try_collect()
        .await
        .expect("read points")
}

/// 3 trucks x `n` points, interleaved by time like a fleet export.
fn fleet(n: i64) -> Vec<TelemetryPoint> {
    let mut out = Vec::new();
    for step in 0..n {
        for (k, truck) in ["T3", "T1", "T2"].iter().enumerate() {
            out.push(full_point(
                truck,
                1_000 * step,
                (step * 3 + k as i64) as f64,
            ));
        }
    }
    out
}

#[tokio::test]
async fn rewriting_the_same_batch_stores_nothing_new() {
    let (_dir, store) = open_temp().await;
    let first = store.write_batch(batch(fleet(50))).await.unwrap();
    assert_eq!(
        first,
        WriteOutcome {
            stored: 150,
            ..Default::default()
        }
    );
    let again = store.write_batch(batch(fleet(50))).await.unwrap();
    assert_eq!(
        again,
        WriteOutcome {
            duplicates: 150,
            ..Default::default()
        }
    );
    assert_eq!(all_points(&store, PointFilter::default()).await.len(), 150);
    // A fresh process (no in-memory hints) sees the same.
    let path = match &store {
        Store::Sqlite(s) => s.path().to_path_buf(),
    };
    store.close().await;
    let store = Store::open_path(&path).await.unwrap();
    let third = store.write_batch(batch(fleet(50))).await.unwrap();
    assert_eq!((third.stored, third.duplicates), (0, 150));
    assert!(store.quarantine_counts().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_partly_new_batch_stores_only_the_new_points() {
    let (_dir, store) = open_temp().await;
    store.write_batch(batch(fleet(10))).await.unwrap();
    let out = store.write_batch(batch(fleet(15))).await.unwrap();
    assert_eq!((out.stored, out.duplicates, out.conflicts), (15, 30, 0));
    let stats = store.point_stats().await.unwrap();
    assert_eq!(stats.len(), 3);
    for s in stats {
        assert_eq!(
            (s.points, s.first_ts, s.last_ts),
            (15, 0, 14_000),
            "{}",
            s.truck_id
        );
    }
}

#[tokio::test]
async fn a_conflicting_duplicate_is_quarantined_with_both_values_and_the_stored_row_kept() {
    let (_dir, store) = open_temp().await;
    let original = full_point("T1", 5_000, 1.0);
    store
        .write_batch(batch(vec![original.clone()]))
        .await
        .unwrap();

    let mut changed = original.clone();
    changed.fuel_l = Some(12.25);
    let out = store
        .write_batch(WriteBatch {
            points: vec![(changed.clone(), origin(42))],
            ..WriteBatch::default()
        })
        .await
        .unwrap();
    assert_eq!(
        out,
        WriteOutcome {
            conflicts: 1,
            quarantined: 1,
            ..Default::default()
        }
    );
    assert_eq!(
        all_points(&store, PointFilter::default()).await,
        vec![original.clone()]
    );
    let entries = store
        .quarantine(QuarantineFilter::default(), 10)
        .await
        .unwrap();
    assert_eq!(entries.len(), 1);
    let e = &entries[0];
    assert_eq!(e.reason, CONFLICTING_DUPLICATE);
    assert_eq!(
        (e.source.as_str(), e.line, e.truck_id.as_deref(), e.ts),
        ("import.csv", Some(42), Some("T1"), Some(5_000))
    );
    assert_eq!(e.field.as_deref(), Some("fuel_l"));
    let detail: serde_json::Value = serde_json::from_str(&e.detail).unwrap();
    assert_eq!(detail["stored"]["fuel_l"], json!(original.fuel_l.unwrap()));
    assert_eq!(detail["incoming"]["fuel_l"], json!(12.25));

    // Replaying the same conflict neither stores nor repeats the quarantine entry.
    let replay = store
        .write_batch(WriteBatch {
            points: vec![(changed, origin(42))],
            ..WriteBatch::default()
        })
        .await
        .unwrap();
    assert_eq!((replay.conflicts, replay.quarantined), (1, 0));
    assert_eq!(
        store.quarantine_counts().await.unwrap(),
        vec![QuarantineCount {
            truck_id: Some("T1".into()),
            reason: CONFLICTING_DUPLICATE.into(),
            count: 1
        }]
    );
}

#[tokio::test]
async fn duplicates_inside_one_batch_keep_the_first_occurrence() {
    let (_dir, store) = open_temp().await;
    let a = full_point("T1", 1_000, 1.0);
    let b = full_point("T1", 2_000, 2.0);
    let mut a_changed = a.clone();
    a_changed.speed_kmh = Some(99.0);
    let out = store
        .write_batch(batch(vec![a.clone(), b.clone(), a.clone(), a_changed]))
        .await
        .unwrap();
    assert_eq!(
        (out.stored, out.duplicates, out.conflicts, out.quarantined),
        (2, 1, 1, 1)
    );
    assert_eq!(all_points(&store, PointFilter::default()).await, vec![a, b]);
    let stats = store.point_stats().await.unwrap();
    assert_eq!(stats[0].points, 2);
}

#[tokio::test]
async fn a_batch_repeating_a_stored_conflict_compares_with_the_stored_row() {
    let (_dir, store) = open_temp().await;
    let stored = full_point("T1", 1_000, 1.0);
    store
        .write_batch(batch(vec![stored.clone()]))
        .await
        .unwrap();
    let mut other = stored.clone();
    other.rpm = Some(900.0);
    // Both occurrences differ from the stored row: two conflicts, nothing stored.
    let out = store
        .write_batch(batch(vec![other.clone(), other]))
        .await
        .unwrap();
    assert_eq!((out.stored, out.duplicates, out.conflicts), (0, 0, 2));
    assert_eq!(
        all_points(&store, PointFilter::default()).await,
        vec![stored]
    );
}

#[tokio::test]
async fn out_of_order_points_are_read_back_in_time_order() {
    let (_dir, store) = open_temp().await;
    store
        .write_batch(batch(vec![
            full_point("T1", 30_000, 3.0),
            full_point("T1", 10_000, 1.0),
        ]))
        .await
        .unwrap();
    // Late data, older than what is stored.
    let out = store
        .write_batch(batch(vec![
            full_point("T1", 20_000, 2.0),
            full_point("T1", 5_000, 0.5),
        ]))
        .await
        .unwrap();
    assert_eq!(out.stored, 2);
    let ts: Vec<i64> = all_points(&store, PointFilter::default())
        .await
        .iter()
        .map(|p| p.ts)
        .collect();
    assert_eq!(ts, vec![5_000, 10_000, 20_000, 30_000]);
    let stats = store.point_stats().await.unwrap();
    assert_eq!(
        (stats[0].first_ts, stats[0].last_ts, stats[0].points),
        (5_000, 30_000, 4)
    );
    let latest = store.latest_points().await.unwrap();
    assert_eq!(latest.len(), 1);
    assert_eq!(latest[0].ts, 30_000);
}

#[tokio::test]
async fn floats_round_trip_bit_exactly() {
    let (_dir, store) = open_temp().await;
    let values = [
        0.1 + 0.2,
        1e-7,
        1.0 / 3.0,
        f64::MIN_POSITIVE,
        5e-324,
        123_456_789.125,
        12.0,
        1e15 + 0.5,
        -179.999_999_999_999_97,
        f64::MAX,
        9_007_199_254_740_993.0,
    ];
    let points: Vec<TelemetryPoint> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let mut p = TelemetryPoint::new("T1", i as i64);
            p.lat = Some(*v);
            p.fuel_used_l = Some(-*v);
            p.fuel_l_2 = Some(*v * 2.0);
            p
        })
        .collect();
    store.write_batch(batch(points.clone())).await.unwrap();
    let back = all_points(&store, PointFilter::default()).await;
    assert_eq!(back.len(), points.len());
    for (a, b) in points.iter().zip(&back) {
        for (x, y) in [
            (a.lat, b.lat),
            (a.fuel_used_l, b.fuel_used_l),
            (a.fuel_l_2, b.fuel_l_2),
        ] {
            assert_eq!(x.map(f64::to_bits), y.map(f64::to_bits), "{x:?} vs {y:?}");
        }
    }
    // Identical values are duplicates, bit for bit.
    let again = store.write_batch(batch(points.clone())).await.unwrap();
    assert_eq!(again.duplicates, points.len() as u64);

    // -0.0 is kept as 0.0, and re-sending it is a duplicate, not a conflict.
    let mut negative_zero = TelemetryPoint::new("T2", 0);
    negative_zero.speed_kmh = Some(-0.0);
    store
        .write_batch(batch(vec![negative_zero.clone()]))
        .await
        .unwrap();
    let again = store.write_batch(batch(vec![negative_zero])).await.unwrap();
    assert_eq!((again.duplicates, again.conflicts), (1, 0));
    let back = all_points(
        &store,
        PointFilter {
            trucks: Some(vec!["T2".into()]),
            ..PointFilter::default()
        },
    )
    .await;
    assert_eq!(back[0].speed_kmh.map(f64::to_bits), Some(0.0f64.to_bits()));
}

#[tokio::test]
async fn every_field_round_trips_including_absent_ones() {
    let (_dir, store) = open_temp().await;
    let full = full_point("T1", 1, 1.0);
    let bare = TelemetryPoint::new("T1", 2);
    let mut flags = TelemetryPoint::new("T1", 3);
    flags.ignition = Some(false);
    flags.pto = Some(true);
    store
        .write_batch(batch(vec![full.clone(), bare.clone(), flags.clone()]))
        .await
        .unwrap();
    assert_eq!(
        all_points(&store, PointFilter::default()).await,
        vec![full, bare, flags]
    );
}

#[tokio::test]
async fn range_reads_stream_in_truck_and_time_order_with_filters() {
    let (_dir, store) = open_temp().await;
    store.write_batch(batch(fleet(20))).await.unwrap();

    let cases: Vec<(PointFilter, Vec<(&str, i64)>)> = vec![
        (
            PointFilter {
                trucks: Some(vec!["T2".into(), "T1".into(), "T2".into()]),
                from: Some(3_000),
                to: Some(5_000),
            },
            vec![("T1", 3_000), ("T1", 4_000), ("T2", 3_000), ("T2", 4_000)],
        ),
        (
            PointFilter {
                trucks: None,
                from: Some(19_000),
                to: None,
            },
            vec![("T1", 19_000), ("T2", 19_000), ("T3", 19_000)],
        ),
        (
            PointFilter {
                trucks: Some(vec!["T3".into()]),
                from: None,
                to: Some(2_000),
            },
            vec![("T3", 0), ("T3", 1_000)],
        ),
        (
            PointFilter {
                trucks: Some(vec!["nobody".into()]),
                ..PointFilter::default()
            },
            vec![],
        ),
        (
            PointFilter {
                trucks: None,
                from: Some(5_000),
                to: Some(5_000),
            },
            vec![],
        ),
    ];
    for (filter, expected) in cases {
        let got: Vec<(String, i64)> = all_points(&store, filter.clone())
            .await
            .into_iter()
            .map(|p| (p.truck_id, p.ts))
            .collect();
        let expected: Vec<(String, i64)> = expected
            .into_iter()
            .map(|(t, ts)| (t.to_string(), ts))
            .collect();
        assert_eq!(got, expected, "{filter:?}");
    }

    let everything = all_points(&store, PointFilter::default()).await;
    assert_eq!(everything.len(), 60);
    assert!(
        everything
            .windows(2)
            .all(|w| (&w[0].truck_id, w[0].ts) < (&w[1].truck_id, w[1].ts))
    );
}

#[tokio::test]
async fn a_stream_can_be_dropped_half_way() {
    let (_dir, store) = open_temp().await;
    store.write_batch(batch(fleet(200))).await.unwrap();
    {
        use futures::StreamExt;
        let mut s = store.points(PointFilter::default());
        let first = s.next().await.unwrap().unwrap();
        assert_eq!((first.truck_id.as_str(), first.ts), ("T1", 0));
    }
    // The store stays usable for writes and reads afterwards.
    store
        .write_batch(batch(vec![full_point("T9", 0, 0.0)]))
        .await
        .unwrap();
    assert_eq!(all_points(&store, PointFilter::default()).await.len(), 601);
}

#[tokio::test]
async fn latest_point_per_truck() {
    let (_dir, store) = open_temp().await;
    assert!(store.latest_points().await.unwrap().is_empty());
    store.write_batch(batch(fleet(7))).await.unwrap();
    store
        .write_batch(batch(vec![full_point("T2", 100_000, 9.0)]))
        .await
        .unwrap();
    let latest: Vec<(String, i64)> = store
        .latest_points()
        .await
        .unwrap()
        .into_iter()
        .map(|p| (p.truck_id, p.ts))
        .collect();
    assert_eq!(
        latest,
        vec![
            ("T1".to_string(), 6_000),
            ("T2".to_string(), 100_000),
            ("T3".to_string(), 6_000)
        ]
    );
}

#[tokio::test]
async fn trucks_with_tanks_and_calibration_round_trip() {
    let (_dir, store) = open_temp().await;
    let truck = TruckProfile {
        truck_id: "T1".into(),
        name: "Volvo FH, unit 1".into(),
        fuel_type: Some("diesel".into()),
        tanks: vec![
            Tank {
                capacity_l: 600.0,
                calibration: Some(Calibration::parse("0:0;12.5:61.3;50:290.1;100:600").unwrap()),
            },
            Tank {
                capacity_l: 0.1 + 0.2,
                calibration: None,
            },
        ],
    };
    let bare = TruckProfile {
        truck_id: "T0".into(),
        name: "Spare".into(),
        fuel_type: None,
        tanks: vec![],
    };
    assert_eq!(
        store
            .upsert_trucks(&[truck.clone(), bare.clone()])
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store.trucks().await.unwrap(),
        vec![bare.clone(), truck.clone()]
    );
    let back = store.trucks().await.unwrap();
    assert_eq!(
        back[1].tanks[1].capacity_l.to_bits(),
        (0.1f64 + 0.2).to_bits()
    );

    let mut renamed = truck.clone();
    renamed.name = "Renamed".into();
    renamed.tanks.pop();
    store.upsert_trucks(&[renamed.clone()]).await.unwrap();
    assert_eq!(store.trucks().await.unwrap(), vec![bare, renamed]);
}

#[tokio::test]
async fn purchases_are_idempotent_and_conflicts_quarantined() {
    let (_dir, store) = open_temp().await;
    let p = |truck: &str, ts: i64, litres: f64, card: Option<&str>| Purchase {
        truck_id: truck.into(),
        ts,
        litres,
        price_per_l: 1.459,
        lat: Some(40.1),
        lon: None,
        card_id: card.map(str::to_string),
        station: Some("Repsol A-2".into()),
    };
    let rows = vec![
        (p("T1", 1_000, 350.5, Some("C1")), origin(2)),
        (p("T1", 1_000, 20.0, Some("C2")), origin(3)),
        (p("T2", 5_000, 0.1 + 0.2, None), origin(4)),
        // Repeated within the batch.
        (p("T2", 5_000, 0.1 + 0.2, None), origin(5)),
    ];
    let out = store.write_purchases(&rows, vec![]).await.unwrap();
    assert_eq!((out.stored, out.duplicates, out.conflicts), (3, 1, 0));
    let again = store.write_purchases(&rows, vec![]).await.unwrap();
    assert_eq!((again.stored, again.duplicates), (0, 4));

    let conflict = vec![(p("T1", 1_000, 351.0, Some("C1")), origin(9))];
    let out = store.write_purchases(&conflict, vec![]).await.unwrap();
    assert_eq!((out.stored, out.conflicts, out.quarantined), (0, 1, 1));

    let all = store.purchases(PurchaseFilter::default()).await.unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[0].litres, 350.5);
    assert_eq!(all[2].card_id, None);
    assert_eq!(all[2].litres.to_bits(), (0.1f64 + 0.2).to_bits());
    let t2 = store
        .purchases(PurchaseFilter {
            trucks: Some(vec!["T2".into()]),
            from: Some(5_000),
            to: Some(5_001),
        })
        .await
        .unwrap();
    assert_eq!(t2.len(), 1);
    let none = store
        .purchases(PurchaseFilter {
            trucks: None,
            from: Some(6_000),
            to: None,
        })
        .await
        .unwrap();
    assert!(none.is_empty());
    let q = store
        .quarantine(
            QuarantineFilter {
                reason: Some(CONFLICTING_DUPLICATE.into()),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!(q[0].field.as_deref(), Some("litres"));
}

fn bad_field(line: u64, truck: Option<&str>, field: &str, reason: &str) -> QuarantineEntry {
    QuarantineEntry {
        source: "import.csv".into(),
        line: Some(line),
        truck_id: truck.map(str::to_string),
        ts: truck.map(|_| 1_000),
        field: Some(field.into()),
        reason: reason.into(),
        detail: format!("{field} on line {line}"),
        raw: Some(format!("raw line {line}")),
    }
}

#[tokio::test]
async fn quarantine_counts_filters_and_no_repeats_on_reimport() {
    let (_dir, store) = open_temp().await;
    let entries = vec![
        bad_field(2, Some("T1"), "speed_kmh", "out_of_range"),
        bad_field(3, Some("T1"), "rpm", "out_of_range"),
        bad_field(4, Some("T2"), "lat", "not_a_number"),
        bad_field(5, None, "truck_id", "missing_truck_id"),
    ];
    let out = store
        .write_batch(WriteBatch {
            quarantine: entries.clone(),
            ..WriteBatch::default()
        })
        .await
        .unwrap();
    assert_eq!(out.quarantined, 4);
    let again = store
        .write_batch(WriteBatch {
            quarantine: entries.clone(),
            ..WriteBatch::default()
        })
        .await
        .unwrap();
    assert_eq!(again.quarantined, 0);

    let counts = store.quarantine_counts().await.unwrap();
    let expect = |t: Option<&str>, r: &str, n| QuarantineCount {
        truck_id: t.map(str::to_string),
        reason: r.into(),
        count: n,
    };
    assert_eq!(
        counts,
        vec![
            expect(None, "missing_truck_id", 1),
            expect(Some("T1"), "out_of_range", 2),
            expect(Some("T2"), "not_a_number", 1),
        ]
    );
    let t1 = store
        .quarantine(
            QuarantineFilter {
                truck_id: Some("T1".into()),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();
    assert_eq!(t1, entries[..2].to_vec());
    let limited = store
        .quarantine(QuarantineFilter::default(), 3)
        .await
        .unwrap();
    assert_eq!(limited, entries[..3].to_vec());
    let other_source = store
        .quarantine(
            QuarantineFilter {
                source: Some("other.csv".into()),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();
    assert!(other_source.is_empty());
}

#[tokio::test]
async fn settings_round_trip() {
    let (_dir, store) = open_temp().await;
    assert_eq!(store.setting(setting_keys::TIME_ZONE).await.unwrap(), None);
    let cases = [
        (setting_keys::TIME_ZONE, json!("Europe/Madrid")),
        (setting_keys::FUEL_PRICE, json!(1.459)),
        (setting_keys::CURRENCY, json!("EUR")),
        (setting_keys::SPEED_LIMIT_KMH, json!(90)),
        (
            setting_keys::THRESHOLDS,
            json!({"theft_l": 20.0, "tiny": 0.30000000000000004}),
        ),
    ];
    for (k, v) in &cases {
        store.set_setting(k, v).await.unwrap();
    }
    for (k, v) in &cases {
        assert_eq!(store.setting(k).await.unwrap().as_ref(), Some(v), "{k}");
    }
    let tiny = store
        .setting(setting_keys::THRESHOLDS)
        .await
        .unwrap()
        .unwrap()["tiny"]
        .as_f64()
        .unwrap();
    assert_eq!(tiny.to_bits(), (0.1f64 + 0.2).to_bits());
    store
        .set_setting(setting_keys::CURRENCY, &json!("USD"))
        .await
        .unwrap();
    assert_eq!(
        store.setting(setting_keys::CURRENCY).await.unwrap(),
        Some(json!("USD"))
    );
    assert_eq!(store.settings().await.unwrap().len(), 5);
    assert!(store.remove_setting(setting_keys::CURRENCY).await.unwrap());
    assert!(!store.remove_setting(setting_keys::CURRENCY).await.unwrap());
    assert_eq!(store.settings().await.unwrap().len(), 4);
}

#[tokio::test]
async fn import_runs_and_feed_cursor() {
    let (_dir, store) = open_temp().await;
    let run = ImportRun {
        source: "/data/march.csv".into(),
        started_ms: 1_000,
        finished_ms: Some(2_500),
        counts: json!({"stored": 10, "duplicates": 2}),
    };
    let id1 = store.record_import(&run).await.unwrap();
    let id2 = store
        .record_import(&ImportRun {
            finished_ms: None,
            ..run.clone()
        })
        .await
        .unwrap();
    assert!(id2 > id1);
    let runs = store.import_runs(10).await.unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!((runs[0].id, runs[0].run.finished_ms), (id2, None));
    assert_eq!(runs[1].run, run);

    assert_eq!(store.feed_cursor("ws://feed").await.unwrap(), None);
    let out = store
        .write_batch(WriteBatch {
            points: vec![(full_point("T1", 1, 0.0), origin(0))],
            quarantine: vec![],
            cursor: Some(FeedCursor {
                feed: "ws://feed".into(),
                seq: 41,
            }),
            ..WriteBatch::default()
        })
        .await
        .unwrap();
    assert_eq!(out.stored, 1);
    assert_eq!(store.feed_cursor("ws://feed").await.unwrap(), Some(41));
}

#[tokio::test]
async fn migrations_are_applied_once_and_data_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("sub/dir/fleet.db").display());
    let store = Store::open(&url).await.unwrap();
    assert_eq!(store.backend(), "sqlite");
    let applied = store.applied_migrations().await.unwrap();
    assert_eq!(applied, vec![1, 2, 3]);
    store.write_batch(batch(fleet(3))).await.unwrap();
    store.close().await;

    let store = Store::open(&url).await.unwrap();
    assert_eq!(store.applied_migrations().await.unwrap(), applied);
    assert_eq!(all_points(&store, PointFilter::default()).await.len(), 9);
    store.close().await;
}

/// Makes every feed-cursor write fail, so that a batch fails at its very last step.
async fn inject_cursor_fault(store: &Store) {
    match store {
        Store::Sqlite(s) => {
            use sqlx::Connection;
            let url = format!("sqlite:{}", s.path().display());
            let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::query(
                "CREATE TRIGGER refuse_cursor BEFORE INSERT ON feed_cursors \
                 BEGIN SELECT RAISE(ABORT, 'refused'); END",
            )
            .execute(&mut conn)
            .await
            .unwrap();
            conn.close().await.unwrap();
        }
    }
}

#[tokio::test]
async fn a_failing_batch_leaves_nothing() {
    let (_dir, store) = open_temp().await;
    inject_cursor_fault(&store).await;
    for points in [fleet(5), vec![]] {
        let err = store
            .write_batch(WriteBatch {
                points: points.into_iter().map(|p| (p, origin(1))).collect(),
                quarantine: vec![bad_field(2, Some("T1"), "rpm", "out_of_range")],
                cursor: Some(FeedCursor {
                    feed: "f".into(),
                    seq: 1,
                }),
                ..WriteBatch::default()
            })
            .await
            .unwrap_err();
        assert!(!err.to_string().contains("refused"), "{err}");
        assert!(!err.code().is_empty());
    }
    assert!(all_points(&store, PointFilter::default()).await.is_empty());
    assert!(store.point_stats().await.unwrap().is_empty());
    assert!(store.quarantine_counts().await.unwrap().is_empty());
    // The failed batch did not poison the write path (nor the truck-key cache:
    // keys it assigned were rolled back with it).
    let out = store.write_batch(batch(fleet(5))).await.unwrap();
    assert_eq!(out.stored, 15);
    assert_eq!(
        all_points(&store, PointFilter::default()).await,
        sorted(fleet(5))
    );
    let stats = store.point_stats().await.unwrap();
    assert_eq!(
        stats
            .iter()
            .map(|s| (s.truck_id.as_str(), s.points))
            .collect::<Vec<_>>(),
        vec![("T1", 5), ("T2", 5), ("T3", 5)]
    );
}

fn sorted(mut points: Vec<TelemetryPoint>) -> Vec<TelemetryPoint> {
    points.sort_by(|a, b| (a.truck_id.as_str(), a.ts).cmp(&(b.truck_id.as_str(), b.ts)));
    points
}

#[tokio::test]
async fn reads_order_by_truck_id_whatever_order_trucks_arrived_in() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fleet.db");
    // Ids that sort differently from their first appearance, one needing escaping.
    let first = ["zeta", "Beta \"quoted\"", "alpha"];
    let later = ["Ω-7", "alpha", "aardvark", "zeta"];
    let mut written = Vec::new();
    let store = Store::open_path(&path).await.unwrap();
    let points: Vec<_> = first
        .iter()
        .enumerate()
        .map(|(k, t)| full_point(t, 1_000, k as f64))
        .collect();
    assert_eq!(
        store
            .write_batch(batch(points.clone()))
            .await
            .unwrap()
            .stored,
        3
    );
    written.extend(points);
    store.close().await;

    // After a reopen the keys come from the file; new trucks get new ones.
    let store = Store::open_path(&path).await.unwrap();
    let points: Vec<_> = later
        .iter()
        .enumerate()
        .map(|(k, t)| full_point(t, 2_000, 10.0 + k as f64))
        .collect();
    assert_eq!(
        store
            .write_batch(batch(points.clone()))
            .await
            .unwrap()
            .stored,
        4
    );
    written.extend(points);
    let expected = sorted(written);
    assert_eq!(all_points(&store, PointFilter::default()).await, expected);

    let ids: Vec<&str> = vec!["Beta \"quoted\"", "aardvark", "alpha", "zeta", "Ω-7"];
    let stats = store.point_stats().await.unwrap();
    assert_eq!(
        stats
            .iter()
            .map(|s| s.truck_id.as_str())
            .collect::<Vec<_>>(),
        ids
    );
    assert_eq!(stats[2].points, 2);
    assert_eq!((stats[2].first_ts, stats[2].last_ts), (1_000, 2_000));
    let latest = store.latest_points().await.unwrap();
    assert_eq!(
        latest
            .iter()
            .map(|p| p.truck_id.as_str())
            .collect::<Vec<_>>(),
        ids
    );
    assert!(
        latest
            .iter()
            .all(|p| p.ts == 2_000 || p.truck_id.starts_with('B'))
    );

    let one = PointFilter {
        trucks: Some(vec!["alpha".into(), "unknown".into()]),
        ..PointFilter::default()
    };
    let alpha: Vec<_> = expected
        .iter()
        .filter(|p| p.truck_id == "alpha")
        .cloned()
        .collect();
    assert_eq!(all_points(&store, one).await, alpha);

    // A re-sent batch with one changed value: duplicates and a conflict, by text id.
    let mut again: Vec<_> = alpha.clone();
    again[1].rpm = Some(999.0);
    let out = store.write_batch(batch(again)).await.unwrap();
    assert_eq!((out.stored, out.duplicates, out.conflicts), (0, 1, 1));
    store.close().await;
}

#[tokio::test]
async fn unsupported_and_broken_locations_are_clear_errors() {
    let err = Store::open("postgres://fleet@localhost/fleet")
        .await
        .unwrap_err();
    assert_eq!(err.code(), "store_unsupported");
    assert!(err.to_string().contains("PostgreSQL"));

    let dir = tempfile::tempdir().unwrap();
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![b'x'; 8192]).unwrap();
    let err = Store::open_path(&junk).await.unwrap_err();
    assert_eq!(err.code(), "store_corrupt", "{err:?}");
    assert!(!err.to_string().to_lowercase().contains("sqlite"), "{err}");
}

#[tokio::test]
async fn large_batches_span_several_statements() {
    let (_dir, store) = open_temp().await;
    // 3 x 2000 points: more than one multi-row statement, with a remainder.
    let points = fleet(2000);
    let out = store.write_batch(batch(points.clone())).await.unwrap();
    assert_eq!(out.stored, 6000);
    // Half old, half new: the slow path over several look-up statements.
    let mut mixed = fleet(3000);
    mixed.reverse();
    let out = store.write_batch(batch(mixed)).await.unwrap();
    assert_eq!((out.stored, out.duplicates), (3000, 6000));
    let back = all_points(&store, PointFilter::default()).await;
    assert_eq!(back.len(), 9000);
    let stats = store.point_stats().await.unwrap();
    assert!(
        stats
            .iter()
            .all(|s| s.points == 3000 && s.last_ts == 2_999_000)
    );
}

#[tokio::test]
async fn a_change_in_any_single_field_is_a_conflict_naming_that_field() {
    let (_dir, store) = open_temp().await;
    let base = full_point("T1", 1_000, 1.0);
    store.write_batch(batch(vec![base.clone()])).await.unwrap();
    let mut variants: Vec<(&str, TelemetryPoint)> = Vec::new();
    for field in &fc_model::Field::ALL[2..] {
        let mut p = base.clone();
        if let Some(slot) = p.float_mut(*field) {
            *slot = slot.map(|v| v + 0.5);
        } else if let Some(flag) = p.bool_mut(*field) {
            *flag = flag.map(|b| !b);
        } else {
            p.driver_id = Some("D-8".into());
        }
        variants.push((field.name(), p));
    }
    // A value that becomes absent is a change too.
    let mut gone = base.clone();
    gone.alt_m = None;
    variants.push(("alt_m", gone));
    for (line, (name, p)) in variants.into_iter().enumerate() {
        let out = store
            .write_batch(WriteBatch {
                points: vec![(p, origin(line as u64 + 100))],
                ..WriteBatch::default()
            })
            .await
            .unwrap();
        assert_eq!((out.conflicts, out.duplicates), (1, 0), "{name}");
        let q = store
            .quarantine(
                QuarantineFilter {
                    reason: Some(CONFLICTING_DUPLICATE.into()),
                    ..Default::default()
                },
                100,
            )
            .await
            .unwrap();
        assert_eq!(q.last().unwrap().field.as_deref(), Some(name));
    }
    assert_eq!(all_points(&store, PointFilter::default()).await, vec![base]);
}

/// Checkpoints run on their own connection while batches commit; a store
/// dropped without `close` (a crash, as far as the file is concerned) loses
/// no committed batch, and a reader sees every batch as soon as it committed.
#[tokio::test]
async fn background_checkpoints_lose_nothing_and_hide_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fleet.db");
    let store = Store::open_path(&path).await.unwrap();
    for round in 0..20 {
        let points: Vec<TelemetryPoint> = (0..200)
            .map(|i| full_point(&format!("T{}", i % 7), round * 1_000_000 + i, i as f64))
            .collect();
        let out = store.write_batch(batch(points)).await.unwrap();
        assert_eq!(out.stored, 200);
        let seen: u64 = store
            .point_stats()
            .await
            .unwrap()
            .iter()
            .map(|s| s.points)
            .sum();
        assert_eq!(seen, (round as u64 + 1) * 200);
    }
    drop(store);
    let store = Store::open_path(&path).await.unwrap();
    assert_eq!(all_points(&store, PointFilter::default()).await.len(), 4000);
    store.close().await;
    assert!(
        !dir.path().join("fleet.db-wal").exists(),
        "close leaves no WAL behind"
    );
}
