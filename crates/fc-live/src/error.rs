//! Errors of the live side, each with a stable code.

use thiserror::Error;

/// Why a live component could not start or stopped.
#[derive(Debug, Error)]
pub enum LiveError {
    /// The listen address could not be bound (in use, not permitted).
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// A configuration value is out of range or unusable.
    #[error("invalid live setting {what}: {why}")]
    Invalid {
        /// The setting.
        what: String,
        /// What is wrong and what to do.
        why: String,
    },
    /// The replay file could not be read.
    #[error("cannot read the replay file {path}: {why}")]
    Replay {
        /// The file.
        path: String,
        /// Why.
        why: String,
    },
    /// The simulator refused its settings.
    #[error("simulator: {0}")]
    Sim(#[from] fc_sim::SimError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] fc_store::StoreError),
}

impl LiveError {
    /// Stable code for faces and logs.
    pub fn code(&self) -> &'static str {
        match self {
            LiveError::Bind { .. } => "live_bind",
            LiveError::Invalid { .. } => "live_invalid",
            LiveError::Replay { .. } => "live_replay",
            LiveError::Sim(_) => "live_sim",
            LiveError::Store(_) => "live_store",
        }
    }
}
