//! The foundation's guarantees end to end through the core API: every import
//! quirk stores what it should, import then export round-trips byte for byte,
//! bad input lands in quarantine with a report, and writes are idempotent.

use std::path::{Path, PathBuf};

use fc_core::{Core, ExportRequest, FileImportReport, ImportRequest};
use fc_store::{PointFilter, QuarantineFilter};
use futures::TryStreamExt;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/import")
        .join(name)
}

async fn open(dir: &Path, name: &str) -> Core {
    Core::open(&format!("sqlite://{}", dir.join(name).display()))
        .await
        .unwrap()
}

async fn import(
    core: &Core,
    files: &[PathBuf],
    tweak: impl FnOnce(&mut ImportRequest),
) -> Vec<FileImportReport> {
    let mut req = ImportRequest {
        files: files.to_vec(),
        ..Default::default()
    };
    tweak(&mut req);
    core.import_files(&req, &mut |_| {}).await.unwrap()
}

async fn export(core: &Core) -> String {
    let mut out = Vec::new();
    core.export_csv(&ExportRequest::default(), &mut out)
        .await
        .unwrap();
    String::from_utf8(out).unwrap()
}

/// One row per fixture: what the whole pipeline must end up storing.
struct Case {
    file: &'static str,
    mapping: Option<&'static str>,
    time_zone: Option<&'static str>,
    kind: &'static str,
    rows_read: u64,
    stored: u64,
    rejected_rows: u64,
    rejected_fields: u64,
}

const fn case(
    file: &'static str,
    kind: &'static str,
    rows_read: u64,
    stored: u64,
    rejected_rows: u64,
    rejected_fields: u64,
) -> Case {
    Case {
        file,
        mapping: None,
        time_zone: None,
        kind,
        rows_read,
        stored,
        rejected_rows,
        rejected_fields,
    }
}

#[tokio::test]
async fn every_quirk_fixture_imports_through_the_core() {
    let cases = [
        case("semicolon.csv", "telemetry", 3, 3, 0, 0),
        case("tab.tsv", "telemetry", 3, 3, 0, 0),
        case("decimal_comma.csv", "telemetry", 2, 2, 0, 0),
        case("glued_units.csv", "telemetry", 4, 4, 0, 2),
        case("missing_tokens.csv", "telemetry", 3, 3, 0, 3),
        case("epoch_seconds.csv", "telemetry", 3, 3, 0, 0),
        case("epoch_millis.csv", "telemetry", 3, 3, 0, 0),
        case("rfc3339_offsets.csv", "telemetry", 5, 5, 0, 0),
        case("textual_dates.csv", "telemetry", 5, 5, 0, 0),
        case("dmy_dates.csv", "telemetry", 3, 3, 0, 0),
        case("bom_crlf.csv", "telemetry", 3, 3, 0, 0),
        case("telemetry.jsonl", "telemetry", 8, 5, 3, 1),
        case("header_aliases.csv", "telemetry", 2, 2, 0, 0),
        case("unknown_columns.csv", "telemetry", 2, 2, 0, 0),
        case("out_of_range.csv", "telemetry", 3, 3, 0, 8),
        case("trucks.csv", "trucks", 5, 4, 1, 2),
        case("purchases.csv", "purchases", 5, 3, 2, 1),
        Case {
            mapping: Some("foreign_export.toml"),
            ..case("foreign_export.csv", "telemetry", 3, 3, 0, 0)
        },
        Case {
            time_zone: Some("Europe/Madrid"),
            ..case("date_time_split.csv", "telemetry", 3, 3, 0, 0)
        },
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, c) in cases.iter().enumerate() {
        // A fresh database per fixture, so counts do not depend on the order.
        let core = open(dir.path(), &format!("q{i}.db")).await;
        let reports = import(&core, &[fixture(c.file)], |r| {
            r.mapping = c.mapping.map(fixture);
            r.time_zone = c.time_zone.map(str::to_string);
        })
        .await;
        let r = &reports[0];
        assert!(r.error.is_none(), "{}: {:?}", c.file, r.error);
        let got = (
            r.kind.as_deref(),
            r.rows_read,
            r.stored,
            r.rejected_rows,
            r.rejected_fields,
        );
        let want = (
            Some(c.kind),
            c.rows_read,
            c.stored,
            c.rejected_rows,
            c.rejected_fields,
        );
        assert_eq!(
            got, want,
            "{}: (kind, read, stored, rejected rows, rejected fields)",
            c.file
        );
        // Nothing silently dropped: every row is stored, a duplicate or rejected.
        assert_eq!(
            r.rows_read,
            r.stored + r.duplicates + r.conflicts + r.rejected_rows,
            "{}",
            c.file
        );
        core.close().await;
    }
}

#[tokio::test]
async fn ambiguous_dates_stop_the_file_and_name_the_option() {
    let dir = tempfile::tempdir().unwrap();
    let core = open(dir.path(), "a.db").await;
    let reports = import(
        &core,
        &[fixture("ambiguous_dates.csv"), fixture("semicolon.csv")],
        |_| {},
    )
    .await;
    let err = reports[0]
        .error
        .as_ref()
        .expect("ambiguous dates must stop the file");
    assert_eq!(err.code, "ambiguous_dates");
    assert!(err.message.contains("--date-order"), "{}", err.message);
    // The next file still imports.
    assert_eq!(reports[1].stored, 3);
    let reports = import(&core, &[fixture("ambiguous_dates.csv")], |r| {
        r.date_order = Some(fc_core::DateOrder::Dmy)
    })
    .await;
    assert!(reports[0].error.is_none());
    assert!(reports[0].stored > 0);
}

#[tokio::test]
async fn import_then_export_round_trips_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let first = open(dir.path(), "first.db").await;
    let files: Vec<PathBuf> = [
        "semicolon.csv",
        "decimal_comma.csv",
        "glued_units.csv",
        "telemetry.jsonl",
        "out_of_range.csv",
        "header_aliases.csv",
        "epoch_seconds.csv",
    ]
    .iter()
    .map(|f| fixture(f))
    .collect();
    import(&first, &files, |_| {}).await;
    let exported = export(&first).await;
    assert!(exported.lines().count() > 8, "{exported}");

    // Re-import the canonical export into an empty store: byte-identical export.
    let canonical = dir.path().join("canonical.csv");
    std::fs::write(&canonical, &exported).unwrap();
    let second = open(dir.path(), "second.db").await;
    let reports = import(&second, std::slice::from_ref(&canonical), |_| {}).await;
    assert_eq!(reports[0].rejected_rows + reports[0].rejected_fields, 0);
    assert_eq!(export(&second).await, exported);

    // And importing it again into the same store changes nothing.
    let reports = import(&second, &[canonical], |_| {}).await;
    assert_eq!(
        (reports[0].stored, reports[0].duplicates),
        (0, reports[0].rows_read)
    );
    assert_eq!(export(&second).await, exported);
}

#[tokio::test]
async fn export_filters_by_truck_and_time() {
    let dir = tempfile::tempdir().unwrap();
    let core = open(dir.path(), "f.db").await;
    import(
        &core,
        &[fixture("semicolon.csv"), fixture("header_aliases.csv")],
        |_| {},
    )
    .await;
    let all = export(&core).await;
    let first_truck = all
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string();
    let mut out = Vec::new();
    let req = ExportRequest {
        trucks: vec![first_truck.clone()],
        ..Default::default()
    };
    let rows = core.export_csv(&req, &mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    assert_eq!(rows as usize, text.lines().count() - 1);
    assert!(
        text.lines()
            .skip(1)
            .all(|l| l.starts_with(&format!("{first_truck},")))
    );
    let bad = ExportRequest {
        from: Some("last tuesday".into()),
        ..Default::default()
    };
    let err = core.export_csv(&bad, Vec::new()).await.unwrap_err();
    assert_eq!(err.code(), "invalid_input");
}

#[tokio::test]
async fn bad_rows_are_quarantined_with_file_line_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let core = open(dir.path(), "b.db").await;
    let reports = import(&core, &[fixture("bad_rows.csv")], |_| {}).await;
    let r = &reports[0];
    assert_eq!(r.rows_read, 10);
    assert_eq!(
        r.rows_read,
        r.stored + r.duplicates + r.conflicts + r.rejected_rows
    );
    let total_by_reason: u64 = r.rejected_by_reason.values().sum();
    assert_eq!(
        total_by_reason,
        r.rejected_rows + r.rejected_fields + r.conflicts
    );
    for reason in [
        "missing_truck_id",
        "missing_ts",
        "bad_ts",
        "bad_truck_id",
        "column_count",
        "unparseable",
    ] {
        assert!(
            r.rejected_by_reason.contains_key(reason),
            "{reason} missing from {:?}",
            r.rejected_by_reason
        );
    }
    let entries = core
        .store()
        .quarantine(QuarantineFilter::default(), 100)
        .await
        .unwrap();
    assert_eq!(entries.len() as u64, total_by_reason);
    let file = fixture("bad_rows.csv").display().to_string();
    assert!(entries.iter().all(|e| e.source == file && e.line.is_some()));
    // The row with a missing truck id is on line 4 of the file (header is line 1).
    assert!(
        entries
            .iter()
            .any(|e| e.reason == "missing_truck_id" && e.line == Some(4))
    );
    // A bad field keeps its row, with the field empty.
    let field = entries.iter().find(|e| e.reason == "unparseable").unwrap();
    assert_eq!(field.field.as_deref(), Some("speed_kmh"));
    let kept: Vec<_> = core
        .store()
        .points(PointFilter::default())
        .try_collect()
        .await
        .unwrap();
    assert!(
        kept.iter()
            .any(|p| p.ts == field.ts.unwrap() && p.speed_kmh.is_none())
    );

    // Re-importing the same file repeats no quarantine entry.
    import(&core, &[fixture("bad_rows.csv")], |_| {}).await;
    let again = core
        .store()
        .quarantine(QuarantineFilter::default(), 100)
        .await
        .unwrap();
    assert_eq!(again.len(), entries.len());
}

#[tokio::test]
async fn writes_are_idempotent_and_conflicts_keep_the_stored_row() {
    let dir = tempfile::tempdir().unwrap();
    let core = open(dir.path(), "i.db").await;
    // The fixture repeats (T01, 12:00:00) identically and (T01, 12:00:30) with another speed.
    let reports = import(&core, &[fixture("duplicates_out_of_order.csv")], |_| {}).await;
    let r = &reports[0];
    assert_eq!(
        (r.rows_read, r.stored, r.duplicates, r.conflicts),
        (5, 3, 1, 1)
    );
    assert_eq!(r.rejected_by_reason.get("conflicting_duplicate"), Some(&1));
    let points: Vec<_> = core
        .store()
        .points(PointFilter::default())
        .try_collect()
        .await
        .unwrap();
    let speeds: Vec<_> = points.iter().map(|p| p.speed_kmh).collect();
    // Stored in time order; the first value of the conflicting key wins.
    assert_eq!(speeds, vec![Some(10.0), Some(20.0), Some(30.0)]);
    let conflict = core
        .store()
        .quarantine(
            QuarantineFilter {
                reason: Some("conflicting_duplicate".into()),
                ..Default::default()
            },
            10,
        )
        .await
        .unwrap();
    assert_eq!(conflict.len(), 1);
    assert!(
        conflict[0].detail.contains("20") && conflict[0].detail.contains("25"),
        "{}",
        conflict[0].detail
    );

    // The same file again: nothing new stored, all duplicates (the conflict stays a conflict).
    let again = &import(&core, &[fixture("duplicates_out_of_order.csv")], |_| {}).await[0];
    assert_eq!((again.stored, again.duplicates, again.conflicts), (0, 4, 1));
    assert_eq!(core.summary().await.unwrap()[0].points, 3);
}

#[tokio::test]
async fn settings_are_validated_and_kept_in_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let core = open(dir.path(), "s.db").await;
    core.set_fleet_setting("time_zone", "America/Chicago")
        .await
        .unwrap();
    core.set_fleet_setting("fuel_price_per_l", "1,52")
        .await
        .unwrap();
    assert_eq!(
        core.set_fleet_setting("time_zone", "Mars/Base")
            .await
            .unwrap_err()
            .code(),
        "invalid_input"
    );
    assert_eq!(
        core.set_fleet_setting("colour", "red")
            .await
            .unwrap_err()
            .code(),
        "invalid_input"
    );
    core.close().await;
    let core = open(dir.path(), "s.db").await;
    let s = core.fleet_settings().await.unwrap();
    assert_eq!(
        (s.time_zone.as_str(), s.fuel_price_per_l),
        ("America/Chicago", 1.52)
    );
    // Naive timestamps now default to the fleet's zone.
    let r = &import(&core, &[fixture("textual_dates.csv")], |_| {}).await[0];
    assert_eq!(r.time_zone, "America/Chicago");
}
