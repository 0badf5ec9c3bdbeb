//! The Fuel Copilot desktop shell: a Tauri 2 window around the web UI in
//! `ui/`, with thin IPC commands over `fc_core` and the core bus forwarded
//! as events (docs/IPC.md).

#![deny(missing_docs)]

pub mod bindings;
pub mod commands;
pub mod error;
pub mod live;
pub mod state;
pub mod views;

use std::sync::Arc;

use tauri::{Emitter, Manager, Runtime};

pub use error::{CmdResult, ErrorCode, IpcError};
pub use state::{AppState, Launch, Shared};

/// Registers every IPC command on a builder, for any runtime: the real one
/// in [`run`], the mock one in tests. This is the one list of commands.
pub fn register<R: Runtime>(builder: tauri::Builder<R>) -> tauri::Builder<R> {
    builder.invoke_handler(tauri::generate_handler![
        commands::app_info,
        commands::fleet_snapshot,
        commands::fleet_kpis,
        commands::truck_detail,
        commands::list_events,
        commands::list_alerts,
        commands::ack_alert,
        commands::record_verdict,
        commands::clear_verdict,
        commands::coach_report,
        commands::import_files,
        commands::analyze_files,
        commands::export_analysis,
        commands::get_settings,
        commands::save_fleet_settings,
        commands::save_preferences,
        commands::set_data_source,
        commands::system_status,
    ])
}

/// The whole app on a builder: commands, the dialog plugin, the state of
/// `launch`, and a setup hook (run once the event loop is up, with the
/// window) that calls [`start`].
pub fn app<R: Runtime>(builder: tauri::Builder<R>, launch: Launch) -> tauri::Builder<R> {
    register(builder)
        .plugin(tauri_plugin_dialog::init())
        .manage::<Shared>(Arc::new(AppState::new(launch)))
        .setup(|app| {
            start(app.handle());
            Ok(())
        })
}

/// Connects the state to the window's events and opens the core and starts
/// live in the background, so the first paint never waits for them. The
/// app's setup hook calls it; tests on the mock runtime, which never runs an
/// event loop, call it after building the app.
pub fn start<R: Runtime>(handle: &tauri::AppHandle<R>) {
    let state = Arc::clone(handle.state::<Shared>().inner());
    let emitter = handle.clone();
    state.set_emitter(move |event, payload| {
        if let Err(e) = emitter.emit(event, payload) {
            tracing::warn!(%event, error = %e, "event not delivered");
        }
    });
    tauri::async_runtime::spawn(live::forward_alerts(Arc::clone(&state)));
    tauri::async_runtime::spawn(boot(state));
}

/// Opens the saved data source's database, then starts live on it.
async fn boot(state: Shared) {
    let source = state.preferences().data_source;
    if let Err(e) = state.open(&source).await {
        tracing::error!(code = %e.code, "the database did not open: {}", e.message);
        return;
    }
    if state.launch.start_live
        && let Err(e) = live::restart(&state, &source).await
    {
        tracing::error!(code = %e.code, "live did not start: {}", e.message);
    }
}

/// Opens the main window and runs the event loop until the app quits; the
/// live pipeline is stopped (its pending commit written) on the way out.
pub fn run() -> tauri::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let app =
        app(tauri::Builder::default(), Launch::from_env()).build(tauri::generate_context!())?;
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event {
            let state = handle.state::<Shared>();
            tauri::async_runtime::block_on(live::stop(&state));
        }
    });
    Ok(())
}
