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
}

impl WriteOutcome {
    /// Adds another outcome to this one.
    pub fn add(&mut self, other: WriteOutcome) {
        self.stored += other.stored;
        self.duplicates += other.duplicates;
        self.conflicts += other.conflicts;
        self.quarantined += other.quarantined;
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
