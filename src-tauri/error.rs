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
    /// A failure inside the app that the user cannot fix by changing the request.
    Internal,
}

impl ErrorCode {
    /// The wire form of the code, as serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::NotFound => "not_found",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_to_the_stable_shape() {
        let cases = [
            (ErrorCode::InvalidInput, "invalid_input"),
            (ErrorCode::NotFound, "not_found"),
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
}
