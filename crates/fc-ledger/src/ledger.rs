//! The fuel ledger per truck and period, and driving efficiency.
//!
//! consumed = start level - end level + fills - drains (decision 20: fuel used
//! always comes from here, never from first-minus-last level), cross-checked
//! against the ECU counter where present.

use fc_model::units::{KM_PER_MI, L_PER_US_GAL};
use fc_model::{TelemetryPoint, TruckProfile};
use serde::{Deserialize, Serialize};

use crate::event::{EventKind, EventStatus, FuelEvent};
use crate::geo::haversine_km;
use crate::level::{LevelReader, time_order};

/// Ledger settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LedgerConfig {
    /// Idle counts only in runs at least this long (decision 20), seconds.
    pub idle_min_s: i64,
    /// Idle needs speed below this, km/h.
    pub idle_speed_kmh: f64,
    /// Intervals longer than this between points are not counted as idle or GPS travel, ms.
    pub max_interval_ms: i64,
    /// Idle rate when neither the ECU counter nor the fuel rate is present, L/h
    /// (pass the detector's learned rate).
    pub idle_rate_lph: f64,
    /// Stationary samples whose median gives the start and end levels.
    pub level_samples: usize,
    /// Speed implied by a GPS or odometer step above which the step is a jump, km/h.
    pub max_speed_kmh: f64,
}

impl Default for LedgerConfig {
    fn default() -> Self {
        LedgerConfig {
            idle_min_s: 120,
            idle_speed_kmh: 1.0,
            max_interval_ms: 5 * 60_000,
            idle_rate_lph: 2.5,
            level_samples: 9,
            max_speed_kmh: 160.0,
        }
    }
}

/// How the distance was measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DistanceSource {
    /// Odometer deltas (resets and jumps skipped).
    Odometer,
    /// GPS great-circle steps with jump guards.
    Gps,
    /// No distance data.
    None,
}

/// Where the idle litres came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdleFuelSource {
    /// ECU counter deltas over idle runs.
    EcuCounter,
    /// Integrated fuel rate.
    FuelRate,
    /// Idle hours times the idle rate.
    Rate,
    /// No idle.
    None,
}

/// One truck's fuel balance and efficiency over `[from_ms, to_ms)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ledger {
    /// Truck id.
    pub truck_id: String,
    /// Period start, UTC ms (inclusive).
    pub from_ms: i64,
    /// Period end, UTC ms (exclusive).
    pub to_ms: i64,
    /// Robust level at the start, litres.
    pub start_level_l: Option<f64>,
    /// Robust level at the end, litres.
    pub end_level_l: Option<f64>,
    /// Number of final fills ending in the period.
    pub fills: u32,
    /// Their volume, litres.
    pub fills_l: f64,
    /// Number of final drains ending in the period.
    pub drains: u32,
    /// Their volume, litres.
    pub drains_l: f64,
    /// start - end + fills - drains, litres.
    pub consumed_l: Option<f64>,
    /// Sum of the ECU counter's increases (resets skipped), litres.
    pub ecu_consumed_l: Option<f64>,
    /// consumed - ECU, litres (positive: the level lost more than the engine burned).
    pub ecu_disagreement_l: Option<f64>,
    /// The same as a fraction of the ECU figure.
    pub ecu_disagreement_fraction: Option<f64>,
    /// Distance driven, km.
    pub distance_km: f64,
    /// How it was measured.
    pub distance_source: DistanceSource,
    /// Litres per 100 km.
    pub l_per_100km: Option<f64>,
    /// Miles per US gallon.
    pub mpg_us: Option<f64>,
    /// Idle hours (ignition on, speed < 1 km/h, PTO off, runs of at least the minimum).
    pub idle_h: f64,
    /// Fuel burned idling, litres.
    pub idle_l: f64,
    /// Where the idle litres came from.
    pub idle_source: IdleFuelSource,
}

/// Builds the ledger of one truck for a period from its points (any order) and
/// the detector's events (only final fills and drains ending in the period count).
pub fn build_ledger(
    profile: &TruckProfile,
    points: &[TelemetryPoint],
    events: &[FuelEvent],
    from_ms: i64,
    to_ms: i64,
    cfg: &LedgerConfig,
) -> Ledger {
    let order: Vec<usize> = time_order(points)
        .into_iter()
        .filter(|&i| {
            points[i].ts >= from_ms
                && points[i].ts < to_ms
                && points[i].truck_id == profile.truck_id
        })
        .collect();
    let pts: Vec<&TelemetryPoint> = order.iter().map(|&i| &points[i]).collect();

    let (start_level_l, end_level_l) = boundary_levels(profile, &pts, cfg);
    let mut fills = 0;
    let mut fills_l = 0.0;
    let mut drains = 0;
    let mut drains_l = 0.0;
    for e in events.iter().filter(|e| {
        e.truck_id == profile.truck_id
            && e.status == EventStatus::Final
            && e.end_ms >= from_ms
            && e.end_ms < to_ms
    }) {
        match e.kind {
            EventKind::Fill => {
                fills += 1;
                fills_l += e.volume_l;
            }
            EventKind::Drain => {
                drains += 1;
                drains_l += e.volume_l;
            }
            EventKind::SensorFault => {}
        }
    }
    let consumed_l = match (start_level_l, end_level_l) {
        (Some(s), Some(e)) => Some(s - e + fills_l - drains_l),
        _ => None,
    };
    let ecu_consumed_l = ecu_consumed(&pts, cfg);
    let (ecu_disagreement_l, ecu_disagreement_fraction) = match (consumed_l, ecu_consumed_l) {
        (Some(c), Some(u)) => (Some(c - u), (u > 0.0).then(|| (c - u) / u)),
        _ => (None, None),
    };
    let (distance_km, distance_source) = distance(&pts, cfg);
    let (l_per_100km, mpg_us) = match consumed_l {
        Some(c) if distance_km >= 1.0 && c > 0.0 => (
            Some(c / distance_km * 100.0),
            Some((distance_km / KM_PER_MI) / (c / L_PER_US_GAL)),
        ),
        _ => (None, None),
    };
    let (idle_h, idle_l, idle_source) = idle(&pts, cfg);
    Ledger {
        truck_id: profile.truck_id.clone(),
        from_ms,
        to_ms,
        start_level_l,
        end_level_l,
        fills,
        fills_l,
        drains,
        drains_l,
        consumed_l,
        ecu_consumed_l,
        ecu_disagreement_l,
        ecu_disagreement_fraction,
        distance_km,
        distance_source,
        l_per_100km,
        mpg_us,
        idle_h,
        idle_l,
        idle_source,
    }
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    })
}

/// Median of the first and last stationary levels (moving samples slosh); any samples as fallback.
fn boundary_levels(
    profile: &TruckProfile,
    pts: &[&TelemetryPoint],
    cfg: &LedgerConfig,
) -> (Option<f64>, Option<f64>) {
    let mut reader = LevelReader::new(profile);
    let levels: Vec<(f64, bool)> = pts
        .iter()
        .filter_map(|p| {
            let still = p.speed_kmh.is_none_or(|s| s < 3.0);
            reader.read(p).map(|l| (l, still))
        })
        .collect();
    let n = cfg.level_samples.max(1);
    let pick = |it: &mut dyn Iterator<Item = &(f64, bool)>| {
        let mut still: Vec<f64> = Vec::new();
        let mut any: Vec<f64> = Vec::new();
        for &(l, s) in it {
            if any.len() < n {
                any.push(l);
            }
            if s {
                still.push(l);
                if still.len() == n {
                    break;
                }
            }
        }
        if still.is_empty() {
            median(&mut any)
        } else {
            median(&mut still)
        }
    };
    (pick(&mut levels.iter()), pick(&mut levels.iter().rev()))
}

fn ecu_consumed(pts: &[&TelemetryPoint], cfg: &LedgerConfig) -> Option<f64> {
    let mut last: Option<(i64, f64)> = None;
    let mut sum = 0.0;
    let mut seen = false;
    for p in pts {
        if let Some(c) = p.fuel_used_l {
            if let Some((t, l)) = last {
                let d = c - l;
                let h = (p.ts - t) as f64 / 3_600_000.0;
                // A decrease is a counter reset: a new segment, never negative fuel.
                if d >= 0.0 && d <= 200.0 * h + 1.0 {
                    sum += d;
                    seen = true;
                }
            }
            last = Some((p.ts, c));
        }
    }
    let _ = cfg;
    seen.then_some(sum)
}

fn distance(pts: &[&TelemetryPoint], cfg: &LedgerConfig) -> (f64, DistanceSource) {
    let mut odo = 0.0;
    let mut odo_pairs = 0;
    let plausible = |(t0, o0): (i64, f64), (t1, o1): (i64, f64)| {
        let d = o1 - o0;
        d >= 0.0 && d <= cfg.max_speed_kmh * (t1 - t0) as f64 / 3_600_000.0 + 0.5
    };
    let mut last: Option<(i64, f64)> = None;
    // A reading that jumps is held aside; if the next one agrees with it, it was a
    // reset or a replaced unit and becomes the new base, else it was a glitch.
    let mut held: Option<(i64, f64)> = None;
    for p in pts {
        if let Some(o) = p.odometer_km {
            let cur = (p.ts, o);
            match last {
                None => last = Some(cur),
                Some(prev) => {
                    odo_pairs += 1;
                    if plausible(prev, cur) {
                        odo += o - prev.1;
                        last = Some(cur);
                        held = None;
                    } else if held.is_some_and(|h| plausible(h, cur)) {
                        last = Some(cur);
                        held = None;
                    } else {
                        held = Some(cur);
                    }
                }
            }
        }
    }
    if odo_pairs > 0 {
        return (odo, DistanceSource::Odometer);
    }
    let mut gps = 0.0;
    let mut pairs = 0;
    let mut last: Option<(i64, f64, f64, bool)> = None;
    for p in pts {
        let (Some(lat), Some(lon)) = (p.lat, p.lon) else {
            continue;
        };
        // (0, 0) is a receiver without a fix, not a place.
        if lat == 0.0 && lon == 0.0 {
            continue;
        }
        let still = p.speed_kmh.is_some_and(|s| s < cfg.idle_speed_kmh);
        if let Some((t, la, lo, was_still)) = last {
            let d = haversine_km(la, lo, lat, lon);
            let h = (p.ts - t) as f64 / 3_600_000.0;
            pairs += 1;
            // Jitter at rest and jumps faster than a truck are not travel.
            if !(still && was_still) && d <= cfg.max_speed_kmh * h {
                gps += d;
            }
        }
        last = Some((p.ts, lat, lon, still));
    }
    if pairs > 0 {
        (gps, DistanceSource::Gps)
    } else {
        (0.0, DistanceSource::None)
    }
}

fn is_idle(p: &TelemetryPoint, cfg: &LedgerConfig) -> bool {
    p.ignition == Some(true)
        && p.speed_kmh.is_some_and(|s| s < cfg.idle_speed_kmh)
        && p.pto != Some(true)
}

/// Idle hours and litres over runs of idle points lasting at least the minimum.
fn idle(pts: &[&TelemetryPoint], cfg: &LedgerConfig) -> (f64, f64, IdleFuelSource) {
    let mut total_h = 0.0;
    let mut total_l = 0.0;
    let mut source = IdleFuelSource::None;
    let mut i = 0;
    while i < pts.len() {
        if !is_idle(pts[i], cfg) {
            i += 1;
            continue;
        }
        // run [i, j]: consecutive idle points without a long silence
        let mut j = i;
        while j + 1 < pts.len()
            && is_idle(pts[j + 1], cfg)
            && pts[j + 1].ts - pts[j].ts <= cfg.max_interval_ms
        {
            j += 1;
        }
        // the run lasts until the next point if that comes soon (the state held until then)
        let end = if j + 1 < pts.len() && pts[j + 1].ts - pts[j].ts <= cfg.max_interval_ms {
            j + 1
        } else {
            j
        };
        let dur_ms = pts[end].ts - pts[i].ts;
        if dur_ms >= cfg.idle_min_s * 1000 {
            let h = dur_ms as f64 / 3_600_000.0;
            total_h += h;
            let (l, s) = run_litres(&pts[i..=end], h, cfg);
            total_l += l;
            if source == IdleFuelSource::None || s == IdleFuelSource::Rate {
                source = s;
            }
        }
        i = j + 1;
    }
    (total_h, total_l, source)
}

fn run_litres(run: &[&TelemetryPoint], h: f64, cfg: &LedgerConfig) -> (f64, IdleFuelSource) {
    if let (Some(a), Some(b)) = (
        run.first().and_then(|p| p.fuel_used_l),
        run.last().and_then(|p| p.fuel_used_l),
    ) && b >= a
    {
        return (b - a, IdleFuelSource::EcuCounter);
    }
    if run.iter().all(|p| p.fuel_rate_lph.is_some()) {
        let l = run
            .windows(2)
            .map(|w| {
                let dt = (w[1].ts - w[0].ts) as f64 / 3_600_000.0;
                0.5 * (w[0].fuel_rate_lph.unwrap_or(0.0) + w[1].fuel_rate_lph.unwrap_or(0.0)) * dt
            })
            .sum();
        return (l, IdleFuelSource::FuelRate);
    }
    (cfg.idle_rate_lph * h, IdleFuelSource::Rate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Evidence, Reason, ReasonCode};
    use fc_model::Tank;

    fn profile() -> TruckProfile {
        TruckProfile {
            truck_id: "T1".into(),
            name: "T1".into(),
            fuel_type: None,
            tanks: vec![Tank {
                capacity_l: 500.0,
                calibration: None,
            }],
        }
    }

    fn pt(min: i64, fuel: f64, speed: f64, ign: bool, odo: f64, used: f64) -> TelemetryPoint {
        let mut p = TelemetryPoint::new("T1", min * 60_000);
        p.fuel_l = Some(fuel);
        p.speed_kmh = Some(speed);
        p.ignition = Some(ign);
        p.odometer_km = Some(odo);
        p.fuel_used_l = Some(used);
        p
    }

    fn event(kind: EventKind, end_min: i64, vol: f64) -> FuelEvent {
        FuelEvent {
            id: format!("T1:{}:{end_min}", kind.code()),
            truck_id: "T1".into(),
            kind,
            status: EventStatus::Final,
            revision: 0,
            detector_version: "t".into(),
            start_ms: (end_min - 5) * 60_000,
            end_ms: end_min * 60_000,
            volume_l: vol,
            lat: None,
            lon: None,
            rule_confidence: 0.9,
            evidence: Evidence {
                window_start_ms: 0,
                window_end_ms: 0,
                samples: vec![],
                level_before_l: 0.0,
                level_after_l: 0.0,
                expected_consumption_l: 0.0,
                consumption_source: crate::ConsumptionSource::None,
                threshold_l: 10.0,
                noise_l: 1.0,
                noise_measured: true,
                quantum_l: 0.0,
                unobserved_ms: 0,
                moved: false,
                ignition_on: None,
                reason: Reason {
                    code: ReasonCode::StationaryRise,
                    margin: 2.0,
                    observed_change_l: 0.0,
                    consumption_allowance_l: 0.0,
                    thermal_allowance_l: 0.0,
                },
            },
        }
    }

    #[test]
    fn balance_across_a_refuel_and_efficiency() {
        // 10 min idle (2 L), 100 km drive (30 L, odometer with one bogus jump), fill 200 L, park
        let mut pts = Vec::new();
        let mut fuel = 300.0;
        let mut used = 1000.0;
        for m in 0..=10 {
            pts.push(pt(m, fuel, 0.0, true, 5000.0, used));
            fuel -= 0.2;
            used += 0.2;
        }
        for m in 11..=110 {
            fuel -= 0.3;
            used += 0.3;
            let odo = 5000.0 + (m - 10) as f64;
            pts.push(pt(
                m,
                fuel,
                60.0,
                true,
                if m == 50 { 99_999.0 } else { odo },
                used,
            ));
        }
        fuel += 200.0;
        for m in 111..=140 {
            pts.push(pt(m, fuel, 0.0, false, 5100.0, used));
        }
        pts.reverse(); // any order
        let events = vec![
            event(EventKind::Fill, 115, 200.0),
            event(EventKind::Fill, 500, 99.0),
        ];
        let l = build_ledger(
            &profile(),
            &pts,
            &events,
            0,
            200 * 60_000,
            &LedgerConfig::default(),
        );
        assert_eq!(l.fills, 1);
        let consumed = l.consumed_l.unwrap();
        assert!((consumed - 32.0).abs() < 0.6, "{consumed}");
        assert!((l.ecu_consumed_l.unwrap() - 32.2).abs() < 0.01);
        assert!(l.ecu_disagreement_l.unwrap().abs() < 1.0);
        assert_eq!(l.distance_source, DistanceSource::Odometer);
        assert!((l.distance_km - 100.0).abs() < 1.01, "{}", l.distance_km);
        let per100 = l.l_per_100km.unwrap();
        assert!((per100 - 32.0).abs() < 1.0, "{per100}");
        // 32 L/100 km = 7.35 mpg (US)
        assert!((l.mpg_us.unwrap() - 235.215 / per100).abs() < 0.01);
        assert!((l.idle_h - 11.0 / 60.0).abs() < 1e-9, "{}", l.idle_h);
        assert_eq!(l.idle_source, IdleFuelSource::EcuCounter);
        // each state holds until the next point: the idle run is 0..11 min, the counter rose 2.5 L
        assert!((l.idle_l - 2.5).abs() < 0.01, "{}", l.idle_l);
    }

    #[test]
    fn short_idle_pto_and_gps_jumps() {
        let mut pts = Vec::new();
        // 1 minute idle (below the 2 min minimum), then 10 minutes with PTO on
        for m in 0..=1 {
            let mut p = pt(m, 100.0, 0.0, true, 0.0, 0.0);
            p.odometer_km = None;
            p.fuel_used_l = None;
            pts.push(p);
        }
        let mut p = pt(2, 100.0, 30.0, true, 0.0, 0.0);
        p.odometer_km = None;
        p.fuel_used_l = None;
        pts.push(p);
        for m in 3..=13 {
            let mut p = pt(m, 100.0, 0.0, true, 0.0, 0.0);
            p.odometer_km = None;
            p.fuel_used_l = None;
            p.pto = Some(true);
            pts.push(p);
        }
        // GPS: 1 km steps each minute, and one teleport
        for (i, p) in pts.iter_mut().enumerate() {
            p.lat = Some(45.0 + i as f64 / 111.0);
            p.lon = Some(if i == 5 { 120.0 } else { 7.0 });
            p.speed_kmh = Some(60.0);
        }
        let l = build_ledger(
            &profile(),
            &pts,
            &[],
            0,
            20 * 60_000,
            &LedgerConfig::default(),
        );
        assert_eq!(l.distance_source, DistanceSource::Gps);
        // 13 one-km steps, two of which touch the teleport and are dropped
        assert!((l.distance_km - 11.0).abs() < 0.1, "{}", l.distance_km);
        assert_eq!(l.idle_h, 0.0);
        assert_eq!(l.idle_source, IdleFuelSource::None);
    }
}
