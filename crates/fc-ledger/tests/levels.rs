//! `TruckDetector::record_levels`: the filtered level a chart shows is the one the
//! detector decided on (the evidence samples carry the same values), and recording
//! changes nothing about the events.

mod common;

use std::collections::HashMap;

use common::Sim;
use fc_ledger::{DetectorConfig, EventUpdate, TruckDetector, split_final};

#[test]
fn recorded_levels_are_the_evidence_levels_and_change_no_event() {
    let mut s = Sim::new(7, 600.0, 300.0);
    s.noise_l = 1.5;
    s.park(60, false);
    s.drive(40, 70.0);
    s.park(30, false);
    s.pump(-80.0, 20.0, false);
    s.park(60, false);
    let profile = s.profile();
    let cfg = DetectorConfig::default();

    let mut plain = TruckDetector::new(&profile, &cfg);
    let mut taped = TruckDetector::new(&profile, &cfg);
    assert!(taped.take_levels().is_empty(), "off until asked");
    taped.record_levels();
    let (mut a, mut b) = (Vec::<EventUpdate>::new(), Vec::<EventUpdate>::new());
    let mut levels = Vec::new();
    for p in &s.points {
        plain.push_into(p, &mut a);
        taped.push_into(p, &mut b);
        levels.extend(taped.take_levels());
    }
    a.extend(plain.finish());
    b.extend(taped.finish());
    levels.extend(taped.take_levels());
    let (ea, _) = split_final(a);
    let (eb, _) = split_final(b);
    assert_eq!(ea, eb);

    assert!(levels.windows(2).all(|w| w[0].ts < w[1].ts));
    // Parked readings are trusted, moving ones are not: fewer levels than points.
    assert!(levels.len() > s.points.len() / 3 && levels.len() < s.points.len());
    let by_ts: HashMap<i64, (f64, f64)> = levels
        .iter()
        .map(|l| (l.ts, (l.raw_l, l.filtered_l)))
        .collect();
    let drain = ea
        .iter()
        .find(|e| e.kind == fc_ledger::EventKind::Drain)
        .expect("the drain");
    assert!(!drain.evidence.samples.is_empty());
    for e in &drain.evidence.samples {
        let (raw, filtered) = by_ts[&e.ts];
        assert_eq!((raw, filtered), (e.raw_l, e.filtered_l), "at {}", e.ts);
    }
}
