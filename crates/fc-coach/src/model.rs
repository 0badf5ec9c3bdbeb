//! The fleet's expected consumption: L/100 km as a linear function of what the
//! route and the duty impose (speed profile, aerodynamic work, idle per 100 km,
//! stops per 100 km, climb per 100 km), fitted by ordinary least squares
//! (linfa-linear) over the fleet's own rollups. A driver is compared with what
//! the fleet burns on days like theirs, so a hilly or stop-and-go route is not
//! held against the driver.

use linfa::prelude::*;
use linfa_linear::LinearRegression;
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::config::CoachConfig;
use crate::rollup::Rollup;

/// Names of the candidate features, in column order.
pub const FEATURES: [&str; 5] = [
    "mean_speed_kmh",
    "mean_v2_kmh2",
    "idle_h_per_100km",
    "stops_per_100km",
    "climb_m_per_100km",
];

/// The fitted model (shown in JSON so that the numbers can be checked).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ExpectedModel {
    /// Features used (constant or missing ones are left out).
    pub features: Vec<String>,
    /// Coefficients on the standardised features, L/100 km per standard deviation.
    pub coefficients: Vec<f64>,
    /// L/100 km at the fleet's mean feature values.
    pub intercept: f64,
    /// Rollups the model was fitted on.
    #[ts(type = "number")]
    pub rows: usize,
    /// Share of the variance explained on those rows.
    pub r2: Option<f64>,
    /// The fleet's distance-weighted L/100 km.
    pub fleet_l_per_100km: Option<f64>,
    /// True when there were too few rollups to fit and the fleet average is used.
    pub fallback: bool,
    #[serde(skip)]
    cols: Vec<usize>,
    #[serde(skip)]
    mean: Vec<f64>,
    #[serde(skip)]
    sd: Vec<f64>,
    #[serde(skip)]
    lo: Vec<f64>,
    #[serde(skip)]
    hi: Vec<f64>,
    #[serde(skip)]
    climb_fill: f64,
}

/// Raw features of a rollup; climb is `None` without altitude.
fn raw(r: &Rollup) -> Option<[Option<f64>; 5]> {
    if r.distance_km <= 0.0 || r.moving_h <= 0.0 || r.speed_km <= 0.0 {
        return None;
    }
    let per100 = 100.0 / r.distance_km;
    Some([
        Some(r.speed_km / r.moving_h),
        Some(r.v2_km / r.speed_km / 100.0),
        Some(r.idle_h * per100),
        Some(f64::from(r.stops) * per100),
        (r.alt_km > 0.5 * r.speed_km && r.alt_km > 0.0).then(|| r.climb_m / r.alt_km * 100.0),
    ])
}

fn l_per_100km(r: &Rollup) -> Option<f64> {
    r.fuel_l
        .filter(|_| r.distance_km > 0.0)
        .map(|f| f / r.distance_km * 100.0)
}

impl ExpectedModel {
    /// Fits the model on the rollups (each a truck-day-driver) with fuel and at
    /// least `cfg.model_min_km`.
    pub fn fit(rollups: &[Rollup], cfg: &CoachConfig) -> ExpectedModel {
        let rows: Vec<([Option<f64>; 5], f64)> = rollups
            .iter()
            .filter(|r| r.distance_km >= cfg.model_min_km.max(1e-9))
            .filter_map(|r| Some((raw(r)?, l_per_100km(r)?)))
            .filter(|(_, y)| y.is_finite() && *y > 0.0 && *y < 500.0)
            .collect();
        let (dist, fuel) = rollups
            .iter()
            .filter(|r| r.fuel_l.is_some() && r.distance_km > 0.0)
            .fold((0.0, 0.0), |(d, f), r| {
                (d + r.distance_km, f + r.fuel_l.unwrap_or(0.0))
            });
        let fleet = (dist > 0.0).then(|| fuel / dist * 100.0);
        let with_climb: Vec<f64> = rows.iter().filter_map(|(x, _)| x[4]).collect();
        // Climb enters only when most rollups have altitude; the others get the mean.
        let use_climb = with_climb.len() * 2 >= rows.len() && !with_climb.is_empty();
        let climb_fill = if with_climb.is_empty() {
            0.0
        } else {
            with_climb.iter().sum::<f64>() / with_climb.len() as f64
        };
        let full = |x: &[Option<f64>; 5]| -> [f64; 5] {
            [
                x[0].unwrap_or(0.0),
                x[1].unwrap_or(0.0),
                x[2].unwrap_or(0.0),
                x[3].unwrap_or(0.0),
                x[4].unwrap_or(climb_fill),
            ]
        };
        let n = rows.len();
        let mut mean = [0.0; 5];
        for (x, _) in &rows {
            for (m, v) in mean.iter_mut().zip(full(x)) {
                *m += v / n.max(1) as f64;
            }
        }
        let mut sd = [0.0; 5];
        let mut lo = [f64::INFINITY; 5];
        let mut hi = [f64::NEG_INFINITY; 5];
        for (x, _) in &rows {
            for (j, v) in full(x).into_iter().enumerate() {
                sd[j] += (v - mean[j]).powi(2) / n.max(1) as f64;
                lo[j] = lo[j].min(v);
                hi[j] = hi[j].max(v);
            }
        }
        let cols: Vec<usize> = (0..5)
            .filter(|&j| sd[j] > 1e-12 && (j != 4 || use_climb))
            .collect();
        let fallback_model = |rows: usize| ExpectedModel {
            features: Vec::new(),
            coefficients: Vec::new(),
            intercept: fleet.unwrap_or(0.0),
            rows,
            r2: None,
            fleet_l_per_100km: fleet,
            fallback: true,
            cols: Vec::new(),
            mean: Vec::new(),
            sd: Vec::new(),
            lo: Vec::new(),
            hi: Vec::new(),
            climb_fill,
        };
        // Three rows per coefficient at least, or the fit is noise.
        if n < 3 * (cols.len() + 1) || cols.is_empty() {
            return fallback_model(n);
        }
        let sd: Vec<f64> = sd.iter().map(|v| v.sqrt()).collect();
        let mut x = Array2::<f64>::zeros((n, cols.len()));
        let mut y = Array1::<f64>::zeros(n);
        for (i, (xr, yr)) in rows.iter().enumerate() {
            let f = full(xr);
            for (k, &j) in cols.iter().enumerate() {
                x[[i, k]] = (f[j] - mean[j]) / sd[j];
            }
            y[i] = *yr;
        }
        let data = Dataset::new(x, y.clone());
        let Ok(fitted) = LinearRegression::new().fit(&data) else {
            return fallback_model(n);
        };
        let coefficients: Vec<f64> = fitted.params().to_vec();
        if coefficients.iter().any(|c| !c.is_finite()) {
            return fallback_model(n);
        }
        let pred = fitted.predict(data.records());
        let ybar = y.mean().unwrap_or(0.0);
        let ss_tot: f64 = y.iter().map(|v| (v - ybar).powi(2)).sum();
        let ss_res: f64 = y
            .iter()
            .zip(pred.iter())
            .map(|(a, b)| (a - b).powi(2))
            .sum();
        ExpectedModel {
            features: cols.iter().map(|&j| FEATURES[j].to_string()).collect(),
            coefficients,
            intercept: fitted.intercept(),
            rows: n,
            r2: (ss_tot > 0.0).then(|| 1.0 - ss_res / ss_tot),
            fleet_l_per_100km: fleet,
            fallback: false,
            mean: cols.iter().map(|&j| mean[j]).collect(),
            sd: cols.iter().map(|&j| sd[j]).collect(),
            lo: cols.iter().map(|&j| lo[j]).collect(),
            hi: cols.iter().map(|&j| hi[j]).collect(),
            cols,
            climb_fill,
        }
    }

    /// Expected L/100 km for a rollup's conditions (features clamped to the
    /// training range: no extrapolation), `None` without distance.
    pub fn expected_l_per_100km(&self, r: &Rollup) -> Option<f64> {
        let x = raw(r)?;
        if self.fallback {
            return self.fleet_l_per_100km;
        }
        let f = [
            x[0].unwrap_or(0.0),
            x[1].unwrap_or(0.0),
            x[2].unwrap_or(0.0),
            x[3].unwrap_or(0.0),
            x[4].unwrap_or(self.climb_fill),
        ];
        let mut y = self.intercept;
        for (k, &j) in self.cols.iter().enumerate() {
            let v = f[j].clamp(self.lo[k], self.hi[k]);
            y += self.coefficients[k] * (v - self.mean[k]) / self.sd[k];
        }
        let fleet = self.fleet_l_per_100km.unwrap_or(y);
        Some(y.clamp(0.3 * fleet, 3.0 * fleet))
    }

    /// Expected litres for a rollup.
    pub fn expected_l(&self, r: &Rollup) -> Option<f64> {
        self.expected_l_per_100km(r)
            .map(|e| e * r.distance_km / 100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(speed: f64, stops: u32, climb: f64, km: f64) -> Rollup {
        let moving_h = km / speed;
        // Physics-like truth: rolling + aero + stop-and-go + climb.
        let per100 = 18.0
            + 0.0012 * speed * speed
            + 0.25 * f64::from(stops) / km * 100.0
            + 0.012 * climb / km * 100.0;
        Rollup {
            distance_km: km,
            speed_km: km,
            moving_h,
            engine_h: moving_h,
            v2_km: speed * speed * km,
            stops,
            climb_m: climb,
            alt_km: km,
            fuel_l: Some(per100 * km / 100.0),
            ..Rollup::default()
        }
    }

    #[test]
    fn the_route_is_explained_not_blamed() {
        let mut rows = Vec::new();
        for i in 0..40 {
            let f = f64::from(i);
            rows.push(day(
                50.0 + f,
                (i % 7) * 10,
                200.0 + 150.0 * (f % 5.0),
                200.0 + 5.0 * f,
            ));
        }
        let m = ExpectedModel::fit(&rows, &CoachConfig::default());
        assert!(!m.fallback);
        assert!(m.r2.unwrap() > 0.95, "{m:?}");
        // A hilly stop-and-go day is expected to burn more than a flat highway day.
        let hilly = day(45.0, 60, 800.0, 200.0);
        let flat = day(80.0, 0, 200.0, 400.0);
        let eh = m.expected_l_per_100km(&hilly).unwrap();
        let ef = m.expected_l_per_100km(&flat).unwrap();
        assert!(eh > ef + 5.0, "{eh} vs {ef}");
        let actual_h = hilly.fuel_l.unwrap() / 2.0;
        assert!((eh - actual_h).abs() / actual_h < 0.1, "{eh} vs {actual_h}");
    }

    #[test]
    fn too_few_rows_fall_back_to_the_fleet_average() {
        let rows = vec![day(60.0, 10, 100.0, 200.0), day(70.0, 5, 50.0, 200.0)];
        let m = ExpectedModel::fit(&rows, &CoachConfig::default());
        assert!(m.fallback);
        let fleet = m.fleet_l_per_100km.unwrap();
        assert_eq!(m.expected_l_per_100km(&rows[0]), Some(fleet));
    }
}
