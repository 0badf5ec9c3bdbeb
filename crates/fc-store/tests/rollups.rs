//! Coaching rollups: replace a truck's range, upsert by key, filters.

use fc_store::{RollupFilter, RollupRecord, Store};
use serde_json::json;

fn rec(truck: &str, day: &str, driver: &str, start_ms: i64, km: f64) -> RollupRecord {
    RollupRecord {
        truck_id: truck.into(),
        day: day.into(),
        driver_id: driver.into(),
        start_ms,
        end_ms: start_ms + 1000,
        metrics: json!({ "distance_km": km }),
    }
}

#[tokio::test]
async fn replace_upsert_and_filter() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_path(&dir.path().join("fleet.db"))
        .await
        .unwrap();
    assert_eq!(store.rollup_days().await.unwrap(), None);
    let day = 86_400_000;
    store
        .upsert_rollups(&[
            rec("T1", "2024-03-04", "D1", 0, 10.0),
            rec("T1", "2024-03-05", "D1", day, 20.0),
            rec("T1", "2024-03-05", "", day + 5, 1.0),
            rec("T2", "2024-03-05", "D2", day, 30.0),
        ])
        .await
        .unwrap();
    // Same key again: replaced, not duplicated.
    store
        .upsert_rollups(&[rec("T2", "2024-03-05", "D2", day, 31.0)])
        .await
        .unwrap();
    let all = store.rollups(RollupFilter::default()).await.unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(all[0].day, "2024-03-04");
    assert_eq!(all[3].metrics["distance_km"], 31.0);
    // Rebuilding T1's second day replaces both of its rollups and leaves T2 alone.
    store
        .replace_rollups(
            "T1",
            day,
            2 * day,
            &[rec("T1", "2024-03-05", "D3", day, 22.0)],
        )
        .await
        .unwrap();
    let d5 = store
        .rollups(RollupFilter {
            from_day: Some("2024-03-05".into()),
            to_day: Some("2024-03-05".into()),
            ..RollupFilter::default()
        })
        .await
        .unwrap();
    let ids: Vec<(&str, &str)> = d5
        .iter()
        .map(|r| (r.truck_id.as_str(), r.driver_id.as_str()))
        .collect();
    assert_eq!(ids, vec![("T1", "D3"), ("T2", "D2")]);
    let d2 = store
        .rollups(RollupFilter {
            drivers: Some(vec!["D2".into()]),
            ..RollupFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(d2.len(), 1);
    assert_eq!(
        store.rollup_days().await.unwrap(),
        Some(("2024-03-04".into(), "2024-03-05".into()))
    );
    store.close().await;
}

/// Many rows in one call (several multi-row statements, a key repeated
/// within one), and a truck filter short enough to be looked up by key and
/// one long enough to be filtered after the read: both give the same rows.
#[tokio::test]
async fn bulk_upsert_and_truck_filters() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_path(&dir.path().join("fleet.db"))
        .await
        .unwrap();
    let mut records: Vec<RollupRecord> = (0..700)
        .map(|i| rec(&format!("T{i:04}"), "2024-03-04", "D", i, i as f64))
        .collect();
    // The same key later in the same call: the later value wins, as it would row by row.
    records.push(rec("T0003", "2024-03-04", "D", 3, 99.0));
    store.upsert_rollups(&records).await.unwrap();
    let all = store.rollups(RollupFilter::default()).await.unwrap();
    assert_eq!(all.len(), 700);
    assert_eq!(all[3].metrics["distance_km"], 99.0);
    assert_eq!(all[699].truck_id, "T0699");

    let short = vec!["T0010".to_string(), "T0003".into(), "nope".into()];
    let got = store
        .rollups(RollupFilter {
            trucks: Some(short),
            ..RollupFilter::default()
        })
        .await
        .unwrap();
    let ids: Vec<&str> = got.iter().map(|r| r.truck_id.as_str()).collect();
    assert_eq!(ids, vec!["T0003", "T0010"]);

    let long: Vec<String> = (0..600).step_by(2).map(|i| format!("T{i:04}")).collect();
    let mut long = [long.clone(), long].concat();
    long.push("nope".into());
    let got = store
        .rollups(RollupFilter {
            trucks: Some(long),
            to_day: Some("2024-03-04".into()),
            ..RollupFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(got.len(), 300);
    assert!(
        got.iter()
            .all(|r| r.truck_id[1..].parse::<u32>().unwrap() % 2 == 0)
    );
    store.close().await;
}
