//! Scripted scenario for the demo and the end-to-end test (decision 23): the
//! first truck stands parked at its depot, engine off, when the simulation starts,
//! and a thief siphons 60-120 L from its tank a couple of minutes in (a hand
//! pump, 25-35 L/min: a few minutes). Its tracker reports every 15 s while parked
//! (trackers with a fuel-level sensor input often report on level changes), so
//! the drop is seen reading by reading, like any siphon, and labelled as a drain.
//!
//! Decisions draw on their own stream (seed only), so the option changes only the
//! first truck: every other truck of the fleet is the same with it on or off.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The scenario's name (the label's scenario in `labels.csv`).
pub(crate) const SCENARIO: &str = "scripted_theft";
/// The truck it happens to.
pub(crate) const TRUCK_INDEX: usize = 0;
/// The scripted truck's tracker interval while parked, seconds.
pub(crate) const PARKED_INTERVAL_S: u32 = 15;
const SEC: i64 = 1_000;
const MIN: i64 = 60_000;

/// The scenario's settings for one fleet.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scripted {
    seed: u64,
    start_ms: i64,
}

impl Scripted {
    pub(crate) fn new(seed: u64, start_ms: i64) -> Self {
        Scripted { seed, start_ms }
    }

    /// The theft for a stay of truck `truck_idx` beginning at `t` until `until`, with
    /// `on_board_l` in the tank it is taken from: `(start, end, litres)`. Only the first
    /// truck's first stay, parked with the engine off, gets one.
    pub(crate) fn plan(
        &self,
        truck_idx: usize,
        t: i64,
        until: i64,
        on_board_l: f64,
        engine_off: bool,
    ) -> Option<(i64, i64, f64)> {
        if truck_idx != TRUCK_INDEX || t != self.start_ms || !engine_off {
            return None;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed ^ 0x5c21_97ed_7e4f_0000);
        // The thief leaves 40 L in the tank (a pump cannot reach the last of it).
        let litres = rng.random_range(60.0..120.0_f64).min(on_board_l - 40.0);
        let rate = rng.random_range(25.0..35.0);
        let start = t + rng.random_range(90 * SEC..150 * SEC);
        let end = start + ((litres / rate) * MIN as f64) as i64;
        // The truck stays parked long after, so the level afterwards is seen settled.
        (litres >= 40.0 && end + 30 * MIN < until).then_some((start, end, litres))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_first_trucks_first_parked_stay() {
        let s = Scripted::new(7, 1_000_000);
        let day = 86_400_000;
        let (start, end, litres) = s.plan(0, 1_000_000, 1_000_000 + day, 400.0, true).unwrap();
        assert!((60.0..120.0).contains(&litres), "{litres}");
        assert!(start >= 1_000_000 + 90 * SEC && start < 1_000_000 + 150 * SEC);
        let minutes = (end - start) as f64 / MIN as f64;
        assert!((1.5..5.0).contains(&minutes), "{minutes}");
        assert_eq!(s.plan(1, 1_000_000, 1_000_000 + day, 400.0, true), None);
        assert_eq!(s.plan(0, 1_000_001, 1_000_000 + day, 400.0, true), None);
        assert_eq!(s.plan(0, 1_000_000, 1_000_000 + day, 400.0, false), None);
        // Not enough fuel to steal, or no time to see it settle: no theft.
        assert_eq!(s.plan(0, 1_000_000, 1_000_000 + day, 70.0, true), None);
        assert_eq!(
            s.plan(0, 1_000_000, 1_000_000 + 10 * MIN, 400.0, true),
            None
        );
    }
}
