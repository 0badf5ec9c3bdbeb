//! Structured findings: row/field issues (quarantine), notes about the detected layout, tallies.
//!
//! Nothing here carries an English sentence: callers translate from the stable codes.

use std::collections::BTreeMap;

use fc_model::units::Unit;
use serde::Serialize;

use crate::options::{DateOrder, DecimalSep};
use crate::reader::Record;

/// Why a row or a field was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// The row has no truck id (and no `--truck` default).
    MissingTruckId,
    /// The truck id is too long or holds control characters.
    BadTruckId,
    /// The row has no timestamp.
    MissingTs,
    /// The timestamp cannot be read.
    BadTs,
    /// A numeric date like `03/04/2024` that the column does not resolve.
    AmbiguousDate,
    /// The timestamp is outside 1990..2100 (an unset device clock).
    TsOutOfRange,
    /// A value that is not a number / flag / id of the expected shape.
    Unparseable,
    /// A unit glued to the value that does not fit the field (`12 km` as a speed).
    UnitMismatch,
    /// `NaN`, `inf`, `∞`: the device sent a broken value.
    NotFinite,
    /// A number outside the field's physical range.
    OutOfRange,
    /// A driver or card id that is too long or holds control characters.
    BadId,
    /// The row has a different number of cells than the header.
    ColumnCount,
    /// A JSON Lines line that is not a JSON object.
    BadJson,
    /// A calibration table that is not `pct:litres;...`, rising.
    BadCalibration,
    /// A value the row cannot do without (purchase litres, price).
    MissingValue,
}

impl Reason {
    /// Stable snake_case code (used as the quarantine reason and as a translation key).
    pub fn code(self) -> &'static str {
        match self {
            Reason::MissingTruckId => "missing_truck_id",
            Reason::BadTruckId => "bad_truck_id",
            Reason::MissingTs => "missing_ts",
            Reason::BadTs => "bad_ts",
            Reason::AmbiguousDate => "ambiguous_date",
            Reason::TsOutOfRange => "ts_out_of_range",
            Reason::Unparseable => "unparseable",
            Reason::UnitMismatch => "unit_mismatch",
            Reason::NotFinite => "not_finite",
            Reason::OutOfRange => "out_of_range",
            Reason::BadId => "bad_id",
            Reason::ColumnCount => "column_count",
            Reason::BadJson => "bad_json",
            Reason::BadCalibration => "bad_calibration",
            Reason::MissingValue => "missing_value",
        }
    }
}

/// One quarantine entry: a whole row (`field` is `None`) or one field of a row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    /// 1-based line in the file where the row starts.
    pub line: u64,
    /// Canonical name of the refused field; `None` when the whole row is refused.
    pub field: Option<String>,
    /// Why.
    pub reason: Reason,
    /// The raw value, or the raw row for whole-row issues (cut to [`MAX_RAW`] bytes).
    pub raw: String,
}

/// Longest raw text kept in an issue, in bytes: a broken file must not blow up the quarantine.
pub const MAX_RAW: usize = 512;

pub(crate) fn clip(s: &str) -> String {
    if s.len() <= MAX_RAW {
        return s.to_string();
    }
    let mut end = MAX_RAW;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].to_string()
}

impl Issue {
    pub(crate) fn row(line: u64, reason: Reason, raw: &str) -> Issue {
        Issue {
            line,
            field: None,
            reason,
            raw: clip(raw),
        }
    }

    pub(crate) fn field(line: u64, field: &str, reason: Reason, raw: &str) -> Issue {
        Issue {
            line,
            field: Some(field.to_string()),
            reason,
            raw: clip(raw),
        }
    }
}

/// How an all-digits timestamp column was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EpochUnit {
    /// Seconds since 1970 (fractions allowed).
    Seconds,
    /// Milliseconds.
    Millis,
    /// Microseconds.
    Micros,
    /// Nanoseconds.
    Nanos,
    /// Spreadsheet serial days (days since 1899-12-30, local time).
    SpreadsheetDays,
    /// Compact `YYYYMMDD[HHMMSS]`, local time.
    Compact,
}

impl EpochUnit {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            EpochUnit::Seconds => "s",
            EpochUnit::Millis => "ms",
            EpochUnit::Micros => "us",
            EpochUnit::Nanos => "ns",
            EpochUnit::SpreadsheetDays => "spreadsheet_days",
            EpochUnit::Compact => "compact",
        }
    }
}

/// Where a resolved setting came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Detected from the data.
    Detected,
    /// Given by the caller (options or mapping file).
    Given,
    /// Neither detected nor given: the documented default, or the other columns of the file.
    Fallback,
}

/// What the reader found out about a file's layout, for the import report.
///
/// Structured (no sentences) so the caller can translate; `code()` gives a stable key.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum Note {
    /// The CSV separator that was detected.
    DelimiterDetected {
        /// `,` `;` tab or `|`.
        delimiter: char,
    },
    /// A UTF-8 byte order mark was skipped.
    Bom,
    /// The file is UTF-16 and was transcoded.
    Utf16,
    /// The file is not valid UTF-8; text was read as Windows-1252/Latin-1.
    Latin1,
    /// Lines before the header (report titles) were skipped.
    Preamble {
        /// How many lines.
        lines: u64,
    },
    /// A foreign header name was recognised as a canonical field.
    HeaderAlias {
        /// Header as written.
        column: String,
        /// Canonical target.
        field: String,
    },
    /// A column was assigned by the mapping file.
    Mapped {
        /// Header as written.
        column: String,
        /// Canonical target.
        field: String,
    },
    /// A column also maps to a field that a better-named column already provides; ignored.
    Shadowed {
        /// The ignored column.
        column: String,
        /// The field.
        field: String,
        /// The column used instead.
        used: String,
    },
    /// The unit of a column came from its header (`Speed (mph)`, `temp_f`).
    UnitFromHeader {
        /// Header as written.
        column: String,
        /// The unit; values are converted to canonical units.
        unit: Unit,
    },
    /// Values carry their unit (`48km/h`, `30mph`); each is converted by its own unit.
    UnitGlued {
        /// Header as written.
        column: String,
        /// The first unit seen.
        unit: Unit,
    },
    /// The column's decimal separator (noted when it is not the plain point).
    Decimal {
        /// Header as written.
        column: String,
        /// Separator.
        sep: DecimalSep,
        /// How it was decided.
        source: Source,
    },
    /// Timestamps without offset were read in the fleet's zone.
    NaiveTimestamps {
        /// Header as written.
        column: String,
        /// IANA zone name.
        zone: String,
    },
    /// All-digit timestamps and the unit told by their magnitude.
    EpochUnit {
        /// Header as written.
        column: String,
        /// Unit.
        unit: EpochUnit,
    },
    /// The order of numeric dates in a column.
    DateOrder {
        /// Header as written.
        column: String,
        /// Order.
        order: DateOrder,
        /// How it was decided.
        source: Source,
    },
    /// A separate date and time-of-day column were combined into `ts`.
    SplitTimestamp {
        /// Date column.
        date: String,
        /// Time column.
        time: String,
    },
    /// No vehicle column: every row gets the given truck id.
    DefaultTruckId {
        /// The id.
        truck_id: String,
    },
    /// The file has no header row; columns are taken in the documented order.
    Positional,
    /// The header row again (concatenated exports); skipped.
    RepeatedHeader {
        /// Its line.
        line: u64,
    },
    /// Columns that map to nothing; ignored (listed once).
    UnknownColumns {
        /// Headers as written.
        columns: Vec<String>,
    },
}

impl Note {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Note::DelimiterDetected { .. } => "delimiter_detected",
            Note::Bom => "bom",
            Note::Utf16 => "utf16",
            Note::Latin1 => "latin1",
            Note::Preamble { .. } => "preamble",
            Note::HeaderAlias { .. } => "header_alias",
            Note::Mapped { .. } => "mapped",
            Note::Shadowed { .. } => "shadowed",
            Note::UnitFromHeader { .. } => "unit_from_header",
            Note::UnitGlued { .. } => "unit_glued",
            Note::Decimal { .. } => "decimal",
            Note::NaiveTimestamps { .. } => "naive_timestamps",
            Note::EpochUnit { .. } => "epoch_unit",
            Note::DateOrder { .. } => "date_order",
            Note::SplitTimestamp { .. } => "split_timestamp",
            Note::DefaultTruckId { .. } => "default_truck_id",
            Note::Positional => "positional",
            Note::RepeatedHeader { .. } => "repeated_header",
            Note::UnknownColumns { .. } => "unknown_columns",
        }
    }
}

/// Counts over the records of one file: rows read, accepted, rejected by reason,
/// field issues by reason. The store adds stored/duplicate counts on top.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Tally {
    /// Data rows read (blank lines excluded).
    pub rows: u64,
    /// Rows turned into a point, truck or purchase.
    pub accepted: u64,
    /// Whole rows refused, by reason code.
    pub rejected: BTreeMap<&'static str, u64>,
    /// Fields nulled, by reason code.
    pub field_issues: BTreeMap<&'static str, u64>,
}

impl Tally {
    /// Counts one record.
    pub fn add(&mut self, record: &Record) {
        self.rows += 1;
        match record {
            Record::Rejected(i) => *self.rejected.entry(i.reason.code()).or_default() += 1,
            _ => {
                self.accepted += 1;
                for i in record.issues() {
                    *self.field_issues.entry(i.reason.code()).or_default() += 1;
                }
            }
        }
    }

    /// Rows refused whole.
    pub fn rejected_total(&self) -> u64 {
        self.rejected.values().sum()
    }
}
