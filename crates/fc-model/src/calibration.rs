use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Gauge percent to litres, piecewise linear: real tanks are not prisms.
///
/// Points are sorted by percent; litres never decrease with percent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    points: Vec<(f64, f64)>,
}

/// Why a calibration table was refused.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum CalibrationError {
    /// Fewer than two points.
    #[error("a calibration table needs at least two pct:litres points")]
    TooFew,
    /// An entry is not `pct:litres`.
    #[error("calibration entry `{0}` is not pct:litres (for example 50:310.5)")]
    Syntax(String),
    /// A percent outside 0..100 or a negative or non-finite volume.
    #[error("calibration entry `{0}` is out of range (pct 0..100, litres >= 0)")]
    Range(String),
    /// Percents repeat, or litres fall while percent rises.
    #[error("calibration must rise: percents strictly increasing, litres never decreasing")]
    NotMonotonic,
}

impl Calibration {
    /// Builds a table from `(percent, litres)` pairs in any order.
    pub fn new(mut points: Vec<(f64, f64)>) -> Result<Self, CalibrationError> {
        if points.len() < 2 {
            return Err(CalibrationError::TooFew);
        }
        for &(pct, l) in &points {
            if !(pct.is_finite() && l.is_finite() && (0.0..=100.0).contains(&pct) && l >= 0.0) {
                return Err(CalibrationError::Range(format!("{pct}:{l}")));
            }
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        if points
            .windows(2)
            .any(|w| w[1].0 <= w[0].0 || w[1].1 < w[0].1)
        {
            return Err(CalibrationError::NotMonotonic);
        }
        Ok(Calibration { points })
    }

    /// A straight line from empty to `capacity_l`.
    pub fn linear(capacity_l: f64) -> Self {
        Calibration {
            points: vec![(0.0, 0.0), (100.0, capacity_l.max(0.0))],
        }
    }

    /// Parses `pct:litres;pct:litres;...` (decimal points or commas in the numbers).
    pub fn parse(text: &str) -> Result<Self, CalibrationError> {
        let mut points = Vec::new();
        for entry in text.split(';').map(str::trim).filter(|e| !e.is_empty()) {
            let (p, l) = entry
                .split_once(':')
                .ok_or_else(|| CalibrationError::Syntax(entry.to_string()))?;
            let num = |s: &str| s.trim().replace(',', ".").parse::<f64>();
            match (num(p), num(l)) {
                (Ok(p), Ok(l)) => points.push((p, l)),
                _ => return Err(CalibrationError::Syntax(entry.to_string())),
            }
        }
        Calibration::new(points)
    }

    /// The table's points, sorted by percent.
    pub fn points(&self) -> &[(f64, f64)] {
        &self.points
    }

    /// Litres at full scale (the last point).
    pub fn capacity_l(&self) -> f64 {
        self.points.last().map_or(0.0, |p| p.1)
    }

    /// Litres for a gauge reading; clamps outside the table's percent span.
    pub fn litres(&self, pct: f64) -> f64 {
        interpolate(&self.points, pct, |p| p.0, |p| p.1)
    }

    /// Gauge percent for a volume; the inverse of [`Calibration::litres`] where it is strictly rising.
    pub fn pct(&self, litres: f64) -> f64 {
        interpolate(&self.points, litres, |p| p.1, |p| p.0)
    }

    /// Litres per gauge percent around a reading (for turning gauge noise into litres).
    pub fn slope_l_per_pct(&self, pct: f64) -> f64 {
        let i = self
            .points
            .windows(2)
            .position(|w| pct <= w[1].0)
            .unwrap_or(self.points.len() - 2);
        let (a, b) = (self.points[i], self.points[i + 1]);
        (b.1 - a.1) / (b.0 - a.0)
    }

    /// The canonical text form, `pct:litres;...`.
    pub fn to_text(&self) -> String {
        self.points
            .iter()
            .map(|(p, l)| format!("{p}:{l}"))
            .collect::<Vec<_>>()
            .join(";")
    }
}

fn interpolate(
    points: &[(f64, f64)],
    x: f64,
    kx: impl Fn(&(f64, f64)) -> f64,
    ky: impl Fn(&(f64, f64)) -> f64,
) -> f64 {
    let first = &points[0];
    let last = &points[points.len() - 1];
    if x <= kx(first) {
        return ky(first);
    }
    if x >= kx(last) {
        return ky(last);
    }
    for w in points.windows(2) {
        let (x0, x1) = (kx(&w[0]), kx(&w[1]));
        if x <= x1 {
            if x1 == x0 {
                return ky(&w[0]);
            }
            let t = (x - x0) / (x1 - x0);
            return ky(&w[0]) + t * (ky(&w[1]) - ky(&w[0]));
        }
    }
    ky(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn piecewise_linear_both_ways() {
        let c = Calibration::parse("0:0; 50:200 ;100:600").unwrap();
        assert_eq!(c.litres(25.0), 100.0);
        assert_eq!(c.litres(75.0), 400.0);
        assert_eq!(c.litres(-5.0), 0.0);
        assert_eq!(c.litres(120.0), 600.0);
        assert_eq!(c.pct(400.0), 75.0);
        assert_eq!(c.capacity_l(), 600.0);
        assert_eq!(c.slope_l_per_pct(60.0), 8.0);
        assert_eq!(Calibration::parse(&c.to_text()).unwrap(), c);
    }

    #[test]
    fn decimal_commas_and_any_order() {
        let c = Calibration::parse("100:600,5;0:0").unwrap();
        assert_eq!(c.points(), &[(0.0, 0.0), (100.0, 600.5)]);
    }

    #[test]
    fn refuses_bad_tables() {
        assert_eq!(Calibration::parse("0:0"), Err(CalibrationError::TooFew));
        assert!(matches!(
            Calibration::parse("0:0;x:1"),
            Err(CalibrationError::Syntax(_))
        ));
        assert!(matches!(
            Calibration::parse("0:0;150:1"),
            Err(CalibrationError::Range(_))
        ));
        assert_eq!(
            Calibration::parse("0:0;50:300;100:200"),
            Err(CalibrationError::NotMonotonic)
        );
        assert_eq!(
            Calibration::parse("0:0;50:1;50:2"),
            Err(CalibrationError::NotMonotonic)
        );
    }
}
