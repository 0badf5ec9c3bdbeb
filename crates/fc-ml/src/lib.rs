//! Theft scoring for Fuel Copilot.
//!
//! The detector (`fc-ledger`) finds fills, drains and sub-threshold candidates
//! with rule-based confidences. This crate ranks them: features per change from
//! the detector's evidence and the truck's telemetry context ([`TruckTrack`],
//! [`FleetContext`]; see `FEATURES.md`), a Gaussian mixture of each fleet's
//! normal behaviour (linfa-clustering) and a logistic regression (linfa-logistic)
//! combined into one Platt-calibrated probability with its top contributions as
//! the explanation ([`Model`]), persisted as versioned JSON with its training
//! metadata. Labels come from the simulator and, above them, from dispatchers'
//! verdicts. No GUI, no database: `fc-core` feeds it.

#![deny(missing_docs)]

pub mod dataset;
mod error;
mod features;
pub mod metrics;
mod model;
mod track;

pub use dataset::{FleetOutput, FleetRun, TruckOutput};
pub use error::MlError;
pub use features::{FEATURE_NAMES, FleetContext, Item, N_FEATURES, VERDICT_NEAR_KM, VerdictPlace};
pub use model::{
    ANOMALY_FEATURE, Contribution, FORMAT, FORMAT_VERSION, GMM_FEATURES, Head, HeadMetrics,
    Mixture, Model, Row, Scored, TOP_CONTRIBUTIONS, TrainingInfo, VERDICT_WEIGHT, roc_auc,
};
pub use track::{TrackFeatures, TruckTrack};

/// The file name of the model in the app-data folder.
pub const MODEL_FILE: &str = "theft-model.json";

impl Model {
    /// Scores one change with its truck's track (live ingest and `analyze` call this).
    /// `None`: no head for the kind; use the rule's confidence.
    pub fn score_item(
        &self,
        ctx: &FleetContext,
        item: &Item<'_>,
        track: Option<&TruckTrack>,
    ) -> Option<Scored> {
        let tf = track.map(|t| {
            t.features(
                item.start_ms,
                item.end_ms,
                item.evidence.window_start_ms,
                item.evidence.window_end_ms,
            )
        });
        self.explain(item.kind, &ctx.features(item, tf.as_ref()))
    }

    /// A fleet context in `tz` that knows this model's verdict places; live ingest adds
    /// stations, refuels and parking places as they come ([`FleetContext::with_fuel`],
    /// [`FleetContext::set_parking`]).
    pub fn fleet_context(&self, tz: chrono_tz::Tz) -> FleetContext {
        let mut ctx = FleetContext::new(tz);
        ctx.set_verdicts(&self.verdicts);
        ctx
    }

    /// Scores many changes of one context: `score(candidates with context) -> scores`.
    pub fn score_items(
        &self,
        ctx: &FleetContext,
        items: &[(Item<'_>, Option<&TruckTrack>)],
    ) -> Vec<Option<Scored>> {
        items
            .iter()
            .map(|(it, tr)| self.score_item(ctx, it, *tr))
            .collect()
    }
}
