//! Per-truck live state and the alert rules: fills, drains and faults from the
//! detector, low fuel, long idle, offline.

use std::collections::HashSet;

use fc_ledger::{EventKind, EventStatus, FuelEvent, TruckDetector};
use fc_model::{TelemetryPoint, TruckProfile};
use serde_json::json;

use crate::bus::{AlertKind, TruckState, TruckUpdate};
use crate::records::EventScores;
use crate::rollups::TruckRollup;

/// Thresholds of the live alert rules.
#[derive(Debug, Clone)]
pub struct LiveRules {
    /// Fills and drains alert at or above this confidence (the fleet's `alert_threshold`).
    pub alert_threshold: f64,
    /// Low-fuel alert below this percent of capacity (three readings in a row).
    pub low_fuel_pct: f64,
    /// Re-armed above this percent.
    pub low_fuel_rearm_pct: f64,
    /// Long-idle alert after idling this long (data time), ms.
    pub long_idle_ms: i64,
    /// Offline after this long without a point while the fleet's data clock moves, ms.
    pub offline_after_ms: i64,
}

impl Default for LiveRules {
    fn default() -> Self {
        LiveRules {
            alert_threshold: 0.8,
            low_fuel_pct: 15.0,
            low_fuel_rearm_pct: 20.0,
            long_idle_ms: 30 * 60_000,
            offline_after_ms: 60 * 60_000,
        }
    }
}

/// An alert before the outbox numbers it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NewAlert {
    pub ts_ms: i64,
    pub truck_id: String,
    pub kind: AlertKind,
    pub event_id: Option<String>,
    pub payload: serde_json::Value,
}

/// What a truck is doing from its latest point. Idle per the one coaching rule:
/// ignition on, standing (< 1 km/h), PTO off or missing (decision 20).
pub fn state_of(p: &TelemetryPoint) -> TruckState {
    let standing = p.speed_kmh.is_none_or(|s| s < 1.0);
    match (p.ignition, p.speed_kmh) {
        (_, Some(s)) if s >= 1.0 => TruckState::Driving,
        (Some(false), _) => TruckState::Parked,
        (Some(true), _) if standing && p.pto == Some(true) => TruckState::Working,
        (Some(true), _) => TruckState::Idle,
        (None, _) => TruckState::Unknown,
    }
}

/// Litres on board from one point: `fuel_l` wins over the gauge, which goes through
/// the tank's calibration; a second tank adds (decision 7).
pub fn litres_on_board(profile: Option<&TruckProfile>, p: &TelemetryPoint) -> Option<f64> {
    let tank = |i: usize| profile.and_then(|pr| pr.tanks.get(i));
    let first = p.fuel_l.or_else(|| {
        p.fuel_level_pct
            .and_then(|pct| tank(0).map(|t| t.litres(pct)))
    });
    let second = p.fuel_l_2.or_else(|| {
        p.fuel_level_pct_2
            .and_then(|pct| tank(1).map(|t| t.litres(pct)))
    });
    match (first, second) {
        (Some(a), Some(b)) => Some(a + b),
        (a, None) => a,
        (None, b) => b,
    }
}

/// Percent of capacity on board from those litres; without a capacity, a one-tank
/// truck's gauge as read.
pub fn fuel_pct_on_board(
    profile: Option<&TruckProfile>,
    litres: Option<f64>,
    p: &TelemetryPoint,
) -> Option<f64> {
    let cap = profile.map_or(0.0, TruckProfile::capacity_l);
    match litres {
        Some(l) if cap > 0.0 => Some((l / cap * 100.0).clamp(0.0, 100.0)),
        _ if profile.is_none_or(|pr| pr.tanks.len() <= 1) => p.fuel_level_pct,
        _ => None,
    }
}

pub(crate) struct TruckLive {
    pub profile: TruckProfile,
    pub detector: TruckDetector,
    pub version: u64,
    pub latest: Option<TelemetryPoint>,
    pub state: TruckState,
    idle_since: Option<i64>,
    idle_alerted: bool,
    low_run: u32,
    low_alerted: bool,
    pub offline: bool,
    alerted: HashSet<String>,
    /// The model's telemetry context (only when a model scores).
    pub track: Option<fc_ml::TruckTrack>,
    /// Coaching rollups at ingest (when enabled).
    pub rollup: Option<TruckRollup>,
    /// Points since the rollups were last written.
    pub rollup_dirty: bool,
}

impl TruckLive {
    pub fn new(profile: TruckProfile, detector: TruckDetector) -> Self {
        TruckLive {
            profile,
            detector,
            version: 0,
            latest: None,
            state: TruckState::Unknown,
            idle_since: None,
            idle_alerted: false,
            low_run: 0,
            low_alerted: false,
            offline: false,
            alerted: HashSet::new(),
            track: None,
            rollup: None,
            rollup_dirty: false,
        }
    }

    fn litres(&self, p: &TelemetryPoint) -> Option<f64> {
        litres_on_board(Some(&self.profile), p)
    }

    fn fuel_pct(&self, p: &TelemetryPoint) -> Option<f64> {
        fuel_pct_on_board(Some(&self.profile), self.litres(p), p)
    }

    /// Takes a point (in arrival order) into the live state; may raise alerts.
    pub fn observe(&mut self, p: &TelemetryPoint, rules: &LiveRules, out: &mut Vec<NewAlert>) {
        self.offline = false;
        if self.latest.as_ref().is_some_and(|l| l.ts > p.ts) {
            return; // a late point does not change the truck's current state
        }
        let state = state_of(p);
        if state == TruckState::Idle {
            let since = *self.idle_since.get_or_insert(p.ts);
            if !self.idle_alerted && p.ts - since >= rules.long_idle_ms {
                self.idle_alerted = true;
                out.push(NewAlert {
                    ts_ms: p.ts,
                    truck_id: p.truck_id.clone(),
                    kind: AlertKind::LongIdle,
                    event_id: None,
                    payload: json!({ "since_ms": since, "minutes": (p.ts - since) / 60_000 }),
                });
            }
        } else {
            self.idle_since = None;
            self.idle_alerted = false;
        }
        if let Some(pct) = self.fuel_pct(p) {
            if pct < rules.low_fuel_pct {
                self.low_run += 1;
                if self.low_run >= 3 && !self.low_alerted {
                    self.low_alerted = true;
                    out.push(NewAlert {
                        ts_ms: p.ts,
                        truck_id: p.truck_id.clone(),
                        kind: AlertKind::LowFuel,
                        event_id: None,
                        payload: json!({ "fuel_pct": pct, "fuel_l": self.litres(p) }),
                    });
                }
            } else {
                self.low_run = 0;
                if pct > rules.low_fuel_rearm_pct {
                    self.low_alerted = false;
                }
            }
        }
        self.state = state;
        // `clone_from` reuses the id's allocation: no allocation per point.
        match &mut self.latest {
            Some(l) => l.clone_from(p),
            None => self.latest = Some(p.clone()),
        }
    }

    /// Alerts for a detector event: the first time its confidence (decision 12: the
    /// model's when one is loaded, else the rule's) reaches the threshold, and its
    /// retraction if it had alerted.
    pub fn on_event(
        &mut self,
        e: &FuelEvent,
        scores: &EventScores,
        rules: &LiveRules,
        out: &mut Vec<NewAlert>,
    ) {
        let kind = match e.kind {
            EventKind::Fill => AlertKind::Fill,
            EventKind::Drain => AlertKind::Drain,
            EventKind::SensorFault => AlertKind::SensorFault,
        };
        let alerts = e.kind == EventKind::SensorFault || scores.confidence >= rules.alert_threshold;
        let status = e.status.code();
        let fire = match e.status {
            EventStatus::Retracted => self.alerted.remove(&e.id),
            _ => alerts && self.alerted.insert(e.id.clone()),
        };
        if fire {
            out.push(NewAlert {
                ts_ms: e.start_ms,
                truck_id: e.truck_id.clone(),
                kind,
                event_id: Some(e.id.clone()),
                payload: json!({
                    "status": status,
                    "revision": e.revision,
                    "volume_l": e.volume_l,
                    "confidence": scores.confidence,
                    "rule_confidence": e.rule_confidence,
                    "ml_score": scores.ml_score,
                    "model_version": scores.model_version,
                    "start_ms": e.start_ms,
                    "end_ms": e.end_ms,
                    "lat": e.lat,
                    "lon": e.lon,
                }),
            });
        }
    }

    /// The truck's offline transition, checked against the fleet's data clock.
    pub fn check_offline(&mut self, fleet_now: i64, rules: &LiveRules) -> Option<NewAlert> {
        let last = self.latest.as_ref()?;
        if self.offline || fleet_now - last.ts < rules.offline_after_ms {
            return None;
        }
        self.offline = true;
        self.version += 1;
        Some(NewAlert {
            ts_ms: fleet_now,
            truck_id: last.truck_id.clone(),
            kind: AlertKind::Offline,
            event_id: None,
            payload: json!({ "last_seen_ms": last.ts }),
        })
    }

    /// The truck's current update (after `version` was bumped by the caller).
    pub fn update(&self, points: u32, emitted_ms: i64) -> Option<TruckUpdate> {
        let p = self.latest.as_ref()?;
        Some(TruckUpdate {
            truck_id: p.truck_id.clone(),
            version: self.version,
            ts_ms: p.ts,
            lat: p.lat,
            lon: p.lon,
            speed_kmh: p.speed_kmh,
            fuel_l: self.litres(p),
            fuel_pct: self.fuel_pct(p),
            ignition: p.ignition,
            driver_id: p.driver_id.clone(),
            state: if self.offline {
                TruckState::Offline
            } else {
                self.state
            },
            points,
            emitted_ms,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn idle_is_the_coaching_rule() {
        let mut p = TelemetryPoint::new("T1", 0);
        p.ignition = Some(true);
        p.speed_kmh = Some(0.5);
        assert_eq!(state_of(&p), TruckState::Idle);
        p.pto = Some(true);
        assert_eq!(state_of(&p), TruckState::Working);
        p.speed_kmh = Some(30.0);
        assert_eq!(state_of(&p), TruckState::Driving);
        p.ignition = Some(false);
        p.speed_kmh = Some(0.0);
        assert_eq!(state_of(&p), TruckState::Parked);
    }
}
