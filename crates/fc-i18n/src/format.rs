//! Number and unit formatting that follows the user's settings.

use crate::Lang;

/// Decimal and grouping separators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NumberFormat {
    /// Decimal separator.
    pub decimal: char,
    /// Thousands separator.
    pub group: char,
}

impl NumberFormat {
    /// The usual style of a language: `1,234.5` in English, `1.234,5` in Spanish.
    pub fn for_lang(lang: Lang) -> NumberFormat {
        match lang {
            Lang::En => NumberFormat {
                decimal: '.',
                group: ',',
            },
            Lang::Es => NumberFormat {
                decimal: ',',
                group: '.',
            },
        }
    }

    /// Formats with a fixed number of fraction digits and grouped thousands.
    /// Non-finite values print as an em dash: they mean "no figure".
    pub fn format(&self, value: f64, decimals: usize) -> String {
        if !value.is_finite() {
            return "—".to_string();
        }
        let text = format!("{:.*}", decimals, value.abs());
        let (int, frac) = match text.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (text.as_str(), None),
        };
        let mut out = String::with_capacity(text.len() + int.len() / 3 + 1);
        // "-0.0" after rounding is shown as "0.0".
        if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
            out.push('-');
        }
        let digits = int.len();
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (digits - i) % 3 == 0 {
                out.push(self.group);
            }
            out.push(c);
        }
        if let Some(f) = frac {
            out.push(self.decimal);
            out.push_str(f);
        }
        out
    }
}

/// Volume unit shown to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum VolumeUnit {
    /// Litres.
    #[default]
    Litres,
    /// US gallons.
    UsGallons,
}

/// Distance unit shown to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DistanceUnit {
    /// Kilometres.
    #[default]
    Km,
    /// Statute miles.
    Miles,
}

/// The user's display units. Stored values stay canonical (litres, km); only display converts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Units {
    /// Volumes.
    pub volume: VolumeUnit,
    /// Distances and speeds.
    pub distance: DistanceUnit,
}

const L_PER_US_GAL: f64 = 3.785_411_784;
const KM_PER_MI: f64 = 1.609_344;

impl Units {
    /// Parses `l`/`gal` and `km`/`mi` (as given on a command line or in settings).
    pub fn parse(volume: &str, distance: &str) -> Option<Units> {
        let volume = match volume.to_ascii_lowercase().as_str() {
            "l" | "litres" | "liters" => VolumeUnit::Litres,
            "gal" | "usgal" | "us_gal" | "gallons" => VolumeUnit::UsGallons,
            _ => return None,
        };
        let distance = match distance.to_ascii_lowercase().as_str() {
            "km" => DistanceUnit::Km,
            "mi" | "miles" => DistanceUnit::Miles,
            _ => return None,
        };
        Some(Units { volume, distance })
    }

    /// Litres in the display unit.
    pub fn volume(&self, litres: f64) -> f64 {
        match self.volume {
            VolumeUnit::Litres => litres,
            VolumeUnit::UsGallons => litres / L_PER_US_GAL,
        }
    }

    /// Kilometres in the display unit.
    pub fn distance(&self, km: f64) -> f64 {
        match self.distance {
            DistanceUnit::Km => km,
            DistanceUnit::Miles => km / KM_PER_MI,
        }
    }

    /// Symbol of the volume unit.
    pub fn volume_symbol(&self) -> &'static str {
        match self.volume {
            VolumeUnit::Litres => "L",
            VolumeUnit::UsGallons => "gal",
        }
    }

    /// Symbol of the distance unit.
    pub fn distance_symbol(&self) -> &'static str {
        match self.distance {
            DistanceUnit::Km => "km",
            DistanceUnit::Miles => "mi",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_by_language() {
        let en = NumberFormat::for_lang(Lang::En);
        let es = NumberFormat::for_lang(Lang::Es);
        let cases = [
            (1234567.891, 2, "1,234,567.89", "1.234.567,89"),
            (999.0, 0, "999", "999"),
            (1000.0, 1, "1,000.0", "1.000,0"),
            (-1234.5, 1, "-1,234.5", "-1.234,5"),
            (-0.04, 1, "0.0", "0,0"),
            (f64::NAN, 1, "—", "—"),
        ];
        for (v, d, want_en, want_es) in cases {
            assert_eq!(en.format(v, d), want_en);
            assert_eq!(es.format(v, d), want_es);
        }
    }

    #[test]
    fn units_convert_for_display() {
        let u = Units::parse("gal", "mi").unwrap();
        assert!((u.volume(3.785_411_784) - 1.0).abs() < 1e-12);
        assert!((u.distance(1.609_344) - 1.0).abs() < 1e-12);
        assert_eq!(u.volume_symbol(), "gal");
        assert_eq!(Units::default().volume(10.0), 10.0);
        assert_eq!(Units::parse("pints", "km"), None);
    }
}
