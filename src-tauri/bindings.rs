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
/// their dependencies, into `out_dir`.
///
/// This is the one list of exported types: add new IPC types here.
pub fn export_all(out_dir: &Path) -> Result<(), ExportError> {
    let cfg = config(out_dir);
    fc_core::AppInfo::export_all(&cfg)?;
    crate::error::IpcError::export_all(&cfg)?;
    Ok(())
}
