//! Stored events, verdicts and the alert outbox through the core API, and the
//! detection pass over stored telemetry that keeps the events table true.
//!
//! The store does not know the detector's types: events cross as
//! [`EventRecord`]s with their evidence as JSON. Conversions live here, once.

use std::collections::HashMap;

use fc_ledger::{DetectorConfig, EventKind, EventStatus, Evidence, FuelEvent, TruckDetector};
use fc_model::{TimestampMs, TruckProfile, format_ts, parse_rfc3339_ms};
use fc_store::{
    Alert, EventFilter, EventRecord, NewAlert, PointFilter, StoredEvent, Verdict, VerdictKind,
};
use futures::TryStreamExt;
use serde::Serialize;
use ts_rs::TS;

use crate::analyze::evidence_dto;
use crate::core::Core;
use crate::dto_analysis::EventDto;
use crate::dto_events::{AlertDto, StoredEventDto, VerdictDto};
use crate::error::{CoreError, Result};

/// The scores of decision 12 for one event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventScores {
    /// The model's score, absent without a model.
    pub ml_score: Option<f64>,
    /// The confidence used for alerting.
    pub confidence: f64,
    /// The model's version.
    pub model_version: Option<String>,
}

impl EventScores {
    /// The detector's own confidence, without a model.
    pub fn rule_only(e: &FuelEvent) -> EventScores {
        EventScores {
            ml_score: None,
            confidence: e.rule_confidence,
            model_version: None,
        }
    }
}

fn parse_kind(code: &str) -> Result<EventKind> {
    EventKind::from_code(code)
        .ok_or_else(|| CoreError::Internal(format!("stored event kind `{code}`")))
}

fn parse_status(code: &str) -> Result<EventStatus> {
    EventStatus::from_code(code)
        .ok_or_else(|| CoreError::Internal(format!("stored event status `{code}`")))
}

/// The store's form of a detector event.
pub fn event_record(e: &FuelEvent, scores: &EventScores) -> Result<EventRecord> {
    let evidence = serde_json::to_value(&e.evidence)
        .map_err(|err| CoreError::Internal(format!("event evidence: {err}")))?;
    Ok(EventRecord {
        id: e.id.clone(),
        truck_id: e.truck_id.clone(),
        kind: e.kind.code().to_string(),
        status: e.status.code().to_string(),
        revision: e.revision,
        detector_version: e.detector_version.clone(),
        start_ms: e.start_ms,
        end_ms: e.end_ms,
        volume_l: e.volume_l,
        lat: e.lat,
        lon: e.lon,
        rule_confidence: e.rule_confidence,
        ml_score: scores.ml_score,
        confidence: scores.confidence,
        model_version: scores.model_version.clone(),
        evidence,
    })
}

/// A stored event back as the detector's type, with its scores.
pub fn fuel_event(r: &EventRecord) -> Result<(FuelEvent, EventScores)> {
    let evidence: Evidence = serde_json::from_value(r.evidence.clone())
        .map_err(|err| CoreError::Internal(format!("stored evidence of {}: {err}", r.id)))?;
    let event = FuelEvent {
        id: r.id.clone(),
        truck_id: r.truck_id.clone(),
        kind: parse_kind(&r.kind)?,
        status: parse_status(&r.status)?,
        revision: r.revision,
        detector_version: r.detector_version.clone(),
        start_ms: r.start_ms,
        end_ms: r.end_ms,
        volume_l: r.volume_l,
        lat: r.lat,
        lon: r.lon,
        rule_confidence: r.rule_confidence,
        evidence,
    };
    let scores = EventScores {
        ml_score: r.ml_score,
        confidence: r.confidence,
        model_version: r.model_version.clone(),
    };
    Ok((event, scores))
}

/// Parses a verdict as the faces spell it (`confirmed`, `false_alarm`, `false-alarm`).
pub fn parse_verdict(text: &str) -> Result<VerdictKind> {
    VerdictKind::from_code(&text.trim().to_ascii_lowercase().replace('-', "_")).ok_or_else(|| {
        CoreError::Invalid {
            what: "verdict".into(),
            why: format!("`{text}` is not a verdict; use confirmed or false_alarm"),
        }
    })
}

/// Which stored events to list.
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    /// Only these trucks; empty for all.
    pub trucks: Vec<String>,
    /// Only events ending at or after this instant (RFC 3339).
    pub from: Option<String>,
    /// Only events starting before this instant (RFC 3339).
    pub to: Option<String>,
    /// Only these kinds (`fill`, `drain`, `sensor_fault`); empty for all.
    pub kinds: Vec<String>,
    /// Only events whose confidence reaches the fleet's alert threshold.
    pub alerts_only: bool,
    /// Also list retracted events.
    pub include_retracted: bool,
    /// At most this many (newest first).
    pub limit: Option<u32>,
}

fn parse_bound(what: &str, text: &Option<String>) -> Result<Option<TimestampMs>> {
    text.as_deref()
        .map(|t| {
            parse_rfc3339_ms(t).ok_or_else(|| CoreError::Invalid {
                what: what.into(),
                why: format!("`{t}` is not an RFC 3339 time (e.g. 2024-03-01T00:00:00Z)"),
            })
        })
        .transpose()
}

/// What a detection pass over stored telemetry did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
pub struct DetectReport {
    /// Trucks whose points were run through the detector.
    pub trucks: u32,
    /// Points read.
    #[ts(type = "number")]
    pub points: u64,
    /// Final events found.
    pub events: u32,
    /// Events newly stored or changed.
    pub events_changed: u32,
    /// Stored events the pass no longer finds, now retracted (their verdicts stay).
    pub retracted: u32,
    /// Alerts appended to the outbox.
    pub alerts: u32,
}

impl Core {
    fn stored_dto(&self, s: &StoredEvent, threshold: f64) -> Result<StoredEventDto> {
        let (e, scores) = fuel_event(&s.event)?;
        Ok(StoredEventDto {
            event: EventDto {
                id: e.id.clone(),
                truck_id: e.truck_id.clone(),
                kind: e.kind.code().to_string(),
                status: s.event.status.clone(),
                start: format_ts(e.start_ms),
                end: format_ts(e.end_ms),
                volume_l: e.volume_l,
                lat: e.lat,
                lon: e.lon,
                rule_confidence: e.rule_confidence,
                ml_score: scores.ml_score,
                confidence: scores.confidence,
                model_version: scores.model_version,
                alert: e.kind != EventKind::SensorFault
                    && e.status != EventStatus::Retracted
                    && scores.confidence >= threshold,
                detector_version: e.detector_version.clone(),
                evidence: evidence_dto(&e.evidence),
                explanation: None,
            },
            revision: e.revision,
            verdict: s.verdict.as_ref().map(verdict_dto),
        })
    }

    /// Stored events, newest first, with their verdicts.
    pub async fn events(&self, query: &EventQuery) -> Result<Vec<StoredEventDto>> {
        let settings = self.fleet_settings().await?;
        let mut kinds = query.kinds.clone();
        if query.alerts_only {
            // Faults never alert, whatever their confidence: leave them out in the
            // query itself, so that `limit` counts alerting events only.
            let alerting = [EventKind::Fill, EventKind::Drain].map(|k| k.code().to_string());
            if kinds.is_empty() {
                kinds = alerting.to_vec();
            } else {
                kinds.retain(|k| alerting.contains(k));
                if kinds.is_empty() {
                    return Ok(Vec::new());
                }
            }
        }
        let filter = EventFilter {
            trucks: (!query.trucks.is_empty()).then(|| query.trucks.clone()),
            from: parse_bound("--from", &query.from)?,
            to: parse_bound("--to", &query.to)?,
            kinds: (!kinds.is_empty()).then_some(kinds),
            include_retracted: query.include_retracted,
            min_confidence: query.alerts_only.then_some(settings.alert_threshold),
            with_verdict: false,
            limit: query.limit,
        };
        let mut out = Vec::new();
        for s in self.store().events(&filter).await? {
            out.push(self.stored_dto(&s, settings.alert_threshold)?);
        }
        Ok(out)
    }

    /// One stored event.
    pub async fn event(&self, id: &str) -> Result<StoredEventDto> {
        let settings = self.fleet_settings().await?;
        match self.store().event(id).await? {
            Some(s) => self.stored_dto(&s, settings.alert_threshold),
            None => Err(CoreError::NotFound {
                what: format!("event {id}"),
            }),
        }
    }

    /// Stored events with their scores and verdicts as the detector's types
    /// (training reads verdicts as labels).
    pub async fn stored_events(
        &self,
        filter: &EventFilter,
    ) -> Result<Vec<(FuelEvent, EventScores, Option<Verdict>)>> {
        self.store()
            .events(filter)
            .await?
            .into_iter()
            .map(|s| {
                let (e, scores) = fuel_event(&s.event)?;
                Ok((e, scores, s.verdict))
            })
            .collect()
    }

    /// Records a dispatcher's verdict on a stored event (a later one replaces it).
    pub async fn record_verdict(
        &self,
        event_id: &str,
        verdict: VerdictKind,
        by: &str,
        note: Option<String>,
    ) -> Result<StoredEventDto> {
        let by = by.trim();
        if by.is_empty() || by.chars().count() > 64 {
            return Err(CoreError::Invalid {
                what: "by".into(),
                why: "say who records the verdict (1 to 64 characters)".into(),
            });
        }
        // Verdicts outlive re-analysis, but only a known event can be judged.
        if self.store().event(event_id).await?.is_none() {
            return Err(CoreError::NotFound {
                what: format!("event {event_id}"),
            });
        }
        self.store()
            .set_verdict(&Verdict {
                event_id: event_id.to_string(),
                verdict,
                by: by.to_string(),
                at_ms: now_ms(),
                note: note.filter(|n| !n.trim().is_empty()),
            })
            .await?;
        self.wrote(crate::cache::Write::Verdict);
        self.event(event_id).await
    }

    /// Removes the verdict on an event; false if it had none.
    pub async fn clear_verdict(&self, event_id: &str) -> Result<bool> {
        let cleared = self.store().clear_verdict(event_id).await?;
        self.wrote(crate::cache::Write::Verdict);
        Ok(cleared)
    }

    /// Alerts after sequence number `after`, oldest first: what a consumer resuming there missed.
    pub async fn alerts_after(&self, after: i64, limit: u32) -> Result<Vec<AlertDto>> {
        Ok(self
            .store()
            .alerts_after(after, limit)
            .await?
            .iter()
            .map(alert_dto)
            .collect())
    }

    /// Alerts nobody acknowledged yet, newest first.
    pub async fn open_alerts(&self, limit: u32) -> Result<Vec<AlertDto>> {
        Ok(self
            .store()
            .open_alerts(limit)
            .await?
            .iter()
            .map(alert_dto)
            .collect())
    }

    /// Acknowledges an open alert.
    pub async fn ack_alert(&self, seq: i64, by: &str) -> Result<()> {
        if self.store().ack_alert(seq, by.trim(), now_ms()).await? {
            self.wrote(crate::cache::Write::Ack);
            Ok(())
        } else {
            Err(CoreError::NotFound {
                what: format!("open alert {seq}"),
            })
        }
    }

    /// Runs the detector over the stored telemetry of `trucks` (all when
    /// empty) and makes the events table agree: new and changed events are
    /// stored with a higher revision, alerts are appended once per event, and
    /// stored events the detector no longer finds in the analysed span are
    /// retracted. Verdicts are kept whatever happens to their events.
    pub async fn detect_stored(&self, trucks: &[String]) -> Result<DetectReport> {
        let settings = self.fleet_settings().await?;
        let profiles: HashMap<String, TruckProfile> = self
            .store()
            .trucks()
            .await?
            .into_iter()
            .map(|p| (p.truck_id.clone(), p))
            .collect();
        let config = DetectorConfig::default();
        let stats = self.store().point_stats().await?;
        let mut report = DetectReport::default();
        for stat in stats
            .iter()
            .filter(|s| trucks.is_empty() || trucks.contains(&s.truck_id))
        {
            let profile = profiles
                .get(&stat.truck_id)
                .cloned()
                .unwrap_or(TruckProfile {
                    truck_id: stat.truck_id.clone(),
                    name: String::new(),
                    fuel_type: None,
                    tanks: Vec::new(),
                });
            let mut det = TruckDetector::new(&profile, &config);
            let mut updates = Vec::new();
            let mut points = std::pin::pin!(self.store().points(PointFilter {
                trucks: Some(vec![stat.truck_id.clone()]),
                ..PointFilter::default()
            }));
            while let Some(p) = points.try_next().await? {
                det.push_into(&p, &mut updates);
                report.points += 1;
            }
            updates.extend(det.finish());
            let (events, _candidates) = fc_ledger::split_final(updates);
            let found = self
                .store_detected(&stat.truck_id, &events, settings.alert_threshold)
                .await?;
            let keep: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
            let retracted = self
                .store()
                .retract_events_except(&stat.truck_id, stat.first_ts, stat.last_ts + 1, &keep)
                .await?;
            report.trucks += 1;
            report.events += events.len() as u32;
            report.events_changed += found.0;
            report.alerts += found.1;
            report.retracted += retracted as u32;
        }
        Ok(report)
    }

    /// Stores one truck's detected events: an event whose content changed
    /// gets the stored revision plus one (a fresh detector numbers from 0).
    async fn store_detected(
        &self,
        truck_id: &str,
        events: &[FuelEvent],
        threshold: f64,
    ) -> Result<(u32, u32)> {
        let stored: HashMap<String, EventRecord> = self
            .store()
            .events(&EventFilter {
                trucks: Some(vec![truck_id.to_string()]),
                include_retracted: true,
                ..EventFilter::default()
            })
            .await?
            .into_iter()
            .map(|s| (s.event.id.clone(), s.event))
            .collect();
        let mut records = Vec::new();
        let mut alerts = Vec::new();
        for e in events {
            let mut rec = event_record(e, &EventScores::rule_only(e))?;
            if let Some(old) = stored.get(&e.id) {
                let same = EventRecord {
                    revision: old.revision,
                    ml_score: old.ml_score,
                    confidence: old.confidence,
                    model_version: old.model_version.clone(),
                    ..rec.clone()
                } == *old;
                if same {
                    continue;
                }
                rec.revision = old.revision + 1;
            }
            if e.kind != EventKind::SensorFault && rec.confidence >= threshold {
                alerts.push(alert_for(e, rec.confidence));
            }
            records.push(rec);
        }
        let (changed, added) = self.store().write_events(&records, &alerts).await?;
        self.wrote(crate::cache::Write::Events);
        Ok((changed as u32, added as u32))
    }
}

/// The outbox entry for an alerting event, once per event id.
pub fn alert_for(e: &FuelEvent, confidence: f64) -> NewAlert {
    NewAlert {
        ts_ms: e.start_ms,
        truck_id: e.truck_id.clone(),
        kind: e.kind.code().to_string(),
        event_id: Some(e.id.clone()),
        dedupe_key: Some(format!("event:{}", e.id)),
        payload: serde_json::json!({
            "volume_l": e.volume_l,
            "confidence": confidence,
            "start": format_ts(e.start_ms),
            "end": format_ts(e.end_ms),
            "lat": e.lat,
            "lon": e.lon,
            "reason": e.evidence.reason.code,
            "moved": e.evidence.moved,
            "ignition_on": e.evidence.ignition_on,
        }),
    }
}

fn verdict_dto(v: &Verdict) -> VerdictDto {
    VerdictDto {
        verdict: v.verdict.code().to_string(),
        by: v.by.clone(),
        at: format_ts(v.at_ms),
        note: v.note.clone(),
    }
}

fn alert_dto(a: &Alert) -> AlertDto {
    AlertDto {
        seq: a.seq,
        at: format_ts(a.alert.ts_ms),
        truck_id: a.alert.truck_id.clone(),
        kind: a.alert.kind.clone(),
        event_id: a.alert.event_id.clone(),
        payload: a.alert.payload.clone(),
        acked_by: a.acked.as_ref().map(|(by, _)| by.clone()),
        acked_at: a.acked.as_ref().map(|(_, at)| format_ts(*at)),
    }
}

fn now_ms() -> TimestampMs {
    chrono::Utc::now().timestamp_millis()
}
