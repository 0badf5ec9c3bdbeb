//! `simulate`: a labelled simulated fleet written as canonical files.

use std::path::Path;

use fc_model::format_ts;
use fc_sim::{Profile, SimConfig, write_dataset};

use crate::dto_analysis::SimulationReport;
use crate::error::{CoreError, Result};

/// Parses `clean`, `default` or `hard`.
pub fn parse_profile(name: &str) -> Result<Profile> {
    name.trim()
        .parse::<Profile>()
        .map_err(|_| CoreError::Invalid {
            what: "profile".into(),
            why: format!("`{name}` is not a profile; use clean, default or hard"),
        })
}

/// Simulates `cfg` and writes telemetry.csv, trucks.csv, purchases.csv, labels.csv
/// (ground truth) and traps.csv into `dir` (created if missing).
pub fn simulate(dir: &Path, cfg: &SimConfig) -> Result<SimulationReport> {
    cfg.validate().map_err(sim_error)?;
    let s = write_dataset(dir, cfg).map_err(sim_error)?;
    Ok(SimulationReport {
        dir: dir.display().to_string(),
        profile: cfg.profile.as_str().to_string(),
        seed: cfg.seed,
        trucks: s.trucks as u64,
        days: cfg.days,
        rows: s.rows,
        fills: s.fills as u64,
        drains: s.drains as u64,
        purchases: s.purchases as u64,
        start: format_ts(s.start_ms),
        end: format_ts(s.end_ms),
        files: [
            "telemetry.csv",
            "trucks.csv",
            "purchases.csv",
            "labels.csv",
            "traps.csv",
        ]
        .iter()
        .map(|f| dir.join(f).display().to_string())
        .collect(),
    })
}

pub(crate) fn sim_error(e: fc_sim::SimError) -> CoreError {
    match e {
        fc_sim::SimError::Config(why) => CoreError::Invalid {
            what: "simulate".into(),
            why,
        },
        fc_sim::SimError::Io { path, source } => CoreError::Io { path, source },
    }
}
