//! Whole-file behaviour: ambiguity settled past the sniffing sample, early errors with
//! advice, defaults, tallies, progress.

use std::fmt::Write;
use std::io::Cursor;

use fc_import::{
    DateOrder, DecimalSep, FileKind, ImportError, ImportOptions, Mapping, Note, Reason, Record,
    Source, Tally, from_reader,
};

fn read(
    text: &str,
    opts: &ImportOptions,
) -> Result<(fc_import::FilePlan, Vec<Record>), ImportError> {
    let mut r = from_reader("test", Cursor::new(text.as_bytes().to_vec()), opts)?;
    let mut out = Vec::new();
    while let Some(rec) = r.next_record()? {
        out.push(rec);
    }
    assert_eq!(Some(r.bytes_read()), r.total_bytes());
    Ok((r.plan().clone(), out))
}

/// A file far bigger than the sniffing sample, with ambiguous dates everywhere except,
/// optionally, in its last row.
fn big_file(last_row: Option<&str>) -> String {
    let mut s = String::from("truck_id,ts,odometer_km\n");
    for i in 0..20_000u32 {
        // Day and month both <= 12 in every row.
        let _ = writeln!(
            s,
            "T{},{:02}/{:02}/2024 {:02}:{:02},{}",
            i % 7,
            i % 12 + 1,
            (i / 12) % 12 + 1,
            i % 24,
            i % 60,
            1000 + i
        );
    }
    if let Some(l) = last_row {
        s.push_str(l);
        s.push('\n');
    }
    s
}

#[test]
fn date_order_is_settled_over_the_whole_file() {
    let text = big_file(Some("T1,25/12/2024 08:00,99999"));
    assert!(text.len() > 300 * 1024, "must exceed the sample");
    let (plan, records) = read(&text, &ImportOptions::default()).unwrap();
    assert!(plan.notes.contains(&Note::DateOrder {
        column: "ts".into(),
        order: DateOrder::Dmy,
        source: Source::Detected,
    }));
    assert_eq!(records.len(), 20_001);
    // Row 2: "01/01/2024 00:00"; row 3: "02/01/2024 01:01" is 2 January under day-first.
    let ts = |i: usize| match &records[i] {
        Record::Point { point, .. } => fc_model::format_ts(point.ts),
        other => panic!("{other:?}"),
    };
    assert_eq!(ts(1), "2024-01-02T01:01:00.000Z");
    assert_eq!(ts(20_000), "2024-12-25T08:00:00.000Z");

    let err = read(&big_file(None), &ImportOptions::default()).unwrap_err();
    assert!(err.to_string().contains("--date-order"), "{err}");
}

#[test]
fn decimal_separator_is_settled_over_the_whole_file() {
    // `1,234` is a decimal or a thousands group until `1,5` at the end says decimal comma.
    let mut text = String::from("truck_id;ts;fuel_used_l\n");
    for i in 0..30_000u32 {
        let _ = writeln!(text, "T1;{};1,{:03}", 1_709_294_400 + i, 100 + i % 900);
    }
    text.push_str("T1;1709400000;1,5\n");
    let (plan, records) = read(&text, &ImportOptions::default()).unwrap();
    assert!(plan.notes.contains(&Note::Decimal {
        column: "fuel_used_l".into(),
        sep: DecimalSep::Comma,
        source: Source::Detected,
    }));
    match &records[0] {
        Record::Point { point, .. } => assert_eq!(point.fuel_used_l, Some(1.1)),
        other => panic!("{other:?}"),
    }
    // Never settled, and nothing else in the file uses a decimal comma or point: ask.
    let text = "truck_id;ts;fuel_used_l\nT1;1709294400;1,234\nT1;1709294430;2,345\n";
    let err = read(text, &ImportOptions::default()).unwrap_err();
    assert!(
        matches!(err, ImportError::AmbiguousDecimal { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("--decimal"), "{err}");
    // Settled by the caller.
    let opts = ImportOptions {
        decimal: Some(DecimalSep::Dot),
        ..ImportOptions::default()
    };
    let (_, records) = read(text, &opts).unwrap();
    match &records[0] {
        Record::Point { point, .. } => assert_eq!(point.fuel_used_l, Some(1234.0)),
        other => panic!("{other:?}"),
    }
    // Settled by the other columns of the file.
    let text = "truck_id;ts;speed_kmh;fuel_used_l\nT1;1709294400;12,5;1,234\n";
    let (plan, records) = read(text, &ImportOptions::default()).unwrap();
    assert!(plan.notes.contains(&Note::Decimal {
        column: "fuel_used_l".into(),
        sep: DecimalSep::Comma,
        source: Source::Fallback,
    }));
    match &records[0] {
        Record::Point { point, .. } => assert_eq!(point.fuel_used_l, Some(1.234)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn files_that_cannot_be_read_fail_early_with_advice() {
    let cases: &[(&str, &str)] = &[
        ("", "empty"),
        ("  \n\n", "empty"),
        ("hello world\nfoo bar\n", "--mapping"),
        ("[{\"truck_id\":\"T1\"}]\n", "JSON Lines"),
        ("truck_id,speed_kmh\nT1,10\n", "no `ts` column"),
        ("ts,speed_kmh\n2024-03-01T12:00:00Z,10\n", "--truck"),
        (
            "truck_id,ts,litres,station\nT1,2024-03-01T12:00:00Z,10,BP\n",
            "no `price_per_l` column",
        ),
    ];
    for (text, hint) in cases {
        let opts = ImportOptions {
            kind: text.contains("litres").then_some(FileKind::Purchases),
            ..ImportOptions::default()
        };
        let err = read(text, &opts).unwrap_err().to_string();
        assert!(err.contains(hint), "{text:?}: {err}");
    }
}

#[test]
fn single_vehicle_exports_take_the_truck_from_options() {
    let text = "Time,Speed (km/h)\n2024-03-01 12:00:00,10\n2024-03-01 12:00:30,12\n";
    let opts = ImportOptions {
        truck_id: Some("TRK-9".into()),
        ..ImportOptions::in_zone(chrono_tz::Europe::Madrid)
    };
    let (plan, records) = read(text, &opts).unwrap();
    assert!(plan.notes.contains(&Note::DefaultTruckId {
        truck_id: "TRK-9".into()
    }));
    assert!(plan.notes.contains(&Note::NaiveTimestamps {
        column: "Time".into(),
        zone: "Europe/Madrid".into()
    }));
    match &records[1] {
        Record::Point { point, .. } => {
            assert_eq!(point.truck_id, "TRK-9");
            assert_eq!(fc_model::format_ts(point.ts), "2024-03-01T11:00:30.000Z");
            assert_eq!(point.speed_kmh, Some(12.0));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn foreign_purchases_in_gallons_with_totals() {
    let text = "Vehicle,Transaction Date,Gallons,Total,Card Number,Merchant\n\
                TRK-1,2024-03-01T08:00:00Z,50,190.00,4111-22,Pilot #123\n\
                TRK-1,2024-03-02T08:00:00Z,0.01,190000,4111-22,Pilot #123\n";
    let (plan, records) = read(text, &ImportOptions::default()).unwrap();
    assert_eq!(plan.kind, FileKind::Purchases);
    match &records[0] {
        Record::Purchase {
            purchase: p,
            issues,
            ..
        } => {
            assert!(issues.is_empty(), "{issues:?}");
            assert!((p.litres - 189.270_589_2).abs() < 1e-9, "{}", p.litres);
            assert!((p.amount() - 190.0).abs() < 1e-9);
            assert_eq!(p.card_id.as_deref(), Some("4111-22"));
            assert_eq!(p.station.as_deref(), Some("Pilot #123"));
        }
        other => panic!("{other:?}"),
    }
    // A total that makes an impossible price per litre refuses the row.
    match &records[1] {
        Record::Rejected(i) => {
            assert_eq!(
                (i.line, i.field.as_deref(), i.reason),
                (3, Some("amount"), Reason::OutOfRange)
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn headerless_trucks_file_reads_in_documented_order() {
    let opts = ImportOptions {
        kind: Some(FileKind::Trucks),
        ..ImportOptions::default()
    };
    let (plan, records) = read("T1,Truck one,400,diesel\nT2,Truck two,300\n", &opts).unwrap();
    assert!(plan.notes.contains(&Note::Positional));
    let caps: Vec<_> = records
        .iter()
        .map(|r| match r {
            Record::Truck { line, profile, .. } => {
                (*line, profile.truck_id.clone(), profile.capacity_l())
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        caps,
        [(1, "T1".to_string(), 400.0), (2, "T2".to_string(), 300.0)]
    );
}

#[test]
fn json_lines_epochs_and_tally() {
    let text = concat!(
        "{\"vehicle_id\":\"T1\",\"time\":1709294400000000000,\"speed\":\"30mph\"}\n",
        "{\"vehicle_id\":\"T1\",\"time\":1709294430,\"speed\":-4}\n",
        "not json\n",
    );
    let mut r = from_reader(
        "t.jsonl",
        Cursor::new(text.as_bytes().to_vec()),
        &ImportOptions::default(),
    )
    .unwrap();
    let mut tally = Tally::default();
    let mut points = Vec::new();
    while let Some(rec) = r.next_record().unwrap() {
        tally.add(&rec);
        if let Record::Point { point, .. } = rec {
            points.push(point);
        }
    }
    assert_eq!(points[0].ts, 1_709_294_400_000);
    assert_eq!(points[1].ts, 1_709_294_430_000);
    assert!((points[0].speed_kmh.unwrap_or(0.0) - 48.28032).abs() < 1e-9);
    assert_eq!(points[1].speed_kmh, None);
    assert_eq!(
        (tally.rows, tally.accepted, tally.rejected_total()),
        (3, 2, 1)
    );
    assert_eq!(tally.rejected.get(Reason::BadJson.code()), Some(&1));
    assert_eq!(tally.field_issues.get(Reason::OutOfRange.code()), Some(&1));
}

#[test]
fn mapping_assigns_split_dates_scale_and_constant_truck() {
    let mapping = Mapping::from_toml_str(
        r#"
        truck_id = "TRK-5"
        decimal = "comma"
        date_order = "dmy"
        [columns]
        "Día" = "date"
        "Hora" = "time"
        "Combustible (dl)" = { field = "fuel_l", scale = 0.1 }
        "#,
    )
    .unwrap();
    let text = "Día;Hora;Combustible (dl)\n02/03/2024;12:00;3105\n";
    let opts = ImportOptions {
        mapping: Some(mapping),
        ..ImportOptions::default()
    };
    let (_, records) = read(text, &opts).unwrap();
    match &records[0] {
        Record::Point { point, issues, .. } => {
            assert!(issues.is_empty(), "{issues:?}");
            assert_eq!(point.truck_id, "TRK-5");
            assert_eq!(fc_model::format_ts(point.ts), "2024-03-02T12:00:00.000Z");
            assert!((point.fuel_l.unwrap_or(0.0) - 310.5).abs() < 1e-9);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn blank_lines_and_multiline_fields_keep_line_numbers() {
    let text = "truck_id,ts,driver_id\r\nT1,2024-03-01T12:00:00Z,\"two\nlines\"\r\n\r\n\r\nT2,2024-03-01T12:00:00Z,x";
    let (_, records) = read(text, &ImportOptions::default()).unwrap();
    let lines: Vec<_> = records.iter().map(Record::line).collect();
    assert_eq!(lines, [2, 6]);
}

#[test]
fn a_location_column_with_addresses_is_not_read_as_coordinates() {
    let text = "unit,time,location,speed\nT1,2024-03-01T12:00:00Z,\"Calle Mayor 1, Madrid\",10\n";
    let (plan, records) = read(text, &ImportOptions::default()).unwrap();
    assert_eq!(plan.unknown_columns, ["location"]);
    assert!(plan.notes.contains(&Note::UnknownColumns {
        columns: vec!["location".into()]
    }));
    match &records[0] {
        Record::Point { point, issues, .. } => {
            assert!(issues.is_empty(), "{issues:?}");
            assert_eq!((point.lat, point.speed_kmh), (None, Some(10.0)));
        }
        other => panic!("{other:?}"),
    }
}

/// Deterministic pseudo-random bytes (no extra dependency).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() as usize) % items.len()]
    }
}

#[test]
fn messy_input_never_panics_and_every_row_is_accounted_for() {
    let tokens = [
        "T1",
        " T 2 ",
        "",
        "-",
        "NaN",
        "∞",
        "1e999",
        "12,5",
        "1.234,5",
        "1,234.5",
        "48km/h",
        "30mph",
        "74,5%",
        "2024-03-01T12:00:00Z",
        "03/04/2024 10:00",
        "13/04/2024",
        "1709294400",
        "1709294400000",
        "yes",
        "sí",
        "\"q,uo\"\"te\"",
        "Ω",
        "\u{feff}",
        "40.1, -3.2",
        "{",
        "}",
        "[",
        ":",
        "99999999999999999999",
        "-0",
        "0x1F",
        "2024-02-30",
        "25:61",
        "Mar 1, 2024 1:00 PM",
        "12:00",
        "\t",
        ";",
        ",",
        "\r",
        "\n",
        "\"",
    ];
    let headers = [
        "truck_id,ts,speed_kmh,fuel_level_pct,ignition,driver_id,lat_lon\n",
        "Vehicle;Fecha;Hora;Velocidad;Nivel combustible\n",
        "unit\ttimestamp\tspeed (mph)\ttemp_f\n",
        "",
        "{\"truck_id\":",
    ];
    let mut rng = Lcg(7);
    for round in 0..400 {
        let mut text = String::from(headers[round % headers.len()]);
        for _ in 0..(rng.next() % 40) {
            text.push_str(rng.pick(&tokens));
            text.push_str(rng.pick(&[",", ";", "\t", ",", "\n", "\r\n"]));
        }
        let mut bytes = text.into_bytes();
        if round % 7 == 0 && !bytes.is_empty() {
            // Invalid UTF-8 in the middle.
            let at = (rng.next() as usize) % bytes.len();
            bytes.insert(at, 0xC3);
        }
        let dbg_bytes = bytes.clone();
        let Ok(mut r) = from_reader("fuzz", Cursor::new(bytes), &ImportOptions::default()) else {
            continue;
        };
        let mut last_line = 0;
        while let Ok(Some(rec)) = r.next_record() {
            assert!(
                rec.line() > last_line,
                "round {round}: lines must increase: {rec:?} after {last_line} in {:?}",
                String::from_utf8_lossy(&dbg_bytes)
            );
            last_line = rec.line();
            if let Record::Rejected(i) = &rec {
                assert!(i.raw.len() <= fc_import::MAX_RAW + 4, "round {round}");
            }
        }
    }
}

#[test]
fn a_repeated_header_is_skipped_and_noted() {
    let text = "truck_id,ts,speed_kmh\nT1,2024-03-01T12:00:00Z,10\ntruck_id,ts,speed_kmh\nT2,2024-03-01T12:00:00Z,11\n";
    let (plan, records) = read(text, &ImportOptions::default()).unwrap();
    assert_eq!(records.iter().map(Record::line).collect::<Vec<_>>(), [2, 4]);
    assert!(plan.notes.contains(&Note::RepeatedHeader { line: 3 }));
}
