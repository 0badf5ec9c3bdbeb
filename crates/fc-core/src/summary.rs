//! Per-truck summary of stored data: one streaming pass in (truck, ts) order,
//! memory proportional to the number of trucks.

use std::collections::HashMap;

use fc_model::{TelemetryPoint, format_ts};
use fc_store::{PointFilter, Store};
use futures::TryStreamExt;

use crate::dto::TruckSummary;
use crate::error::Result;

/// Fastest plausible road speed between two fixes; anything faster is a GPS jump
/// or an odometer glitch and is not counted as distance.
const MAX_PLAUSIBLE_KMH: f64 = 200.0;
/// Highest plausible fuel burn of a truck engine; a faster-rising counter is a glitch.
const MAX_PLAUSIBLE_LPH: f64 = 250.0;

#[derive(Default)]
struct Acc {
    odo_km: f64,
    odo_seen: bool,
    gps_km: f64,
    gps_seen: bool,
    fuel_l: f64,
    fuel_seen: bool,
    last_ts: Option<i64>,
    last_odo: Option<f64>,
    last_fix: Option<(f64, f64, i64)>,
    last_counter: Option<(f64, i64)>,
}

impl Acc {
    fn push(&mut self, p: &TelemetryPoint) {
        if let Some(odo) = p.odometer_km {
            if let (Some(prev), Some(prev_ts)) = (self.last_odo, self.last_ts) {
                let d = odo - prev;
                // A decrease is an odometer reset or replacement: start a new segment.
                if d >= 0.0 && plausible_speed(d, p.ts - prev_ts) {
                    self.odo_km += d;
                }
            }
            self.last_odo = Some(odo);
            self.odo_seen = true;
        }
        if let (Some(lat), Some(lon)) = (p.lat, p.lon) {
            if let Some((plat, plon, pts)) = self.last_fix {
                let d = haversine_km(plat, plon, lat, lon);
                if plausible_speed(d, p.ts - pts) {
                    self.gps_km += d;
                }
            }
            self.last_fix = Some((lat, lon, p.ts));
            self.gps_seen = true;
        }
        if let Some(used) = p.fuel_used_l {
            if let Some((prev, prev_ts)) = self.last_counter {
                let d = used - prev;
                let hours = (p.ts - prev_ts) as f64 / 3_600_000.0;
                // A decrease is a counter reset (new segment), never negative use.
                if d >= 0.0 && d <= MAX_PLAUSIBLE_LPH * hours.max(1.0 / 60.0) {
                    self.fuel_l += d;
                }
            }
            self.last_counter = Some((used, p.ts));
            self.fuel_seen = true;
        }
        self.last_ts = Some(p.ts);
    }
}

fn plausible_speed(km: f64, dt_ms: i64) -> bool {
    if km == 0.0 {
        return true;
    }
    if dt_ms <= 0 {
        return false;
    }
    km / (dt_ms as f64 / 3_600_000.0) <= MAX_PLAUSIBLE_KMH
}

/// Great-circle distance, km.
pub(crate) fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    const R_KM: f64 = 6371.0088;
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * R_KM * a.sqrt().asin()
}

pub(crate) async fn summarise(store: &Store) -> Result<Vec<TruckSummary>> {
    let stats = store.point_stats().await?;
    let mut rejected: HashMap<String, u64> = HashMap::new();
    for q in store.quarantine_counts().await? {
        if let Some(t) = q.truck_id {
            *rejected.entry(t).or_default() += q.count;
        }
    }
    let mut accs: HashMap<String, Acc> = HashMap::with_capacity(stats.len());
    let mut points = std::pin::pin!(store.points(PointFilter::default()));
    while let Some(p) = points.try_next().await? {
        match accs.get_mut(&p.truck_id) {
            Some(acc) => acc.push(&p),
            None => {
                let mut acc = Acc::default();
                acc.push(&p);
                accs.insert(p.truck_id.clone(), acc);
            }
        }
    }
    let mut out = Vec::with_capacity(stats.len());
    for s in stats {
        let acc = accs.remove(&s.truck_id).unwrap_or_default();
        let (distance_km, distance_source) = if acc.odo_seen {
            (Some(acc.odo_km), "odometer")
        } else if acc.gps_seen {
            (Some(acc.gps_km), "gps")
        } else {
            (None, "none")
        };
        out.push(TruckSummary {
            rejected: rejected.remove(&s.truck_id).unwrap_or(0),
            truck_id: s.truck_id,
            points: s.points,
            first_ts: Some(format_ts(s.first_ts)),
            last_ts: Some(format_ts(s.last_ts)),
            span_h: (s.last_ts - s.first_ts) as f64 / 3_600_000.0,
            distance_km,
            distance_source: distance_source.to_string(),
            fuel_used_l: acc.fuel_seen.then_some(acc.fuel_l),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(ts_s: i64) -> TelemetryPoint {
        TelemetryPoint::new("T1", ts_s * 1000)
    }

    #[test]
    fn odometer_resets_and_glitches_are_not_distance() {
        let mut acc = Acc::default();
        for (ts, odo) in [
            (0, 100.0),
            (3600, 160.0),
            (3660, 5000.0),
            (7200, 5020.0),
            (7260, 0.0),
            (10800, 30.0),
        ] {
            let mut x = p(ts);
            x.odometer_km = Some(odo);
            acc.push(&x);
        }
        // 60 km, then a jump (ignored), 20 km, a reset (ignored), 30 km.
        assert!((acc.odo_km - 110.0).abs() < 1e-9, "{}", acc.odo_km);
    }

    #[test]
    fn gps_jumps_are_guarded() {
        let mut acc = Acc::default();
        for (ts, lat) in [(0, 40.0), (600, 40.1), (660, 45.0), (1200, 40.2)] {
            let mut x = p(ts);
            x.lat = Some(lat);
            x.lon = Some(-3.0);
            acc.push(&x);
        }
        // 0.1 degree of latitude is about 11.1 km; the jump to 45 and back is ignored,
        // as is the return leg that would need 500 km in 9 minutes.
        assert!((acc.gps_km - 11.12).abs() < 0.05, "{}", acc.gps_km);
    }

    #[test]
    fn counter_resets_start_a_new_segment() {
        let mut acc = Acc::default();
        for (ts, used) in [(0, 1000.0), (3600, 1030.0), (7200, 5.0), (10800, 35.0)] {
            let mut x = p(ts);
            x.fuel_used_l = Some(used);
            acc.push(&x);
        }
        assert_eq!(acc.fuel_l, 60.0);
    }
}
