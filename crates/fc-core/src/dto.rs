//! Transport types: what crosses to the UI (Tauri IPC), the CLI's `--json`
//! and the server. TypeScript bindings are generated from these with ts-rs
//! into `ui/src/bindings/` and checked for drift in CI.

use serde::Serialize;
use ts_rs::TS;

/// Name and version of the running build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct AppInfo {
    /// Product name.
    pub name: String,
    /// Semantic version of the build.
    pub version: String,
}

/// A failure as programs see it: a stable code and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ErrorDto {
    /// Stable snake_case code.
    pub code: String,
    /// What went wrong and what to do (English; translate by `code` and `args`).
    pub message: String,
    /// Named values for a translated message.
    #[ts(type = "Record<string, string>")]
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub args: std::collections::BTreeMap<String, String>,
}

/// Something the importer noticed about a file, for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ImportNote {
    /// Stable code (`delimiter`, `decimal_comma`, `naive_timestamps`, ...).
    pub code: String,
    /// The source column it concerns, if any.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    /// The detected value (a unit, a zone, a separator).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

/// What importing one file did.
#[derive(Debug, Clone, PartialEq, Default, Serialize, TS)]
pub struct FileImportReport {
    /// The file as given.
    pub file: String,
    /// `telemetry`, `trucks` or `purchases`; absent when the file could not be read.
    pub kind: Option<String>,
    /// `csv` or `jsonl`.
    pub format: Option<String>,
    /// Data rows read (header and blank lines excluded).
    #[ts(type = "number")]
    pub rows_read: u64,
    /// Rows newly stored.
    #[ts(type = "number")]
    pub stored: u64,
    /// Rows already stored with identical values.
    #[ts(type = "number")]
    pub duplicates: u64,
    /// Rows whose key was stored with other values (quarantined, stored row kept).
    #[ts(type = "number")]
    pub conflicts: u64,
    /// Rows rejected whole (no usable truck or time, broken line).
    #[ts(type = "number")]
    pub rejected_rows: u64,
    /// Single values rejected (stored as empty).
    #[ts(type = "number")]
    pub rejected_fields: u64,
    /// Quarantine entries by reason code.
    #[ts(type = "Record<string, number>")]
    pub rejected_by_reason: std::collections::BTreeMap<String, u64>,
    /// Columns that were not understood and were ignored.
    pub unknown_columns: Vec<String>,
    /// What was detected or assumed.
    pub notes: Vec<ImportNote>,
    /// Zone used for timestamps without an offset.
    pub time_zone: String,
    /// Why the file could not be imported at all.
    pub error: Option<ErrorDto>,
    /// Wall time, milliseconds.
    #[ts(type = "number")]
    pub elapsed_ms: u64,
}

/// Import progress, for a progress bar.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ImportProgress {
    /// File being read.
    pub file: String,
    /// Its position in the request, from 0.
    pub file_index: u32,
    /// Files in the request.
    pub files: u32,
    /// Bytes of this file read so far.
    #[ts(type = "number")]
    pub bytes_read: u64,
    /// Size of this file.
    #[ts(type = "number")]
    pub bytes_total: u64,
    /// Rows of this file read so far.
    #[ts(type = "number")]
    pub rows: u64,
}

/// A fuel tank of a truck.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TankDto {
    /// Capacity, litres.
    pub capacity_l: f64,
    /// Whether a calibration table is set (else linear).
    pub calibrated: bool,
}

/// A truck as listed.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TruckRow {
    /// Truck id.
    pub truck_id: String,
    /// Display name (the id when no profile was imported).
    pub name: String,
    /// Fuel type, if known.
    pub fuel_type: Option<String>,
    /// Tanks; empty when no profile was imported.
    pub tanks: Vec<TankDto>,
    /// Stored telemetry points.
    #[ts(type = "number")]
    pub points: u64,
    /// Latest reading, RFC 3339 UTC.
    pub last_seen: Option<String>,
}

/// Per-truck summary of stored data.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TruckSummary {
    /// Truck id.
    pub truck_id: String,
    /// Stored points.
    #[ts(type = "number")]
    pub points: u64,
    /// First point, RFC 3339 UTC.
    pub first_ts: Option<String>,
    /// Last point, RFC 3339 UTC.
    pub last_ts: Option<String>,
    /// Hours between first and last point.
    pub span_h: f64,
    /// Distance driven, km, from the truck's ledger (odometer where present, else GPS with jump guards).
    pub distance_km: Option<f64>,
    /// Where the distance came from: `odometer`, `gps` or `none`.
    pub distance_source: String,
    /// Fuel used, litres, from the truck's ledger (level balance with fills and drains,
    /// else the ECU counter with resets handled); absent when neither exists.
    pub fuel_used_l: Option<f64>,
    /// Rows and values of this truck in quarantine.
    #[ts(type = "number")]
    pub rejected: u64,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ExportReport {
    /// Rows written.
    #[ts(type = "number")]
    pub rows: u64,
    /// The file written, if not standard output.
    pub file: Option<String>,
}
