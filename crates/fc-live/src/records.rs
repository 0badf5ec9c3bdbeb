//! The store's records of detector events and coaching rollups, in one place
//! below the live pipeline and the core API (both write events; `fc-core`
//! re-exports these).

use fc_coach::Rollup;
use fc_ledger::{EventKind, EventStatus, Evidence, FuelEvent};
use fc_store::{EventRecord, RollupRecord};

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

/// The store's form of a detector event with its scores.
pub fn event_record(e: &FuelEvent, scores: &EventScores) -> EventRecord {
    EventRecord {
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
        // Evidence is plain numbers and enums: serialising it cannot fail (NaN becomes null).
        evidence: serde_json::to_value(&e.evidence).unwrap_or(serde_json::Value::Null),
    }
}

/// A stored event back as the detector's type, with its scores; `Err` says what
/// in the record this build cannot read.
pub fn fuel_event(r: &EventRecord) -> Result<(FuelEvent, EventScores), String> {
    let evidence: Evidence = serde_json::from_value(r.evidence.clone())
        .map_err(|err| format!("stored evidence of {}: {err}", r.id))?;
    let event = FuelEvent {
        id: r.id.clone(),
        truck_id: r.truck_id.clone(),
        kind: EventKind::from_code(&r.kind)
            .ok_or_else(|| format!("stored event kind `{}`", r.kind))?,
        status: EventStatus::from_code(&r.status)
            .ok_or_else(|| format!("stored event status `{}`", r.status))?,
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

/// The store's form of a coaching rollup.
pub fn rollup_record(r: &Rollup) -> RollupRecord {
    RollupRecord {
        truck_id: r.truck_id.clone(),
        day: r.day.clone(),
        driver_id: r.driver_id.clone(),
        start_ms: r.start_ms,
        end_ms: r.end_ms,
        // Sums and ids only: serialising cannot fail.
        metrics: serde_json::to_value(r).unwrap_or(serde_json::Value::Null),
    }
}

/// A stored rollup back (fields a newer or older version lacks default to zero).
pub fn rollup_of(rec: RollupRecord) -> Rollup {
    let mut r: Rollup = serde_json::from_value(rec.metrics).unwrap_or_default();
    r.truck_id = rec.truck_id;
    r.day = rec.day;
    r.driver_id = rec.driver_id;
    r.start_ms = rec.start_ms;
    r.end_ms = rec.end_ms;
    r
}
