//! Times as people read them: in the fleet's time zone, to the minute.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use fc_model::parse_rfc3339_ms;

/// `2024-03-06 02:44` in `tz`; the raw number if out of range.
pub fn local_minutes(ms: i64, tz: Tz) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms).map_or_else(
        || ms.to_string(),
        |t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
    )
}

/// An RFC 3339 instant shown in the zone named `zone` (IANA), with the zone's
/// abbreviation, e.g. `2024-03-06 02:44 CET`. Unparsable input is returned as is;
/// an unknown zone falls back to UTC.
pub fn local_time(rfc3339: &str, zone: &str) -> String {
    let tz: Tz = zone.parse().unwrap_or(Tz::UTC);
    parse_rfc3339_ms(rfc3339)
        .and_then(DateTime::<Utc>::from_timestamp_millis)
        .map_or_else(
            || rfc3339.to_string(),
            |t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string(),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_the_fleet_zone() {
        assert_eq!(
            local_time("2024-03-06T01:44:01.067Z", "Europe/Madrid"),
            "2024-03-06 02:44 CET"
        );
        assert_eq!(
            local_time("2024-07-06T01:44:00Z", "Europe/Madrid"),
            "2024-07-06 03:44 CEST"
        );
        assert_eq!(
            local_time("2024-03-06T01:44:00Z", "Nowhere/Else"),
            "2024-03-06 01:44 UTC"
        );
        assert_eq!(local_time("garbage", "UTC"), "garbage");
        assert_eq!(
            local_minutes(0, Tz::America__Mexico_City),
            "1969-12-31 18:00"
        );
    }
}
