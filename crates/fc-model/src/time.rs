use chrono::{DateTime, SecondsFormat, Utc};

/// UTC milliseconds since the Unix epoch: the one time representation in the store.
pub type TimestampMs = i64;

/// Formats a timestamp as RFC 3339 UTC with milliseconds, e.g. `2024-03-01T12:00:00.000Z`.
///
/// Always three fraction digits so that exports are byte-stable.
pub fn format_ts(ts: TimestampMs) -> String {
    match DateTime::<Utc>::from_timestamp_millis(ts) {
        Some(dt) => dt.to_rfc3339_opts(SecondsFormat::Millis, true),
        // Out of chrono's range: cannot come from a validated import, keep it lossless.
        None => ts.to_string(),
    }
}

/// Parses RFC 3339 (any offset) into UTC milliseconds; sub-millisecond digits are truncated.
pub fn parse_rfc3339_ms(s: &str) -> Option<TimestampMs> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|dt| dt.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_round_trip() {
        let ts = parse_rfc3339_ms("2024-03-01T13:00:00.250+01:00").unwrap();
        assert_eq!(format_ts(ts), "2024-03-01T12:00:00.250Z");
        assert_eq!(parse_rfc3339_ms(&format_ts(ts)), Some(ts));
        assert_eq!(parse_rfc3339_ms("yesterday"), None);
    }
}
