//! The Fuel Copilot desktop shell: a Tauri 2 window around the web UI in
//! `ui/`, with thin IPC commands over `fc_core`.

#![deny(missing_docs)]

pub mod bindings;
pub mod commands;
pub mod error;

pub use error::{CmdResult, ErrorCode, IpcError};

/// Registers every IPC command on a builder, for any runtime: the real one
/// in [`run`], the mock one in tests. This is the one list of commands.
pub fn register<R: tauri::Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![commands::app_info])
}

/// Opens the main window and runs the event loop until the app quits.
pub fn run() -> tauri::Result<()> {
    register(tauri::Builder::default()).run(tauri::generate_context!())
}
