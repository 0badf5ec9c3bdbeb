//! Errors that stop an import before any row is read. Row problems are never errors: they
//! are [`crate::Issue`]s.

use thiserror::Error;

/// Why a file cannot be imported at all. Messages say what to do.
#[derive(Debug, Error)]
pub enum ImportError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// File name.
        path: String,
        /// Cause.
        #[source]
        source: std::io::Error,
    },
    /// Nothing but whitespace.
    #[error("the file is empty")]
    Empty,
    /// No header row was recognised.
    #[error(
        "no header row found (first line: `{first_line}`); name the columns (truck_id, ts, ...) or give a mapping file with --mapping"
    )]
    NoHeader {
        /// The first line, cut.
        first_line: String,
    },
    /// A column the file kind cannot do without.
    #[error(
        "no `{field}` column in this {kind} file; rename a column to `{field}`, map one in a mapping file (--mapping){hint}"
    )]
    MissingColumn {
        /// Canonical name.
        field: &'static str,
        /// File kind code.
        kind: &'static str,
        /// Extra advice (for truck_id: `--truck`).
        hint: &'static str,
    },
    /// Numeric dates whose day and month can be swapped everywhere in the column.
    #[error(
        "dates in column `{column}` are ambiguous (e.g. `{sample}`: day/month or month/day?); rerun with --date-order dmy or --date-order mdy"
    )]
    AmbiguousDates {
        /// Header.
        column: String,
        /// An ambiguous value.
        sample: String,
    },
    /// Numbers like `1,234` whose separator can be decimal or thousands everywhere in the column.
    #[error(
        "numbers in column `{column}` are ambiguous (e.g. `{sample}`: decimal or thousands separator?); rerun with --decimal comma or --decimal dot"
    )]
    AmbiguousDecimal {
        /// Header.
        column: String,
        /// An ambiguous value.
        sample: String,
    },
    /// A JSON document rather than JSON Lines.
    #[error("this is a JSON array, not JSON Lines; write one object per line")]
    JsonArray,
    /// The mapping file is invalid.
    #[error("invalid mapping file: {0}")]
    BadMapping(String),
}

impl ImportError {
    /// A stable snake_case code, so that callers can translate the message.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Io { .. } => "import_io",
            ImportError::Empty => "import_empty",
            ImportError::NoHeader { .. } => "import_no_header",
            ImportError::MissingColumn { .. } => "import_missing_column",
            ImportError::AmbiguousDates { .. } => "ambiguous_dates",
            ImportError::AmbiguousDecimal { .. } => "ambiguous_decimal",
            ImportError::JsonArray => "import_json_array",
            ImportError::BadMapping(_) => "bad_mapping",
        }
    }

    /// The values a translated message needs, by name.
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            ImportError::Io { path, source } => {
                vec![("path", path.clone()), ("reason", source.to_string())]
            }
            ImportError::Empty | ImportError::JsonArray => Vec::new(),
            ImportError::NoHeader { first_line } => vec![("first_line", first_line.clone())],
            ImportError::MissingColumn { field, kind, .. } => {
                vec![
                    ("field", (*field).to_string()),
                    ("kind", (*kind).to_string()),
                ]
            }
            ImportError::AmbiguousDates { column, sample }
            | ImportError::AmbiguousDecimal { column, sample } => {
                vec![("column", column.clone()), ("sample", sample.clone())]
            }
            ImportError::BadMapping(why) => vec![("reason", why.clone())],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct() {
        let errors = [
            ImportError::Io {
                path: "a".into(),
                source: std::io::Error::other("x"),
            },
            ImportError::Empty,
            ImportError::NoHeader {
                first_line: "x".into(),
            },
            ImportError::MissingColumn {
                field: "ts",
                kind: "telemetry",
                hint: "",
            },
            ImportError::AmbiguousDates {
                column: "d".into(),
                sample: "03/04/2024".into(),
            },
            ImportError::AmbiguousDecimal {
                column: "v".into(),
                sample: "1,234".into(),
            },
            ImportError::JsonArray,
            ImportError::BadMapping("x".into()),
        ];
        let mut codes: Vec<_> = errors.iter().map(ImportError::code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), errors.len());
        assert_eq!(
            errors[4].args(),
            vec![
                ("column", "d".to_string()),
                ("sample", "03/04/2024".to_string())
            ]
        );
    }
}
