//! The feed client: connects with the token, resumes after the committed
//! cursor, reconnects with exponential backoff and full jitter, declares a
//! silent connection dead after three heartbeat intervals, and hands batches
//! to the pipeline through a bounded queue (when the pipeline is behind, the
//! client stops reading, and TCP and the server's ack window push back).
//!
//! A malformed, oversized or unknown message is counted and logged and never
//! stops the client. Acks carry the pipeline's committed cursor only.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use fc_model::{TelemetryPoint, TruckProfile};
use futures::{SinkExt, StreamExt};
use rand::Rng;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};

use crate::now_ms;
use crate::protocol::{
    ClientMsg, DEFAULT_MAX_MESSAGE_BYTES, Hello, PROTOCOL_VERSION, Reject, ServerMsg,
};

/// Feed client settings.
#[derive(Debug, Clone)]
pub struct FeedClientConfig {
    /// `ws://host:port/feed/v1`.
    pub url: String,
    /// The feed's token.
    pub token: String,
    /// Largest message accepted; larger ones are counted as oversized and skipped.
    pub max_message_bytes: usize,
    /// First reconnect delay.
    pub backoff_min: Duration,
    /// Longest reconnect delay.
    pub backoff_max: Duration,
    /// Connect (TCP + WebSocket handshake + welcome) timeout.
    pub connect_timeout: Duration,
}

impl FeedClientConfig {
    /// Defaults for a URL and token.
    pub fn new(url: impl Into<String>, token: impl Into<String>) -> Self {
        FeedClientConfig {
            url: url.into(),
            token: token.into(),
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            backoff_min: Duration::from_millis(100),
            backoff_max: Duration::from_secs(10),
            connect_timeout: Duration::from_secs(10),
        }
    }
}

/// What the client hands to the pipeline.
#[derive(Debug, Clone, PartialEq)]
pub enum FeedEvent {
    /// A batch, in seq order, never one at or below a seq already handed over.
    Batch {
        /// Its seq.
        seq: i64,
        /// When the gateway emitted it, UTC ms.
        emitted_ms: i64,
        /// The points, as received (the pipeline validates them).
        points: Vec<TelemetryPoint>,
    },
    /// Truck profiles announced by the gateway.
    Trucks(Vec<TruckProfile>),
    /// Batches `after + 1 .. resume_from` will never come (cursor expired).
    Gap {
        /// Last seq the client had.
        after: i64,
        /// Where the stream continues.
        resume_from: i64,
    },
    /// The source has sent everything up to `last_seq`.
    End {
        /// The last batch of the stream.
        last_seq: i64,
    },
}

/// What the client has seen, for `fleet-stats` and logs.
#[derive(Debug, Default)]
pub struct FeedCounters {
    /// Currently connected (after a welcome).
    pub connected: AtomicBool,
    /// Successful connections (welcomes).
    pub connects: AtomicU64,
    /// Connections lost or given up (reconnects follow).
    pub disconnects: AtomicU64,
    /// Connection attempts that failed before a welcome.
    pub failed_attempts: AtomicU64,
    /// Connections declared dead after heartbeat silence.
    pub heartbeat_timeouts: AtomicU64,
    /// Messages that were not JSON or not the shape of their type.
    pub malformed: AtomicU64,
    /// Messages over the size limit.
    pub oversized: AtomicU64,
    /// Messages of an unknown type, and binary frames.
    pub unknown: AtomicU64,
    /// Batches at or below the seq already handed over (ignored).
    pub repeated: AtomicU64,
    /// Batches received.
    pub batches: AtomicU64,
    /// Points received.
    pub points: AtomicU64,
    /// Cursor-expired resyncs.
    pub gaps: AtomicU64,
    /// Refusals by the server (`error` messages), e.g. a wrong token.
    pub refusals: AtomicU64,
    /// Last error code the server sent (`unauthorized`, ...), 0 = none; see [`FeedCounters::last_refusal`].
    last_refusal: AtomicU64,
    /// Newest seq the server announced.
    pub server_head: AtomicI64,
}

const REFUSALS: [&str; 4] = ["", "unauthorized", "unsupported_version", "bad_request"];

impl FeedCounters {
    /// The last refusal code the server sent, if any.
    pub fn last_refusal(&self) -> Option<&'static str> {
        let i = self.last_refusal.load(Ordering::Relaxed) as usize;
        (i > 0).then(|| REFUSALS.get(i).copied().unwrap_or("other"))
    }

    fn count_reject(&self, r: Reject, len: usize) {
        let c = match r {
            Reject::Oversized => &self.oversized,
            Reject::Malformed => &self.malformed,
            Reject::Unknown => &self.unknown,
        };
        c.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(reject = r.code(), bytes = len, "feed message skipped");
    }
}

/// Starts the client. `start_after` is the committed cursor from the store;
/// `committed` follows the pipeline's commits (acks are sent from it); the
/// client stops when `shutdown` turns true or the queue's receiver is dropped.
pub fn spawn_feed_client(
    config: FeedClientConfig,
    start_after: Option<i64>,
    tx: mpsc::Sender<FeedEvent>,
    committed: watch::Receiver<i64>,
    shutdown: watch::Receiver<bool>,
) -> (JoinHandle<()>, Arc<FeedCounters>) {
    let counters = Arc::new(FeedCounters::default());
    let c = Arc::clone(&counters);
    let task = tokio::spawn(async move {
        run(config, start_after, tx, committed, shutdown, &c).await;
        c.connected.store(false, Ordering::Relaxed);
    });
    (task, counters)
}

enum End {
    /// Reconnect after a backoff.
    Retry,
    /// Stop the client.
    Stop,
}

async fn run(
    cfg: FeedClientConfig,
    start_after: Option<i64>,
    tx: mpsc::Sender<FeedEvent>,
    mut committed: watch::Receiver<i64>,
    mut shutdown: watch::Receiver<bool>,
    counters: &FeedCounters,
) {
    // Highest seq handed to the pipeline in this process: a reconnect resumes after it,
    // since everything handed over is already in the pipeline's hands.
    let mut delivered = start_after;
    let mut attempt: u32 = 0;
    loop {
        if *shutdown.borrow() {
            return;
        }
        let outcome = session(
            &cfg,
            &mut delivered,
            &tx,
            &mut committed,
            &mut shutdown,
            counters,
            &mut attempt,
        )
        .await;
        if counters.connected.swap(false, Ordering::Relaxed) {
            counters.disconnects.fetch_add(1, Ordering::Relaxed);
        }
        if let End::Stop = outcome {
            return;
        }
        // Exponential backoff with full jitter, so that a fleet of clients does not
        // reconnect in lockstep after a server restart.
        let cap = cfg
            .backoff_min
            .saturating_mul(1u32 << attempt.min(16))
            .min(cfg.backoff_max);
        attempt = attempt.saturating_add(1);
        let wait = Duration::from_millis(rand::rng().random_range(0..=cap.as_millis() as u64));
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => return,
        }
    }
}

#[allow(clippy::too_many_arguments)]
async fn session(
    cfg: &FeedClientConfig,
    delivered: &mut Option<i64>,
    tx: &mpsc::Sender<FeedEvent>,
    committed: &mut watch::Receiver<i64>,
    shutdown: &mut watch::Receiver<bool>,
    counters: &FeedCounters,
    attempt: &mut u32,
) -> End {
    // tungstenite refuses past its own limit (the connection is then unusable); below it,
    // our limit skips the message and keeps the connection.
    let hard = cfg.max_message_bytes.saturating_mul(2).max(64 << 10);
    // tungstenite zero-fills up to `read_buffer_size` before every socket read (also
    // reads that would block): at the default 128 KiB that memset was a fifth of the
    // client's instructions. 16 KiB reads still take a batch in a few syscalls.
    let ws_cfg = WebSocketConfig::default()
        .max_message_size(Some(hard))
        .max_frame_size(Some(hard))
        .read_buffer_size(16 << 10);
    let connect = async {
        let (mut ws, _) =
            tokio_tungstenite::connect_async_with_config(cfg.url.as_str(), Some(ws_cfg), true)
                .await
                .map_err(|e| format!("connect: {e}"))?;
        let hello = ClientMsg::Hello(Hello {
            version: PROTOCOL_VERSION,
            token: cfg.token.clone(),
            resume_after: *delivered,
            client: concat!("fuelcopilot/", env!("CARGO_PKG_VERSION")).into(),
        });
        ws.send(Message::text(hello.encode()))
            .await
            .map_err(|e| format!("hello: {e}"))?;
        // The first message must be the welcome (or a refusal).
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) => match ServerMsg::decode(t.as_str(), hard) {
                    Ok(ServerMsg::Welcome(w)) => return Ok((ws, w)),
                    Ok(ServerMsg::Error { code, message }) => {
                        return Err(format!("refused: {code}: {message}|{code}"));
                    }
                    Ok(_) => return Err("no welcome".to_string()),
                    Err(r) => counters.count_reject(r, t.len()),
                },
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(format!("welcome: {e}")),
                None => return Err("closed before welcome".to_string()),
            }
        }
    };
    let (mut ws, welcome) = tokio::select! {
        r = tokio::time::timeout(cfg.connect_timeout, connect) => match r {
            Ok(Ok(x)) => x,
            Ok(Err(why)) => {
                counters.failed_attempts.fetch_add(1, Ordering::Relaxed);
                if let Some((_, code)) = why.rsplit_once('|') {
                    counters.refusals.fetch_add(1, Ordering::Relaxed);
                    let i = REFUSALS.iter().position(|c| *c == code).unwrap_or(3);
                    counters.last_refusal.store(i as u64, Ordering::Relaxed);
                    // A refusal will not fix itself soon: wait the longest backoff.
                    *attempt = 16;
                }
                tracing::warn!(url = %cfg.url, why, "feed connection failed");
                return End::Retry;
            }
            Err(_) => {
                counters.failed_attempts.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(url = %cfg.url, "feed connection timed out");
                return End::Retry;
            }
        },
        _ = shutdown.changed() => return End::Stop,
    };
    *attempt = 0;
    counters.connected.store(true, Ordering::Relaxed);
    counters.connects.fetch_add(1, Ordering::Relaxed);
    counters.server_head.store(welcome.head, Ordering::Relaxed);
    tracing::info!(url = %cfg.url, stream = %welcome.stream, head = welcome.head, "feed connected");
    let hb = Duration::from_millis(welcome.heartbeat_ms.clamp(10, 600_000));
    let mut beat = tokio::time::interval(hb);
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut acked = i64::MIN;
    let mut last_heard = tokio::time::Instant::now();
    loop {
        let msg = tokio::select! {
            m = ws.next() => m,
            r = committed.changed() => {
                if r.is_err() {
                    return End::Stop;
                }
                let seq = *committed.borrow_and_update();
                if seq > acked {
                    acked = seq;
                    if ws.send(Message::text(ClientMsg::Ack { seq }.encode())).await.is_err() {
                        return End::Retry;
                    }
                }
                continue;
            }
            _ = beat.tick() => {
                if last_heard.elapsed() > hb * 3 {
                    counters.heartbeat_timeouts.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(url = %cfg.url, "feed silent for three heartbeats; reconnecting");
                    return End::Retry;
                }
                if ws.send(Message::text(ClientMsg::Heartbeat { ts_ms: now_ms() }.encode())).await.is_err() {
                    return End::Retry;
                }
                continue;
            }
            _ = shutdown.changed() => {
                let _ = ws.close(None).await;
                return End::Stop;
            }
        };
        last_heard = tokio::time::Instant::now();
        let text = match msg {
            Some(Ok(Message::Text(t))) => t,
            Some(Ok(Message::Binary(b))) => {
                counters.count_reject(Reject::Unknown, b.len());
                continue;
            }
            Some(Ok(Message::Close(_))) | None => return End::Retry,
            Some(Ok(_)) => continue, // ping/pong: answered by tungstenite
            Some(Err(WsError::Capacity(_))) => {
                counters.count_reject(Reject::Oversized, hard);
                return End::Retry;
            }
            Some(Err(e)) => {
                tracing::warn!(url = %cfg.url, error = %e, "feed connection lost");
                return End::Retry;
            }
        };
        // `delivered` moves only once the event is in the queue: a connection lost while
        // waiting for room resumes before it.
        let mut advance = None;
        let event = match ServerMsg::decode(text.as_str(), cfg.max_message_bytes) {
            Err(r) => {
                counters.count_reject(r, text.len());
                continue;
            }
            Ok(ServerMsg::Batch(b)) => {
                if delivered.is_some_and(|d| b.seq <= d) {
                    counters.repeated.fetch_add(1, Ordering::Relaxed);
                    continue;
                }
                if let Some(d) = *delivered
                    && b.seq != d + 1
                {
                    // A batch went missing on this connection (e.g. it was skipped as
                    // oversized): resume after what we have, the server resends.
                    tracing::warn!(expected = d + 1, got = b.seq, "feed seq jumped; resuming");
                    return End::Retry;
                }
                counters.batches.fetch_add(1, Ordering::Relaxed);
                counters
                    .points
                    .fetch_add(b.points.len() as u64, Ordering::Relaxed);
                counters.server_head.fetch_max(b.seq, Ordering::Relaxed);
                advance = Some(b.seq);
                FeedEvent::Batch {
                    seq: b.seq,
                    emitted_ms: b.emitted_ms,
                    points: b.points,
                }
            }
            Ok(ServerMsg::Trucks { trucks }) => FeedEvent::Trucks(trucks),
            Ok(ServerMsg::Heartbeat { head, .. }) => {
                counters.server_head.fetch_max(head, Ordering::Relaxed);
                continue;
            }
            Ok(ServerMsg::CursorExpired {
                requested,
                resume_from,
                ..
            }) => {
                counters.gaps.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(
                    requested,
                    resume_from,
                    "feed cursor expired; resyncing, the gap is recorded"
                );
                advance = Some(resume_from - 1);
                FeedEvent::Gap {
                    after: requested,
                    resume_from,
                }
            }
            Ok(ServerMsg::EndOfStream { last_seq }) => FeedEvent::End { last_seq },
            Ok(ServerMsg::Welcome(_)) => {
                counters.count_reject(Reject::Malformed, text.len());
                continue;
            }
            Ok(ServerMsg::Error { code, message }) => {
                counters.refusals.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(code, message, "feed server error");
                return End::Retry;
            }
        };
        // Bounded queue: wait for room, but keep acking and watch for shutdown meanwhile.
        let mut pending = Some(event);
        while let Some(ev) = pending.take() {
            tokio::select! {
                permit = tx.reserve() => match permit {
                    Ok(p) => {
                        p.send(ev);
                        if advance.is_some() {
                            *delivered = advance;
                        }
                    }
                    Err(_) => return End::Stop,
                },
                r = committed.changed() => {
                    pending = Some(ev);
                    if r.is_err() {
                        return End::Stop;
                    }
                    let seq = *committed.borrow_and_update();
                    if seq > acked {
                        acked = seq;
                        if ws.send(Message::text(ClientMsg::Ack { seq }.encode())).await.is_err() {
                            return End::Retry;
                        }
                    }
                }
                _ = shutdown.changed() => return End::Stop,
            }
        }
    }
}
