//! Coaching errors with stable codes.

use thiserror::Error;

/// Why coaching could not run.
#[derive(Debug, Error)]
pub enum CoachError {
    /// A setting is out of range.
    #[error("coaching setting `{what}` {why}")]
    Invalid {
        /// The setting.
        what: String,
        /// What is allowed.
        why: String,
    },
    /// A time zone or period could not be understood.
    #[error("{0}")]
    Period(String),
}

impl CoachError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            CoachError::Invalid { .. } => "coach_invalid_setting",
            CoachError::Period(_) => "coach_bad_period",
        }
    }
}
