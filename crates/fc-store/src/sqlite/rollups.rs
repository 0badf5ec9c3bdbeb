//! Coaching rollups in SQLite (`migrations/sqlite/0003_rollups.sql`).

use sqlx::Row;

use super::SqliteStore;
use crate::error::StoreError;
use crate::rollups::{RollupFilter, RollupRecord};

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
        let n = insert(&mut tx, records).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Inserts or replaces rollups by (truck, day, driver), in one transaction.
    pub async fn upsert_rollups(&self, records: &[RollupRecord]) -> Result<u64, StoreError> {
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        let n = insert(&mut tx, records).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Rollups matching the filter, ordered by (day, truck, driver).
    pub async fn rollups(&self, filter: RollupFilter) -> Result<Vec<RollupRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT truck_id, day, driver_id, start_ms, end_ms, metrics FROM rollups \
             WHERE day BETWEEN ?1 AND ?2 ORDER BY day, truck_id, driver_id",
        )
        .bind(filter.from_day.as_deref().unwrap_or(""))
        .bind(filter.to_day.as_deref().unwrap_or("\u{10FFFF}"))
        .fetch_all(&self.reader)
        .await?;
        let keep =
            |v: &Option<Vec<String>>, x: &str| v.as_ref().is_none_or(|l| l.iter().any(|i| i == x));
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let truck_id: String = r.try_get(0)?;
            let driver_id: String = r.try_get(2)?;
            if !keep(&filter.trucks, &truck_id) || !keep(&filter.drivers, &driver_id) {
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

async fn insert(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    records: &[RollupRecord],
) -> Result<u64, StoreError> {
    let mut n = 0;
    for r in records {
        let metrics = serde_json::to_string(&r.metrics)?;
        n += sqlx::query(
            "INSERT INTO rollups (truck_id, day, driver_id, start_ms, end_ms, metrics) \
             VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (truck_id, day, driver_id) DO UPDATE SET \
             start_ms = excluded.start_ms, end_ms = excluded.end_ms, metrics = excluded.metrics",
        )
        .bind(r.truck_id.as_str())
        .bind(r.day.as_str())
        .bind(r.driver_id.as_str())
        .bind(r.start_ms)
        .bind(r.end_ms)
        .bind(metrics)
        .execute(&mut **tx)
        .await?
        .rows_affected();
    }
    Ok(n)
}
