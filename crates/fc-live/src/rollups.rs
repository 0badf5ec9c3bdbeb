//! Coaching rollups at ingest (decision 10): each truck's points stream into its
//! own `fc_coach::RollupBuilder` in the pipeline; every write interval (and at the
//! end of a feed) the committer stores, right after the commit that holds the
//! points, the rollups of the days that moved. Rollups that closed (a day or a
//! driver ended, plus the detector's horizon for late fills and drains) are added
//! to what the store held for their key before (a restart, an import); the open
//! ones are written as they stand and replaced at the next write.

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
                closed,
                open: b.snapshot(),
            }
        })
    }
}

/// One truck's rollups for the committer.
#[derive(Debug, Default)]
pub(crate) struct RollupWork {
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
}

impl RollupWriter {
    /// Applies one write interval's work; returns the rollups written.
    pub async fn write(&mut self, store: &Store, work: Vec<RollupWork>) -> Result<u64, StoreError> {
        if work.is_empty() && self.retry.is_empty() {
            return Ok(0);
        }
        // What the store holds for keys this process has not seen yet.
        let mut missing: HashMap<String, HashSet<String>> = HashMap::new();
        for r in work.iter().flat_map(|w| w.closed.iter().chain(&w.open)) {
            if !self.base.contains_key(&key(r)) {
                missing
                    .entry(r.day.clone())
                    .or_default()
                    .insert(r.truck_id.clone());
            }
        }
        for (day, trucks) in missing {
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
                // A key whose open part this process stored is already in `base`.
                self.base.entry(k).or_insert(r);
            }
        }
        let mut out: HashMap<Key, Rollup> = HashMap::new();
        let mut open_keys = HashSet::new();
        for w in &work {
            for r in &w.closed {
                let k = key(r);
                let b = self.base.entry(k.clone()).or_insert_with(|| empty_like(r));
                b.add(r);
                out.insert(k, b.clone());
            }
        }
        for w in &work {
            for r in &w.open {
                let k = key(r);
                let acc = out.entry(k.clone()).or_insert_with(|| {
                    self.base
                        .entry(k.clone())
                        .or_insert_with(|| empty_like(r))
                        .clone()
                });
                acc.add(r);
                open_keys.insert(k);
            }
        }
        // Keys closed for good since the last write and not open now: evictable once
        // their day is well behind (their stored value is their base again).
        let newest = out.keys().map(|k| k.1.clone()).max();
        self.open_keys = open_keys;
        if let Some(newest) = newest {
            let open = &self.open_keys;
            self.base
                .retain(|k, _| open.contains(k) || day_distance(&k.1, &newest) <= 2);
        }
        let mut records: HashMap<Key, fc_store::RollupRecord> = std::mem::take(&mut self.retry);
        for (k, r) in out {
            records.insert(k, rollup_record(&r));
        }
        let records: Vec<fc_store::RollupRecord> = records.into_values().collect();
        match store.upsert_rollups(&records).await {
            Ok(n) => Ok(n),
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

/// Whole days from `a` to `b` (`YYYY-MM-DD`); unparsable days count as far apart.
fn day_distance(a: &str, b: &str) -> i64 {
    let parse = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok();
    match (parse(a), parse(b)) {
        (Some(a), Some(b)) => (b - a).num_days().abs(),
        _ => i64::MAX,
    }
}
