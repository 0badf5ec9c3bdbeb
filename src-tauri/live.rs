//! The live pipeline of the open session and the forwarders from the core bus
//! to the UI's events (docs/IPC.md):
//!
//! - `truck-update`: the bus's committed batches folded by fc-live's
//!   [`Coalescer`] and sent about every 250 ms (decision 17); a forwarder that
//!   lags re-reads the write-through snapshot, so it loses intermediate
//!   states, never the latest one.
//! - `fleet-stats`: the latest statistics, once a second.
//! - `alert`: read from the persisted outbox after the session's cursor each
//!   time the bus announces a new head (or an import may have added some), so
//!   alerts arrive in seq order and none is lost, across restarts of live.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use fc_core::{DataSourceDto, LiveHandle, TruckUpdateBatch};
use fc_live::{Bus, Coalescer};
use tokio::sync::broadcast::error::RecvError;

use crate::error::IpcError;
use crate::state::{AppState, Session, Shared};

/// Event names of docs/IPC.md.
pub mod events {
    /// Coalesced truck updates ([`fc_core::TruckUpdateBatch`]).
    pub const TRUCK_UPDATE: &str = "truck-update";
    /// One new outbox entry ([`fc_core::AlertDto`]).
    pub const ALERT: &str = "alert";
    /// Fleet statistics ([`fc_core::FleetStats`]).
    pub const FLEET_STATS: &str = "fleet-stats";
    /// Import progress ([`fc_core::ImportProgress`]).
    pub const IMPORT_PROGRESS: &str = "import-progress";
    /// The settings after a data-source change (`SettingsView`).
    pub const DATA_SOURCE_CHANGED: &str = "data-source-changed";
}

/// How often coalesced truck updates go to the UI.
pub const UPDATE_EVERY: Duration = Duration::from_millis(250);
/// How often fleet statistics go to the UI.
pub const STATS_EVERY: Duration = Duration::from_secs(1);
/// Outbox entries read per query while catching up.
const ALERT_PAGE: u32 = 500;

/// A running pipeline with its forwarders.
pub struct LiveRun {
    handle: LiveHandle,
    tasks: Vec<tauri::async_runtime::JoinHandle<()>>,
}

impl LiveRun {
    /// Stops the forwarders, then the pipeline (which commits what is pending).
    pub async fn stop(self) {
        for t in &self.tasks {
            t.abort();
        }
        self.handle.stop().await;
    }
}

/// Stops the running pipeline, if any, and starts one for `source` (with
/// the saved feed token) on the open session. A source that cannot start
/// (a feed without a token) is refused before anything is stopped.
pub async fn restart(state: &Shared, source: &DataSourceDto) -> Result<(), IpcError> {
    let token = state.feed_token();
    let live_source = source
        .live_source(token.as_deref(), &state.launch.demo)
        .map_err(|e| state.core_err(&e))?;
    let mut slot = state.live.lock().await;
    if let Some(run) = slot.take() {
        state.bus.send_replace(None);
        run.stop().await;
    }
    let session = state.session().await?;
    let handle = session
        .core
        .start_live(live_source)
        .await
        .map_err(|e| state.core_err(&e))?;
    let bus = handle.bus().clone();
    let tasks = vec![
        tauri::async_runtime::spawn(forward_updates(Arc::clone(state), bus.clone())),
        tauri::async_runtime::spawn(forward_stats(Arc::clone(state), bus.clone())),
    ];
    state.bus.send_replace(Some(bus));
    *slot = Some(LiveRun { handle, tasks });
    Ok(())
}

/// Stops the running pipeline, if any (at exit, and before a database switch).
pub async fn stop(state: &AppState) {
    if let Some(run) = state.live.lock().await.take() {
        state.bus.send_replace(None);
        run.stop().await;
    }
}

async fn forward_updates(state: Shared, bus: Bus) {
    let mut rx = bus.subscribe_updates();
    let mut pending = Coalescer::new();
    let mut tick = tokio::time::interval(UPDATE_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            got = rx.recv() => match got {
                Ok(batch) => pending.push(&batch.updates),
                // The snapshot is written before each publish: it holds what we missed.
                Err(RecvError::Lagged(_)) => pending.push(&bus.snapshot()),
                Err(RecvError::Closed) => break,
            },
            _ = tick.tick() => {
                if !pending.is_empty() {
                    let batch = TruckUpdateBatch { at_ms: fc_live::now_ms(), updates: pending.take() };
                    state.emit(events::TRUCK_UPDATE, &batch);
                }
            }
        }
    }
}

async fn forward_stats(state: Shared, bus: Bus) {
    let stats = bus.subscribe_stats();
    let mut tick = tokio::time::interval(STATS_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        let latest = (**stats.borrow()).clone();
        // The bus starts with empty statistics; the first real ones have a time.
        if latest.at_ms > 0 {
            state.emit(events::FLEET_STATS, &latest);
        }
    }
}

/// Sends every outbox entry after the session's cursor, in seq order.
async fn drain_alerts(state: &AppState, session: &Session) -> Result<(), IpcError> {
    loop {
        let after = session.alert_seq.load(Ordering::SeqCst);
        let page = session
            .core
            .alerts_after(after, ALERT_PAGE)
            .await
            .map_err(|e| state.core_err(&e))?;
        let full = page.len() == ALERT_PAGE as usize;
        for alert in page {
            let seq = alert.seq;
            state.emit(events::ALERT, &alert);
            session.alert_seq.store(seq, Ordering::SeqCst);
        }
        if !full {
            return Ok(());
        }
    }
}

/// The app-long alert forwarder: follows whichever bus runs and the kicks of
/// imports and database switches.
pub async fn forward_alerts(state: Shared) {
    let mut buses = state.bus.subscribe();
    let mut head = buses.borrow_and_update().as_ref().map(Bus::alert_head);
    loop {
        if let Some(session) = state.session_now()
            && let Err(e) = drain_alerts(&state, &session).await
        {
            // The outbox keeps them: the next wake-up retries from the same cursor.
            tracing::warn!(code = %e.code, "alerts not read: {}", e.message);
        }
        tokio::select! {
            changed = buses.changed() => {
                if changed.is_err() {
                    return;
                }
                head = buses.borrow_and_update().as_ref().map(Bus::alert_head);
            }
            moved = async {
                match head.as_mut() {
                    Some(h) => h.changed().await.is_ok(),
                    None => std::future::pending().await,
                }
            } => {
                if !moved {
                    head = None;
                }
            }
            () = state.alert_kick.notified() => {}
        }
    }
}
