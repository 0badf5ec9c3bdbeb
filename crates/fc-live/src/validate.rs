//! The feed's points are checked by the same rules as imported rows
//! (`fc_model` ids and physical ranges): a bad field is stored as null with a
//! quarantine entry; a point without a usable truck id or time is quarantined whole.

use fc_model::{Field, FieldKind, TelemetryPoint, normalize_id};
use fc_store::QuarantineEntry;

/// Timestamps further than this from the Unix epoch are garbage (year 1700..2240).
const MAX_ABS_TS_MS: i64 = 8_500_000_000_000;

fn entry(
    source: &str,
    p: &TelemetryPoint,
    field: Option<&str>,
    reason: &str,
    raw: String,
) -> QuarantineEntry {
    QuarantineEntry {
        source: source.to_string(),
        line: None,
        truck_id: normalize_id(&p.truck_id).ok().map(str::to_string),
        ts: Some(p.ts),
        field: field.map(str::to_string),
        reason: reason.to_string(),
        detail: raw.clone(),
        raw: Some(raw),
    }
}

/// Cleans a received point in place. Returns `false` if the point must not be stored
/// (its whole-row quarantine entry is then in `quarantine`).
pub fn validate_point(
    source: &str,
    p: &mut TelemetryPoint,
    quarantine: &mut Vec<QuarantineEntry>,
) -> bool {
    let raw_row = |p: &TelemetryPoint| {
        let mut s = serde_json::to_string(p).unwrap_or_default();
        let mut end = s.len().min(512);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s
    };
    match normalize_id(&p.truck_id) {
        Ok(id) if id.len() == p.truck_id.len() => {}
        Ok(id) => p.truck_id = id.to_string(),
        Err(_) => {
            let mut e = entry(source, p, None, "invalid_truck_id", raw_row(p));
            e.truck_id = None;
            quarantine.push(e);
            return false;
        }
    }
    if !(-MAX_ABS_TS_MS..=MAX_ABS_TS_MS).contains(&p.ts) {
        let mut e = entry(source, p, None, "invalid_timestamp", raw_row(p));
        e.ts = None;
        quarantine.push(e);
        return false;
    }
    for f in Field::ALL {
        if f.kind() != FieldKind::Float {
            continue;
        }
        let Some(slot) = p.float_mut(*f) else {
            continue;
        };
        if let Some(v) = *slot {
            match f.check(v) {
                Ok(ok) => *slot = Some(ok),
                Err(_) => {
                    *slot = None;
                    let e = entry(source, p, Some(f.name()), "out_of_range", v.to_string());
                    quarantine.push(e);
                }
            }
        }
    }
    if let Some(d) = &p.driver_id {
        match normalize_id(d) {
            Ok(id) if id.len() == d.len() => {}
            Ok(id) => p.driver_id = Some(id.to_string()),
            Err(_) => {
                let raw: String = d.chars().take(128).collect();
                p.driver_id = None;
                quarantine.push(entry(source, p, Some("driver_id"), "invalid_id", raw));
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_rows_and_ids() {
        let mut q = Vec::new();
        let mut p = TelemetryPoint::new(" T1 ", 1_700_000_000_000);
        p.fuel_level_pct = Some(140.0);
        p.speed_kmh = Some(-0.0);
        assert!(validate_point("feed", &mut p, &mut q));
        assert_eq!(p.truck_id, "T1");
        assert_eq!(p.fuel_level_pct, None);
        assert_eq!(p.speed_kmh.map(f64::to_bits), Some(0.0f64.to_bits()));
        assert_eq!(q.len(), 1);
        assert_eq!(q[0].reason, "out_of_range");
        assert_eq!(q[0].field.as_deref(), Some("fuel_level_pct"));

        let mut bad = TelemetryPoint::new("", 0);
        assert!(!validate_point("feed", &mut bad, &mut q));
        let mut late = TelemetryPoint::new("T1", i64::MAX);
        assert!(!validate_point("feed", &mut late, &mut q));
        let reasons: Vec<_> = q.iter().map(|e| e.reason.as_str()).collect();
        assert_eq!(
            reasons,
            ["out_of_range", "invalid_truck_id", "invalid_timestamp"]
        );
    }
}
