//! Events, verdicts and the alert outbox, written against `Store` like the rest of the suite.

use std::sync::Arc;

use fc_model::TelemetryPoint;
use fc_store::{
    EventFilter, EventRecord, EventScore, FeedCursor, NewAlert, Origin, Store, Verdict,
    VerdictKind, WriteBatch,
};
use serde_json::json;

async fn open_temp() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open_path(&dir.path().join("fleet.db"))
        .await
        .expect("open store");
    (dir, store)
}

fn event(id: &str, truck: &str, kind: &str, start_ms: i64, revision: u32) -> EventRecord {
    EventRecord {
        id: id.into(),
        truck_id: truck.into(),
        kind: kind.into(),
        status: "final".into(),
        revision,
        detector_version: "test/1".into(),
        start_ms,
        end_ms: start_ms + 600_000,
        volume_l: 40.0 + f64::from(revision),
        lat: Some(40.5),
        lon: Some(-3.7),
        rule_confidence: 0.9,
        ml_score: None,
        confidence: 0.9,
        model_version: None,
        evidence: json!({"level_before_l": 300.25, "samples": [[1, 2.5, 2.4]]}),
    }
}

fn alert(truck: &str, kind: &str, key: Option<&str>) -> NewAlert {
    NewAlert {
        ts_ms: 1_000,
        truck_id: truck.into(),
        kind: kind.into(),
        event_id: key.map(str::to_string),
        dedupe_key: key.map(str::to_string),
        payload: json!({"volume_l": 41.5}),
    }
}

fn ids(events: &[fc_store::StoredEvent]) -> Vec<&str> {
    events.iter().map(|e| e.event.id.as_str()).collect()
}

#[tokio::test]
async fn events_commit_with_their_points_and_cursor() {
    let (_dir, store) = open_temp().await;
    let origin = Origin {
        source: Arc::from("feed"),
        line: None,
    };
    let out = store
        .write_batch(WriteBatch {
            points: vec![(TelemetryPoint::new("T1", 5), origin)],
            events: vec![event("T1:drain:1", "T1", "drain", 1, 0)],
            alerts: vec![alert("T1", "drain", Some("T1:drain:1"))],
            cursor: Some(FeedCursor {
                feed: "ws://gw".into(),
                seq: 7,
            }),
            ..WriteBatch::default()
        })
        .await
        .unwrap();
    assert_eq!((out.stored, out.events, out.alerts), (1, 1, 1));
    let stored = store.event("T1:drain:1").await.unwrap().expect("stored");
    assert_eq!(stored.event, event("T1:drain:1", "T1", "drain", 1, 0));
    assert_eq!(stored.verdict, None);
    assert_eq!(store.feed_cursor("ws://gw").await.unwrap(), Some(7));
}

#[tokio::test]
async fn a_lower_revision_never_replaces_a_higher_one() {
    let (_dir, store) = open_temp().await;
    store
        .write_events(&[event("E", "T1", "fill", 10, 3)], &[])
        .await
        .unwrap();
    let (changed, _) = store
        .write_events(&[event("E", "T1", "fill", 10, 2)], &[])
        .await
        .unwrap();
    assert_eq!(changed, 0);
    assert_eq!(store.event("E").await.unwrap().unwrap().event.revision, 3);
    let (changed, _) = store
        .write_events(&[event("E", "T1", "fill", 10, 4)], &[])
        .await
        .unwrap();
    assert_eq!(changed, 1);
    let e = store.event("E").await.unwrap().unwrap().event;
    assert_eq!((e.revision, e.volume_l), (4, 44.0));
    assert_eq!(store.event("missing").await.unwrap(), None);
}

#[tokio::test]
async fn filters_select_and_order_newest_first() {
    let (_dir, store) = open_temp().await;
    let mut low = event("c", "T2", "drain", 3_000_000, 0);
    low.confidence = 0.2;
    store
        .write_events(
            &[
                event("a", "T1", "fill", 1_000_000, 0),
                event("b", "T1", "drain", 2_000_000, 0),
                low,
            ],
            &[],
        )
        .await
        .unwrap();
    let cases: Vec<(EventFilter, Vec<&str>)> = vec![
        (EventFilter::default(), vec!["c", "b", "a"]),
        (
            EventFilter {
                trucks: Some(vec!["T1".into()]),
                ..EventFilter::default()
            },
            vec!["b", "a"],
        ),
        (
            EventFilter {
                kinds: Some(vec!["drain".into()]),
                ..EventFilter::default()
            },
            vec!["c", "b"],
        ),
        (
            EventFilter {
                min_confidence: Some(0.5),
                ..EventFilter::default()
            },
            vec!["b", "a"],
        ),
        // Overlap: ends at or after `from`, starts before `to`.
        (
            EventFilter {
                from: Some(1_600_001),
                to: Some(3_000_000),
                ..EventFilter::default()
            },
            vec!["b"],
        ),
        (
            EventFilter {
                limit: Some(1),
                ..EventFilter::default()
            },
            vec!["c"],
        ),
    ];
    for (filter, want) in cases {
        let got = store.events(&filter).await.unwrap();
        assert_eq!(ids(&got), want, "{filter:?}");
    }
}

#[tokio::test]
async fn verdicts_survive_reanalysis_and_retraction() {
    let (_dir, store) = open_temp().await;
    store
        .write_events(
            &[
                event("keep", "T1", "drain", 1_000, 0),
                event("gone", "T1", "drain", 5_000, 0),
                event("other", "T2", "drain", 5_000, 0),
            ],
            &[],
        )
        .await
        .unwrap();
    let verdict = Verdict {
        event_id: "gone".into(),
        verdict: VerdictKind::FalseAlarm,
        by: "ana".into(),
        at_ms: 99,
        note: Some("reefer".into()),
    };
    store.set_verdict(&verdict).await.unwrap();
    // Re-analysis of T1 found only `keep`.
    let n = store
        .retract_events_except("T1", 0, 10_000, &["keep".into()])
        .await
        .unwrap();
    assert_eq!(n, 1);
    let live = store.events(&EventFilter::default()).await.unwrap();
    assert_eq!(ids(&live), vec!["other", "keep"]);
    let all = store
        .events(&EventFilter {
            include_retracted: true,
            with_verdict: true,
            ..EventFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(ids(&all), vec!["gone"]);
    assert_eq!(all[0].event.status, "retracted");
    assert_eq!(all[0].event.revision, 1);
    assert_eq!(all[0].verdict.as_ref(), Some(&verdict));
    // The event comes back with a new revision: the verdict is still there.
    store
        .write_events(&[event("gone", "T1", "drain", 5_000, 2)], &[])
        .await
        .unwrap();
    let back = store.event("gone").await.unwrap().unwrap();
    assert_eq!(back.event.status, "final");
    assert_eq!(back.verdict, Some(verdict.clone()));
    // A later verdict replaces it; clearing removes it.
    store
        .set_verdict(&Verdict {
            verdict: VerdictKind::Confirmed,
            at_ms: 100,
            ..verdict
        })
        .await
        .unwrap();
    let verdicts = store.verdicts().await.unwrap();
    assert_eq!(verdicts.len(), 1);
    assert_eq!(verdicts[0].verdict, VerdictKind::Confirmed);
    assert!(store.clear_verdict("gone").await.unwrap());
    assert!(!store.clear_verdict("gone").await.unwrap());
}

#[tokio::test]
async fn rescoring_changes_scores_and_keeps_the_revision() {
    let (_dir, store) = open_temp().await;
    store
        .write_events(&[event("E", "T1", "drain", 1, 5)], &[])
        .await
        .unwrap();
    let n = store
        .update_scores(&[
            EventScore {
                event_id: "E".into(),
                ml_score: Some(0.12),
                confidence: 0.3,
                model_version: Some("m/1".into()),
            },
            EventScore {
                event_id: "missing".into(),
                ml_score: None,
                confidence: 0.0,
                model_version: None,
            },
        ])
        .await
        .unwrap();
    assert_eq!(n, 1);
    let e = store.event("E").await.unwrap().unwrap().event;
    assert_eq!(
        (
            e.ml_score,
            e.confidence,
            e.model_version.as_deref(),
            e.revision
        ),
        (Some(0.12), 0.3, Some("m/1"), 5)
    );
}

#[tokio::test]
async fn the_outbox_numbers_alerts_dedupes_replays_and_resumes() {
    let (dir, store) = open_temp().await;
    assert_eq!(store.last_alert_seq().await.unwrap(), 0);
    let (_, added) = store
        .write_events(
            &[],
            &[
                alert("T1", "drain", Some("T1:drain:1")),
                alert("T2", "offline", None),
                alert("T2", "offline", None),
            ],
        )
        .await
        .unwrap();
    assert_eq!(added, 3);
    // A replay of the same event's alert is not added again.
    let (_, added) = store
        .write_events(&[], &[alert("T1", "drain", Some("T1:drain:1"))])
        .await
        .unwrap();
    assert_eq!(added, 0);
    let all = store.alerts_after(0, 100).await.unwrap();
    let seqs: Vec<i64> = all.iter().map(|a| a.seq).collect();
    assert_eq!(seqs, vec![1, 2, 3]);
    assert_eq!(all[0].alert, alert("T1", "drain", Some("T1:drain:1")));
    assert_eq!(store.alerts_after(2, 100).await.unwrap().len(), 1);
    assert_eq!(store.alerts_after(0, 2).await.unwrap().len(), 2);

    assert!(store.ack_alert(2, "ana", 5_000).await.unwrap());
    assert!(!store.ack_alert(2, "ana", 6_000).await.unwrap());
    assert!(!store.ack_alert(42, "ana", 6_000).await.unwrap());
    let open: Vec<i64> = store
        .open_alerts(10)
        .await
        .unwrap()
        .iter()
        .map(|a| a.seq)
        .collect();
    assert_eq!(open, vec![3, 1]);
    let acked = store.alerts_after(1, 1).await.unwrap();
    assert_eq!(acked[0].acked, Some(("ana".to_string(), 5_000)));

    // Sequence numbers survive a restart and are never reused.
    store.close().await;
    let store = Store::open_path(&dir.path().join("fleet.db"))
        .await
        .unwrap();
    assert_eq!(store.last_alert_seq().await.unwrap(), 3);
    store
        .write_events(&[], &[alert("T3", "low_fuel", None)])
        .await
        .unwrap();
    // Seqs only grow; a skipped replay may leave a gap.
    let after = store.alerts_after(3, 10).await.unwrap();
    assert_eq!(after.len(), 1);
    assert!(after[0].seq > 3);
    assert_eq!(store.last_alert_seq().await.unwrap(), after[0].seq);
}

#[tokio::test]
async fn a_failed_batch_stores_neither_points_nor_events() {
    let (_dir, store) = open_temp().await;
    let origin = Origin {
        source: Arc::from("feed"),
        line: None,
    };
    // A non-finite evidence number cannot be encoded as JSON: the whole batch fails.
    let mut bad = event("E", "T1", "drain", 1, 0);
    bad.evidence = serde_json::Value::Null;
    bad.volume_l = f64::NAN;
    let result = store
        .write_batch(WriteBatch {
            points: vec![(TelemetryPoint::new("T1", 5), origin)],
            events: vec![bad],
            alerts: vec![alert("T1", "drain", Some("E"))],
            ..WriteBatch::default()
        })
        .await;
    // NaN is stored as NULL by SQLite, which the NOT NULL column refuses.
    assert!(result.is_err());
    assert_eq!(store.point_stats().await.unwrap().len(), 0);
    assert_eq!(store.last_alert_seq().await.unwrap(), 0);
}
