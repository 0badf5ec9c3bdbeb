//! Transport types of analysis, simulation and evaluation: what `analyze --json`,
//! `simulate --json` and `eval --json` print and what the UI receives. Times are
//! RFC 3339 UTC text; volumes litres, distances km (the faces convert for display).

use serde::Serialize;
use ts_rs::TS;

/// One sample of an event's evidence chart.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct EvidenceSampleDto {
    /// UTC ms.
    #[ts(type = "number")]
    pub ts: i64,
    /// Level as read (tanks summed), litres.
    pub raw_l: f64,
    /// Filtered level, litres.
    pub filtered_l: f64,
}

/// Why an event fired, with the numbers behind it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct EvidenceDto {
    /// Window start (last trusted level before), RFC 3339 UTC.
    pub window_start: String,
    /// Window end (first trusted level after), RFC 3339 UTC.
    pub window_end: String,
    /// Stable level before, litres.
    pub level_before_l: f64,
    /// Stable level after, litres.
    pub level_after_l: f64,
    /// Fuel the engine should have burned in the window, litres.
    pub expected_consumption_l: f64,
    /// `none`, `ecu_counter`, `fuel_rate` or `learned`.
    pub consumption_source: String,
    /// Threshold the volume was compared with, litres.
    pub threshold_l: f64,
    /// Sensor noise (one sigma), litres.
    pub noise_l: f64,
    /// Whether the noise was measured on this sensor.
    pub noise_measured: bool,
    /// Longest stretch without trusted readings in the window, minutes.
    pub unobserved_min: f64,
    /// The truck moved inside the window.
    pub moved: bool,
    /// Ignition when the event opened.
    pub ignition_on: Option<bool>,
    /// Reason code (`stationary_drop`, `gap_rise`, `stop_to_stop_drop`, ...).
    pub reason: String,
    /// Volume divided by threshold.
    pub margin: f64,
    /// Raw and filtered levels around the event (bounded, downsampled).
    pub samples: Vec<EvidenceSampleDto>,
}

/// A fill or drain (or, in `sensor_faults`, a stuck sensor).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct EventDto {
    /// Deterministic id: truck, kind, anchored start.
    pub id: String,
    /// Truck id.
    pub truck_id: String,
    /// `fill`, `drain` or `sensor_fault`.
    pub kind: String,
    /// `final`, or `candidate` for a sub-threshold change kept for reranking.
    pub status: String,
    /// Start, RFC 3339 UTC.
    pub start: String,
    /// End, RFC 3339 UTC.
    pub end: String,
    /// Litres added or removed (>= 0).
    pub volume_l: f64,
    /// Latitude, if known.
    pub lat: Option<f64>,
    /// Longitude, if known.
    pub lon: Option<f64>,
    /// The detector's confidence, 0..1.
    pub rule_confidence: f64,
    /// The model's score; absent without a model.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ml_score: Option<f64>,
    /// The confidence used for alerting (the rule's until a model is loaded).
    pub confidence: f64,
    /// Version of the model that scored it; absent without a model.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_version: Option<String>,
    /// `confidence` reached the fleet's alert threshold.
    pub alert: bool,
    /// Detector version.
    pub detector_version: String,
    /// Why, with the numbers.
    pub evidence: EvidenceDto,
    /// The model's largest contributions to `ml_score`; absent without a model.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Vec<ContributionDto>>,
}

/// One feature's push on a model score, in log-odds (positive: towards a real event).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ContributionDto {
    /// Feature name (see `crates/fc-ml/FEATURES.md`).
    pub feature: String,
    /// Its value (absent: unknown, the training mean was used).
    pub value: Option<f64>,
    /// Contribution to the log-odds.
    pub log_odds: f64,
}

/// The explanation of a model score.
pub(crate) fn explanation_dto(s: &fc_ml::Scored) -> Vec<ContributionDto> {
    s.top
        .iter()
        .map(|c| ContributionDto {
            feature: c.feature.clone(),
            value: c.value.is_finite().then_some(c.value),
            log_odds: c.log_odds,
        })
        .collect()
}

/// One truck's fuel ledger and efficiency over the analysed data.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct TruckLedgerDto {
    /// Truck id.
    pub truck_id: String,
    /// Display name (the id without a profile).
    pub name: String,
    /// A tank profile was known (without one, levels in % cannot be read).
    pub has_profile: bool,
    /// Points analysed.
    #[ts(type = "number")]
    pub points: u64,
    /// First point, RFC 3339 UTC.
    pub first: Option<String>,
    /// Last point, RFC 3339 UTC.
    pub last: Option<String>,
    /// Distance driven, km.
    pub distance_km: f64,
    /// `odometer`, `gps` or `none`.
    pub distance_source: String,
    /// Fuel used from the ledger (start - end + fills - drains), litres.
    pub fuel_used_l: Option<f64>,
    /// Litres per 100 km.
    pub l_per_100km: Option<f64>,
    /// Miles per US gallon.
    pub mpg_us: Option<f64>,
    /// Idle hours (ignition on, speed < 1 km/h, PTO off, runs of at least the fleet minimum).
    pub idle_h: f64,
    /// Fuel burned idling, litres.
    pub idle_fuel_l: f64,
    /// `ecu_counter`, `fuel_rate`, `rate` or `none`.
    pub idle_source: String,
    /// Level at the start, litres.
    pub start_level_l: Option<f64>,
    /// Level at the end, litres.
    pub end_level_l: Option<f64>,
    /// Final fills.
    pub fills: u32,
    /// Their volume, litres.
    pub fills_l: f64,
    /// Final drains.
    pub drains: u32,
    /// Their volume, litres.
    pub drains_l: f64,
    /// Fuel used by the ECU counter, litres.
    pub ecu_fuel_used_l: Option<f64>,
    /// Ledger minus ECU, litres.
    pub ecu_disagreement_l: Option<f64>,
    /// Alerting events of this truck.
    pub alerts: u32,
    /// Points dropped as later than the lateness horizon.
    #[ts(type = "number")]
    pub late_dropped: u64,
    /// Points with a timestamp already seen (first kept).
    #[ts(type = "number")]
    pub duplicates: u64,
}

/// One fuel-card purchase and what the tank saw.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct PurchaseDto {
    /// Truck id.
    pub truck_id: String,
    /// Time of the purchase, RFC 3339 UTC.
    pub ts: String,
    /// Billed litres.
    pub litres: f64,
    /// Price per litre.
    pub price_per_l: f64,
    /// Station name, if given.
    pub station: Option<String>,
    /// Card id, if given.
    pub card_id: Option<String>,
    /// `matched`, `short_fill`, `no_fill` or `location_mismatch`.
    pub status: String,
    /// The fill it was paired with.
    pub fill_id: Option<String>,
    /// Litres the tank gained, if paired.
    pub measured_l: Option<f64>,
    /// Billed minus measured, litres.
    pub difference_l: Option<f64>,
    /// Station to truck distance, metres.
    pub distance_m: Option<f64>,
    /// Minutes between the fill window and the purchase (0 inside it).
    pub time_offset_min: Option<f64>,
}

/// One input file of an analysis.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AnalysisFileDto {
    /// The file as given.
    pub file: String,
    /// `telemetry`, `trucks` or `purchases`.
    pub kind: String,
    /// Data rows read.
    #[ts(type = "number")]
    pub rows: u64,
    /// Rows rejected whole.
    #[ts(type = "number")]
    pub rejected_rows: u64,
    /// Values rejected (read as empty).
    #[ts(type = "number")]
    pub rejected_fields: u64,
}

/// Everything an analysis found.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AnalysisReport {
    /// `files` or `store`.
    pub source: String,
    /// Input files (empty for stored data).
    pub files: Vec<AnalysisFileDto>,
    /// Fleet time zone (reports show local times in it; naive timestamps were read in it).
    pub time_zone: String,
    /// Confidence at or above which an event alerts.
    pub alert_threshold: f64,
    /// Alerting fills and drains, by truck then start.
    pub events: Vec<EventDto>,
    /// Sub-threshold events and candidates; only when asked for.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub candidates: Option<Vec<EventDto>>,
    /// Stuck-sensor periods.
    pub sensor_faults: Vec<EventDto>,
    /// Ledger per truck.
    pub trucks: Vec<TruckLedgerDto>,
    /// Purchases with their reconciliation status.
    pub purchases: Vec<PurchaseDto>,
    /// Final fills that no purchase paid for.
    pub unpaid_fills: Vec<EventDto>,
    /// Telemetry rows read.
    #[ts(type = "number")]
    pub rows: u64,
    /// Rows rejected whole (all files).
    #[ts(type = "number")]
    pub rejected_rows: u64,
    /// Values rejected (all files).
    #[ts(type = "number")]
    pub rejected_fields: u64,
    /// Detector version.
    pub detector_version: String,
    /// Wall time, milliseconds.
    #[ts(type = "number")]
    pub elapsed_ms: u64,
    /// Driver scorecards over the analysed span, best first.
    pub drivers: Vec<DriverDto>,
    /// Period, prices and model of the scorecards; absent without driving.
    pub coaching: Option<CoachingDto>,
}

/// What `simulate` wrote.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SimulationReport {
    /// Output folder.
    pub dir: String,
    /// `clean`, `default` or `hard`.
    pub profile: String,
    /// Seed.
    #[ts(type = "number")]
    pub seed: u64,
    /// Trucks.
    #[ts(type = "number")]
    pub trucks: u64,
    /// Days.
    pub days: u32,
    /// Telemetry rows.
    #[ts(type = "number")]
    pub rows: u64,
    /// Fill labels.
    #[ts(type = "number")]
    pub fills: u64,
    /// Drain labels.
    #[ts(type = "number")]
    pub drains: u64,
    /// Card purchases.
    #[ts(type = "number")]
    pub purchases: u64,
    /// Start, RFC 3339 UTC.
    pub start: String,
    /// End (exclusive), RFC 3339 UTC.
    pub end: String,
    /// Files written.
    pub files: Vec<String>,
}

/// Figures of one method and kind on one data set.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct KindScoreDto {
    /// `fill` or `drain`.
    pub kind: String,
    /// Matched detections.
    #[ts(type = "number")]
    pub true_positives: u64,
    /// Detections without a label.
    #[ts(type = "number")]
    pub false_positives: u64,
    /// Labels without a detection.
    #[ts(type = "number")]
    pub false_negatives: u64,
    /// Precision.
    pub precision: f64,
    /// Recall.
    pub recall: f64,
    /// F1.
    pub f1: f64,
    /// Median relative volume error of matches.
    pub median_volume_error: Option<f64>,
}

/// One method's scores on one data set.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MethodScoreDto {
    /// `ours`, `traccar` or `wialon`.
    pub method: String,
    /// Fills.
    pub fill: KindScoreDto,
    /// Drains.
    pub drain: KindScoreDto,
    /// Unmatched drains per 100 truck-days.
    pub false_drains_per_100_truck_days: f64,
}

/// One evaluated data set (a folder, or one simulated seed).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct EvalRunDto {
    /// The folder, or `profile seed N`.
    pub source: String,
    /// Profile, when simulated here.
    pub profile: Option<String>,
    /// Seed, when simulated here.
    #[ts(type = "number | null")]
    pub seed: Option<u64>,
    /// Telemetry rows.
    #[ts(type = "number")]
    pub rows: u64,
    /// Truck-days covered.
    pub truck_days: f64,
    /// Fill and drain labels.
    #[ts(type = "number")]
    pub labels: u64,
    /// Every method's scores.
    pub methods: Vec<MethodScoreDto>,
    /// Rule-only against rule+ML, per kind, when a model was given.
    #[ts(skip)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ml: Option<Vec<fc_ml::metrics::KindComparison>>,
}

/// Rule-only or rule+ML figures over runs (one operating point of one kind).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MlSummaryDto {
    /// Profile, or the folder.
    pub group: String,
    /// `fill` or `drain`.
    pub kind: String,
    /// `rules`, `ml_fleet_threshold`, `ml_rule_recall` or `ml_same_recall`.
    pub method: String,
    /// Runs.
    pub runs: u32,
    /// Precision.
    pub precision: SpreadDto,
    /// Recall.
    pub recall: SpreadDto,
    /// F1.
    pub f1: SpreadDto,
    /// False alarms per 100 truck-days.
    pub false_per_100_truck_days: SpreadDto,
    /// Precision of the top 10 alerts per 100 truck-days (by rule confidence for
    /// `rules`, by the model otherwise).
    pub precision_at_top: SpreadDto,
    /// ROC AUC over every event and candidate (rule confidence for `rules`).
    pub roc_auc: SpreadDto,
}

/// Mean, standard deviation and range over runs.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SpreadDto {
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation.
    pub sd: f64,
    /// Smallest.
    pub min: f64,
    /// Largest.
    pub max: f64,
}

/// One kind's figures over runs.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct KindSpreadDto {
    /// `fill` or `drain`.
    pub kind: String,
    /// Precision.
    pub precision: SpreadDto,
    /// Recall.
    pub recall: SpreadDto,
    /// F1.
    pub f1: SpreadDto,
    /// Median volume error.
    pub median_volume_error: Option<SpreadDto>,
}

/// A method's figures over the runs of one profile (or folder).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct MethodSummaryDto {
    /// Profile, or the folder.
    pub group: String,
    /// `ours`, `traccar` or `wialon`.
    pub method: String,
    /// Runs (seeds).
    pub runs: u32,
    /// Fills.
    pub fill: KindSpreadDto,
    /// Drains.
    pub drain: KindSpreadDto,
    /// Unmatched drains per 100 truck-days.
    pub false_drains_per_100_truck_days: SpreadDto,
}

/// What `eval` measured.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct EvalReport {
    /// Every data set.
    pub runs: Vec<EvalRunDto>,
    /// Mean and spread per group and method.
    pub summary: Vec<MethodSummaryDto>,
    /// The model compared, if any.
    #[ts(skip)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_version: Option<String>,
    /// Rule-only against rule+ML, mean and spread per group, kind and operating point.
    #[ts(skip)]
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ml_summary: Vec<MlSummaryDto>,
    /// Wall time, milliseconds.
    #[ts(type = "number")]
    pub elapsed_ms: u64,
}

/// One driver's scorecard in `analyze --json` (`fc_coach::DriverCard`; the
/// formula is in `crates/fc-coach/COACHING.md`).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct DriverDto {
    /// Driver id (`""`: points without a driver).
    pub driver_id: String,
    /// Trucks driven in the period.
    pub trucks: Vec<String>,
    /// 0-100 score with its 90% interval, percentile and sub-scores.
    pub score: fc_coach::Score,
    /// The metrics behind the score.
    pub metrics: fc_coach::Metrics,
    /// Recommendations (codes and numbers), largest weekly saving first.
    pub recommendations: Vec<fc_coach::Recommendation>,
}

/// The context of the driver scorecards: period, prices, model and uncertainty.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct CoachingDto {
    /// Local days coached.
    pub period: fc_coach::Period,
    /// Currency and fuel price used for money.
    pub prices: fc_coach::Prices,
    /// Speed limit, km/h.
    pub speed_limit_kmh: f64,
    /// Score weights.
    pub weights: fc_coach::Weights,
    /// The fleet's expected-consumption model.
    pub model: fc_coach::ExpectedModel,
    /// The shrinkage behind the intervals.
    pub shrinkage: fc_coach::Shrinkage,
    /// Median driver score.
    pub fleet_median_score: Option<f64>,
}
