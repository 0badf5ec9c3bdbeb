//! What Settings and the health panel show: core reads put side by side.

use fc_core::{CacheStats, DataSourceDto, FleetSettings, FleetStats, Preferences, SecretBackend};
use serde::Serialize;
use ts_rs::TS;

use crate::error::CmdResult;
use crate::state::AppState;

/// Everything the Settings page edits.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SettingsView {
    /// The fleet's settings (in its database).
    pub fleet: FleetSettings,
    /// This desktop's preferences (the local file).
    pub preferences: Preferences,
    /// Where live data comes from (also in `preferences`).
    pub data_source: DataSourceDto,
    /// A feed token is saved.
    pub token_set: bool,
    /// Where the token is kept: the OS keychain, or a file only this user can read.
    pub secret_store: SecretBackend,
    /// Why secrets are in the file (`keychain_unavailable`), for Settings to say so.
    pub secret_note: Option<String>,
    /// The database in use, e.g. `sqlite: /path/demo.db`.
    pub database: String,
}

impl SettingsView {
    /// Reads the current settings.
    pub async fn read(state: &AppState) -> CmdResult<SettingsView> {
        let session = state.session().await?;
        let fleet = session
            .core
            .fleet_settings()
            .await
            .map_err(|e| state.core_err(&e))?;
        let preferences = state.preferences();
        Ok(SettingsView {
            fleet,
            data_source: preferences.data_source.clone(),
            preferences,
            token_set: state.feed_token().is_some(),
            secret_store: state.secrets().backend(),
            secret_note: state.secrets().note().map(str::to_string),
            database: session.database.clone(),
        })
    }
}

/// Store, feed and cache health.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct SystemStatus {
    /// The store backend (`sqlite`).
    pub backend: String,
    /// The database in use.
    pub database: String,
    /// The live pipeline's latest statistics; null while none runs.
    pub live: Option<FleetStats>,
    /// The read cache.
    pub cache: CacheStats,
    /// Where live data comes from.
    pub data_source: DataSourceDto,
}

impl SystemStatus {
    /// Reads the current status.
    pub async fn read(state: &AppState) -> CmdResult<SystemStatus> {
        let session = state.session().await?;
        Ok(SystemStatus {
            backend: session.core.store().backend().to_string(),
            database: session.database.clone(),
            live: state.live_stats(),
            cache: session.core.cache_stats(),
            data_source: state.preferences().data_source,
        })
    }
}
