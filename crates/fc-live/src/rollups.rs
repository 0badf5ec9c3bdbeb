//! Coaching rollups at ingest (decision 10): each truck's points stream into its
//! own `fc_coach::RollupBuilder` in the pipeline; every write interval (and at the
//! end of a feed) the committer stores, right after the commit that holds the
//! points, the rollups of the days that moved. Rollups that closed (a day or a
//! driver ended, plus the detector's horizon for late fills and drains) are added
//! to what the store held for their key before (a restart, an import); the open
//! ones are written as they stand and replaced at the next write.
//!
//! Another writer (an import rebuilding the days it touched, `rebuild_rollups`) may
//! replace a key between two live writes. Each write first reads the stored value
//! of the keys it writes and compares it with what it stored last: a key changed
//! elsewhere takes the stored value as its new base (it was rebuilt from every
//! stored point, the live ones included), and the live part already counted in it
//! (the open accumulation as of noticing) is subtracted from what live adds later.
//! So an import's rebuild is never overwritten and no point is counted twice; the
//! live points stored between the rebuild's read and the next live write may be
//! missing from the key until a rebuild.

use std::collections::{HashMap, HashSet};

use fc_coach::{CoachConfig, Rollup, RollupBuilder};
use fc_model::{TelemetryPoint, TruckProfile};
use fc_store::{RollupFilter, Store, StoreError};

use crate::records::{rollup_of, rollup_record};

type Builder<'a> = RollupBuilder<'a>;

self_cell::self_cell!(
    /// One truck's builder with the profile it borrows.
    pub(crate) struct TruckRollup {
        owner: TruckProfile,
        #[not_covariant]
        dependent: Builder,
    }
);

impl TruckRollup {
    pub fn start(profile: TruckProfile, tz: chrono_tz::Tz, cfg: &CoachConfig) -> TruckRollup {
        TruckRollup::new(profile, |p| RollupBuilder::new(&p.truck_id, p, tz, cfg))
    }

    pub fn push(&mut self, p: &TelemetryPoint) {
        self.with_dependent_mut(|_, b| b.push(p));
    }

    pub fn event(&mut self, e: &fc_ledger::FuelEvent) {
        self.with_dependent_mut(|_, b| b.event(e));
    }

    /// Closed rollups (ended before `watermark_ms`) and the rest as they stand.
    pub fn take(&mut self, watermark_ms: i64, idle_lph: f64) -> RollupWork {
        self.with_dependent_mut(|_, b| {
            b.set_idle_rate(idle_lph);
            let closed = b.take_closed(watermark_ms);
            RollupWork {
                truck: String::new(),
                closed,
                open: b.snapshot(),
            }
        })
    }
}

/// One truck's rollups for the committer.
#[derive(Debug, Default)]
pub(crate) struct RollupWork {
    /// The truck (set by the pipeline).
    pub truck: String,
    /// Final: added to the stored value of their key.
    pub closed: Vec<Rollup>,
    /// Not final yet: stored on top of it, replaced next time.
    pub open: Vec<Rollup>,
}

type Key = (String, String, String);

fn key(r: &Rollup) -> Key {
    (r.truck_id.clone(), r.day.clone(), r.driver_id.clone())
}

/// The committer's side: per key, the stored value without the open parts.
#[derive(Debug, Default)]
pub(crate) struct RollupWriter {
    base: HashMap<Key, Rollup>,
    /// Keys whose open part was stored at the last write (they may not be evicted).
    open_keys: HashSet<Key>,
    /// Records whose write failed, written again next time (unless superseded).
    retry: HashMap<Key, fc_store::RollupRecord>,
    /// Work waiting for the next write, per truck, in arrival order.
    queued: Vec<RollupWork>,
    queued_at: HashMap<String, usize>,
    last_write: Option<std::time::Instant>,
    /// What this writer stored last per key (to notice another writer's change).
    written: HashMap<Key, Rollup>,
    /// Per key changed by another writer: the live accumulation already in its base.
    offset: HashMap<Key, Rollup>,
}

/// Trucks per rollup write (one transaction); a whole fleet at the end of a feed is
/// written in several, so that memory and the writer's hold stay bounded.
const CHUNK_TRUCKS: usize = 500;
/// Queued work is written about this often.
const WRITE_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

impl RollupWriter {
    /// Queues trucks' work for the next write. A truck's newer work keeps the closed
    /// rollups of both and the newer open snapshot only (it supersedes the older one;
    /// adding both would count the open day twice).
    pub fn queue(&mut self, work: Vec<RollupWork>) {
        for w in work {
            match self.queued_at.get(&w.truck) {
                Some(&i) => {
                    let q = &mut self.queued[i];
                    q.closed.extend(w.closed);
                    q.open = w.open;
                }
                None => {
                    self.queued_at.insert(w.truck.clone(), self.queued.len());
                    self.queued.push(w);
                }
            }
        }
    }

    /// Whether the queued work should be written now.
    pub fn due(&self) -> bool {
        !(self.queued.is_empty() && self.retry.is_empty())
            && (self.queued.len() >= CHUNK_TRUCKS
                || self.last_write.is_none_or(|t| t.elapsed() >= WRITE_EVERY))
    }

    /// Writes everything queued, `CHUNK_TRUCKS` trucks per transaction; returns the
    /// rollups written. A chunk that fails is kept for the next write.
    pub async fn write_queued(&mut self, store: &Store) -> Result<u64, StoreError> {
        self.last_write = Some(std::time::Instant::now());
        self.queued_at.clear();
        let mut queued = std::mem::take(&mut self.queued);
        let mut written = 0;
        let mut failed = None;
        while !queued.is_empty() || !self.retry.is_empty() {
            let rest = queued.split_off(queued.len().min(CHUNK_TRUCKS));
            match self
                .write(store, std::mem::replace(&mut queued, rest))
                .await
            {
                Ok(n) => written += n,
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        // Not written (a failure): the rest waits for the next write.
        if !queued.is_empty() {
            self.queue(queued);
        }
        match failed {
            Some(e) => Err(e),
            None => Ok(written),
        }
    }

    /// Applies one chunk of work; returns the rollups written.
    async fn write(&mut self, store: &Store, work: Vec<RollupWork>) -> Result<u64, StoreError> {
        if work.is_empty() && self.retry.is_empty() {
            return Ok(0);
        }
        // What the store holds for keys this process has not seen yet, and for the
        // keys it wrote (another writer may have replaced them since).
        let mut to_read: HashMap<String, HashSet<String>> = HashMap::new();
        let mut keys: HashSet<Key> = HashSet::new();
        for r in work.iter().flat_map(|w| w.closed.iter().chain(&w.open)) {
            let k = key(r);
            if !self.base.contains_key(&k) || self.written.contains_key(&k) {
                to_read
                    .entry(r.day.clone())
                    .or_default()
                    .insert(r.truck_id.clone());
                keys.insert(k);
            }
        }
        let mut stored_now: HashMap<Key, Rollup> = HashMap::new();
        for (day, trucks) in to_read {
            let stored = store
                .rollups(RollupFilter {
                    trucks: Some(trucks.into_iter().collect()),
                    drivers: None,
                    from_day: Some(day.clone()),
                    to_day: Some(day),
                })
                .await?;
            for rec in stored {
                let r = rollup_of(rec);
                let k = key(&r);
                if keys.contains(&k) {
                    stored_now.insert(k, r);
                }
            }
        }
        // The live accumulation of each key in this chunk (the open snapshot, else the
        // closed rollup): what a rebuild elsewhere has already counted.
        let mut live_now: HashMap<Key, Rollup> = HashMap::new();
        for w in &work {
            for r in w.closed.iter().chain(&w.open) {
                live_now
                    .entry(key(r))
                    .and_modify(|a| a.add(r))
                    .or_insert_with(|| r.clone());
            }
        }
        for k in keys {
            let stored = stored_now.remove(&k);
            match self.written.get(&k) {
                Some(mine) if stored.as_ref() != Some(mine) => {
                    tracing::warn!(
                        truck = %k.0, day = %k.1,
                        "rollup replaced by another writer (an import?); live adds only what follows"
                    );
                    let base = stored.unwrap_or_else(|| empty_like(mine));
                    self.base.insert(k.clone(), base);
                    self.written.remove(&k);
                    if let Some(now) = live_now.get(&k) {
                        self.offset.insert(k, now.clone());
                    }
                }
                Some(_) => {}
                None => {
                    if let Some(r) = stored {
                        // A key whose open part this process stored is already in `base`.
                        self.base.entry(k).or_insert(r);
                    }
                }
            }
        }
        let mut out: HashMap<Key, Rollup> = HashMap::new();
        let mut open_keys = HashSet::new();
        for w in &work {
            for r in &w.closed {
                let k = key(r);
                let part = match self.offset.remove(&k) {
                    Some(o) => minus(r, &o),
                    None => r.clone(),
                };
                let b = self.base.entry(k.clone()).or_insert_with(|| empty_like(r));
                b.add(&part);
                out.insert(k, b.clone());
            }
        }
        for w in &work {
            for r in &w.open {
                let k = key(r);
                let part = match self.offset.get(&k) {
                    Some(o) => minus(r, o),
                    None => r.clone(),
                };
                let acc = out.entry(k.clone()).or_insert_with(|| {
                    self.base
                        .entry(k.clone())
                        .or_insert_with(|| empty_like(r))
                        .clone()
                });
                acc.add(&part);
                open_keys.insert(k);
            }
        }
        // Keys closed for good since the last write and not open now: evictable once
        // their day is well behind (their stored value is their base again).
        let newest = out.keys().map(|k| k.1.clone()).max();
        self.open_keys = open_keys;
        if let Some(newest) = newest {
            let open = &self.open_keys;
            let keep = |k: &Key| open.contains(k) || day_distance(&k.1, &newest) <= 2;
            self.base.retain(|k, _| keep(k));
            self.written.retain(|k, _| keep(k));
            self.offset.retain(|k, _| keep(k));
        }
        let mut records: HashMap<Key, fc_store::RollupRecord> = std::mem::take(&mut self.retry);
        for (k, r) in out {
            records.insert(k, rollup_record(&r));
        }
        let records: Vec<fc_store::RollupRecord> = records.into_values().collect();
        match store.upsert_rollups(&records).await {
            Ok(n) => {
                for r in &records {
                    let r = rollup_of(r.clone());
                    self.written.insert(key(&r), r);
                }
                Ok(n)
            }
            Err(e) => {
                for r in records {
                    self.retry
                        .insert((r.truck_id.clone(), r.day.clone(), r.driver_id.clone()), r);
                }
                Err(e)
            }
        }
    }
}

fn empty_like(r: &Rollup) -> Rollup {
    Rollup {
        truck_id: r.truck_id.clone(),
        day: r.day.clone(),
        driver_id: r.driver_id.clone(),
        ..Rollup::default()
    }
}

/// `a` less `b`, field by field over the sums (identity and span are `a`'s), so that
/// `b + minus(a, b)` adds up to `a`. Through the serialised form, so that a sum
/// field added to `Rollup` later is subtracted too.
fn minus(a: &Rollup, b: &Rollup) -> Rollup {
    const KEEP: [&str; 5] = ["truck_id", "day", "driver_id", "start_ms", "end_ms"];
    let (Ok(serde_json::Value::Object(mut va)), Ok(serde_json::Value::Object(vb))) =
        (serde_json::to_value(a), serde_json::to_value(b))
    else {
        return a.clone();
    };
    for (f, x) in va.iter_mut() {
        if KEEP.contains(&f.as_str()) {
            continue;
        }
        let (serde_json::Value::Number(xa), Some(serde_json::Value::Number(xb))) = (&*x, vb.get(f))
        else {
            continue;
        };
        *x = match (xa.as_u64(), xb.as_u64()) {
            (Some(p), Some(q)) => p.saturating_sub(q).into(),
            _ => serde_json::Number::from_f64(
                xa.as_f64().unwrap_or(0.0) - xb.as_f64().unwrap_or(0.0),
            )
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        };
    }
    serde_json::from_value(serde_json::Value::Object(va)).unwrap_or_else(|_| a.clone())
}

/// Whole days from `a` to `b` (`YYYY-MM-DD`); unparsable days count as far apart.
fn day_distance(a: &str, b: &str) -> i64 {
    let parse = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
    match (parse(a), parse(b)) {
        (Some(a), Some(b)) => (b - a).num_days().abs(),
        _ => i64::MAX,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rollup(truck: &str, day: &str, points: u64) -> Rollup {
        Rollup {
            truck_id: truck.into(),
            day: day.into(),
            driver_id: "D1".into(),
            start_ms: 1,
            end_ms: 2,
            points,
            ..Rollup::default()
        }
    }

    fn work(truck: &str, closed: Vec<Rollup>, open: Vec<Rollup>) -> RollupWork {
        RollupWork {
            truck: truck.into(),
            closed,
            open,
        }
    }

    async fn stored_points(store: &Store) -> HashMap<(String, String), u64> {
        store
            .rollups(RollupFilter::default())
            .await
            .unwrap()
            .into_iter()
            .map(|r| {
                let r = rollup_of(r);
                ((r.truck_id, r.day), r.points)
            })
            .collect()
    }

    /// Work queued twice for a truck before a write: the closed parts add up, the
    /// newer open snapshot replaces the older (adding both would count it twice);
    /// more trucks than a chunk are all written.
    #[tokio::test]
    async fn queued_work_supersedes_open_snapshots_and_is_chunked() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_path(&dir.path().join("r.db")).await.unwrap();
        let mut w = RollupWriter::default();
        w.queue(vec![work(
            "T1",
            vec![rollup("T1", "2024-06-01", 10)],
            vec![rollup("T1", "2024-06-02", 5)],
        )]);
        w.queue(vec![work(
            "T1",
            vec![rollup("T1", "2024-06-01", 1)],
            vec![rollup("T1", "2024-06-02", 8)],
        )]);
        let many: Vec<RollupWork> = (0..CHUNK_TRUCKS + 7)
            .map(|i| {
                let t = format!("X{i:04}");
                work(&t, Vec::new(), vec![rollup(&t, "2024-06-02", 3)])
            })
            .collect();
        w.queue(many);
        assert!(w.due());
        let n = w.write_queued(&store).await.unwrap();
        assert_eq!(n as usize, 2 + CHUNK_TRUCKS + 7);
        assert!(!w.due());
        let got = stored_points(&store).await;
        assert_eq!(got[&("T1".into(), "2024-06-01".into())], 11);
        assert_eq!(got[&("T1".into(), "2024-06-02".into())], 8);
        assert_eq!(got.len(), 2 + CHUNK_TRUCKS + 7);
        // The open day grows: the next snapshot replaces the stored open part.
        w.queue(vec![work(
            "T1",
            Vec::new(),
            vec![rollup("T1", "2024-06-02", 9)],
        )]);
        w.write_queued(&store).await.unwrap();
        assert_eq!(
            stored_points(&store).await[&("T1".into(), "2024-06-02".into())],
            9
        );
    }

    async fn day_points(store: &Store, day: &str) -> u64 {
        stored_points(store).await[&("T1".into(), day.into())]
    }

    /// An import rebuilds a day between two live writes (here: overwrites the key):
    /// live never overwrites it again and adds only what it receives afterwards.
    #[tokio::test]
    async fn another_writers_rebuild_is_kept_and_nothing_counts_twice() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_path(&dir.path().join("r.db")).await.unwrap();
        let day = "2024-06-02";
        let mut w = RollupWriter::default();
        let open = |n| work("T1", Vec::new(), vec![rollup("T1", day, n)]);
        w.queue(vec![open(5)]);
        w.write_queued(&store).await.unwrap();
        assert_eq!(day_points(&store, day).await, 5);
        // The import's rebuild: every stored point of the day, the live ones included.
        store
            .upsert_rollups(&[rollup_record(&rollup("T1", day, 100))])
            .await
            .unwrap();
        // Live noticed at 8 points: those count as in the rebuild.
        w.queue(vec![open(8)]);
        w.write_queued(&store).await.unwrap();
        assert_eq!(day_points(&store, day).await, 100);
        w.queue(vec![open(12)]);
        w.write_queued(&store).await.unwrap();
        assert_eq!(day_points(&store, day).await, 104);
        // The day closes: the rest of the live part is added for good.
        w.queue(vec![work("T1", vec![rollup("T1", day, 15)], Vec::new())]);
        w.write_queued(&store).await.unwrap();
        assert_eq!(day_points(&store, day).await, 107);
    }

    #[test]
    fn minus_undoes_add() {
        let mut a = rollup("T1", "2024-06-02", 10);
        a.distance_km = 12.5;
        a.fuel_l = Some(4.0);
        a.harsh_brake = 3;
        let mut b = rollup("T1", "2024-06-02", 4);
        b.distance_km = 2.5;
        b.fuel_l = Some(1.5);
        b.harsh_brake = 1;
        let d = minus(&a, &b);
        assert_eq!(
            (d.points, d.distance_km, d.fuel_l, d.harsh_brake),
            (6, 10.0, Some(2.5), 2)
        );
        let mut back = b.clone();
        back.add(&d);
        assert_eq!(back, a);
    }
}
