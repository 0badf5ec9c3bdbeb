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
mod error;
pub mod gateway;
mod persist;
pub mod pipeline;
pub mod protocol;
pub mod server;
mod source;
mod validate;

pub use bus::{
    Alert, AlertKind, Bus, Coalescer, FeedStatus, FleetStats, LatencyStats, TruckState,
    TruckUpdate, TruckUpdateBatch,
};
pub use client::{FeedClientConfig, FeedCounters, FeedEvent, spawn_feed_client};
pub use error::LiveError;
pub use gateway::{Chaos, Gateway, GatewayConfig, GatewayHandle};
pub use alerts::LiveRules;
pub use pipeline::{Live, LiveConfig};
pub use server::{BusServerConfig, BusServerHandle, serve_bus};
pub use source::Source;
pub use validate::validate_point;

/// Wall clock, UTC ms.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
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
