//! The invariant of decision 11: any chunking of the same points, and any
//! arrival order within the lateness horizon, gives the same final events.

mod common;

use common::{MIN, Sim};
use fc_ledger::{DetectorConfig, EventUpdate, FuelEvent, TruckDetector, split_final};
use proptest::prelude::*;
use std::sync::OnceLock;

fn scenario() -> &'static Sim {
    static S: OnceLock<Sim> = OnceLock::new();
    S.get_or_init(|| {
        let mut s = Sim::new(42, 600.0, 200.0);
        s.spike_prob = 0.01;
        s.noise_l = 1.5;
        s.park(60, false);
        s.drive(50, 70.0);
        s.park(5, false);
        s.pump(250.0, 40.0, false);
        s.park(20, true);
        s.drive(60, 70.0);
        s.park(120, false);
        s.pump(-60.0, 10.0, false);
        s.park(60, false);
        s.gap(|s| s.pump(80.0, 40.0, false));
        s.park(30, false);
        s.drive(40, 70.0);
        s.park(30, false);
        s
    })
}

fn batch() -> &'static Vec<FuelEvent> {
    static B: OnceLock<Vec<FuelEvent>> = OnceLock::new();
    B.get_or_init(|| {
        let s = scenario();
        let mut det = TruckDetector::new(&s.profile(), &DetectorConfig::default());
        let mut ups: Vec<EventUpdate> = Vec::new();
        for p in &s.points {
            ups.extend(det.push(p));
        }
        ups.extend(det.finish());
        split_final(ups).0
    })
}

#[test]
fn the_scenario_has_events_to_compare() {
    assert_eq!(batch().len(), 3, "{:#?}", batch());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn any_chunking_and_bounded_disorder_gives_the_same_final_events(
        cuts in proptest::collection::vec(1usize..400, 1..20),
        delays in proptest::collection::vec(0i64..(10 * MIN), 64),
        shuffle in any::<bool>(),
    ) {
        let s = scenario();
        let cfg = DetectorConfig::default();
        // arrival order: each point is delayed by less than the lateness horizon
        let mut order: Vec<(i64, usize)> = s.points.iter().enumerate()
            .map(|(i, p)| (p.ts + if shuffle { delays[i % delays.len()] } else { 0 }, i))
            .collect();
        order.sort();
        let mut det = TruckDetector::new(&s.profile(), &cfg);
        let mut ups = Vec::new();
        let mut pos = 0;
        let mut k = 0;
        while pos < order.len() {
            let n = cuts[k % cuts.len()].min(order.len() - pos);
            k += 1;
            let mut chunk_out = Vec::new();
            for &(_, i) in &order[pos..pos + n] {
                det.push_into(&s.points[i], &mut chunk_out);
            }
            ups.extend(chunk_out);
            pos += n;
        }
        ups.extend(det.finish());
        prop_assert_eq!(det.stats().late_dropped, 0);
        let (events, _) = split_final(ups);
        prop_assert_eq!(&events, batch());
    }
}
