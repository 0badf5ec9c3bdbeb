//! Scorecards and recommendations from rollups (formula in `COACHING.md`).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::config::{CoachConfig, Weights};
use crate::error::CoachError;
use crate::model::ExpectedModel;
use crate::rollup::Rollup;

/// z for a two-sided 90% interval.
const Z90: f64 = 1.645;

/// The period coached: local days `from_day..=to_day` (`YYYY-MM-DD`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Period {
    /// First day.
    pub from_day: String,
    /// Last day (inclusive).
    pub to_day: String,
    /// Calendar days in the period (the base of "per week").
    pub days: u32,
}

/// Fuel price and currency (fleet settings).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Prices {
    /// ISO 4217 code.
    pub currency: String,
    /// Price per litre.
    pub fuel_price_per_l: f64,
}

/// A driver's or truck's metrics over the period.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
pub struct Metrics {
    /// Days with data.
    pub days: u32,
    /// Distance, km (ledger).
    pub distance_km: f64,
    /// Fuel used, litres (ledger), where known.
    pub fuel_l: Option<f64>,
    /// Litres per 100 km.
    pub l_per_100km: Option<f64>,
    /// What the fleet burns per 100 km on days like these (the model).
    pub expected_l_per_100km: Option<f64>,
    /// Actual / expected fuel over the days with both.
    pub efficiency_ratio: Option<f64>,
    /// Engine-on hours.
    pub engine_h: f64,
    /// Idle hours (decision 20).
    pub idle_h: f64,
    /// Idle hours per day with data.
    pub idle_h_per_day: f64,
    /// Idle litres.
    pub idle_l: f64,
    /// Idle cost, fleet currency.
    pub idle_cost: f64,
    /// Idle share of engine time.
    pub idle_share: Option<f64>,
    /// Hours above the speed limit.
    pub over_speed_h: f64,
    /// Share of moving time above the limit.
    pub over_speed_share: Option<f64>,
    /// Extra litres of that speed (aerodynamic drag).
    pub over_speed_extra_l: f64,
    /// Harsh accelerations.
    pub harsh_accel: u32,
    /// Harsh brakings.
    pub harsh_brake: u32,
    /// Harsh events per 100 km (over the distance sampled finely enough to see them).
    pub harsh_per_100km: Option<f64>,
    /// Share of driving engine time outside the RPM green band.
    pub rpm_out_share: Option<f64>,
    /// Stops per 100 km.
    pub stops_per_100km: Option<f64>,
    /// Climb per 100 km, metres.
    pub climb_m_per_100km: Option<f64>,
    /// Speed readings rejected as glitches (spikes, jumps).
    pub speed_glitches: u32,
    /// Points not used because they came out of order.
    #[ts(type = "number")]
    pub out_of_order: u64,
}

/// One sub-score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Part {
    /// `efficiency`, `idle`, `speeding`, `harsh` or `rpm`.
    pub name: String,
    /// 0..100.
    pub score: f64,
    /// Its weight.
    pub weight: f64,
}

/// The 0-100 score with its uncertainty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Score {
    /// The score shown: the raw score shrunk toward the fleet mean by how little
    /// distance backs it (posterior mean).
    pub value: f64,
    /// The weighted sub-scores without shrinkage.
    pub raw: Option<f64>,
    /// 90% credible interval, low end.
    pub low: f64,
    /// 90% credible interval, high end.
    pub high: f64,
    /// Too little distance for a stable score.
    pub provisional: bool,
    /// Share of the fleet's drivers scoring lower, 0..100.
    pub percentile: f64,
    /// The sub-scores.
    pub parts: Vec<Part>,
}

/// A recommendation: a code and the numbers behind it (rendered through translations).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Recommendation {
    /// `idle`, `speeding`, `harsh_braking`, `harsh_acceleration`, `rpm` or `efficiency`.
    pub code: String,
    /// Estimated saving, litres per week.
    pub litres_per_week: f64,
    /// The same in money, fleet currency.
    pub money_per_week: f64,
    /// Fleet currency.
    pub currency: String,
    /// The driver's value over the period.
    pub value: f64,
    /// The fleet's best quartile of that value.
    pub fleet_best: f64,
    /// Unit of `value`: `h_per_day`, `share`, `per_100km` or `ratio`.
    pub unit: String,
    /// The driver's value in the earlier half of the period.
    pub earlier: Option<f64>,
    /// The driver's value in the recent half.
    pub recent: Option<f64>,
}

/// One driver's card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriverCard {
    /// Driver id (`""`: points without a driver).
    pub driver_id: String,
    /// Trucks driven.
    pub trucks: Vec<String>,
    /// Score.
    pub score: Score,
    /// Metrics.
    pub metrics: Metrics,
    /// Recommendations, largest saving first.
    pub recommendations: Vec<Recommendation>,
}

/// One truck's metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TruckCard {
    /// Truck id.
    pub truck_id: String,
    /// Metrics.
    pub metrics: Metrics,
}

/// What the uncertainty was computed from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Shrinkage {
    /// Fleet mean of the raw scores (the prior mean).
    pub prior_mean: f64,
    /// Spread of true scores between drivers (prior standard deviation).
    pub between_sd: f64,
    /// Day-to-day noise of a score backed by 1 km (standard deviation x sqrt(km)).
    pub noise_sd_per_sqrt_km: f64,
}

/// The coaching report of a period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoachReport {
    /// The period.
    pub period: Period,
    /// Prices used.
    pub prices: Prices,
    /// Speed limit used, km/h.
    pub speed_limit_kmh: f64,
    /// Score weights used.
    pub weights: Weights,
    /// The fleet's expected-consumption model.
    pub model: ExpectedModel,
    /// Uncertainty model.
    pub shrinkage: Shrinkage,
    /// Median driver score.
    pub fleet_median_score: Option<f64>,
    /// Drivers, best score first.
    pub drivers: Vec<DriverCard>,
    /// Trucks, by id.
    pub trucks: Vec<TruckCard>,
}

/// Sums for a group of rollups, with the expected fuel of those that have fuel.
#[derive(Debug, Clone, Default)]
struct Agg {
    r: Rollup,
    days: BTreeSet<String>,
    fuel_with_expected: f64,
    expected: f64,
}

impl Agg {
    fn add(&mut self, r: &Rollup, model: &ExpectedModel) {
        self.r.add(r);
        self.days.insert(r.day.clone());
        if let (Some(f), Some(e)) = (r.fuel_l, model.expected_l(r)) {
            self.fuel_with_expected += f;
            self.expected += e;
        }
    }

    fn ratio(&self) -> Option<f64> {
        (self.expected > 0.0).then(|| self.fuel_with_expected / self.expected)
    }

    fn idle_share(&self) -> Option<f64> {
        (self.r.engine_h > 0.0).then(|| (self.r.idle_h / self.r.engine_h).min(1.0))
    }

    fn over_share(&self) -> Option<f64> {
        (self.r.moving_h > 0.0).then(|| (self.r.over_speed_h / self.r.moving_h).min(1.0))
    }

    /// Harsh events need finely sampled speed over most of the distance.
    fn harsh_per_100km(&self) -> Option<f64> {
        let km = self.r.harsh_km;
        (km > 1.0 && km >= 0.5 * self.r.speed_km)
            .then(|| f64::from(self.r.harsh_accel + self.r.harsh_brake) / km * 100.0)
    }

    fn brake_per_100km(&self) -> Option<f64> {
        self.harsh_per_100km()
            .map(|_| f64::from(self.r.harsh_brake) / self.r.harsh_km * 100.0)
    }

    fn accel_per_100km(&self) -> Option<f64> {
        self.harsh_per_100km()
            .map(|_| f64::from(self.r.harsh_accel) / self.r.harsh_km * 100.0)
    }

    fn rpm_share(&self) -> Option<f64> {
        (self.r.rpm_h > 0.0 && self.r.rpm_h >= 0.2 * self.r.moving_h)
            .then(|| self.r.rpm_out_h / self.r.rpm_h)
    }

    fn idle_h_per_day(&self) -> f64 {
        self.r.idle_h / self.days.len().max(1) as f64
    }

    fn over_extra_per_100km(&self) -> Option<f64> {
        (self.r.distance_km > 0.0).then(|| self.r.over_speed_extra_l / self.r.distance_km * 100.0)
    }

    fn parts(&self, cfg: &CoachConfig) -> Vec<Part> {
        let lin = |v: f64, zero: f64| 100.0 * (1.0 - v / zero).clamp(0.0, 1.0);
        let w = &cfg.weights;
        let mut parts = Vec::new();
        if let Some(r) = self.ratio() {
            let s = 100.0
                * ((cfg.efficiency_ratio_zero - r)
                    / (cfg.efficiency_ratio_zero - cfg.efficiency_ratio_best))
                    .clamp(0.0, 1.0);
            parts.push(("efficiency", s, w.efficiency));
        }
        if let Some(v) = self.idle_share() {
            parts.push(("idle", lin(v, cfg.idle_share_zero), w.idle));
        }
        if let Some(v) = self.over_share() {
            parts.push(("speeding", lin(v, cfg.speeding_share_zero), w.speeding));
        }
        if let Some(v) = self.harsh_per_100km() {
            parts.push(("harsh", lin(v, cfg.harsh_per_100km_zero), w.harsh));
        }
        if let Some(v) = self.rpm_share() {
            parts.push(("rpm", lin(v, cfg.rpm_share_zero), w.rpm));
        }
        parts
            .into_iter()
            .map(|(n, s, w)| Part {
                name: n.to_string(),
                score: s,
                weight: w,
            })
            .collect()
    }

    fn metrics(&self, prices: &Prices, model: &ExpectedModel) -> Metrics {
        let r = &self.r;
        let per100 = |v: f64| (r.distance_km > 0.0).then(|| v / r.distance_km * 100.0);
        Metrics {
            days: self.days.len() as u32,
            distance_km: r.distance_km,
            fuel_l: r.fuel_l,
            l_per_100km: r.fuel_l.and_then(per100),
            expected_l_per_100km: (self.expected > 0.0 && self.fuel_with_expected > 0.0)
                .then(|| {
                    // Expected per 100 km over the distance the comparison covers.
                    let ratio = self.ratio().unwrap_or(1.0);
                    r.fuel_l.and_then(per100).map(|a| a / ratio)
                })
                .flatten()
                .or_else(|| model.fleet_l_per_100km.filter(|_| model.fallback)),
            efficiency_ratio: self.ratio(),
            engine_h: r.engine_h,
            idle_h: r.idle_h,
            idle_h_per_day: self.idle_h_per_day(),
            idle_l: r.idle_l,
            idle_cost: r.idle_l * prices.fuel_price_per_l,
            idle_share: self.idle_share(),
            over_speed_h: r.over_speed_h,
            over_speed_share: self.over_share(),
            over_speed_extra_l: r.over_speed_extra_l,
            harsh_accel: r.harsh_accel,
            harsh_brake: r.harsh_brake,
            harsh_per_100km: self.harsh_per_100km(),
            rpm_out_share: self.rpm_share(),
            stops_per_100km: per100(f64::from(r.stops)),
            climb_m_per_100km: (r.alt_km > 0.0).then(|| r.climb_m / r.alt_km * 100.0),
            speed_glitches: r.speed_glitches,
            out_of_order: r.out_of_order,
        }
    }
}

/// The weighted mean of the sub-scores; `None` without any.
pub fn weighted(parts: &[Part]) -> Option<f64> {
    let w: f64 = parts.iter().map(|p| p.weight).sum();
    (w > 0.0).then(|| parts.iter().map(|p| p.score * p.weight).sum::<f64>() / w)
}

/// Percentile rank of each value among all: the share of the others that are
/// lower (ties count half), 0..100; a lone value is at 50.
pub fn percentiles(values: &[f64]) -> Vec<f64> {
    let n = values.len();
    values
        .iter()
        .map(|v| {
            if n < 2 {
                return 50.0;
            }
            let below = values.iter().filter(|o| *o < v).count() as f64;
            let equal = values.iter().filter(|o| *o == v).count() as f64 - 1.0;
            100.0 * (below + 0.5 * equal) / (n - 1) as f64
        })
        .collect()
}

/// The `q` quantile (0..1) with linear interpolation; `None` when empty.
pub fn quantile(values: &[f64], q: f64) -> Option<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let pos = q.clamp(0.0, 1.0) * (v.len() - 1) as f64;
    let (i, f) = (pos.floor() as usize, pos.fract());
    Some(if i + 1 < v.len() {
        v[i] * (1.0 - f) + v[i + 1] * f
    } else {
        v[i]
    })
}

/// Normal-normal shrinkage: a raw score backed by `km` is a noisy reading of the
/// driver's true score (noise variance `noise2 / km`), and true scores spread
/// around the fleet mean with variance `between2`. Returns (mean, sd).
pub fn shrink(raw: Option<f64>, km: f64, s: &Shrinkage) -> (f64, f64) {
    let between2 = s.between_sd.powi(2).max(1e-9);
    let noise2 = s.noise_sd_per_sqrt_km.powi(2).max(1e-9);
    match raw {
        Some(x) if km > 0.0 => {
            let prec = 1.0 / between2 + km / noise2;
            let mean = (s.prior_mean / between2 + x * km / noise2) / prec;
            (mean, prec.sqrt().recip())
        }
        _ => (s.prior_mean, s.between_sd),
    }
}

/// Coaches the rollups of a period (callers pass only the period's rollups).
pub fn coach(
    rollups: &[Rollup],
    period: &Period,
    prices: &Prices,
    cfg: &CoachConfig,
) -> Result<CoachReport, CoachError> {
    cfg.validate()?;
    if !(prices.fuel_price_per_l.is_finite() && prices.fuel_price_per_l >= 0.0) {
        return Err(CoachError::Invalid {
            what: "fuel_price_per_l".into(),
            why: "must be a price of zero or more".into(),
        });
    }
    let model = ExpectedModel::fit(rollups, cfg);
    let mid = midpoint(period);
    let mut drivers: BTreeMap<&str, DriverAgg<'_>> = BTreeMap::new();
    let mut trucks: BTreeMap<&str, Agg> = BTreeMap::new();
    for r in rollups {
        trucks
            .entry(r.truck_id.as_str())
            .or_default()
            .add(r, &model);
        // A parked truck (engine off, no distance) is nobody's driving.
        if r.engine_h <= 0.0 && r.distance_km < 0.01 {
            continue;
        }
        let d = drivers.entry(r.driver_id.as_str()).or_default();
        d.all.add(r, &model);
        if r.day.as_str() < mid.as_str() {
            d.early.add(r, &model);
        } else {
            d.late.add(r, &model);
        }
        d.by_day.entry(r.day.as_str()).or_default().add(r, &model);
        d.trucks.insert(r.truck_id.as_str());
    }
    let raws: Vec<(Option<f64>, f64)> = drivers
        .values()
        .map(|d| (weighted(&d.all.parts(cfg)), d.all.r.distance_km))
        .collect();
    // Day-to-day noise per sqrt(km), pooled over drivers with two days or more.
    let (mut ss, mut dof) = (0.0, 0.0);
    for d in drivers.values() {
        let days: Vec<(f64, f64)> = d
            .by_day
            .values()
            .filter_map(|a| Some((weighted(&a.parts(cfg))?, a.r.distance_km)))
            .filter(|(_, km)| *km > 0.0)
            .collect();
        if days.len() >= 2 {
            let km: f64 = days.iter().map(|(_, k)| k).sum();
            let mean = days.iter().map(|(s, k)| s * k).sum::<f64>() / km;
            ss += days
                .iter()
                .map(|(s, k)| k * (s - mean).powi(2))
                .sum::<f64>();
            dof += (days.len() - 1) as f64;
        }
    }
    // Without repeated days: 8 points of noise on a 300 km day.
    let noise2 = if dof >= 3.0 { ss / dof } else { 64.0 * 300.0 };
    let scored: Vec<(f64, f64)> = raws
        .iter()
        .filter_map(|(r, km)| r.map(|r| (r, *km)))
        .collect();
    let stable: Vec<(f64, f64)> = scored
        .iter()
        .copied()
        .filter(|(_, km)| *km >= cfg.provisional_km)
        .collect();
    let base = if stable.len() >= 2 { &stable } else { &scored };
    let prior_mean = if base.is_empty() {
        50.0
    } else {
        base.iter().map(|(s, _)| s).sum::<f64>() / base.len() as f64
    };
    let between2 = if base.len() >= 3 {
        let var = base
            .iter()
            .map(|(s, _)| (s - prior_mean).powi(2))
            .sum::<f64>()
            / (base.len() - 1) as f64;
        let noise_part =
            base.iter().map(|(_, km)| noise2 / km.max(1.0)).sum::<f64>() / base.len() as f64;
        (var - noise_part).max(4.0)
    } else {
        100.0
    };
    let shrinkage = Shrinkage {
        prior_mean,
        between_sd: between2.sqrt(),
        noise_sd_per_sqrt_km: noise2.sqrt(),
    };
    // The fleet's best quartile of each coached value, among stable drivers when
    // there are enough of them.
    let stable_aggs: Vec<&Agg> = {
        let s: Vec<&Agg> = drivers
            .values()
            .map(|d| &d.all)
            .filter(|a| a.r.distance_km >= cfg.provisional_km)
            .collect();
        if s.len() >= 4 {
            s
        } else {
            drivers.values().map(|d| &d.all).collect()
        }
    };
    let best = |f: &dyn Fn(&Agg) -> Option<f64>| {
        let v: Vec<f64> = stable_aggs.iter().filter_map(|a| f(a)).collect();
        quantile(&v, 0.25)
    };
    let bests = Bests {
        idle_h_per_day: best(&|a| (a.r.engine_h > 0.0).then(|| a.idle_h_per_day())),
        over_share: best(&|a| a.over_share()),
        over_extra_per_100km: best(&|a| a.over_extra_per_100km()),
        brake: best(&|a| a.brake_per_100km()),
        accel: best(&|a| a.accel_per_100km()),
        rpm: best(&|a| a.rpm_share()),
        ratio: best(&|a| a.ratio()),
    };
    let week = 7.0 / f64::from(period.days.max(1));
    let mut cards = Vec::with_capacity(drivers.len());
    for (id, d) in &drivers {
        let DriverAgg {
            all,
            early,
            late,
            trucks: trucks_of,
            ..
        } = d;
        let parts = all.parts(cfg);
        let raw = weighted(&parts);
        let (mean, sd) = shrink(raw, all.r.distance_km, &shrinkage);
        cards.push(DriverCard {
            driver_id: id.to_string(),
            trucks: trucks_of.iter().map(|t| t.to_string()).collect(),
            score: Score {
                value: mean.clamp(0.0, 100.0),
                raw,
                low: (mean - Z90 * sd).clamp(0.0, 100.0),
                high: (mean + Z90 * sd).clamp(0.0, 100.0),
                provisional: all.r.distance_km < cfg.provisional_km,
                percentile: 0.0,
                parts,
            },
            metrics: all.metrics(prices, &model),
            recommendations: recommend(all, early, late, &bests, cfg, prices, week),
        });
    }
    let values: Vec<f64> = cards.iter().map(|c| c.score.value).collect();
    for (c, p) in cards.iter_mut().zip(percentiles(&values)) {
        c.score.percentile = p;
    }
    let fleet_median_score = quantile(&values, 0.5);
    cards.sort_by(|a, b| {
        b.score
            .value
            .total_cmp(&a.score.value)
            .then_with(|| a.driver_id.cmp(&b.driver_id))
    });
    Ok(CoachReport {
        period: period.clone(),
        prices: prices.clone(),
        speed_limit_kmh: cfg.speed_limit_kmh,
        weights: cfg.weights.clone(),
        shrinkage,
        fleet_median_score,
        drivers: cards,
        trucks: trucks
            .iter()
            .map(|(id, a)| TruckCard {
                truck_id: id.to_string(),
                metrics: a.metrics(prices, &model),
            })
            .collect(),
        model,
    })
}

/// The first day of the recent half of the period.
fn midpoint(period: &Period) -> String {
    use chrono::NaiveDate;
    let parse = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    match (parse(&period.from_day), parse(&period.to_day)) {
        (Some(a), Some(b)) => {
            let half = (b - a).num_days().max(0) / 2 + 1;
            (a + chrono::Duration::days(half))
                .format("%Y-%m-%d")
                .to_string()
        }
        _ => period.to_day.clone(),
    }
}

/// One driver's sums: the whole period, its two halves (the trend) and each day.
#[derive(Default)]
struct DriverAgg<'a> {
    all: Agg,
    early: Agg,
    late: Agg,
    by_day: BTreeMap<&'a str, Agg>,
    trucks: BTreeSet<&'a str>,
}

struct Bests {
    idle_h_per_day: Option<f64>,
    over_share: Option<f64>,
    over_extra_per_100km: Option<f64>,
    brake: Option<f64>,
    accel: Option<f64>,
    rpm: Option<f64>,
    ratio: Option<f64>,
}

fn recommend(
    all: &Agg,
    early: &Agg,
    late: &Agg,
    b: &Bests,
    cfg: &CoachConfig,
    prices: &Prices,
    week: f64,
) -> Vec<Recommendation> {
    let r = &all.r;
    let mut out: Vec<Recommendation> = Vec::new();
    let mut push = |code: &str,
                    litres_period: f64,
                    value: f64,
                    best: f64,
                    unit: &str,
                    f: &dyn Fn(&Agg) -> Option<f64>| {
        let litres = litres_period.max(0.0) * week;
        if litres.is_finite() && litres >= cfg.min_saving_l_week && value > best {
            out.push(Recommendation {
                code: code.to_string(),
                litres_per_week: litres,
                money_per_week: litres * prices.fuel_price_per_l,
                currency: prices.currency.clone(),
                value,
                fleet_best: best,
                unit: unit.to_string(),
                earlier: f(early),
                recent: f(late),
            });
        }
    };
    // Idle: hours per day above the fleet's best quartile, at the driver's own idle rate.
    if let Some(best) = b.idle_h_per_day
        && r.idle_h > 0.0
    {
        let v = all.idle_h_per_day();
        let lph = r.idle_l / r.idle_h;
        let litres = (v - best) * all.days.len() as f64 * lph;
        push("idle", litres, v, best, "h_per_day", &|a| {
            (a.r.engine_h > 0.0).then(|| a.idle_h_per_day())
        });
    }
    // Speed: the extra fuel of driving above the limit beyond the best quartile's.
    if let (Some(best_share), Some(best_extra), Some(v)) =
        (b.over_share, b.over_extra_per_100km, all.over_share())
    {
        let litres = r.over_speed_extra_l - best_extra * r.distance_km / 100.0;
        push("speeding", litres, v, best_share, "share", &|a| {
            a.over_share()
        });
    }
    // Harsh brakes throw the kinetic energy away; anticipation would coast it.
    let useful = cfg.useful_j_per_l();
    let mut harsh_l = 0.0;
    if let (Some(best), Some(v)) = (b.brake, all.brake_per_100km())
        && r.harsh_brake > 0
    {
        let per_event = r.harsh_brake_j_per_kg / f64::from(r.harsh_brake) * cfg.mass_kg / useful;
        let litres = (v - best) / 100.0 * r.harsh_km * per_event;
        harsh_l += litres.max(0.0);
        push("harsh_braking", litres, v, best, "per_100km", &|a| {
            a.brake_per_100km()
        });
    }
    if let (Some(best), Some(v)) = (b.accel, all.accel_per_100km())
        && r.harsh_accel > 0
    {
        let per_event =
            r.harsh_accel_j_per_kg / f64::from(r.harsh_accel) * cfg.mass_kg * cfg.harsh_accel_waste
                / useful;
        let litres = (v - best) / 100.0 * r.harsh_km * per_event;
        harsh_l += litres.max(0.0);
        push("harsh_acceleration", litres, v, best, "per_100km", &|a| {
            a.accel_per_100km()
        });
    }
    let mut rpm_l = 0.0;
    if let (Some(best), Some(v), Some(fuel)) = (b.rpm, all.rpm_share(), r.fuel_l) {
        let driving = (fuel - r.idle_l).max(0.0);
        let litres = (v - best) * driving * cfg.rpm_penalty;
        rpm_l = litres.max(0.0);
        push("rpm", litres, v, best, "share", &|a| a.rpm_share());
    }
    // What the route, speed and idle do not explain, less the harsh and RPM
    // savings already counted (they are part of that remainder).
    if let (Some(best), Some(v)) = (b.ratio, all.ratio()) {
        let litres = (v - best) * all.expected - harsh_l - rpm_l;
        push("efficiency", litres, v, best, "ratio", &|a| a.ratio());
    }
    out.sort_by(|a, b| {
        b.litres_per_week
            .total_cmp(&a.litres_per_week)
            .then_with(|| a.code.cmp(&b.code))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_ranks() {
        // (values, expected percentiles)
        let cases: Vec<(Vec<f64>, Vec<f64>)> = vec![
            (vec![70.0], vec![50.0]),
            (vec![10.0, 20.0, 30.0], vec![0.0, 50.0, 100.0]),
            (vec![30.0, 10.0, 20.0, 20.0], vec![100.0, 0.0, 50.0, 50.0]),
            (vec![5.0, 5.0], vec![50.0, 50.0]),
        ];
        for (v, want) in cases {
            assert_eq!(percentiles(&v), want, "{v:?}");
        }
    }

    #[test]
    fn quantiles_interpolate() {
        assert_eq!(quantile(&[], 0.25), None);
        assert_eq!(quantile(&[3.0], 0.25), Some(3.0));
        assert_eq!(quantile(&[4.0, 1.0, 3.0, 2.0, 5.0], 0.25), Some(2.0));
        assert_eq!(quantile(&[1.0, 2.0], 0.5), Some(1.5));
    }

    #[test]
    fn little_distance_means_a_wide_interval_near_the_fleet_mean() {
        let s = Shrinkage {
            prior_mean: 70.0,
            between_sd: 10.0,
            noise_sd_per_sqrt_km: 140.0,
        };
        let (m_far, sd_far) = shrink(Some(95.0), 5000.0, &s);
        let (m_near, sd_near) = shrink(Some(95.0), 20.0, &s);
        let (m_none, sd_none) = shrink(None, 0.0, &s);
        assert!(m_far > 90.0 && sd_far < 2.5, "{m_far} {sd_far}");
        assert!(m_near < 80.0 && sd_near > 8.0, "{m_near} {sd_near}");
        assert_eq!((m_none, sd_none), (70.0, 10.0));
        // A driver with no data is never scored 0.
        assert!(m_none > 0.0);
    }

    #[test]
    fn weights_weigh() {
        let parts = vec![
            Part {
                name: "idle".into(),
                score: 100.0,
                weight: 3.0,
            },
            Part {
                name: "harsh".into(),
                score: 0.0,
                weight: 1.0,
            },
        ];
        assert_eq!(weighted(&parts), Some(75.0));
        assert_eq!(weighted(&[]), None);
    }
}
