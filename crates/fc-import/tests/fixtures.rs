//! One fixture per quirk of real exports (tests/fixtures/import/), each with the exact
//! records, issues (line, field, reason, raw) and layout notes the reader must produce.

use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use fc_import::{
    DateOrder, DecimalSep, EpochUnit, FileKind, ImportError, ImportOptions, Mapping, Note, Reason,
    Record, Source, open,
};
use fc_model::units::Unit;
use fc_model::{Field, TelemetryPoint, parse_rfc3339_ms};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/import")
        .join(name)
}

/// An expected value of one field.
#[derive(Clone, Copy, Debug)]
enum V {
    F(f64),
    B(bool),
    S(&'static str),
}

/// An expected field-level issue: field, reason, raw value.
type FieldIssue = (&'static str, Reason, &'static str);

/// What one record must be.
#[derive(Debug)]
enum Exp {
    Point {
        line: u64,
        truck: &'static str,
        ts: &'static str,
        vals: Vec<(Field, V)>,
        issues: Vec<FieldIssue>,
    },
    Rejected {
        line: u64,
        field: Option<&'static str>,
        reason: Reason,
        raw: &'static str,
    },
}

fn pt(line: u64, truck: &'static str, ts: &'static str, vals: &[(Field, V)]) -> Exp {
    Exp::Point {
        line,
        truck,
        ts,
        vals: vals.to_vec(),
        issues: Vec::new(),
    }
}

fn pti(
    line: u64,
    truck: &'static str,
    ts: &'static str,
    vals: &[(Field, V)],
    issues: &[FieldIssue],
) -> Exp {
    Exp::Point {
        line,
        truck,
        ts,
        vals: vals.to_vec(),
        issues: issues.to_vec(),
    }
}

fn rej(line: u64, field: Option<&'static str>, reason: Reason, raw: &'static str) -> Exp {
    Exp::Rejected {
        line,
        field,
        reason,
        raw,
    }
}

fn expected_point(truck: &str, ts: &str, vals: &[(Field, V)]) -> TelemetryPoint {
    let ms = parse_rfc3339_ms(ts).unwrap_or_else(|| panic!("bad expected ts {ts}"));
    let mut p = TelemetryPoint::new(truck, ms);
    for (f, v) in vals {
        match (f, v) {
            (Field::DriverId, V::S(s)) => p.driver_id = Some((*s).to_string()),
            (f, V::B(b)) => *p.bool_mut(*f).expect("flag field") = Some(*b),
            (f, V::F(x)) => *p.float_mut(*f).expect("numeric field") = Some(*x),
            (f, v) => panic!("bad expectation {f:?} {v:?}"),
        }
    }
    p
}

fn close(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-6 * b.abs().max(1.0),
        (None, None) => true,
        _ => false,
    }
}

fn check_point(ctx: &str, got: &TelemetryPoint, want: &TelemetryPoint) {
    assert_eq!(got.truck_id, want.truck_id, "{ctx}: truck_id");
    assert_eq!(got.ts, want.ts, "{ctx}: ts");
    for f in Field::ALL {
        assert!(
            close(got.float(*f), want.float(*f)),
            "{ctx}: {} = {:?}, want {:?}",
            f.name(),
            got.float(*f),
            want.float(*f)
        );
    }
    assert_eq!(got.ignition, want.ignition, "{ctx}: ignition");
    assert_eq!(got.pto, want.pto, "{ctx}: pto");
    assert_eq!(got.driver_id, want.driver_id, "{ctx}: driver_id");
}

fn check_records(name: &str, got: &[Record], want: &[Exp]) {
    assert_eq!(got.len(), want.len(), "{name}: record count, got {got:#?}");
    for (g, w) in got.iter().zip(want) {
        let ctx = format!("{name} line {}", g.line());
        match (g, w) {
            (
                Record::Point {
                    line,
                    point,
                    issues,
                },
                Exp::Point {
                    line: wl,
                    truck,
                    ts,
                    vals,
                    issues: wi,
                },
            ) => {
                assert_eq!(line, wl, "{ctx}: line");
                check_point(&ctx, point, &expected_point(truck, ts, vals));
                let got_issues: Vec<_> = issues
                    .iter()
                    .map(|i| (i.line, i.field.as_deref(), i.reason, i.raw.as_str()))
                    .collect();
                let want_issues: Vec<_> = wi
                    .iter()
                    .map(|(f, r, raw)| (*wl, Some(*f), *r, *raw))
                    .collect();
                assert_eq!(got_issues, want_issues, "{ctx}: issues");
            }
            (
                Record::Rejected(i),
                Exp::Rejected {
                    line,
                    field,
                    reason,
                    raw,
                },
            ) => {
                assert_eq!(
                    (i.line, i.field.as_deref(), i.reason, i.raw.as_str()),
                    (*line, *field, *reason, *raw),
                    "{ctx}"
                );
            }
            (g, w) => panic!("{ctx}: got {g:?}, want {w:?}"),
        }
    }
}

fn read_all(path: &Path, opts: &ImportOptions) -> (fc_import::FilePlan, Vec<Record>) {
    let mut r = open(path, opts).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    while let Some(rec) = r.next_record().unwrap_or_else(|e| panic!("{e}")) {
        out.push(rec);
    }
    assert_eq!(
        Some(r.bytes_read()),
        r.total_bytes(),
        "{}: all bytes read",
        path.display()
    );
    (r.plan().clone(), out)
}

fn zone(name: &str) -> ImportOptions {
    ImportOptions::in_zone(name.parse::<Tz>().expect("zone"))
}

fn alias(column: &str, field: &str) -> Note {
    Note::HeaderAlias {
        column: column.into(),
        field: field.into(),
    }
}

fn comma(column: &str) -> Note {
    Note::Decimal {
        column: column.into(),
        sep: DecimalSep::Comma,
        source: Source::Detected,
    }
}

fn glued(column: &str, unit: Unit) -> Note {
    Note::UnitGlued {
        column: column.into(),
        unit,
    }
}

fn header_unit(column: &str, unit: Unit) -> Note {
    Note::UnitFromHeader {
        column: column.into(),
        unit,
    }
}

fn naive(column: &str, zone: &str) -> Note {
    Note::NaiveTimestamps {
        column: column.into(),
        zone: zone.into(),
    }
}

fn delim(c: char) -> Note {
    Note::DelimiterDetected { delimiter: c }
}

struct Case {
    file: &'static str,
    opts: ImportOptions,
    notes: Vec<Note>,
    records: Vec<Exp>,
}

use Field as F;
use V::{B, F as N, S};

const T0: &str = "2024-03-01T12:00:00Z";
const T30: &str = "2024-03-01T12:00:30Z";
const T60: &str = "2024-03-01T12:01:00Z";
const T90: &str = "2024-03-01T12:01:30Z";
const T120: &str = "2024-03-01T12:02:00Z";

fn telemetry_cases() -> Vec<Case> {
    vec![
        Case {
            file: "semicolon.csv",
            opts: ImportOptions::default(),
            notes: vec![delim(';')],
            records: vec![
                pt(
                    2,
                    "T01",
                    T0,
                    &[
                        (F::Lat, N(40.4168)),
                        (F::Lon, N(-3.7038)),
                        (F::SpeedKmh, N(52.5)),
                        (F::FuelLevelPct, N(74.5)),
                    ],
                ),
                pt(
                    3,
                    "T01",
                    T30,
                    &[
                        (F::Lat, N(40.4171)),
                        (F::Lon, N(-3.7032)),
                        (F::SpeedKmh, N(54.0)),
                        (F::FuelLevelPct, N(74.4)),
                    ],
                ),
                pt(
                    4,
                    "T02",
                    T0,
                    &[
                        (F::Lat, N(41.3874)),
                        (F::Lon, N(2.1686)),
                        (F::SpeedKmh, N(0.0)),
                        (F::FuelLevelPct, N(51.0)),
                    ],
                ),
            ],
        },
        Case {
            file: "tab.tsv",
            opts: ImportOptions::default(),
            notes: vec![delim('\t')],
            records: vec![
                pt(
                    2,
                    "T01",
                    T0,
                    &[
                        (F::SpeedKmh, N(0.0)),
                        (F::Rpm, N(650.0)),
                        (F::Ignition, B(true)),
                        (F::Pto, B(false)),
                        (F::DriverId, S("D-17")),
                    ],
                ),
                pt(
                    3,
                    "T01",
                    T30,
                    &[
                        (F::SpeedKmh, N(12.5)),
                        (F::Rpm, N(1100.0)),
                        (F::Ignition, B(true)),
                        (F::Pto, B(false)),
                        (F::DriverId, S("D-17")),
                    ],
                ),
                pt(
                    4,
                    "T01",
                    T60,
                    &[
                        (F::SpeedKmh, N(0.0)),
                        (F::Rpm, N(0.0)),
                        (F::Ignition, B(false)),
                        (F::Pto, B(false)),
                        (F::DriverId, S("D-17")),
                    ],
                ),
            ],
        },
        Case {
            file: "decimal_comma.csv",
            opts: ImportOptions::default(),
            notes: vec![
                delim(';'),
                comma("lat"),
                comma("lon"),
                comma("speed_kmh"),
                comma("fuel_level_pct"),
                comma("odometer_km"),
            ],
            records: vec![
                pt(
                    2,
                    "T01",
                    T0,
                    &[
                        (F::Lat, N(40.4168)),
                        (F::Lon, N(-3.7038)),
                        (F::SpeedKmh, N(52.5)),
                        (F::FuelLevelPct, N(74.5)),
                        (F::OdometerKm, N(123_456.7)),
                    ],
                ),
                pt(
                    3,
                    "T01",
                    T30,
                    &[
                        (F::Lat, N(40.4171)),
                        (F::Lon, N(-3.7032)),
                        (F::SpeedKmh, N(54.0)),
                        (F::FuelLevelPct, N(74.4)),
                        (F::OdometerKm, N(123_457.1)),
                    ],
                ),
            ],
        },
        Case {
            file: "glued_units.csv",
            opts: ImportOptions::default(),
            notes: vec![
                delim(';'),
                alias("speed", "speed_kmh"),
                alias("fuel_level", "fuel_level_pct"),
                alias("temp", "ambient_temp_c"),
                alias("odometer", "odometer_km"),
                glued("speed", Unit::Kmh),
                comma("fuel_level"),
                glued("fuel_level", Unit::Pct),
                glued("rpm", Unit::Rpm),
                comma("temp"),
                glued("temp", Unit::C),
                comma("odometer"),
                glued("odometer", Unit::Km),
            ],
            records: vec![
                pt(
                    2,
                    "T01",
                    T0,
                    &[
                        (F::SpeedKmh, N(48.0)),
                        (F::FuelLevelPct, N(74.5)),
                        (F::Rpm, N(2124.0)),
                        (F::AmbientTempC, N(15.0)),
                        (F::OdometerKm, N(123_456.0)),
                    ],
                ),
                // 30 mph, 59 °F, 76 712,5 mi
                pt(
                    3,
                    "T01",
                    T30,
                    &[
                        (F::SpeedKmh, N(48.28032)),
                        (F::FuelLevelPct, N(74.4)),
                        (F::Rpm, N(1800.0)),
                        (F::AmbientTempC, N(15.0)),
                        (F::OdometerKm, N(123_456.801_6)),
                    ],
                ),
                // 12 knots, 288,15 K, 123.500 km (thousands point in a comma column)
                pt(
                    4,
                    "T01",
                    T60,
                    &[
                        (F::SpeedKmh, N(22.224)),
                        (F::FuelLevelPct, N(74.3)),
                        (F::Rpm, N(900.0)),
                        (F::AmbientTempC, N(15.0)),
                        (F::OdometerKm, N(123_500.0)),
                    ],
                ),
                pti(
                    5,
                    "T01",
                    T90,
                    &[
                        (F::FuelLevelPct, N(74.2)),
                        (F::Rpm, N(850.0)),
                        (F::OdometerKm, N(123_501.0)),
                    ],
                    &[
                        ("speed_kmh", Reason::UnitMismatch, "25%"),
                        ("ambient_temp_c", Reason::Unparseable, "15 furlongs"),
                    ],
                ),
            ],
        },
        Case {
            file: "missing_tokens.csv",
            opts: ImportOptions::default(),
            notes: vec![],
            records: vec![
                pt(2, "T01", T0, &[]),
                pti(
                    3,
                    "T01",
                    T30,
                    &[(F::DriverId, S("D7")), (F::Ignition, B(true))],
                    &[("rpm", Reason::NotFinite, "NaN")],
                ),
                pti(
                    4,
                    "T01",
                    T60,
                    &[(F::Rpm, N(1200.0))],
                    &[
                        ("speed_kmh", Reason::NotFinite, "∞"),
                        ("fuel_level_pct", Reason::NotFinite, "inf"),
                    ],
                ),
            ],
        },
        Case {
            file: "epoch_seconds.csv",
            opts: ImportOptions::default(),
            notes: vec![Note::EpochUnit {
                column: "ts".into(),
                unit: EpochUnit::Seconds,
            }],
            records: vec![
                pt(2, "T01", T0, &[(F::SpeedKmh, N(10.0))]),
                pt(3, "T01", T30, &[(F::SpeedKmh, N(11.5))]),
                pt(
                    4,
                    "T01",
                    "2024-03-01T12:01:00.250Z",
                    &[(F::SpeedKmh, N(12.0))],
                ),
            ],
        },
        Case {
            file: "epoch_millis.csv",
            opts: ImportOptions::default(),
            notes: vec![
                alias("timestamp", "ts"),
                Note::EpochUnit {
                    column: "timestamp".into(),
                    unit: EpochUnit::Millis,
                },
            ],
            records: vec![
                pt(2, "T01", T0, &[(F::SpeedKmh, N(10.0))]),
                pt(3, "T01", T30, &[(F::SpeedKmh, N(11.5))]),
                pt(
                    4,
                    "T01",
                    "2024-03-01T12:01:00.250Z",
                    &[(F::SpeedKmh, N(12.0))],
                ),
            ],
        },
        Case {
            file: "rfc3339_offsets.csv",
            opts: ImportOptions::default(),
            notes: vec![],
            records: vec![
                pt(2, "T01", T0, &[(F::SpeedKmh, N(1.0))]),
                pt(3, "T01", T30, &[(F::SpeedKmh, N(2.0))]),
                pt(
                    4,
                    "T01",
                    "2024-03-01T12:01:00.250Z",
                    &[(F::SpeedKmh, N(3.0))],
                ),
                pt(5, "T01", T90, &[(F::SpeedKmh, N(4.0))]),
                pt(6, "T01", T120, &[(F::SpeedKmh, N(5.0))]),
            ],
        },
        Case {
            // Naive local times in Madrid (UTC+1 in March); the GMT one carries its zone.
            file: "textual_dates.csv",
            opts: zone("Europe/Madrid"),
            notes: vec![naive("ts", "Europe/Madrid")],
            records: vec![
                pt(2, "T01", T0, &[(F::SpeedKmh, N(1.0))]),
                pt(3, "T01", T30, &[(F::SpeedKmh, N(2.0))]),
                pt(4, "T01", T60, &[(F::SpeedKmh, N(3.0))]),
                pt(5, "T01", T90, &[(F::SpeedKmh, N(4.0))]),
                pt(6, "T01", T120, &[(F::SpeedKmh, N(5.0))]),
            ],
        },
        Case {
            // 13/04 settles the whole column as day/month.
            file: "dmy_dates.csv",
            opts: ImportOptions::default(),
            notes: vec![
                Note::DateOrder {
                    column: "ts".into(),
                    order: DateOrder::Dmy,
                    source: Source::Detected,
                },
                naive("ts", "UTC"),
            ],
            records: vec![
                pt(2, "T01", "2024-04-03T10:00:00Z", &[(F::SpeedKmh, N(1.0))]),
                pt(3, "T01", "2024-04-03T10:00:30Z", &[(F::SpeedKmh, N(2.0))]),
                pt(4, "T01", "2024-04-13T08:15:00Z", &[(F::SpeedKmh, N(3.0))]),
            ],
        },
        Case {
            // The reader keeps file order and every row; the store tells duplicates from conflicts.
            file: "duplicates_out_of_order.csv",
            opts: ImportOptions::default(),
            notes: vec![],
            records: vec![
                pt(2, "T01", T60, &[(F::SpeedKmh, N(30.0))]),
                pt(3, "T01", T0, &[(F::SpeedKmh, N(10.0))]),
                pt(4, "T01", T30, &[(F::SpeedKmh, N(20.0))]),
                pt(5, "T01", T0, &[(F::SpeedKmh, N(10.0))]),
                pt(6, "T01", T30, &[(F::SpeedKmh, N(25.0))]),
            ],
        },
        Case {
            file: "bom_crlf.csv",
            opts: ImportOptions::default(),
            notes: vec![Note::Bom],
            records: vec![
                pt(
                    2,
                    "T01",
                    T0,
                    &[(F::SpeedKmh, N(10.0)), (F::DriverId, S("Pérez, Ana"))],
                ),
                pt(
                    3,
                    "T 02",
                    T30,
                    &[(F::SpeedKmh, N(20.0)), (F::DriverId, S("say \"hi\""))],
                ),
                pt(4, "T03", T60, &[(F::SpeedKmh, N(30.0))]),
            ],
        },
        Case {
            file: "telemetry.jsonl",
            opts: ImportOptions::default(),
            notes: vec![
                alias("position.latitude", "lat"),
                alias("position.longitude", "lon"),
                Note::EpochUnit {
                    column: "ts".into(),
                    unit: EpochUnit::Millis,
                },
                comma("fuel_level_pct"),
                Note::UnknownColumns {
                    columns: vec!["heading".into()],
                },
            ],
            records: vec![
                pt(
                    1,
                    "T01",
                    T0,
                    &[
                        (F::Lat, N(40.4168)),
                        (F::Lon, N(-3.7038)),
                        (F::SpeedKmh, N(52.5)),
                        (F::Ignition, B(true)),
                    ],
                ),
                pt(
                    2,
                    "T01",
                    T30,
                    &[
                        (F::FuelLevelPct, N(74.5)),
                        (F::Ignition, B(true)),
                        (F::DriverId, S("D7")),
                    ],
                ),
                pti(
                    3,
                    "T01",
                    T60,
                    &[],
                    &[("speed_kmh", Reason::NotFinite, "NaN")],
                ),
                rej(
                    4,
                    None,
                    Reason::BadJson,
                    r#"{"truck_id":"T01","ts": "2024-03-01T12:01:30Z","#,
                ),
                rej(6, None, Reason::BadJson, "[1,2,3]"),
                pt(7, "T02", T0, &[(F::Lat, N(41.3874)), (F::Lon, N(2.1686))]),
                pt(8, "42", T0, &[(F::FuelL, N(310.5)), (F::FuelL2, N(120.0))]),
                rej(
                    9,
                    Some("truck_id"),
                    Reason::MissingTruckId,
                    r#"{"ts":"2024-03-01T12:00:00Z","speed_kmh":5}"#,
                ),
            ],
        },
        Case {
            // US portal export: preamble lines, mph, US gallons, g/s at 0.835 kg/L, °F, miles,
            // naive Chicago times (the third is in the spring-forward gap: read as CST).
            file: "foreign_export.csv",
            opts: ImportOptions {
                mapping: Some(
                    Mapping::from_path(&fixture("foreign_export.toml")).expect("mapping"),
                ),
                ..ImportOptions::default()
            },
            notes: {
                let mut n = vec![Note::Preamble { lines: 3 }];
                for (c, f) in [
                    ("Unit", "truck_id"),
                    ("Local Time", "ts"),
                    ("Spd", "speed_kmh"),
                    ("Fuel Remaining", "fuel_l"),
                    ("Fuel Flow", "fuel_rate_lph"),
                    ("Outside Temp", "ambient_temp_c"),
                    ("Odo", "odometer_km"),
                    ("Ign", "ignition"),
                    ("Heading", "ignore"),
                ] {
                    n.push(Note::Mapped {
                        column: c.into(),
                        field: f.into(),
                    });
                }
                n.push(naive("Local Time", "America/Chicago"));
                n
            },
            records: vec![
                pt(
                    5,
                    "TRK-7",
                    T0,
                    &[
                        (F::SpeedKmh, N(89.318592)),
                        (F::FuelL, N(311.539_389_823_2)),
                        (F::FuelRateLph, N(1.25 * 3.6 / 0.835)),
                        (F::AmbientTempC, N(5.0)),
                        (F::OdometerKm, N(80_665.793_049_6)),
                        (F::Ignition, B(true)),
                    ],
                ),
                pt(
                    6,
                    "TRK-7",
                    "2024-03-02T00:00:00Z",
                    &[
                        (F::SpeedKmh, N(0.0)),
                        (F::FuelL, N(302.832_942_72)),
                        (F::FuelRateLph, N(0.42 * 3.6 / 0.835)),
                        (F::AmbientTempC, N(0.0)),
                        (F::OdometerKm, N(80_676.575_654_4)),
                        (F::Ignition, B(false)),
                    ],
                ),
                pt(
                    7,
                    "TRK-7",
                    "2024-03-10T08:30:00Z",
                    &[
                        (F::SpeedKmh, N(96.56064)),
                        (F::FuelL, N(79.5 * 3.785_411_784)),
                        (F::FuelRateLph, N(1.3 * 3.6 / 0.835)),
                        (F::AmbientTempC, N(-2.0)),
                        (F::OdometerKm, N(50_200.0 * 1.609_344)),
                        (F::Ignition, B(true)),
                    ],
                ),
            ],
        },
        Case {
            file: "out_of_range.csv",
            opts: ImportOptions::default(),
            notes: vec![],
            records: vec![
                pti(
                    2,
                    "T01",
                    T0,
                    &[
                        (F::Lat, N(40.4)),
                        (F::Lon, N(-3.7)),
                        (F::AltM, N(650.0)),
                        (F::AmbientTempC, N(21.0)),
                    ],
                    &[
                        ("speed_kmh", Reason::OutOfRange, "-5"),
                        ("rpm", Reason::OutOfRange, "65535"),
                        ("fuel_level_pct", Reason::OutOfRange, "104"),
                    ],
                ),
                pti(
                    3,
                    "T01",
                    T30,
                    &[
                        (F::Lon, N(-3.7)),
                        (F::SpeedKmh, N(80.0)),
                        (F::Rpm, N(1500.0)),
                    ],
                    &[
                        ("lat", Reason::OutOfRange, "95"),
                        ("fuel_level_pct", Reason::OutOfRange, "-1"),
                        ("alt_m", Reason::OutOfRange, "-1000"),
                        ("ambient_temp_c", Reason::OutOfRange, "99"),
                    ],
                ),
                pti(
                    4,
                    "T01",
                    T60,
                    &[
                        (F::Lat, N(40.4)),
                        (F::SpeedKmh, N(80.0)),
                        (F::Rpm, N(1500.0)),
                        (F::FuelLevelPct, N(50.0)),
                        (F::AltM, N(650.0)),
                        (F::AmbientTempC, N(21.0)),
                    ],
                    &[("lon", Reason::OutOfRange, "200")],
                ),
            ],
        },
        Case {
            file: "bad_rows.csv",
            opts: ImportOptions::default(),
            notes: vec![],
            records: vec![
                pt(
                    2,
                    "T01",
                    T0,
                    &[(F::SpeedKmh, N(10.0)), (F::FuelLevelPct, N(50.0))],
                ),
                rej(3, None, Reason::ColumnCount, "T01,2024-03-01T12:00:30Z,11"),
                rej(
                    4,
                    Some("truck_id"),
                    Reason::MissingTruckId,
                    ",2024-03-01T12:01:00Z,12,50",
                ),
                rej(5, Some("ts"), Reason::MissingTs, "T01,,13,50"),
                rej(6, Some("ts"), Reason::BadTs, "T01,yesterday,14,50"),
                rej(
                    7,
                    Some("ts"),
                    Reason::TsOutOfRange,
                    "T01,1970-01-01T00:00:00Z,15,50",
                ),
                rej(
                    8,
                    Some("truck_id"),
                    Reason::BadTruckId,
                    "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX,2024-03-01T12:02:00Z,16,50",
                ),
                rej(
                    9,
                    None,
                    Reason::ColumnCount,
                    "T01,2024-03-01T12:02:30Z,17,50,extra",
                ),
                // A trailing empty cell is not a column-count error.
                pt(
                    10,
                    "T01",
                    "2024-03-01T12:03:00Z",
                    &[(F::SpeedKmh, N(18.0)), (F::FuelLevelPct, N(50.0))],
                ),
                pti(
                    11,
                    "T01",
                    "2024-03-01T12:03:30Z",
                    &[(F::FuelLevelPct, N(50.0))],
                    &[("speed_kmh", Reason::Unparseable, "fast")],
                ),
            ],
        },
        Case {
            file: "header_aliases.csv",
            opts: ImportOptions::default(),
            notes: vec![
                alias("Vehicle", "truck_id"),
                alias("GPS Time", "ts"),
                alias("Latitude", "lat"),
                alias("Longitude", "lon"),
                alias("Speed (mph)", "speed_kmh"),
                header_unit("Speed (mph)", Unit::Mph),
                alias("Fuel Level %", "fuel_level_pct"),
                alias("Engine RPM", "rpm"),
                alias("odometer_mi", "odometer_km"),
                header_unit("odometer_mi", Unit::Mi),
                alias("Driver", "driver_id"),
                alias("Altitude", "alt_m"),
                alias("temp_f", "ambient_temp_c"),
                header_unit("temp_f", Unit::F),
                alias("Fuel [gal]", "fuel_l"),
                header_unit("Fuel [gal]", Unit::UsGal),
            ],
            records: vec![
                pt(
                    2,
                    "TRK-1",
                    T0,
                    &[
                        (F::Lat, N(40.4168)),
                        (F::Lon, N(-3.7038)),
                        (F::SpeedKmh, N(48.28032)),
                        (F::FuelLevelPct, N(75.0)),
                        (F::Rpm, N(1500.0)),
                        (F::OdometerKm, N(1609.344)),
                        (F::Ignition, B(true)),
                        (F::DriverId, S("Ana")),
                        (F::AltM, N(650.0)),
                        (F::AmbientTempC, N(20.0)),
                        (F::FuelL, N(189.270_589_2)),
                    ],
                ),
                pt(
                    3,
                    "TRK-1",
                    T30,
                    &[
                        (F::Lat, N(40.4171)),
                        (F::Lon, N(-3.7032)),
                        (F::SpeedKmh, N(73.225_152)),
                        (F::FuelLevelPct, N(74.5)),
                        (F::Rpm, N(1700.0)),
                        (F::OdometerKm, N(1_610.148_672)),
                        (F::Ignition, B(true)),
                        (F::DriverId, S("Ana")),
                        (F::AltM, N(652.0)),
                        (F::AmbientTempC, N(21.5)),
                        (F::FuelL, N(188.513_506_843_2)),
                    ],
                ),
            ],
        },
        Case {
            file: "unknown_columns.csv",
            opts: ImportOptions::default(),
            notes: vec![Note::UnknownColumns {
                columns: vec!["heading".into(), "satellites".into(), "hdop".into()],
            }],
            records: vec![
                pt(2, "T01", T0, &[(F::SpeedKmh, N(10.0))]),
                pt(3, "T01", T30, &[(F::SpeedKmh, N(11.0))]),
            ],
        },
        Case {
            // Spanish export: date and time in two columns, day first, decimal commas, Sí/No.
            file: "date_time_split.csv",
            opts: zone("Europe/Madrid"),
            notes: vec![
                delim(';'),
                Note::SplitTimestamp {
                    date: "Fecha".into(),
                    time: "Hora".into(),
                },
                alias("Fecha", "date"),
                alias("Hora", "time"),
                alias("Camión", "truck_id"),
                alias("Velocidad (km/h)", "speed_kmh"),
                alias("Nivel combustible (%)", "fuel_level_pct"),
                alias("Contacto", "ignition"),
                alias("Conductor", "driver_id"),
                Note::DateOrder {
                    column: "Fecha".into(),
                    order: DateOrder::Dmy,
                    source: Source::Detected,
                },
                naive("Fecha", "Europe/Madrid"),
                comma("Velocidad (km/h)"),
                comma("Nivel combustible (%)"),
            ],
            records: vec![
                pt(
                    2,
                    "C-12",
                    T0,
                    &[
                        (F::SpeedKmh, N(52.5)),
                        (F::FuelLevelPct, N(74.5)),
                        (F::Ignition, B(true)),
                        (F::DriverId, S("José")),
                    ],
                ),
                pt(
                    3,
                    "C-12",
                    T30,
                    &[
                        (F::SpeedKmh, N(0.0)),
                        (F::FuelLevelPct, N(74.4)),
                        (F::Ignition, B(false)),
                        (F::DriverId, S("José")),
                    ],
                ),
                pt(
                    4,
                    "C-12",
                    "2024-03-15T07:15:00Z",
                    &[
                        (F::SpeedKmh, N(33.3)),
                        (F::FuelLevelPct, N(60.0)),
                        (F::Ignition, B(true)),
                    ],
                ),
            ],
        },
        Case {
            // US telematics portal: zone in the time header, coordinates in one cell,
            // thousands commas, mph and miles in headers.
            file: "vendor_us_export.csv",
            opts: zone("Europe/Madrid"),
            notes: vec![
                alias("Vehicle Name", "truck_id"),
                alias("Time (America/Los_Angeles)", "ts"),
                alias("Location", "lat_lon"),
                alias("Speed (mph)", "speed_kmh"),
                header_unit("Speed (mph)", Unit::Mph),
                alias("Fuel Level (%)", "fuel_level_pct"),
                alias("Odometer (mi)", "odometer_km"),
                header_unit("Odometer (mi)", Unit::Mi),
                alias("Driver Name", "driver_id"),
                naive("Time (America/Los_Angeles)", "America/Los_Angeles"),
            ],
            records: vec![
                pt(
                    2,
                    "Truck 12",
                    T0,
                    &[
                        (F::Lat, N(40.4168)),
                        (F::Lon, N(-3.7038)),
                        (F::SpeedKmh, N(31.0 * 1.609_344)),
                        (F::FuelLevelPct, N(75.5)),
                        (F::OdometerKm, N(120_345.6 * 1.609_344)),
                        (F::EngineHours, N(5_123.5)),
                        (F::DriverId, S("Jane Roe")),
                    ],
                ),
                pt(
                    3,
                    "Truck 12",
                    T30,
                    &[
                        (F::Lat, N(40.417)),
                        (F::Lon, N(-3.7035)),
                        (F::SpeedKmh, N(33.0 * 1.609_344)),
                        (F::FuelLevelPct, N(75.4)),
                        (F::OdometerKm, N(120_346.1 * 1.609_344)),
                        (F::EngineHours, N(5_123.51)),
                        (F::DriverId, S("Jane Roe")),
                    ],
                ),
            ],
        },
        Case {
            // Wialon-style report: unit in `Grouping`, dotted day-first dates, coordinates in
            // one cell, units glued to values, space-grouped thousands, an address column.
            file: "vendor_wialon_report.csv",
            opts: zone("Europe/Madrid"),
            notes: vec![
                delim(';'),
                Note::Shadowed {
                    column: "Location".into(),
                    field: "lat_lon".into(),
                    used: "Coordinates".into(),
                },
                alias("Grouping", "truck_id"),
                alias("Time", "ts"),
                alias("Coordinates", "lat_lon"),
                alias("Speed", "speed_kmh"),
                alias("Fuel level", "fuel_l"),
                alias("Mileage", "odometer_km"),
                Note::DateOrder {
                    column: "Time".into(),
                    order: DateOrder::Dmy,
                    source: Source::Detected,
                },
                naive("Time", "Europe/Madrid"),
                glued("Speed", Unit::Kmh),
                comma("Fuel level"),
                glued("Fuel level", Unit::L),
                comma("Mileage"),
                glued("Mileage", Unit::Km),
            ],
            records: vec![
                pt(
                    2,
                    "TRK-3",
                    T0,
                    &[
                        (F::Lat, N(40.4168)),
                        (F::Lon, N(-3.7038)),
                        (F::SpeedKmh, N(45.0)),
                        (F::FuelL, N(310.0)),
                        (F::OdometerKm, N(12_345.6)),
                    ],
                ),
                pt(
                    3,
                    "TRK-3",
                    T30,
                    &[
                        (F::Lat, N(40.417)),
                        (F::Lon, N(-3.7035)),
                        (F::SpeedKmh, N(47.0)),
                        (F::FuelL, N(309.5)),
                        (F::OdometerKm, N(12_346.0)),
                    ],
                ),
            ],
        },
        Case {
            // Spreadsheet "Unicode text": UTF-16LE with BOM, tabs, CRLF, no final line break.
            file: "utf16_excel.txt",
            opts: zone("Europe/Madrid"),
            notes: vec![
                Note::Utf16,
                delim('\t'),
                alias("Vehículo", "truck_id"),
                alias("Fecha/Hora", "ts"),
                alias("Velocidad", "speed_kmh"),
                alias("Nivel combustible", "fuel_level_pct"),
                naive("Fecha/Hora", "Europe/Madrid"),
                comma("Velocidad"),
                comma("Nivel combustible"),
            ],
            records: vec![
                pt(
                    2,
                    "Camión 7",
                    T0,
                    &[(F::SpeedKmh, N(52.5)), (F::FuelLevelPct, N(74.5))],
                ),
                pt(
                    3,
                    "Camión 7",
                    T30,
                    &[(F::SpeedKmh, N(0.0)), (F::FuelLevelPct, N(74.4))],
                ),
            ],
        },
        Case {
            file: "latin1.csv",
            opts: ImportOptions::default(),
            notes: vec![Note::Latin1, delim(';'), comma("speed_kmh")],
            records: vec![pt(
                2,
                "Camión 1",
                T0,
                &[(F::DriverId, S("Núñez")), (F::SpeedKmh, N(10.5))],
            )],
        },
    ]
}

#[test]
fn telemetry_fixtures() {
    for case in telemetry_cases() {
        let (plan, records) = read_all(&fixture(case.file), &case.opts);
        assert_eq!(plan.kind, FileKind::Telemetry, "{}", case.file);
        assert_eq!(plan.notes, case.notes, "{}: notes", case.file);
        check_records(case.file, &records, &case.records);
    }
}

#[test]
fn canonical_files_need_no_aliases() {
    for file in [
        "semicolon.csv",
        "missing_tokens.csv",
        "bad_rows.csv",
        "out_of_range.csv",
    ] {
        let (plan, _) = read_all(&fixture(file), &ImportOptions::default());
        assert!(plan.canonical, "{file}");
    }
    for file in [
        "header_aliases.csv",
        "unknown_columns.csv",
        "glued_units.csv",
    ] {
        let (plan, _) = read_all(&fixture(file), &ImportOptions::default());
        assert!(!plan.canonical, "{file}");
    }
}

#[test]
fn ambiguous_dates_stop_the_import_and_name_the_option() {
    let err = open(&fixture("ambiguous_dates.csv"), &ImportOptions::default()).unwrap_err();
    assert!(
        matches!(&err, ImportError::AmbiguousDates { column, sample } if column == "ts" && sample == "03/04/2024 10:00"),
        "{err:?}"
    );
    let msg = err.to_string();
    assert!(
        msg.contains("--date-order dmy") && msg.contains("--date-order mdy"),
        "{msg}"
    );

    for (order, first, second, third) in [
        (
            DateOrder::Mdy,
            "2024-03-04T10:00:00Z",
            "2024-03-04T10:00:30Z",
            "2024-05-06T11:00:00Z",
        ),
        (
            DateOrder::Dmy,
            "2024-04-03T10:00:00Z",
            "2024-04-03T10:00:30Z",
            "2024-06-05T11:00:00Z",
        ),
    ] {
        let opts = ImportOptions {
            date_order: Some(order),
            ..ImportOptions::default()
        };
        let (plan, records) = read_all(&fixture("ambiguous_dates.csv"), &opts);
        assert!(plan.notes.contains(&Note::DateOrder {
            column: "ts".into(),
            order,
            source: Source::Given,
        }));
        check_records(
            "ambiguous_dates.csv",
            &records,
            &[
                pt(2, "T01", first, &[(F::SpeedKmh, N(1.0))]),
                pt(3, "T01", second, &[(F::SpeedKmh, N(2.0))]),
                pt(4, "T01", third, &[(F::SpeedKmh, N(3.0))]),
            ],
        );
    }
}

#[test]
fn trucks_with_calibration_and_several_tanks() {
    let (plan, records) = read_all(&fixture("trucks.csv"), &ImportOptions::default());
    assert_eq!(plan.kind, FileKind::Trucks);
    assert!(plan.notes.is_empty(), "{:?}", plan.notes);
    let summary: Vec<String> = records
        .iter()
        .map(|r| match r {
            Record::Truck {
                line,
                profile,
                issues,
            } => format!(
                "{line} {} {:?} {:?} [{}] {:?}",
                profile.truck_id,
                profile.name,
                profile.fuel_type,
                profile
                    .tanks
                    .iter()
                    .map(|t| format!(
                        "{}L{}",
                        t.capacity_l,
                        t.calibration
                            .as_ref()
                            .map_or(String::new(), |c| format!(" cal {}", c.to_text()))
                    ))
                    .collect::<Vec<_>>()
                    .join(", "),
                issues
                    .iter()
                    .map(|i| (i.line, i.field.as_deref(), i.reason.code(), i.raw.as_str()))
                    .collect::<Vec<_>>()
            ),
            Record::Rejected(i) => format!(
                "{} rejected {:?} {} {:?}",
                i.line,
                i.field,
                i.reason.code(),
                i.raw
            ),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        summary,
        [
            r#"2 T01 "Volvo FH 01" Some("diesel") [600L cal 0:0;50:280;100:600] []"#,
            r#"3 T02 "Scania R450" None [400L, 200L cal 0:0;50:80;100:200] []"#,
            r#"4 T03 "Iveco S-Way" Some("diesel") [500L] [(4, Some("calibration"), "bad_calibration", "0:0;50:300;100:200")]"#,
            r#"5 rejected Some("truck_id") missing_truck_id ",No id,300,diesel,,,""#,
            r#"6 T04 "T04" None [] [(6, Some("tank_l"), "unparseable", "abc")]"#,
        ]
    );
}

#[test]
fn purchases_with_optional_columns() {
    let (plan, records) = read_all(&fixture("purchases.csv"), &ImportOptions::default());
    assert_eq!(plan.kind, FileKind::Purchases);
    let summary: Vec<String> = records
        .iter()
        .map(|r| match r {
            Record::Purchase {
                line,
                purchase: p,
                issues,
            } => format!(
                "{line} {} {} {} {} {:?} {:?} {:?} {:?} {:?}",
                p.truck_id,
                fc_model::format_ts(p.ts),
                p.litres,
                p.price_per_l,
                p.lat,
                p.lon,
                p.card_id,
                p.station,
                issues
                    .iter()
                    .map(|i| (i.field.as_deref(), i.reason.code(), i.raw.as_str()))
                    .collect::<Vec<_>>()
            ),
            Record::Rejected(i) => format!(
                "{} rejected {:?} {} {:?}",
                i.line,
                i.field,
                i.reason.code(),
                i.raw
            ),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(
        summary,
        [
            r#"2 T01 2024-03-01T08:15:00.000Z 250.5 1.459 Some(40.4168) Some(-3.7038) Some("CARD-9") Some("Repsol Madrid Sur") []"#,
            r#"3 T02 2024-03-01T09:40:00.000Z 180 1.502 None None None None []"#,
            r#"4 rejected Some("litres") missing_value "T01,2024-03-02T07:00:00Z,,1.45,,,CARD-9,Cepsa""#,
            r#"5 rejected Some("price_per_l") unparseable "T02,2024-03-02T10:00:00Z,120,abc,,,,""#,
            r#"6 T03 2024-03-02T11:00:00.000Z 90 1.49 None Some(-3.7) None Some("BP") [(Some("lat"), "out_of_range", "95.1")]"#,
        ]
    );
}
