//! The TypeScript bindings of the IPC types, generated with ts-rs into
//! `ui/src/bindings/`. `tests/desktop_bindings.rs` fails when the committed
//! files drift from what this produces.

use std::path::Path;

use ts_rs::{Config, ExportError, TS};

/// Where the bindings live, relative to the repository root.
pub const BINDINGS_DIR: &str = "ui/src/bindings";

/// The generation settings. `i64` timestamps (UTC milliseconds) stay below
/// 2^53, so they are plain `number`s in TypeScript rather than `bigint`s.
pub fn config(out_dir: &Path) -> Config {
    Config::new().with_out_dir(out_dir).with_large_int("number")
}

/// Writes the bindings of every type that crosses the IPC boundary, with
/// their dependencies, into `out_dir`: every command's arguments and result
/// and every event's payload (docs/IPC.md).
///
/// This is the one list of exported types: add new IPC types here.
pub fn export_all(out_dir: &Path) -> Result<(), ExportError> {
    let cfg = config(out_dir);
    // Errors.
    crate::error::IpcError::export_all(&cfg)?;
    // Command arguments.
    fc_core::ImportRequestDto::export_all(&cfg)?;
    fc_core::EventQueryDto::export_all(&cfg)?;
    fc_core::DataSourceDto::export_all(&cfg)?;
    fc_core::FleetSettings::export_all(&cfg)?;
    fc_core::Preferences::export_all(&cfg)?;
    // Command results.
    fc_core::AppInfo::export_all(&cfg)?;
    fc_core::FleetSnapshot::export_all(&cfg)?;
    fc_core::FleetKpis::export_all(&cfg)?;
    fc_core::TruckDetail::export_all(&cfg)?;
    fc_core::StoredEventDto::export_all(&cfg)?;
    fc_core::AlertDto::export_all(&cfg)?;
    fc_core::CoachReportDto::export_all(&cfg)?;
    fc_core::FileImportReport::export_all(&cfg)?;
    fc_core::AnalysisReport::export_all(&cfg)?;
    crate::views::SettingsView::export_all(&cfg)?;
    crate::views::SystemStatus::export_all(&cfg)?;
    // Event payloads (`alert` is an AlertDto, `data-source-changed` a SettingsView).
    fc_core::TruckUpdateBatch::export_all(&cfg)?;
    fc_core::FleetStats::export_all(&cfg)?;
    fc_core::ImportProgress::export_all(&cfg)?;
    Ok(())
}
