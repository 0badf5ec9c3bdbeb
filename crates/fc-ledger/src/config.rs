//! Detector settings. Defaults are physical, not tuned per truck: every
//! threshold scales with the sensor's measured noise (see DETECTION.md).

use serde::{Deserialize, Serialize};

/// Settings of [`crate::TruckDetector`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DetectorConfig {
    /// Points up to this much older than the newest seen are reordered; older ones are dropped.
    pub lateness_ms: i64,
    /// A silence longer than this is a data gap (levels compared across it).
    pub max_gap_ms: i64,
    /// At or above this speed the truck is moving (GPS jitter at rest stays below it).
    pub moving_speed_kmh: f64,
    /// Time after stopping before the level is trusted (slosh decays).
    pub settle_ms: i64,
    /// Running-median window on trusted levels (odd, 3..=9).
    pub median_window: usize,
    /// Trusted samples needed after a gap or trip before comparing levels.
    pub reentry_samples: usize,
    /// Absolute floor of the event threshold, litres.
    pub min_volume_l: f64,
    /// Noise multiplier of the threshold.
    pub k_sigma: f64,
    /// Multiplier of the consumption uncertainty in the threshold.
    pub k_consumption: f64,
    /// An open event closes after this long without progress.
    pub end_quiet_ms: i64,
    /// Minimum trusted samples after the last progress before closing.
    pub end_samples: usize,
    /// A new change of the same kind starting this soon after one ended continues it.
    pub merge_ms: i64,
    /// While stable, the reference level is refreshed at most this often (absorbs thermal drift).
    pub reanchor_ms: i64,
    /// Changes of at least this fraction of the threshold are kept as candidates.
    pub candidate_fraction: f64,
    /// A frozen reading must last this long to be a sensor fault.
    pub stuck_min_ms: i64,
    /// ... and hide at least this much expected consumption, litres.
    pub stuck_fault_l: f64,
    /// Expected consumption after which an unchanged reading is suspect, litres (floor).
    pub stuck_tolerance_l: f64,
    /// Idle rate used until one is learned, L/h.
    pub default_idle_lph: f64,
    /// Driving consumption used until one is learned, L/km.
    pub default_l_per_km: f64,
    /// Driving consumption per hour when no distance is known, L/h.
    pub default_drive_lph: f64,
    /// Fraction of the level allowed as thermal change across a gap of `thermal_ms` or more.
    pub thermal_fraction: f64,
    /// Time over which the full thermal allowance builds up.
    pub thermal_ms: i64,
    /// Prior noise (one sigma) as a fraction of capacity, until measured.
    pub noise_prior_fraction: f64,
    /// Floor of the prior noise, litres.
    pub noise_prior_min_l: f64,
    /// Differences needed before the measured noise replaces the prior.
    pub noise_min_samples: usize,
}

impl Default for DetectorConfig {
    fn default() -> Self {
        DetectorConfig {
            lateness_ms: 10 * 60_000,
            max_gap_ms: 15 * 60_000,
            moving_speed_kmh: 3.0,
            settle_ms: 120_000,
            median_window: 5,
            reentry_samples: 3,
            min_volume_l: 10.0,
            k_sigma: 4.0,
            k_consumption: 2.0,
            end_quiet_ms: 10 * 60_000,
            end_samples: 3,
            merge_ms: 20 * 60_000,
            reanchor_ms: 20 * 60_000,
            candidate_fraction: 0.5,
            stuck_min_ms: 30 * 60_000,
            stuck_fault_l: 10.0,
            stuck_tolerance_l: 2.0,
            default_idle_lph: 2.5,
            default_l_per_km: 0.33,
            default_drive_lph: 25.0,
            thermal_fraction: 0.012,
            thermal_ms: 4 * 3_600_000,
            noise_prior_fraction: 0.004,
            noise_prior_min_l: 1.0,
            noise_min_samples: 30,
        }
    }
}

impl DetectorConfig {
    /// The running-median window forced to an odd size in 3..=9.
    pub(crate) fn window(&self) -> usize {
        let w = self.median_window.clamp(3, 9);
        if w.is_multiple_of(2) { w + 1 } else { w }
    }
}
