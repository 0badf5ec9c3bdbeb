//! Coaching settings: thresholds, physics constants and score weights.
//! Every default is explained in `COACHING.md`.

use fc_ledger::LedgerConfig;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::CoachError;

/// Weights of the five sub-scores in the 0-100 score (they need not sum to 1;
/// the score divides by the sum of the weights of the sub-scores a driver has data for).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Weights {
    /// Fuel efficiency against the fleet's expected-consumption model.
    pub efficiency: f64,
    /// Share of engine time spent idling.
    pub idle: f64,
    /// Share of moving time above the speed limit.
    pub speeding: f64,
    /// Harsh accelerations and brakings per 100 km.
    pub harsh: f64,
    /// Share of driving engine time outside the RPM green band.
    pub rpm: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            efficiency: 0.30,
            idle: 0.20,
            speeding: 0.20,
            harsh: 0.20,
            rpm: 0.10,
        }
    }
}

impl Weights {
    /// The weights as (name, value) pairs, in a fixed order.
    pub fn pairs(&self) -> [(&'static str, f64); 5] {
        [
            ("efficiency", self.efficiency),
            ("idle", self.idle),
            ("speeding", self.speeding),
            ("harsh", self.harsh),
            ("rpm", self.rpm),
        ]
    }
}

/// Everything coaching needs besides the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CoachConfig {
    /// Minimum idle run, seconds (the fleet's `idle_min_s`, decision 20).
    pub idle_min_s: i64,
    /// Speed limit, km/h (the fleet's `speed_limit_kmh`).
    pub speed_limit_kmh: f64,
    /// Harsh acceleration threshold, m/s^2.
    pub harsh_accel_ms2: f64,
    /// Harsh braking threshold (a deceleration), m/s^2.
    pub harsh_brake_ms2: f64,
    /// Speed changes steeper than this are sensor glitches, not driving, m/s^2.
    pub max_plausible_ms2: f64,
    /// Speed steps longer than this are not used for harsh events, seconds.
    pub max_harsh_step_s: f64,
    /// RPM green band, inclusive.
    pub rpm_green: (f64, f64),
    /// At or above this a truck is moving (for counting stops), km/h.
    pub moving_kmh: f64,
    /// Drag coefficient times frontal area of a typical truck, m^2.
    pub cda_m2: f64,
    /// Air density, kg/m^3.
    pub air_density: f64,
    /// Brake thermal efficiency of a diesel engine.
    pub engine_efficiency: f64,
    /// Lower heating value of diesel, MJ per litre.
    pub diesel_mj_per_l: f64,
    /// Typical gross mass, kg (for the energy a harsh brake throws away).
    pub mass_kg: f64,
    /// Extra fuel of a harsh acceleration, as a share of the kinetic energy gained.
    pub harsh_accel_waste: f64,
    /// Extra fuel burnt per hour outside the green band, as a share of driving fuel.
    pub rpm_penalty: f64,
    /// Score weights.
    pub weights: Weights,
    /// Sub-score references: the value at which a sub-score reaches 0.
    pub idle_share_zero: f64,
    /// Share of moving time above the limit that scores 0.
    pub speeding_share_zero: f64,
    /// Harsh events per 100 km that score 0.
    pub harsh_per_100km_zero: f64,
    /// Share outside the green band that scores 0.
    pub rpm_share_zero: f64,
    /// Efficiency ratio (actual / expected) scoring 100 and 0.
    pub efficiency_ratio_best: f64,
    /// See `efficiency_ratio_best`.
    pub efficiency_ratio_zero: f64,
    /// Below this distance in the period a score is provisional, km.
    pub provisional_km: f64,
    /// Rollups shorter than this are not used to fit the expected-consumption model, km.
    pub model_min_km: f64,
    /// Savings below this are not recommended, litres per week.
    pub min_saving_l_week: f64,
}

impl Default for CoachConfig {
    fn default() -> Self {
        CoachConfig {
            idle_min_s: 120,
            speed_limit_kmh: 90.0,
            harsh_accel_ms2: 1.8,
            harsh_brake_ms2: 3.0,
            max_plausible_ms2: 8.0,
            max_harsh_step_s: 5.0,
            rpm_green: (800.0, 1700.0),
            moving_kmh: 5.0,
            cda_m2: 5.8,
            air_density: 1.2,
            engine_efficiency: 0.40,
            diesel_mj_per_l: 35.8,
            mass_kg: 25_000.0,
            harsh_accel_waste: 0.15,
            rpm_penalty: 0.07,
            weights: Weights::default(),
            idle_share_zero: 0.30,
            speeding_share_zero: 0.15,
            harsh_per_100km_zero: 4.0,
            rpm_share_zero: 0.50,
            efficiency_ratio_best: 0.85,
            efficiency_ratio_zero: 1.25,
            provisional_km: 160.0,
            model_min_km: 20.0,
            min_saving_l_week: 0.5,
        }
    }
}

impl CoachConfig {
    /// The ledger settings that carry the shared idle rule.
    pub fn ledger(&self) -> LedgerConfig {
        LedgerConfig {
            idle_min_s: self.idle_min_s,
            ..LedgerConfig::default()
        }
    }

    /// Checks every value; the error names the setting and what is allowed.
    pub fn validate(&self) -> Result<(), CoachError> {
        let pos = |v: f64| v.is_finite() && v > 0.0;
        let checks: [(&str, bool, &str); 14] = [
            ("idle_min_s", self.idle_min_s >= 0, "zero or more seconds"),
            (
                "speed_limit_kmh",
                pos(self.speed_limit_kmh) && self.speed_limit_kmh <= 200.0,
                "between 0 and 200 km/h",
            ),
            ("harsh_accel_ms2", pos(self.harsh_accel_ms2), "more than 0"),
            ("harsh_brake_ms2", pos(self.harsh_brake_ms2), "more than 0"),
            (
                "max_plausible_ms2",
                pos(self.max_plausible_ms2)
                    && self.max_plausible_ms2 > self.harsh_accel_ms2.max(self.harsh_brake_ms2),
                "above both harsh thresholds",
            ),
            (
                "max_harsh_step_s",
                pos(self.max_harsh_step_s),
                "more than 0",
            ),
            (
                "rpm_green",
                self.rpm_green.0.is_finite()
                    && self.rpm_green.1.is_finite()
                    && 0.0 <= self.rpm_green.0
                    && self.rpm_green.0 < self.rpm_green.1,
                "a band low < high",
            ),
            ("moving_kmh", pos(self.moving_kmh), "more than 0"),
            (
                "physics",
                pos(self.cda_m2)
                    && pos(self.air_density)
                    && pos(self.engine_efficiency)
                    && self.engine_efficiency <= 1.0
                    && pos(self.diesel_mj_per_l)
                    && pos(self.mass_kg),
                "positive constants (efficiency at most 1)",
            ),
            (
                "waste",
                (0.0..=1.0).contains(&self.harsh_accel_waste)
                    && (0.0..=1.0).contains(&self.rpm_penalty),
                "shares between 0 and 1",
            ),
            (
                "weights",
                self.weights
                    .pairs()
                    .iter()
                    .all(|(_, w)| w.is_finite() && *w >= 0.0)
                    && self.weights.pairs().iter().map(|(_, w)| w).sum::<f64>() > 0.0,
                "finite, zero or more, and not all zero",
            ),
            (
                "score references",
                pos(self.idle_share_zero)
                    && pos(self.speeding_share_zero)
                    && pos(self.harsh_per_100km_zero)
                    && pos(self.rpm_share_zero),
                "more than 0",
            ),
            (
                "efficiency_ratio",
                pos(self.efficiency_ratio_best)
                    && self.efficiency_ratio_zero > self.efficiency_ratio_best,
                "best > 0 and zero above best",
            ),
            (
                "distances",
                self.provisional_km >= 0.0
                    && self.model_min_km >= 0.0
                    && self.min_saving_l_week >= 0.0,
                "zero or more",
            ),
        ];
        for (what, ok, allowed) in checks {
            if !ok {
                return Err(CoachError::Invalid {
                    what: what.to_string(),
                    why: format!("must be {allowed}"),
                });
            }
        }
        Ok(())
    }

    /// Joules per litre of diesel turned into work at the wheel.
    pub(crate) fn useful_j_per_l(&self) -> f64 {
        self.engine_efficiency * self.diesel_mj_per_l * 1e6
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate_and_bad_values_name_the_setting() {
        assert!(CoachConfig::default().validate().is_ok());
        let cases: Vec<(CoachConfig, &str)> = vec![
            (
                CoachConfig {
                    weights: Weights {
                        efficiency: 0.0,
                        idle: 0.0,
                        speeding: 0.0,
                        harsh: 0.0,
                        rpm: 0.0,
                    },
                    ..CoachConfig::default()
                },
                "weights",
            ),
            (
                CoachConfig {
                    weights: Weights {
                        idle: -0.1,
                        ..Weights::default()
                    },
                    ..CoachConfig::default()
                },
                "weights",
            ),
            (
                CoachConfig {
                    weights: Weights {
                        rpm: f64::NAN,
                        ..Weights::default()
                    },
                    ..CoachConfig::default()
                },
                "weights",
            ),
            (
                CoachConfig {
                    rpm_green: (1800.0, 1700.0),
                    ..CoachConfig::default()
                },
                "rpm_green",
            ),
            (
                CoachConfig {
                    max_plausible_ms2: 2.0,
                    ..CoachConfig::default()
                },
                "max_plausible_ms2",
            ),
            (
                CoachConfig {
                    speed_limit_kmh: 0.0,
                    ..CoachConfig::default()
                },
                "speed_limit_kmh",
            ),
            (
                CoachConfig {
                    efficiency_ratio_zero: 0.5,
                    ..CoachConfig::default()
                },
                "efficiency_ratio",
            ),
        ];
        for (cfg, what) in cases {
            match cfg.validate() {
                Err(CoachError::Invalid { what: w, .. }) => assert_eq!(w, what),
                other => panic!("{what}: {other:?}"),
            }
        }
        // Weights need not sum to one.
        let cfg = CoachConfig {
            weights: Weights {
                efficiency: 3.0,
                idle: 2.0,
                speeding: 2.0,
                harsh: 2.0,
                rpm: 1.0,
            },
            ..CoachConfig::default()
        };
        assert!(cfg.validate().is_ok());
    }
}
