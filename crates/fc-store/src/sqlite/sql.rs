//! SQL text: the fixed statements and the generated multi-row ones.
//!
//! Multi-row statements are generated for a small set of row counts (a full
//! chunk, then powers of two for the remainder) so that SQLite's statement
//! cache stays small and every size is prepared once per connection.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// SQLite's default (and since 3.32 guaranteed) maximum number of bound variables.
pub(crate) const MAX_VARIABLES: usize = 32766;

/// The telemetry columns after `truck_id`, in canonical order. The table
/// stores `truck_key` in place of `truck_id`; reads join `truck_keys` back.
macro_rules! point_value_columns {
    () => {
        "ts, lat, lon, speed_kmh, rpm, fuel_level_pct, fuel_l, fuel_used_l, \
         fuel_rate_lph, odometer_km, engine_hours, ignition, driver_id, pto, alt_m, \
         ambient_temp_c, fuel_level_pct_2, fuel_l_2"
    };
}
pub(crate) use point_value_columns;

/// A point's columns in canonical order (`fc_model::Field::ALL`), as read
/// from `telemetry` joined with `truck_keys AS k`.
macro_rules! point_columns {
    () => {
        concat!("k.truck_id, ", point_value_columns!())
    };
}
pub(crate) use point_columns;

/// Number of telemetry columns.
pub(crate) const POINT_COLUMNS: usize = 19;

/// The purchase columns, in the order [`crate::sqlite`] binds and reads them.
macro_rules! purchase_columns {
    () => {
        "truck_id, ts, card_id, litres, price_per_l, lat, lon, station"
    };
}
pub(crate) use purchase_columns;

/// The multi-row statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Multi {
    /// Insert points, skipping keys already stored.
    InsertPoints,
    /// Read back the stored points for a list of keys.
    LookupPoints,
    /// For each batch point whose key is stored: its batch index and whether
    /// the stored values are identical (compared by SQLite, no row transfer).
    ComparePoints,
    /// Record quarantine entries, skipping ones already recorded.
    InsertQuarantine,
    /// Add inserted points to the per-truck statistics.
    UpsertStats,
    /// Insert or replace coaching rollups by (truck, day, driver).
    UpsertRollups,
}

impl Multi {
    /// Bound variables per row.
    pub(crate) const fn columns(self) -> usize {
        match self {
            Multi::InsertPoints => POINT_COLUMNS,
            Multi::LookupPoints => 2,
            // Batch index, then the point's columns.
            Multi::ComparePoints => 1 + POINT_COLUMNS,
            Multi::InsertQuarantine => 8,
            Multi::UpsertStats => 4,
            Multi::UpsertRollups => 6,
        }
    }

    /// Most rows per statement. Key look-ups stay smaller: they are only the slow path.
    pub(crate) const fn max_rows(self) -> usize {
        match self {
            Multi::LookupPoints => 4096,
            // Each row carries a metrics document: keep one statement's text and arguments small.
            Multi::UpsertRollups => 256,
            _ => MAX_VARIABLES / self.columns(),
        }
    }

    fn generate(self, rows: usize) -> String {
        let compare_head;
        let (head, tail) = match self {
            Multi::ComparePoints => {
                // `IS` is equality with NULL = NULL; doubles compare by value,
                // which is bit equality for everything SQLite stores (it keeps
                // no NaN and turns -0.0 into 0.0) -- the rule of `compare`.
                // Bound per row: batch index, truck key, ts, then the values.
                let same: Vec<String> = point_value_columns!()
                    .split(',')
                    .map(str::trim)
                    .enumerate()
                    .skip(1)
                    .map(|(i, name)| format!("t.{name} IS v.column{}", i + 3))
                    .collect();
                compare_head = format!("SELECT v.column1, {} FROM (VALUES ", same.join(" AND "));
                (
                    compare_head.as_str(),
                    ") AS v JOIN telemetry AS t ON t.truck_key = v.column2 AND t.ts = v.column3",
                )
            }
            Multi::InsertPoints => (
                concat!(
                    "INSERT OR IGNORE INTO telemetry (truck_key, ",
                    point_value_columns!(),
                    ") VALUES "
                ),
                "",
            ),
            Multi::LookupPoints => (
                concat!("SELECT ", point_columns!(), " FROM (VALUES "),
                ") AS v JOIN telemetry AS t ON t.truck_key = v.column1 AND t.ts = v.column2 \
                 JOIN truck_keys AS k ON k.truck_key = t.truck_key",
            ),
            Multi::InsertQuarantine => (
                "INSERT OR IGNORE INTO quarantine \
                 (source, line, truck_id, ts, field, reason, detail, raw) VALUES ",
                "",
            ),
            Multi::UpsertStats => (
                "INSERT INTO truck_point_stats (truck_key, points, first_ts, last_ts) VALUES ",
                " ON CONFLICT (truck_key) DO UPDATE SET \
                 points = points + excluded.points, \
                 first_ts = min(first_ts, excluded.first_ts), \
                 last_ts = max(last_ts, excluded.last_ts)",
            ),
            // A key repeated within one statement updates the row its first
            // occurrence inserted: the same result as one statement per row.
            Multi::UpsertRollups => (
                "INSERT INTO rollups (truck_id, day, driver_id, start_ms, end_ms, metrics) VALUES ",
                " ON CONFLICT (truck_id, day, driver_id) DO UPDATE SET \
                 start_ms = excluded.start_ms, end_ms = excluded.end_ms, metrics = excluded.metrics",
            ),
        };
        let mut row = String::with_capacity(2 * self.columns() + 2);
        row.push('(');
        for i in 0..self.columns() {
            if i > 0 {
                row.push(',');
            }
            row.push('?');
        }
        row.push(')');
        let mut sql = String::with_capacity(head.len() + rows * (row.len() + 1) + tail.len());
        sql.push_str(head);
        for i in 0..rows {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&row);
        }
        sql.push_str(tail);
        sql
    }
}

/// Generated statements, built once per (statement, row count).
#[derive(Debug, Default)]
pub(crate) struct SqlCache {
    texts: Mutex<HashMap<(Multi, usize), Arc<str>>>,
}

impl SqlCache {
    /// The statement for `rows` rows.
    pub(crate) fn get(&self, kind: Multi, rows: usize) -> Arc<str> {
        // A poisoned lock only means another thread panicked while inserting a string; the map is still valid.
        let mut texts = self.texts.lock().unwrap_or_else(PoisonError::into_inner);
        Arc::clone(
            texts
                .entry((kind, rows))
                .or_insert_with(|| Arc::from(kind.generate(rows))),
        )
    }
}

/// Splits `n` rows into statement sizes: full chunks of `max`, then the
/// remainder as descending powers of two (a bounded set of distinct sizes).
pub(crate) fn chunk_sizes(n: usize, max: usize) -> impl Iterator<Item = usize> {
    let max = max.max(1);
    let full = n / max;
    let rest = n % max;
    let bits = (0..usize::BITS)
        .rev()
        .map(|b| 1usize << b)
        .filter(move |bit| rest & bit != 0);
    std::iter::repeat_n(max, full).chain(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_exactly_with_few_sizes() {
        for (n, max) in [
            (0, 10),
            (1, 10),
            (10, 10),
            (11, 10),
            (1723, 1724),
            (5000, 1724),
        ] {
            let sizes: Vec<usize> = chunk_sizes(n, max).collect();
            assert_eq!(sizes.iter().sum::<usize>(), n, "n={n}");
            assert!(sizes.iter().all(|s| *s <= max && *s > 0));
        }
        assert_eq!(
            chunk_sizes(5000, 1724).collect::<Vec<_>>(),
            vec![1724, 1724, 1024, 512, 16]
        );
    }

    #[test]
    fn columns_follow_the_canonical_order() {
        let cols: Vec<&str> = point_columns!()
            .split(',')
            .map(|c| c.trim().trim_start_matches("k."))
            .collect();
        let names: Vec<&str> = fc_model::Field::ALL.iter().map(|f| f.name()).collect();
        assert_eq!(cols, names);
        assert_eq!(cols.len(), POINT_COLUMNS);
    }

    #[test]
    fn generated_statements_have_one_variable_per_value() {
        let cache = SqlCache::default();
        for kind in [
            Multi::InsertPoints,
            Multi::LookupPoints,
            Multi::ComparePoints,
            Multi::InsertQuarantine,
            Multi::UpsertStats,
            Multi::UpsertRollups,
        ] {
            let sql = cache.get(kind, 3);
            assert_eq!(sql.matches('?').count(), 3 * kind.columns());
            assert!(kind.max_rows() * kind.columns() <= MAX_VARIABLES);
            assert!(Arc::ptr_eq(&sql, &cache.get(kind, 3)));
        }
    }
}
