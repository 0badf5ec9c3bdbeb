//! Event types the detector emits: fills, drains, sensor faults, their
//! evidence, and sub-threshold candidates for a later model to rerank.

use serde::{Deserialize, Serialize};

/// Version stamped on every event so that re-analysis can tell old output apart.
pub const DETECTOR_VERSION: &str = "fc-ledger/1";

/// What happened to the fuel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// Fuel added.
    Fill,
    /// Fuel removed beyond expected consumption.
    Drain,
    /// The sensor misbehaved (stuck); its readings were not taken as fuel.
    SensorFault,
}

impl EventKind {
    /// Stable lower-case code, used in ids.
    pub fn code(self) -> &'static str {
        match self {
            EventKind::Fill => "fill",
            EventKind::Drain => "drain",
            EventKind::SensorFault => "sensor_fault",
        }
    }

    /// Parses a [`EventKind::code`].
    pub fn from_code(code: &str) -> Option<EventKind> {
        match code {
            "fill" => Some(EventKind::Fill),
            "drain" => Some(EventKind::Drain),
            "sensor_fault" => Some(EventKind::SensorFault),
            _ => None,
        }
    }
}

/// Life cycle of an event (decision 11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// Window still open; volume may change, the event may be retracted.
    Provisional,
    /// Window closed; will not change for the same input.
    Final,
    /// A provisional event that did not hold up.
    Retracted,
}

impl EventStatus {
    /// Stable lower-case code, as stored and sent.
    pub fn code(self) -> &'static str {
        match self {
            EventStatus::Provisional => "provisional",
            EventStatus::Final => "final",
            EventStatus::Retracted => "retracted",
        }
    }

    /// Parses a [`EventStatus::code`].
    pub fn from_code(code: &str) -> Option<EventStatus> {
        match code {
            "provisional" => Some(EventStatus::Provisional),
            "final" => Some(EventStatus::Final),
            "retracted" => Some(EventStatus::Retracted),
            _ => None,
        }
    }
}

/// Where the expected consumption in a window came from (best first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsumptionSource {
    /// Nothing was consumed (ignition off, stationary).
    None,
    /// The ECU `fuel_used_l` counter.
    EcuCounter,
    /// Integrated `fuel_rate_lph`.
    FuelRate,
    /// The truck's learned idle/driving rates.
    Learned,
}

/// Why an event fired; a code plus numbers, no prose (the UI translates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    /// Level rose while parked or idling, between two stable levels.
    StationaryRise,
    /// Level fell while parked or idling beyond expected consumption.
    StationaryDrop,
    /// Rise across a data gap (levels on both sides compared).
    GapRise,
    /// Drop across a data gap beyond expected consumption.
    GapDrop,
    /// Rise between two stops (compared after settling).
    StopToStopRise,
    /// Stop-to-stop balance: level lost beyond the consumption of the trip.
    StopToStopDrop,
    /// Raw reading frozen while consumption should have moved it.
    StuckSensor,
    /// Produced by a baseline method (see [`crate::baseline`]).
    Baseline,
}

/// The reason code with the numbers behind it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// What fired.
    pub code: ReasonCode,
    /// Volume divided by threshold (>= 1 for events).
    pub margin: f64,
    /// Level change seen by the sensor, litres (after - before).
    pub observed_change_l: f64,
    /// Part of the threshold that comes from consumption uncertainty, litres.
    pub consumption_allowance_l: f64,
    /// Part of the threshold that allows for thermal expansion across a gap, litres.
    pub thermal_allowance_l: f64,
}

/// One sample of the evidence chart.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EvidenceSample {
    /// UTC ms.
    pub ts: i64,
    /// Level as read (tanks summed), litres.
    pub raw_l: f64,
    /// Robustly filtered level, litres.
    pub filtered_l: f64,
}

/// Everything needed to show and audit an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// Window start (last trusted level before), UTC ms.
    pub window_start_ms: i64,
    /// Window end (first trusted level after), UTC ms.
    pub window_end_ms: i64,
    /// Raw and filtered levels around the event, downsampled and bounded.
    pub samples: Vec<EvidenceSample>,
    /// Robust stable level before, litres.
    pub level_before_l: f64,
    /// Robust stable level after, litres.
    pub level_after_l: f64,
    /// Fuel the engine should have burned in the window, litres.
    pub expected_consumption_l: f64,
    /// Where that figure came from (worst source used in the window).
    pub consumption_source: ConsumptionSource,
    /// Threshold the volume was compared with, litres.
    pub threshold_l: f64,
    /// Sensor noise (one sigma) in use, litres.
    pub noise_l: f64,
    /// Whether the noise was measured on this sensor (false: prior).
    pub noise_measured: bool,
    /// Gauge quantisation step seen, litres (0 when continuous).
    pub quantum_l: f64,
    /// Longest stretch without trusted readings inside the window, ms.
    pub unobserved_ms: i64,
    /// The truck moved inside the window.
    pub moved: bool,
    /// Ignition at the moment the event opened.
    pub ignition_on: Option<bool>,
    /// Why it fired.
    pub reason: Reason,
}

/// A fill, drain or sensor fault.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FuelEvent {
    /// Deterministic id: truck, kind, anchored start.
    pub id: String,
    /// Truck id.
    pub truck_id: String,
    /// What happened.
    pub kind: EventKind,
    /// Provisional, final or retracted.
    pub status: EventStatus,
    /// Increases with every update of the same id.
    pub revision: u32,
    /// [`DETECTOR_VERSION`] at detection.
    pub detector_version: String,
    /// Start, UTC ms (the anchor of the id).
    pub start_ms: i64,
    /// End, UTC ms.
    pub end_ms: i64,
    /// Litres added or removed (always >= 0); for a fault, the consumption the frozen sensor hid.
    pub volume_l: f64,
    /// Latitude where it happened, if known.
    pub lat: Option<f64>,
    /// Longitude where it happened, if known.
    pub lon: Option<f64>,
    /// Detector confidence in 0..1.
    pub rule_confidence: f64,
    /// Why, with the numbers.
    pub evidence: Evidence,
}

/// A sub-threshold change kept for a model to rerank (decision 12).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Deterministic id, as for events.
    pub id: String,
    /// Truck id.
    pub truck_id: String,
    /// Direction of the change.
    pub kind: EventKind,
    /// Start, UTC ms.
    pub start_ms: i64,
    /// End, UTC ms.
    pub end_ms: i64,
    /// Litres (>= 0).
    pub volume_l: f64,
    /// Latitude, if known.
    pub lat: Option<f64>,
    /// Longitude, if known.
    pub lon: Option<f64>,
    /// Detector confidence in 0..1 (below the alert level by construction).
    pub rule_confidence: f64,
    /// Features: the same evidence an event carries.
    pub evidence: Evidence,
}

/// What [`crate::TruckDetector`] hands out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventUpdate {
    /// A new or updated event (see its status and revision).
    Event(FuelEvent),
    /// A sub-threshold candidate (always final).
    Candidate(Candidate),
}

/// The deterministic event id (decision 11).
pub fn event_id(truck_id: &str, kind: EventKind, start_ms: i64) -> String {
    format!("{truck_id}:{}:{start_ms}", kind.code())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_back_and_match_serde() {
        for kind in [EventKind::Fill, EventKind::Drain, EventKind::SensorFault] {
            assert_eq!(EventKind::from_code(kind.code()), Some(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.code());
        }
        for status in [
            EventStatus::Provisional,
            EventStatus::Final,
            EventStatus::Retracted,
        ] {
            assert_eq!(EventStatus::from_code(status.code()), Some(status));
            assert_eq!(serde_json::to_value(status).unwrap(), status.code());
        }
        assert_eq!(EventKind::from_code("theft"), None);
        assert_eq!(EventStatus::from_code("Final"), None);
    }
}
