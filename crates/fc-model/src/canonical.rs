//! The canonical CSV text form: fixed column order and number formatting, so
//! that an export re-imported and exported again is byte-identical.

use crate::point::{Field, FieldKind, TelemetryPoint};
use crate::time::format_ts;

/// The canonical CSV header, in canonical column order.
pub const CANONICAL_HEADER: &str = "truck_id,ts,lat,lon,speed_kmh,rpm,fuel_level_pct,fuel_l,fuel_used_l,fuel_rate_lph,odometer_km,engine_hours,ignition,driver_id,pto,alt_m,ambient_temp_c,fuel_level_pct_2,fuel_l_2";

/// Shortest text that parses back to the same `f64` (Rust's `Display` guarantees the round trip).
pub fn format_f64(v: f64) -> String {
    format!("{v}")
}

/// Appends one canonical CSV row (no line ending) for a point.
///
/// Ids are quoted only when they contain a separator, quote or line break, as CSV requires.
pub fn write_point_row(p: &TelemetryPoint, out: &mut String) {
    use std::fmt::Write;
    push_csv_field(out, &p.truck_id);
    out.push(',');
    out.push_str(&format_ts(p.ts));
    for field in &Field::ALL[2..] {
        out.push(',');
        match field.kind() {
            FieldKind::Float => {
                if let Some(v) = p.float(*field) {
                    let _ = write!(out, "{v}");
                }
            }
            FieldKind::Bool => {
                let v = if *field == Field::Ignition {
                    p.ignition
                } else {
                    p.pto
                };
                if let Some(v) = v {
                    out.push_str(format_bool(v));
                }
            }
            FieldKind::Text => {
                if let Some(d) = &p.driver_id {
                    push_csv_field(out, d);
                }
            }
            FieldKind::Time => {}
        }
    }
}

/// Appends one comma-separated CSV field, quoted only when it holds a comma,
/// a quote or a line break (RFC 4180).
pub fn push_csv_field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

/// Flags are written as `true` / `false`.
pub fn format_bool(v: bool) -> &'static str {
    if v { "true" } else { "false" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_matches_field_order() {
        let names: Vec<_> = Field::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(CANONICAL_HEADER, names.join(","));
    }

    #[test]
    fn floats_round_trip_through_text() {
        for v in [0.1, 1.0 / 3.0, 12.5, 1e-7, 123456789.125, 0.0] {
            assert_eq!(format_f64(v).parse::<f64>().unwrap().to_bits(), v.to_bits());
        }
        assert_eq!(format_f64(12.0), "12");
        assert_eq!(format_f64(74.5), "74.5");
    }

    #[test]
    fn rows_follow_the_header() {
        let mut p = TelemetryPoint::new("T,1", 1_709_294_400_000);
        p.fuel_level_pct = Some(74.5);
        p.ignition = Some(true);
        p.driver_id = Some("D\"7".into());
        let mut row = String::new();
        write_point_row(&p, &mut row);
        assert_eq!(
            row,
            "\"T,1\",2024-03-01T12:00:00.000Z,,,,,74.5,,,,,,true,\"D\"\"7\",,,,,"
        );
        assert_eq!(
            row.matches(',').count() - 1,
            CANONICAL_HEADER.matches(',').count()
        );
    }
}
