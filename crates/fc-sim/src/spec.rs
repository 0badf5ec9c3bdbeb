//! Static descriptions of trucks, tanks, sensors and drivers.

use std::f64::consts::PI;

use fc_model::{Calibration, Tank, TruckProfile};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::config::Params;
use crate::geo::offset;

/// What a truck does all day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Duty {
    /// Leaves the depot in the morning, several delivery stops, back in the evening.
    Regional,
    /// Multi-day highway trips, nights at truck stops, weekends at home.
    LongHaul,
}

/// The body, which decides whether the PTO is used at stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    /// Box or curtain-sider: no PTO.
    Box,
    /// Tipper: PTO drives the hydraulic pump at delivery stops.
    Tipper,
    /// Loader crane: PTO at delivery stops.
    Crane,
}

impl Body {
    /// Whether the truck reports a PTO flag.
    pub fn has_pto(self) -> bool {
        !matches!(self, Body::Box)
    }
}

/// The cross-section of a tank, which decides its gauge-to-volume curve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TankShape {
    /// Box-shaped: volume proportional to height.
    Rectangular,
    /// Horizontal cylinder.
    Cylinder,
    /// D-shaped: flat top and sides, rounded bottom corners.
    DShape,
}

/// Bottom-corner radius of the D-shaped tank, as a fraction of its height and width.
const D_RADIUS: f64 = 0.4;

impl TankShape {
    /// Fraction of the volume below a fill height fraction `h` (0..1).
    pub fn volume_frac(self, h: f64) -> f64 {
        let h = h.clamp(0.0, 1.0);
        match self {
            TankShape::Rectangular => h,
            TankShape::Cylinder => {
                let x = 1.0 - 2.0 * h;
                (x.acos() - x * (1.0 - x * x).max(0.0).sqrt()) / PI
            }
            TankShape::DShape => d_area(h) / d_area(1.0),
        }
    }

    /// Fill height fraction for a volume fraction: the inverse of [`TankShape::volume_frac`].
    pub fn height_frac(self, v: f64) -> f64 {
        let v = v.clamp(0.0, 1.0);
        if self == TankShape::Rectangular {
            return v;
        }
        let (mut lo, mut hi) = (0.0, 1.0);
        for _ in 0..40 {
            let mid = 0.5 * (lo + hi);
            if self.volume_frac(mid) < v {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        0.5 * (lo + hi)
    }

    /// The calibration table a fitter would write for this shape (every 5% of height).
    pub fn calibration(self, capacity_l: f64) -> Calibration {
        let pts = if self == TankShape::Rectangular {
            vec![(0.0, 0.0), (100.0, capacity_l)]
        } else {
            (0..=20)
                .map(|i| {
                    let pct = f64::from(i) * 5.0;
                    let l = (capacity_l * self.volume_frac(pct / 100.0) * 10.0).round() / 10.0;
                    (pct, l)
                })
                .collect()
        };
        // Monotone by construction; fall back to linear rather than fail.
        Calibration::new(pts).unwrap_or_else(|_| Calibration::linear(capacity_l))
    }
}

/// Area of a unit-square cross-section with rounded bottom corners, below height `y`.
fn d_area(y: f64) -> f64 {
    let r = D_RADIUS;
    // F(z) = integral of sqrt(r^2 - z^2) dz
    let f = |z: f64| 0.5 * (z * (r * r - z * z).max(0.0).sqrt() + r * r * (z / r).asin());
    if y <= r {
        let arc = f(r) - f(r - y);
        (1.0 - 2.0 * r) * y + 2.0 * arc
    } else {
        (1.0 - 2.0 * r) * r + 2.0 * f(r) + (y - r)
    }
}

/// A driver's known habits (ground truth for coaching tests).
#[derive(Debug, Clone, PartialEq)]
pub struct DriverProfile {
    /// Driver id.
    pub driver_id: String,
    /// Usual acceleration from a stop, m/s^2.
    pub accel_ms2: f64,
    /// Usual braking, m/s^2.
    pub brake_ms2: f64,
    /// Probability that a stop is made with a harsh brake (3+ m/s^2).
    pub harsh_brake_p: f64,
    /// Probability that a start is a harsh acceleration.
    pub harsh_accel_p: f64,
    /// Preferred highway speed, km/h (the limiter is at 90).
    pub cruise_kmh: f64,
    /// How far above city and rural limits the driver goes, km/h.
    pub speeding_kmh: f64,
    /// Probability of leaving the engine idling at a delivery stop or break.
    pub idle_at_stops_p: f64,
    /// Long haul: probability of idling all night when it is cold or hot.
    pub overnight_idle_p: f64,
    /// Fraction of the tank at which the driver goes to refuel.
    pub refuel_at_frac: f64,
}

impl DriverProfile {
    pub(crate) fn generate(driver_id: String, rng: &mut ChaCha8Rng) -> Self {
        // One "style" draw correlates the habits: aggressive drivers brake and speed more.
        let style: f64 = rng.random();
        DriverProfile {
            driver_id,
            accel_ms2: 0.5 + 0.6 * style + 0.2 * rng.random::<f64>(),
            brake_ms2: 0.7 + 0.6 * style + 0.2 * rng.random::<f64>(),
            harsh_brake_p: 0.01 + 0.12 * style * style,
            harsh_accel_p: 0.005 + 0.08 * style * style,
            cruise_kmh: 80.0 + 9.0 * (0.5 * style + 0.5 * rng.random::<f64>()),
            speeding_kmh: 12.0 * style * rng.random::<f64>(),
            idle_at_stops_p: 0.05 + 0.6 * rng.random::<f64>().powi(2),
            overnight_idle_p: 0.1 + 0.7 * rng.random::<f64>(),
            refuel_at_frac: 0.2 + 0.2 * rng.random::<f64>(),
        }
    }
}

/// What the simulator knows about a truck beyond its [`TruckProfile`] (the hidden truth).
#[derive(Debug, Clone, PartialEq)]
pub struct TruckMeta {
    /// Truck id.
    pub truck_id: String,
    /// Duty cycle.
    pub duty: Duty,
    /// Body type.
    pub body: Body,
    /// Shape of each tank.
    pub tank_shapes: Vec<TankShape>,
    /// Sends ECU data (rpm, fuel used, fuel rate, engine hours, ambient temperature).
    pub has_ecu: bool,
    /// The tracker reports `fuel_l` (applying the calibration itself) instead of `fuel_level_pct`.
    pub reports_litres: bool,
    /// The gauge reports whole percents.
    pub quantised: bool,
    /// Gauge noise, standard deviation in percent of the tank.
    pub noise_pct: f64,
    /// Gauge drift with ambient temperature, percent per degree C (0 for most).
    pub thermal_drift_pct_per_c: f64,
    /// ECU fuel counter gain (1.03 = counts 3% too much).
    pub ecu_gain: f64,
    /// Seconds between points with the engine on.
    pub sample_interval_s: u32,
    /// Seconds between points when parked with the ignition off; `None`: silent.
    pub parked_interval_s: Option<u32>,
    /// True idle consumption, L/h.
    pub idle_lph: f64,
    /// Usual driver.
    pub primary_driver: String,
    /// Depot (usual overnight parking), lat/lon degrees.
    pub depot: (f64, f64),
}

/// Everything fixed about one simulated truck.
#[derive(Debug, Clone)]
pub(crate) struct TruckSpec {
    pub profile: TruckProfile,
    pub meta: TruckMeta,
    pub empty_kg: f64,
    pub payload_max_kg: f64,
    /// Drag coefficient times frontal area, m^2.
    pub cda: f64,
    pub crr: f64,
    pub p_max_w: f64,
    /// Brake thermal efficiency of the engine.
    pub eta: f64,
    pub idle_rpm: f64,
    pub pto_lph: f64,
    /// Sensor position along each tank, -1 (front) .. 1 (rear): slosh sign and size.
    pub sensor_pos: Vec<f64>,
    pub odo0_km: f64,
    pub ecu0_l: f64,
    pub eh0_h: f64,
    pub rough_share: f64,
}

pub(crate) fn fleet_centre(seed: u64) -> (f64, f64) {
    const CITIES: [(f64, f64); 8] = [
        (50.110, 8.682),  // Frankfurt
        (52.230, 21.012), // Warsaw
        (48.137, 11.575), // Munich
        (51.514, 7.468),  // Dortmund
        (45.764, 4.836),  // Lyon
        (52.368, 4.904),  // Amsterdam
        (50.076, 14.438), // Prague
        (41.649, -0.889), // Zaragoza
    ];
    CITIES[(crate::geo::mix(seed ^ 0xC17) % CITIES.len() as u64) as usize]
}

impl TruckSpec {
    pub(crate) fn generate(
        idx: usize,
        centre: (f64, f64),
        params: &Params,
        rng: &mut ChaCha8Rng,
    ) -> Self {
        let truck_id = format!("T{:03}", idx + 1);
        let duty = if rng.random_bool(0.35) {
            Duty::LongHaul
        } else {
            Duty::Regional
        };
        let body = match (duty, rng.random_range(0..10)) {
            (Duty::Regional, 0..=1) => Body::Tipper,
            (Duty::Regional, 2) => Body::Crane,
            _ => Body::Box,
        };
        let two_tanks = duty == Duty::LongHaul && rng.random_bool(0.5);
        let n_tanks = if two_tanks { 2 } else { 1 };
        let mut tanks = Vec::new();
        let mut shapes = Vec::new();
        let shape = match rng.random_range(0..20) {
            0..=12 => TankShape::Rectangular,
            13..=16 => TankShape::DShape,
            _ => TankShape::Cylinder,
        };
        for _ in 0..n_tanks {
            let cap = match (duty, two_tanks) {
                (Duty::Regional, _) => 300.0 + 10.0 * f64::from(rng.random_range(0..=20)),
                (Duty::LongHaul, false) => 600.0 + 10.0 * f64::from(rng.random_range(0..=30)),
                (Duty::LongHaul, true) => 400.0 + 10.0 * f64::from(rng.random_range(0..=30)),
            };
            let calibration = (shape != TankShape::Rectangular).then(|| shape.calibration(cap));
            tanks.push(Tank {
                capacity_l: cap,
                calibration,
            });
            shapes.push(shape);
        }
        let (n, e) = (
            rng.random_range(-20_000.0..20_000.0),
            rng.random_range(-20_000.0..20_000.0),
        );
        let depot = offset(centre.0, centre.1, n, e);
        let has_ecu = !rng.random_bool(params.no_ecu_share);
        let noise_pct = rng.random_range(params.noise_pct.0..=params.noise_pct.1);
        let thermal_drift = if rng.random_bool(params.thermal_drift_share) {
            let mag = rng.random_range(0.05..0.12);
            if rng.random_bool(0.5) { mag } else { -mag }
        } else {
            0.0
        };
        let meta = TruckMeta {
            truck_id: truck_id.clone(),
            duty,
            body,
            tank_shapes: shapes,
            has_ecu,
            reports_litres: rng.random_bool(0.25),
            quantised: rng.random_bool(params.quantised_share),
            noise_pct,
            thermal_drift_pct_per_c: thermal_drift,
            ecu_gain: 1.0 + rng.random_range(-0.04..0.04),
            sample_interval_s: rng.random_range(30..=60),
            parked_interval_s: (!rng.random_bool(params.silent_parked_share))
                .then(|| rng.random_range(300..=900)),
            idle_lph: rng.random_range(1.5..3.5),
            primary_driver: format!("D{:03}", idx + 1),
            depot,
        };
        let (empty_kg, payload_max_kg, cda) = match duty {
            Duty::Regional => (
                rng.random_range(9_000.0..13_000.0),
                rng.random_range(6_000.0..12_000.0),
                rng.random_range(4.8..6.0),
            ),
            Duty::LongHaul => (
                rng.random_range(14_000.0..16_000.0),
                rng.random_range(18_000.0..25_000.0),
                rng.random_range(5.0..6.2),
            ),
        };
        let sensor_pos = (0..n_tanks)
            .map(|_| {
                let m = rng.random_range(0.3..1.0);
                if rng.random_bool(0.5) { m } else { -m }
            })
            .collect();
        TruckSpec {
            profile: TruckProfile {
                truck_id,
                name: format!(
                    "{} {:03}",
                    match duty {
                        Duty::Regional => "Delivery",
                        Duty::LongHaul => "Linehaul",
                    },
                    idx + 1
                ),
                fuel_type: Some("diesel".into()),
                tanks,
            },
            meta,
            empty_kg,
            payload_max_kg,
            cda,
            crr: rng.random_range(0.0055..0.0075),
            p_max_w: match duty {
                Duty::Regional => rng.random_range(180_000.0..240_000.0),
                Duty::LongHaul => rng.random_range(300_000.0..370_000.0),
            },
            eta: rng.random_range(0.40..0.44),
            idle_rpm: rng.random_range(600.0..750.0),
            pto_lph: rng.random_range(2.5..5.5),
            sensor_pos,
            odo0_km: rng.random_range(40_000.0..900_000.0_f64).round(),
            ecu0_l: rng.random_range(15_000.0..300_000.0_f64).round(),
            eh0_h: rng.random_range(1_500.0..20_000.0_f64).round(),
            rough_share: params.rough_share,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_monotone_and_invertible() {
        for s in [
            TankShape::Rectangular,
            TankShape::Cylinder,
            TankShape::DShape,
        ] {
            let mut prev = -1.0;
            for i in 0..=100 {
                let h = f64::from(i) / 100.0;
                let v = s.volume_frac(h);
                assert!(v >= prev, "{s:?} {h}");
                prev = v;
                assert!((s.height_frac(v) - h).abs() < 1e-6, "{s:?} {h}");
            }
            assert!(s.volume_frac(0.0).abs() < 1e-12);
            assert!((s.volume_frac(1.0) - 1.0).abs() < 1e-12);
        }
        // A cylinder holds less in its bottom quarter than a box.
        assert!(TankShape::Cylinder.volume_frac(0.25) < 0.2);
        assert!((TankShape::Cylinder.volume_frac(0.5) - 0.5).abs() < 1e-9);
    }

    #[test]
    fn calibration_tables_follow_the_shape() {
        let c = TankShape::Cylinder.calibration(600.0);
        assert_eq!(c.points().len(), 21);
        assert!((c.litres(50.0) - 300.0).abs() < 0.1);
        assert!((c.capacity_l() - 600.0).abs() < 1e-9);
        // Between table points the linear interpolation stays within 1.5% of the tank.
        for i in 0..100 {
            let h = f64::from(i) + 0.5;
            let exact = 600.0 * TankShape::Cylinder.volume_frac(h / 100.0);
            assert!((c.litres(h) - exact).abs() < 9.0, "{h}");
        }
        assert_eq!(TankShape::Rectangular.calibration(400.0).points().len(), 2);
    }
}
