//! A truck's telemetry context at minute resolution: speed, ignition, engine,
//! position and ECU counter around a change, and the places where it parks.
//!
//! The detector's evidence describes the fuel level; what the truck was doing
//! (driving up to the moment, idling, switched off) and where it stood come from
//! the telemetry itself. One [`TruckTrack`] per truck observes every point (any
//! order), costs a few nanoseconds per point and about 40 bytes per minute of data;
//! live ingest bounds it with [`TruckTrack::prune_before`].

use std::collections::HashMap;

use fc_model::TelemetryPoint;

const MINUTE_MS: i64 = 60_000;
/// Parking places are counted on a grid of about 200 m.
const CELL_DEG: f64 = 0.002;
/// Time between two points longer than this is not counted as parked.
const MAX_PARK_STEP_MS: i64 = 3 * 3_600_000;
/// A place becomes "usual parking" after this many hours parked there in total.
const USUAL_PARKING_H: f64 = 4.0;

#[derive(Debug, Clone, Copy)]
struct Minute {
    minute: i64,
    n: u16,
    speed_n: u16,
    speed_sum: f32,
    speed_max: f32,
    ign_known: u16,
    ign_on: u16,
    engine_on: u16,
    lat: f32,
    lon: f32,
    /// Last ECU counter reading in the minute (NaN: none).
    fuel_used: f64,
}

#[derive(Debug, Clone, Copy, Default)]
struct Place {
    hours: f64,
    lat_sum: f64,
    lon_sum: f64,
    n: f64,
}

/// What the telemetry says about a change between `start` and `end`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrackFeatures {
    /// Mean speed in the 15 minutes before the window, km/h (NaN: no data).
    pub speed_before_kmh: f64,
    /// Highest speed during the change, km/h (NaN: no data).
    pub speed_during_max_kmh: f64,
    /// Mean speed in the 15 minutes after the window, km/h (NaN: no data).
    pub speed_after_kmh: f64,
    /// Share of readings with the ignition on during the change (NaN: unknown).
    pub ignition_on_share: f64,
    /// Share of readings with the engine running (rpm or fuel rate > 0) during the change.
    pub engine_on_share: f64,
    /// ECU counter increase across the evidence window, litres (NaN: no counter or a reset).
    pub ecu_used_l: f64,
    /// Position during the change (the track's, when the event has none).
    pub lat: Option<f64>,
    /// Longitude, see `lat`.
    pub lon: Option<f64>,
}

/// One truck's telemetry context (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct TruckTrack {
    minutes: Vec<Minute>,
    places: HashMap<(i32, i32), Place>,
    last: Option<(i64, bool, f64, f64)>,
}

impl TruckTrack {
    /// An empty track.
    pub fn new() -> Self {
        TruckTrack::default()
    }

    /// Observes one point (late points are merged in place).
    pub fn push(&mut self, p: &TelemetryPoint) {
        let minute = p.ts.div_euclid(MINUTE_MS);
        let idx = match self.minutes.last() {
            Some(m) if m.minute == minute => self.minutes.len() - 1,
            Some(m) if m.minute > minute => {
                match self.minutes.binary_search_by_key(&minute, |m| m.minute) {
                    Ok(i) => i,
                    Err(i) => {
                        self.minutes.insert(i, Minute::empty(minute));
                        i
                    }
                }
            }
            _ => {
                self.minutes.push(Minute::empty(minute));
                self.minutes.len() - 1
            }
        };
        let m = &mut self.minutes[idx];
        m.n = m.n.saturating_add(1);
        if let Some(v) = p.speed_kmh.filter(|v| v.is_finite()) {
            m.speed_n = m.speed_n.saturating_add(1);
            m.speed_sum += v as f32;
            m.speed_max = m.speed_max.max(v as f32);
        }
        if let Some(on) = p.ignition {
            m.ign_known = m.ign_known.saturating_add(1);
            m.ign_on = m.ign_on.saturating_add(u16::from(on));
        }
        let engine = p.rpm.is_some_and(|r| r > 100.0) || p.fuel_rate_lph.is_some_and(|r| r > 0.1);
        m.engine_on = m.engine_on.saturating_add(u16::from(engine));
        if let (Some(lat), Some(lon)) = (p.lat, p.lon)
            && lat.is_finite()
            && lon.is_finite()
        {
            m.lat = lat as f32;
            m.lon = lon as f32;
        }
        if let Some(u) = p.fuel_used_l.filter(|u| u.is_finite()) {
            m.fuel_used = u;
        }
        self.count_parking(p);
    }

    /// Parked time (ignition off, standing) accumulates on the cell of the position.
    fn count_parking(&mut self, p: &TelemetryPoint) {
        let (Some(lat), Some(lon)) = (p.lat, p.lon) else {
            return;
        };
        let parked = p.ignition == Some(false) && p.speed_kmh.is_none_or(|v| v < 1.0);
        if let Some((ts, was_parked, plat, plon)) = self.last {
            if p.ts <= ts {
                return; // late points do not move the parking clock
            }
            let dt = p.ts - ts;
            if was_parked && parked && dt <= MAX_PARK_STEP_MS {
                let key = (
                    (plat / CELL_DEG).floor() as i32,
                    (plon / CELL_DEG).floor() as i32,
                );
                let place = self.places.entry(key).or_default();
                place.hours += dt as f64 / 3_600_000.0;
                place.lat_sum += plat;
                place.lon_sum += plon;
                place.n += 1.0;
            }
        }
        self.last = Some((p.ts, parked, lat, lon));
    }

    /// Drops minutes before `ts_ms` (live ingest keeps a bounded window); places stay.
    pub fn prune_before(&mut self, ts_ms: i64) {
        let minute = ts_ms.div_euclid(MINUTE_MS);
        let cut = self.minutes.partition_point(|m| m.minute < minute);
        self.minutes.drain(..cut);
    }

    /// Minutes held.
    pub fn len(&self) -> usize {
        self.minutes.len()
    }

    /// No minutes held.
    pub fn is_empty(&self) -> bool {
        self.minutes.is_empty()
    }

    /// Where the truck usually parks: places with at least 4 hours parked, most used first.
    pub fn parking_places(&self) -> Vec<(f64, f64, f64)> {
        let mut v: Vec<(f64, f64, f64)> = self
            .places
            .values()
            .filter(|p| p.hours >= USUAL_PARKING_H && p.n > 0.0)
            .map(|p| (p.lat_sum / p.n, p.lon_sum / p.n, p.hours))
            .collect();
        v.sort_by(|a, b| b.2.total_cmp(&a.2));
        v.truncate(16);
        v
    }

    fn range(&self, from_ms: i64, to_ms: i64) -> &[Minute] {
        let a = self
            .minutes
            .partition_point(|m| m.minute < from_ms.div_euclid(MINUTE_MS));
        let b = self
            .minutes
            .partition_point(|m| m.minute <= to_ms.div_euclid(MINUTE_MS));
        &self.minutes[a..b.max(a)]
    }

    /// The context of a change `[start, end]` whose evidence window is `[window_start, window_end]`.
    pub fn features(
        &self,
        start_ms: i64,
        end_ms: i64,
        window_start_ms: i64,
        window_end_ms: i64,
    ) -> TrackFeatures {
        let mean_speed = |ms: &[Minute]| {
            let (s, n) = ms.iter().fold((0.0f64, 0u32), |(s, n), m| {
                (s + f64::from(m.speed_sum), n + u32::from(m.speed_n))
            });
            if n == 0 { f64::NAN } else { s / f64::from(n) }
        };
        let before = self.range(window_start_ms - 15 * MINUTE_MS, window_start_ms - 1);
        let after = self.range(window_end_ms + 1, window_end_ms + 15 * MINUTE_MS);
        let during = self.range(start_ms, end_ms.max(start_ms));
        let speed_during_max_kmh = if during.iter().any(|m| m.speed_n > 0) {
            during
                .iter()
                .filter(|m| m.speed_n > 0)
                .map(|m| f64::from(m.speed_max))
                .fold(0.0, f64::max)
        } else {
            f64::NAN
        };
        let (ik, io, n, eo) = during.iter().fold((0u32, 0u32, 0u32, 0u32), |a, m| {
            (
                a.0 + u32::from(m.ign_known),
                a.1 + u32::from(m.ign_on),
                a.2 + u32::from(m.n),
                a.3 + u32::from(m.engine_on),
            )
        });
        let share = |num: u32, den: u32| {
            if den == 0 {
                f64::NAN
            } else {
                f64::from(num) / f64::from(den)
            }
        };
        // The counter just before the window and the first one after it.
        let wide = self.range(
            window_start_ms - 30 * MINUTE_MS,
            window_end_ms + 30 * MINUTE_MS,
        );
        let first = wide
            .iter()
            .rev()
            .filter(|m| m.minute * MINUTE_MS <= window_start_ms)
            .find(|m| m.fuel_used.is_finite());
        let last = wide
            .iter()
            .filter(|m| m.minute * MINUTE_MS >= window_end_ms - MINUTE_MS)
            .find(|m| m.fuel_used.is_finite());
        let ecu_used_l = match (first, last) {
            (Some(a), Some(b)) if b.fuel_used >= a.fuel_used => b.fuel_used - a.fuel_used,
            _ => f64::NAN,
        };
        let pos = during
            .iter()
            .chain(before.iter().rev())
            .find(|m| m.lat != 0.0 || m.lon != 0.0);
        TrackFeatures {
            speed_before_kmh: mean_speed(before),
            speed_during_max_kmh,
            speed_after_kmh: mean_speed(after),
            ignition_on_share: share(io, ik),
            engine_on_share: share(eo, n),
            ecu_used_l,
            lat: pos.map(|m| f64::from(m.lat)),
            lon: pos.map(|m| f64::from(m.lon)),
        }
    }
}

impl Minute {
    fn empty(minute: i64) -> Self {
        Minute {
            minute,
            n: 0,
            speed_n: 0,
            speed_sum: 0.0,
            speed_max: 0.0,
            ign_known: 0,
            ign_on: 0,
            engine_on: 0,
            lat: 0.0,
            lon: 0.0,
            fuel_used: f64::NAN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pt(min: i64, speed: f64, ign: bool, used: f64) -> TelemetryPoint {
        let mut p = TelemetryPoint::new("T", min * MINUTE_MS);
        p.speed_kmh = Some(speed);
        p.ignition = Some(ign);
        p.fuel_used_l = Some(used);
        p.lat = Some(45.0);
        p.lon = Some(7.0);
        p
    }

    #[test]
    fn speeds_ignition_counter_and_parking_around_a_change() {
        let mut t = TruckTrack::new();
        // drives for 30 min, parks 10 h (a change at 100-110), drives again
        for m in 0..30 {
            t.push(&pt(m, 60.0, true, 100.0 + m as f64 * 0.5));
        }
        for m in (30..630).step_by(5) {
            t.push(&pt(m, 0.0, false, 115.0));
        }
        // a late point merges into its minute
        t.push(&pt(3, 80.0, true, 101.5));
        for m in 630..660 {
            t.push(&pt(m, 50.0, true, 115.0 + (m - 630) as f64 * 0.5));
        }
        let f = t.features(
            100 * MINUTE_MS,
            110 * MINUTE_MS,
            95 * MINUTE_MS,
            115 * MINUTE_MS,
        );
        assert_eq!(f.speed_during_max_kmh, 0.0);
        assert_eq!(f.ignition_on_share, 0.0);
        assert_eq!(f.engine_on_share, 0.0);
        assert_eq!(f.ecu_used_l, 0.0);
        assert_eq!(f.speed_before_kmh, 0.0);
        let g = t.features(
            20 * MINUTE_MS,
            40 * MINUTE_MS,
            20 * MINUTE_MS,
            40 * MINUTE_MS,
        );
        assert!(g.speed_before_kmh > 59.0, "{g:?}");
        assert!((g.ecu_used_l - 5.0).abs() < 1e-9, "{g:?}");
        assert!(g.ignition_on_share > 0.0 && g.ignition_on_share < 1.0);
        let places = t.parking_places();
        assert_eq!(places.len(), 1);
        assert!(places[0].2 > 9.0, "{places:?}");
        // nothing known far away
        let h = t.features(
            5000 * MINUTE_MS,
            5010 * MINUTE_MS,
            5000 * MINUTE_MS,
            5010 * MINUTE_MS,
        );
        assert!(h.speed_before_kmh.is_nan() && h.ecu_used_l.is_nan() && h.lat.is_none());
        t.prune_before(600 * MINUTE_MS);
        assert_eq!(t.len(), 6 + 30);
        assert!(!t.is_empty());
    }
}
