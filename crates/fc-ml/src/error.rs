//! Errors of the ML crate, each with a stable code.

use thiserror::Error;

/// Why a model could not be trained, loaded or saved.
#[derive(Debug, Error)]
pub enum MlError {
    /// No model file where one was looked for.
    #[error("no model file at {path}: run `fuelcopilot train` first")]
    Missing {
        /// The file.
        path: String,
    },
    /// The file is not a readable model.
    #[error("the model file {path} is damaged ({why}): train again")]
    Corrupt {
        /// The file.
        path: String,
        /// What is wrong.
        why: String,
    },
    /// A model of another format or feature set.
    #[error("the model file {path} does not fit this version ({why}): train again")]
    Incompatible {
        /// The file.
        path: String,
        /// What differs.
        why: String,
    },
    /// Not enough labelled rows of both classes.
    #[error(
        "too few labelled {kind} changes to train ({positives} real, {negatives} not; at least {needed} of each)"
    )]
    TooFewLabels {
        /// `fill` or `drain`.
        kind: String,
        /// Real events.
        positives: usize,
        /// Others.
        negatives: usize,
        /// Needed of each.
        needed: usize,
    },
    /// The solver failed.
    #[error("training failed: {0}")]
    Training(String),
    /// Reading or writing a file failed.
    #[error("cannot read or write {path}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl MlError {
    /// Stable code for programs and translations.
    pub fn code(&self) -> &'static str {
        match self {
            MlError::Missing { .. } => "model_missing",
            MlError::Corrupt { .. } => "model_corrupt",
            MlError::Incompatible { .. } => "model_incompatible",
            MlError::TooFewLabels { .. } => "too_few_labels",
            MlError::Training(_) => "training_failed",
            MlError::Io { .. } => "model_io",
        }
    }
}
