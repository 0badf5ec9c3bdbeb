//! The one core API of Fuel Copilot. The CLI, the server and the desktop shell
//! are thin faces over it; none of them holds business logic.

mod core;
pub mod dto;
mod error;
mod import;
pub mod paths;
mod settings;
mod summary;

pub use crate::core::{Core, ExportRequest};
pub use dto::{
    AppInfo, ErrorDto, ExportReport, FileImportReport, ImportNote, ImportProgress, TankDto,
    TruckRow, TruckSummary,
};
pub use error::{CoreError, Result};
pub use fc_import::FileKind;
pub use import::{DateOrder, DecimalSep, ImportRequest};
pub use settings::{FleetSettings, Preferences, parse_tz};

/// Name and version of this build, for about boxes and `--version`.
pub fn app_info() -> AppInfo {
    AppInfo {
        name: "Fuel Copilot".to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
    }
}
