//! A physically plausible, labelled simulated truck fleet.
//!
//! Every truck is simulated on its own ChaCha stream (seeded from the fleet
//! seed and the truck's index), second by second while driving and in larger
//! steps while parked: duty cycles, a road-load consumption model, tanks with
//! real geometry, thermal expansion and slosh, imperfect gauges and ECU
//! counters, refuels with fuel-card purchases, thefts, fraud and sensor
//! faults. The ground truth comes out as [`Label`]s (fills and drains) and
//! [`Trap`]s (things that look like events but are not).
//!
//! [`Fleet`] streams points in (simulated) real time; [`write_dataset`]
//! writes the canonical CSV files with flat memory.

#![deny(missing_docs)]

pub mod coaching;
mod config;
mod dataset;
mod fleet;
mod geo;
mod reefer;
mod scripted;
mod spec;
mod truck;

pub use config::{DEFAULT_START_MS, Profile, SimConfig};
pub use dataset::{
    DatasetSummary, LABELS_HEADER, PURCHASES_HEADER, TRAPS_HEADER, TRUCKS_HEADER, write_dataset,
};
pub use fleet::{Fleet, TruckTruth};
pub use spec::{Body, DriverProfile, Duty, TankShape, TruckMeta};

use fc_model::TimestampMs;
use thiserror::Error;

/// Why a simulation could not run or write its files.
#[derive(Debug, Error)]
pub enum SimError {
    /// The configuration is out of range.
    #[error("invalid simulation settings: {0}")]
    Config(String),
    /// A file could not be created or written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file concerned.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// The kind of a ground-truth fuel event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LabelKind {
    /// Fuel went into the tank(s).
    Fill,
    /// Fuel left the tank(s) other than through the engine.
    Drain,
}

impl LabelKind {
    /// `fill` or `drain`, as written in `labels.csv`.
    pub fn as_str(self) -> &'static str {
        match self {
            LabelKind::Fill => "fill",
            LabelKind::Drain => "drain",
        }
    }
}

/// A ground-truth fill or drain.
#[derive(Debug, Clone, PartialEq)]
pub struct Label {
    /// Truck id.
    pub truck_id: String,
    /// Fill or drain.
    pub kind: LabelKind,
    /// When fuel started to move (UTC ms).
    pub start: TimestampMs,
    /// When it stopped (UTC ms).
    pub end: TimestampMs,
    /// Litres moved (at 15 °C; the gauge sees it expanded or contracted by under 2%).
    pub volume_l: f64,
    /// Scenario, e.g. `refuel`, `refuel_cash`, `refuel_idling`, `refuel_in_gap`,
    /// `fraud_short_fill`, `night_siphon`, `slow_drain`, `idle_theft`,
    /// `in_motion_theft`, `small_theft`.
    pub scenario: String,
    /// True fuel on board (all tanks, litres at 15 °C) just before.
    pub level_before_l: f64,
    /// True fuel on board just after.
    pub level_after_l: f64,
}

/// An injected trap or sensor fault: looks like an event, is not one (diagnostics only).
#[derive(Debug, Clone, PartialEq)]
pub struct Trap {
    /// Truck id.
    pub truck_id: String,
    /// e.g. `spike`, `stuck_sensor`, `data_gap`, `counter_reset`, `thermal_drift`,
    /// `rough_road`, `tank_equalise`, `brake_on_slope`, `overnight_idle`,
    /// `fraud_no_fill`, `fraud_far_station`, `fraud_short_fill`, `cash_fill`.
    pub kind: String,
    /// Start (UTC ms).
    pub start: TimestampMs,
    /// End (UTC ms).
    pub end: TimestampMs,
    /// Free text with the details.
    pub note: String,
}
