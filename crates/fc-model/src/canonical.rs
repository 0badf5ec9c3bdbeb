//! The canonical CSV text form: fixed column order and number formatting, so
//! that an export re-imported and exported again is byte-identical.

/// The canonical CSV header, in canonical column order.
pub const CANONICAL_HEADER: &str = "truck_id,ts,lat,lon,speed_kmh,rpm,fuel_level_pct,fuel_l,fuel_used_l,fuel_rate_lph,odometer_km,engine_hours,ignition,driver_id,pto,alt_m,ambient_temp_c,fuel_level_pct_2,fuel_l_2";

/// Shortest text that parses back to the same `f64` (Rust's `Display` guarantees the round trip).
pub fn format_f64(v: f64) -> String {
    format!("{v}")
}

/// Flags are written as `true` / `false`.
pub fn format_bool(v: bool) -> &'static str {
    if v { "true" } else { "false" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::point::Field;

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
}
