//! Transport types of stored events, verdicts and alerts: what the UI's inbox
//! and truck page receive, and what `--json` prints. Times are RFC 3339 UTC.

use serde::Serialize;
use ts_rs::TS;

use crate::dto_analysis::EventDto;

/// A dispatcher's verdict on an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct VerdictDto {
    /// `confirmed` or `false_alarm`.
    pub verdict: String,
    /// Who recorded it.
    pub by: String,
    /// When, RFC 3339 UTC.
    pub at: String,
    /// Free text, if any.
    pub note: Option<String>,
}

/// A stored event with its life-cycle status and verdict.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct StoredEventDto {
    /// The event; its `status` is `provisional`, `final` or `retracted`.
    pub event: EventDto,
    /// Increases with every update of the event.
    pub revision: u32,
    /// The dispatcher's verdict, if one was recorded.
    pub verdict: Option<VerdictDto>,
}

/// An alert of the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AlertDto {
    /// Sequence number: consumers resume after the last one they saw.
    #[ts(type = "number")]
    pub seq: i64,
    /// When it happened, RFC 3339 UTC.
    pub at: String,
    /// The truck.
    pub truck_id: String,
    /// `fill`, `drain`, `sensor_fault`, `low_fuel`, `long_idle`, `offline`, ...
    pub kind: String,
    /// The event behind it, if any.
    pub event_id: Option<String>,
    /// Codes and numbers for the consumer to render.
    #[ts(type = "Record<string, unknown>")]
    pub payload: serde_json::Value,
    /// Who acknowledged it, if someone did.
    pub acked_by: Option<String>,
    /// When, RFC 3339 UTC.
    pub acked_at: Option<String>,
}
