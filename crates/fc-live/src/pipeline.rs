//! The ingest pipeline: flush at about 20 ms or N rows, whichever comes first;
//! per flush, validate, run each truck's streaming detector (the same
//! `fc_ledger::TruckDetector` as batch analysis), commit ONE `write_batch`
//! (points, quarantine, events, alerts and the feed cursor), and only then ack
//! the feed and publish on the bus.
//!
//! A failed commit is retried until it succeeds; nothing of it was acked, so
//! stopping meanwhile loses nothing (the gateway still has it). The detector
//! runs before the commit so that events commit with their points; a retried
//! commit reuses the same flush, so the detector never sees a point twice.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use fc_ledger::{DetectorConfig, EventUpdate, TruckDetector};
use fc_model::TruckProfile;
use fc_store::{FeedCursor, Origin, QuarantineEntry, Store};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::alerts::{LiveRules, NewAlert, TruckLive};
use crate::bus::{Alert, Bus, FeedStatus, FleetStats, LatencyStats, TruckState, TruckUpdateBatch};
use crate::client::{FeedClientConfig, FeedCounters, FeedEvent, spawn_feed_client};
use crate::clock::DataClock;
use crate::persist::{self, Flush};
use crate::records::{EventScores, event_record};
use crate::rollups::{RollupWork, RollupWriter, TruckRollup};
use crate::scoring::{ModelScoring, Scorer};
use crate::stages::{Stage, StageSummary, StageTimings};
use crate::{LiveError, now_ms};

/// Settings of a live pipeline.
#[derive(Debug, Clone)]
pub struct LiveConfig {
    /// The feed to follow.
    pub feed: FeedClientConfig,
    /// Name of the feed's cursor in the store (and the quarantine's `source`).
    pub feed_name: String,
    /// Flush after this long since the first unflushed batch, ms.
    pub flush_ms: u64,
    /// Or as soon as this many points wait.
    pub flush_rows: usize,
    /// Batches queued between the client and the pipeline (back-pressure beyond).
    pub queue_batches: usize,
    /// `fleet-stats` interval, ms (also the offline check).
    pub stats_ms: u64,
    /// Alert rules.
    pub rules: LiveRules,
    /// The detector's settings.
    pub detector: DetectorConfig,
    /// On start, each stored truck's detector and live state replay this much of its
    /// latest stored data (ms), so that a restart does not blind the detector or empty
    /// the fleet view; events and alerts found again are not re-published.
    pub warm_up_ms: i64,
    /// The fleet's time zone (rollup days, the model's hour of day).
    pub tz: chrono_tz::Tz,
    /// Theft scoring (decision 12); `None`: the rule's confidence decides.
    pub scoring: Option<ModelScoring>,
    /// Coaching settings for the rollups built at ingest; `None`: no rollups.
    pub coach: Option<fc_coach::CoachConfig>,
    /// Rollups of the days that moved are written this often (wall ms), and at the end.
    pub rollup_ms: u64,
    /// At most this many trucks' rollups are written per second (the interval then
    /// stretches: 10,000 trucks at 40/s are each written every ~4 minutes). The store
    /// writes rollups one statement per row; under a loaded CPU a row costs about a
    /// millisecond of the committer's time, which the commits would wait behind.
    pub rollup_trucks_per_s: f64,
    /// A closed rollup waits this long (data time) for late final fills and drains.
    pub rollup_horizon_ms: i64,
}

impl LiveConfig {
    /// Defaults for a feed.
    pub fn new(feed: FeedClientConfig) -> LiveConfig {
        LiveConfig {
            feed_name: feed.url.clone(),
            feed,
            flush_ms: 20,
            flush_rows: 5_000,
            queue_batches: 256,
            stats_ms: 1_000,
            rules: LiveRules::default(),
            detector: DetectorConfig::default(),
            warm_up_ms: 6 * 3_600_000,
            tz: chrono_tz::UTC,
            scoring: None,
            coach: Some(fc_coach::CoachConfig::default()),
            rollup_ms: 60_000,
            rollup_trucks_per_s: 40.0,
            rollup_horizon_ms: 6 * 3_600_000,
        }
    }
}

/// A running pipeline (client, ingest, bus).
pub struct Live {
    bus: Bus,
    store: Arc<Store>,
    counters: Arc<FeedCounters>,
    committed: watch::Receiver<i64>,
    ended: watch::Receiver<Option<i64>>,
    shutdown: watch::Sender<bool>,
    client: JoinHandle<()>,
    pipeline: JoinHandle<()>,
    shared: Arc<std::sync::Mutex<Shared>>,
}

impl Live {
    /// Starts following the feed from the cursor stored under `feed_name`.
    pub async fn start(store: Arc<Store>, config: LiveConfig) -> Result<Live, LiveError> {
        if config.flush_rows == 0 || config.queue_batches == 0 {
            return Err(LiveError::Invalid {
                what: "pipeline".into(),
                why: "flush rows and queue size must be at least 1".into(),
            });
        }
        let cursor = store.feed_cursor(&config.feed_name).await?;
        let profiles: HashMap<String, TruckProfile> = store
            .trucks()
            .await?
            .into_iter()
            .map(|p| (p.truck_id.clone(), p))
            .collect();
        let alert_head = persist::last_alert_seq(&store).await?;
        let bus = Bus::new();
        bus.publish_alert_head(alert_head);
        let (tx, rx) = mpsc::channel(config.queue_batches);
        let (committed_tx, committed) = watch::channel(cursor.unwrap_or(0));
        let (ended_tx, ended) = watch::channel(None);
        let (shutdown, shutdown_rx) = watch::channel(false);
        let (client, counters) = spawn_feed_client(
            config.feed.clone(),
            cursor,
            tx.clone(),
            committed.clone(),
            shutdown_rx.clone(),
        );
        drop(tx);
        let shared = Arc::new(std::sync::Mutex::new(Shared {
            stored: 0,
            duplicates: 0,
            conflicts: 0,
            quarantined: 0,
            commits: 0,
            commit_retries: 0,
            cursor: cursor.unwrap_or(0),
            alert_head,
            interval_latency: Vec::new(),
            total_latency: vec![0; LAT_BUCKETS],
            stages: StageTimings::default(),
        }));
        let (commit_tx, commit_rx) = mpsc::channel(1);
        let committer = tokio::spawn(
            Committer {
                store: Arc::clone(&store),
                bus: bus.clone(),
                shared: Arc::clone(&shared),
                committed_tx,
                ended_tx,
                rollups: RollupWriter::default(),
            }
            .run(commit_rx),
        );
        let mut p = Pipeline {
            store: Arc::clone(&store),
            bus: bus.clone(),
            counters: Arc::clone(&counters),
            source: Arc::from(config.feed_name.as_str()),
            trucks: HashMap::new(),
            profiles,
            last_seq: cursor,
            stats: FleetStats {
                alert_head,
                ..FleetStats::default()
            },
            shared: Arc::clone(&shared),
            commit_tx: Some(commit_tx),
            clock: DataClock::new(),
            ended_seq: None,
            scorer: config.scoring.as_ref().map(|s| Scorer::new(s, config.tz)),
            last_rollups: Instant::now(),
            order: Vec::new(),
            rollup_cursor: 0,
            rollup_credit: 0.0,
            times: PointTimes::default(),
            latest_buf: Vec::new(),
            cfg: config,
        };
        let pipeline = tokio::spawn(async move {
            if let Err(e) = p.warm_up().await {
                tracing::warn!(error = %e, "live warm-up from the store failed; detectors start empty");
            }
            p.run(rx, shutdown_rx).await;
            // The committer finishes what it was handed, then stops.
            drop(p);
            let _ = committer.await;
        });
        Ok(Live {
            bus,
            store,
            counters,
            committed,
            ended,
            shutdown,
            client,
            pipeline,
            shared,
        })
    }

    /// The bus.
    pub fn bus(&self) -> &Bus {
        &self.bus
    }

    /// The client's counters.
    pub fn feed_counters(&self) -> &FeedCounters {
        &self.counters
    }

    /// Follows the committed cursor.
    pub fn committed(&self) -> watch::Receiver<i64> {
        self.committed.clone()
    }

    /// Turns `Some(last_seq)` once a finite feed has ended and everything is committed.
    pub fn ended(&self) -> watch::Receiver<Option<i64>> {
        self.ended.clone()
    }

    /// Alerts after `seq` from the outbox, oldest first (how a receiver resumes).
    pub async fn alerts_after(&self, seq: i64, limit: u32) -> Result<Vec<Alert>, LiveError> {
        Ok(persist::alerts_after(&self.store, seq, limit).await?.0)
    }

    /// The store the pipeline writes to.
    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Where the time went so far, stage by stage (see [`Stage`]).
    pub fn stages(&self) -> Vec<StageSummary> {
        self.shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .stages
            .summary()
    }

    /// Stops the client, commits what is pending, and stops.
    pub async fn stop(self) {
        self.shutdown.send_replace(true);
        let _ = self.client.await;
        let _ = self.pipeline.await;
    }
}

/// Latency histogram: 1 ms buckets up to 60 s (the last bucket holds the rest).
const LAT_BUCKETS: usize = 60_001;

struct Pipeline {
    store: Arc<Store>,
    bus: Bus,
    counters: Arc<FeedCounters>,
    source: Arc<str>,
    trucks: HashMap<String, TruckLive>,
    profiles: HashMap<String, TruckProfile>,
    last_seq: Option<i64>,
    stats: FleetStats,
    shared: Arc<std::sync::Mutex<Shared>>,
    commit_tx: Option<mpsc::Sender<Job>>,
    clock: DataClock,
    ended_seq: Option<i64>,
    scorer: Option<Scorer>,
    /// When the rollup turn last moved on.
    last_rollups: Instant,
    /// Truck ids in arrival order: the rollup snapshots take turns along it.
    order: Vec<String>,
    rollup_cursor: usize,
    /// Trucks due for a rollup snapshot, fractional (n trucks per `rollup_ms`).
    rollup_credit: f64,
    /// Time spent per point in this flush, by stage.
    times: PointTimes,
    /// Reused by the data clock's quorum.
    latest_buf: Vec<i64>,
    cfg: LiveConfig,
}

/// Per-flush sums of the per-point stages.
#[derive(Default)]
struct PointTimes {
    score: Duration,
    rollups: Duration,
}

/// What waits for the next flush.
#[derive(Default)]
struct Pending {
    flush: Flush,
    /// (emitted_ms, points) per batch.
    batches: Vec<(i64, u32)>,
    /// Oldest emission per truck in this flush.
    emitted: HashMap<String, (i64, u32)>,
    since: Option<Instant>,
    /// When the first batch of this flush was taken.
    taken: Option<Instant>,
    /// Trucks whose state changed without a point (offline), published after the commit.
    updates: Vec<crate::bus::TruckUpdate>,
}

impl Pipeline {
    async fn run(
        &mut self,
        mut rx: mpsc::Receiver<FeedEvent>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let mut pending = Pending::default();
        let mut tick = tokio::time::interval(Duration::from_millis(self.cfg.stats_ms.max(10)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_tick = Instant::now();
        let mut points_at_tick = 0u64;
        let flush_after = Duration::from_millis(self.cfg.flush_ms);
        loop {
            let deadline = pending.since.map(|s| s + flush_after);
            tokio::select! {
                ev = rx.recv() => match ev {
                    Some(ev) => {
                        self.take(ev, &mut pending).await;
                        if pending.flush.points.len() >= self.cfg.flush_rows {
                            self.flush(&mut pending).await;
                        }
                    }
                    None => {
                        self.flush_with(&mut pending, true).await;
                        return;
                    }
                },
                _ = async { match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                } } => self.flush(&mut pending).await,
                _ = tick.tick() => {
                    // Offline checks ride on the stats tick, in data time (`clock`).
                    let now = Instant::now();
                    self.latest_buf.clear();
                    self.latest_buf.extend(self.trucks.values().filter_map(|t| t.latest.as_ref().map(|p| p.ts)));
                    self.clock.tick(now.into_std(), &mut self.latest_buf, self.cfg.rules.offline_after_ms);
                    let flowing = self.counters.connected.load(Ordering::Relaxed)
                        && self.ended_seq.is_none()
                        && rx.is_empty()
                        && pending.flush.points.is_empty();
                    let fleet_now = self.clock.now(now.into_std(), flowing);
                    let mut alerts = Vec::new();
                    let mut changed = Vec::new();
                    for t in self.trucks.values_mut() {
                        if let Some(a) = t.check_offline(fleet_now, &self.cfg.rules) {
                            alerts.push(a);
                            changed.extend(t.update(0, now_ms()));
                        }
                    }
                    if !alerts.is_empty() {
                        // Published by the committer with the commit holding the alerts.
                        pending.flush.alerts.extend(alerts);
                        pending.updates.extend(changed);
                        pending.since.get_or_insert_with(Instant::now);
                        self.flush(&mut pending).await;
                    }
                    let dt = last_tick.elapsed().as_secs_f64().max(1e-3);
                    last_tick = Instant::now();
                    self.stats.points_per_s = (self.stats.points - points_at_tick) as f64 / dt;
                    points_at_tick = self.stats.points;
                    self.publish_stats(rx.len(), fleet_now);
                }
                _ = shutdown.changed() => {
                    // The client stops too; what is queued is committed, then we stop.
                    while let Ok(ev) = rx.try_recv() {
                        self.take(ev, &mut pending).await;
                    }
                    self.flush_with(&mut pending, true).await;
                    return;
                }
            }
        }
    }

    async fn take(&mut self, ev: FeedEvent, pending: &mut Pending) {
        match ev {
            FeedEvent::Batch {
                seq,
                emitted_ms,
                points,
            } => {
                if self.last_seq.is_some_and(|l| seq <= l) {
                    return; // already committed (the client guards too)
                }
                self.last_seq = Some(seq);
                let queued = (now_ms() - emitted_ms).max(0) as u64;
                self.shared
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .stages
                    .record(
                        Stage::Queue,
                        Duration::from_millis(queued),
                        points.len() as u64,
                    );
                // The flush window counts from the batch's emission (bounded by one window, in
                // case the gateway's clock is off): a batch that waited in the queue during a
                // commit does not wait a whole window again.
                let now = Instant::now();
                let age = (now_ms() - emitted_ms).clamp(0, self.cfg.flush_ms as i64) as u64;
                let start = now.checked_sub(Duration::from_millis(age)).unwrap_or(now);
                pending.since = Some(pending.since.map_or(start, |s| s.min(start)));
                pending.taken.get_or_insert(now);
                pending.flush.cursor = Some(FeedCursor {
                    feed: self.source.to_string(),
                    seq,
                });
                pending.batches.push((emitted_ms, points.len() as u32));
                self.stats.points += points.len() as u64;
                let origin = Origin {
                    source: Arc::clone(&self.source),
                    line: None,
                };
                for mut p in points {
                    if !crate::validate_point(&self.source, &mut p, &mut pending.flush.quarantine) {
                        continue;
                    }
                    // Looked up before inserting: the id is copied once per flush, not per point.
                    match pending.emitted.get_mut(p.truck_id.as_str()) {
                        Some(e) => {
                            e.0 = e.0.min(emitted_ms);
                            e.1 += 1;
                        }
                        None => {
                            pending.emitted.insert(p.truck_id.clone(), (emitted_ms, 1));
                        }
                    }
                    pending.flush.points.push((p, origin.clone()));
                }
            }
            FeedEvent::Trucks(profiles) => {
                let mut ok = Vec::new();
                for mut p in profiles {
                    match fc_model::normalize_id(&p.truck_id) {
                        Ok(id) => {
                            p.truck_id = id.to_string();
                            ok.push(p);
                        }
                        Err(_) => tracing::warn!("truck profile without a usable id skipped"),
                    }
                }
                if let Err(e) = self.store.upsert_trucks(&ok).await {
                    tracing::warn!(error = %e, "truck profiles from the feed not stored");
                }
                for p in ok {
                    if let Some(t) = self.trucks.get_mut(&p.truck_id)
                        && t.detector.stats().points == 0
                    {
                        t.detector = TruckDetector::new(&p, &self.cfg.detector);
                        t.profile = p.clone();
                        if let Some(cfg) = &self.cfg.coach {
                            t.rollup = Some(TruckRollup::start(p.clone(), self.cfg.tz, cfg));
                        }
                    }
                    self.profiles.insert(p.truck_id.clone(), p);
                }
            }
            FeedEvent::Gap { after, resume_from } => {
                pending.since.get_or_insert_with(Instant::now);
                pending.flush.quarantine.push(QuarantineEntry {
                    source: self.source.to_string(),
                    line: None,
                    truck_id: None,
                    ts: Some(now_ms()),
                    field: None,
                    reason: "feed_gap".into(),
                    detail: serde_json::json!({
                        "after_seq": after,
                        "resume_from_seq": resume_from,
                    })
                    .to_string(),
                    raw: None,
                });
                self.last_seq = Some(resume_from - 1);
                pending.flush.cursor = Some(FeedCursor {
                    feed: self.source.to_string(),
                    seq: resume_from - 1,
                });
            }
            FeedEvent::End { last_seq } => {
                self.ended_seq = Some(last_seq);
                pending.since.get_or_insert_with(Instant::now);
            }
        }
    }

    async fn warm_up(&mut self) -> Result<(), fc_store::StoreError> {
        use futures::TryStreamExt;
        if self.cfg.warm_up_ms <= 0 {
            return Ok(());
        }
        let rules = self.cfg.rules.clone();
        let store = Arc::clone(&self.store);
        let mut ups = Vec::new();
        let mut discard = Vec::new();
        if let Some(s) = &mut self.scorer {
            // Stored final fills are the context's refuels and stations.
            for e in persist::final_fills(&store).await? {
                s.learn(&e);
            }
        }
        for s in store.point_stats().await? {
            let filter = fc_store::PointFilter {
                trucks: Some(vec![s.truck_id.clone()]),
                from: Some(s.last_ts.saturating_sub(self.cfg.warm_up_ms)),
                to: None,
            };
            let mut points = std::pin::pin!(store.points(filter));
            let mut events = Vec::new();
            while let Some(p) = points.try_next().await? {
                // Already stored, rolled up and alerted before the restart: only the
                // detector, the model's track and the live state learn from it.
                self.point(&p, &rules, &mut ups, &mut discard, &mut events, false);
                discard.clear();
                events.clear();
            }
        }
        let updates: Vec<_> = self
            .trucks
            .values_mut()
            .filter_map(|t| {
                t.version += 1;
                t.update(0, now_ms())
            })
            .collect();
        if !updates.is_empty() {
            self.bus.publish_updates(TruckUpdateBatch {
                at_ms: now_ms(),
                updates,
            });
        }
        Ok(())
    }

    fn truck(&mut self, id: &str) -> &mut TruckLive {
        if !self.trucks.contains_key(id) {
            let profile = self.profiles.get(id).cloned().unwrap_or(TruckProfile {
                truck_id: id.to_string(),
                name: id.to_string(),
                fuel_type: None,
                tanks: Vec::new(),
            });
            let det = TruckDetector::new(&profile, &self.cfg.detector);
            let mut t = TruckLive::new(profile.clone(), det);
            if self.scorer.is_some() {
                t.track = Some(fc_ml::TruckTrack::new());
            }
            if let Some(cfg) = &self.cfg.coach {
                t.rollup = Some(TruckRollup::start(profile, self.cfg.tz, cfg));
            }
            self.trucks.insert(id.to_string(), t);
            self.order.push(id.to_string());
        }
        self.trucks.get_mut(id).expect("inserted above")
    }

    /// One point through the detector, the model's track, the rollups (`live`: not
    /// at warm-up) and the live rules; decided fills and drains are scored and, at or
    /// above the threshold, alert.
    fn point(
        &mut self,
        point: &fc_model::TelemetryPoint,
        rules: &LiveRules,
        ups: &mut Vec<EventUpdate>,
        alerts: &mut Vec<NewAlert>,
        events: &mut Vec<fc_store::EventRecord>,
        live: bool,
    ) {
        self.truck(&point.truck_id);
        let Pipeline {
            trucks,
            scorer,
            times,
            ..
        } = self;
        let Some(t) = trucks.get_mut(point.truck_id.as_str()) else {
            return;
        };
        t.detector.push_into(point, ups);
        t.observe(point, rules, alerts);
        if let (Some(tr), Some(s)) = (&mut t.track, scorer.as_ref()) {
            let at = std::time::Instant::now();
            tr.push(point);
            // Pruned an hour at a time: the track stays within horizon + 1 h.
            if tr.len() as i64 > (s.horizon_ms + 3_600_000) / 60_000 {
                tr.prune_before(point.ts - s.horizon_ms);
            }
            times.score += at.elapsed();
        }
        if live && let Some(r) = &mut t.rollup {
            let at = std::time::Instant::now();
            r.push(point);
            t.rollup_dirty = true;
            times.rollups += at.elapsed();
        }
        for u in ups.drain(..) {
            match u {
                EventUpdate::Event(e) => {
                    let at = std::time::Instant::now();
                    let scores = scorer
                        .as_mut()
                        .and_then(|s| s.score(&fc_ml::Item::of_event(&e), t.track.as_ref()))
                        .unwrap_or_else(|| EventScores::rule_only(&e));
                    times.score += at.elapsed();
                    if let Some(s) = scorer.as_mut() {
                        s.learn(&e);
                    }
                    if live
                        && e.status == fc_ledger::EventStatus::Final
                        && let Some(r) = &mut t.rollup
                    {
                        r.event(&e);
                    }
                    t.on_event(&e, &scores, rules, alerts);
                    events.push(event_record(&e, &scores));
                }
                EventUpdate::Candidate(c) => {
                    // Below the rule's threshold; the model may rank it an alert
                    // (then it is stored as a final event, as `detect` does).
                    let Some(s) = scorer.as_mut() else { continue };
                    let at = std::time::Instant::now();
                    let scored = s.score(&fc_ml::Item::of_candidate(&c), t.track.as_ref());
                    times.score += at.elapsed();
                    let Some(scores) = scored else {
                        continue;
                    };
                    if scores.confidence >= rules.alert_threshold {
                        let e = fc_ml::dataset::candidate_as_event(&c);
                        t.on_event(&e, &scores, rules, alerts);
                        events.push(event_record(&e, &scores));
                    }
                }
            }
        }
    }

    /// The rollups that moved of the trucks whose turn it is: each truck once per
    /// `rollup_ms` (or slower, `rollup_trucks_per_s`), spread evenly over the interval
    /// (not all trucks in one burst, which held one commit for the whole fleet's
    /// snapshots); `all`: every truck.
    fn rollup_work(&mut self, all: bool) -> Vec<RollupWork> {
        let n = self.order.len();
        if n == 0 {
            return Vec::new();
        }
        let visit = if all {
            n
        } else {
            let now = Instant::now();
            let dt = now.duration_since(self.last_rollups).as_secs_f64() * 1000.0;
            self.last_rollups = now;
            let per_ms = (n as f64 / self.cfg.rollup_ms.max(1) as f64)
                .min(self.cfg.rollup_trucks_per_s.max(1e-3) / 1000.0);
            self.rollup_credit += dt * per_ms;
            let k = (self.rollup_credit as usize).min(n);
            self.rollup_credit = (self.rollup_credit - k as f64).min(n as f64);
            k
        };
        let horizon = self.cfg.rollup_horizon_ms;
        let mut work = Vec::new();
        for _ in 0..visit {
            self.rollup_cursor = (self.rollup_cursor + 1) % n;
            let Some(t) = self.trucks.get_mut(&self.order[self.rollup_cursor]) else {
                continue;
            };
            if !t.rollup_dirty {
                continue;
            }
            t.rollup_dirty = false;
            let (Some(r), Some(last)) = (&mut t.rollup, t.latest.as_ref()) else {
                continue;
            };
            let idle = t.detector.learned_rates().idle_lph;
            let mut w = r.take(last.ts.saturating_sub(horizon), idle);
            w.truck = last.truck_id.clone();
            work.push(w);
        }
        work
    }

    async fn flush(&mut self, pending: &mut Pending) {
        self.flush_with(pending, false).await;
    }

    async fn flush_with(&mut self, pending: &mut Pending, final_flush: bool) {
        let mut p = std::mem::take(pending);
        if p.flush.is_empty() && p.since.is_none() && !final_flush {
            return;
        }
        let started = Instant::now();
        let window = p.taken.map(|t| started.duration_since(t));
        self.times = PointTimes::default();
        // Detection and live state, in arrival order per truck.
        let mut ups: Vec<EventUpdate> = Vec::new();
        let mut alerts: Vec<NewAlert> = Vec::new();
        let rules = self.cfg.rules.clone();
        let mut events = std::mem::take(&mut p.flush.events);
        for (point, _) in &p.flush.points {
            self.point(point, &rules, &mut ups, &mut alerts, &mut events, true);
        }
        p.flush.events = events;
        p.flush.alerts.extend(alerts);
        let detected = started.elapsed();
        // Rollups of the days that moved: the trucks whose turn it is, and every truck
        // at the end of a feed.
        let end_now = self
            .ended_seq
            .is_some_and(|e| self.last_seq.unwrap_or(0) >= e);
        let all_rollups = final_flush || end_now;
        let rollups = if self.cfg.coach.is_some() {
            self.rollup_work(all_rollups)
        } else {
            Vec::new()
        };
        let rollups_taken = started.elapsed() - detected;
        {
            let t = &self.times;
            let mut sh = self
                .shared
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(w) = window {
                sh.stages.record(Stage::Window, w, 1);
            }
            if !p.flush.points.is_empty() {
                sh.stages.record(
                    Stage::Detect,
                    detected.saturating_sub(t.score + t.rollups),
                    1,
                );
            }
            if self.scorer.is_some() && !p.flush.points.is_empty() {
                sh.stages.record(Stage::Score, t.score, 1);
            }
            if self.cfg.coach.is_some() {
                sh.stages
                    .record(Stage::Rollups, t.rollups + rollups_taken, 1);
            }
        }
        // The trucks' states as of these points, published once they are committed.
        let mut updates = std::mem::take(&mut p.updates);
        updates.reserve(p.emitted.len());
        for (id, (emitted, n)) in &p.emitted {
            if let Some(t) = self.trucks.get_mut(id) {
                t.version += 1;
                updates.extend(t.update(*n, *emitted));
            }
        }
        let end = self
            .ended_seq
            .filter(|end| self.last_seq.unwrap_or(0) >= *end);
        let job = Job {
            cursor: p.flush.cursor.as_ref().map(|c| c.seq),
            n_alerts: p.flush.alerts.len(),
            n_quarantine: p.flush.quarantine.len() as u64,
            flush: p.flush,
            updates,
            batches: p.batches,
            end,
            rollups,
            all_rollups,
            queued: Instant::now(),
        };
        // One commit in flight while the next flush is prepared; more waits here
        // (and then in the client's bounded queue).
        if let Some(tx) = &self.commit_tx
            && tx.send(job).await.is_err()
        {
            tracing::error!("live committer stopped; the flush was not committed (nor acked)");
        }
    }

    fn publish_stats(&mut self, queued: usize, fleet_now: i64) {
        let mut s = self.stats.clone();
        s.at_ms = now_ms();
        s.data_time_ms = fleet_now.max(0);
        s.trucks = self.trucks.len() as u32;
        for t in self.trucks.values() {
            match if t.offline {
                TruckState::Offline
            } else {
                t.state
            } {
                TruckState::Driving => s.driving += 1,
                TruckState::Idle => s.idle += 1,
                TruckState::Parked | TruckState::Working => s.parked += 1,
                TruckState::Offline => s.offline += 1,
                TruckState::Unknown => {}
            }
        }
        s.queue_depth = queued as u32;
        {
            let mut sh = self
                .shared
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            s.stored = sh.stored;
            s.duplicates = sh.duplicates;
            s.conflicts = sh.conflicts;
            s.quarantined = sh.quarantined;
            s.commits = sh.commits;
            s.commit_retries = sh.commit_retries;
            s.alert_head = sh.alert_head;
            s.feed.cursor = sh.cursor;
            s.latency = weighted_percentiles(&mut sh.interval_latency);
            sh.interval_latency.clear();
            s.latency_total = histogram_percentiles(&sh.total_latency);
        }
        let c = &self.counters;
        s.feed = FeedStatus {
            connected: c.connected.load(Ordering::Relaxed),
            connects: c.connects.load(Ordering::Relaxed),
            failed_attempts: c.failed_attempts.load(Ordering::Relaxed),
            heartbeat_timeouts: c.heartbeat_timeouts.load(Ordering::Relaxed),
            malformed: c.malformed.load(Ordering::Relaxed),
            oversized: c.oversized.load(Ordering::Relaxed),
            unknown: c.unknown.load(Ordering::Relaxed),
            gaps: c.gaps.load(Ordering::Relaxed),
            refusal: c.last_refusal().map(str::to_string),
            cursor: s.feed.cursor,
            server_head: c.server_head.load(Ordering::Relaxed),
        };
        self.bus.publish_stats(s);
    }
}

/// A prepared flush and what to publish once it is committed.
struct Job {
    flush: Flush,
    cursor: Option<i64>,
    n_alerts: usize,
    n_quarantine: u64,
    updates: Vec<crate::bus::TruckUpdate>,
    batches: Vec<(i64, u32)>,
    end: Option<i64>,
    rollups: Vec<RollupWork>,
    /// Write every rollup now (the end of a feed, or stopping).
    all_rollups: bool,
    /// When it was handed to the committer.
    queued: Instant,
}

/// What the committer counts, read by the stats tick.
struct Shared {
    stored: u64,
    duplicates: u64,
    conflicts: u64,
    quarantined: u64,
    commits: u64,
    commit_retries: u64,
    cursor: i64,
    alert_head: i64,
    interval_latency: Vec<(u32, u32)>,
    total_latency: Vec<u64>,
    stages: StageTimings,
}

struct Committer {
    store: Arc<Store>,
    bus: Bus,
    shared: Arc<std::sync::Mutex<Shared>>,
    committed_tx: watch::Sender<i64>,
    ended_tx: watch::Sender<Option<i64>>,
    rollups: RollupWriter,
}

impl Committer {
    fn shared(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    async fn run(mut self, mut rx: mpsc::Receiver<Job>) {
        while let Some(job) = rx.recv().await {
            self.commit(job).await;
        }
    }

    async fn commit(&mut self, mut job: Job) {
        let picked = Instant::now();
        let handoff = picked.duration_since(job.queued);
        // Retry until it holds: nothing of it was acked, nothing may be lost.
        let mut wait = Duration::from_millis(20);
        let outcome = loop {
            match persist::commit(&self.store, job.flush.clone()).await {
                Ok(o) => break o,
                Err(e) => {
                    self.shared().commit_retries += 1;
                    tracing::error!(error = %e, code = e.code(), "live commit failed; retrying");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(2));
                }
            }
        };
        let committed = Instant::now();
        {
            let mut sh = self.shared();
            sh.stages.record(Stage::Handoff, handoff, 1);
            sh.stages
                .record(Stage::Commit, committed.duration_since(picked), 1);
            sh.commits += 1;
            sh.stored += outcome.stored;
            sh.duplicates += outcome.duplicates;
            sh.conflicts += outcome.conflicts;
            sh.quarantined += job.n_quarantine.max(outcome.quarantined);
            if let Some(seq) = job.cursor {
                sh.cursor = seq;
            }
        }
        if let Some(seq) = job.cursor {
            self.committed_tx.send_replace(seq);
        }
        // Publish only what is committed.
        if job.n_alerts > 0 {
            match persist::last_alert_seq(&self.store).await {
                Ok(head) => {
                    self.shared().alert_head = head;
                    self.bus.publish_alert_head(head);
                }
                Err(e) => tracing::warn!(error = %e, "alert head not read"),
            }
        }
        if !job.updates.is_empty() {
            let at = now_ms();
            self.bus.publish_updates(TruckUpdateBatch {
                at_ms: at,
                updates: job.updates,
            });
            let mut sh = self.shared();
            for (emitted, n) in &job.batches {
                let ms = (at - emitted).clamp(0, (LAT_BUCKETS - 1) as i64) as u32;
                sh.interval_latency.push((ms, *n));
                sh.total_latency[ms as usize] += u64::from(*n);
                sh.stages.record(
                    Stage::FeedToBus,
                    Duration::from_millis(u64::from(ms)),
                    u64::from(*n),
                );
            }
        }
        let published = Instant::now();
        self.shared()
            .stages
            .record(Stage::Publish, published.duration_since(committed), 1);
        // After the commit that holds their points (the store's write batch has no
        // rollups), gathered for about a second and written in chunks, so that no
        // commit waits behind a whole fleet's rollups; a failed write is retried with
        // the next one.
        self.rollups.queue(std::mem::take(&mut job.rollups));
        if job.all_rollups || self.rollups.due() {
            match self.rollups.write_queued(&self.store).await {
                Ok(0) => {}
                Ok(_) => self
                    .shared()
                    .stages
                    .record(Stage::RollupWrite, published.elapsed(), 1),
                Err(e) => tracing::warn!(
                    error = %e,
                    "live rollups not written; retried with the next write"
                ),
            }
        }
        if let Some(end) = job.end {
            self.ended_tx.send_replace(Some(end));
        }
    }
}

fn weighted_percentiles(samples: &mut [(u32, u32)]) -> LatencyStats {
    samples.sort_unstable_by_key(|s| s.0);
    let total: u64 = samples.iter().map(|s| u64::from(s.1)).sum();
    if total == 0 {
        return LatencyStats::default();
    }
    let at = |q: f64| {
        let rank = (q * total as f64).ceil().max(1.0) as u64;
        let mut acc = 0u64;
        for (ms, n) in samples.iter() {
            acc += u64::from(*n);
            if acc >= rank {
                return f64::from(*ms);
            }
        }
        f64::from(samples.last().map_or(0, |s| s.0))
    };
    LatencyStats {
        samples: total,
        p50_ms: at(0.50),
        p95_ms: at(0.95),
        p99_ms: at(0.99),
        max_ms: f64::from(samples.last().map_or(0, |s| s.0)),
    }
}

fn histogram_percentiles(h: &[u64]) -> LatencyStats {
    let total: u64 = h.iter().sum();
    if total == 0 {
        return LatencyStats::default();
    }
    let at = |q: f64| {
        let rank = (q * total as f64).ceil().max(1.0) as u64;
        let mut acc = 0u64;
        for (ms, n) in h.iter().enumerate() {
            acc += n;
            if acc >= rank {
                return ms as f64;
            }
        }
        (h.len() - 1) as f64
    };
    let max = h.iter().rposition(|n| *n > 0).unwrap_or(0) as f64;
    LatencyStats {
        samples: total,
        p50_ms: at(0.50),
        p95_ms: at(0.95),
        p99_ms: at(0.99),
        max_ms: max,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_weigh_points() {
        let mut s = vec![(10, 98), (40, 1), (90, 1)];
        let l = weighted_percentiles(&mut s);
        assert_eq!(
            (l.samples, l.p50_ms, l.p99_ms, l.max_ms),
            (100, 10.0, 40.0, 90.0)
        );
        let mut h = vec![0u64; 100];
        h[10] = 98;
        h[40] = 1;
        h[90] = 1;
        assert_eq!(histogram_percentiles(&h), l);
    }
}
