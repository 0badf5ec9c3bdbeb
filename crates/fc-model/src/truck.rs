use serde::{Deserialize, Serialize};

use crate::calibration::Calibration;

/// One fuel tank of a truck.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tank {
    /// Nominal capacity, litres.
    pub capacity_l: f64,
    /// Gauge-to-litres table; `None` means linear from 0 to `capacity_l`.
    pub calibration: Option<Calibration>,
}

impl Tank {
    /// Litres for a gauge reading of this tank.
    pub fn litres(&self, pct: f64) -> f64 {
        match &self.calibration {
            Some(c) => c.litres(pct),
            None => pct.clamp(0.0, 100.0) / 100.0 * self.capacity_l,
        }
    }

    /// Litres per gauge percent around a reading.
    pub fn litres_per_pct(&self, pct: f64) -> f64 {
        match &self.calibration {
            Some(c) => c.slope_l_per_pct(pct),
            None => self.capacity_l / 100.0,
        }
    }
}

/// What the fleet knows about a truck.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruckProfile {
    /// Trimmed truck id.
    pub truck_id: String,
    /// Display name.
    pub name: String,
    /// Diesel, petrol, ... as the fleet writes it.
    pub fuel_type: Option<String>,
    /// One or more tanks; the first is the one `fuel_level_pct` / `fuel_l` describe.
    pub tanks: Vec<Tank>,
}

impl TruckProfile {
    /// Total capacity of all tanks, litres.
    pub fn capacity_l(&self) -> f64 {
        self.tanks.iter().map(|t| t.capacity_l).sum()
    }

    /// Litres in the first tank for a gauge reading; `None` without a tank.
    pub fn litres(&self, pct: f64) -> Option<f64> {
        self.tanks.first().map(|t| t.litres(pct))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_and_calibrated_tanks() {
        let t = TruckProfile {
            truck_id: "T1".into(),
            name: "Truck 1".into(),
            fuel_type: None,
            tanks: vec![
                Tank {
                    capacity_l: 400.0,
                    calibration: None,
                },
                Tank {
                    capacity_l: 200.0,
                    calibration: Some(Calibration::parse("0:0;50:80;100:200").unwrap()),
                },
            ],
        };
        assert_eq!(t.capacity_l(), 600.0);
        assert_eq!(t.litres(50.0), Some(200.0));
        assert_eq!(t.tanks[1].litres(50.0), 80.0);
        assert_eq!(t.tanks[0].litres_per_pct(10.0), 4.0);
    }
}
