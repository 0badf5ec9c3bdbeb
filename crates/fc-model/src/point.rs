use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::time::TimestampMs;

/// One canonical telemetry reading: a truck at an instant.
///
/// Every field but `truck_id` and `ts` is optional because real devices send
/// different subsets. Units are fixed by the field name.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TelemetryPoint {
    /// Trimmed truck id, 1 to 64 characters.
    pub truck_id: String,
    /// UTC milliseconds.
    pub ts: TimestampMs,
    /// Latitude, degrees.
    pub lat: Option<f64>,
    /// Longitude, degrees.
    pub lon: Option<f64>,
    /// Ground speed, km/h.
    pub speed_kmh: Option<f64>,
    /// Engine speed, revolutions per minute.
    pub rpm: Option<f64>,
    /// Fuel gauge, percent of the tank (0..100).
    pub fuel_level_pct: Option<f64>,
    /// Fuel in the tank, litres. Wins over the gauge when both are present.
    pub fuel_l: Option<f64>,
    /// Cumulative ECU fuel-used counter, litres. A decrease is a counter reset.
    pub fuel_used_l: Option<f64>,
    /// Instantaneous fuel rate, litres per hour.
    pub fuel_rate_lph: Option<f64>,
    /// Odometer, km.
    pub odometer_km: Option<f64>,
    /// Engine hours counter, h.
    pub engine_hours: Option<f64>,
    /// Ignition on.
    pub ignition: Option<bool>,
    /// Driver id, trimmed, 1 to 64 characters.
    pub driver_id: Option<String>,
    /// Power take-off engaged (pumps, reefers, cranes).
    pub pto: Option<bool>,
    /// Altitude, metres above sea level.
    pub alt_m: Option<f64>,
    /// Ambient temperature, degrees Celsius.
    pub ambient_temp_c: Option<f64>,
    /// Second tank's gauge, percent.
    pub fuel_level_pct_2: Option<f64>,
    /// Second tank's content, litres.
    pub fuel_l_2: Option<f64>,
}

/// The shape of a field's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Text id (`truck_id`, `driver_id`).
    Text,
    /// Timestamp.
    Time,
    /// Finite real number with a physical range.
    Float,
    /// On/off.
    Bool,
}

/// A typed field value, as read from a source.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A number.
    Float(f64),
    /// A flag.
    Bool(bool),
    /// An id.
    Text(String),
}

/// A value outside the physical range of its field.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("{field} = {value} is outside {min}..={max}")]
pub struct RangeError {
    /// The field's canonical name.
    pub field: &'static str,
    /// The offending value.
    pub value: f64,
    /// Smallest allowed value.
    pub min: f64,
    /// Largest allowed value.
    pub max: f64,
}

macro_rules! fields {
    ($( $variant:ident => $name:literal, $kind:ident, $range:expr; )*) => {
        /// Every canonical telemetry field, in canonical column order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Field {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )*
        }

        impl Field {
            /// All fields in canonical column order.
            pub const ALL: &'static [Field] = &[$(Field::$variant),*];

            /// The canonical column name.
            pub const fn name(self) -> &'static str {
                match self { $(Field::$variant => $name),* }
            }

            /// The kind of values the field holds.
            pub const fn kind(self) -> FieldKind {
                match self { $(Field::$variant => FieldKind::$kind),* }
            }

            /// The physically plausible range of a numeric field (inclusive).
            pub const fn range(self) -> Option<(f64, f64)> {
                match self { $(Field::$variant => $range),* }
            }
        }
    };
}

// Ranges are wide enough for any road vehicle and narrow enough to catch
// sentinel values (65535, -1, 1e9) that broken trackers send.
fields! {
    TruckId => "truck_id", Text, None;
    Ts => "ts", Time, None;
    Lat => "lat", Float, Some((-90.0, 90.0));
    Lon => "lon", Float, Some((-180.0, 180.0));
    SpeedKmh => "speed_kmh", Float, Some((0.0, 300.0));
    Rpm => "rpm", Float, Some((0.0, 8000.0));
    FuelLevelPct => "fuel_level_pct", Float, Some((0.0, 100.0));
    FuelL => "fuel_l", Float, Some((0.0, 20000.0));
    FuelUsedL => "fuel_used_l", Float, Some((0.0, 1.0e9));
    FuelRateLph => "fuel_rate_lph", Float, Some((0.0, 500.0));
    OdometerKm => "odometer_km", Float, Some((0.0, 1.0e8));
    EngineHours => "engine_hours", Float, Some((0.0, 1.0e7));
    Ignition => "ignition", Bool, None;
    DriverId => "driver_id", Text, None;
    Pto => "pto", Bool, None;
    AltM => "alt_m", Float, Some((-500.0, 9000.0));
    AmbientTempC => "ambient_temp_c", Float, Some((-60.0, 70.0));
    FuelLevelPct2 => "fuel_level_pct_2", Float, Some((0.0, 100.0));
    FuelL2 => "fuel_l_2", Float, Some((0.0, 20000.0));
}

impl Field {
    /// Looks a field up by its canonical name (exact, lower case).
    pub fn from_name(name: &str) -> Option<Field> {
        Field::ALL.iter().copied().find(|f| f.name() == name)
    }

    /// Checks a number against the field's physical range. NaN and infinities never pass.
    pub fn check(self, value: f64) -> Result<f64, RangeError> {
        let (min, max) = self.range().unwrap_or((f64::MIN, f64::MAX));
        if value.is_finite() && value >= min && value <= max {
            // Normalise -0.0 so that exports are stable.
            Ok(if value == 0.0 { 0.0 } else { value })
        } else {
            Err(RangeError {
                field: self.name(),
                value,
                min,
                max,
            })
        }
    }
}

impl TelemetryPoint {
    /// A point with only its identity set.
    pub fn new(truck_id: impl Into<String>, ts: TimestampMs) -> Self {
        TelemetryPoint {
            truck_id: truck_id.into(),
            ts,
            ..Default::default()
        }
    }

    /// The value of a numeric field, if it is one and is present.
    pub fn float(&self, field: Field) -> Option<f64> {
        match field {
            Field::Lat => self.lat,
            Field::Lon => self.lon,
            Field::SpeedKmh => self.speed_kmh,
            Field::Rpm => self.rpm,
            Field::FuelLevelPct => self.fuel_level_pct,
            Field::FuelL => self.fuel_l,
            Field::FuelUsedL => self.fuel_used_l,
            Field::FuelRateLph => self.fuel_rate_lph,
            Field::OdometerKm => self.odometer_km,
            Field::EngineHours => self.engine_hours,
            Field::AltM => self.alt_m,
            Field::AmbientTempC => self.ambient_temp_c,
            Field::FuelLevelPct2 => self.fuel_level_pct_2,
            Field::FuelL2 => self.fuel_l_2,
            Field::TruckId | Field::Ts | Field::Ignition | Field::DriverId | Field::Pto => None,
        }
    }

    /// A mutable slot for a numeric field; `None` for non-numeric fields.
    pub fn float_mut(&mut self, field: Field) -> Option<&mut Option<f64>> {
        Some(match field {
            Field::Lat => &mut self.lat,
            Field::Lon => &mut self.lon,
            Field::SpeedKmh => &mut self.speed_kmh,
            Field::Rpm => &mut self.rpm,
            Field::FuelLevelPct => &mut self.fuel_level_pct,
            Field::FuelL => &mut self.fuel_l,
            Field::FuelUsedL => &mut self.fuel_used_l,
            Field::FuelRateLph => &mut self.fuel_rate_lph,
            Field::OdometerKm => &mut self.odometer_km,
            Field::EngineHours => &mut self.engine_hours,
            Field::AltM => &mut self.alt_m,
            Field::AmbientTempC => &mut self.ambient_temp_c,
            Field::FuelLevelPct2 => &mut self.fuel_level_pct_2,
            Field::FuelL2 => &mut self.fuel_l_2,
            Field::TruckId | Field::Ts | Field::Ignition | Field::DriverId | Field::Pto => {
                return None;
            }
        })
    }

    /// A mutable slot for a flag field; `None` for other fields.
    pub fn bool_mut(&mut self, field: Field) -> Option<&mut Option<bool>> {
        match field {
            Field::Ignition => Some(&mut self.ignition),
            Field::Pto => Some(&mut self.pto),
            _ => None,
        }
    }

    /// Whether two points carry the same readings (used to tell a duplicate
    /// from a conflicting duplicate). Floats compare bit-for-bit after the
    /// range check normalised `-0.0`.
    pub fn same_readings(&self, other: &TelemetryPoint) -> bool {
        self == other
    }

    /// Litres in the first tank: `fuel_l` when present, else the gauge through `to_litres`.
    pub fn litres_with(&self, to_litres: impl Fn(f64) -> f64) -> Option<f64> {
        self.fuel_l.or_else(|| self.fuel_level_pct.map(to_litres))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_order_and_lookup() {
        assert_eq!(Field::ALL[0], Field::TruckId);
        assert_eq!(Field::ALL[1], Field::Ts);
        for f in Field::ALL {
            assert_eq!(Field::from_name(f.name()), Some(*f));
        }
        assert_eq!(Field::from_name("speed"), None);
    }

    #[test]
    fn ranges_reject_nan_infinity_and_out_of_range() {
        assert!(Field::FuelLevelPct.check(100.0).is_ok());
        assert!(Field::FuelLevelPct.check(100.01).is_err());
        assert!(Field::SpeedKmh.check(-1.0).is_err());
        assert!(Field::SpeedKmh.check(f64::NAN).is_err());
        assert!(Field::Rpm.check(f64::INFINITY).is_err());
        assert_eq!(
            Field::SpeedKmh.check(-0.0).unwrap().to_bits(),
            0.0f64.to_bits()
        );
    }

    #[test]
    fn every_numeric_field_has_a_slot() {
        let mut p = TelemetryPoint::new("T1", 0);
        for f in Field::ALL {
            if f.kind() == FieldKind::Float {
                *p.float_mut(*f).unwrap() = Some(1.0);
                assert_eq!(p.float(*f), Some(1.0));
            }
        }
    }
}
