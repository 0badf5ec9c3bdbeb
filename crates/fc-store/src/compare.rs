//! Telling a duplicate from a conflicting duplicate, and describing the conflict.

use fc_model::{Field, FieldKind, Purchase, TelemetryPoint};
use serde_json::json;

use crate::types::{CONFLICTING_DUPLICATE, Origin, QuarantineEntry};

/// A float as the store keeps it: SQLite turns NaN into NULL and `-0.0` into `0.0`.
fn stored_float(v: Option<f64>) -> Option<u64> {
    let x = v.filter(|x| !x.is_nan())?;
    // `-0.0 == 0.0`, so both map to the bits of `0.0`.
    Some(if x == 0.0 { 0.0f64 } else { x }.to_bits())
}

/// The canonical fields (other than the key) whose stored forms differ.
pub(crate) fn differing_fields(a: &TelemetryPoint, b: &TelemetryPoint) -> Vec<&'static str> {
    Field::ALL[2..]
        .iter()
        .filter(|f| {
            let same = match f.kind() {
                FieldKind::Float => stored_float(a.float(**f)) == stored_float(b.float(**f)),
                FieldKind::Bool if **f == Field::Ignition => a.ignition == b.ignition,
                FieldKind::Bool => a.pto == b.pto,
                FieldKind::Text => a.driver_id == b.driver_id,
                FieldKind::Time => true,
            };
            !same
        })
        .map(|f| f.name())
        .collect()
}

/// The quarantine entry for a point whose key is stored with other values.
pub(crate) fn point_conflict(
    stored: &TelemetryPoint,
    incoming: &TelemetryPoint,
    origin: &Origin,
    fields: &[&str],
) -> QuarantineEntry {
    conflict(
        stored,
        incoming,
        &incoming.truck_id,
        incoming.ts,
        origin,
        fields,
    )
}

/// A `conflicting_duplicate` entry: both values in the detail, the single
/// differing field named when there is only one.
fn conflict<T: serde::Serialize>(
    stored: &T,
    incoming: &T,
    truck_id: &str,
    ts: fc_model::TimestampMs,
    origin: &Origin,
    fields: &[&str],
) -> QuarantineEntry {
    let detail = json!({
        "fields": fields,
        "stored": stored,
        "incoming": incoming,
    });
    QuarantineEntry {
        source: origin.source.to_string(),
        line: origin.line,
        truck_id: Some(truck_id.to_string()),
        ts: Some(ts),
        field: (fields.len() == 1).then(|| fields[0].to_string()),
        reason: CONFLICTING_DUPLICATE.to_string(),
        detail: detail.to_string(),
        raw: None,
    }
}

/// Whether two purchases with the same key carry the same values as stored.
pub(crate) fn purchase_differing_fields(a: &Purchase, b: &Purchase) -> Vec<&'static str> {
    let mut out = Vec::new();
    let floats = [
        ("litres", Some(a.litres), Some(b.litres)),
        ("price_per_l", Some(a.price_per_l), Some(b.price_per_l)),
        ("lat", a.lat, b.lat),
        ("lon", a.lon, b.lon),
    ];
    for (name, x, y) in floats {
        if stored_float(x) != stored_float(y) {
            out.push(name);
        }
    }
    if a.station != b.station {
        out.push("station");
    }
    out
}

/// The quarantine entry for a purchase whose key is stored with other values.
pub(crate) fn purchase_conflict(
    stored: &Purchase,
    incoming: &Purchase,
    origin: &Origin,
    fields: &[&str],
) -> QuarantineEntry {
    conflict(
        stored,
        incoming,
        &incoming.truck_id,
        incoming.ts,
        origin,
        fields,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_forms_decide_equality() {
        let mut a = TelemetryPoint::new("T1", 5);
        let mut b = a.clone();
        assert!(differing_fields(&a, &b).is_empty());
        a.fuel_l = Some(-0.0);
        b.fuel_l = Some(0.0);
        assert!(differing_fields(&a, &b).is_empty(), "-0.0 is stored as 0.0");
        a.rpm = Some(f64::NAN);
        assert!(differing_fields(&a, &b).is_empty(), "NaN is stored as NULL");
        b.speed_kmh = Some(0.1 + 0.2);
        a.speed_kmh = Some(0.3);
        a.pto = Some(true);
        b.driver_id = Some("D1".into());
        assert_eq!(
            differing_fields(&a, &b),
            vec!["speed_kmh", "driver_id", "pto"]
        );
    }

    #[test]
    fn conflict_entry_holds_both_values() {
        let mut stored = TelemetryPoint::new("T1", 5);
        stored.fuel_l = Some(100.0);
        let mut incoming = stored.clone();
        incoming.fuel_l = Some(90.5);
        let origin = Origin {
            source: "a.csv".into(),
            line: Some(3),
        };
        let fields = differing_fields(&stored, &incoming);
        let e = point_conflict(&stored, &incoming, &origin, &fields);
        assert_eq!(e.reason, CONFLICTING_DUPLICATE);
        assert_eq!(e.field.as_deref(), Some("fuel_l"));
        let v: serde_json::Value = serde_json::from_str(&e.detail).unwrap();
        assert_eq!(v["stored"]["fuel_l"], 100.0);
        assert_eq!(v["incoming"]["fuel_l"], 90.5);
    }
}
