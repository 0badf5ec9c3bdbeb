//! Never panic on user data: arbitrary points through every entry point.

use fc_ledger::baseline::{TraccarConfig, WialonConfig, traccar, wialon};
use fc_ledger::ledger::{LedgerConfig, build_ledger};
use fc_ledger::{DetectorConfig, TruckDetector, split_final};
use fc_model::{Tank, TelemetryPoint, TruckProfile};
use proptest::prelude::*;

fn any_f64() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![
        Just(None),
        Just(Some(f64::NAN)),
        Just(Some(f64::INFINITY)),
        Just(Some(-1.0e12)),
        (-10.0f64..700.0).prop_map(Some),
    ]
}

fn point() -> impl Strategy<Value = TelemetryPoint> {
    (
        prop_oneof![
            Just(i64::MIN),
            Just(i64::MAX),
            (0i64..5_000_000).prop_map(|x| x * 1000)
        ],
        any_f64(),
        any_f64(),
        any_f64(),
        any_f64(),
        any_f64(),
        any_f64(),
        any::<Option<bool>>(),
    )
        .prop_map(|(ts, pct, l, l2, speed, used, odo, ign)| {
            let mut p = TelemetryPoint::new("T", ts);
            p.fuel_level_pct = pct;
            p.fuel_l = l;
            p.fuel_l_2 = l2;
            p.speed_kmh = speed;
            p.fuel_used_l = used;
            p.odometer_km = odo;
            p.lat = odo.map(|x| x / 10.0);
            p.lon = used.map(|x| x / 10.0);
            p.ignition = ign;
            p
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn garbage_in_no_panic(points in proptest::collection::vec(point(), 0..300)) {
        let profile = TruckProfile {
            truck_id: "T".into(),
            name: "T".into(),
            fuel_type: None,
            tanks: vec![Tank { capacity_l: 600.0, calibration: None }],
        };
        let mut det = TruckDetector::new(&profile, &DetectorConfig::default());
        let mut ups = Vec::new();
        for p in &points {
            ups.extend(det.push(p));
        }
        ups.extend(det.finish());
        let (events, _) = split_final(ups);
        for e in &events {
            prop_assert!((0.0..=1.0).contains(&e.rule_confidence));
            prop_assert!(e.end_ms >= e.start_ms);
        }
        let _ = build_ledger(&profile, &points, &events, i64::MIN, i64::MAX, &LedgerConfig::default());
        let _ = traccar(&profile, &points, &TraccarConfig::default());
        let _ = wialon(&profile, &points, &WialonConfig::default());
    }
}
