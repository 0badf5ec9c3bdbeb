//! Live fleet: telemetry over WebSocket into the store, the detector and the bus.
//!
//! ```text
//!  gateway (sim / CSV replay / channel)      feed client                 ingest pipeline                        bus
//!  journal: seq-numbered batches,  ──ws──>  hello+token, resume,  ──>  flush ~20 ms or N rows:          ──>  truck-update (per commit),
//!  replay window, heartbeats,               backoff+jitter,            validate, detect (one             alert (persisted outbox, seq),
//!  ack window                               heartbeat timeouts,        TruckDetector per truck),         fleet-stats (1 s); server
//!                                           bounded queue              ONE write_batch (points,           mode re-exposes it over WS
//!                                                                      quarantine, cursor), then ack
//! ```
//!
//! Delivery is at least once on the wire and exactly once in the store: the
//! server numbers batches, the client acknowledges a `seq` only after the
//! transaction holding it (and the feed cursor) committed, and resumes after
//! the committed cursor; the store's idempotent key absorbs any redelivery.
//! The bus publishes only committed data. The protocol is in `PROTOCOL.md`.

#![deny(missing_docs)]

mod alerts;
pub mod bus;
pub mod client;
mod clock;
mod error;
pub mod gateway;
mod persist;
pub mod pipeline;
pub mod protocol;
pub mod records;
mod rollups;
mod scoring;
pub mod server;
mod source;
pub mod stages;
mod validate;

pub use alerts::{LiveRules, fuel_pct_on_board, litres_on_board, state_of};
pub use bus::{
    Alert, AlertKind, Bus, Coalescer, FeedStatus, FleetStats, LatencyStats, TruckState,
    TruckUpdate, TruckUpdateBatch,
};
pub use client::{FeedClientConfig, FeedCounters, FeedEvent, spawn_feed_client};
pub use error::LiveError;
pub use gateway::{Chaos, Gateway, GatewayConfig, GatewayHandle};
pub use pipeline::{Live, LiveConfig};
pub use records::EventScores;
pub use scoring::ModelScoring;
pub use server::{BusServerConfig, BusServerHandle, serve_bus};
pub use source::Source;
pub use stages::{Stage, StageSummary, StageTimings};
pub use validate::validate_point;

/// Wall clock, UTC ms.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// An order-independent digest of a point's key, summed (wrapping) over a stream: two
/// streams of distinct keys with the same count and digest sum hold the same keys (up to
/// a 2^-64 chance). The load benchmark checks the store against the gateway with it.
pub fn key_digest(truck_id: &str, ts: i64) -> u64 {
    // FNV-1a over the id and the timestamp, then a SplitMix64 finaliser.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in truck_id.bytes().chain(ts.to_le_bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h ^= h >> 30;
    h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^= h >> 27;
    h = h.wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// A fresh random token (128 bits, hex), for feeds that live in one process.
pub fn random_token() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// Compares two secrets in time independent of where they differ.
pub(crate) fn token_matches(given: &str, expected: &str) -> bool {
    let (a, b) = (given.as_bytes(), expected.as_bytes());
    let mut diff = a.len() ^ b.len();
    for i in 0..a.len().max(b.len()) {
        diff |= usize::from(a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0));
    }
    diff == 0
}
