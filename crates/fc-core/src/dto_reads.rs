//! Transport types of the desktop's reads and requests (docs/IPC.md): the
//! coaching report, event queries and import requests as the UI sends them
//! (UTC ms bounds, string paths), with their conversions to the core's own
//! request types, and the cached reads behind them.

use std::path::PathBuf;
use std::sync::Arc;

use fc_model::format_ts;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::cache::Cached;
use crate::coach::CoachRequest;
use crate::core::Core;
use crate::dto_analysis::{CoachingDto, DriverDto};
use crate::dto_events::StoredEventDto;
use crate::error::{CoreError, Result};
use crate::events::EventQuery;
use crate::import::{DateOrder, DecimalSep, ImportRequest};

/// The drivers page: scorecards of a period and their context.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CoachReportDto {
    /// Period, prices, weights, model and uncertainty.
    pub coaching: CoachingDto,
    /// Scorecards, best first.
    pub drivers: Vec<DriverDto>,
}

impl From<fc_coach::CoachReport> for CoachReportDto {
    fn from(rep: fc_coach::CoachReport) -> Self {
        CoachReportDto {
            coaching: CoachingDto {
                period: rep.period,
                prices: rep.prices,
                speed_limit_kmh: rep.speed_limit_kmh,
                weights: rep.weights,
                model: rep.model,
                shrinkage: rep.shrinkage,
                fleet_median_score: rep.fleet_median_score,
            },
            drivers: rep
                .drivers
                .into_iter()
                .map(|d| DriverDto {
                    driver_id: d.driver_id,
                    trucks: d.trucks,
                    score: d.score,
                    metrics: d.metrics,
                    recommendations: d.recommendations,
                })
                .collect(),
        }
    }
}

/// Which stored events to list, as the UI asks (UTC ms bounds).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct EventQueryDto {
    /// Only these trucks; empty for all.
    pub trucks: Vec<String>,
    /// Only events ending at or after this instant, UTC ms.
    #[ts(type = "number | null")]
    pub from_ms: Option<i64>,
    /// Only events starting before this instant, UTC ms.
    #[ts(type = "number | null")]
    pub to_ms: Option<i64>,
    /// Only these kinds (`fill`, `drain`, `sensor_fault`); empty for all.
    pub kinds: Vec<String>,
    /// Only events at or above the fleet's alert threshold.
    pub alerts_only: bool,
    /// Also retracted events.
    pub include_retracted: bool,
    /// At most this many, newest first.
    pub limit: Option<u32>,
}

impl From<&EventQueryDto> for EventQuery {
    fn from(q: &EventQueryDto) -> Self {
        EventQuery {
            trucks: q.trucks.clone(),
            from: q.from_ms.map(format_ts),
            to: q.to_ms.map(format_ts),
            kinds: q.kinds.clone(),
            alerts_only: q.alerts_only,
            include_retracted: q.include_retracted,
            limit: q.limit,
        }
    }
}

/// Files to import or analyse, as the UI sends them (typed or picked paths).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct ImportRequestDto {
    /// Files, in order.
    pub files: Vec<String>,
    /// A column-mapping file for foreign exports.
    pub mapping: Option<String>,
    /// Zone for naive timestamps; default: the fleet's.
    pub time_zone: Option<String>,
    /// `dmy`, `mdy` or `ymd` when a file cannot tell.
    pub date_order: Option<String>,
    /// `dot` or `comma` when a file cannot tell.
    pub decimal: Option<String>,
    /// Truck id for single-vehicle exports without a vehicle column.
    pub truck_id: Option<String>,
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl TryFrom<&ImportRequestDto> for ImportRequest {
    type Error = CoreError;

    fn try_from(r: &ImportRequestDto) -> Result<Self> {
        let files: Vec<PathBuf> = r
            .files
            .iter()
            .map(|f| f.trim())
            .filter(|f| !f.is_empty())
            .map(PathBuf::from)
            .collect();
        if files.is_empty() {
            return Err(CoreError::Invalid {
                what: "files".into(),
                why: "choose or type at least one file".into(),
            });
        }
        let date_order = non_empty(&r.date_order)
            .map(|d| {
                DateOrder::parse(d).ok_or_else(|| CoreError::Invalid {
                    what: "date_order".into(),
                    why: format!("`{d}` is not a date order; use dmy, mdy or ymd"),
                })
            })
            .transpose()?;
        let decimal = non_empty(&r.decimal)
            .map(|d| {
                DecimalSep::parse(d).ok_or_else(|| CoreError::Invalid {
                    what: "decimal".into(),
                    why: format!("`{d}` is not a decimal separator; use dot or comma"),
                })
            })
            .transpose()?;
        Ok(ImportRequest {
            files,
            mapping: non_empty(&r.mapping).map(PathBuf::from),
            time_zone: non_empty(&r.time_zone).map(str::to_string),
            date_order,
            decimal,
            kind: None,
            truck_id: non_empty(&r.truck_id).map(str::to_string),
        })
    }
}

impl Core {
    /// Stored events for the UI (newest first, with verdicts); cached per query and
    /// data version.
    pub async fn list_events(&self, query: &EventQueryDto) -> Result<Vec<StoredEventDto>> {
        let key = format!(
            "events|{}|{}",
            serde_json::to_string(query).unwrap_or_default(),
            self.cache.fleet_version()
        );
        if let Some(Cached::Events(v)) = self.cache.get(&key) {
            return Ok((*v).clone());
        }
        let events = self.events(&EventQuery::from(query)).await?;
        self.cache
            .put(key, Cached::Events(Arc::new(events.clone())));
        Ok(events)
    }

    /// The drivers page: scorecards for a period (`30d` by default) from the stored
    /// rollups, optionally one driver's; cached per request and data version.
    pub async fn coach_report(
        &self,
        period: Option<&str>,
        driver: Option<&str>,
    ) -> Result<CoachReportDto> {
        let key = format!("coach|{period:?}|{driver:?}|{}", self.cache.fleet_version());
        if let Some(Cached::Coach(v)) = self.cache.get(&key) {
            return Ok((*v).clone());
        }
        let report = self
            .coach(&CoachRequest {
                driver: driver.map(str::to_string),
                period: period.map(str::to_string),
            })
            .await?;
        let dto = CoachReportDto::from(report);
        self.cache.put(key, Cached::Coach(Arc::new(dto.clone())));
        Ok(dto)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_queries_convert_to_rfc3339_bounds() {
        let q = EventQueryDto {
            trucks: vec!["T1".into()],
            from_ms: Some(0),
            to_ms: Some(86_400_000),
            alerts_only: true,
            limit: Some(5),
            ..EventQueryDto::default()
        };
        let e = EventQuery::from(&q);
        assert_eq!(e.from.as_deref(), Some("1970-01-01T00:00:00.000Z"));
        assert_eq!(e.to.as_deref(), Some("1970-01-02T00:00:00.000Z"));
        assert!(e.alerts_only);
        assert_eq!(e.limit, Some(5));
        let empty: EventQueryDto = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, EventQueryDto::default());
    }

    #[test]
    fn import_requests_check_their_options() {
        let mut r = ImportRequestDto {
            files: vec![" a.csv ".into(), "".into()],
            date_order: Some("DMY".into()),
            decimal: Some("comma".into()),
            time_zone: Some(" ".into()),
            ..ImportRequestDto::default()
        };
        let req = ImportRequest::try_from(&r).unwrap();
        assert_eq!(req.files, vec![PathBuf::from("a.csv")]);
        assert_eq!(req.date_order, Some(DateOrder::Dmy));
        assert_eq!(req.decimal, Some(DecimalSep::Comma));
        assert_eq!(req.time_zone, None);
        r.date_order = Some("yesterday".into());
        let e = ImportRequest::try_from(&r).unwrap_err();
        assert_eq!(e.code(), "invalid_input");
        assert!(e.to_string().contains("dmy"), "{e}");
        r.files.clear();
        assert!(ImportRequest::try_from(&r).is_err());
    }
}
