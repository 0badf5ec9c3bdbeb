//! The whole fleet as a time-ordered stream.

use std::sync::Arc;

use fc_model::{Purchase, TelemetryPoint, TruckProfile};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::geo::{Climate, Terrain, mix_all};
use crate::spec::{DriverProfile, Duty, TruckMeta, TruckSpec, fleet_centre};
pub use crate::truck::TruckTruth;
use crate::truck::{Env, TruckSim};
use crate::{Label, SimConfig, SimError, Trap};

/// A simulated fleet, advanced on demand.
///
/// Points come out in the order they reach the server (`arrival`, then truck,
/// then emission order): that is timestamp order except for the late rows the
/// `hard` profile injects. Any sequence of [`Fleet::next_until`] calls yields
/// the same points in the same order.
pub struct Fleet {
    cfg: SimConfig,
    env: Arc<Env>,
    sims: Vec<TruckSim>,
    profiles: Vec<TruckProfile>,
    metas: Vec<TruckMeta>,
    now: i64,
    labels: Vec<Label>,
    purchases: Vec<Purchase>,
    traps: Vec<Trap>,
    closed: bool,
}

impl Fleet {
    /// Builds the fleet (trucks, drivers, terrain, weather) for a configuration.
    pub fn new(cfg: &SimConfig) -> Result<Fleet, SimError> {
        cfg.validate()?;
        let params = cfg.profile.params();
        let centre = fleet_centre(cfg.seed);
        let mut specs = Vec::with_capacity(cfg.trucks);
        for i in 0..cfg.trucks {
            let mut rng = ChaCha8Rng::seed_from_u64(mix_all(&[cfg.seed, 0x7A0C, i as u64]));
            let mut spec = TruckSpec::generate(i, centre, &params, &mut rng);
            if cfg.scripted_theft && i == crate::scripted::TRUCK_INDEX {
                spec.meta.parked_interval_s = Some(crate::scripted::PARKED_INTERVAL_S);
            }
            specs.push((spec, rng));
        }
        let mut drivers = Vec::new();
        let driver = |id: String, key: u64| {
            let mut rng = ChaCha8Rng::seed_from_u64(mix_all(&[cfg.seed, 0xD1, key]));
            DriverProfile::generate(id, &mut rng)
        };
        // Primary drivers first, at the truck's index.
        for (spec, _) in &specs {
            drivers.push(driver(
                spec.meta.primary_driver.clone(),
                drivers.len() as u64,
            ));
        }
        for g in 0..cfg.trucks.div_ceil(5) {
            drivers.push(driver(format!("R{:02}", g + 1), 1_000_000 + g as u64));
        }
        for (i, (spec, _)) in specs.iter().enumerate() {
            if spec.meta.duty == Duty::LongHaul {
                let id = format!("{}B", spec.meta.primary_driver);
                drivers.push(driver(id, 2_000_000 + i as u64));
            }
        }
        let terrain = Terrain::new(cfg.seed);
        let climate = Climate::new(cfg.seed, cfg.utc_offset_min, terrain.base_m());
        let env = Arc::new(Env {
            terrain,
            climate,
            offset_ms: i64::from(cfg.utc_offset_min) * 60_000,
            params,
            drivers,
            seed: cfg.seed,
            end_ms: cfg.end_ms(),
            reefer: cfg.reefer.then(|| crate::reefer::Reefer::new(cfg.seed)),
            scripted: cfg
                .scripted_theft
                .then(|| crate::scripted::Scripted::new(cfg.seed, cfg.start_ms)),
        });
        let profiles = specs.iter().map(|(s, _)| s.profile.clone()).collect();
        let metas = specs.iter().map(|(s, _)| s.meta.clone()).collect();
        let sims = specs
            .into_iter()
            .enumerate()
            .map(|(i, (spec, rng))| TruckSim::new(spec, i, Arc::clone(&env), rng, cfg.start_ms, i))
            .collect();
        Ok(Fleet {
            cfg: cfg.clone(),
            env,
            sims,
            profiles,
            metas,
            now: cfg.start_ms,
            labels: Vec::new(),
            purchases: Vec::new(),
            traps: Vec::new(),
            closed: false,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &SimConfig {
        &self.cfg
    }

    /// The trucks as the fleet knows them (ids, names, tanks, calibrations).
    pub fn trucks(&self) -> &[TruckProfile] {
        &self.profiles
    }

    /// Hidden facts about each truck (duty, sensors, ECU gain), in the order of [`Fleet::trucks`].
    pub fn truck_meta(&self) -> &[TruckMeta] {
        &self.metas
    }

    /// All drivers with their habits: primaries (`D001`..), relief drivers (`R01`..)
    /// shared by groups of five regional trucks, and long-haul second drivers (`D003B`).
    pub fn drivers(&self) -> &[DriverProfile] {
        &self.env.drivers
    }

    /// Start of the simulated span, UTC ms.
    pub fn start_ms(&self) -> i64 {
        self.cfg.start_ms
    }

    /// End of the simulated span (exclusive), UTC ms.
    pub fn end_ms(&self) -> i64 {
        self.cfg.end_ms()
    }

    /// How far the simulation has run, UTC ms.
    pub fn now_ms(&self) -> i64 {
        self.now
    }

    /// Whether everything up to the end has been returned.
    pub fn is_finished(&self) -> bool {
        self.now >= self.end_ms() && self.sims.iter().all(|s| s.delayed.is_empty())
    }

    /// Advances to `until_ms` and returns every point that has reached the server
    /// by then, in arrival order. A call at or beyond [`Fleet::end_ms`] also
    /// flushes the late rows still in flight.
    pub fn next_until(&mut self, until_ms: i64) -> Vec<TelemetryPoint> {
        let end = self.end_ms();
        let until = until_ms.min(end);
        if until > self.now {
            for s in &mut self.sims {
                s.advance(until);
            }
            self.now = until;
        }
        let flush = until_ms >= end;
        if flush && !self.closed {
            self.closed = true;
            for s in &mut self.sims {
                s.close();
            }
        }
        let mut batch: Vec<(i64, usize, u64, TelemetryPoint)> = Vec::new();
        for (i, s) in self.sims.iter_mut().enumerate() {
            batch.extend(s.out.drain(..).map(|e| (e.arrival, i, e.seq, e.point)));
            if !s.delayed.is_empty() {
                let mut keep = Vec::new();
                for e in s.delayed.drain(..) {
                    if flush || e.arrival <= until {
                        batch.push((e.arrival, i, e.seq, e.point));
                    } else {
                        keep.push(e);
                    }
                }
                s.delayed = keep;
            }
            self.labels.append(&mut s.labels);
            self.purchases.append(&mut s.purchases);
            self.traps.append(&mut s.traps);
        }
        batch.sort_unstable_by_key(|b| (b.0, b.1, b.2));
        batch.into_iter().map(|b| b.3).collect()
    }

    /// Labels completed since the last call, ordered by end, truck and start.
    pub fn take_labels(&mut self) -> Vec<Label> {
        let mut v = std::mem::take(&mut self.labels);
        v.sort_by(|a, b| (a.end, &a.truck_id, a.start).cmp(&(b.end, &b.truck_id, b.start)));
        v
    }

    /// Card purchases billed since the last call, ordered by time and truck.
    pub fn take_purchases(&mut self) -> Vec<Purchase> {
        let mut v = std::mem::take(&mut self.purchases);
        v.sort_by(|a, b| (a.ts, &a.truck_id).cmp(&(b.ts, &b.truck_id)));
        v
    }

    /// Traps and faults injected since the last call, ordered by start and truck.
    pub fn take_traps(&mut self) -> Vec<Trap> {
        let mut v = std::mem::take(&mut self.traps);
        v.sort_by(|a, b| (a.start, &a.truck_id, &a.kind).cmp(&(b.start, &b.truck_id, &b.kind)));
        v
    }

    /// The hidden truth of truck `index` (tank contents, true consumption) right now.
    pub fn truth(&self, index: usize) -> Option<TruckTruth> {
        self.sims.get(index).map(TruckSim::truth)
    }
}
