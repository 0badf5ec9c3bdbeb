//! The in-process bus and its payloads (plain serde types with TypeScript
//! bindings, forwarded by the desktop shell and the bus server).
//!
//! - `truck-update`: one [`TruckUpdateBatch`] per commit, one update per truck
//!   touched (the latest state). Faces that want fewer messages (the UI, about
//!   every 250 ms) run a [`Coalescer`]; a receiver that lags re-reads the
//!   versioned snapshot, so it loses intermediate states, never the latest.
//! - `alert`: the persisted outbox; [`Bus::alert_head`] announces its newest
//!   seq and receivers read `alerts_after(their seq)` from the store, so a
//!   lagging receiver never loses an alert.
//! - `fleet-stats`: once a second.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use tokio::sync::{broadcast, watch};
use ts_rs::TS;

/// What a truck is doing, from its latest point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TruckState {
    /// Moving (speed at least 1 km/h).
    Driving,
    /// Ignition on, standing, PTO off (the coaching idle rule).
    Idle,
    /// Ignition on, standing, PTO engaged (working, not idling).
    Working,
    /// Ignition off.
    Parked,
    /// No point for longer than the fleet's offline threshold.
    Offline,
    /// Not enough data to tell.
    Unknown,
}

/// The latest state of one truck.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TruckUpdate {
    /// The truck.
    pub truck_id: String,
    /// Increases with every update of this truck (snapshot version).
    #[ts(type = "number")]
    pub version: u64,
    /// Time of the latest point, UTC ms.
    #[ts(type = "number")]
    pub ts_ms: i64,
    /// Latitude, degrees.
    pub lat: Option<f64>,
    /// Longitude, degrees.
    pub lon: Option<f64>,
    /// Speed, km/h.
    pub speed_kmh: Option<f64>,
    /// Fuel on board, litres (all tanks; the gauge through the calibration when needed).
    pub fuel_l: Option<f64>,
    /// Fuel on board, percent of capacity.
    pub fuel_pct: Option<f64>,
    /// Ignition.
    pub ignition: Option<bool>,
    /// Driver.
    pub driver_id: Option<String>,
    /// What the truck is doing.
    pub state: TruckState,
    /// Points folded into this update.
    pub points: u32,
    /// When the gateway emitted the oldest of those points, UTC ms (for feed-to-bus latency).
    #[ts(type = "number")]
    pub emitted_ms: i64,
}

/// The `truck-update` payload: the trucks a commit touched.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct TruckUpdateBatch {
    /// When it was published, UTC ms.
    #[ts(type = "number")]
    pub at_ms: i64,
    /// One per truck.
    pub updates: Vec<TruckUpdate>,
}

/// Kinds of alert (the outbox's `kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    /// A fill at or above the alert threshold.
    Fill,
    /// A drain at or above the alert threshold.
    Drain,
    /// A sensor fault.
    SensorFault,
    /// Fuel below the fleet's low-fuel level.
    LowFuel,
    /// Idling longer than the fleet's limit.
    LongIdle,
    /// No data for longer than the fleet's offline threshold.
    Offline,
}

impl AlertKind {
    /// Stable code (the outbox's `kind`).
    pub fn code(self) -> &'static str {
        match self {
            AlertKind::Fill => "fill",
            AlertKind::Drain => "drain",
            AlertKind::SensorFault => "sensor_fault",
            AlertKind::LowFuel => "low_fuel",
            AlertKind::LongIdle => "long_idle",
            AlertKind::Offline => "offline",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<AlertKind> {
        [
            AlertKind::Fill,
            AlertKind::Drain,
            AlertKind::SensorFault,
            AlertKind::LowFuel,
            AlertKind::LongIdle,
            AlertKind::Offline,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }
}

/// The `alert` payload: one outbox entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Alert {
    /// Outbox sequence number (monotonic, resumable).
    #[ts(type = "number")]
    pub seq: i64,
    /// When it happened (data time), UTC ms.
    #[ts(type = "number")]
    pub ts_ms: i64,
    /// The truck.
    pub truck_id: String,
    /// What.
    pub kind: AlertKind,
    /// The event behind it (fills, drains, faults).
    pub event_id: Option<String>,
    /// Details: numbers and codes (volume, confidence, status, level, minutes...), no prose.
    #[ts(type = "unknown")]
    pub payload: serde_json::Value,
}

/// Percentiles of the feed-to-bus latency, ms.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct LatencyStats {
    /// Points measured.
    #[ts(type = "number")]
    pub samples: u64,
    /// Median.
    pub p50_ms: f64,
    /// 95th percentile.
    pub p95_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Largest.
    pub max_ms: f64,
}

/// The feed connection as `fleet-stats` shows it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct FeedStatus {
    /// Connected now.
    pub connected: bool,
    /// Successful connections so far.
    #[ts(type = "number")]
    pub connects: u64,
    /// Connection attempts that failed.
    #[ts(type = "number")]
    pub failed_attempts: u64,
    /// Dead connections detected by heartbeat silence.
    #[ts(type = "number")]
    pub heartbeat_timeouts: u64,
    /// Skipped messages: malformed, oversized, unknown type.
    #[ts(type = "number")]
    pub malformed: u64,
    /// Oversized messages skipped.
    #[ts(type = "number")]
    pub oversized: u64,
    /// Unknown messages skipped.
    #[ts(type = "number")]
    pub unknown: u64,
    /// Resyncs after an expired cursor (gaps recorded in quarantine as `feed_gap`).
    #[ts(type = "number")]
    pub gaps: u64,
    /// The server's last refusal (`unauthorized`, `unsupported_version`), if any.
    pub refusal: Option<String>,
    /// Last committed seq.
    #[ts(type = "number")]
    pub cursor: i64,
    /// Newest seq the server announced.
    #[ts(type = "number")]
    pub server_head: i64,
}

/// The `fleet-stats` payload, once a second.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct FleetStats {
    /// When, UTC ms.
    #[ts(type = "number")]
    pub at_ms: i64,
    /// Newest data time seen, UTC ms (0 before the first point).
    #[ts(type = "number")]
    pub data_time_ms: i64,
    /// Trucks seen.
    pub trucks: u32,
    /// Trucks driving.
    pub driving: u32,
    /// Trucks idling.
    pub idle: u32,
    /// Trucks parked or working.
    pub parked: u32,
    /// Trucks offline.
    pub offline: u32,
    /// Points received in total.
    #[ts(type = "number")]
    pub points: u64,
    /// Points newly stored in total.
    #[ts(type = "number")]
    pub stored: u64,
    /// Points already stored (redelivered) in total.
    #[ts(type = "number")]
    pub duplicates: u64,
    /// Conflicting duplicates (quarantined) in total.
    #[ts(type = "number")]
    pub conflicts: u64,
    /// Quarantine entries (bad fields, unusable points, gaps) in total.
    #[ts(type = "number")]
    pub quarantined: u64,
    /// Points per second over the last interval.
    pub points_per_s: f64,
    /// Commits (transactions) in total.
    #[ts(type = "number")]
    pub commits: u64,
    /// Commits that failed and were retried.
    #[ts(type = "number")]
    pub commit_retries: u64,
    /// Batches waiting in the client-to-pipeline queue.
    pub queue_depth: u32,
    /// Feed-to-bus latency over the last interval.
    pub latency: LatencyStats,
    /// Feed-to-bus latency since the start.
    pub latency_total: LatencyStats,
    /// Newest alert seq.
    #[ts(type = "number")]
    pub alert_head: i64,
    /// The feed connection.
    pub feed: FeedStatus,
}

/// The bus: cheap to clone, one per live pipeline.
#[derive(Clone)]
pub struct Bus {
    inner: Arc<Inner>,
}

struct Inner {
    updates: broadcast::Sender<Arc<TruckUpdateBatch>>,
    stats: watch::Sender<Arc<FleetStats>>,
    alert_head: watch::Sender<i64>,
    snapshot: Mutex<HashMap<String, TruckUpdate>>,
}

impl Default for Bus {
    fn default() -> Self {
        Bus::new()
    }
}

impl Bus {
    /// An empty bus.
    pub fn new() -> Bus {
        let (updates, _) = broadcast::channel(1024);
        let (stats, _) = watch::channel(Arc::new(FleetStats::default()));
        let (alert_head, _) = watch::channel(0);
        Bus {
            inner: Arc::new(Inner {
                updates,
                stats,
                alert_head,
                snapshot: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Publishes a committed batch of truck updates (write-through to the snapshot first,
    /// so that a receiver that lags finds the state it missed).
    pub fn publish_updates(&self, batch: TruckUpdateBatch) {
        {
            let mut snap = self
                .inner
                .snapshot
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            for u in &batch.updates {
                snap.insert(u.truck_id.clone(), u.clone());
            }
        }
        let _ = self.inner.updates.send(Arc::new(batch));
    }

    /// Subscribes to `truck-update` batches from now on.
    pub fn subscribe_updates(&self) -> broadcast::Receiver<Arc<TruckUpdateBatch>> {
        self.inner.updates.subscribe()
    }

    /// The latest update of every truck, by truck id.
    pub fn snapshot(&self) -> Vec<TruckUpdate> {
        let snap = self
            .inner
            .snapshot
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut v: Vec<TruckUpdate> = snap.values().cloned().collect();
        v.sort_by(|a, b| a.truck_id.cmp(&b.truck_id));
        v
    }

    /// The latest update of one truck.
    pub fn truck(&self, truck_id: &str) -> Option<TruckUpdate> {
        self.inner
            .snapshot
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(truck_id)
            .cloned()
    }

    /// Publishes `fleet-stats`.
    pub fn publish_stats(&self, stats: FleetStats) {
        self.inner.stats.send_replace(Arc::new(stats));
    }

    /// Follows `fleet-stats` (the latest value; never lags).
    pub fn subscribe_stats(&self) -> watch::Receiver<Arc<FleetStats>> {
        self.inner.stats.subscribe()
    }

    /// Announces the newest committed alert seq.
    pub fn publish_alert_head(&self, seq: i64) {
        self.inner.alert_head.send_if_modified(|h| {
            let changed = seq > *h;
            *h = (*h).max(seq);
            changed
        });
    }

    /// Follows the newest alert seq; read the alerts from the outbox
    /// (`alerts_after`) when it moves.
    pub fn alert_head(&self) -> watch::Receiver<i64> {
        self.inner.alert_head.subscribe()
    }
}

/// Folds truck updates per truck between two takes (the UI's ~250 ms batches).
#[derive(Debug, Default)]
pub struct Coalescer {
    pending: HashMap<String, TruckUpdate>,
}

impl Coalescer {
    /// An empty coalescer.
    pub fn new() -> Coalescer {
        Coalescer::default()
    }

    /// Adds updates; per truck, the newest version wins, and the oldest emission time and
    /// the point counts are kept.
    pub fn push(&mut self, updates: &[TruckUpdate]) {
        for u in updates {
            match self.pending.get_mut(&u.truck_id) {
                Some(p) if p.version >= u.version => {}
                Some(p) => {
                    let (points, emitted) = (p.points, p.emitted_ms);
                    *p = u.clone();
                    p.points = p.points.saturating_add(points);
                    p.emitted_ms = p.emitted_ms.min(emitted);
                }
                None => {
                    self.pending.insert(u.truck_id.clone(), u.clone());
                }
            }
        }
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// Takes the pending updates, ordered by truck id.
    pub fn take(&mut self) -> Vec<TruckUpdate> {
        let mut v: Vec<TruckUpdate> = self.pending.drain().map(|(_, u)| u).collect();
        v.sort_by(|a, b| a.truck_id.cmp(&b.truck_id));
        v
    }
}
