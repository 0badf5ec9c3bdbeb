//! The feature vector of a candidate or event (documented in `FEATURES.md`).

use std::collections::HashMap;

use chrono::{Datelike, TimeZone, Timelike};
use chrono_tz::Tz;
use fc_ledger::{ConsumptionSource, EventKind, Evidence, ReasonCode, haversine_km};
use fc_model::Purchase;

use crate::track::TrackFeatures;

/// Number of features computed from an item and its context (the mixture's
/// anomaly score is added to these inside the model).
pub const N_FEATURES: usize = 28;

/// Feature names, in vector order (stored in every model file and checked on load).
pub const FEATURE_NAMES: [&str; N_FEATURES] = [
    "log_volume_l",
    "log_rate_l_per_min",
    "log_duration_min",
    "ignition_on_at_start",
    "engine_on_share",
    "speed_before_kmh",
    "speed_during_max_kmh",
    "speed_after_kmh",
    "hour_sin",
    "hour_cos",
    "weekend",
    "log_km_to_parking",
    "log_km_to_station",
    "log_volume_over_noise",
    "log_margin",
    "log_noise_l",
    "noise_measured",
    "log_hours_since_fill",
    "ecu_counter_used",
    "ecu_excess_sigma",
    "purchase_near",
    "unobserved_share",
    "moved",
    "reason_gap",
    "reason_stop_to_stop",
    "rule_logit",
    "false_alarm_verdicts_near",
    "confirmed_verdicts_near",
];

/// Distances are capped here: beyond, "far" is all that matters.
const FAR_KM: f64 = 50.0;
/// Verdicts within this distance count as "near".
pub const VERDICT_NEAR_KM: f64 = 1.0;

/// One change to score: an event or a candidate, with what the detector said.
#[derive(Debug, Clone, Copy)]
pub struct Item<'a> {
    /// Its id (to leave its own verdict out of its features).
    pub id: &'a str,
    /// Truck id.
    pub truck_id: &'a str,
    /// Fill or drain.
    pub kind: EventKind,
    /// Start, UTC ms.
    pub start_ms: i64,
    /// End, UTC ms.
    pub end_ms: i64,
    /// Litres (>= 0).
    pub volume_l: f64,
    /// Position, if the detector knew it.
    pub lat: Option<f64>,
    /// Longitude, see `lat`.
    pub lon: Option<f64>,
    /// The detector's confidence.
    pub rule_confidence: f64,
    /// The detector's evidence.
    pub evidence: &'a Evidence,
}

impl<'a> Item<'a> {
    /// The item of a final event.
    pub fn of_event(e: &'a fc_ledger::FuelEvent) -> Self {
        Item {
            id: &e.id,
            truck_id: &e.truck_id,
            kind: e.kind,
            start_ms: e.start_ms,
            end_ms: e.end_ms,
            volume_l: e.volume_l,
            lat: e.lat,
            lon: e.lon,
            rule_confidence: e.rule_confidence,
            evidence: &e.evidence,
        }
    }

    /// The item of a sub-threshold candidate.
    pub fn of_candidate(c: &'a fc_ledger::Candidate) -> Self {
        Item {
            id: &c.id,
            truck_id: &c.truck_id,
            kind: c.kind,
            start_ms: c.start_ms,
            end_ms: c.end_ms,
            volume_l: c.volume_l,
            lat: c.lat,
            lon: c.lon,
            rule_confidence: c.rule_confidence,
            evidence: &c.evidence,
        }
    }
}

/// A dispatcher's verdict at a place (kept in the model to recognise the place again).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct VerdictPlace {
    /// The event the verdict was given on.
    pub event_id: String,
    /// Fill or drain.
    pub kind: EventKind,
    /// Where.
    pub lat: f64,
    /// Where.
    pub lon: f64,
    /// `true`: false alarm; `false`: confirmed.
    pub false_alarm: bool,
}

/// Positions sorted by latitude, for nearest-neighbour queries in a band.
#[derive(Debug, Clone, Default)]
struct Points {
    pts: Vec<(f64, f64)>,
}

impl Points {
    fn new(mut pts: Vec<(f64, f64)>) -> Self {
        pts.retain(|p| p.0.is_finite() && p.1.is_finite());
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        Points { pts }
    }

    /// Distance to the nearest point, km, capped at [`FAR_KM`]: outwards from the
    /// query's latitude in both directions, stopping once the latitude difference
    /// alone exceeds the best distance found (a few points instead of all of them).
    fn nearest_km(&self, lat: f64, lon: f64) -> f64 {
        const KM_PER_DEG_LAT: f64 = 111.19;
        let start = self.pts.partition_point(|p| p.0 < lat);
        let mut best = FAR_KM;
        for p in &self.pts[start..] {
            if (p.0 - lat) * KM_PER_DEG_LAT > best {
                break;
            }
            best = best.min(haversine_km(lat, lon, p.0, p.1));
        }
        for p in self.pts[..start].iter().rev() {
            if (lat - p.0) * KM_PER_DEG_LAT > best {
                break;
            }
            best = best.min(haversine_km(lat, lon, p.0, p.1));
        }
        best
    }
}

#[derive(Debug, Clone, Default)]
struct TruckCtx {
    parking: Vec<(f64, f64)>,
    fill_ends: Vec<i64>,
    purchases: Vec<(i64, Option<(f64, f64)>)>,
}

/// What the model knows about the fleet beyond one change: fuel stations (purchase
/// and refuel positions), each truck's usual parking places, its refuels and
/// purchases, the fleet's time zone and the dispatchers' verdict places.
#[derive(Debug, Clone)]
pub struct FleetContext {
    tz: Tz,
    stations: Points,
    trucks: HashMap<String, TruckCtx>,
    verdicts: Vec<VerdictPlace>,
}

impl FleetContext {
    /// An empty context in a zone.
    pub fn new(tz: Tz) -> Self {
        FleetContext {
            tz,
            stations: Points::default(),
            trucks: HashMap::new(),
            verdicts: Vec::new(),
        }
    }

    /// Learns stations from purchases and from the positions of final fills, and each
    /// truck's refuel times.
    pub fn with_fuel(mut self, purchases: &[Purchase], fills: &[fc_ledger::FuelEvent]) -> Self {
        let mut st: Vec<(f64, f64)> = self.stations.pts.clone();
        for p in purchases {
            let pos = p.lat.zip(p.lon);
            if let Some(pos) = pos {
                st.push(pos);
            }
            self.trucks
                .entry(p.truck_id.clone())
                .or_default()
                .purchases
                .push((p.ts, pos));
        }
        for f in fills.iter().filter(|f| f.kind == EventKind::Fill) {
            if let Some(pos) = f.lat.zip(f.lon) {
                st.push(pos);
            }
            self.trucks
                .entry(f.truck_id.clone())
                .or_default()
                .fill_ends
                .push(f.end_ms);
        }
        for t in self.trucks.values_mut() {
            t.fill_ends.sort_unstable();
            t.purchases.sort_by_key(|p| p.0);
        }
        self.stations = Points::new(st);
        self
    }

    /// Learns one final fill as it is decided (live ingest): its position becomes a
    /// station, its end the truck's latest refuel. Same result as [`Self::with_fuel`]
    /// with the fill included, without re-sorting everything.
    pub fn add_fill(&mut self, f: &fc_ledger::FuelEvent) {
        if f.kind != EventKind::Fill {
            return;
        }
        if let Some((la, lo)) = f.lat.zip(f.lon)
            && la.is_finite()
            && lo.is_finite()
        {
            let i = self.stations.pts.partition_point(|p| p.0 < la);
            self.stations.pts.insert(i, (la, lo));
        }
        let ends = &mut self.trucks.entry(f.truck_id.clone()).or_default().fill_ends;
        let i = ends.partition_point(|&e| e <= f.end_ms);
        ends.insert(i, f.end_ms);
    }

    /// A truck's usual parking places (see [`crate::TruckTrack::parking_places`]).
    pub fn set_parking(&mut self, truck_id: &str, places: &[(f64, f64, f64)]) {
        self.trucks.entry(truck_id.to_string()).or_default().parking =
            places.iter().map(|p| (p.0, p.1)).collect();
    }

    /// The dispatchers' verdict places (from the model).
    pub fn set_verdicts(&mut self, verdicts: &[VerdictPlace]) {
        self.verdicts = verdicts.to_vec();
    }

    /// The fleet's zone.
    pub fn tz(&self) -> Tz {
        self.tz
    }

    /// The feature vector of `item` with its telemetry context (`None`: none known).
    pub fn features(&self, item: &Item<'_>, track: Option<&TrackFeatures>) -> [f64; N_FEATURES] {
        let ev = item.evidence;
        let nan = f64::NAN;
        let dur_min = ((item.end_ms - item.start_ms) as f64 / 60_000.0).max(1.0);
        let vol = item.volume_l.max(0.0);
        let tf = track.copied();
        let lat = item.lat.or(tf.and_then(|t| t.lat));
        let lon = item.lon.or(tf.and_then(|t| t.lon));
        let pos = lat.zip(lon);
        let local = self.tz.timestamp_millis_opt(item.start_ms).single();
        let hour = local.map_or(nan, |t| f64::from(t.hour()) + f64::from(t.minute()) / 60.0);
        let angle = hour / 24.0 * std::f64::consts::TAU;
        let weekend = local.map_or(nan, |t| {
            f64::from(u8::from(t.weekday().number_from_monday() >= 6))
        });
        let truck = self.trucks.get(item.truck_id);
        let km_to_parking = match (pos, truck) {
            (Some((la, lo)), Some(t)) if !t.parking.is_empty() => t
                .parking
                .iter()
                .map(|p| haversine_km(la, lo, p.0, p.1))
                .fold(FAR_KM, f64::min),
            _ => nan,
        };
        let km_to_station = match pos {
            Some((la, lo)) if !self.stations.pts.is_empty() => self.stations.nearest_km(la, lo),
            _ => nan,
        };
        let hours_since_fill = truck
            .and_then(|t| {
                let i = t.fill_ends.partition_point(|&e| e < item.start_ms);
                i.checked_sub(1)
                    .map(|i| (item.start_ms - t.fill_ends[i]) as f64 / 3.6e6)
            })
            .unwrap_or(nan);
        let purchase_near = truck.map_or(0.0, |t| {
            let from = item.start_ms - 2 * 3_600_000;
            let to = item.end_ms + 2 * 3_600_000;
            let a = t.purchases.partition_point(|p| p.0 < from);
            t.purchases[a..]
                .iter()
                .take_while(|p| p.0 <= to)
                .map(|p| {
                    let dt_h = if p.0 < item.start_ms {
                        (item.start_ms - p.0) as f64 / 3.6e6
                    } else {
                        (p.0 - item.end_ms).max(0) as f64 / 3.6e6
                    };
                    let place = match (p.1, pos) {
                        (Some(a), Some(b)) => (-haversine_km(a.0, a.1, b.0, b.1) / 0.5).exp(),
                        _ => 0.5,
                    };
                    (-dt_h / 0.5).exp() * place
                })
                .fold(0.0, f64::max)
        });
        let noise = ev.noise_l.max(0.1);
        let ecu_excess = match tf.map(|t| t.ecu_used_l) {
            Some(u) if u.is_finite() => {
                // Level change the counter does not explain, in sensor sigmas (+ = fuel missing).
                let unexplained = -ev.reason.observed_change_l - u;
                let signed = if item.kind == EventKind::Fill {
                    -unexplained
                } else {
                    unexplained
                };
                (signed / noise).clamp(-50.0, 50.0)
            }
            _ => nan,
        };
        let window = (ev.window_end_ms - ev.window_start_ms).max(1) as f64;
        let rule = item.rule_confidence.clamp(1e-3, 1.0 - 1e-3);
        let (fa, ok) = self.verdicts_near(item, pos);
        [
            vol.ln_1p(),
            (vol / dur_min).ln_1p(),
            dur_min.ln_1p(),
            ev.ignition_on.map_or(nan, |b| f64::from(u8::from(b))),
            tf.map_or(nan, |t| t.engine_on_share),
            tf.map_or(nan, |t| t.speed_before_kmh),
            tf.map_or(nan, |t| t.speed_during_max_kmh),
            tf.map_or(nan, |t| t.speed_after_kmh),
            angle.sin(),
            angle.cos(),
            weekend,
            km_to_parking.ln_1p(),
            km_to_station.ln_1p(),
            (vol / noise).min(1e3).ln_1p(),
            ev.reason.margin.max(1e-3).ln(),
            noise.ln_1p(),
            f64::from(u8::from(ev.noise_measured)),
            hours_since_fill.min(24.0 * 30.0).ln_1p(),
            f64::from(u8::from(
                ev.consumption_source == ConsumptionSource::EcuCounter,
            )),
            ecu_excess,
            purchase_near,
            (ev.unobserved_ms as f64 / window).clamp(0.0, 1.0),
            f64::from(u8::from(ev.moved)),
            f64::from(u8::from(matches!(
                ev.reason.code,
                ReasonCode::GapDrop | ReasonCode::GapRise
            ))),
            f64::from(u8::from(matches!(
                ev.reason.code,
                ReasonCode::StopToStopDrop | ReasonCode::StopToStopRise
            ))),
            (rule / (1.0 - rule)).ln(),
            fa.ln_1p(),
            ok.ln_1p(),
        ]
    }

    /// Verdicts of the same kind near `pos`, the item's own left out: (false alarms, confirmed).
    fn verdicts_near(&self, item: &Item<'_>, pos: Option<(f64, f64)>) -> (f64, f64) {
        let Some((la, lo)) = pos else {
            return (0.0, 0.0);
        };
        let mut out = (0.0, 0.0);
        for v in &self.verdicts {
            if v.kind != item.kind || v.event_id == item.id {
                continue;
            }
            if haversine_km(la, lo, v.lat, v.lon) <= VERDICT_NEAR_KM {
                if v.false_alarm {
                    out.0 += 1.0;
                } else {
                    out.1 += 1.0;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fc_ledger::{EventStatus, Evidence, FuelEvent, Reason};

    fn change(id: &str, truck: &str, kind: EventKind, start: i64, pos: (f64, f64)) -> FuelEvent {
        FuelEvent {
            id: id.into(),
            truck_id: truck.into(),
            kind,
            status: EventStatus::Final,
            revision: 0,
            detector_version: "test".into(),
            start_ms: start,
            end_ms: start + 600_000,
            volume_l: 120.0,
            lat: Some(pos.0),
            lon: Some(pos.1),
            rule_confidence: 0.7,
            evidence: Evidence {
                window_start_ms: start - 60_000,
                window_end_ms: start + 660_000,
                samples: Vec::new(),
                level_before_l: 400.0,
                level_after_l: 280.0,
                expected_consumption_l: 0.0,
                consumption_source: ConsumptionSource::None,
                threshold_l: 20.0,
                noise_l: 2.0,
                noise_measured: true,
                quantum_l: 0.0,
                unobserved_ms: 0,
                moved: false,
                ignition_on: Some(false),
                reason: Reason {
                    code: ReasonCode::StationaryDrop,
                    margin: 6.0,
                    observed_change_l: -120.0,
                    consumption_allowance_l: 0.0,
                    thermal_allowance_l: 0.0,
                },
            },
        }
    }

    /// Fills learned one by one (live ingest) give the same features as all at once.
    #[test]
    fn fills_added_one_by_one_equal_fills_given_at_once() {
        let h = 3_600_000;
        let fills = [
            change("f1", "T1", EventKind::Fill, 10 * h, (45.10, 7.60)),
            change("f2", "T2", EventKind::Fill, 12 * h, (45.00, 7.70)),
            change("f3", "T1", EventKind::Fill, 11 * h, (45.20, 7.65)),
        ];
        let drain = change("d", "T1", EventKind::Drain, 14 * h, (45.2005, 7.6505));
        let at_once = FleetContext::new(chrono_tz::UTC).with_fuel(&[], &fills);
        let mut one_by_one = FleetContext::new(chrono_tz::UTC);
        for f in &fills {
            one_by_one.add_fill(f);
        }
        // A drain is not a station.
        one_by_one.add_fill(&drain);
        let item = Item::of_event(&drain);
        let (a, b) = (
            at_once.features(&item, None),
            one_by_one.features(&item, None),
        );
        for (x, y) in a.iter().zip(&b) {
            assert!(x == y || (x.is_nan() && y.is_nan()), "{a:?} vs {b:?}");
        }
        // The nearest station is f3's, 3 h after its end: both context features are known.
        assert!(a[12] < 0.1 && (a[17] - (3.0f64 - 10.0 / 60.0).ln_1p()).abs() < 1e-9);
    }
}
