//! The demo's scripted theft (decision 23): on the first truck only, parked with the
//! engine off, a few minutes after the start, and seen by the detector.

use fc_ledger::{DetectorConfig, EventKind, detect_batch};
use fc_model::TelemetryPoint;
use fc_sim::{Fleet, LabelKind, Profile, SimConfig};

const MIN: i64 = 60_000;

fn run(cfg: &SimConfig, hours: i64) -> (Fleet, Vec<TelemetryPoint>) {
    let mut fleet = Fleet::new(cfg).unwrap();
    let points = fleet.next_until(cfg.start_ms + hours * 60 * MIN);
    (fleet, points)
}

#[test]
fn the_first_truck_is_siphoned_while_parked_and_the_rest_is_unchanged() {
    let base = SimConfig::new(5, 1, 7, Profile::Default);
    let cfg = SimConfig {
        scripted_theft: true,
        ..base.clone()
    };
    let (mut fleet, points) = run(&cfg, 3);
    let first = fleet.trucks()[0].clone();
    let labels = fleet.take_labels();
    let theft: Vec<_> = labels
        .iter()
        .filter(|l| l.scenario == "scripted_theft")
        .collect();
    assert_eq!(theft.len(), 1, "{labels:?}");
    let t = theft[0];
    assert_eq!(
        (t.truck_id.as_str(), t.kind),
        (first.truck_id.as_str(), LabelKind::Drain)
    );
    assert!((55.0..=120.0).contains(&t.volume_l), "{t:?}");
    assert!(
        t.start >= cfg.start_ms + MIN && t.start < cfg.start_ms + 3 * MIN,
        "{t:?}"
    );
    assert!(t.end - t.start <= 6 * MIN, "{t:?}");
    // Parked, engine off, and reported often enough to see the drop reading by reading.
    let own: Vec<&TelemetryPoint> = points
        .iter()
        .filter(|p| p.truck_id == first.truck_id && p.ts <= t.end + 10 * MIN)
        .collect();
    assert!(own.len() >= 20, "{}", own.len());
    assert!(
        own.iter()
            .all(|p| p.ignition != Some(true) && p.speed_kmh.unwrap_or(0.0) < 1.0)
    );

    // The detector finds it.
    let mine: Vec<TelemetryPoint> = points
        .iter()
        .filter(|p| p.truck_id == first.truck_id)
        .cloned()
        .collect();
    let (events, _) = detect_batch(&first, &DetectorConfig::default(), &mine);
    assert!(
        events
            .iter()
            .any(|e| e.kind == EventKind::Drain && e.start_ms <= t.end && e.end_ms >= t.start),
        "{events:?}"
    );

    // Every other truck is exactly what it is without the scenario.
    let (_, plain) = run(&base, 3);
    let others = |v: &[TelemetryPoint]| -> Vec<TelemetryPoint> {
        v.iter()
            .filter(|p| p.truck_id != first.truck_id)
            .cloned()
            .collect()
    };
    assert_eq!(others(&points), others(&plain));
}
