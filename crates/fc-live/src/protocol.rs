//! The feed protocol, version 1 (see `PROTOCOL.md`): JSON text messages over
//! one WebSocket at `/feed/v1`.
//!
//! Every message is an object with a `type`. The server numbers batches with a
//! monotonic `seq`; the client acknowledges with `ack{seq}` after its commit
//! and resumes after its last committed `seq` on reconnect.

use fc_model::{TelemetryPoint, TruckProfile};
use serde::{Deserialize, Serialize};

/// The protocol version this build speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// The WebSocket path of this protocol version.
pub const FEED_PATH: &str = "/feed/v1";

/// Largest text message the client accepts by default, bytes. Anything larger is
/// counted as oversized and dropped unparsed.
pub const DEFAULT_MAX_MESSAGE_BYTES: usize = 4 << 20;

/// Client to server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientMsg {
    /// First message of a connection.
    Hello(Hello),
    /// Everything up to and including `seq` is committed on the client.
    Ack {
        /// Last committed batch.
        seq: i64,
    },
    /// Keep-alive (sent when nothing else was sent for a heartbeat interval).
    Heartbeat {
        /// Sender's wall clock, UTC ms.
        ts_ms: i64,
    },
}

/// The client's greeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hello {
    /// Protocol version; must equal the one in the path.
    pub version: u32,
    /// Shared secret of the feed.
    pub token: String,
    /// Resume after this batch (the client's committed cursor); `None` for "from the
    /// oldest batch the server still keeps".
    pub resume_after: Option<i64>,
    /// Client name and version, for logs.
    pub client: String,
}

/// Server to client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerMsg {
    /// Answer to a valid `hello`.
    Welcome(Welcome),
    /// Truck profiles (tanks, calibrations); not numbered, idempotent, sent after `welcome`.
    Trucks {
        /// Profiles, at most a few hundred per message.
        trucks: Vec<TruckProfile>,
    },
    /// A numbered batch of canonical points.
    Batch(Batch),
    /// Keep-alive with the server's newest `seq`.
    Heartbeat {
        /// Newest batch the server has.
        head: i64,
        /// Server wall clock, UTC ms.
        ts_ms: i64,
    },
    /// The requested cursor is no longer (or not) in the replay window: the stream
    /// continues with `resume_from`; the batches in between are lost to this client.
    CursorExpired {
        /// What the client asked to resume after.
        requested: i64,
        /// First batch that will be sent next.
        resume_from: i64,
        /// Newest batch the server has.
        head: i64,
    },
    /// A finite source (a CSV replay, a simulation with an end) has sent everything.
    EndOfStream {
        /// The last batch of the stream.
        last_seq: i64,
    },
    /// A refusal; the server closes the connection after it.
    Error {
        /// Stable code: `unauthorized`, `unsupported_version`, `bad_request`.
        code: String,
        /// Human-readable details.
        message: String,
    },
}

/// The server's greeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Welcome {
    /// Protocol version spoken.
    pub version: u32,
    /// Identifies the server's stream (changes when the stream restarts from seq 1).
    pub stream: String,
    /// Interval of the server's heartbeats, ms; the client declares the connection dead
    /// after three intervals of silence.
    pub heartbeat_ms: u64,
    /// Oldest batch still in the replay window (`head + 1` when empty).
    pub oldest: i64,
    /// Newest batch (0 before the first).
    pub head: i64,
    /// Most unacknowledged batches the server sends before waiting for an `ack`.
    pub window: u32,
}

/// One numbered batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Batch {
    /// Monotonic, gap-free sequence number (1, 2, ...).
    pub seq: i64,
    /// When the gateway emitted the batch, UTC ms (feed-to-bus latency is measured from here).
    pub emitted_ms: i64,
    /// Canonical points (units of `fc_model`).
    pub points: Vec<TelemetryPoint>,
}

/// Why a received text could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reject {
    /// Larger than the limit.
    Oversized,
    /// Not JSON, or JSON of the wrong shape for a known type.
    Malformed,
    /// A well-formed object with an unknown `type`.
    Unknown,
}

impl Reject {
    /// Stable code, for logs and counters.
    pub fn code(self) -> &'static str {
        match self {
            Reject::Oversized => "oversized",
            Reject::Malformed => "malformed",
            Reject::Unknown => "unknown",
        }
    }
}

const SERVER_TYPES: &[&str] = &[
    "welcome",
    "trucks",
    "batch",
    "heartbeat",
    "cursor_expired",
    "end_of_stream",
    "error",
];
const CLIENT_TYPES: &[&str] = &["hello", "ack", "heartbeat"];

fn decode<T: for<'de> Deserialize<'de>>(
    text: &str,
    max_bytes: usize,
    known: &[&str],
) -> Result<T, Reject> {
    if text.len() > max_bytes {
        return Err(Reject::Oversized);
    }
    match serde_json::from_str::<T>(text) {
        Ok(m) => Ok(m),
        Err(_) => {
            // Tell an unknown type (a newer peer) from garbage, so that logs say which.
            #[derive(Deserialize)]
            struct Tag {
                #[serde(rename = "type")]
                kind: String,
            }
            match serde_json::from_str::<Tag>(text) {
                Ok(t) if !known.contains(&t.kind.as_str()) => Err(Reject::Unknown),
                _ => Err(Reject::Malformed),
            }
        }
    }
}

/// Whether a server message is a batch: our gateway writes `type` first; any other
/// key order is found by a scan that skips every other value without building it.
fn is_batch(text: &str) -> bool {
    const HEAD: &str = r#"{"type":"#;
    if let Some(rest) = text.trim_start().strip_prefix(HEAD) {
        return rest.trim_start().starts_with(r#""batch""#);
    }
    #[derive(Deserialize)]
    struct Tag<'a> {
        #[serde(rename = "type", borrow)]
        kind: std::borrow::Cow<'a, str>,
    }
    serde_json::from_str::<Tag<'_>>(text).is_ok_and(|t| t.kind == "batch")
}

impl ServerMsg {
    /// Parses a server message no larger than `max_bytes`.
    pub fn decode(text: &str, max_bytes: usize) -> Result<ServerMsg, Reject> {
        if text.len() > max_bytes {
            return Err(Reject::Oversized);
        }
        // Batches are nearly all the traffic. serde parses an internally tagged enum
        // through a buffered tree of every value (each point built twice); a batch
        // goes straight into its struct (the `type` key is ignored there).
        if is_batch(text)
            && let Ok(b) = serde_json::from_str::<Batch>(text)
        {
            return Ok(ServerMsg::Batch(b));
        }
        decode(text, max_bytes, SERVER_TYPES)
    }

    /// The JSON text.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl ClientMsg {
    /// Parses a client message no larger than `max_bytes`.
    pub fn decode(text: &str, max_bytes: usize) -> Result<ClientMsg, Reject> {
        decode(text, max_bytes, CLIENT_TYPES)
    }

    /// The JSON text.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_types_are_told_from_garbage() {
        let max = 1 << 10;
        assert_eq!(
            ServerMsg::decode(r#"{"type":"weather","x":1}"#, max),
            Err(Reject::Unknown)
        );
        assert_eq!(ServerMsg::decode("{{nope", max), Err(Reject::Malformed));
        assert_eq!(
            ServerMsg::decode(r#"{"type":"batch","seq":"x"}"#, max),
            Err(Reject::Malformed)
        );
        assert_eq!(
            ServerMsg::decode(&format!("\"{}\"", "x".repeat(2000)), max),
            Err(Reject::Oversized)
        );
        assert!(matches!(
            ClientMsg::decode(r#"{"type":"ack","seq":7}"#, max),
            Ok(ClientMsg::Ack { seq: 7 })
        ));
    }
}
