//! Two faithful baselines to beat (decision 13), producing the same event type.
//!
//! * Traccar's `FuelEventHandler`: each reading against the previous one, no
//!   smoothing, no ignition or motion check.
//! * Wialon-style: a 9-message median filter, fills as runs of rising filtered
//!   level, drains as runs of falling level while stopped, minus an idle allowance.

use fc_model::{TelemetryPoint, TruckProfile};
use serde::{Deserialize, Serialize};

use crate::event::{
    ConsumptionSource, EventKind, EventStatus, Evidence, FuelEvent, Reason, ReasonCode, event_id,
};
use crate::level::{LevelReader, time_order};

/// Traccar settings (`fuelIncreaseThreshold`, `fuelDropThreshold`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TraccarConfig {
    /// Rise between two readings that raises a fill, litres.
    pub increase_l: f64,
    /// Fall between two readings that raises a drain, litres.
    pub drop_l: f64,
}

impl Default for TraccarConfig {
    fn default() -> Self {
        TraccarConfig {
            increase_l: 20.0,
            drop_l: 20.0,
        }
    }
}

/// Wialon-style settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WialonConfig {
    /// Median filter width, messages.
    pub median_window: usize,
    /// Minimum fill volume, litres.
    pub min_fill_l: f64,
    /// Minimum drain volume, litres.
    pub min_drain_l: f64,
    /// Idle consumption subtracted from a drain with the ignition on, L/h.
    pub idle_lph: f64,
    /// Look for drains while moving (off by default, as in Wialon).
    pub drains_in_motion: bool,
    /// Below this speed the truck is stopped, km/h.
    pub stop_speed_kmh: f64,
    /// A flat filtered level for this long ends a fill or drain (separation timeout), ms.
    pub separation_ms: i64,
}

impl Default for WialonConfig {
    fn default() -> Self {
        WialonConfig {
            median_window: 9,
            min_fill_l: 20.0,
            min_drain_l: 20.0,
            idle_lph: 3.0,
            drains_in_motion: false,
            stop_speed_kmh: 3.0,
            separation_ms: 5 * 60_000,
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn baseline_event(
    truck: &str,
    kind: EventKind,
    start: i64,
    end: i64,
    before: f64,
    after: f64,
    expected: f64,
    thr: f64,
    pos: (Option<f64>, Option<f64>),
) -> FuelEvent {
    let volume = match kind {
        EventKind::Fill => after - before,
        _ => before - after - expected,
    };
    FuelEvent {
        id: event_id(truck, kind, start),
        truck_id: truck.to_string(),
        kind,
        status: EventStatus::Final,
        revision: 0,
        detector_version: "baseline".into(),
        start_ms: start,
        end_ms: end,
        volume_l: volume,
        lat: pos.0,
        lon: pos.1,
        rule_confidence: 1.0,
        evidence: Evidence {
            window_start_ms: start,
            window_end_ms: end,
            samples: Vec::new(),
            level_before_l: before,
            level_after_l: after,
            expected_consumption_l: expected,
            consumption_source: if expected > 0.0 {
                ConsumptionSource::Learned
            } else {
                ConsumptionSource::None
            },
            threshold_l: thr,
            noise_l: 0.0,
            noise_measured: false,
            quantum_l: 0.0,
            unobserved_ms: 0,
            moved: false,
            ignition_on: None,
            reason: Reason {
                code: ReasonCode::Baseline,
                margin: volume / thr.max(1e-9),
                observed_change_l: after - before,
                consumption_allowance_l: expected,
                thermal_allowance_l: 0.0,
            },
        },
    }
}

/// Traccar: each reading compared with the previous one (out-of-order points are skipped,
/// as Traccar does; here the input is sorted first, which only helps it).
pub fn traccar(
    profile: &TruckProfile,
    points: &[TelemetryPoint],
    cfg: &TraccarConfig,
) -> Vec<FuelEvent> {
    let mut reader = LevelReader::new(profile);
    let mut prev: Option<(i64, f64)> = None;
    let mut out = Vec::new();
    for i in time_order(points) {
        let p = &points[i];
        let Some(l) = reader.read(p) else { continue };
        if let Some((t, pl)) = prev {
            let d = l - pl;
            if cfg.increase_l > 0.0 && d >= cfg.increase_l {
                out.push(baseline_event(
                    &profile.truck_id,
                    EventKind::Fill,
                    t,
                    p.ts,
                    pl,
                    l,
                    0.0,
                    cfg.increase_l,
                    (p.lat, p.lon),
                ));
            } else if cfg.drop_l > 0.0 && -d >= cfg.drop_l {
                out.push(baseline_event(
                    &profile.truck_id,
                    EventKind::Drain,
                    t,
                    p.ts,
                    pl,
                    l,
                    0.0,
                    cfg.drop_l,
                    (p.lat, p.lon),
                ));
            }
        }
        prev = Some((p.ts, l));
    }
    out
}

struct Row {
    ts: i64,
    f: f64,
    stopped: bool,
    ign: bool,
    lat: Option<f64>,
    lon: Option<f64>,
}

/// Wialon-style detection (median filter, run-based fills and drains, idle allowance).
pub fn wialon(
    profile: &TruckProfile,
    points: &[TelemetryPoint],
    cfg: &WialonConfig,
) -> Vec<FuelEvent> {
    let mut reader = LevelReader::new(profile);
    let mut raw: Vec<(usize, f64)> = Vec::new();
    for i in time_order(points) {
        if let Some(l) = reader.read(&points[i]) {
            raw.push((i, l));
        }
    }
    let half = cfg.median_window.max(1) / 2;
    let mut buf = Vec::with_capacity(2 * half + 1);
    let rows: Vec<Row> = (0..raw.len())
        .map(|k| {
            let lo = k.saturating_sub(half);
            let hi = (k + half + 1).min(raw.len());
            buf.clear();
            buf.extend(raw[lo..hi].iter().map(|r| r.1));
            buf.sort_by(f64::total_cmp);
            let p = &points[raw[k].0];
            Row {
                ts: p.ts,
                f: buf[buf.len() / 2],
                stopped: p.speed_kmh.is_none_or(|s| s < cfg.stop_speed_kmh),
                ign: p.ignition != Some(false),
                lat: p.lat,
                lon: p.lon,
            }
        })
        .collect();
    let mut out = Vec::new();
    let truck = &profile.truck_id;
    // fills: from the first positive step to the last rise before a fall or a flat timeout
    let mut k = 1;
    while k < rows.len() {
        if rows[k].f > rows[k - 1].f {
            let s = k - 1;
            let mut top = k;
            let mut j = k + 1;
            while j < rows.len()
                && rows[j].f >= rows[j - 1].f
                && rows[j].ts - rows[top].ts <= cfg.separation_ms
            {
                if rows[j].f > rows[top].f {
                    top = j;
                }
                j += 1;
            }
            let vol = rows[top].f - rows[s].f;
            if vol >= cfg.min_fill_l {
                out.push(baseline_event(
                    truck,
                    EventKind::Fill,
                    rows[s].ts,
                    rows[top].ts,
                    rows[s].f,
                    rows[top].f,
                    0.0,
                    cfg.min_fill_l,
                    (rows[top].lat, rows[top].lon),
                ));
            }
            k = top + 1;
        } else {
            k += 1;
        }
    }
    // drains: runs of falling filtered level (while stopped unless enabled), minus idle use
    let ok = |r: &Row| cfg.drains_in_motion || r.stopped;
    let mut k = 1;
    while k < rows.len() {
        if rows[k].f < rows[k - 1].f && ok(&rows[k - 1]) && ok(&rows[k]) {
            let s = k - 1;
            let mut low = k;
            let mut j = k + 1;
            while j < rows.len()
                && ok(&rows[j])
                && rows[j].f <= rows[j - 1].f
                && rows[j].ts - rows[low].ts <= cfg.separation_ms
            {
                if rows[j].f < rows[low].f {
                    low = j;
                }
                j += 1;
            }
            let idle_h: f64 = (s..low)
                .filter(|&x| rows[x].ign)
                .map(|x| (rows[x + 1].ts - rows[x].ts) as f64 / 3_600_000.0)
                .sum();
            let expected = cfg.idle_lph * idle_h;
            if rows[s].f - rows[low].f - expected >= cfg.min_drain_l {
                out.push(baseline_event(
                    truck,
                    EventKind::Drain,
                    rows[s].ts,
                    rows[low].ts,
                    rows[s].f,
                    rows[low].f,
                    expected,
                    cfg.min_drain_l,
                    (rows[s].lat, rows[s].lon),
                ));
            }
            k = low + 1;
        } else {
            k += 1;
        }
    }
    out.sort_by_key(|e| (e.start_ms, e.kind));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use fc_model::Tank;

    fn profile() -> TruckProfile {
        TruckProfile {
            truck_id: "T".into(),
            name: "T".into(),
            fuel_type: None,
            tanks: vec![Tank {
                capacity_l: 400.0,
                calibration: None,
            }],
        }
    }

    fn series(levels: &[f64], speed: f64) -> Vec<TelemetryPoint> {
        levels
            .iter()
            .enumerate()
            .map(|(i, &l)| {
                let mut p = TelemetryPoint::new("T", i as i64 * 60_000);
                p.fuel_level_pct = Some(l / 4.0);
                p.speed_kmh = Some(speed);
                p.ignition = Some(false);
                p
            })
            .collect()
    }

    #[test]
    fn traccar_fires_on_every_big_step_including_spikes() {
        let pts = series(&[100.0, 100.0, 0.0, 100.0, 100.0, 150.0, 150.0], 0.0);
        let ev = traccar(&profile(), &pts, &TraccarConfig::default());
        let kinds: Vec<_> = ev.iter().map(|e| (e.kind, e.volume_l.round())).collect();
        assert_eq!(
            kinds,
            vec![
                (EventKind::Drain, 100.0),
                (EventKind::Fill, 100.0),
                (EventKind::Fill, 50.0)
            ]
        );
    }

    #[test]
    fn wialon_filters_spikes_and_measures_runs() {
        let mut lv = vec![100.0; 12];
        lv[4] = 0.0; // spike: removed by the median
        lv.extend([130.0, 160.0, 190.0, 200.0]);
        lv.extend(vec![200.0; 12]);
        lv.extend([190.0, 180.0, 170.0]);
        lv.extend(vec![170.0; 12]);
        let pts = series(&lv, 0.0);
        let ev = wialon(&profile(), &pts, &WialonConfig::default());
        let kinds: Vec<_> = ev.iter().map(|e| (e.kind, e.volume_l.round())).collect();
        assert_eq!(
            kinds,
            vec![(EventKind::Fill, 100.0), (EventKind::Drain, 30.0)]
        );
        // the same drop while moving is ignored by default
        let moving = series(&lv, 50.0);
        let ev = wialon(&profile(), &moving, &WialonConfig::default());
        assert!(ev.iter().all(|e| e.kind == EventKind::Fill));
    }
}
