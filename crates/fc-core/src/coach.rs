//! Coaching through the core API: rollups rebuilt for the days an import
//! touched (decision 10), scorecards for a period read from the rollups, and the
//! same scorecards for files analysed in memory.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use fc_coach::{CoachConfig, CoachReport, Period, Prices, Rollup, RollupBuilder};
use fc_ledger::{DetectorConfig, EventStatus, EventUpdate, TruckDetector};
use fc_model::TruckProfile;
use fc_store::{PointFilter, RollupFilter, RollupRecord, Store, WriteBatch};
use futures::TryStreamExt;

use crate::core::Core;
use crate::dto_analysis::{CoachingDto, DriverDto};
use crate::error::{CoreError, Result};
use crate::settings::FleetSettings;

/// What to coach.
#[derive(Debug, Clone, Default)]
pub struct CoachRequest {
    /// Only this driver's card (the fleet's percentiles and quartiles still
    /// come from every driver).
    pub driver: Option<String>,
    /// `30d` (default), `4w`, `2024-03`, `2024-03-01..2024-03-31` or one day;
    /// relative periods end on the last day with data.
    pub period: Option<String>,
}

/// Coaching settings from the fleet's: the idle minimum and the speed limit.
pub fn coach_config(settings: &FleetSettings) -> CoachConfig {
    CoachConfig {
        idle_min_s: i64::from(settings.idle_min_s),
        speed_limit_kmh: settings.speed_limit_kmh,
        ..CoachConfig::default()
    }
}

fn prices(settings: &FleetSettings) -> Prices {
    Prices {
        currency: settings.currency.clone(),
        fuel_price_per_l: settings.fuel_price_per_l,
    }
}

fn invalid(e: fc_coach::CoachError) -> CoreError {
    CoreError::Invalid {
        what: e.code().to_string(),
        why: e.to_string(),
    }
}

/// Parses a period against the last day with data.
pub fn parse_period(spec: Option<&str>, last_day: &str) -> Result<Period> {
    let bad = |s: &str| CoreError::Invalid {
        what: "--period".into(),
        why: format!(
            "`{s}` is not a period; write 30d, 4w, 2024-03, 2024-03-01..2024-03-31 or 2024-03-05"
        ),
    };
    let day = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
    let spec = spec
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("30d");
    let last = day(last_day).ok_or_else(|| bad(last_day))?;
    let (from, to) = if let Some((a, b)) = spec.split_once("..") {
        (
            day(a).ok_or_else(|| bad(spec))?,
            day(b).ok_or_else(|| bad(spec))?,
        )
    } else if let Some(n) = spec.strip_suffix('d').and_then(|n| n.parse::<i64>().ok()) {
        (last - chrono::Duration::days(n.max(1) - 1), last)
    } else if let Some(n) = spec.strip_suffix('w').and_then(|n| n.parse::<i64>().ok()) {
        (last - chrono::Duration::days(7 * n.max(1) - 1), last)
    } else if let Some(d) = day(spec) {
        (d, d)
    } else if let Some(m) = day(&format!("{spec}-01")) {
        let next = if m.month() == 12 {
            NaiveDate::from_ymd_opt(m.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(m.year(), m.month() + 1, 1)
        }
        .ok_or_else(|| bad(spec))?;
        (m, next - chrono::Duration::days(1))
    } else {
        return Err(bad(spec));
    };
    if to < from || (to - from).num_days() > 3660 {
        return Err(bad(spec));
    }
    Ok(Period {
        from_day: from.format("%Y-%m-%d").to_string(),
        to_day: to.format("%Y-%m-%d").to_string(),
        days: u32::try_from((to - from).num_days() + 1).unwrap_or(u32::MAX),
    })
}

/// The period spanning all the rollups' days (for files analysed in memory).
pub(crate) fn whole_period(rollups: &[Rollup]) -> Option<Period> {
    let first = rollups.iter().map(|r| r.day.as_str()).min()?;
    let last = rollups.iter().map(|r| r.day.as_str()).max()?;
    parse_period(Some(&format!("{first}..{last}")), last).ok()
}

/// Coaches rollups of a period with the fleet's settings.
pub(crate) fn coach_rollups(
    rollups: &[Rollup],
    period: &Period,
    settings: &FleetSettings,
) -> Result<CoachReport> {
    fc_coach::coach(rollups, period, &prices(settings), &coach_config(settings)).map_err(invalid)
}

/// Rollups of the same truck, day and driver summed (a driver who comes back
/// to a truck later the same day).
pub(crate) fn merge(rollups: Vec<Rollup>) -> Vec<Rollup> {
    let mut by: BTreeMap<(String, String, String), Rollup> = BTreeMap::new();
    for r in rollups {
        let key = (r.truck_id.clone(), r.day.clone(), r.driver_id.clone());
        match by.get_mut(&key) {
            Some(acc) => acc.add(&r),
            None => {
                by.insert(key, r);
            }
        }
    }
    by.into_values().collect()
}

fn to_record(r: &Rollup) -> Result<RollupRecord> {
    Ok(RollupRecord {
        truck_id: r.truck_id.clone(),
        day: r.day.clone(),
        driver_id: r.driver_id.clone(),
        start_ms: r.start_ms,
        end_ms: r.end_ms,
        metrics: serde_json::to_value(r).map_err(|e| CoreError::Internal(e.to_string()))?,
    })
}

pub(crate) fn from_record(rec: RollupRecord) -> Rollup {
    // Missing fields (rollups written by an older version) default to zero.
    let mut r: Rollup = serde_json::from_value(rec.metrics).unwrap_or_default();
    r.truck_id = rec.truck_id;
    r.day = rec.day;
    r.driver_id = rec.driver_id;
    r.start_ms = rec.start_ms;
    r.end_ms = rec.end_ms;
    r
}

/// Trucks and time spans an import wrote, for rebuilding their rollups.
#[derive(Debug, Default)]
pub(crate) struct Touched {
    spans: HashMap<String, (i64, i64)>,
}

impl Touched {
    /// Notes the points of a batch about to be written.
    pub(crate) fn note(&mut self, batch: &WriteBatch) {
        for (p, _) in &batch.points {
            match self.spans.get_mut(p.truck_id.as_str()) {
                Some(s) => *s = (s.0.min(p.ts), s.1.max(p.ts)),
                None => {
                    self.spans.insert(p.truck_id.clone(), (p.ts, p.ts));
                }
            }
        }
    }
}

/// Rebuilds the rollups of every local day an import touched, from the stored
/// points of those days (so overlapping or repeated imports stay right): the
/// detector's final fills and drains go into each day's ledger balance.
pub(crate) async fn rebuild_rollups(
    store: &Store,
    settings: &FleetSettings,
    touched: &Touched,
) -> Result<u64> {
    let tz = settings.tz()?;
    let cfg = coach_config(settings);
    let profiles: HashMap<String, TruckProfile> = store
        .trucks()
        .await?
        .into_iter()
        .map(|p| (p.truck_id.clone(), p))
        .collect();
    let empty = TruckProfile {
        truck_id: String::new(),
        name: String::new(),
        fuel_type: None,
        tanks: Vec::new(),
    };
    let mut written = 0;
    let mut spans: Vec<(&String, &(i64, i64))> = touched.spans.iter().collect();
    spans.sort();
    for (truck, &(first, last)) in spans {
        let from = day_start(tz, first);
        let to = day_end(tz, last);
        let profile = profiles.get(truck).unwrap_or(&empty);
        let det_profile = TruckProfile {
            truck_id: truck.clone(),
            ..profile.clone()
        };
        let mut det = TruckDetector::new(&det_profile, &DetectorConfig::default());
        let mut b = RollupBuilder::new(truck, profile, tz, &cfg);
        let mut updates: Vec<EventUpdate> = Vec::new();
        let mut points = std::pin::pin!(store.points(PointFilter {
            trucks: Some(vec![truck.clone()]),
            from: Some(from),
            to: Some(to),
        }));
        while let Some(p) = points.try_next().await? {
            det.push_into(&p, &mut updates);
            b.push(&p);
            // Only final events matter here; dropping the rest keeps memory flat.
            updates
                .retain(|u| matches!(u, EventUpdate::Event(e) if e.status == EventStatus::Final));
            for u in updates.drain(..) {
                if let EventUpdate::Event(e) = u {
                    b.event(&e);
                }
            }
        }
        for u in det.finish() {
            if let EventUpdate::Event(e) = u {
                b.event(&e);
            }
        }
        b.set_idle_rate(det.learned_rates().idle_lph);
        let records = merge(b.finish())
            .iter()
            .map(to_record)
            .collect::<Result<Vec<_>>>()?;
        written += store.replace_rollups(truck, from, to, &records).await?;
    }
    Ok(written)
}

fn day_start(tz: Tz, ts: i64) -> i64 {
    let date = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ts)
        .map(|t| t.with_timezone(&tz).date_naive())
        .unwrap_or_default();
    fc_coach::local_midnight_ms(tz, date)
}

fn day_end(tz: Tz, ts: i64) -> i64 {
    let date = chrono::DateTime::<chrono::Utc>::from_timestamp_millis(ts)
        .map(|t| t.with_timezone(&tz).date_naive())
        .unwrap_or_default();
    date.succ_opt()
        .map_or(i64::MAX, |d| fc_coach::local_midnight_ms(tz, d))
}

/// Driver scorecards over the whole span of rollups built in memory (`analyze`).
pub(crate) fn analysis_drivers(
    rollups: Vec<Rollup>,
    settings: &FleetSettings,
) -> (Vec<DriverDto>, Option<CoachingDto>) {
    let rollups = merge(rollups);
    let Some(period) = whole_period(&rollups) else {
        return (Vec::new(), None);
    };
    // The settings were validated before the analysis started.
    let Ok(rep) = coach_rollups(&rollups, &period, settings) else {
        return (Vec::new(), None);
    };
    let drivers = rep
        .drivers
        .into_iter()
        .map(|d| DriverDto {
            driver_id: d.driver_id,
            trucks: d.trucks,
            score: d.score,
            metrics: d.metrics,
            recommendations: d.recommendations,
        })
        .collect();
    let ctx = CoachingDto {
        period: rep.period,
        prices: rep.prices,
        speed_limit_kmh: rep.speed_limit_kmh,
        weights: rep.weights,
        model: rep.model,
        shrinkage: rep.shrinkage,
        fleet_median_score: rep.fleet_median_score,
    };
    (drivers, Some(ctx))
}

impl Core {
    /// Rebuilds the coaching rollups of whole local days from the stored points:
    /// `spans` are (truck, first ms, last ms) of what was written. Idempotent, so
    /// a live pipeline may call it for a truck's day after the day closes instead
    /// of (or after) streaming into a `RollupBuilder` itself.
    pub async fn rebuild_rollups(&self, spans: &[(String, i64, i64)]) -> Result<u64> {
        let mut touched = Touched::default();
        for (truck, a, b) in spans {
            let e = touched.spans.entry(truck.clone()).or_insert((*a, *b));
            *e = (e.0.min(*a), e.1.max(*b));
        }
        let settings = self.fleet_settings().await?;
        let written = rebuild_rollups(self.store(), &settings, &touched).await;
        self.wrote(crate::cache::Write::Import);
        written
    }

    /// Scorecards and recommendations for a period, from the stored rollups.
    pub async fn coach(&self, request: &CoachRequest) -> Result<CoachReport> {
        let settings = self.fleet_settings().await?;
        settings.validate()?;
        let store = self.store();
        let Some((_, last)) = store.rollup_days().await? else {
            return Err(CoreError::Invalid {
                what: "coach".into(),
                why: "there is no driving data to coach yet; import telemetry first".into(),
            });
        };
        let period = parse_period(request.period.as_deref(), &last)?;
        let rollups: Vec<Rollup> = store
            .rollups(RollupFilter {
                from_day: Some(period.from_day.clone()),
                to_day: Some(period.to_day.clone()),
                ..RollupFilter::default()
            })
            .await?
            .into_iter()
            .map(from_record)
            .collect();
        let mut report = coach_rollups(&rollups, &period, &settings)?;
        if let Some(id) = request.driver.as_deref().map(str::trim) {
            if !report.drivers.iter().any(|d| d.driver_id == id) {
                let known: Vec<&str> = report
                    .drivers
                    .iter()
                    .map(|d| d.driver_id.as_str())
                    .filter(|d| !d.is_empty())
                    .take(20)
                    .collect();
                return Err(CoreError::Invalid {
                    what: "--driver".into(),
                    why: format!(
                        "no driving by `{id}` from {} to {}; drivers in that period: {}",
                        period.from_day,
                        period.to_day,
                        known.join(", ")
                    ),
                });
            }
            report.drivers.retain(|d| d.driver_id == id);
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods() {
        // (spec, from, to, days)
        let ok = [
            (None, "2024-02-05", "2024-03-05", 30),
            (Some("7d"), "2024-02-28", "2024-03-05", 7),
            (Some("2w"), "2024-02-21", "2024-03-05", 14),
            (Some("2024-02"), "2024-02-01", "2024-02-29", 29),
            (Some("2023-12"), "2023-12-01", "2023-12-31", 31),
            (
                Some("2024-03-01..2024-03-03"),
                "2024-03-01",
                "2024-03-03",
                3,
            ),
            (Some("2024-03-02"), "2024-03-02", "2024-03-02", 1),
        ];
        for (spec, from, to, days) in ok {
            let p = parse_period(spec, "2024-03-05").unwrap();
            assert_eq!(
                (p.from_day.as_str(), p.to_day.as_str(), p.days),
                (from, to, days),
                "{spec:?}"
            );
        }
        for bad in ["soon", "2024-03-05..2024-03-01", "3x", "2024-13"] {
            let e = parse_period(Some(bad), "2024-03-05").unwrap_err();
            assert_eq!(e.code(), "invalid_input", "{bad}");
            assert!(e.to_string().contains("30d"), "{e}");
        }
    }
}
