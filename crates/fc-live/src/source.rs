//! Where a gateway's points come from: the simulated fleet, a CSV replay, or
//! points pushed by the embedding program. Sources that compute (the
//! simulator) or read files run on their own thread, so that they never stall
//! the async workers that carry the feed; they hand chunks to the gateway
//! through a bounded channel (back-pressure: a slow gateway slows the source).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use fc_import::{ImportOptions, Record};
use fc_model::{TelemetryPoint, TruckProfile};
use fc_sim::{Fleet, SimConfig};
use tokio::sync::mpsc;

use crate::LiveError;

/// Pacing tick of the threaded sources.
const TICK: Duration = Duration::from_millis(20);
/// Simulated time per pull of the load generator.
const SIM_PULL_MS: i64 = 2_000;

/// A gateway's data source.
pub enum Source {
    /// The simulated fleet.
    Sim {
        /// Fleet size, seed, profile, span.
        config: SimConfig,
        /// Simulated seconds per wall second (ignored when `rate` is set).
        speedup: f64,
        /// Load-generator mode: deliver this many points per wall second, running the
        /// simulated clock as fast as needed (the speed-up follows the fleet's activity).
        rate: Option<f64>,
    },
    /// A canonical CSV (or JSON Lines) file replayed at `speed` times real time, in file
    /// order; `trucks` optionally names a `trucks.csv` whose profiles are sent first.
    Replay {
        /// The telemetry file.
        path: PathBuf,
        /// Optional truck profiles.
        trucks: Option<PathBuf>,
        /// Replay speed (1.0 = real time).
        speed: f64,
    },
    /// Points pushed by the program (tests, embedding); the stream ends when the sender drops.
    Channel {
        /// Truck profiles to announce.
        trucks: Vec<TruckProfile>,
        /// Chunks of points, sent in order.
        rx: mpsc::Receiver<Vec<TelemetryPoint>>,
    },
}

/// A started source: its profiles and its stream of chunks (closed at the end).
pub(crate) struct Started {
    pub trucks: Vec<TruckProfile>,
    pub rx: mpsc::Receiver<Vec<TelemetryPoint>>,
}

impl Source {
    pub(crate) fn start(self) -> Result<Started, LiveError> {
        match self {
            Source::Channel { trucks, rx } => Ok(Started { trucks, rx }),
            Source::Sim {
                config,
                speedup,
                rate,
            } => {
                if !(speedup.is_finite() && speedup > 0.0) {
                    return Err(LiveError::Invalid {
                        what: "speedup".into(),
                        why: "give a positive number of simulated seconds per second".into(),
                    });
                }
                if rate.is_some_and(|r| !(r.is_finite() && r > 0.0)) {
                    return Err(LiveError::Invalid {
                        what: "rate".into(),
                        why: "give a positive number of points per second".into(),
                    });
                }
                let fleet = Fleet::new(&config)?;
                let trucks = fleet.trucks().to_vec();
                let (tx, rx) = mpsc::channel(64);
                std::thread::Builder::new()
                    .name("fc-live-sim".into())
                    .spawn(move || run_sim(fleet, speedup, rate, &tx))
                    .map_err(|e| LiveError::Invalid {
                        what: "simulator".into(),
                        why: e.to_string(),
                    })?;
                Ok(Started { trucks, rx })
            }
            Source::Replay {
                path,
                trucks,
                speed,
            } => {
                if !(speed.is_finite() && speed > 0.0) {
                    return Err(LiveError::Invalid {
                        what: "speed".into(),
                        why: "give a positive replay speed (1 = real time)".into(),
                    });
                }
                let profiles = match trucks {
                    Some(p) => read_trucks(&p)?,
                    None => Vec::new(),
                };
                let opts = ImportOptions::in_zone(chrono_tz::UTC);
                let reader = fc_import::open(&path, &opts).map_err(|e| LiveError::Replay {
                    path: path.display().to_string(),
                    why: e.to_string(),
                })?;
                let (tx, rx) = mpsc::channel(64);
                std::thread::Builder::new()
                    .name("fc-live-replay".into())
                    .spawn(move || run_replay(reader, speed, &tx))
                    .map_err(|e| LiveError::Invalid {
                        what: "replay".into(),
                        why: e.to_string(),
                    })?;
                Ok(Started {
                    trucks: profiles,
                    rx,
                })
            }
        }
    }
}

fn read_trucks(path: &std::path::Path) -> Result<Vec<TruckProfile>, LiveError> {
    let opts = ImportOptions::in_zone(chrono_tz::UTC);
    let err = |why: String| LiveError::Replay {
        path: path.display().to_string(),
        why,
    };
    let mut reader = fc_import::open(path, &opts).map_err(|e| err(e.to_string()))?;
    let mut out = Vec::new();
    while let Some(r) = reader.next_record().map_err(|e| err(e.to_string()))? {
        if let Record::Truck { profile, .. } = r {
            out.push(profile);
        }
    }
    Ok(out)
}

fn run_sim(
    mut fleet: Fleet,
    speedup: f64,
    rate: Option<f64>,
    tx: &mpsc::Sender<Vec<TelemetryPoint>>,
) {
    let started = Instant::now();
    let start_ms = fleet.start_ms();
    let end_ms = fleet.end_ms();
    let mut pending: std::collections::VecDeque<TelemetryPoint> = Default::default();
    let mut sim_ms = start_ms;
    let mut emitted: u64 = 0;
    loop {
        std::thread::sleep(TICK);
        let elapsed = started.elapsed().as_secs_f64();
        let chunk: Vec<TelemetryPoint> = match rate {
            None => {
                let target = start_ms + (elapsed * speedup * 1000.0) as i64;
                let target = if target >= end_ms { end_ms } else { target };
                fleet.next_until(target)
            }
            Some(rate) => {
                let due = ((elapsed * rate) as u64).saturating_sub(emitted) as usize;
                // Two simulated seconds per pull: a pull costs one step of every truck, so
                // small pulls spread the simulator's work evenly over the ticks (30 s pulls
                // of 10,000 trucks were CPU bursts of a few hundred ms every second, on the
                // cores the client shares) and keep the clock just ahead of the deliveries.
                while pending.len() < due && !fleet.is_finished() {
                    sim_ms = (sim_ms + SIM_PULL_MS).min(end_ms);
                    pending.extend(fleet.next_until(sim_ms));
                }
                let n = due.min(pending.len());
                pending.drain(..n).collect()
            }
        };
        emitted += chunk.len() as u64;
        if !chunk.is_empty() && tx.blocking_send(chunk).is_err() {
            return;
        }
        if fleet.is_finished() && pending.is_empty() {
            return;
        }
    }
}

fn run_replay(
    mut reader: fc_import::FileReader,
    speed: f64,
    tx: &mpsc::Sender<Vec<TelemetryPoint>>,
) {
    let started = Instant::now();
    let mut t0: Option<i64> = None;
    let mut max_ts = i64::MIN;
    let mut chunk = Vec::new();
    let mut last_send = Instant::now();
    loop {
        let record = match reader.next_record() {
            Ok(Some(r)) => r,
            Ok(None) => break,
            Err(e) => {
                tracing::warn!(error = %e, "replay file unreadable; stopping the replay");
                break;
            }
        };
        let Record::Point { point, .. } = record else {
            // Rejected rows are the importer's business; a replay sends what a tracker would.
            continue;
        };
        let first = *t0.get_or_insert(point.ts);
        max_ts = max_ts.max(point.ts);
        let due = Duration::from_secs_f64(((max_ts - first).max(0) as f64 / 1000.0) / speed);
        let now = started.elapsed();
        if due > now {
            if !chunk.is_empty() && tx.blocking_send(std::mem::take(&mut chunk)).is_err() {
                return;
            }
            std::thread::sleep(due - now);
            last_send = Instant::now();
        }
        chunk.push(point);
        if chunk.len() >= 1000 || last_send.elapsed() >= TICK {
            if tx.blocking_send(std::mem::take(&mut chunk)).is_err() {
                return;
            }
            last_send = Instant::now();
        }
    }
    if !chunk.is_empty() {
        let _ = tx.blocking_send(chunk);
    }
}
