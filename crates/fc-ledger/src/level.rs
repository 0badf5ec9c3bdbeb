//! Litres in the tanks from one telemetry point (shared by the ledger and the baselines).

use fc_model::{TelemetryPoint, TruckProfile};

/// Reads tank levels in litres, summing a second tank; `fuel_l` wins over the gauge.
#[derive(Clone)]
pub(crate) struct LevelReader<'a> {
    profile: &'a TruckProfile,
    last_t2: Option<f64>,
}

impl<'a> LevelReader<'a> {
    pub(crate) fn new(profile: &'a TruckProfile) -> Self {
        LevelReader {
            profile,
            last_t2: None,
        }
    }

    /// Litres in all tanks; a second sensor missing from one message keeps its last value.
    pub(crate) fn read(&mut self, p: &TelemetryPoint) -> Option<f64> {
        self.read_parts(p.fuel_l, p.fuel_level_pct, p.fuel_l_2, p.fuel_level_pct_2)
    }

    /// [`LevelReader::read`] from the four level fields (no point to build per sample).
    pub(crate) fn read_parts(
        &mut self,
        fuel_l: Option<f64>,
        pct: Option<f64>,
        fuel_l_2: Option<f64>,
        pct_2: Option<f64>,
    ) -> Option<f64> {
        let sane = |v: &f64| v.is_finite() && (0.0..=MAX_LITRES).contains(v);
        let t1 = fuel_l
            .filter(sane)
            .or_else(|| pct.and_then(|pct| self.profile.tanks.first().map(|t| t.litres(pct))))?;
        let t2 = fuel_l_2
            .filter(sane)
            .or_else(|| pct_2.and_then(|pct| self.profile.tanks.get(1).map(|t| t.litres(pct))));
        if t2.is_some() {
            self.last_t2 = t2;
        }
        Some(t1 + self.last_t2.unwrap_or(0.0))
    }
}

/// Litres above this (the canonical range of `fuel_l`) or below zero are not a level.
pub(crate) const MAX_LITRES: f64 = 20_000.0;

/// Timestamps beyond +/- 31,000 years are garbage; keeping them out means no
/// difference of two accepted timestamps can overflow.
pub(crate) const MAX_ABS_TS: i64 = 1_000_000_000_000_000;

/// Indices of `points` with sane timestamps, sorted by timestamp (stable), so callers accept any order.
pub(crate) fn time_order(points: &[TelemetryPoint]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..points.len())
        .filter(|&i| (-MAX_ABS_TS..=MAX_ABS_TS).contains(&points[i].ts))
        .collect();
    idx.sort_by_key(|&i| points[i].ts);
    idx
}
