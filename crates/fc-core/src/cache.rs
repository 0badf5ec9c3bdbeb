//! The read cache in front of the derived reads (truck detail, event lists, the
//! coaching report).
//!
//! Entries are never invalidated one by one: every key carries the data version
//! it was computed at, and every write through `Core` (import, detection,
//! verdicts, acks, settings) bumps the global version, while a live commit bumps
//! the versions of the trucks it touched (from the bus). A lookup builds its key
//! from the current versions, so an entry computed before a write is simply never
//! asked for again and ages out of the LRU. A read that races a write may store a
//! result under the older version; it is newer than that version, never staler.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::dto_events::StoredEventDto;
use crate::dto_reads::CoachReportDto;
use crate::truck_detail::TruckDetail;

/// Entries kept; a truck detail of 2,000 samples is about 100 KB.
const MAX_ENTRIES: u64 = 512;

/// How the read cache is doing.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
pub struct CacheStats {
    /// Entries held now.
    #[ts(type = "number")]
    pub entries: u64,
    /// Lookups served from the cache.
    #[ts(type = "number")]
    pub hits: u64,
    /// Lookups computed.
    #[ts(type = "number")]
    pub misses: u64,
    /// hits / (hits + misses); absent before the first lookup.
    pub hit_ratio: Option<f64>,
}

/// A cached value.
#[derive(Clone)]
pub(crate) enum Cached {
    Detail(Arc<TruckDetail>),
    Events(Arc<Vec<StoredEventDto>>),
    Coach(Arc<CoachReportDto>),
}

/// The read cache and the data versions its keys carry.
pub(crate) struct ReadCache {
    cache: moka::sync::Cache<String, Cached>,
    /// Bumped by every write through `Core`.
    global: AtomicU64,
    /// Bumped by every live commit or new live alert (fleet-wide reads).
    live: AtomicU64,
    /// Per truck, bumped by the live commits that touched it.
    trucks: Mutex<HashMap<String, u64>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl std::fmt::Debug for ReadCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReadCache")
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

impl ReadCache {
    pub(crate) fn new() -> ReadCache {
        ReadCache {
            cache: moka::sync::Cache::new(MAX_ENTRIES),
            global: AtomicU64::new(0),
            live: AtomicU64::new(0),
            trucks: Mutex::new(HashMap::new()),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// A write through `Core`: every derived read is out of date.
    pub(crate) fn bump_all(&self) {
        self.global.fetch_add(1, Ordering::SeqCst);
    }

    /// A live commit or alert: fleet-wide reads are out of date.
    pub(crate) fn bump_live(&self) {
        self.live.fetch_add(1, Ordering::SeqCst);
    }

    /// A live commit touched these trucks.
    pub(crate) fn bump_trucks<'a>(&self, ids: impl Iterator<Item = &'a str>) {
        {
            let mut t = self.trucks.lock().unwrap_or_else(PoisonError::into_inner);
            for id in ids {
                *t.entry(id.to_string()).or_insert(0) += 1;
            }
        }
        self.bump_live();
    }

    /// The version part of a key about one truck.
    pub(crate) fn truck_version(&self, truck_id: &str) -> String {
        let t = self
            .trucks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(truck_id)
            .copied()
            .unwrap_or(0);
        format!("g{}t{t}", self.global.load(Ordering::SeqCst))
    }

    /// The version part of a key about the whole fleet.
    pub(crate) fn fleet_version(&self) -> String {
        format!(
            "g{}l{}",
            self.global.load(Ordering::SeqCst),
            self.live.load(Ordering::SeqCst)
        )
    }

    /// The entry for `key`, counting a hit or a miss.
    pub(crate) fn get(&self, key: &str) -> Option<Cached> {
        let found = self.cache.get(key);
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    pub(crate) fn put(&self, key: String, value: Cached) {
        self.cache.insert(key, value);
    }

    pub(crate) fn stats(&self) -> CacheStats {
        // Pending inserts and evictions are applied first, so `entries` is current.
        self.cache.run_pending_tasks();
        let hits = self.hits.load(Ordering::Relaxed);
        let misses = self.misses.load(Ordering::Relaxed);
        let total = hits + misses;
        CacheStats {
            entries: self.cache.entry_count(),
            hits,
            misses,
            hit_ratio: (total > 0).then(|| hits as f64 / total as f64),
        }
    }
}

/// What a write through `Core` changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Write {
    /// Points, trucks, purchases or rollups.
    Import,
    /// Stored events or their scores (and their alerts).
    Events,
    /// A verdict.
    Verdict,
    /// An alert acknowledged.
    Ack,
    /// Fleet settings (the alert threshold changes what alerts).
    Settings,
}

impl crate::core::Core {
    /// Records a write: derived reads move to a new data version, and the fleet view
    /// re-reads what the write changed.
    pub(crate) fn wrote(&self, what: Write) {
        self.cache.bump_all();
        match what {
            Write::Import => self.fleet.mark_stale(),
            Write::Events | Write::Ack => self.fleet.mark_alerts_stale(),
            Write::Verdict | Write::Settings => {}
        }
    }

    /// Entries, hits, misses and hit ratio of the read cache.
    pub fn cache_stats(&self) -> CacheStats {
        self.cache.stats()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events() -> Cached {
        Cached::Events(Arc::new(Vec::new()))
    }

    #[test]
    fn keys_move_with_the_versions() {
        let c = ReadCache::new();
        let k1 = format!("x|{}", c.truck_version("T1"));
        c.put(k1.clone(), events());
        assert!(c.get(&k1).is_some());
        // Another truck's live commit leaves T1's key alone, not the fleet's.
        let f1 = c.fleet_version();
        c.bump_trucks(["T2"].into_iter());
        assert_eq!(format!("x|{}", c.truck_version("T1")), k1);
        assert_ne!(c.fleet_version(), f1);
        c.bump_trucks(["T1"].into_iter());
        let k2 = format!("x|{}", c.truck_version("T1"));
        assert_ne!(k1, k2);
        assert!(c.get(&k2).is_none());
        c.bump_all();
        assert_ne!(format!("x|{}", c.truck_version("T1")), k2);
        let s = c.stats();
        assert_eq!((s.hits, s.misses, s.entries), (1, 1, 1));
        assert_eq!(s.hit_ratio, Some(0.5));
    }
}
