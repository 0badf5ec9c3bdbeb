//! Pushes a few million synthetic points through the detector and prints points/s.
//!
//! `cargo run --release -p fc-ledger --example throughput [points]`

use std::time::Instant;

use fc_ledger::{DetectorConfig, EventUpdate, TruckDetector};
use fc_model::{Tank, TelemetryPoint, TruckProfile};

/// Deterministic pseudo-noise (no dependency needed for a benchmark).
fn noise(state: &mut u64) -> f64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    (*state >> 11) as f64 / (1u64 << 53) as f64 - 0.5
}

fn main() {
    let total: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5_000_000);
    let trucks = 50;
    let per_truck = total / trucks;
    // Build every point first so that the timing covers the detector alone.
    let mut series = Vec::with_capacity(trucks);
    let mut rng = 0x1234_5678_9abc_def1u64;
    for t in 0..trucks {
        let id = format!("T{t}");
        let mut level = 400.0;
        let mut odo = 1000.0;
        let mut pts = Vec::with_capacity(per_truck);
        for i in 0..per_truck {
            // 30 s sampling; a 6-hour cycle: 2 h parked, 3 h driving, 1 h idling
            let minute = (i / 2) % 360;
            let driving = (120..300).contains(&minute);
            let idling = minute >= 300;
            let mut p = TelemetryPoint::new(id.clone(), 1_709_251_200_000 + i as i64 * 30_000);
            if driving {
                odo += 0.6;
                level -= 0.2;
            } else if idling {
                level -= 0.02;
            }
            if level < 80.0 {
                level = 550.0;
            }
            let slosh = if driving { 10.0 * noise(&mut rng) } else { 0.0 };
            p.fuel_level_pct =
                Some(((level + slosh + 2.0 * noise(&mut rng)) / 6.0).clamp(0.0, 100.0));
            p.speed_kmh = Some(if driving { 72.0 } else { 0.0 });
            p.ignition = Some(driving || idling);
            p.odometer_km = Some(odo);
            p.lat = Some(45.0 + odo / 111.0);
            p.lon = Some(7.0);
            pts.push(p);
        }
        series.push(pts);
    }
    let profile = |id: &str| TruckProfile {
        truck_id: id.to_string(),
        name: id.to_string(),
        fuel_type: None,
        tanks: vec![Tank {
            capacity_l: 600.0,
            calibration: None,
        }],
    };
    let cfg = DetectorConfig::default();
    let start = Instant::now();
    let mut events = 0usize;
    let mut out: Vec<EventUpdate> = Vec::new();
    let mut n = 0usize;
    for pts in &series {
        let mut det = TruckDetector::new(&profile(&pts[0].truck_id), &cfg);
        for p in pts {
            det.push_into(p, &mut out);
        }
        out.extend(det.finish());
        events += out.len();
        out.clear();
        n += pts.len();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{n} points, {trucks} trucks, {events} event updates in {secs:.3} s: {:.2} M points/s ({:.0} ns/point, one core)",
        n as f64 / secs / 1e6,
        secs * 1e9 / n as f64
    );
}
