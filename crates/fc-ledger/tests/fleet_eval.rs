//! A small mixed fleet with random routines, thefts and traps, scored with the
//! evaluation functions: the detector must do well and beat both baselines.

mod common;

use common::{Sim, Truth};
use fc_ledger::baseline::{TraccarConfig, WialonConfig, traccar, wialon};
use fc_ledger::eval::{Label, Score, score};
use fc_ledger::{DetectorConfig, EventKind, FuelEvent, detect_batch};

fn truck(seed: u64, days: u64) -> Sim {
    let mut s = Sim::new(seed, 400.0 + 100.0 * (seed % 5) as f64, 300.0);
    s.id = format!("T{seed}");
    s.noise_l = [0.5, 1.0, 2.0, 3.0][(seed % 4) as usize];
    s.quant_pct = seed.is_multiple_of(3).then_some(1.0);
    s.spike_prob = if seed.is_multiple_of(2) { 0.01 } else { 0.0 };
    s.slosh_l = 10.0 + 2.0 * (seed % 7) as f64;
    s.thermal_l = 3.0;
    s.with_counter = seed % 3 == 1;
    s.with_rate = seed % 3 == 2;
    for _ in 0..days {
        let night = 360 + (s.uniform() * 240.0) as i64;
        let theft_night = s.uniform() < 0.25;
        s.park(night / 2, false);
        if theft_night {
            let v = 30.0 + s.uniform() * 60.0;
            let r = 5.0 + s.uniform() * 15.0;
            s.pump(-v, r, false);
        }
        s.park(night / 2, false);
        for _ in 0..4 {
            let m = 40 + (s.uniform() * 120.0) as i64;
            let v = 55.0 + s.uniform() * 30.0;
            if s.with_counter && s.uniform() < 0.08 {
                // theft in motion (a driver's valve): only the stop-to-stop balance sees it
                let start = s.t;
                let before = s.level;
                s.drive_with(20, v, 2.0);
                let stolen = before - s.level - 20.0 * v / 60.0 * s.l_per_km;
                s.truth.push(Truth {
                    kind: EventKind::Drain,
                    start_ms: start,
                    end_ms: s.t,
                    volume_l: stolen,
                });
            }
            s.drive(m, v);
            if s.level < 0.35 * s.capacity {
                s.park(3, false);
                let v = (s.capacity * 0.9 - s.level).max(50.0);
                let r = 35.0 + s.uniform() * 20.0;
                let ign = s.uniform() < 0.3;
                if s.uniform() < 0.3 {
                    // the tracker sleeps through the refuel
                    s.gap(|s| s.pump(v, r, ign));
                } else {
                    s.pump(v, r, ign);
                }
                s.park(8, false);
            } else {
                let r = s.uniform();
                let idle = r < 0.5;
                let m = 15 + (s.uniform() * 60.0) as i64;
                s.park(m, idle);
                if r < 0.06 {
                    let v = 30.0 + s.uniform() * 30.0;
                    s.pump(-v, 6.0, true); // idle theft
                    s.park(20, true);
                } else if r > 0.96 {
                    let v = 25.0 + s.uniform() * 20.0;
                    s.pump(-v, 1.0, false); // slow drain
                    s.park(30, false);
                }
            }
        }
        s.park(60, false);
    }
    s
}

fn labels(s: &Sim) -> Vec<Label> {
    s.truth
        .iter()
        .map(|t: &Truth| Label {
            truck_id: s.id.clone(),
            kind: t.kind,
            start_ms: t.start_ms,
            end_ms: t.end_ms,
            volume_l: t.volume_l,
        })
        .collect()
}

fn run_fleet(method: &dyn Fn(&Sim) -> Vec<FuelEvent>) -> Score {
    let mut events = Vec::new();
    let mut labs = Vec::new();
    let days: u64 = 7;
    let trucks: u64 = 24;
    for seed in 0..trucks {
        let s = truck(seed + 100, days);
        events.extend(method(&s));
        labs.extend(labels(&s));
    }
    assert!(labs.iter().any(|l| l.kind == EventKind::Drain));
    score(&events, &labs, (days * trucks) as f64)
}

#[test]
fn detector_beats_both_baselines_on_a_mixed_fleet() {
    let ours = run_fleet(&|s| detect_batch(&s.profile(), &DetectorConfig::default(), &s.points).0);
    let tr = run_fleet(&|s| traccar(&s.profile(), &s.points, &TraccarConfig::default()));
    let wi = run_fleet(&|s| wialon(&s.profile(), &s.points, &WialonConfig::default()));
    eprintln!("ours    {ours:?}\ntraccar {tr:?}\nwialon  {wi:?}");
    // the targets
    assert!(ours.fill.f1 >= 0.98, "{:?}", ours.fill);
    assert!(ours.drain.f1 >= 0.95, "{:?}", ours.drain);
    assert!(ours.fill.median_volume_error.unwrap_or(1.0) <= 0.05);
    assert!(ours.drain.median_volume_error.unwrap_or(1.0) <= 0.05);
    assert!(ours.false_drains_per_100_truck_days <= 1.0);
    for b in [&tr, &wi] {
        assert!(ours.fill.f1 > b.fill.f1);
        assert!(ours.drain.f1 > b.drain.f1);
    }
}
