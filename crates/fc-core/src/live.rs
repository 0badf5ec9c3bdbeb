//! Live fleet through the core API: follow a WebSocket feed (or the built-in
//! simulator behind an in-process loopback gateway, so that it takes exactly
//! the same path), publish on the bus, and optionally expose the bus over
//! WebSocket (server mode) or serve a feed (the gateway).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use fc_live::{
    Bus, BusServerHandle, FeedClientConfig, Gateway, GatewayConfig, GatewayHandle, Live,
    LiveConfig, LiveError, Source,
};
use fc_sim::SimConfig;

use crate::core::Core;
use crate::error::{CoreError, Result};

pub use fc_live::{
    Alert, AlertKind, BusServerConfig, Chaos, FleetStats, TruckUpdate, TruckUpdateBatch,
    random_token,
};

/// The built-in simulator's loopback gateway keeps at most this much for resuming.
const LOOPBACK_REPLAY_BYTES: usize = 16 << 20;

/// Where live points come from.
#[derive(Debug, Clone)]
pub enum LiveSource {
    /// A feed gateway speaking protocol v1 (`ws://host:port/feed/v1`).
    Feed {
        /// The URL.
        url: String,
        /// Its token.
        token: String,
    },
    /// The built-in simulated fleet (write it to the demo database, decision 10).
    Simulator {
        /// Fleet size, seed, profile, span.
        config: SimConfig,
        /// Simulated seconds per second.
        speedup: f64,
    },
}

/// What a gateway serves.
#[derive(Debug, Clone)]
pub enum FeedSource {
    /// The simulated fleet.
    Simulator {
        /// Fleet size, seed, profile, span.
        config: SimConfig,
        /// Simulated seconds per second.
        speedup: f64,
        /// Load-generator mode: points per second (the simulated clock follows).
        rate: Option<f64>,
    },
    /// A canonical CSV replayed at `speed` times real time.
    Replay {
        /// Telemetry file.
        file: PathBuf,
        /// Optional trucks file.
        trucks: Option<PathBuf>,
        /// Replay speed.
        speed: f64,
    },
}

/// Options of a gateway.
#[derive(Debug, Clone)]
pub struct FeedServeOptions {
    /// Listen address.
    pub listen: SocketAddr,
    /// The token clients must present.
    pub token: String,
    /// Batches kept for resuming clients.
    pub replay_batches: usize,
    /// Deliberate misbehaviour (testing clients).
    pub chaos: Chaos,
}

fn live_err(e: LiveError) -> CoreError {
    match e {
        LiveError::Store(s) => CoreError::Store(s),
        LiveError::Bind { addr, source } => CoreError::Io { path: addr, source },
        LiveError::Invalid { what, why } => CoreError::Invalid { what, why },
        LiveError::Replay { path, why } => CoreError::Invalid { what: path, why },
        LiveError::Sim(e) => CoreError::Invalid {
            what: "simulator".into(),
            why: e.to_string(),
        },
    }
}

/// A running live pipeline.
pub struct LiveHandle {
    live: Live,
    gateway: Option<GatewayHandle>,
}

impl LiveHandle {
    /// The bus: truck updates, alert head, fleet stats.
    pub fn bus(&self) -> &Bus {
        self.live.bus()
    }

    /// Alerts after `seq` from the persisted outbox (how a receiver resumes).
    pub async fn alerts_after(&self, seq: i64, limit: u32) -> Result<Vec<Alert>> {
        self.live.alerts_after(seq, limit).await.map_err(live_err)
    }

    /// Exposes the bus over WebSocket (`/ws/fleet`, `/ws/truck/{id}`, `/ws/stats`, `/ws/alerts`).
    pub async fn serve_bus(&self, config: BusServerConfig) -> Result<BusServerHandle> {
        fc_live::serve_bus(config, self.bus().clone(), Arc::clone(self.live.store()))
            .await
            .map_err(live_err)
    }

    /// Follows the committed feed cursor.
    pub fn committed(&self) -> tokio::sync::watch::Receiver<i64> {
        self.live.committed()
    }

    /// Turns `Some(last_seq)` when a finite source has ended and all of it is committed.
    pub fn ended(&self) -> tokio::sync::watch::Receiver<Option<i64>> {
        self.live.ended()
    }

    /// Stops the feed, commits what is pending, stops the built-in gateway.
    pub async fn stop(self) {
        self.live.stop().await;
        if let Some(g) = self.gateway {
            g.shutdown().await;
        }
    }
}

impl Core {
    /// Starts the live pipeline on this database: feed client, ingest, detector, bus.
    /// Alerting uses the fleet's `alert_threshold` against each event's confidence,
    /// scored by the default model file when one is trained (a missing or broken one
    /// logs a warning; the rule's confidence decides then).
    pub async fn start_live(&self, source: LiveSource) -> Result<LiveHandle> {
        let load = crate::ml::load_model(None);
        if let Some(problem) = &load.problem {
            tracing::warn!(error = %problem, "theft model not used live: the rule's confidence decides");
        }
        self.start_live_with(source, load.model).await
    }

    /// [`Core::start_live`] with this model (`None`: rule confidence only). Coaching
    /// rollups are built at ingest with the fleet's settings.
    pub async fn start_live_with(
        &self,
        source: LiveSource,
        model: Option<Arc<crate::ml::TheftModel>>,
    ) -> Result<LiveHandle> {
        let settings = self.fleet_settings().await?;
        let (url, token, feed_name, gateway) = match source {
            LiveSource::Feed { url, token } => (url.clone(), token, url, None),
            LiveSource::Simulator { config, speedup } => {
                let token = fc_live::random_token();
                // The loopback client acks each batch after its commit, so a resume never
                // needs more than the in-flight window: the default replay journal (for
                // remote clients: up to 256 MB) would only hold the run's points in memory.
                let defaults = GatewayConfig::default();
                let g = Gateway::bind(GatewayConfig {
                    token: token.clone(),
                    replay_batches: (defaults.window as usize * 4).max(1_024),
                    replay_bytes: LOOPBACK_REPLAY_BYTES,
                    ..defaults
                })
                .await
                .map_err(live_err)?
                .serve(Source::Sim {
                    config,
                    speedup,
                    rate: None,
                })
                .map_err(live_err)?;
                // The simulator is a new stream (from seq 1) every start: a cursor per run,
                // so that a restart is not mistaken for a gap.
                let name = format!("builtin-simulator:{}", &token[..8]);
                (g.url(), token, name, Some(g))
            }
        };
        let mut cfg = LiveConfig::new(FeedClientConfig::new(url, token));
        cfg.feed_name = feed_name;
        cfg.rules.alert_threshold = settings.alert_threshold;
        cfg.tz = settings.tz()?;
        cfg.coach = Some(crate::coach::coach_config(&settings));
        if let Some(m) = model {
            let mut scoring = fc_live::ModelScoring::new(Arc::new(m.model().clone()));
            scoring.purchases = self
                .store
                .purchases(fc_store::PurchaseFilter::default())
                .await?;
            cfg.scoring = Some(scoring);
        }
        let live = Live::start(Arc::clone(&self.store), cfg)
            .await
            .map_err(live_err)?;
        // The fleet view and the read cache follow the bus (crate::fleet, decision 19).
        self.follow_live(live.bus());
        Ok(LiveHandle { live, gateway })
    }
}

/// Serves a feed (the gateway): the simulator or a CSV replay. Runs until the handle is shut down.
pub async fn serve_feed(options: FeedServeOptions, source: FeedSource) -> Result<GatewayHandle> {
    let source = match source {
        FeedSource::Simulator {
            config,
            speedup,
            rate,
        } => Source::Sim {
            config,
            speedup,
            rate,
        },
        FeedSource::Replay {
            file,
            trucks,
            speed,
        } => Source::Replay {
            path: file,
            trucks,
            speed,
        },
    };
    Gateway::bind(GatewayConfig {
        listen: options.listen,
        token: options.token,
        replay_batches: options.replay_batches.max(1),
        chaos: options.chaos,
        ..GatewayConfig::default()
    })
    .await
    .map_err(live_err)?
    .serve(source)
    .map_err(live_err)
}
