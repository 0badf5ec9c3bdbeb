//! Optional scenario: reefer top-ups. Some trucks haul a refrigerated trailer
//! whose unit has no tank of its own filled at a station: back at the depot in the
//! evening, the driver pumps 30-80 L from the tractor's tank into the reefer unit
//! (20-35 L/min, ignition off). The level drops like a siphon, at the same place
//! again and again, and it is legitimate: a trap (`reefer_transfer`), never a label.
//! Only a fleet's own knowledge (a dispatcher's verdicts) can tell it from theft.
//!
//! Decisions draw on their own stream (seed, truck, day), so turning the option on
//! leaves every other event of the fleet where it was.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The transfer's scenario name (in `traps.csv` as the trap kind).
pub(crate) const SCENARIO: &str = "reefer_transfer";
const MIN: i64 = 60_000;
/// Every n-th truck has a reefer trailer.
const EVERY_NTH_TRUCK: usize = 3;
/// How near the depot counts as "at the depot", metres.
const AT_DEPOT_M: f64 = 500.0;

/// The scenario's settings for one fleet.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reefer {
    seed: u64,
}

impl Reefer {
    pub(crate) fn new(seed: u64) -> Self {
        Reefer { seed }
    }

    /// Whether this truck hauls a reefer.
    pub(crate) fn has_reefer(truck_idx: usize) -> bool {
        truck_idx % EVERY_NTH_TRUCK == 1
    }

    /// A top-up for a parked stay beginning at `t` (local hour `hour`), `from_depot_m`
    /// metres from the truck's depot, until `until`: `(start, end, litres)`.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn plan(
        &self,
        truck_idx: usize,
        local_day: i64,
        hour: f64,
        from_depot_m: f64,
        t: i64,
        until: i64,
        on_board_l: f64,
        end_ms: i64,
    ) -> Option<(i64, i64, f64)> {
        if !Reefer::has_reefer(truck_idx)
            || from_depot_m > AT_DEPOT_M
            || !(13.0..23.5).contains(&hour)
        {
            return None;
        }
        let mut rng = ChaCha8Rng::seed_from_u64(
            self.seed ^ 0x5eef_e400_0000_0000 ^ ((truck_idx as u64) << 20) ^ (local_day as u64),
        );
        if !rng.random_bool(0.85) {
            return None;
        }
        let litres = rng.random_range(30.0..80.0_f64).min(on_board_l - 60.0);
        let rate = rng.random_range(20.0..35.0);
        let start = t + rng.random_range(8 * MIN..25 * MIN);
        let end = start + ((litres / rate) * MIN as f64) as i64 + MIN;
        (litres >= 20.0 && end + 45 * MIN < until && end + 60 * MIN < end_ms)
            .then_some((start, end, litres))
    }
}
