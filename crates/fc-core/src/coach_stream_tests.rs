//! The import's streamed rollups against the re-read of the store: for each
//! import, rebuilding the touched days from the stored points afterwards must
//! change nothing, whichever path each truck took; and the paths taken are the
//! ones the rules promise (append-only trucks stream, the rest re-read).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fc_store::RollupFilter;

use crate::core::Core;
use crate::import::{ImportRequest, import_with_rollups};
use crate::settings::FleetSettings;

const DAY_MS: i64 = 86_400_000;

fn settings() -> FleetSettings {
    FleetSettings {
        // The simulator's fleet runs on UTC+1: local days are not UTC days.
        time_zone: "Etc/GMT-1".into(),
        ..FleetSettings::default()
    }
}

/// Every stored rollup, keyed by (truck, day, driver), values as JSON text.
async fn all_rollups(core: &Core) -> BTreeMap<(String, String, String), String> {
    core.store()
        .rollups(RollupFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|r| {
            let value = format!("{} {} {}", r.start_ms, r.end_ms, r.metrics);
            ((r.truck_id, r.day, r.driver_id), value)
        })
        .collect()
}

/// (truck, first ts, last ts) of a set of CSV data rows.
fn spans(rows: &[Row]) -> Vec<(String, i64, i64)> {
    let mut by: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for r in rows {
        let e = by.entry(&r.truck).or_insert((r.ts, r.ts));
        *e = (e.0.min(r.ts), e.1.max(r.ts));
    }
    by.into_iter()
        .map(|(t, (a, b))| (t.to_string(), a, b))
        .collect()
}

#[derive(Clone)]
struct Row {
    truck: String,
    ts: i64,
    line: String,
}

fn read_rows(path: &Path) -> (String, Vec<Row>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap().to_string();
    let rows = lines
        .map(|l| {
            let mut cols = l.split(',');
            let truck = cols.next().unwrap().to_string();
            let ts = chrono::DateTime::parse_from_rfc3339(cols.next().unwrap())
                .unwrap()
                .timestamp_millis();
            Row {
                truck,
                ts,
                line: l.to_string(),
            }
        })
        .collect();
    (header, rows)
}

fn write_rows(path: &Path, header: &str, rows: &[Row]) -> PathBuf {
    let mut text = String::from(header);
    text.push('\n');
    for r in rows {
        text.push_str(&r.line);
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
    path.to_path_buf()
}

async fn import(core: &Core, files: Vec<PathBuf>) -> crate::coach::RollupsStored {
    let req = ImportRequest {
        files,
        ..ImportRequest::default()
    };
    let settings = core.fleet_settings().await.unwrap();
    let tz = settings.tz().unwrap();
    let (reports, stored) = import_with_rollups(core.store(), &settings, tz, &req, &mut |_| {})
        .await
        .unwrap();
    assert!(reports.iter().all(|r| r.error.is_none()));
    stored
}

/// Rebuilds the given spans from the store and asserts nothing changed.
async fn assert_reread_agrees(core: &Core, spans: &[(String, i64, i64)], what: &str) {
    let before = all_rollups(core).await;
    assert!(!before.is_empty(), "{what}: no rollups");
    core.rebuild_rollups(spans).await.unwrap();
    let after = all_rollups(core).await;
    assert_eq!(before.len(), after.len(), "{what}: rollup count");
    for (k, v) in &before {
        assert_eq!(Some(v), after.get(k), "{what}: rollup {k:?}");
    }
}

#[tokio::test]
async fn streamed_rollups_equal_the_reread() {
    let dir = tempfile::tempdir().unwrap();
    let sim = fc_sim::SimConfig::new(6, 3, 5, fc_sim::Profile::Default);
    fc_sim::write_dataset(&dir.path().join("sim"), &sim).unwrap();
    let (header, rows) = read_rows(&dir.path().join("sim/telemetry.csv"));
    let trucks_csv = dir.path().join("sim/trucks.csv");
    let mut ids: Vec<String> = rows.iter().map(|r| r.truck.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 6);
    // The simulation starts at a local midnight: cut at the next one, or mid-day.
    let midnight = sim.start_ms + DAY_MS;
    let cut = |i: usize| {
        if i == 2 {
            midnight + DAY_MS / 4
        } else {
            midnight
        }
    };
    let index = |t: &str| ids.iter().position(|x| x == t).unwrap();
    let (first, mut second): (Vec<Row>, Vec<Row>) = rows
        .iter()
        .cloned()
        .partition(|r| r.ts < cut(index(&r.truck)));

    let db = format!("sqlite:{}", dir.path().join("fleet.db").display());
    let core = Core::open(&db).await.unwrap();
    core.save_fleet_settings(&settings()).await.unwrap();

    // Import 1: profiles first, then telemetry into an empty store: every truck streams.
    let file1 = write_rows(&dir.path().join("part1.csv"), &header, &first);
    let got = import(&core, vec![trucks_csv.clone(), file1]).await;
    assert_eq!(got.streamed, ids, "first import");
    assert!(got.reread.is_empty());
    assert_reread_agrees(&core, &spans(&first), "first import").await;

    // Import 2, truck by truck:
    // 0: appends from a local midnight -> streams.
    // 1: one of its rows repeated at the end -> re-read.
    // 2: starts mid-day after stored points of that day -> re-read.
    // 3: a conflicting row for a time already stored -> re-read.
    // 4: two rows swapped, a row repeated at once, a row repeated at once with
    //    another value (the store keeps the first) -> streams.
    // 5: appends, but a truck file after the telemetry changes its profile -> re-read.
    let of = |rows: &[Row], i: usize| -> Vec<usize> {
        rows.iter()
            .enumerate()
            .filter(|(_, r)| r.truck == ids[i])
            .map(|(k, _)| k)
            .collect()
    };
    let repeat = second[of(&second, 1)[10]].clone();
    second.push(repeat);
    let stored3 = first[*of(&first, 3).last().unwrap()].clone();
    let mut conflict = stored3.clone();
    let mut cols: Vec<String> = conflict.line.split(',').map(str::to_string).collect();
    let speed = fc_model::Field::ALL
        .iter()
        .position(|f| f.name() == "speed_kmh")
        .unwrap();
    cols[speed] = "77".into();
    conflict.line = cols.join(",");
    second.push(conflict);
    let four = of(&second, 4);
    second.swap(four[20], four[21]);
    let same = second[four[30]].clone();
    let mut other = second[four[40]].clone();
    let mut cols: Vec<String> = other.line.split(',').map(str::to_string).collect();
    cols[speed] = "77".into();
    other.line = cols.join(",");
    // Later positions first, so that the earlier index stays valid.
    second.insert(four[40] + 1, other);
    second.insert(four[30] + 1, same);
    let file2 = write_rows(&dir.path().join("part2.csv"), &header, &second);
    let trucks_text = std::fs::read_to_string(&trucks_csv).unwrap();
    let mut trucks2 = String::new();
    for (n, line) in trucks_text.lines().enumerate() {
        if n == 0 || line.starts_with(&format!("{},", ids[5])) {
            // A renamed truck 5 with one linear tank of another size.
            let line = if n == 0 {
                "truck_id,name,tank_l".to_string()
            } else {
                format!("{},Renamed,555", ids[5])
            };
            trucks2.push_str(&line);
            trucks2.push('\n');
        }
    }
    let trucks2_csv = dir.path().join("trucks2.csv");
    std::fs::write(&trucks2_csv, trucks2).unwrap();
    let got = import(&core, vec![file2, trucks2_csv]).await;
    assert_eq!(
        got.streamed,
        vec![ids[0].clone(), ids[4].clone()],
        "second import"
    );
    assert_eq!(
        got.reread,
        vec![
            ids[1].clone(),
            ids[2].clone(),
            ids[3].clone(),
            ids[5].clone()
        ]
    );
    let mut touched2 = second.clone();
    touched2.push(stored3);
    assert_reread_agrees(&core, &spans(&touched2), "second import").await;

    // The same two files again: everything is stored, every truck re-reads.
    let got = import(
        &core,
        vec![dir.path().join("part1.csv"), dir.path().join("part2.csv")],
    )
    .await;
    assert!(got.streamed.is_empty());
    assert_eq!(got.reread, ids);
    assert_reread_agrees(&core, &spans(&rows), "re-import").await;
    core.close().await;
}
