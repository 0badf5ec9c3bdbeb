//! The feed gateway (`fuelcopilot serve-feed`): numbers the source's points
//! into batches, keeps a replay window of them, and serves any number of
//! clients over `/feed/v1`, each from its own cursor, with an ack window.
//!
//! [`Chaos`] makes it misbehave on purpose (drops connections, sends garbage,
//! oversized and unknown messages, repeats batches) so that clients can be
//! tested against a hostile network; it is off unless asked for.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use fc_model::{TelemetryPoint, TruckProfile};
use futures::{SinkExt, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Message, Utf8Bytes};

use crate::protocol::{Batch, ClientMsg, FEED_PATH, PROTOCOL_VERSION, ServerMsg, Welcome};
use crate::source::Source;
use crate::{LiveError, now_ms, token_matches};

/// Gateway settings.
#[derive(Debug, Clone)]
pub struct GatewayConfig {
    /// Where to listen (loopback by default).
    pub listen: SocketAddr,
    /// The token clients must present in `hello`.
    pub token: String,
    /// Heartbeat interval.
    pub heartbeat_ms: u64,
    /// Most unacknowledged batches in flight per client.
    pub window: u32,
    /// Batches kept for resuming clients (the replay window).
    pub replay_batches: usize,
    /// And at most this many bytes of them (encoded).
    pub replay_bytes: usize,
    /// Most points per batch.
    pub max_batch_points: usize,
    /// Deliberate misbehaviour, for testing clients.
    pub chaos: Chaos,
}

impl Default for GatewayConfig {
    fn default() -> Self {
        GatewayConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            token: String::new(),
            heartbeat_ms: 2_000,
            window: 256,
            replay_batches: 100_000,
            replay_bytes: 256 << 20,
            max_batch_points: 1_000,
            chaos: Chaos::default(),
        }
    }
}

/// Deliberate misbehaviour (all off by default).
#[derive(Debug, Clone, Default)]
pub struct Chaos {
    /// Cut every connection abruptly (no close frame) this long after it opened.
    pub drop_after_ms: Option<u64>,
    /// Before every n-th batch, send one bad message: garbage, an oversized text, an
    /// unknown type, a binary frame, or a repeat of an earlier batch, in turn.
    pub bad_every: Option<u32>,
    /// Size of the oversized messages, bytes.
    pub oversized_bytes: usize,
}

/// Counters of a running gateway.
#[derive(Debug, Default)]
pub struct GatewayCounters {
    /// Batches produced.
    pub batches: AtomicU64,
    /// Points produced.
    pub points: AtomicU64,
    /// Sum (wrapping) of [`crate::key_digest`] over the points produced.
    pub digest: AtomicU64,
    /// Connections accepted (handshake done).
    pub connections: AtomicU64,
    /// Connections refused (bad path, token or version).
    pub refused: AtomicU64,
    /// Batches sent, resends included.
    pub sent_batches: AtomicU64,
    /// Bad messages sent on purpose ([`Chaos`]).
    pub chaos_messages: AtomicU64,
    /// Connections cut on purpose ([`Chaos`]).
    pub chaos_drops: AtomicU64,
    /// When the first and the latest batch were produced, UTC ms (0: none yet): the
    /// rate the source offered is `points` over that span.
    pub first_batch_ms: AtomicI64,
    /// See `first_batch_ms`.
    pub last_batch_ms: AtomicI64,
}

struct Entry {
    seq: i64,
    text: Utf8Bytes,
}

struct JournalInner {
    entries: VecDeque<Arc<Entry>>,
    bytes: usize,
    head: i64,
    ended: bool,
    trucks: Vec<TruckProfile>,
}

/// The numbered batches still kept, shared by the producer and the connections.
struct Journal {
    inner: Mutex<JournalInner>,
    cap: usize,
    cap_bytes: usize,
    head_tx: watch::Sender<i64>,
    stream: String,
}

impl Journal {
    fn lock(&self) -> std::sync::MutexGuard<'_, JournalInner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn append(&self, points: Vec<TelemetryPoint>) {
        let mut j = self.lock();
        j.head += 1;
        let seq = j.head;
        let batch = ServerMsg::Batch(Batch {
            seq,
            emitted_ms: now_ms(),
            points,
        });
        let text = Utf8Bytes::from(batch.encode());
        j.bytes += text.len();
        j.entries.push_back(Arc::new(Entry { seq, text }));
        while j.entries.len() > self.cap || (j.bytes > self.cap_bytes && j.entries.len() > 1) {
            if let Some(e) = j.entries.pop_front() {
                j.bytes -= e.text.len();
            }
        }
        drop(j);
        self.head_tx.send_replace(seq);
    }

    /// (oldest, head).
    fn bounds(&self) -> (i64, i64) {
        let j = self.lock();
        let oldest = j.entries.front().map_or(j.head + 1, |e| e.seq);
        (oldest, j.head)
    }

    /// The entry `seq`, or `None` if evicted or not yet produced.
    fn get(&self, seq: i64) -> Option<Arc<Entry>> {
        let j = self.lock();
        let first = j.entries.front()?.seq;
        let i = usize::try_from(seq - first).ok()?;
        j.entries.get(i).cloned()
    }
}

/// A bound gateway, not yet serving.
pub struct Gateway {
    listener: TcpListener,
    config: GatewayConfig,
}

/// A serving gateway.
pub struct GatewayHandle {
    addr: SocketAddr,
    journal: Arc<Journal>,
    counters: Arc<GatewayCounters>,
    shutdown: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Gateway {
    /// Binds the listen address.
    pub async fn bind(config: GatewayConfig) -> Result<Gateway, LiveError> {
        if config.window == 0 || config.replay_batches == 0 || config.max_batch_points == 0 {
            return Err(LiveError::Invalid {
                what: "gateway".into(),
                why: "window, replay window and batch size must be at least 1".into(),
            });
        }
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|e| LiveError::Bind {
                addr: config.listen.to_string(),
                source: e,
            })?;
        Ok(Gateway { listener, config })
    }

    /// The bound address (with the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or(self.config.listen)
    }

    /// Starts the source and serves clients until [`GatewayHandle::shutdown`].
    pub fn serve(self, source: Source) -> Result<GatewayHandle, LiveError> {
        let addr = self.local_addr();
        let started = source.start()?;
        let (head_tx, _) = watch::channel(0i64);
        let journal = Arc::new(Journal {
            inner: Mutex::new(JournalInner {
                entries: VecDeque::new(),
                bytes: 0,
                head: 0,
                ended: false,
                trucks: started.trucks,
            }),
            cap: self.config.replay_batches,
            cap_bytes: self.config.replay_bytes.max(1),
            head_tx,
            stream: format!("{:x}-{:x}", now_ms(), rand::random::<u32>()),
        });
        let counters = Arc::new(GatewayCounters::default());
        let (shutdown, shutdown_rx) = watch::channel(false);
        let mut tasks = Vec::new();
        let (j, c, max) = (
            Arc::clone(&journal),
            Arc::clone(&counters),
            self.config.max_batch_points,
        );
        let mut rx = started.rx;
        tasks.push(tokio::spawn(async move {
            while let Some(mut chunk) = rx.recv().await {
                while !chunk.is_empty() {
                    let rest = if chunk.len() > max {
                        chunk.split_off(max)
                    } else {
                        Vec::new()
                    };
                    c.batches.fetch_add(1, Ordering::Relaxed);
                    c.points.fetch_add(chunk.len() as u64, Ordering::Relaxed);
                    let d = chunk.iter().fold(0u64, |a, p| {
                        a.wrapping_add(crate::key_digest(&p.truck_id, p.ts))
                    });
                    c.digest.fetch_add(d, Ordering::Relaxed);
                    let now = now_ms();
                    let _ = c.first_batch_ms.compare_exchange(
                        0,
                        now,
                        Ordering::Relaxed,
                        Ordering::Relaxed,
                    );
                    c.last_batch_ms.store(now, Ordering::Relaxed);
                    j.append(chunk);
                    chunk = rest;
                }
            }
            j.lock().ended = true;
            // Wake the connections so that they send `end_of_stream`.
            j.head_tx.send_modify(|_| {});
        }));
        let config = Arc::new(self.config);
        let (j, c, listener) = (Arc::clone(&journal), Arc::clone(&counters), self.listener);
        let mut stop = shutdown_rx.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((stream, peer)) = accepted else { continue };
                        let _ = stream.set_nodelay(true);
                        let (j, c, cfg, stop) =
                            (Arc::clone(&j), Arc::clone(&c), Arc::clone(&config), shutdown_rx.clone());
                        tokio::spawn(async move {
                            if let Err(why) = connection(stream, &j, &c, &cfg, stop).await {
                                tracing::debug!(%peer, why, "feed connection ended");
                            }
                        });
                    }
                    _ = stop.changed() => return,
                }
            }
        }));
        Ok(GatewayHandle {
            addr,
            journal,
            counters,
            shutdown,
            tasks,
        })
    }
}

impl GatewayHandle {
    /// The listening address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The feed URL clients connect to.
    pub fn url(&self) -> String {
        format!("ws://{}{FEED_PATH}", self.addr)
    }

    /// Counters so far.
    pub fn counters(&self) -> &GatewayCounters {
        &self.counters
    }

    /// Newest batch produced.
    pub fn head(&self) -> i64 {
        self.journal.bounds().1
    }

    /// Whether the source has ended (every batch is produced).
    pub fn ended(&self) -> bool {
        self.journal.lock().ended
    }

    /// Waits until the source has ended; returns the last seq.
    pub async fn wait_ended(&self) -> i64 {
        let mut rx = self.journal.head_tx.subscribe();
        loop {
            if self.ended() {
                return self.head();
            }
            if rx.changed().await.is_err() {
                return self.head();
            }
        }
    }

    /// Ends the stream now (the source stops; clients get `end_of_stream` once they
    /// have everything); the gateway keeps serving and resuming clients.
    pub async fn end_source(&mut self) {
        if let Some(producer) = self.tasks.first() {
            producer.abort();
        }
        if let Some(producer) = self.tasks.first_mut() {
            let _ = producer.await;
        }
        self.journal.lock().ended = true;
        self.journal.head_tx.send_modify(|_| {});
    }

    /// Stops accepting, closes the connections and stops the source.
    pub async fn shutdown(self) {
        self.shutdown.send_replace(true);
        for t in self.tasks {
            t.abort();
            let _ = t.await;
        }
    }
}

type Ws = tokio_tungstenite::WebSocketStream<TcpStream>;

async fn send(ws: &mut Ws, msg: &ServerMsg) -> Result<(), &'static str> {
    ws.send(Message::text(msg.encode()))
        .await
        .map_err(|_| "send failed")
}

async fn refuse(ws: &mut Ws, code: &str, message: &str) {
    let _ = send(
        ws,
        &ServerMsg::Error {
            code: code.into(),
            message: message.into(),
        },
    )
    .await;
    let _ = ws.close(None).await;
}

async fn connection(
    stream: TcpStream,
    journal: &Journal,
    counters: &GatewayCounters,
    cfg: &GatewayConfig,
    mut stop: watch::Receiver<bool>,
) -> Result<(), &'static str> {
    #[allow(clippy::result_large_err)] // the handshake callback's signature is tungstenite's
    let check_path = |req: &Request, resp: Response| -> Result<Response, ErrorResponse> {
        if req.uri().path() == FEED_PATH {
            Ok(resp)
        } else {
            let mut e = ErrorResponse::new(Some(format!(
                "unknown path; this server speaks {FEED_PATH}"
            )));
            *e.status_mut() = tokio_tungstenite::tungstenite::http::StatusCode::NOT_FOUND;
            Err(e)
        }
    };
    let ws_cfg = WebSocketConfig::default().max_message_size(Some(1 << 20));
    let mut ws = match tokio::time::timeout(
        Duration::from_secs(10),
        tokio_tungstenite::accept_hdr_async_with_config(stream, check_path, Some(ws_cfg)),
    )
    .await
    {
        Ok(Ok(ws)) => ws,
        _ => {
            counters.refused.fetch_add(1, Ordering::Relaxed);
            return Err("handshake failed");
        }
    };
    // The hello must come first and soon.
    let hello = match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
        Ok(Some(Ok(Message::Text(t)))) => ClientMsg::decode(t.as_str(), 1 << 20),
        _ => {
            counters.refused.fetch_add(1, Ordering::Relaxed);
            return Err("no hello");
        }
    };
    let hello = match hello {
        Ok(ClientMsg::Hello(h)) => h,
        _ => {
            counters.refused.fetch_add(1, Ordering::Relaxed);
            refuse(&mut ws, "bad_request", "the first message must be a hello").await;
            return Err("bad hello");
        }
    };
    if hello.version != PROTOCOL_VERSION {
        counters.refused.fetch_add(1, Ordering::Relaxed);
        refuse(
            &mut ws,
            "unsupported_version",
            &format!("this server speaks version {PROTOCOL_VERSION} at {FEED_PATH}"),
        )
        .await;
        return Err("version");
    }
    if !token_matches(&hello.token, &cfg.token) {
        counters.refused.fetch_add(1, Ordering::Relaxed);
        refuse(
            &mut ws,
            "unauthorized",
            "the token is not valid for this feed",
        )
        .await;
        return Err("token");
    }
    counters.connections.fetch_add(1, Ordering::Relaxed);
    let (oldest, head) = journal.bounds();
    let trucks = journal.lock().trucks.clone();
    send(
        &mut ws,
        &ServerMsg::Welcome(Welcome {
            version: PROTOCOL_VERSION,
            stream: journal.stream.clone(),
            heartbeat_ms: cfg.heartbeat_ms,
            oldest,
            head,
            window: cfg.window,
        }),
    )
    .await?;
    for chunk in trucks.chunks(200) {
        send(
            &mut ws,
            &ServerMsg::Trucks {
                trucks: chunk.to_vec(),
            },
        )
        .await?;
    }
    let mut next = match hello.resume_after {
        None => oldest,
        Some(r) if r >= oldest - 1 && r <= head => r + 1,
        Some(r) => {
            // Older than the window, or ahead of this stream (it restarted): resync.
            send(
                &mut ws,
                &ServerMsg::CursorExpired {
                    requested: r,
                    resume_from: oldest,
                    head,
                },
            )
            .await?;
            oldest
        }
    };
    let mut acked = next - 1;
    let mut head_rx = journal.head_tx.subscribe();
    let hb = Duration::from_millis(cfg.heartbeat_ms.max(10));
    let mut beat = tokio::time::interval(hb);
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_heard = tokio::time::Instant::now();
    let drop_at = cfg
        .chaos
        .drop_after_ms
        .map(|ms| tokio::time::Instant::now() + Duration::from_millis(ms));
    let drop_timer = async move {
        match drop_at {
            Some(at) => tokio::time::sleep_until(at).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(drop_timer);
    let mut sent_end = false;
    let mut sent_count: u64 = 0;
    loop {
        // Send what the window allows.
        while next <= journal.bounds().1 && next <= acked + i64::from(cfg.window) {
            let Some(entry) = journal.get(next) else {
                let (oldest, head) = journal.bounds();
                if next < oldest {
                    send(
                        &mut ws,
                        &ServerMsg::CursorExpired {
                            requested: next - 1,
                            resume_from: oldest,
                            head,
                        },
                    )
                    .await?;
                    next = oldest;
                    acked = acked.max(next - 1);
                    continue;
                }
                break;
            };
            if let Some(n) = cfg.chaos.bad_every
                && n > 0
            {
                sent_count += 1;
                if sent_count.is_multiple_of(u64::from(n)) {
                    counters.chaos_messages.fetch_add(1, Ordering::Relaxed);
                    let bad = match (sent_count / u64::from(n)) % 5 {
                        0 => Message::text("{\"type\":\"batch\",\"seq\":"),
                        1 => Message::text("x".repeat(cfg.chaos.oversized_bytes.max(1))),
                        2 => Message::text(r#"{"type":"weather","rain_mm":3}"#),
                        3 => Message::binary(vec![0u8, 159, 146, 150]),
                        _ => match journal.get(entry.seq - 1) {
                            Some(prev) => Message::Text(prev.text.clone()),
                            None => Message::text("not json at all"),
                        },
                    };
                    ws.send(bad).await.map_err(|_| "send failed")?;
                }
            }
            ws.send(Message::Text(entry.text.clone()))
                .await
                .map_err(|_| "send failed")?;
            counters.sent_batches.fetch_add(1, Ordering::Relaxed);
            next += 1;
        }
        if !sent_end && journal.lock().ended && next > journal.bounds().1 {
            sent_end = true;
            send(
                &mut ws,
                &ServerMsg::EndOfStream {
                    last_seq: journal.bounds().1,
                },
            )
            .await?;
        }
        tokio::select! {
            _ = head_rx.changed() => {}
            msg = ws.next() => {
                last_heard = tokio::time::Instant::now();
                match msg {
                    Some(Ok(Message::Text(t))) => match ClientMsg::decode(t.as_str(), 1 << 20) {
                        Ok(ClientMsg::Ack { seq }) => acked = acked.max(seq.min(next - 1)),
                        Ok(_) => {}
                        Err(r) => tracing::debug!(reject = r.code(), "bad client message ignored"),
                    },
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Ok(()),
                    Some(Ok(_)) => {}
                }
            }
            _ = beat.tick() => {
                if last_heard.elapsed() > hb * 3 {
                    return Err("client silent");
                }
                send(&mut ws, &ServerMsg::Heartbeat { head: journal.bounds().1, ts_ms: now_ms() }).await?;
            }
            _ = &mut drop_timer => {
                counters.chaos_drops.fetch_add(1, Ordering::Relaxed);
                // Abrupt: drop the socket without a close frame, like a dying proxy.
                return Ok(());
            }
            _ = stop.changed() => {
                let _ = ws.close(None).await;
                return Ok(());
            }
        }
    }
}
