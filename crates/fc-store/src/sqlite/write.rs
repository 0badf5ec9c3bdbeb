//! Batch writes: idempotent on (truck_id, ts), one transaction per batch.
//!
//! Points are stored under an integer truck key (`truck_keys`): keys of
//! trucks seen for the first time are assigned inside the batch's
//! transaction, and enter the process's cache only once it commits.
//!
//! Fast path (new data, the common case): multi-row `INSERT OR IGNORE`; if
//! every row was inserted there was nothing to compare. `OR IGNORE` rather
//! than `ON CONFLICT DO NOTHING`: a statement that cannot abort needs no
//! statement journal, which copied every page a statement first touched
//! (about 7 % of the writer). Only the key can conflict: truck key and time
//! are always bound and the values have their columns' types. It is
//! taken when each truck's oldest point in the batch is newer than the last
//! point this process knows of, and verified by the row counts: any skipped
//! row rolls the attempt back and the batch takes the slow path.
//!
//! Slow path (re-imports, replays, late data): read back the stored rows for
//! the batch's keys, classify each point as new / duplicate / conflict (the
//! first occurrence of a key wins, stored rows win over the batch), insert
//! the new ones.

use std::collections::HashMap;
use std::sync::{Arc, PoisonError};

use fc_model::{Purchase, TelemetryPoint, TimestampMs};
use sqlx::sqlite::{SqliteArguments, SqliteConnection};
use sqlx::{Arguments, AssertSqlSafe, Connection, Row};

use super::events::{insert_alerts, upsert_events};
use super::sql::{Multi, chunk_sizes, purchase_columns};
use super::{SqliteStore, point_from_row, purchase_from_row};
use crate::compare::{
    differing_fields, point_conflict, purchase_conflict, purchase_differing_fields,
};
use crate::error::StoreError;
use crate::types::{FeedCursor, Origin, QuarantineEntry, WriteBatch, WriteOutcome};

type Points = [(TelemetryPoint, Origin)];

/// Per-truck aggregate of some of the batch's points.
#[derive(Debug, Clone)]
struct TruckAgg {
    id: Arc<str>,
    /// Key in `truck_keys`, once resolved (0 before).
    key: i64,
    count: u64,
    first: TimestampMs,
    last: TimestampMs,
}

/// Truck and driver ids interned once per batch: binding an `Arc<str>` costs
/// no allocation, and the per-point truck index serves the statistics.
struct Interned {
    trucks: Vec<TruckAgg>,
    /// Each truck's key in `truck_keys`, valid inside the current transaction
    /// (see [`resolve_keys`]); empty until then.
    keys: Vec<i64>,
    truck_of: Vec<u32>,
    driver_of: Vec<Option<Arc<str>>>,
}

impl Interned {
    fn new(points: &Points) -> Interned {
        let mut index: HashMap<&str, u32> = HashMap::new();
        let mut drivers: HashMap<&str, Arc<str>> = HashMap::new();
        let mut trucks: Vec<TruckAgg> = Vec::new();
        let mut truck_of = Vec::with_capacity(points.len());
        let mut driver_of = Vec::with_capacity(points.len());
        for (p, _) in points {
            let i = *index.entry(p.truck_id.as_str()).or_insert_with(|| {
                trucks.push(TruckAgg {
                    id: Arc::from(p.truck_id.as_str()),
                    key: 0,
                    count: 0,
                    first: p.ts,
                    last: p.ts,
                });
                (trucks.len() - 1) as u32
            });
            let agg = &mut trucks[i as usize];
            agg.count += 1;
            agg.first = agg.first.min(p.ts);
            agg.last = agg.last.max(p.ts);
            truck_of.push(i);
            driver_of.push(
                p.driver_id
                    .as_deref()
                    .map(|d| Arc::clone(drivers.entry(d).or_insert_with(|| Arc::from(d)))),
            );
        }
        Interned {
            trucks,
            keys: Vec::new(),
            truck_of,
            driver_of,
        }
    }

    /// The truck key of point `i` (keys resolved).
    fn key_of(&self, i: usize) -> i64 {
        self.keys[self.truck_of[i] as usize]
    }

    /// The points at `indices` (all when `None`) grouped by truck in key
    /// order, each truck's points by time (stable: repeats keep their order).
    /// Inserting in this order keeps consecutive rows on the same B-tree
    /// leaf instead of hopping between one leaf per truck. Keys resolved.
    fn key_order(&self, points: &Points, indices: Option<&[u32]>) -> Vec<u32> {
        let mut by_id: Vec<u32> = (0..self.trucks.len() as u32).collect();
        by_id.sort_unstable_by_key(|t| self.keys[*t as usize]);
        let mut start = vec![0usize; self.trucks.len() + 1];
        let mut rank = vec![0u32; self.trucks.len()];
        for (r, t) in by_id.iter().enumerate() {
            rank[*t as usize] = r as u32;
        }
        let n = indices.map_or(points.len(), <[u32]>::len);
        let at = |k: usize| indices.map_or(k as u32, |ix| ix[k]);
        for k in 0..n {
            start[rank[self.truck_of[at(k) as usize] as usize] as usize + 1] += 1;
        }
        for r in 0..self.trucks.len() {
            start[r + 1] += start[r];
        }
        let bounds = start.clone();
        let mut order = vec![0u32; n];
        for k in 0..n {
            let i = at(k);
            let slot = &mut start[rank[self.truck_of[i as usize] as usize] as usize];
            order[*slot] = i;
            *slot += 1;
        }
        for w in bounds.windows(2) {
            let group = &mut order[w[0]..w[1]];
            if !group.is_sorted_by_key(|i| points[*i as usize].0.ts) {
                group.sort_by_key(|i| points[*i as usize].0.ts);
            }
        }
        order
    }

    /// Statistics of the points at `indices` (all points when `None`).
    fn aggregate(&self, points: &Points, indices: Option<&[u32]>) -> Vec<TruckAgg> {
        let with_keys = self.trucks.iter().zip(&self.keys);
        let Some(indices) = indices else {
            return with_keys
                .map(|(t, &key)| TruckAgg { key, ..t.clone() })
                .collect();
        };
        let mut aggs: Vec<TruckAgg> = with_keys
            .map(|(t, &key)| TruckAgg {
                id: Arc::clone(&t.id),
                key,
                count: 0,
                first: TimestampMs::MAX,
                last: TimestampMs::MIN,
            })
            .collect();
        for &i in indices {
            let agg = &mut aggs[self.truck_of[i as usize] as usize];
            let ts = points[i as usize].0.ts;
            agg.count += 1;
            agg.first = agg.first.min(ts);
            agg.last = agg.last.max(ts);
        }
        aggs.retain(|a| a.count > 0);
        aggs
    }
}

fn encode_err(e: sqlx::error::BoxDynError) -> StoreError {
    StoreError::Encode(e)
}

fn bind_point(
    args: &mut SqliteArguments,
    p: &TelemetryPoint,
    truck_key: i64,
    driver: &Option<Arc<str>>,
) -> Result<(), sqlx::error::BoxDynError> {
    args.add(truck_key)?;
    args.add(p.ts)?;
    args.add(p.lat)?;
    args.add(p.lon)?;
    args.add(p.speed_kmh)?;
    args.add(p.rpm)?;
    args.add(p.fuel_level_pct)?;
    args.add(p.fuel_l)?;
    args.add(p.fuel_used_l)?;
    args.add(p.fuel_rate_lph)?;
    args.add(p.odometer_km)?;
    args.add(p.engine_hours)?;
    args.add(p.ignition)?;
    args.add(driver.clone())?;
    args.add(p.pto)?;
    args.add(p.alt_m)?;
    args.add(p.ambient_temp_c)?;
    args.add(p.fuel_level_pct_2)?;
    args.add(p.fuel_l_2)?;
    Ok(())
}

/// Inserts the points at `indices` (all when `None`), skipping stored keys.
/// Returns the number inserted, or `None` as soon as a statement skipped a
/// row while `all_or_nothing` is set.
async fn insert_points(
    store: &SqliteStore,
    conn: &mut SqliteConnection,
    points: &Points,
    ids: &Interned,
    indices: Option<&[u32]>,
    all_or_nothing: bool,
) -> Result<Option<u64>, StoreError> {
    let order = ids.key_order(points, indices);
    let encode = |chunk: &[u32]| -> Result<SqliteArguments, StoreError> {
        let mut args = SqliteArguments::default();
        args.reserve(chunk.len() * Multi::InsertPoints.columns(), 0);
        for &i in chunk {
            let i = i as usize;
            bind_point(&mut args, &points[i].0, ids.key_of(i), &ids.driver_of[i])
                .map_err(encode_err)?;
        }
        Ok(args)
    };
    let sizes: Vec<usize> = chunk_sizes(order.len(), Multi::InsertPoints.max_rows()).collect();
    let mut starts = sizes.iter().scan(0usize, |at, n| {
        let s = *at;
        *at += n;
        Some(s)
    });
    let mut inserted = 0u64;
    let Some(first) = starts.next() else {
        return Ok(Some(0));
    };
    let mut args = encode(&order[first..first + sizes[0]])?;
    for (k, rows) in sizes.iter().copied().enumerate() {
        let sql = store.sql.get(Multi::InsertPoints, rows);
        let exec = sqlx::query_with(AssertSqlSafe(sql), args).execute(&mut *conn);
        // Encode the next chunk on this thread while SQLite's worker thread
        // executes the current one (`join` polls `exec` first, which sends it).
        let next = async {
            match (starts.next(), sizes.get(k + 1)) {
                (Some(at), Some(&n)) => encode(&order[at..at + n]).map(Some),
                _ => Ok(None),
            }
        };
        let (done, next) = futures::join!(exec, next);
        let done = done?.rows_affected();
        if all_or_nothing && done != rows as u64 {
            return Ok(None);
        }
        inserted += done;
        match next? {
            Some(a) => args = a,
            None => break,
        }
    }
    Ok(Some(inserted))
}

/// For the points at `indices` whose key is stored: batch index -> whether
/// the stored values are identical.
async fn compare_points(
    store: &SqliteStore,
    conn: &mut SqliteConnection,
    points: &Points,
    ids: &Interned,
    indices: &[u32],
) -> Result<HashMap<u32, bool>, StoreError> {
    let mut existing = HashMap::new();
    let mut next = 0usize;
    for rows in chunk_sizes(indices.len(), Multi::ComparePoints.max_rows()) {
        let mut args = SqliteArguments::default();
        args.reserve(rows * Multi::ComparePoints.columns(), 0);
        for &i in &indices[next..next + rows] {
            args.add(i64::from(i)).map_err(encode_err)?;
            let i = i as usize;
            bind_point(&mut args, &points[i].0, ids.key_of(i), &ids.driver_of[i])
                .map_err(encode_err)?;
        }
        next += rows;
        let sql = store.sql.get(Multi::ComparePoints, rows);
        let found = sqlx::query_with(AssertSqlSafe(sql), args)
            .fetch_all(&mut *conn)
            .await?;
        for row in &found {
            let i: i64 = row.try_get(0)?;
            let same: Option<bool> = row.try_get(1)?;
            let i = u32::try_from(i).map_err(|_| StoreError::corrupt("batch index"))?;
            existing.insert(i, same.unwrap_or(false));
        }
    }
    Ok(existing)
}

/// The stored points for the keys of the points at `indices`, by batch index.
async fn lookup_points(
    store: &SqliteStore,
    conn: &mut SqliteConnection,
    points: &Points,
    ids: &Interned,
    indices: &[u32],
    index_of: &HashMap<(&str, TimestampMs), u32>,
) -> Result<HashMap<u32, TelemetryPoint>, StoreError> {
    let mut stored = HashMap::new();
    let mut next = 0usize;
    for rows in chunk_sizes(indices.len(), Multi::LookupPoints.max_rows()) {
        let mut args = SqliteArguments::default();
        for &i in &indices[next..next + rows] {
            let i = i as usize;
            args.add(ids.key_of(i)).map_err(encode_err)?;
            args.add(points[i].0.ts).map_err(encode_err)?;
        }
        next += rows;
        let sql = store.sql.get(Multi::LookupPoints, rows);
        let found = sqlx::query_with(AssertSqlSafe(sql), args)
            .fetch_all(&mut *conn)
            .await?;
        for row in &found {
            let p = point_from_row(row)?;
            if let Some(&i) = index_of.get(&(p.truck_id.as_str(), p.ts)) {
                stored.insert(i, p);
            }
        }
    }
    Ok(stored)
}

async fn upsert_stats(
    store: &SqliteStore,
    conn: &mut SqliteConnection,
    aggs: &[TruckAgg],
) -> Result<(), StoreError> {
    let mut next = 0usize;
    for rows in chunk_sizes(aggs.len(), Multi::UpsertStats.max_rows()) {
        let mut args = SqliteArguments::default();
        for a in &aggs[next..next + rows] {
            args.add(a.key).map_err(encode_err)?;
            args.add(i64::try_from(a.count).unwrap_or(i64::MAX))
                .map_err(encode_err)?;
            args.add(a.first).map_err(encode_err)?;
            args.add(a.last).map_err(encode_err)?;
        }
        next += rows;
        let sql = store.sql.get(Multi::UpsertStats, rows);
        sqlx::query_with(AssertSqlSafe(sql), args)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Records quarantine entries (repeats of recorded ones are skipped); returns how many are new.
pub(super) async fn insert_quarantine(
    store: &SqliteStore,
    conn: &mut SqliteConnection,
    entries: &[QuarantineEntry],
) -> Result<u64, StoreError> {
    let mut next = 0usize;
    let mut inserted = 0;
    for rows in chunk_sizes(entries.len(), Multi::InsertQuarantine.max_rows()) {
        let mut args = SqliteArguments::default();
        for e in &entries[next..next + rows] {
            let line = e.line.map(|l| i64::try_from(l).unwrap_or(i64::MAX));
            args.add(e.source.as_str()).map_err(encode_err)?;
            args.add(line).map_err(encode_err)?;
            args.add(e.truck_id.as_deref()).map_err(encode_err)?;
            args.add(e.ts).map_err(encode_err)?;
            args.add(e.field.as_deref()).map_err(encode_err)?;
            args.add(e.reason.as_str()).map_err(encode_err)?;
            args.add(e.detail.as_str()).map_err(encode_err)?;
            args.add(e.raw.as_deref()).map_err(encode_err)?;
        }
        next += rows;
        let sql = store.sql.get(Multi::InsertQuarantine, rows);
        inserted += sqlx::query_with(AssertSqlSafe(sql), args)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    Ok(inserted)
}

/// Fills `ids.keys` for the current transaction: cached keys first, then
/// the stored ones, assigning keys to trucks seen for the first time. Returns
/// the keys that did not come from the cache; they may be cached only after
/// the transaction commits (a rollback takes new keys back).
async fn resolve_keys(
    store: &SqliteStore,
    conn: &mut SqliteConnection,
    ids: &mut Interned,
) -> Result<Vec<(Arc<str>, i64)>, StoreError> {
    let mut missing: Vec<&str> = Vec::new();
    {
        let cache = store
            .truck_keys
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        ids.keys.clear();
        for t in &ids.trucks {
            let key = cache.get(&*t.id).copied().unwrap_or(0);
            if key == 0 {
                missing.push(&t.id);
            }
            ids.keys.push(key);
        }
    }
    if missing.is_empty() {
        return Ok(Vec::new());
    }
    // Two statements whatever the number of new trucks: the ids travel as one JSON array.
    let list = serde_json::to_string(&missing)?;
    sqlx::query("INSERT OR IGNORE INTO truck_keys (truck_id) SELECT value FROM json_each(?)")
        .bind(list.as_str())
        .execute(&mut *conn)
        .await?;
    let rows = sqlx::query(
        "SELECT truck_id, truck_key FROM truck_keys \
         WHERE truck_id IN (SELECT value FROM json_each(?))",
    )
    .bind(list.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let mut found: HashMap<String, i64> = HashMap::with_capacity(rows.len());
    for row in &rows {
        found.insert(row.try_get(0)?, row.try_get(1)?);
    }
    let mut fresh = Vec::with_capacity(missing.len());
    for (t, key) in ids.trucks.iter().zip(ids.keys.iter_mut()) {
        if *key == 0 {
            *key = found
                .get(&*t.id)
                .copied()
                .filter(|k| *k != 0)
                .ok_or_else(|| StoreError::Internal("a truck key was not assigned".into()))?;
            fresh.push((Arc::clone(&t.id), *key));
        }
    }
    Ok(fresh)
}

/// Caches truck keys of a committed transaction.
fn remember_keys(store: &SqliteStore, fresh: Vec<(Arc<str>, i64)>) {
    if fresh.is_empty() {
        return;
    }
    let mut cache = store
        .truck_keys
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    for (id, key) in fresh {
        cache.insert(id.to_string(), key);
    }
}

async fn store_cursor(conn: &mut SqliteConnection, cursor: &FeedCursor) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO feed_cursors (feed, seq) VALUES (?, ?) \
         ON CONFLICT (feed) DO UPDATE SET seq = excluded.seq",
    )
    .bind(cursor.feed.as_str())
    .bind(cursor.seq)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Whether no point of the batch can already be stored, as far as this process knows.
fn looks_new(store: &SqliteStore, ids: &Interned) -> bool {
    let known = store.last_ts.lock().unwrap_or_else(PoisonError::into_inner);
    ids.trucks
        .iter()
        .all(|t| known.get(&*t.id).is_none_or(|&last| t.first > last))
}

fn remember(store: &SqliteStore, aggs: &[TruckAgg]) {
    let mut known = store.last_ts.lock().unwrap_or_else(PoisonError::into_inner);
    for a in aggs {
        known
            .entry(a.id.to_string())
            .and_modify(|l| *l = (*l).max(a.last))
            .or_insert(a.last);
    }
}

/// The result of classifying a batch against the store.
struct Classified {
    to_insert: Vec<u32>,
    duplicates: u64,
    conflicts: Vec<QuarantineEntry>,
}

async fn classify(
    store: &SqliteStore,
    conn: &mut SqliteConnection,
    points: &Points,
    ids: &Interned,
) -> Result<Classified, StoreError> {
    let mut index_of: HashMap<(&str, TimestampMs), u32> = HashMap::with_capacity(points.len());
    let mut firsts: Vec<u32> = Vec::with_capacity(points.len());
    let mut repeats: Vec<(u32, u32)> = Vec::new();
    for (i, (p, _)) in points.iter().enumerate() {
        let i = i as u32;
        match index_of.entry((p.truck_id.as_str(), p.ts)) {
            std::collections::hash_map::Entry::Occupied(first) => repeats.push((i, *first.get())),
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(i);
                firsts.push(i);
            }
        }
    }
    // SQLite compares the values; full stored rows are read only for conflicts.
    let existing = compare_points(store, conn, points, ids, &firsts).await?;
    let mut differing: Vec<u32> = existing
        .iter()
        .filter(|(_, same)| !**same)
        .map(|(i, _)| *i)
        .collect();
    differing.sort_unstable();
    let stored = lookup_points(store, conn, points, ids, &differing, &index_of).await?;
    let mut out = Classified {
        to_insert: Vec::with_capacity(firsts.len()),
        duplicates: 0,
        conflicts: Vec::new(),
    };
    // None: a duplicate of the kept row; Some: the conflict's quarantine entry.
    let judge = |kept: &TelemetryPoint, (incoming, origin): &(TelemetryPoint, Origin)| {
        let fields = differing_fields(kept, incoming);
        (!fields.is_empty()).then(|| point_conflict(kept, incoming, origin, &fields))
    };
    for &i in &firsts {
        let verdict = match (existing.get(&i), stored.get(&i)) {
            (None, _) => continue,
            (Some(true), _) => None,
            (Some(false), Some(kept)) => judge(kept, &points[i as usize]),
            (Some(false), None) => {
                return Err(StoreError::Internal(
                    "a stored row vanished during a locked write".into(),
                ));
            }
        };
        match verdict {
            None => out.duplicates += 1,
            Some(e) => out.conflicts.push(e),
        }
    }
    for &(j, first) in &repeats {
        // The kept row: the stored one if it differs, else (equal or new) the first occurrence.
        let kept = stored.get(&first).unwrap_or(&points[first as usize].0);
        match judge(kept, &points[j as usize]) {
            None => out.duplicates += 1,
            Some(e) => out.conflicts.push(e),
        }
    }
    out.to_insert = firsts
        .into_iter()
        .filter(|i| !existing.contains_key(i))
        .collect();
    Ok(out)
}

pub(super) async fn write_batch(
    store: &SqliteStore,
    batch: WriteBatch,
) -> Result<WriteOutcome, StoreError> {
    let WriteBatch {
        points,
        mut quarantine,
        cursor,
        events,
        alerts,
    } = batch;
    let mut ids = Interned::new(&points);
    store.checkpointer.settle().await;
    let mut conn = store.writer.acquire().await?;

    if !points.is_empty() && looks_new(store, &ids) {
        let mut tx = Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE").await?;
        let fresh = resolve_keys(store, &mut tx, &mut ids).await?;
        if let Some(stored) = insert_points(store, &mut tx, &points, &ids, None, true).await? {
            let aggs = ids.aggregate(&points, None);
            upsert_stats(store, &mut tx, &aggs).await?;
            let quarantined = insert_quarantine(store, &mut tx, &quarantine).await?;
            let events = upsert_events(&mut tx, &events).await?;
            let alerts = insert_alerts(&mut tx, &alerts).await?;
            if let Some(c) = &cursor {
                store_cursor(&mut tx, c).await?;
            }
            tx.commit().await?;
            remember_keys(store, fresh);
            remember(store, &aggs);
            return Ok(WriteOutcome {
                stored,
                quarantined,
                events,
                alerts,
                ..WriteOutcome::default()
            });
        }
        // Some key was already stored (another writer, or repeated within the batch).
        tx.rollback().await?;
    }

    let mut tx = Connection::begin_with(&mut *conn, "BEGIN IMMEDIATE").await?;
    let fresh = resolve_keys(store, &mut tx, &mut ids).await?;
    let classified = classify(store, &mut tx, &points, &ids).await?;
    let stored = insert_points(
        store,
        &mut tx,
        &points,
        &ids,
        Some(&classified.to_insert),
        false,
    )
    .await?
    .unwrap_or(0);
    if stored != classified.to_insert.len() as u64 {
        // Impossible while this connection holds the write lock; refuse rather than miscount.
        return Err(StoreError::Internal(
            "rows appeared during a locked write".into(),
        ));
    }
    let aggs = ids.aggregate(&points, Some(&classified.to_insert));
    upsert_stats(store, &mut tx, &aggs).await?;
    let conflicts = classified.conflicts.len() as u64;
    quarantine.extend(classified.conflicts);
    let quarantined = insert_quarantine(store, &mut tx, &quarantine).await?;
    let events = upsert_events(&mut tx, &events).await?;
    let alerts = insert_alerts(&mut tx, &alerts).await?;
    if let Some(c) = &cursor {
        store_cursor(&mut tx, c).await?;
    }
    tx.commit().await?;
    remember_keys(store, fresh);
    remember(store, &aggs);
    Ok(WriteOutcome {
        stored,
        duplicates: classified.duplicates,
        conflicts,
        quarantined,
        events,
        alerts,
    })
}

pub(super) async fn write_purchases(
    store: &SqliteStore,
    purchases: &[(Purchase, Origin)],
    mut quarantine: Vec<QuarantineEntry>,
) -> Result<WriteOutcome, StoreError> {
    let mut tx = store.writer.begin_with("BEGIN IMMEDIATE").await?;
    let mut out = WriteOutcome::default();
    // Purchases are few (one per refuelling); a look-up per row keeps this simple and
    // sees rows inserted earlier in the same batch.
    for (p, origin) in purchases {
        let card = p.card_id.as_deref().unwrap_or("");
        let existing = sqlx::query(concat!(
            "SELECT ",
            purchase_columns!(),
            " FROM purchases WHERE truck_id = ? AND ts = ? AND card_id = ?"
        ))
        .bind(p.truck_id.as_str())
        .bind(p.ts)
        .bind(card)
        .fetch_optional(&mut *tx)
        .await?;
        match existing {
            Some(row) => {
                let kept = purchase_from_row(&row)?;
                let fields = purchase_differing_fields(&kept, p);
                if fields.is_empty() {
                    out.duplicates += 1;
                } else {
                    out.conflicts += 1;
                    quarantine.push(purchase_conflict(&kept, p, origin, &fields));
                }
            }
            None => {
                sqlx::query(concat!(
                    "INSERT INTO purchases (",
                    purchase_columns!(),
                    ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                ))
                .bind(p.truck_id.as_str())
                .bind(p.ts)
                .bind(card)
                .bind(p.litres)
                .bind(p.price_per_l)
                .bind(p.lat)
                .bind(p.lon)
                .bind(p.station.as_deref())
                .execute(&mut *tx)
                .await?;
                out.stored += 1;
            }
        }
    }
    out.quarantined = insert_quarantine(store, &mut tx, &quarantine).await?;
    tx.commit().await?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_aggregates_per_truck() {
        let origin = Origin {
            source: "t".into(),
            line: None,
        };
        let mut pts = Vec::new();
        for (id, ts) in [("B", 5), ("A", 9), ("B", 2), ("A", 1), ("B", 7)] {
            let mut p = TelemetryPoint::new(id, ts);
            p.driver_id = Some("D".into());
            pts.push((p, origin.clone()));
        }
        let mut ids = Interned::new(&pts);
        ids.keys = vec![7, 3];
        let summary: Vec<(&str, u64, i64, i64)> = ids
            .trucks
            .iter()
            .map(|t| (&*t.id, t.count, t.first, t.last))
            .collect();
        assert_eq!(summary, vec![("B", 3, 2, 7), ("A", 2, 1, 9)]);
        let d0 = ids.driver_of[0].as_ref().unwrap();
        assert!(Arc::ptr_eq(d0, ids.driver_of[4].as_ref().unwrap()));
        let sub = ids.aggregate(&pts, Some(&[0, 4]));
        assert_eq!(sub.len(), 1);
        assert_eq!(
            (sub[0].key, sub[0].count, sub[0].first, sub[0].last),
            (7, 2, 5, 7)
        );
        // Insert order follows the keys: A (3) before B (7), each by time.
        assert_eq!(ids.key_order(&pts, None), vec![3, 1, 2, 0, 4]);
        assert_eq!(ids.key_order(&pts, Some(&[4, 1, 0])), vec![1, 0, 4]);
    }
}
