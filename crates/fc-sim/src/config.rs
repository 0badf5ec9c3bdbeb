//! Simulation settings and the per-profile rates of faults and events.

use std::fmt;
use std::str::FromStr;

use crate::SimError;

/// 2024-03-04 00:00 at UTC+1, a Monday: a working week starts the data set.
pub const DEFAULT_START_MS: i64 = 1_709_506_800_000;

const DAY_MS: i64 = 86_400_000;

/// How kind the world is to the detector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Profile {
    /// Little sensor noise, no faults, no data defects.
    Clean,
    /// A typical fleet: some noisy and quantised gauges, occasional faults.
    Default,
    /// Noisy gauges, every trap and fault, duplicates, out-of-order rows, gaps, counter resets.
    Hard,
}

impl Profile {
    /// All profiles, mildest first.
    pub const ALL: [Profile; 3] = [Profile::Clean, Profile::Default, Profile::Hard];

    /// `clean`, `default` or `hard`.
    pub fn as_str(self) -> &'static str {
        match self {
            Profile::Clean => "clean",
            Profile::Default => "default",
            Profile::Hard => "hard",
        }
    }

    pub(crate) fn params(self) -> Params {
        match self {
            Profile::Clean => Params {
                noise_pct: (0.1, 0.3),
                quantised_share: 0.0,
                slosh_k: 0.08,
                rough_share: 0.0,
                spike_rate: 0.0,
                dup_rate: 0.0,
                ooo_rate: 0.0,
                stuck_per_day: 0.0,
                gap_per_day: 0.0,
                gap_refuel_p: 0.0,
                reset_per_day: 0.0,
                theft_per_day: 0.6 / 14.0,
                theft_weights: [3.0, 2.0, 2.0, 2.0, 0.0],
                short_fill_p: 0.03,
                cash_p: 0.05,
                phantom_per_day: 0.2 / 14.0,
                far_per_day: 0.2 / 14.0,
                slope_park_p: 0.0,
                brake_slope_per_day: 0.0,
                thermal_drift_share: 0.0,
                no_ecu_share: 0.1,
                silent_parked_share: 0.0,
                gps_noise_m: 2.0,
            },
            Profile::Default => Params {
                noise_pct: (0.2, 1.0),
                quantised_share: 0.2,
                slosh_k: 0.3,
                rough_share: 0.08,
                spike_rate: 0.000_3,
                dup_rate: 0.001,
                ooo_rate: 0.000_5,
                stuck_per_day: 0.15 / 14.0,
                gap_per_day: 0.3 / 14.0,
                gap_refuel_p: 0.02,
                reset_per_day: 0.05 / 14.0,
                theft_per_day: 1.0 / 14.0,
                theft_weights: [3.0, 2.0, 2.0, 2.0, 1.0],
                short_fill_p: 0.05,
                cash_p: 0.08,
                phantom_per_day: 0.3 / 14.0,
                far_per_day: 0.3 / 14.0,
                slope_park_p: 0.15,
                brake_slope_per_day: 0.2 / 14.0,
                thermal_drift_share: 0.1,
                no_ecu_share: 0.2,
                silent_parked_share: 0.25,
                gps_noise_m: 4.0,
            },
            Profile::Hard => Params {
                noise_pct: (0.5, 2.0),
                quantised_share: 0.4,
                slosh_k: 0.45,
                rough_share: 0.2,
                spike_rate: 0.002,
                dup_rate: 0.005,
                ooo_rate: 0.004,
                stuck_per_day: 0.6 / 14.0,
                gap_per_day: 1.0 / 14.0,
                gap_refuel_p: 0.12,
                reset_per_day: 0.4 / 14.0,
                theft_per_day: 2.4 / 14.0,
                theft_weights: [3.0, 2.0, 2.0, 2.0, 2.0],
                short_fill_p: 0.1,
                cash_p: 0.1,
                phantom_per_day: 0.6 / 14.0,
                far_per_day: 0.6 / 14.0,
                slope_park_p: 0.4,
                brake_slope_per_day: 0.8 / 14.0,
                thermal_drift_share: 0.35,
                no_ecu_share: 0.25,
                silent_parked_share: 0.35,
                gps_noise_m: 6.0,
            },
        }
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Profile {
    type Err = SimError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "clean" => Ok(Profile::Clean),
            "default" => Ok(Profile::Default),
            "hard" => Ok(Profile::Hard),
            other => Err(SimError::Config(format!(
                "unknown profile `{other}` (clean, default or hard)"
            ))),
        }
    }
}

/// What to simulate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimConfig {
    /// Number of trucks (1..=10000).
    pub trucks: usize,
    /// Simulated days (1..=3660).
    pub days: u32,
    /// Seed: the same seed gives the same fleet, byte for byte.
    pub seed: u64,
    /// Noise and fault level.
    pub profile: Profile,
    /// Start of the simulation, UTC ms. Best at local midnight.
    pub start_ms: i64,
    /// The fleet's offset from UTC in minutes (duty cycles follow local time).
    pub utc_offset_min: i32,
    /// Trucks with a reefer trailer top it up from their own tank at the depot in the
    /// evening (legitimate; a `reefer_transfer` trap, never a label). Off by default.
    pub reefer: bool,
    /// The built-in demo's scripted theft (decision 23): the first truck, parked with the
    /// engine off at the start, is siphoned 60-120 L a couple of minutes in. Off by default.
    pub scripted_theft: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig::new(10, 7, 1, Profile::Default)
    }
}

impl SimConfig {
    /// A configuration starting at [`DEFAULT_START_MS`] in UTC+1.
    pub fn new(trucks: usize, days: u32, seed: u64, profile: Profile) -> Self {
        SimConfig {
            trucks,
            days,
            seed,
            profile,
            start_ms: DEFAULT_START_MS,
            utc_offset_min: 60,
            reefer: false,
            scripted_theft: false,
        }
    }

    /// End of the simulated span (exclusive), UTC ms.
    pub fn end_ms(&self) -> i64 {
        self.start_ms + i64::from(self.days) * DAY_MS
    }

    /// Checks the ranges.
    pub fn validate(&self) -> Result<(), SimError> {
        if !(1..=10_000).contains(&self.trucks) {
            return Err(SimError::Config(format!(
                "trucks must be 1..=10000, not {}",
                self.trucks
            )));
        }
        if !(1..=3660).contains(&self.days) {
            return Err(SimError::Config(format!(
                "days must be 1..=3660, not {}",
                self.days
            )));
        }
        if self.utc_offset_min.abs() > 14 * 60 {
            return Err(SimError::Config(format!(
                "UTC offset {} min is beyond +/-14 h",
                self.utc_offset_min
            )));
        }
        // Keep timestamps well inside chrono's range so they format as RFC 3339.
        if !(0..=4_000_000_000_000).contains(&self.start_ms) {
            return Err(SimError::Config(format!(
                "start {} ms is outside 1970..2096",
                self.start_ms
            )));
        }
        Ok(())
    }
}

/// Rates per profile. Rates `*_per_day` are per truck per simulated day.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Params {
    /// Gauge noise standard deviation range, percent of capacity.
    pub noise_pct: (f64, f64),
    pub quantised_share: f64,
    /// Slosh gain: litres offset per (capacity x tilt), see README.
    pub slosh_k: f64,
    pub rough_share: f64,
    pub spike_rate: f64,
    pub dup_rate: f64,
    pub ooo_rate: f64,
    pub stuck_per_day: f64,
    pub gap_per_day: f64,
    pub gap_refuel_p: f64,
    pub reset_per_day: f64,
    pub theft_per_day: f64,
    /// night_siphon, slow_drain, idle_theft, in_motion_theft, small_theft.
    pub theft_weights: [f64; 5],
    pub short_fill_p: f64,
    pub cash_p: f64,
    pub phantom_per_day: f64,
    pub far_per_day: f64,
    pub slope_park_p: f64,
    pub brake_slope_per_day: f64,
    pub thermal_drift_share: f64,
    pub no_ecu_share: f64,
    pub silent_parked_share: f64,
    pub gps_noise_m: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_parse_and_print() {
        for p in Profile::ALL {
            assert_eq!(p.as_str().parse::<Profile>().unwrap(), p);
        }
        assert!(" HARD ".parse::<Profile>().is_ok());
        assert!("extreme".parse::<Profile>().is_err());
    }

    #[test]
    fn validation_rejects_out_of_range() {
        assert!(SimConfig::default().validate().is_ok());
        let bad = [
            SimConfig::new(0, 1, 1, Profile::Clean),
            SimConfig::new(1, 0, 1, Profile::Clean),
            SimConfig {
                utc_offset_min: 15 * 60,
                ..SimConfig::default()
            },
            SimConfig {
                start_ms: -1,
                ..SimConfig::default()
            },
        ];
        for c in bad {
            assert!(c.validate().is_err(), "{c:?}");
        }
    }

    #[test]
    fn the_default_start_is_local_midnight_on_a_monday() {
        let c = SimConfig::default();
        let local_days = (c.start_ms + i64::from(c.utc_offset_min) * 60_000) / DAY_MS;
        assert_eq!(
            (c.start_ms + i64::from(c.utc_offset_min) * 60_000) % DAY_MS,
            0
        );
        // 1970-01-01 was a Thursday (index 3 with Monday = 0).
        assert_eq!((local_days + 3) % 7, 0);
    }
}
