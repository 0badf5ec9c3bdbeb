//! The embedded SQLite store.
//!
//! One writer connection (SQLite has a single writer; queueing in the pool
//! beats `SQLITE_BUSY` retries) and a small pool of read-only connections,
//! which WAL lets read while a batch is being written.

mod checkpoint;
mod events;
mod rollups;
mod sql;
mod write;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use fc_model::{Purchase, Tank, TelemetryPoint, TimestampMs, TruckProfile};
use futures::stream::{self, BoxStream, StreamExt};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteRow,
    SqliteSynchronous,
};
use sqlx::{ConnectOptions, Row};

use crate::error::StoreError;
use crate::types::{
    ImportRun, ImportRunRecord, Origin, PointFilter, PurchaseFilter, QuarantineCount,
    QuarantineEntry, QuarantineFilter, TruckPointStats, WriteBatch, WriteOutcome,
};
use sql::{SqlCache, point_columns, point_value_columns, purchase_columns};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");

/// Page cache of the writer, KiB. The hot set of an interleaved import is one
/// leaf page per truck plus the interior pages (about 7 MiB for 1000 trucks
/// and 5M rows), and a transaction's dirty pages (about 12 MiB for 65,536
/// rows) must fit without spilling; 24 MiB holds both and leaves the import's
/// memory room for the rollups it builds.
const WRITER_CACHE_KIB: u32 = 24 * 1024;
/// WAL pages after which the writer checkpoints itself (default SQLite: 1000).
/// Only a backstop: [`checkpoint::Checkpointer`] normally keeps the WAL at
/// about one transaction.
const WAL_AUTOCHECKPOINT_PAGES: u32 = 65_536;
/// Page cache of each reader, KiB.
const READER_CACHE_KIB: u32 = 8 * 1024;
/// Read-only connections (streams hold one each while they run).
const READERS: u32 = 4;
/// Rows buffered between a connection's worker thread and its reader.
const ROW_BUFFER: usize = 1024;
/// How long a connection waits for another process's lock before reporting busy.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The embedded SQLite store (one file, WAL).
#[derive(Debug)]
pub struct SqliteStore {
    writer: SqlitePool,
    reader: SqlitePool,
    path: PathBuf,
    sql: SqlCache,
    /// Last stored timestamp per truck, as of this process's last commit. Only
    /// a hint for choosing the write path; every write verifies it.
    last_ts: Mutex<HashMap<String, TimestampMs>>,
    /// Committed `truck_keys` rows (id -> key). Keys never change once
    /// committed, so the cache cannot go stale; it only misses new trucks.
    truck_keys: Mutex<HashMap<String, i64>>,
    /// Copies committed WAL frames into the database file off the writer's thread.
    checkpointer: checkpoint::Checkpointer,
}

fn base_options(path: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .busy_timeout(BUSY_TIMEOUT)
        .statement_cache_capacity(64)
        .foreign_keys(true)
        // Statements can be 70 KB of placeholders; never log them.
        .disable_statement_logging()
        // Rows cross from SQLite's worker thread in this many at a time at
        // most; the default (50) costs a thread switch per 50 rows on bulk reads.
        .row_buffer_size(ROW_BUFFER)
}

impl SqliteStore {
    /// Opens (creating if needed) the database file, switches it to WAL and
    /// applies pending migrations.
    pub async fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(dir)
                .await
                .map_err(|e| StoreError::Unavailable(Box::new(e)))?;
        }
        let writer_options = base_options(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .pragma("cache_size", format!("-{WRITER_CACHE_KIB}"))
            // Temporary B-trees (sorting, materialised VALUES) stay off the disk.
            .pragma("temp_store", "memory")
            .pragma("wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES.to_string())
            .pragma("journal_size_limit", (64 * 1024 * 1024).to_string());
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            // A long import holds the writer between batches only briefly; waiting is fine.
            .acquire_timeout(Duration::from_secs(60))
            .connect_with(writer_options)
            .await?;
        MIGRATOR.run(&writer).await?;
        let reader_options = base_options(path)
            .read_only(true)
            .pragma("cache_size", format!("-{READER_CACHE_KIB}"))
            .pragma("temp_store", "memory");
        let reader = SqlitePoolOptions::new()
            .max_connections(READERS)
            .min_connections(0)
            .connect_lazy_with(reader_options);
        let checkpointer = checkpoint::Checkpointer::start(base_options(path));
        let store = SqliteStore {
            writer,
            reader,
            checkpointer,
            path: path.to_path_buf(),
            sql: SqlCache::default(),
            last_ts: Mutex::new(HashMap::new()),
            truck_keys: Mutex::new(HashMap::new()),
        };
        store.reload_last_ts().await?;
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Versions of the migrations applied to this database, ascending.
    pub async fn applied_migrations(&self) -> Result<Vec<i64>, StoreError> {
        let rows =
            sqlx::query("SELECT version FROM _sqlx_migrations WHERE success ORDER BY version")
                .fetch_all(&self.reader)
                .await?;
        rows.iter()
            .map(|r| r.try_get::<i64, _>(0).map_err(StoreError::from))
            .collect()
    }

    async fn reload_last_ts(&self) -> Result<(), StoreError> {
        let rows = sqlx::query(
            "SELECT k.truck_id, k.truck_key, s.last_ts \
             FROM truck_keys AS k LEFT JOIN truck_point_stats AS s USING (truck_key)",
        )
        .fetch_all(&self.writer)
        .await?;
        let mut last = HashMap::with_capacity(rows.len());
        let mut keys = HashMap::with_capacity(rows.len());
        for row in rows {
            let id: String = row.try_get(0)?;
            if let Some(ts) = row.try_get::<Option<i64>, _>(2)? {
                last.insert(id.clone(), ts);
            }
            keys.insert(id, row.try_get::<i64, _>(1)?);
        }
        *self.last_ts.lock().unwrap_or_else(PoisonError::into_inner) = last;
        *self
            .truck_keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = keys;
        Ok(())
    }

    /// Closes all connections (the last one checkpoints and removes the WAL).
    pub async fn close(self) {
        self.checkpointer.close().await;
        self.reader.close().await;
        self.writer.close().await;
    }

    /// Inserts or replaces truck profiles (tanks and calibration included), in one transaction.
    pub async fn upsert_trucks(&self, trucks: &[TruckProfile]) -> Result<u64, StoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let mut n = 0;
        for t in trucks {
            let tanks = serde_json::to_string(&t.tanks)?;
            n += sqlx::query(
                "INSERT INTO trucks (truck_id, name, fuel_type, tanks) VALUES (?, ?, ?, ?) \
                 ON CONFLICT (truck_id) DO UPDATE SET \
                 name = excluded.name, fuel_type = excluded.fuel_type, tanks = excluded.tanks",
            )
            .bind(t.truck_id.as_str())
            .bind(t.name.as_str())
            .bind(t.fuel_type.as_deref())
            .bind(tanks)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        tx.commit().await?;
        Ok(n)
    }

    /// All truck profiles, ordered by id.
    pub async fn trucks(&self) -> Result<Vec<TruckProfile>, StoreError> {
        let rows =
            sqlx::query("SELECT truck_id, name, fuel_type, tanks FROM trucks ORDER BY truck_id")
                .fetch_all(&self.reader)
                .await?;
        rows.iter()
            .map(|r| {
                let tanks: String = r.try_get(3)?;
                let tanks: Vec<Tank> = serde_json::from_str(&tanks)
                    .map_err(|_| StoreError::corrupt("tanks are not valid JSON"))?;
                Ok(TruckProfile {
                    truck_id: r.try_get(0)?,
                    name: r.try_get(1)?,
                    fuel_type: r.try_get(2)?,
                    tanks,
                })
            })
            .collect()
    }

    /// Stored trucks with points, ascending: the truck ids in index order,
    /// one primary-key seek each into telemetry (not a table scan).
    async fn point_truck_ids(&self) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query(
            "SELECT truck_id FROM truck_keys AS k \
             WHERE EXISTS (SELECT 1 FROM telemetry WHERE truck_key = k.truck_key) \
             ORDER BY truck_id",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| r.try_get::<String, _>(0).map_err(StoreError::from))
            .collect()
    }

    /// Streams points ordered by (truck_id, ts): one index range scan per
    /// truck, rows flowing through a bounded channel, so memory stays flat.
    pub fn points(&self, filter: PointFilter) -> BoxStream<'_, Result<TelemetryPoint, StoreError>> {
        let from = filter.from.unwrap_or(i64::MIN);
        // Half-open upper bound as an inclusive one (no `to` means no bound).
        let to_incl = filter.to.map_or(i64::MAX, |t| t.saturating_sub(1));
        let trucks = async move {
            match filter.trucks {
                Some(mut ids) => {
                    // Byte order is SQLite's BINARY collation, the order of the key.
                    ids.sort_unstable();
                    ids.dedup();
                    Ok(ids)
                }
                None => self.point_truck_ids().await,
            }
        };
        stream::once(trucks)
            .map(move |ids| match ids {
                Ok(ids) if from <= to_incl => stream::iter(ids)
                    .map(move |id| {
                        sqlx::query(concat!(
                            "SELECT ",
                            point_columns!(),
                            " FROM truck_keys AS k JOIN telemetry AS t USING (truck_key) \
                              WHERE k.truck_id = ? AND t.ts BETWEEN ? AND ? ORDER BY t.ts"
                        ))
                        .bind(id)
                        .bind(from)
                        .bind(to_incl)
                        .fetch(&self.reader)
                        .map(|row| point_from_row(&row?))
                    })
                    .flatten()
                    .boxed(),
                Ok(_) => stream::empty().boxed(),
                Err(e) => stream::once(async { Err(e) }).boxed(),
            })
            .flatten()
            .boxed()
    }

    /// The latest point of every truck, ordered by truck id.
    pub async fn latest_points(&self) -> Result<Vec<TelemetryPoint>, StoreError> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            point_columns!(),
            " FROM truck_keys AS k JOIN telemetry AS t ON t.truck_key = k.truck_key \
              AND t.ts = (SELECT max(ts) FROM telemetry WHERE truck_key = k.truck_key) \
             ORDER BY k.truck_id"
        ))
        .fetch_all(&self.reader)
        .await?;
        rows.iter().map(point_from_row).collect()
    }

    /// Per truck: number of points and their time span, ordered by truck id.
    pub async fn point_stats(&self) -> Result<Vec<TruckPointStats>, StoreError> {
        let rows = sqlx::query(
            "SELECT k.truck_id, s.points, s.first_ts, s.last_ts \
             FROM truck_keys AS k JOIN truck_point_stats AS s USING (truck_key) \
             ORDER BY k.truck_id",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TruckPointStats {
                    truck_id: r.try_get(0)?,
                    points: u64::try_from(r.try_get::<i64, _>(1)?)
                        .map_err(|_| StoreError::corrupt("negative point count"))?,
                    first_ts: r.try_get(2)?,
                    last_ts: r.try_get(3)?,
                })
            })
            .collect()
    }

    /// Writes a batch (points, quarantine entries, feed cursor) in one transaction.
    pub async fn write_batch(&self, batch: WriteBatch) -> Result<WriteOutcome, StoreError> {
        let out = write::write_batch(self, batch).await?;
        self.checkpointer.committed();
        Ok(out)
    }

    /// Writes purchases idempotently on (truck_id, ts, card_id), with their
    /// quarantine entries, in one transaction. Same rule as points: identical
    /// is a duplicate, different is a quarantined conflict.
    pub async fn write_purchases(
        &self,
        purchases: &[(Purchase, Origin)],
        quarantine: Vec<QuarantineEntry>,
    ) -> Result<WriteOutcome, StoreError> {
        let out = write::write_purchases(self, purchases, quarantine).await?;
        self.checkpointer.committed();
        Ok(out)
    }

    /// Purchases ordered by (truck_id, ts, card_id).
    pub async fn purchases(&self, filter: PurchaseFilter) -> Result<Vec<Purchase>, StoreError> {
        let from = filter.from.unwrap_or(i64::MIN);
        let to_incl = filter.to.map_or(i64::MAX, |t| t.saturating_sub(1));
        let mut out = Vec::new();
        match filter.trucks {
            None => {
                let rows = sqlx::query(concat!(
                    "SELECT ",
                    purchase_columns!(),
                    " FROM purchases WHERE ts BETWEEN ? AND ? ORDER BY truck_id, ts, card_id"
                ))
                .bind(from)
                .bind(to_incl)
                .fetch_all(&self.reader)
                .await?;
                for r in &rows {
                    out.push(purchase_from_row(r)?);
                }
            }
            Some(mut ids) => {
                ids.sort_unstable();
                ids.dedup();
                for id in ids {
                    let rows = sqlx::query(concat!(
                        "SELECT ",
                        purchase_columns!(),
                        " FROM purchases WHERE truck_id = ? AND ts BETWEEN ? AND ? \
                          ORDER BY ts, card_id"
                    ))
                    .bind(id)
                    .bind(from)
                    .bind(to_incl)
                    .fetch_all(&self.reader)
                    .await?;
                    for r in &rows {
                        out.push(purchase_from_row(r)?);
                    }
                }
            }
        }
        Ok(out)
    }

    /// Quarantine entry counts by truck (`None` first) and reason.
    pub async fn quarantine_counts(&self) -> Result<Vec<QuarantineCount>, StoreError> {
        let rows = sqlx::query(
            "SELECT truck_id, reason, count(*) FROM quarantine \
             GROUP BY truck_id, reason ORDER BY truck_id, reason",
        )
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(QuarantineCount {
                    truck_id: r.try_get(0)?,
                    reason: r.try_get(1)?,
                    count: u64::try_from(r.try_get::<i64, _>(2)?).unwrap_or(0),
                })
            })
            .collect()
    }

    /// Quarantine entries matching the filter, in the order they were recorded, at most `limit`.
    pub async fn quarantine(
        &self,
        filter: QuarantineFilter,
        limit: u32,
    ) -> Result<Vec<QuarantineEntry>, StoreError> {
        let rows = sqlx::query(
            "SELECT source, line, truck_id, ts, field, reason, detail, raw FROM quarantine \
             WHERE (?1 IS NULL OR truck_id = ?1) AND (?2 IS NULL OR reason = ?2) \
               AND (?3 IS NULL OR source = ?3) \
             ORDER BY id LIMIT ?4",
        )
        .bind(filter.truck_id)
        .bind(filter.reason)
        .bind(filter.source)
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(QuarantineEntry {
                    source: r.try_get(0)?,
                    line: r
                        .try_get::<Option<i64>, _>(1)?
                        .and_then(|l| u64::try_from(l).ok()),
                    truck_id: r.try_get(2)?,
                    ts: r.try_get(3)?,
                    field: r.try_get(4)?,
                    reason: r.try_get(5)?,
                    detail: r.try_get(6)?,
                    raw: r.try_get(7)?,
                })
            })
            .collect()
    }

    /// A fleet setting.
    pub async fn setting(&self, key: &str) -> Result<Option<serde_json::Value>, StoreError> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = ?")
            .bind(key)
            .fetch_optional(&self.reader)
            .await?;
        match row {
            None => Ok(None),
            Some(r) => {
                let text: String = r.try_get(0)?;
                serde_json::from_str(&text)
                    .map(Some)
                    .map_err(|_| StoreError::corrupt("a setting is not valid JSON"))
            }
        }
    }

    /// All fleet settings, ordered by key.
    pub async fn settings(&self) -> Result<Vec<(String, serde_json::Value)>, StoreError> {
        let rows = sqlx::query("SELECT key, value FROM settings ORDER BY key")
            .fetch_all(&self.reader)
            .await?;
        rows.iter()
            .map(|r| {
                let text: String = r.try_get(1)?;
                let value = serde_json::from_str(&text)
                    .map_err(|_| StoreError::corrupt("a setting is not valid JSON"))?;
                Ok((r.try_get(0)?, value))
            })
            .collect()
    }

    /// Sets (or replaces) a fleet setting.
    pub async fn set_setting(
        &self,
        key: &str,
        value: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let text = serde_json::to_string(value)?;
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES (?, ?) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(key)
        .bind(text)
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    /// Removes a fleet setting; true if it existed.
    pub async fn remove_setting(&self, key: &str) -> Result<bool, StoreError> {
        let done = sqlx::query("DELETE FROM settings WHERE key = ?")
            .bind(key)
            .execute(&self.writer)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    /// Records an import run; returns its id.
    pub async fn record_import(&self, run: &ImportRun) -> Result<i64, StoreError> {
        let counts = serde_json::to_string(&run.counts)?;
        let done = sqlx::query(
            "INSERT INTO import_runs (source, started_ms, finished_ms, counts) VALUES (?, ?, ?, ?)",
        )
        .bind(run.source.as_str())
        .bind(run.started_ms)
        .bind(run.finished_ms)
        .bind(counts)
        .execute(&self.writer)
        .await?;
        Ok(done.last_insert_rowid())
    }

    /// Import runs, most recent first, at most `limit`.
    pub async fn import_runs(&self, limit: u32) -> Result<Vec<ImportRunRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, source, started_ms, finished_ms, counts FROM import_runs \
             ORDER BY id DESC LIMIT ?",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.reader)
        .await?;
        rows.iter()
            .map(|r| {
                let counts: String = r.try_get(4)?;
                Ok(ImportRunRecord {
                    id: r.try_get(0)?,
                    run: ImportRun {
                        source: r.try_get(1)?,
                        started_ms: r.try_get(2)?,
                        finished_ms: r.try_get(3)?,
                        counts: serde_json::from_str(&counts)
                            .map_err(|_| StoreError::corrupt("import counts are not JSON"))?,
                    },
                })
            })
            .collect()
    }

    /// The last committed sequence number of a feed.
    pub async fn feed_cursor(&self, feed: &str) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT seq FROM feed_cursors WHERE feed = ?")
            .bind(feed)
            .fetch_optional(&self.reader)
            .await?;
        Ok(match row {
            Some(r) => Some(r.try_get(0)?),
            None => None,
        })
    }
}

/// Decodes a row selected with `point_columns!()`.
fn point_from_row(row: &SqliteRow) -> Result<TelemetryPoint, StoreError> {
    Ok(TelemetryPoint {
        truck_id: row.try_get(0)?,
        ts: row.try_get(1)?,
        lat: row.try_get(2)?,
        lon: row.try_get(3)?,
        speed_kmh: row.try_get(4)?,
        rpm: row.try_get(5)?,
        fuel_level_pct: row.try_get(6)?,
        fuel_l: row.try_get(7)?,
        fuel_used_l: row.try_get(8)?,
        fuel_rate_lph: row.try_get(9)?,
        odometer_km: row.try_get(10)?,
        engine_hours: row.try_get(11)?,
        ignition: row.try_get(12)?,
        driver_id: row.try_get(13)?,
        pto: row.try_get(14)?,
        alt_m: row.try_get(15)?,
        ambient_temp_c: row.try_get(16)?,
        fuel_level_pct_2: row.try_get(17)?,
        fuel_l_2: row.try_get(18)?,
    })
}

/// Decodes a row selected with `purchase_columns!()`.
fn purchase_from_row(row: &SqliteRow) -> Result<Purchase, StoreError> {
    let card: String = row.try_get(2)?;
    Ok(Purchase {
        truck_id: row.try_get(0)?,
        ts: row.try_get(1)?,
        card_id: (!card.is_empty()).then_some(card),
        litres: row.try_get(3)?,
        price_per_l: row.try_get(4)?,
        lat: row.try_get(5)?,
        lon: row.try_get(6)?,
        station: row.try_get(7)?,
    })
}

/// Where a store location points.
pub(crate) fn parse_location(location: &str) -> Result<PathBuf, StoreError> {
    let lower = location.trim_start().to_ascii_lowercase();
    if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
        return Err(StoreError::Unsupported(
            "PostgreSQL stores are not supported yet; use an embedded store file".into(),
        ));
    }
    let path = if let Some(rest) = location.strip_prefix("sqlite://") {
        rest.split('?').next().unwrap_or(rest)
    } else if let Some(rest) = location.strip_prefix("sqlite:") {
        rest.split('?').next().unwrap_or(rest)
    } else if lower.contains("://") {
        return Err(StoreError::Unsupported(
            "unknown store location; give a file path or a sqlite: URL".into(),
        ));
    } else {
        location
    };
    if path.is_empty() || path == ":memory:" {
        return Err(StoreError::Unsupported(
            "the store needs a file path (in-memory stores are not supported)".into(),
        ));
    }
    Ok(PathBuf::from(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations() {
        let ok = [
            ("sqlite:/abs/path.db", "/abs/path.db"),
            ("sqlite:///abs/path.db", "/abs/path.db"),
            ("sqlite://rel.db", "rel.db"),
            ("sqlite://rel.db?mode=rwc", "rel.db"),
            ("/plain/file.db", "/plain/file.db"),
            ("C:\\Users\\me\\fleet.db", "C:\\Users\\me\\fleet.db"),
        ];
        for (input, path) in ok {
            assert_eq!(
                parse_location(input).unwrap(),
                PathBuf::from(path),
                "{input}"
            );
        }
        for bad in [
            "postgres://u@h/db",
            "POSTGRESQL://h/db",
            "mysql://x",
            "sqlite::memory:",
            "",
        ] {
            let err = parse_location(bad).unwrap_err();
            assert_eq!(err.code(), "store_unsupported", "{bad}");
        }
    }
}
