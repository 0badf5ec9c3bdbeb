//! Coaching rollups in SQLite (`migrations/sqlite/0003_rollups.sql`).

use std::collections::HashSet;

use sqlx::sqlite::SqliteArguments;
use sqlx::{Arguments, AssertSqlSafe, Row};

use super::SqliteStore;
use super::sql::{Multi, chunk_sizes};
use crate::error::StoreError;
use crate::rollups::{RollupFilter, RollupRecord};

/// Longest truck list looked up by key (bound variables stay far below the limit).
const KEYED_TRUCKS: usize = 500;

impl SqliteStore {
    /// Replaces the rollups of `truck_id` that start in `[from_ms, to_ms)` by
    /// `records`, in one transaction (an import rebuilds the days it touched).
    pub async fn replace_rollups(
        &self,
        truck_id: &str,
        from_ms: i64,
        to_ms: i64,
        records: &[RollupRecord],
    ) -> Result<u64, StoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("DELETE FROM rollups WHERE truck_id = ? AND start_ms >= ? AND start_ms < ?")
            .bind(truck_id)
            .bind(from_ms)
            .bind(to_ms)
            .execute(&mut *tx)
            .await?;
        let n = insert(self, &mut tx, records).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Inserts or replaces rollups by (truck, day, driver), in one transaction.
    pub async fn upsert_rollups(&self, records: &[RollupRecord]) -> Result<u64, StoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let n = insert(self, &mut tx, records).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Rollups matching the filter, ordered by (day, truck, driver).
    ///
    /// A short truck list is looked up by key (the live pipeline reads back
    /// the keys it is about to write every second); a long one, or none,
    /// reads the days and keeps the listed trucks through a set.
    pub async fn rollups(&self, filter: RollupFilter) -> Result<Vec<RollupRecord>, StoreError> {
        let from = filter.from_day.as_deref().unwrap_or("");
        let to = filter.to_day.as_deref().unwrap_or("\u{10FFFF}");
        let by_key = filter
            .trucks
            .as_ref()
            .filter(|t| !t.is_empty() && t.len() <= KEYED_TRUCKS);
        let rows = match by_key {
            Some(trucks) => {
                let marks = vec!["?"; trucks.len()].join(",");
                let sql = format!(
                    "SELECT truck_id, day, driver_id, start_ms, end_ms, metrics FROM rollups \
                     WHERE truck_id IN ({marks}) AND day BETWEEN ? AND ? \
                     ORDER BY day, truck_id, driver_id"
                );
                let mut q = sqlx::query(AssertSqlSafe(sql)).persistent(false);
                for t in trucks {
                    q = q.bind(t.as_str());
                }
                q.bind(from).bind(to).fetch_all(&self.reader).await?
            }
            None => {
                sqlx::query(
                    "SELECT truck_id, day, driver_id, start_ms, end_ms, metrics FROM rollups \
                     WHERE day BETWEEN ?1 AND ?2 ORDER BY day, truck_id, driver_id",
                )
                .bind(from)
                .bind(to)
                .fetch_all(&self.reader)
                .await?
            }
        };
        let (trucks, drivers) = (as_set(&filter.trucks), as_set(&filter.drivers));
        let keep = |s: &Option<HashSet<&str>>, x: &str| s.as_ref().is_none_or(|s| s.contains(x));
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let truck_id: String = r.try_get(0)?;
            let driver_id: String = r.try_get(2)?;
            if !keep(&trucks, &truck_id) || !keep(&drivers, &driver_id) {
                continue;
            }
            let text: String = r.try_get(5)?;
            out.push(RollupRecord {
                truck_id,
                day: r.try_get(1)?,
                driver_id,
                start_ms: r.try_get(3)?,
                end_ms: r.try_get(4)?,
                metrics: serde_json::from_str(&text)
                    .map_err(|_| StoreError::corrupt("rollup metrics are not valid JSON"))?,
            });
        }
        Ok(out)
    }

    /// The first and last day with rollups.
    pub async fn rollup_days(&self) -> Result<Option<(String, String)>, StoreError> {
        let row = sqlx::query("SELECT min(day), max(day) FROM rollups")
            .fetch_one(&self.reader)
            .await?;
        let first: Option<String> = row.try_get(0)?;
        let last: Option<String> = row.try_get(1)?;
        Ok(first.zip(last))
    }
}

fn as_set(list: &Option<Vec<String>>) -> Option<HashSet<&str>> {
    list.as_ref()
        .map(|l| l.iter().map(String::as_str).collect())
}

async fn insert(
    store: &SqliteStore,
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    records: &[RollupRecord],
) -> Result<u64, StoreError> {
    let mut n = 0;
    let mut next = 0usize;
    // Multi-row statements: one round trip to SQLite's worker per chunk, not per row.
    for rows in chunk_sizes(records.len(), Multi::UpsertRollups.max_rows()) {
        let mut args = SqliteArguments::default();
        for r in &records[next..next + rows] {
            let metrics = serde_json::to_string(&r.metrics)?;
            args.add(r.truck_id.as_str()).map_err(StoreError::Encode)?;
            args.add(r.day.as_str()).map_err(StoreError::Encode)?;
            args.add(r.driver_id.as_str()).map_err(StoreError::Encode)?;
            args.add(r.start_ms).map_err(StoreError::Encode)?;
            args.add(r.end_ms).map_err(StoreError::Encode)?;
            args.add(metrics).map_err(StoreError::Encode)?;
        }
        next += rows;
        let sql = store.sql.get(Multi::UpsertRollups, rows);
        n += sqlx::query_with(AssertSqlSafe(sql), args)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    }
    Ok(n)
}
