//! Readers for imported files: the canonical telemetry CSV, JSON Lines, `trucks.csv`,
//! `purchases.csv` and foreign exports (with or without a column-mapping file).
//!
//! Pure: no database. A file is sniffed (format, separator, header names, units, decimal
//! style, epoch unit, date order), a column stays ambiguous only until the rest of the file
//! settles it, then rows stream out one [`Record`] at a time. Bad fields become `None` plus
//! an [`Issue`]; rows without a usable `truck_id` or `ts` come out as [`Record::Rejected`].

#![deny(missing_docs)]

mod convert;
mod error;
mod header;
mod mapping;
mod num;
mod options;
mod reader;
mod report;
mod ts;

use std::io::{Read, Seek};
use std::path::Path;

pub use error::ImportError;
pub use header::{ColumnPlan, MAX_TANKS, Origin, Target};
pub use mapping::{ColumnMap, Mapping};
pub use options::{DateOrder, DecimalSep, FileKind, ImportOptions};
pub use reader::{FilePlan, FileReader, Format, ReadSeek, Record};
pub use report::{EpochUnit, Issue, MAX_RAW, Note, Reason, Source, Tally};

/// Opens a file for import.
pub fn open(path: &Path, opts: &ImportOptions) -> Result<FileReader, ImportError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|e| ImportError::Io {
        path: name.clone(),
        source: e,
    })?;
    // The CSV and JSON readers buffer themselves.
    reader::build(&name, Box::new(file), opts)
}

/// Reads from any rewindable source (an in-memory buffer in tests); `name` is used in messages.
pub fn from_reader<R: Read + Seek + Send + 'static>(
    name: &str,
    reader: R,
    opts: &ImportOptions,
) -> Result<FileReader, ImportError> {
    reader::build(name, Box::new(reader), opts)
}

#[cfg(test)]
mod tests {
    #[test]
    fn readers_can_move_to_an_import_thread() {
        fn assert_send<T: Send>() {}
        assert_send::<super::FileReader>();
        assert_send::<super::Record>();
    }
}
