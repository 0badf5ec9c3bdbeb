//! The one error shape that crosses the IPC boundary.
//!
//! Every command returns `Result<T, IpcError>`, so the UI handles failures in
//! one place: a stable machine-readable `code` to branch on, and a `message`
//! for people. Core errors are mapped here, never inside the commands.
//!
//! No `#[ts(export)]` here: the bindings are written from the one list in
//! [`crate::bindings`], not by ts-rs's per-type tests (which would drop
//! files into the working directory).

use serde::Serialize;
use ts_rs::TS;

/// An error as the UI receives it: `{ "code": "...", "message": "..." }`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, thiserror::Error)]
#[error("{code}: {message}")]
pub struct IpcError {
    /// Stable, snake_case identifier; the UI may branch on it.
    pub code: ErrorCode,
    /// Human-readable explanation, safe to show.
    pub message: String,
}

/// The stable error codes of the IPC boundary. New codes are added, never renamed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The request itself was malformed or out of range.
    InvalidInput,
    /// The requested item does not exist.
    NotFound,
    /// Something the request needs cannot be reached now (the database is busy,
    /// read-only or damaged, the live feed is stopped, no keychain); retrying
    /// later or fixing the environment may help.
    Unavailable,
    /// A failure inside the app that the user cannot fix by changing the request.
    Internal,
}

impl ErrorCode {
    /// The wire form of the code, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl IpcError {
    /// An error with the given code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// What every command returns.
pub type CmdResult<T> = Result<T, IpcError>;

/// The IPC code of a core error code (`CoreError::code`, which includes the
/// store's, the importer's and the model's codes).
pub fn ipc_code(core_code: &str) -> ErrorCode {
    match core_code {
        "invalid_input" | "io" => ErrorCode::InvalidInput,
        "not_found" => ErrorCode::NotFound,
        // Store conditions the user fixes outside the request (free disk space,
        // close the other writer, update the app), and a missing or unusable model.
        "store_unavailable" | "store_corrupt" | "store_busy" | "store_full" | "store_read_only"
        | "store_migration" | "store_too_new" | "store_unsupported" | "model_missing"
        | "model_corrupt" | "model_incompatible" | "model_io" | "too_few_labels" => {
            ErrorCode::Unavailable
        }
        // A file that cannot be read as asked is the request's problem.
        c if c.starts_with("import_") || c.starts_with("ambiguous_") || c == "bad_mapping" => {
            ErrorCode::InvalidInput
        }
        _ => ErrorCode::Internal,
    }
}

impl IpcError {
    /// Maps a core error for the UI, with its message in the user's language.
    ///
    /// Messages come from the catalogues by code (`error-<code>`), which hold
    /// no database or driver text; internal errors are logged with their
    /// source and shown as a generic message.
    pub fn from_core(err: &fc_core::CoreError, tr: &fc_i18n::Translator) -> IpcError {
        let code = ipc_code(err.code());
        if code == ErrorCode::Internal {
            tracing::error!(code = err.code(), error = %err, source = ?std::error::Error::source(err), "internal error behind an IPC command");
            return IpcError::new(code, tr.t("error-app-internal"));
        }
        let id = format!("error-{}", err.code().replace('_', "-"));
        let message = if tr.has(&id) {
            let args: Vec<(&str, fc_i18n::Arg)> =
                err.args().into_iter().map(|(k, v)| (k, v.into())).collect();
            tr.t_args(&id, &args)
        } else if matches!(err, fc_core::CoreError::Store(_)) {
            // Never the store's own text.
            tr.t("error-store-unavailable")
        } else {
            err.to_string()
        };
        if code == ErrorCode::Unavailable {
            tracing::warn!(code = err.code(), error = ?err, "unavailable behind an IPC command");
        }
        IpcError::new(code, message)
    }

    /// An error from a translated message id.
    pub fn translated(
        code: ErrorCode,
        tr: &fc_i18n::Translator,
        id: &str,
        args: &[(&str, fc_i18n::Arg)],
    ) -> IpcError {
        IpcError::new(code, tr.t_args(id, args))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_to_the_stable_shape() {
        let cases = [
            (ErrorCode::InvalidInput, "invalid_input"),
            (ErrorCode::NotFound, "not_found"),
            (ErrorCode::Unavailable, "unavailable"),
            (ErrorCode::Internal, "internal"),
        ];
        for (code, wire) in cases {
            let err = IpcError::new(code, "boom");
            let json = serde_json::to_value(&err).unwrap();
            assert_eq!(json, serde_json::json!({ "code": wire, "message": "boom" }));
            assert_eq!(code.to_string(), wire, "Display must match the wire form");
            assert_eq!(err.to_string(), format!("{wire}: boom"));
        }
    }

    #[test]
    fn core_errors_map_to_stable_codes_with_clean_messages() {
        let en = fc_i18n::Translator::new(fc_i18n::Lang::En);
        let es = fc_i18n::Translator::new(fc_i18n::Lang::Es);
        let invalid = fc_core::CoreError::Invalid {
            what: "currency".into(),
            why: "must be a three-letter ISO code".into(),
        };
        let e = IpcError::from_core(&invalid, &en);
        assert_eq!(e.code, ErrorCode::InvalidInput);
        assert_eq!(e.message, "currency: must be a three-letter ISO code");

        let missing = fc_core::CoreError::NotFound {
            what: "event x".into(),
        };
        assert_eq!(IpcError::from_core(&missing, &en).code, ErrorCode::NotFound);
        assert!(
            IpcError::from_core(&missing, &es)
                .message
                .contains("no existe")
        );

        // The internal reason stays in the log, never in the message.
        let internal = fc_core::CoreError::Internal("SELECT * FROM secrets".into());
        let e = IpcError::from_core(&internal, &en);
        assert_eq!(e.code, ErrorCode::Internal);
        assert!(!e.message.contains("SELECT"), "{}", e.message);
        assert_eq!(e.message, en.t("error-app-internal"));

        assert_eq!(ipc_code("store_busy"), ErrorCode::Unavailable);
        assert_eq!(ipc_code("store_internal"), ErrorCode::Internal);
        assert_eq!(ipc_code("ambiguous_dates"), ErrorCode::InvalidInput);
        assert_eq!(ipc_code("import_missing_column"), ErrorCode::InvalidInput);
        assert_eq!(ipc_code("something_new"), ErrorCode::Internal);
    }
}
