//! Store errors: stable codes and user-facing texts that never contain SQL or driver messages.

use thiserror::Error;

/// The driver's error, kept as the `source` of a [`StoreError`] for logs.
pub type DriverError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a store operation failed.
///
/// `Display` is meant for users and never includes SQL or driver text; the
/// driver error stays reachable through [`std::error::Error::source`] for logs.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database file cannot be opened, created or reached (permissions, missing disk, I/O).
    #[error("the data store cannot be opened or reached")]
    Unavailable(#[source] DriverError),
    /// The file is damaged or is not a Fuel Copilot database.
    #[error("the data store file is damaged or is not a Fuel Copilot database")]
    Corrupt(#[source] DriverError),
    /// Another writer holds the database for too long.
    #[error("the data store is busy (another program is writing to it); try again")]
    Busy(#[source] DriverError),
    /// The disk is full.
    #[error("the disk holding the data store is full")]
    Full(#[source] DriverError),
    /// The database or its folder is read-only.
    #[error("the data store is read-only")]
    ReadOnly(#[source] DriverError),
    /// The schema could not be brought up to date.
    #[error("the data store could not be upgraded to this version of Fuel Copilot")]
    Migration(#[source] DriverError),
    /// The database was last written by a newer Fuel Copilot.
    #[error("the data store was created by a newer version of Fuel Copilot; update the app")]
    TooNew(#[source] DriverError),
    /// The location names a backend or form this build cannot use.
    #[error("{0}")]
    Unsupported(String),
    /// A value could not be encoded for storage (e.g. a setting that is not JSON-representable).
    #[error("a value could not be encoded for the data store")]
    Encode(#[source] DriverError),
    /// Anything else the driver reports; a bug or an environment problem.
    #[error("unexpected data store error")]
    Internal(#[source] DriverError),
}

impl StoreError {
    /// A stable machine-readable code (for the UI's message catalogue and the CLI's JSON).
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Unavailable(_) => "store_unavailable",
            StoreError::Corrupt(_) => "store_corrupt",
            StoreError::Busy(_) => "store_busy",
            StoreError::Full(_) => "store_full",
            StoreError::ReadOnly(_) => "store_read_only",
            StoreError::Migration(_) => "store_migration",
            StoreError::TooNew(_) => "store_too_new",
            StoreError::Unsupported(_) => "store_unsupported",
            StoreError::Encode(_) => "store_encode",
            StoreError::Internal(_) => "store_internal",
        }
    }

    /// An error for data read back that does not have the expected shape.
    pub(crate) fn corrupt(what: impl Into<String>) -> StoreError {
        StoreError::Corrupt(what.into().into())
    }
}

// SQLite primary result codes (the low byte of an extended code).
const SQLITE_PERM: i64 = 3;
const SQLITE_BUSY: i64 = 5;
const SQLITE_LOCKED: i64 = 6;
const SQLITE_READONLY: i64 = 8;
const SQLITE_IOERR: i64 = 10;
const SQLITE_CORRUPT: i64 = 11;
const SQLITE_FULL: i64 = 13;
const SQLITE_CANTOPEN: i64 = 14;
const SQLITE_NOTADB: i64 = 26;

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        use sqlx::Error as E;
        match e {
            E::Database(db) => {
                let primary = db
                    .code()
                    .and_then(|c| c.parse::<i64>().ok())
                    .map(|c| c & 0xff);
                let source: DriverError = Box::new(E::Database(db));
                match primary {
                    Some(SQLITE_BUSY | SQLITE_LOCKED) => StoreError::Busy(source),
                    Some(SQLITE_CORRUPT | SQLITE_NOTADB) => StoreError::Corrupt(source),
                    Some(SQLITE_FULL) => StoreError::Full(source),
                    Some(SQLITE_READONLY) => StoreError::ReadOnly(source),
                    Some(SQLITE_CANTOPEN | SQLITE_IOERR | SQLITE_PERM) => {
                        StoreError::Unavailable(source)
                    }
                    _ => StoreError::Internal(source),
                }
            }
            E::PoolTimedOut => StoreError::Busy(Box::new(e)),
            E::Io(_) | E::PoolClosed | E::WorkerCrashed => StoreError::Unavailable(Box::new(e)),
            E::ColumnDecode { .. } | E::Decode(_) => StoreError::Corrupt(Box::new(e)),
            E::Encode(_) => StoreError::Encode(Box::new(e)),
            E::Migrate(m) => StoreError::from(*m),
            other => StoreError::Internal(Box::new(other)),
        }
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        use sqlx::migrate::MigrateError as M;
        match e {
            // A migration applied to this file that this build does not know: a newer app wrote it.
            M::VersionMissing(_) | M::VersionTooNew(..) => StoreError::TooNew(Box::new(e)),
            // Busy, disk full, corrupt... during a migration are reported as such.
            M::Execute(inner) => match StoreError::from(inner) {
                StoreError::Internal(src) => StoreError::Migration(src),
                other => other,
            },
            other => StoreError::Migration(Box::new(other)),
        }
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        StoreError::Encode(Box::new(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_texts_are_clean() {
        let cases: Vec<(StoreError, &str)> = vec![
            (StoreError::from(sqlx::Error::PoolTimedOut), "store_busy"),
            (
                StoreError::from(sqlx::Error::PoolClosed),
                "store_unavailable",
            ),
            (
                StoreError::from(sqlx::Error::Protocol("SELECT secret".into())),
                "store_internal",
            ),
            (
                StoreError::from(sqlx::migrate::MigrateError::VersionMissing(7)),
                "store_too_new",
            ),
            (
                StoreError::from(sqlx::migrate::MigrateError::Dirty(1)),
                "store_migration",
            ),
            (StoreError::corrupt("bad row"), "store_corrupt"),
        ];
        for (err, code) in cases {
            assert_eq!(err.code(), code);
            let text = err.to_string();
            assert!(
                !text.contains("SELECT") && !text.contains("bad row"),
                "{text}"
            );
            assert!(!text.is_empty());
        }
    }
}
