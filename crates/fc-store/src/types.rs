//! Backend-neutral values passed to and returned by the store.

use std::sync::Arc;

use fc_model::{TelemetryPoint, TimestampMs};
use serde::{Deserialize, Serialize};

/// Where a row came from: a file path (with its line) or a feed name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    /// File path, or `"feed"` / a feed name for live data.
    pub source: Arc<str>,
    /// 1-based line in the file, when there is one.
    pub line: Option<u64>,
}

impl Origin {
    /// An origin with a line number.
    pub fn line(source: &Arc<str>, line: u64) -> Origin {
        Origin {
            source: Arc::clone(source),
            line: Some(line),
        }
    }
}

/// The position of a live feed, committed with the batch it acknowledges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedCursor {
    /// Feed name (e.g. its URL).
    pub feed: String,
    /// Last message sequence number contained in the batch.
    pub seq: i64,
}

/// Everything one ingest step commits atomically.
#[derive(Debug, Clone, Default)]
pub struct WriteBatch {
    /// Points with their origins (used for conflict quarantine entries).
    pub points: Vec<(TelemetryPoint, Origin)>,
    /// Quarantine entries found while reading the batch (bad fields, unusable rows).
    pub quarantine: Vec<QuarantineEntry>,
    /// Feed position to store with the batch, if the batch came from a feed.
    pub cursor: Option<FeedCursor>,
    /// Events found in the batch's points, upserted by id (a lower revision never
    /// replaces a higher one).
    pub events: Vec<EventRecord>,
    /// Alerts to append to the outbox.
    pub alerts: Vec<NewAlert>,
}

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct WriteOutcome {
    /// Rows newly stored.
    pub stored: u64,
    /// Rows already stored with identical values (or repeated identically within the batch).
    pub duplicates: u64,
    /// Rows whose key was already stored with different values; the stored row was kept and
    /// the newcomer quarantined as `conflicting_duplicate`.
    pub conflicts: u64,
    /// Quarantine entries newly recorded (including conflicts; repeats of an entry already
    /// recorded, e.g. on re-import, are not counted).
    pub quarantined: u64,
    /// Events inserted or updated.
    #[serde(default)]
    pub events: u64,
    /// Alerts appended to the outbox (replays of a recorded one are not counted).
    #[serde(default)]
    pub alerts: u64,
}

impl WriteOutcome {
    /// Adds another outcome to this one.
    pub fn add(&mut self, other: WriteOutcome) {
        self.stored += other.stored;
        self.duplicates += other.duplicates;
        self.conflicts += other.conflicts;
        self.quarantined += other.quarantined;
        self.events += other.events;
        self.alerts += other.alerts;
    }
}

/// The reason code of a conflicting duplicate.
pub const CONFLICTING_DUPLICATE: &str = "conflicting_duplicate";

/// A rejected row or field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarantineEntry {
    /// File path or feed name.
    pub source: String,
    /// 1-based line in the file.
    pub line: Option<u64>,
    /// The row's truck, when it could be read.
    pub truck_id: Option<String>,
    /// The row's timestamp, when it could be read.
    pub ts: Option<TimestampMs>,
    /// The canonical field concerned, if one.
    pub field: Option<String>,
    /// Stable snake_case reason code (e.g. `out_of_range`, `conflicting_duplicate`).
    pub reason: String,
    /// Details for people and tools (for conflicts a JSON object with both values).
    pub detail: String,
    /// The raw text of the row, when available.
    pub raw: Option<String>,
}

/// Which points to read. Bounds are half-open: `from <= ts < to`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PointFilter {
    /// Only these trucks (any order, repeats ignored); `None` for all.
    pub trucks: Option<Vec<String>>,
    /// Inclusive lower bound, UTC ms.
    pub from: Option<TimestampMs>,
    /// Exclusive upper bound, UTC ms.
    pub to: Option<TimestampMs>,
}

/// Which purchases to read. Bounds are half-open like [`PointFilter`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PurchaseFilter {
    /// Only these trucks; `None` for all.
    pub trucks: Option<Vec<String>>,
    /// Inclusive lower bound, UTC ms.
    pub from: Option<TimestampMs>,
    /// Exclusive upper bound, UTC ms.
    pub to: Option<TimestampMs>,
}

/// Which quarantine entries to list (all conditions must hold).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuarantineFilter {
    /// Only entries of this truck.
    pub truck_id: Option<String>,
    /// Only entries with this reason code.
    pub reason: Option<String>,
    /// Only entries from this source.
    pub source: Option<String>,
}

/// Points stored for one truck.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruckPointStats {
    /// The truck.
    pub truck_id: String,
    /// Number of stored points.
    pub points: u64,
    /// Earliest stored timestamp.
    pub first_ts: TimestampMs,
    /// Latest stored timestamp.
    pub last_ts: TimestampMs,
}

/// Number of quarantine entries per truck and reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarantineCount {
    /// The truck, or `None` for entries without a usable truck id.
    pub truck_id: Option<String>,
    /// Reason code.
    pub reason: String,
    /// Number of entries.
    pub count: u64,
}

/// One import run, for the import history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportRun {
    /// The imported file.
    pub source: String,
    /// When the import started, UTC ms.
    pub started_ms: TimestampMs,
    /// When it finished, UTC ms (`None` if it was interrupted).
    pub finished_ms: Option<TimestampMs>,
    /// Counts (stored, duplicates, conflicts, quarantined, ...) as a JSON object.
    pub counts: serde_json::Value,
}

/// A recorded import run with its id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportRunRecord {
    /// Store-assigned id, increasing.
    pub id: i64,
    /// The run.
    pub run: ImportRun,
}

/// A stored fill, drain or sensor fault (decisions 11 and 12). The store does
/// not interpret `kind`, `status` or `evidence`; `fc-core` converts them from
/// and to the detector's types.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventRecord {
    /// Deterministic id: truck, kind, anchored start.
    pub id: String,
    /// The truck.
    pub truck_id: String,
    /// `fill`, `drain` or `sensor_fault`.
    pub kind: String,
    /// `provisional`, `final` or `retracted`.
    pub status: String,
    /// Increases with every update of the same id; a lower revision never replaces a higher one.
    pub revision: u32,
    /// Version of the detector that produced it.
    pub detector_version: String,
    /// Start, UTC ms.
    pub start_ms: TimestampMs,
    /// End, UTC ms.
    pub end_ms: TimestampMs,
    /// Litres added or removed (>= 0).
    pub volume_l: f64,
    /// Latitude, if known.
    pub lat: Option<f64>,
    /// Longitude, if known.
    pub lon: Option<f64>,
    /// The detector's confidence in 0..1.
    pub rule_confidence: f64,
    /// The model's score in 0..1, absent without a model.
    pub ml_score: Option<f64>,
    /// The confidence used for alerting.
    pub confidence: f64,
    /// Version of the model behind `ml_score`.
    pub model_version: Option<String>,
    /// The evidence, as JSON.
    pub evidence: serde_json::Value,
}

/// A dispatcher's verdict on an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictKind {
    /// A real theft (or a real event of its kind).
    Confirmed,
    /// Not what the event claims (e.g. a legitimate transfer, a sensor artefact).
    FalseAlarm,
}

impl VerdictKind {
    /// Stable code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            VerdictKind::Confirmed => "confirmed",
            VerdictKind::FalseAlarm => "false_alarm",
        }
    }

    /// Parses a stored code.
    pub fn from_code(code: &str) -> Option<VerdictKind> {
        match code {
            "confirmed" => Some(VerdictKind::Confirmed),
            "false_alarm" => Some(VerdictKind::FalseAlarm),
            _ => None,
        }
    }
}

/// The verdict on one event; one per event, a later one replaces it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// The event it judges.
    pub event_id: String,
    /// What the dispatcher said.
    pub verdict: VerdictKind,
    /// Who said it.
    pub by: String,
    /// When, UTC ms.
    pub at_ms: TimestampMs,
    /// Free text, if any.
    pub note: Option<String>,
}

/// An event with its verdict, as read back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredEvent {
    /// The event.
    pub event: EventRecord,
    /// The dispatcher's verdict, if one was recorded.
    pub verdict: Option<Verdict>,
}

/// Which events to read (all conditions must hold). Results come newest first.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventFilter {
    /// Only these trucks; `None` for all.
    pub trucks: Option<Vec<String>>,
    /// Only events ending at or after this instant, UTC ms.
    pub from: Option<TimestampMs>,
    /// Only events starting before this instant, UTC ms.
    pub to: Option<TimestampMs>,
    /// Only these kinds (`fill`, `drain`, `sensor_fault`); `None` for all.
    pub kinds: Option<Vec<String>>,
    /// Also return retracted events.
    pub include_retracted: bool,
    /// Only events with at least this confidence.
    pub min_confidence: Option<f64>,
    /// Only events with a verdict (for training).
    pub with_verdict: bool,
    /// At most this many; `None` for all.
    pub limit: Option<u32>,
}

/// New scores for a stored event (rescoring with a model); the revision is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventScore {
    /// The event.
    pub event_id: String,
    /// The model's score.
    pub ml_score: Option<f64>,
    /// The confidence used for alerting.
    pub confidence: f64,
    /// The model's version.
    pub model_version: Option<String>,
}

/// An alert to append to the outbox.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewAlert {
    /// When it happened, UTC ms.
    pub ts_ms: TimestampMs,
    /// The truck.
    pub truck_id: String,
    /// `fill`, `drain`, `sensor_fault`, `low_fuel`, `long_idle`, `offline`, ...
    pub kind: String,
    /// The event behind it, if any.
    pub event_id: Option<String>,
    /// An alert whose key is already in the outbox is not added again (replays after a restart).
    pub dedupe_key: Option<String>,
    /// What the consumers show, as JSON (codes and numbers, no prose).
    pub payload: serde_json::Value,
}

/// An alert as stored, with its sequence number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Increasing and never reused (there may be gaps).
    pub seq: i64,
    /// The alert.
    pub alert: NewAlert,
    /// Who acknowledged it, and when (UTC ms).
    pub acked: Option<(String, TimestampMs)>,
}
