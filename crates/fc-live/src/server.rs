//! Server mode's WebSocket face of the bus (`fuelcopilot serve`):
//!
//! - `/ws/fleet`: a snapshot of every truck, then coalesced `truck_updates`
//!   (about every 250 ms) and every alert;
//! - `/ws/truck/{id}`: the same for one truck;
//! - `/ws/stats`: `fleet_stats` once a second;
//! - `/ws/alerts`: the alert outbox.
//!
//! `?after=SEQ` resumes alerts after an outbox seq (default: only new ones).
//! The token comes as `Authorization: Bearer TOKEN` or `?token=TOKEN`; without
//! it the handshake is refused with HTTP 401. Each connection may send a few
//! messages per second (a token bucket); past that it gets a `rate_limited`
//! error and is closed (policy violation). A slow reader never grows memory:
//! truck updates are coalesced per truck, stats are latest-only, and alerts
//! are re-read from the outbox.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use fc_store::Store;
use futures::{SinkExt, StreamExt};
use serde::Serialize;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::broadcast::error::RecvError;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::StatusCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;

use crate::bus::{Alert, Bus, Coalescer, FleetStats, TruckUpdate};
use crate::{LiveError, persist, token_matches};

/// Bus server settings.
#[derive(Debug, Clone)]
pub struct BusServerConfig {
    /// Where to listen.
    pub listen: SocketAddr,
    /// The token clients must present.
    pub token: String,
    /// Messages per second a client may send (sustained).
    pub inbound_per_s: f64,
    /// Messages a client may send in a burst.
    pub inbound_burst: f64,
    /// Coalescing interval of truck updates, ms.
    pub updates_ms: u64,
}

impl Default for BusServerConfig {
    fn default() -> Self {
        BusServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            token: String::new(),
            inbound_per_s: 5.0,
            inbound_burst: 20.0,
            updates_ms: 250,
        }
    }
}

/// A serving bus server.
pub struct BusServerHandle {
    addr: SocketAddr,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl BusServerHandle {
    /// The listening address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops accepting and closes the connections.
    pub async fn shutdown(self) {
        self.shutdown.send_replace(true);
        let _ = self.task.await;
    }
}

/// What a bus client receives.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Out<'a> {
    Snapshot { trucks: &'a [TruckUpdate] },
    TruckUpdates { updates: &'a [TruckUpdate] },
    Alert { alert: &'a Alert },
    FleetStats { stats: &'a FleetStats },
    Error { code: &'a str, message: &'a str },
}

#[derive(Debug, Clone, PartialEq)]
enum Route {
    Fleet,
    Truck(String),
    Stats,
    Alerts,
}

fn query_param<'a>(query: &'a str, key: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) =
                u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or(""), 16)
        {
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Starts the bus server.
pub async fn serve_bus(
    config: BusServerConfig,
    bus: Bus,
    store: Arc<Store>,
) -> Result<BusServerHandle, LiveError> {
    if !(config.inbound_per_s > 0.0 && config.inbound_burst >= 1.0) {
        return Err(LiveError::Invalid {
            what: "rate limit".into(),
            why: "give a positive rate and a burst of at least 1".into(),
        });
    }
    let listener = TcpListener::bind(config.listen)
        .await
        .map_err(|e| LiveError::Bind {
            addr: config.listen.to_string(),
            source: e,
        })?;
    let addr = listener.local_addr().unwrap_or(config.listen);
    let (shutdown, stop) = watch::channel(false);
    let config = Arc::new(config);
    let mut stop_accept = stop.clone();
    let task = tokio::spawn(async move {
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((stream, peer)) = accepted else { continue };
                    let _ = stream.set_nodelay(true);
                    let (cfg, bus, store, stop) =
                        (Arc::clone(&config), bus.clone(), Arc::clone(&store), stop.clone());
                    tokio::spawn(async move {
                        if let Err(why) = connection(stream, &cfg, &bus, &store, stop).await {
                            tracing::debug!(%peer, why, "bus connection ended");
                        }
                    });
                }
                _ = stop_accept.changed() => return,
            }
        }
    });
    Ok(BusServerHandle {
        addr,
        shutdown,
        task,
    })
}

struct Bucket {
    tokens: f64,
    last: tokio::time::Instant,
    rate: f64,
    burst: f64,
}

impl Bucket {
    fn take(&mut self) -> bool {
        let now = tokio::time::Instant::now();
        self.tokens =
            (self.tokens + now.duration_since(self.last).as_secs_f64() * self.rate).min(self.burst);
        self.last = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

type Ws = tokio_tungstenite::WebSocketStream<TcpStream>;

async fn send(ws: &mut Ws, out: &Out<'_>) -> Result<(), &'static str> {
    let text = serde_json::to_string(out).map_err(|_| "encode")?;
    ws.send(Message::text(text))
        .await
        .map_err(|_| "send failed")
}

async fn connection(
    stream: TcpStream,
    cfg: &BusServerConfig,
    bus: &Bus,
    store: &Store,
    mut stop: watch::Receiver<bool>,
) -> Result<(), &'static str> {
    let mut route: Option<(Route, Option<i64>)> = None;
    let token = cfg.token.clone();
    let slot = &mut route;
    #[allow(clippy::result_large_err)] // the handshake callback's signature is tungstenite's
    let check = move |req: &Request, resp: Response| -> Result<Response, ErrorResponse> {
        let refuse = |status: StatusCode, text: &str| {
            let mut e = ErrorResponse::new(Some(text.to_string()));
            *e.status_mut() = status;
            e
        };
        let query = req.uri().query().unwrap_or("");
        let given = req
            .headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_string)
            .or_else(|| query_param(query, "token").map(percent_decode));
        if !given.is_some_and(|g| token_matches(&g, &token)) {
            return Err(refuse(
                StatusCode::UNAUTHORIZED,
                "a valid token is required (Authorization: Bearer TOKEN or ?token=TOKEN)",
            ));
        }
        let path = req.uri().path();
        let r = match path {
            "/ws/fleet" => Route::Fleet,
            "/ws/stats" => Route::Stats,
            "/ws/alerts" => Route::Alerts,
            p => match p.strip_prefix("/ws/truck/") {
                Some(id) if !id.is_empty() && !id.contains('/') => Route::Truck(percent_decode(id)),
                _ => {
                    return Err(refuse(
                        StatusCode::NOT_FOUND,
                        "unknown path; use /ws/fleet, /ws/truck/{id}, /ws/stats or /ws/alerts",
                    ));
                }
            },
        };
        let after = query_param(query, "after").and_then(|v| v.parse::<i64>().ok());
        *slot = Some((r, after));
        Ok(resp)
    };
    let mut ws = match tokio::time::timeout(
        Duration::from_secs(10),
        tokio_tungstenite::accept_hdr_async(stream, check),
    )
    .await
    {
        Ok(Ok(ws)) => ws,
        _ => return Err("handshake refused or failed"),
    };
    let Some((route, after)) = route else {
        return Err("no route");
    };
    let mut bucket = Bucket {
        tokens: cfg.inbound_burst,
        last: tokio::time::Instant::now(),
        rate: cfg.inbound_per_s,
        burst: cfg.inbound_burst,
    };
    let wants_updates = matches!(route, Route::Fleet | Route::Truck(_));
    let wants_alerts = !matches!(route, Route::Stats);
    let only = match &route {
        Route::Truck(id) => Some(id.clone()),
        _ => None,
    };
    let mut updates = bus.subscribe_updates();
    let mut stats = bus.subscribe_stats();
    let mut alert_head = bus.alert_head();
    let mut alert_seq = after.unwrap_or_else(|| *alert_head.borrow());
    if wants_updates {
        let snap = match &only {
            Some(id) => bus.truck(id).into_iter().collect(),
            None => bus.snapshot(),
        };
        send(&mut ws, &Out::Snapshot { trucks: &snap }).await?;
    }
    if wants_alerts {
        alert_seq = send_alerts(&mut ws, store, alert_seq, only.as_deref()).await?;
    }
    let mut coalescer = Coalescer::new();
    let mut flush = tokio::time::interval(Duration::from_millis(cfg.updates_ms.max(10)));
    flush.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            r = updates.recv(), if wants_updates => match r {
                Ok(b) => match &only {
                    Some(id) => coalescer.push(
                        &b.updates.iter().filter(|u| &u.truck_id == id).cloned().collect::<Vec<_>>(),
                    ),
                    None => coalescer.push(&b.updates),
                },
                // Behind: the snapshot holds every truck's latest state.
                Err(RecvError::Lagged(_)) => match &only {
                    Some(id) => coalescer.push(&bus.truck(id).into_iter().collect::<Vec<_>>()),
                    None => coalescer.push(&bus.snapshot()),
                },
                Err(RecvError::Closed) => return Ok(()),
            },
            _ = flush.tick(), if wants_updates => {
                if !coalescer.is_empty() {
                    let batch = coalescer.take();
                    send(&mut ws, &Out::TruckUpdates { updates: &batch }).await?;
                }
            }
            r = stats.changed(), if route == Route::Stats => {
                if r.is_err() {
                    return Ok(());
                }
                let s = Arc::clone(&stats.borrow_and_update());
                send(&mut ws, &Out::FleetStats { stats: &s }).await?;
            }
            r = alert_head.changed(), if wants_alerts => {
                if r.is_err() {
                    return Ok(());
                }
                alert_seq = send_alerts(&mut ws, store, alert_seq, only.as_deref()).await?;
            }
            msg = ws.next() => match msg {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return Ok(()),
                Some(Ok(Message::Pong(_))) => {}
                Some(Ok(_)) => {
                    if !bucket.take() {
                        let _ = send(&mut ws, &Out::Error {
                            code: "rate_limited",
                            message: "too many messages; the connection is closed",
                        }).await;
                        let _ = ws.close(Some(CloseFrame {
                            code: CloseCode::Policy,
                            reason: "rate limited".into(),
                        })).await;
                        return Err("rate limited");
                    }
                }
            },
            _ = stop.changed() => {
                let _ = ws.close(None).await;
                return Ok(());
            }
        }
    }
}

/// Sends the outbox's alerts after `seq` (one truck's with `only`); returns the new seq.
async fn send_alerts(
    ws: &mut Ws,
    store: &Store,
    mut seq: i64,
    only: Option<&str>,
) -> Result<i64, &'static str> {
    loop {
        let (page, last) = persist::alerts_after(store, seq, 500)
            .await
            .map_err(|_| "outbox unreadable")?;
        if last == seq {
            return Ok(seq);
        }
        seq = last;
        for a in page.iter().filter(|a| only.is_none_or(|t| a.truck_id == t)) {
            send(ws, &Out::Alert { alert: a }).await?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_and_escapes() {
        assert_eq!(query_param("a=1&token=x%20y", "token"), Some("x%20y"));
        assert_eq!(percent_decode("x%20y"), "x y");
        assert_eq!(percent_decode("T%2F1"), "T/1");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
