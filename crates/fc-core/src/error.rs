//! The core API's error: a stable code for programs (the UI, `--json`) and a
//! message for people. Database and driver text never reaches either; it is
//! kept as the error's source for logs.

use thiserror::Error;

/// Everything the core API can fail with.
#[derive(Debug, Error)]
pub enum CoreError {
    /// The store could not be opened, read or written.
    #[error("{0}")]
    Store(#[from] fc_store::StoreError),
    /// An input file could not be read as any supported layout.
    #[error("{0}")]
    Import(#[from] fc_import::ImportError),
    /// A file could not be read or written.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file or folder.
        path: String,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A bug: something that should not happen did.
    #[error("internal error: {0}")]
    Internal(String),
    /// The theft model could not be trained, read or written.
    #[error("{0}")]
    Model(#[from] fc_ml::MlError),
    /// The requested item (an event, an alert, a truck) does not exist.
    #[error("not found: {what}")]
    NotFound {
        /// What was asked for (its id).
        what: String,
    },
    /// A setting or argument has an unusable value.
    #[error("{what}: {why}")]
    Invalid {
        /// What was wrong (a setting name, an option).
        what: String,
        /// Why, and what to do.
        why: String,
    },
}

impl CoreError {
    /// A stable snake_case code that programs can match on.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::Store(e) => e.code(),
            CoreError::Import(e) => e.code(),
            CoreError::Io { .. } => "io",
            CoreError::Model(e) => e.code(),
            CoreError::Invalid { .. } => "invalid_input",
            CoreError::NotFound { .. } => "not_found",
            CoreError::Internal(_) => "internal",
        }
    }

    /// Named values for a translated message (`error-<code>` in the catalogues).
    pub fn args(&self) -> Vec<(&'static str, String)> {
        match self {
            CoreError::Store(_) => Vec::new(),
            CoreError::Import(e) => e.args(),
            CoreError::Io { path, source } => {
                vec![("path", path.clone()), ("reason", source.to_string())]
            }
            CoreError::Internal(what) => vec![("reason", what.clone())],
            CoreError::Model(e) => crate::ml::error_args(e),
            CoreError::NotFound { what } => vec![("what", what.clone())],
            CoreError::Invalid { what, why } => {
                vec![("what", what.clone()), ("reason", why.clone())]
            }
        }
    }

    pub(crate) fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        CoreError::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}

/// Result of the core API.
pub type Result<T> = std::result::Result<T, CoreError>;
