//! Thin IPC commands. Each one calls `fc_core` and maps its errors to
//! [`IpcError`](crate::error::IpcError); no business logic lives here.
//! Arguments are camelCase on the JS side (Tauri's default), payloads keep
//! the core types' snake_case fields.

use std::sync::Arc;
use std::time::{Duration, Instant};

use fc_core::{
    AlertDto, AnalysisReport, AnalyzeRequest, CoachReportDto, DataSourceDto, EventQueryDto,
    FileImportReport, FleetKpis, FleetSettings, FleetSnapshot, ImportProgress, ImportRequest,
    ImportRequestDto, Preferences, StoredEventDto, TruckDetail,
};
use tauri::State;

use crate::error::CmdResult;
use crate::live::events;
use crate::state::Shared;
use crate::views::{SettingsView, SystemStatus};

/// At most this often an `import-progress` event (the last one always goes).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);
/// Alerts listed when the UI gives no limit.
const DEFAULT_ALERT_LIMIT: u32 = 200;

/// Name and version of the running build, for the header and the about box.
#[tauri::command]
pub fn app_info() -> CmdResult<fc_core::AppInfo> {
    Ok(fc_core::app_info())
}

/// Outbox alerts: after `after_seq` oldest first, or the open ones newest first.
#[tauri::command]
pub async fn list_alerts(
    state: State<'_, Shared>,
    after_seq: Option<i64>,
    open_only: bool,
    limit: Option<u32>,
) -> CmdResult<Vec<AlertDto>> {
    let core = state.core().await?;
    let limit = limit.unwrap_or(DEFAULT_ALERT_LIMIT);
    let listed = if open_only {
        core.open_alerts(limit).await
    } else {
        core.alerts_after(after_seq.unwrap_or(0), limit).await
    };
    listed.map_err(|e| state.core_err(&e))
}

/// Acknowledges an open alert.
#[tauri::command]
pub async fn ack_alert(state: State<'_, Shared>, seq: i64, by: String) -> CmdResult<()> {
    let core = state.core().await?;
    core.ack_alert(seq, &by)
        .await
        .map_err(|e| state.core_err(&e))
}

/// Records a dispatcher's verdict (`confirmed` or `false_alarm`) on a stored event.
#[tauri::command]
pub async fn record_verdict(
    state: State<'_, Shared>,
    event_id: String,
    verdict: String,
    by: String,
    note: Option<String>,
) -> CmdResult<StoredEventDto> {
    let core = state.core().await?;
    let verdict = fc_core::parse_verdict(&verdict).map_err(|e| state.core_err(&e))?;
    core.record_verdict(&event_id, verdict, &by, note)
        .await
        .map_err(|e| state.core_err(&e))
}

/// Removes the verdict on an event; false if it had none.
#[tauri::command]
pub async fn clear_verdict(state: State<'_, Shared>, event_id: String) -> CmdResult<bool> {
    let core = state.core().await?;
    core.clear_verdict(&event_id)
        .await
        .map_err(|e| state.core_err(&e))
}

/// The fleet settings, preferences, data source and where secrets live.
#[tauri::command]
pub async fn get_settings(state: State<'_, Shared>) -> CmdResult<SettingsView> {
    SettingsView::read(&state).await
}

/// Checks and saves the fleet settings; returns them as stored.
#[tauri::command]
pub async fn save_fleet_settings(
    state: State<'_, Shared>,
    settings: FleetSettings,
) -> CmdResult<FleetSettings> {
    let core = state.core().await?;
    core.save_fleet_settings(&settings)
        .await
        .map_err(|e| state.core_err(&e))?;
    core.fleet_settings().await.map_err(|e| state.core_err(&e))
}

/// Saves the local preferences file (not the webview's storage).
#[tauri::command]
pub async fn save_preferences(
    state: State<'_, Shared>,
    preferences: Preferences,
) -> CmdResult<Preferences> {
    // The data source changes only through `set_data_source`, which restarts live.
    let preferences = Preferences {
        data_source: state.preferences().data_source,
        ..preferences
    };
    state.save_preferences(&preferences)?;
    Ok(state.preferences())
}

/// The store, the live feed and the cache, for Settings' health panel.
#[tauri::command]
pub async fn system_status(state: State<'_, Shared>) -> CmdResult<SystemStatus> {
    SystemStatus::read(&state).await
}

/// Emits `import-progress` at most every [`PROGRESS_EVERY`], and always the
/// last report of a file.
fn progress_emitter(state: Shared) -> impl FnMut(ImportProgress) + Send {
    let mut last: Option<Instant> = None;
    move |p: ImportProgress| {
        let now = Instant::now();
        let file_done = p.bytes_total > 0 && p.bytes_read >= p.bytes_total;
        if file_done || last.is_none_or(|t| now.duration_since(t) >= PROGRESS_EVERY) {
            last = Some(now);
            state.emit(events::IMPORT_PROGRESS, &p);
        }
    }
}

/// Imports files into the open database, emitting `import-progress`.
#[tauri::command]
pub async fn import_files(
    state: State<'_, Shared>,
    request: ImportRequestDto,
) -> CmdResult<Vec<FileImportReport>> {
    let core = state.core().await?;
    let request = ImportRequest::try_from(&request).map_err(|e| state.core_err(&e))?;
    let mut progress = progress_emitter(Arc::clone(state.inner()));
    let reports = core
        .import_files(&request, &mut progress)
        .await
        .map_err(|e| state.core_err(&e))?;
    // Whatever the import appended to the outbox goes out as `alert` events.
    state.alert_kick.notify_one();
    Ok(reports)
}

async fn analysis(state: &Shared, request: ImportRequestDto) -> CmdResult<AnalysisReport> {
    let core = state.core().await?;
    let settings = core
        .fleet_settings()
        .await
        .map_err(|e| state.core_err(&e))?;
    let request = ImportRequest::try_from(&request).map_err(|e| state.core_err(&e))?;
    let model = fc_core::load_model(Some(&state.launch.model_path()))
        .model
        .map(|m| m as std::sync::Arc<dyn fc_core::EventModel>);
    let analyze = AnalyzeRequest {
        files: request.files,
        time_zone: request.time_zone,
        model,
        ..AnalyzeRequest::default()
    };
    let mut progress = progress_emitter(Arc::clone(state));
    // Analysis reads files on this thread: keep it off the async workers.
    tauri::async_runtime::spawn_blocking(move || {
        fc_core::analyze_files(&analyze, &settings, &mut progress)
    })
    .await
    .map_err(|e| {
        tracing::error!(error = %e, "analysis task failed");
        state.err(crate::ErrorCode::Internal, "error-app-internal", &[])
    })?
    .map_err(|e| state.core_err(&e))
}

/// Analyses files in memory (stores nothing), emitting `import-progress`.
#[tauri::command]
pub async fn analyze_files(
    state: State<'_, Shared>,
    request: ImportRequestDto,
) -> CmdResult<AnalysisReport> {
    analysis(state.inner(), request).await
}

/// Analyses files and writes the result as CSV, JSON or HTML; returns the path written.
#[tauri::command]
pub async fn export_analysis(
    state: State<'_, Shared>,
    request: ImportRequestDto,
    format: String,
    out: String,
) -> CmdResult<String> {
    let format = fc_core::ExportFormat::parse(&format).map_err(|e| state.core_err(&e))?;
    let report = analysis(state.inner(), request).await?;
    let prefs = state.preferences();
    let path = std::path::PathBuf::from(out.trim());
    fc_core::write_analysis(&path, &report, format, prefs.lang(), prefs.units())
        .map_err(|e| state.core_err(&e))?;
    Ok(path.display().to_string())
}

/// Stored events, newest first, with their verdicts.
#[tauri::command]
pub async fn list_events(
    state: State<'_, Shared>,
    query: EventQueryDto,
) -> CmdResult<Vec<StoredEventDto>> {
    let core = state.core().await?;
    core.list_events(&query)
        .await
        .map_err(|e| state.core_err(&e))
}

/// Switches the data source: keeps the token (when one is given) in the
/// secret store, saves the choice with the preferences, opens its database,
/// restarts live, and emits `data-source-changed` with the new settings.
#[tauri::command]
pub async fn set_data_source(
    state: State<'_, Shared>,
    source: DataSourceDto,
    token: Option<String>,
) -> CmdResult<SettingsView> {
    source.validate().map_err(|e| state.core_err(&e))?;
    if let Some(token) = token {
        state
            .secrets()
            .set_feed_token(&token)
            .map_err(|e| state.core_err(&e))?;
    }
    // A source that cannot start (a feed without a token) is refused before anything changes.
    source
        .live_source(state.feed_token().as_deref(), &state.launch.demo)
        .map_err(|e| state.core_err(&e))?;
    let prefs = Preferences {
        data_source: source.clone(),
        ..state.preferences()
    };
    state.save_preferences(&prefs)?;
    crate::live::stop(&state).await;
    state.open(&source).await?;
    let started = crate::live::restart(&state, &source).await;
    let view = SettingsView::read(&state).await?;
    state.emit(events::DATA_SOURCE_CHANGED, &view);
    started?;
    Ok(view)
}

/// The live fleet: one row per truck (write-through from the bus).
#[tauri::command]
pub async fn fleet_snapshot(state: State<'_, Shared>) -> CmdResult<FleetSnapshot> {
    let core = state.core().await?;
    core.fleet_snapshot().await.map_err(|e| state.core_err(&e))
}

/// Today's fleet figures in the fleet's time zone.
#[tauri::command]
pub async fn fleet_kpis(state: State<'_, Shared>) -> CmdResult<FleetKpis> {
    let core = state.core().await?;
    core.fleet_kpis().await.map_err(|e| state.core_err(&e))
}

/// One truck's chart, events, ledger, purchases and sensor health.
#[tauri::command]
pub async fn truck_detail(
    state: State<'_, Shared>,
    truck_id: String,
    from_ms: Option<i64>,
    to_ms: Option<i64>,
) -> CmdResult<TruckDetail> {
    let core = state.core().await?;
    core.truck_detail(&truck_id, from_ms, to_ms)
        .await
        .map_err(|e| state.core_err(&e))
}

/// Driver scorecards for a period (`30d` by default), optionally one driver's.
#[tauri::command]
pub async fn coach_report(
    state: State<'_, Shared>,
    period: Option<String>,
    driver: Option<String>,
) -> CmdResult<CoachReportDto> {
    let core = state.core().await?;
    core.coach_report(period.as_deref(), driver.as_deref())
        .await
        .map_err(|e| state.core_err(&e))
}
