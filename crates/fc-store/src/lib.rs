//! The Fuel Copilot store: telemetry, trucks, purchases, quarantine, import
//! history and fleet settings behind one backend-neutral interface.
//!
//! [`Store`] dispatches to a backend: today the embedded SQLite file (WAL,
//! `migrations/sqlite`); a PostgreSQL variant slots in beside it without
//! changing callers, and the integration tests are written against `Store`
//! so that both run the same suite.
//!
//! Guarantees:
//! - Writing the same point twice never duplicates it: identical values count
//!   as a duplicate; different values keep the stored row and quarantine the
//!   newcomer as `conflicting_duplicate` with both values.
//! - A [`WriteBatch`] (points, quarantine entries, events, alerts, feed cursor) commits
//!   atomically.
//! - Floats round-trip bit-exactly (except `-0.0`, stored as `0.0`, and NaN,
//!   stored as null; validated points contain neither).
//! - Range reads stream in (truck_id, ts) order with flat memory.

#![deny(missing_docs)]

mod compare;
mod error;
mod events;
mod rollups;
mod sqlite;
mod types;

use fc_model::{Purchase, TelemetryPoint, TruckProfile};
use futures::stream::BoxStream;

pub use error::{DriverError, StoreError};
pub use rollups::{RollupFilter, RollupRecord};
pub use sqlite::SqliteStore;
pub use types::{
    Alert, CONFLICTING_DUPLICATE, EventFilter, EventRecord, EventScore, FeedCursor, ImportRun,
    ImportRunRecord, NewAlert, Origin, PointFilter, PurchaseFilter, QuarantineCount,
    QuarantineEntry, QuarantineFilter, StoredEvent, TruckPointStats, Verdict, VerdictKind,
    WriteBatch, WriteOutcome,
};

/// File name of the embedded store inside the application-data directory.
pub const DEFAULT_FILE_NAME: &str = "fleet.db";

/// Keys of the per-fleet settings kept in the database (values are JSON).
pub mod setting_keys {
    /// IANA time zone of the fleet, e.g. `"Europe/Madrid"` (string).
    pub const TIME_ZONE: &str = "time_zone";
    /// Detection thresholds (object).
    pub const THRESHOLDS: &str = "thresholds";
    /// Fuel price per litre in the fleet's currency (number).
    pub const FUEL_PRICE: &str = "fuel_price";
    /// ISO 4217 currency code (string).
    pub const CURRENCY: &str = "currency";
    /// Speed limit, km/h (number).
    pub const SPEED_LIMIT_KMH: &str = "speed_limit_kmh";
}

/// A store, whichever backend holds it.
#[derive(Debug)]
pub enum Store {
    /// The embedded SQLite file.
    Sqlite(SqliteStore),
}

impl Store {
    /// Opens a store: a plain file path, `sqlite:/abs/path.db`, `sqlite:///abs/path.db`
    /// or `sqlite://relative.db`. The file (and its folder) is created if missing, put
    /// in WAL mode, and migrated. `postgres://` is refused for now
    /// ([`StoreError::Unsupported`]).
    pub async fn open(location: &str) -> Result<Store, StoreError> {
        let path = sqlite::parse_location(location)?;
        Ok(Store::Sqlite(SqliteStore::open(&path).await?))
    }

    /// Opens (creating if needed) an embedded store file.
    pub async fn open_path(path: &std::path::Path) -> Result<Store, StoreError> {
        Ok(Store::Sqlite(SqliteStore::open(path).await?))
    }

    /// The backend's name, for diagnostics (`"sqlite"`).
    pub fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
        }
    }

    /// Versions of the applied migrations, ascending.
    pub async fn applied_migrations(&self) -> Result<Vec<i64>, StoreError> {
        match self {
            Store::Sqlite(s) => s.applied_migrations().await,
        }
    }

    /// Writes points, quarantine entries and the feed cursor in ONE transaction;
    /// on error nothing of the batch is stored.
    pub async fn write_batch(&self, batch: WriteBatch) -> Result<WriteOutcome, StoreError> {
        match self {
            Store::Sqlite(s) => s.write_batch(batch).await,
        }
    }

    /// Inserts or replaces truck profiles (tanks and calibration included); returns how many.
    pub async fn upsert_trucks(&self, trucks: &[TruckProfile]) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(s) => s.upsert_trucks(trucks).await,
        }
    }

    /// Writes purchases idempotently on (truck_id, ts, card_id) with their quarantine
    /// entries, in one transaction.
    pub async fn write_purchases(
        &self,
        purchases: &[(Purchase, Origin)],
        quarantine: Vec<QuarantineEntry>,
    ) -> Result<WriteOutcome, StoreError> {
        match self {
            Store::Sqlite(s) => s.write_purchases(purchases, quarantine).await,
        }
    }

    /// All truck profiles, ordered by id.
    pub async fn trucks(&self) -> Result<Vec<TruckProfile>, StoreError> {
        match self {
            Store::Sqlite(s) => s.trucks().await,
        }
    }

    /// Streams points ordered by (truck_id, ts), filtered by trucks and a
    /// half-open time range. Memory stays flat whatever the number of rows.
    pub fn points(&self, filter: PointFilter) -> BoxStream<'_, Result<TelemetryPoint, StoreError>> {
        match self {
            Store::Sqlite(s) => s.points(filter),
        }
    }

    /// The latest point of every truck, ordered by truck id.
    pub async fn latest_points(&self) -> Result<Vec<TelemetryPoint>, StoreError> {
        match self {
            Store::Sqlite(s) => s.latest_points().await,
        }
    }

    /// Per truck: number of points, first and last timestamp; ordered by truck id.
    pub async fn point_stats(&self) -> Result<Vec<TruckPointStats>, StoreError> {
        match self {
            Store::Sqlite(s) => s.point_stats().await,
        }
    }

    /// Purchases ordered by (truck_id, ts, card_id).
    pub async fn purchases(&self, filter: PurchaseFilter) -> Result<Vec<Purchase>, StoreError> {
        match self {
            Store::Sqlite(s) => s.purchases(filter).await,
        }
    }

    /// Quarantine entry counts by truck (`None` = no usable truck id) and reason.
    pub async fn quarantine_counts(&self) -> Result<Vec<QuarantineCount>, StoreError> {
        match self {
            Store::Sqlite(s) => s.quarantine_counts().await,
        }
    }

    /// Quarantine entries matching the filter, oldest first, at most `limit`.
    pub async fn quarantine(
        &self,
        filter: QuarantineFilter,
        limit: u32,
    ) -> Result<Vec<QuarantineEntry>, StoreError> {
        match self {
            Store::Sqlite(s) => s.quarantine(filter, limit).await,
        }
    }

    /// A fleet setting (see [`setting_keys`]).
    pub async fn setting(&self, key: &str) -> Result<Option<serde_json::Value>, StoreError> {
        match self {
            Store::Sqlite(s) => s.setting(key).await,
        }
    }

    /// All fleet settings, ordered by key.
    pub async fn settings(&self) -> Result<Vec<(String, serde_json::Value)>, StoreError> {
        match self {
            Store::Sqlite(s) => s.settings().await,
        }
    }

    /// Sets a fleet setting.
    pub async fn set_setting(
        &self,
        key: &str,
        value: &serde_json::Value,
    ) -> Result<(), StoreError> {
        match self {
            Store::Sqlite(s) => s.set_setting(key, value).await,
        }
    }

    /// Removes a fleet setting; true if it existed.
    pub async fn remove_setting(&self, key: &str) -> Result<bool, StoreError> {
        match self {
            Store::Sqlite(s) => s.remove_setting(key).await,
        }
    }

    /// Records an import run; returns its id.
    pub async fn record_import(&self, run: &ImportRun) -> Result<i64, StoreError> {
        match self {
            Store::Sqlite(s) => s.record_import(run).await,
        }
    }

    /// Import runs, most recent first, at most `limit`.
    pub async fn import_runs(&self, limit: u32) -> Result<Vec<ImportRunRecord>, StoreError> {
        match self {
            Store::Sqlite(s) => s.import_runs(limit).await,
        }
    }

    /// The last committed sequence number of a live feed.
    pub async fn feed_cursor(&self, feed: &str) -> Result<Option<i64>, StoreError> {
        match self {
            Store::Sqlite(s) => s.feed_cursor(feed).await,
        }
    }

    /// Replaces the coaching rollups of a truck that start in `[from_ms, to_ms)`,
    /// in one transaction.
    pub async fn replace_rollups(
        &self,
        truck_id: &str,
        from_ms: i64,
        to_ms: i64,
        records: &[RollupRecord],
    ) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(s) => s.replace_rollups(truck_id, from_ms, to_ms, records).await,
        }
    }

    /// Inserts or replaces coaching rollups by (truck, day, driver).
    pub async fn upsert_rollups(&self, records: &[RollupRecord]) -> Result<u64, StoreError> {
        match self {
            Store::Sqlite(s) => s.upsert_rollups(records).await,
        }
    }

    /// Coaching rollups, ordered by (day, truck, driver).
    pub async fn rollups(&self, filter: RollupFilter) -> Result<Vec<RollupRecord>, StoreError> {
        match self {
            Store::Sqlite(s) => s.rollups(filter).await,
        }
    }

    /// The first and last day with coaching rollups.
    pub async fn rollup_days(&self) -> Result<Option<(String, String)>, StoreError> {
        match self {
            Store::Sqlite(s) => s.rollup_days().await,
        }
    }

    /// Closes the store, waiting for its connections to finish.
    pub async fn close(self) {
        match self {
            Store::Sqlite(s) => s.close().await,
        }
    }
}
