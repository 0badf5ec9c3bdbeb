//! Units that foreign exports use, and their conversion into canonical units.

use serde::{Deserialize, Serialize};

/// Litres in one US gallon.
pub const L_PER_US_GAL: f64 = 3.785_411_784;
/// Litres in one imperial gallon.
pub const L_PER_IMP_GAL: f64 = 4.546_09;
/// Kilometres in one statute mile.
pub const KM_PER_MI: f64 = 1.609_344;
/// Kilometres per hour in one knot.
pub const KMH_PER_KNOT: f64 = 1.852;
/// Typical diesel density, kg/L, when a mapping gives a mass flow without one.
pub const DIESEL_DENSITY_KG_PER_L: f64 = 0.832;

/// A unit a source column may be expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Kilometres per hour (canonical speed).
    Kmh,
    /// Miles per hour.
    Mph,
    /// Knots.
    Knots,
    /// Metres per second.
    Ms,
    /// Litres (canonical volume).
    L,
    /// US gallons.
    UsGal,
    /// Imperial gallons.
    ImpGal,
    /// Litres per hour (canonical fuel rate).
    Lph,
    /// US gallons per hour.
    UsGalPerH,
    /// Imperial gallons per hour.
    ImpGalPerH,
    /// Fuel mass flow in grams per second; needs a density.
    GramsPerS,
    /// Kilometres (canonical distance).
    Km,
    /// Statute miles.
    Mi,
    /// Metres.
    M,
    /// Feet.
    Ft,
    /// Degrees Celsius (canonical temperature).
    C,
    /// Degrees Fahrenheit.
    F,
    /// Kelvin.
    K,
    /// Percent (canonical gauge).
    Pct,
    /// A fraction 0..1 meaning a percentage.
    Fraction,
    /// Hours (canonical engine hours).
    H,
    /// Minutes.
    Min,
    /// Seconds.
    S,
    /// Revolutions per minute (canonical engine speed).
    Rpm,
    /// Degrees (canonical position).
    Deg,
}

impl Unit {
    /// Parses the unit names used in mapping files and header suffixes.
    pub fn parse(name: &str) -> Option<Unit> {
        let n = name
            .trim()
            .to_ascii_lowercase()
            .replace([' ', '_', '.'], "");
        Some(match n.as_str() {
            "kmh" | "km/h" | "kph" | "kmph" => Unit::Kmh,
            "mph" | "mi/h" => Unit::Mph,
            "kn" | "kt" | "kts" | "knot" | "knots" => Unit::Knots,
            "m/s" | "ms" | "mps" => Unit::Ms,
            "l" | "lt" | "ltr" | "litre" | "litres" | "liter" | "liters" => Unit::L,
            "gal" | "usgal" | "galus" | "gallon" | "gallons" | "usgallon" | "usgallons" => {
                Unit::UsGal
            }
            "impgal" | "galimp" | "ukgal" | "imperialgallon" | "imperialgallons" => Unit::ImpGal,
            "l/h" | "lph" | "lh" => Unit::Lph,
            "gal/h" | "gph" | "usgal/h" => Unit::UsGalPerH,
            "impgal/h" | "ukgal/h" => Unit::ImpGalPerH,
            "g/s" | "gs" | "gps" => Unit::GramsPerS,
            "km" => Unit::Km,
            "mi" | "mile" | "miles" => Unit::Mi,
            "m" | "metre" | "metres" | "meter" | "meters" => Unit::M,
            "ft" | "feet" | "foot" => Unit::Ft,
            "c" | "°c" | "celsius" | "degc" => Unit::C,
            "f" | "°f" | "fahrenheit" | "degf" => Unit::F,
            "k" | "kelvin" => Unit::K,
            "%" | "pct" | "percent" => Unit::Pct,
            "fraction" | "ratio" => Unit::Fraction,
            "h" | "hr" | "hrs" | "hour" | "hours" => Unit::H,
            "min" | "mins" | "minute" | "minutes" => Unit::Min,
            "s" | "sec" | "secs" | "second" | "seconds" => Unit::S,
            "rpm" | "1/min" => Unit::Rpm,
            "deg" | "°" | "degrees" => Unit::Deg,
            _ => return None,
        })
    }

    /// The canonical unit of the same quantity.
    pub fn canonical(self) -> Unit {
        match self {
            Unit::Kmh | Unit::Mph | Unit::Knots | Unit::Ms => Unit::Kmh,
            Unit::L | Unit::UsGal | Unit::ImpGal => Unit::L,
            Unit::Lph | Unit::UsGalPerH | Unit::ImpGalPerH | Unit::GramsPerS => Unit::Lph,
            Unit::Km | Unit::Mi => Unit::Km,
            // Metres and feet are altitude in our model.
            Unit::M | Unit::Ft => Unit::M,
            Unit::C | Unit::F | Unit::K => Unit::C,
            Unit::Pct | Unit::Fraction => Unit::Pct,
            Unit::H | Unit::Min | Unit::S => Unit::H,
            Unit::Rpm => Unit::Rpm,
            Unit::Deg => Unit::Deg,
        }
    }

    /// Converts a value in this unit to the canonical unit. `density_kg_per_l`
    /// is used only for mass flow.
    pub fn to_canonical(self, v: f64, density_kg_per_l: f64) -> f64 {
        match self {
            Unit::Kmh | Unit::L | Unit::Lph | Unit::Km | Unit::M | Unit::C | Unit::Pct => v,
            Unit::H | Unit::Rpm | Unit::Deg => v,
            Unit::Mph => v * KM_PER_MI,
            Unit::Knots => v * KMH_PER_KNOT,
            Unit::Ms => v * 3.6,
            Unit::UsGal | Unit::UsGalPerH => v * L_PER_US_GAL,
            Unit::ImpGal | Unit::ImpGalPerH => v * L_PER_IMP_GAL,
            // g/s -> kg/h -> L/h
            Unit::GramsPerS => v * 3.6 / density_kg_per_l,
            Unit::Mi => v * KM_PER_MI,
            Unit::Ft => v * 0.3048,
            Unit::F => (v - 32.0) * 5.0 / 9.0,
            Unit::K => v - 273.15,
            Unit::Fraction => v * 100.0,
            Unit::Min => v / 60.0,
            Unit::S => v / 3600.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn conversions() {
        let d = DIESEL_DENSITY_KG_PER_L;
        let cases = [
            ("mph", 60.0, 96.56064),
            ("knots", 10.0, 18.52),
            ("m/s", 10.0, 36.0),
            ("US gal", 10.0, 37.85411784),
            ("imp_gal", 10.0, 45.4609),
            ("°F", 212.0, 100.0),
            ("K", 273.15, 0.0),
            ("ft", 1000.0, 304.8),
            ("mi", 1.0, 1.609344),
            ("min", 90.0, 1.5),
            ("fraction", 0.5, 50.0),
            ("g/s", 8.32, 36.0),
        ];
        for (name, v, want) in cases {
            let u = Unit::parse(name).unwrap_or_else(|| panic!("unit {name}"));
            assert!(
                close(u.to_canonical(v, d), want),
                "{name}: {}",
                u.to_canonical(v, d)
            );
        }
        assert_eq!(Unit::parse("furlongs"), None);
    }
}
