//! Driver coaching for Fuel Copilot: per truck, per day, per driver rollups
//! built by streaming (import and live ingest call the same builder), and from
//! them scorecards (0-100 with a published formula, configurable weights, a fleet
//! percentile and an honest uncertainty) and recommendations ranked by the
//! litres and money they would save per week.
//!
//! Distance, fuel used and idle come from `fc_ledger` (decision 20), so the
//! ledger and coaching share one idle rule. The formula and every default are
//! in `COACHING.md`.

#![deny(missing_docs)]

mod config;
mod error;
pub mod model;
pub mod rollup;
pub mod score;

pub use config::{CoachConfig, Weights};
pub use error::CoachError;
pub use model::ExpectedModel;
pub use rollup::{Rollup, RollupBuilder, UNKNOWN_DRIVER, local_midnight_ms};
pub use score::{
    CoachReport, DriverCard, Metrics, Part, Period, Prices, Recommendation, Score, Shrinkage,
    TruckCard, coach,
};
