//! Thin IPC commands. Each one calls `fc_core` and maps its errors to
//! [`IpcError`](crate::error::IpcError); no business logic lives here.

use crate::error::CmdResult;

/// Name and version of the running build, for the header and the about box.
#[tauri::command]
pub fn app_info() -> CmdResult<fc_core::AppInfo> {
    Ok(fc_core::app_info())
}
