//! Fuel Copilot's fuel engine: a per-truck streaming detector of fills, drains
//! and sensor faults (the same code for live ingest and batch history), the
//! per-truck fuel ledger and efficiency, fuel-card reconciliation, and the
//! evaluation against labelled data and two baselines (Traccar, Wialon-style).
//!
//! The method and every threshold are described in `DETECTION.md`.

#![deny(missing_docs)]

pub mod baseline;
mod config;
mod detector;
pub mod eval;
mod event;
mod geo;
pub mod ledger;
mod level;
pub mod reconcile;

pub use config::DetectorConfig;
pub use detector::{DetectorStats, LearnedRates, TruckDetector, detect_batch, split_final};
pub use event::{
    Candidate, ConsumptionSource, DETECTOR_VERSION, EventKind, EventStatus, EventUpdate, Evidence,
    EvidenceSample, FuelEvent, Reason, ReasonCode, event_id,
};
pub use geo::haversine_km;
pub use ledger::{
    Ledger, LedgerBuilder, LedgerConfig, build_ledger, idle_reading, idle_run_counts,
};
pub use reconcile::{PurchaseMatch, PurchaseStatus, ReconcileConfig, Reconciliation, reconcile};
