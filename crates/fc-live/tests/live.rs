//! Live feed end to end over loopback: a hostile gateway, resume, expiry,
//! the bus and the bus server. Hermetic (temp-dir SQLite); every wait is
//! bounded, and no assertion is about time.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use fc_live::protocol::{Batch, ClientMsg, Hello, ServerMsg, Welcome};
use fc_live::{
    BusServerConfig, Chaos, Coalescer, FeedClientConfig, Gateway, GatewayConfig, Live, LiveConfig,
    Source, TruckState, TruckUpdate, serve_bus,
};
use fc_model::{Tank, TelemetryPoint, TruckProfile};
use fc_store::{FeedCursor, PointFilter, QuarantineFilter, Store, WriteBatch};
use futures::{SinkExt, StreamExt, TryStreamExt};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

const TOKEN: &str = "feed-secret";
/// Upper bound of any wait: a hang fails the test instead of blocking CI.
const GUARD: Duration = Duration::from_secs(120);

async fn temp_store() -> (tempfile::TempDir, Arc<Store>) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_path(&dir.path().join("fleet.db"))
        .await
        .unwrap();
    (dir, Arc::new(store))
}

fn profile(id: &str) -> TruckProfile {
    TruckProfile {
        truck_id: id.into(),
        name: format!("Truck {id}"),
        fuel_type: Some("diesel".into()),
        tanks: vec![Tank {
            capacity_l: 600.0,
            calibration: None,
        }],
    }
}

/// A gateway that serves `pts` once from a channel, in batches of at most
/// `max_batch_points`, and then ends its stream.
async fn feed_once(
    max_batch_points: usize,
    trucks: Vec<TruckProfile>,
    pts: Vec<TelemetryPoint>,
) -> fc_live::GatewayHandle {
    let (tx, rx) = mpsc::channel(64);
    let gw = Gateway::bind(GatewayConfig {
        token: TOKEN.into(),
        max_batch_points,
        ..GatewayConfig::default()
    })
    .await
    .unwrap()
    .serve(Source::Channel { trucks, rx })
    .unwrap();
    tx.send(pts).await.unwrap();
    gw
}

/// A plausible drive: `n` points per truck, one a minute.
fn fleet_points(trucks: usize, n: usize) -> Vec<TelemetryPoint> {
    let t0 = 1_717_200_000_000i64;
    let mut out = Vec::new();
    for i in 0..n {
        for t in 0..trucks {
            let mut p = TelemetryPoint::new(format!("T{t:03}"), t0 + i as i64 * 60_000);
            p.lat = Some(40.0 + t as f64 * 0.01 + i as f64 * 1e-4);
            p.lon = Some(-3.7);
            p.speed_kmh = Some(if i % 10 < 7 { 62.5 } else { 0.0 });
            p.ignition = Some(true);
            p.fuel_level_pct = Some(80.0 - i as f64 * 0.05);
            p.odometer_km = Some(1000.0 + i as f64);
            out.push(p);
        }
    }
    out
}

fn key(p: &TelemetryPoint) -> (String, i64) {
    (p.truck_id.clone(), p.ts)
}

async fn stored(store: &Store) -> BTreeMap<(String, i64), TelemetryPoint> {
    let pts: Vec<TelemetryPoint> = store
        .points(PointFilter::default())
        .try_collect()
        .await
        .unwrap();
    let n = pts.len();
    let map: BTreeMap<_, _> = pts.into_iter().map(|p| (key(&p), p)).collect();
    assert_eq!(map.len(), n, "the store returned a key twice");
    map
}

fn live_config(url: String) -> LiveConfig {
    let mut feed = FeedClientConfig::new(url, TOKEN);
    feed.backoff_min = Duration::from_millis(20);
    feed.backoff_max = Duration::from_millis(200);
    let mut cfg = LiveConfig::new(feed);
    cfg.feed_name = "test-feed".into();
    cfg.stats_ms = 50;
    cfg
}

async fn wait_ended(live: &Live) -> i64 {
    let mut ended = live.ended();
    let r = tokio::time::timeout(GUARD, async {
        loop {
            if let Some(last) = *ended.borrow_and_update() {
                return last;
            }
            ended.changed().await.unwrap();
        }
    })
    .await;
    r.expect("the feed did not reach its end")
}

#[test]
fn protocol_round_trip() {
    let mut p = TelemetryPoint::new("T1", 1_717_200_000_123);
    p.fuel_l = Some(412.25);
    p.ignition = Some(false);
    p.driver_id = Some("D7".into());
    let server = [
        ServerMsg::Welcome(Welcome {
            version: 1,
            stream: "s1".into(),
            heartbeat_ms: 2000,
            oldest: 3,
            head: 9,
            window: 256,
        }),
        ServerMsg::Trucks {
            trucks: vec![profile("T1")],
        },
        ServerMsg::Batch(Batch {
            seq: 4,
            emitted_ms: 5,
            points: vec![p.clone(), TelemetryPoint::new("T2", -1)],
        }),
        ServerMsg::Heartbeat { head: 9, ts_ms: 10 },
        ServerMsg::CursorExpired {
            requested: 1,
            resume_from: 3,
            head: 9,
        },
        ServerMsg::EndOfStream { last_seq: 9 },
        ServerMsg::Error {
            code: "unauthorized".into(),
            message: "no".into(),
        },
    ];
    for m in server {
        let text = m.encode();
        assert_eq!(ServerMsg::decode(&text, 1 << 20), Ok(m), "{text}");
    }
    let client = [
        ClientMsg::Hello(Hello {
            version: 1,
            token: "t".into(),
            resume_after: Some(41),
            client: "x".into(),
        }),
        ClientMsg::Ack { seq: 41 },
        ClientMsg::Heartbeat { ts_ms: 1 },
    ];
    for m in client {
        let text = m.encode();
        assert_eq!(ClientMsg::decode(&text, 1 << 20), Ok(m), "{text}");
    }
    // Floats survive bit for bit.
    let odd = 0.1 + 0.2;
    let mut q = TelemetryPoint::new("T1", 0);
    q.lat = Some(odd);
    let text = ServerMsg::Batch(Batch {
        seq: 1,
        emitted_ms: 0,
        points: vec![q],
    })
    .encode();
    let Ok(ServerMsg::Batch(b)) = ServerMsg::decode(&text, 1 << 20) else {
        panic!("not a batch")
    };
    assert_eq!(b.points[0].lat.map(f64::to_bits), Some(odd.to_bits()));
}

/// The gateway cuts every connection after 400 ms and, before every third batch,
/// sends garbage, an oversized text, an unknown type, a binary frame or a repeated
/// batch. Every point must be stored exactly once, with the values sent.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_gateway_every_point_stored_exactly_once() {
    let (_dir, store) = temp_store().await;
    let trucks: Vec<TruckProfile> = (0..30).map(|t| profile(&format!("T{t:03}"))).collect();
    let mut sent = fleet_points(30, 120);
    // A few bad values travel too: stored as null, quarantined.
    sent[7].fuel_level_pct = Some(250.0);
    sent[99].speed_kmh = Some(-5.0);
    let (tx, rx) = mpsc::channel(1024);
    let gw = Gateway::bind(GatewayConfig {
        token: TOKEN.into(),
        heartbeat_ms: 100,
        window: 16,
        max_batch_points: 40,
        chaos: Chaos {
            drop_after_ms: Some(400),
            bad_every: Some(3),
            oversized_bytes: 100 << 10,
        },
        ..GatewayConfig::default()
    })
    .await
    .unwrap()
    .serve(Source::Channel { trucks, rx })
    .unwrap();
    let mut cfg = live_config(gw.url());
    cfg.feed.max_message_bytes = 64 << 10;
    let live = Live::start(Arc::clone(&store), cfg).await.unwrap();
    // Paced so that the stream outlives several forced drops.
    let chunks: Vec<Vec<TelemetryPoint>> = sent.chunks(15).map(<[_]>::to_vec).collect();
    let feeder = tokio::spawn(async move {
        for c in chunks {
            tx.send(c).await.unwrap();
            tokio::time::sleep(Duration::from_millis(8)).await;
        }
    });
    feeder.await.unwrap();
    let last = wait_ended(&live).await;
    assert_eq!(last, gw.head());

    let got = stored(&store).await;
    assert_eq!(got.len(), sent.len(), "points lost or invented");
    let mut q = Vec::new();
    for p in &sent {
        let mut want = p.clone();
        fc_live::validate_point("test-feed", &mut want, &mut q);
        assert_eq!(got.get(&key(p)), Some(&want), "{:?}", key(p));
    }
    let c = live.feed_counters();
    use std::sync::atomic::Ordering::Relaxed;
    assert!(
        gw.counters().chaos_drops.load(Relaxed) >= 2,
        "the gateway did not drop"
    );
    assert!(
        c.connects.load(Relaxed) >= 3,
        "the client did not reconnect"
    );
    assert!(c.malformed.load(Relaxed) >= 1);
    assert!(c.oversized.load(Relaxed) >= 1);
    assert!(c.unknown.load(Relaxed) >= 1);
    let quarantined = store
        .quarantine(
            QuarantineFilter {
                source: Some("test-feed".into()),
                ..QuarantineFilter::default()
            },
            100,
        )
        .await
        .unwrap();
    let fields: Vec<_> = quarantined.iter().filter_map(|e| e.field.clone()).collect();
    assert_eq!(fields, ["fuel_level_pct", "speed_kmh"]);
    assert_eq!(store.feed_cursor("test-feed").await.unwrap(), Some(last));
    live.stop().await;

    // A restart resumes after the stored cursor: nothing is fetched twice or lost.
    let live = Live::start(Arc::clone(&store), live_config(gw.url()))
        .await
        .unwrap();
    assert_eq!(wait_ended(&live).await, last);
    assert_eq!(stored(&store).await.len(), sent.len());
    live.stop().await;
    gw.shutdown().await;
}

/// A cursor older than the replay window: the client resyncs from the oldest batch
/// kept and records the gap.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_cursor_resyncs_and_records_the_gap() {
    let (_dir, store) = temp_store().await;
    // The client last committed batch 3 of this feed.
    store
        .write_batch(WriteBatch {
            cursor: Some(FeedCursor {
                feed: "test-feed".into(),
                seq: 3,
            }),
            ..WriteBatch::default()
        })
        .await
        .unwrap();
    let (tx, rx) = mpsc::channel(64);
    let gw = Gateway::bind(GatewayConfig {
        token: TOKEN.into(),
        replay_batches: 5,
        max_batch_points: 10,
        ..GatewayConfig::default()
    })
    .await
    .unwrap()
    .serve(Source::Channel {
        trucks: vec![profile("T000")],
        rx,
    })
    .unwrap();
    let pts = fleet_points(1, 200); // 20 batches of 10
    for c in pts.chunks(10) {
        tx.send(c.to_vec()).await.unwrap();
    }
    drop(tx);
    assert_eq!(gw.wait_ended().await, 20);
    let live = Live::start(Arc::clone(&store), live_config(gw.url()))
        .await
        .unwrap();
    assert_eq!(wait_ended(&live).await, 20);
    let got = stored(&store).await;
    // Batches 16..=20 were still kept.
    let want: Vec<_> = pts[150..].iter().map(key).collect();
    assert_eq!(got.keys().cloned().collect::<Vec<_>>(), want);
    let gaps = store
        .quarantine(
            QuarantineFilter {
                reason: Some("feed_gap".into()),
                ..QuarantineFilter::default()
            },
            10,
        )
        .await
        .unwrap();
    assert_eq!(gaps.len(), 1);
    let detail: serde_json::Value = serde_json::from_str(&gaps[0].detail).unwrap();
    assert_eq!(detail["after_seq"], 3);
    assert_eq!(detail["resume_from_seq"], 16);
    assert_eq!(
        live.feed_counters()
            .gaps
            .load(std::sync::atomic::Ordering::Relaxed),
        1
    );
    live.stop().await;
    gw.shutdown().await;
}

fn update(id: &str, version: u64, points: u32, emitted_ms: i64) -> TruckUpdate {
    TruckUpdate {
        truck_id: id.into(),
        version,
        ts_ms: version as i64 * 1000,
        lat: None,
        lon: None,
        speed_kmh: Some(version as f64),
        fuel_l: None,
        fuel_pct: None,
        ignition: Some(true),
        driver_id: None,
        state: TruckState::Driving,
        points,
        emitted_ms,
    }
}

#[test]
fn coalescer_keeps_the_newest_state_per_truck() {
    let mut c = Coalescer::new();
    c.push(&[update("T2", 1, 1, 50), update("T1", 1, 1, 10)]);
    c.push(&[update("T1", 3, 2, 30)]);
    c.push(&[update("T1", 2, 1, 20)]); // older version arriving late: ignored
    let out = c.take();
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].truck_id, "T1");
    assert_eq!(out[0].version, 3);
    assert_eq!(out[0].points, 3);
    assert_eq!(out[0].emitted_ms, 10);
    assert_eq!(out[1].truck_id, "T2");
    assert!(c.is_empty());
}

/// The bus publishes one update per truck per commit, and the bus server's fleet
/// stream coalesces them per truck.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bus_and_fleet_stream_coalesce_per_truck() {
    let (_dir, store) = temp_store().await;
    let (tx, rx) = mpsc::channel(64);
    let gw = Gateway::bind(GatewayConfig {
        token: TOKEN.into(),
        ..GatewayConfig::default()
    })
    .await
    .unwrap()
    .serve(Source::Channel {
        trucks: vec![profile("T000"), profile("T001")],
        rx,
    })
    .unwrap();
    let mut cfg = live_config(gw.url());
    // One commit for the whole stream: a big flush window and row limit.
    cfg.flush_ms = 60_000;
    cfg.flush_rows = 400;
    let live = Live::start(Arc::clone(&store), cfg).await.unwrap();
    let srv = serve_bus(
        BusServerConfig {
            token: "bus".into(),
            ..BusServerConfig::default()
        },
        live.bus().clone(),
        Arc::clone(&store),
    )
    .await
    .unwrap();
    let (mut ws, _) =
        tokio_tungstenite::connect_async(format!("ws://{}/ws/fleet?token=bus", srv.local_addr()))
            .await
            .unwrap();
    let first = ws.next().await.unwrap().unwrap();
    let v: serde_json::Value = serde_json::from_str(first.to_text().unwrap()).unwrap();
    assert_eq!(v["type"], "snapshot");
    let mut updates = live.bus().subscribe_updates();
    let pts = fleet_points(2, 200);
    for c in pts.chunks(50) {
        tx.send(c.to_vec()).await.unwrap();
    }
    drop(tx);
    let b = tokio::time::timeout(GUARD, updates.recv())
        .await
        .unwrap()
        .unwrap();
    // 400 points of two trucks, one commit: one update per truck with its latest point.
    assert_eq!(b.updates.len(), 2);
    for u in &b.updates {
        assert_eq!(u.points, 200);
        assert_eq!(u.ts_ms, pts.last().unwrap().ts);
        assert_eq!(u.fuel_pct.map(|p| (p * 100.0).round()), Some(7005.0));
    }
    let msg = tokio::time::timeout(GUARD, async {
        loop {
            let m = ws.next().await.unwrap().unwrap();
            let v: serde_json::Value = serde_json::from_str(m.to_text().unwrap()).unwrap();
            if v["type"] == "truck_updates" {
                return v;
            }
        }
    })
    .await
    .unwrap();
    let ids: Vec<_> = msg["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["truck_id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, ["T000", "T001"]);
    assert_eq!(live.bus().snapshot().len(), 2);
    srv.shutdown().await;
    live.stop().await;
    gw.shutdown().await;
}

/// The bus server refuses a missing or wrong token (HTTP 401) and closes a
/// connection that sends faster than its rate limit.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bus_server_auth_and_rate_limit() {
    let (_dir, store) = temp_store().await;
    let bus = fc_live::Bus::new();
    let srv = serve_bus(
        BusServerConfig {
            token: "s3cret".into(),
            inbound_per_s: 1.0,
            inbound_burst: 5.0,
            ..BusServerConfig::default()
        },
        bus,
        store,
    )
    .await
    .unwrap();
    let addr = srv.local_addr();
    for url in [
        format!("ws://{addr}/ws/stats"),
        format!("ws://{addr}/ws/stats?token=wrong"),
    ] {
        match tokio_tungstenite::connect_async(url.as_str()).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
                assert_eq!(resp.status().as_u16(), 401, "{url}")
            }
            other => panic!("{url}: expected 401, got {:?}", other.map(|_| ())),
        }
    }
    match tokio_tungstenite::connect_async(format!("ws://{addr}/ws/nothing?token=s3cret")).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => {
            assert_eq!(resp.status().as_u16(), 404)
        }
        other => panic!("expected 404, got {:?}", other.map(|_| ())),
    }
    // The header works as well as the query.
    let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
        format!("ws://{addr}/ws/truck/T1"),
    )
    .unwrap();
    req.headers_mut()
        .insert("authorization", "Bearer s3cret".parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    let first = ws.next().await.unwrap().unwrap();
    assert!(first.to_text().unwrap().contains("\"snapshot\""));
    // Far past the burst: the server says why and closes with a policy violation.
    for i in 0..50 {
        if ws
            .send(Message::text(format!("{{\"ping\":{i}}}")))
            .await
            .is_err()
        {
            break;
        }
    }
    let mut saw_error = false;
    let mut close_code = None;
    while let Ok(Some(m)) = tokio::time::timeout(GUARD, ws.next()).await {
        match m {
            Ok(Message::Text(t)) if t.as_str().contains("rate_limited") => saw_error = true,
            Ok(Message::Close(f)) => {
                close_code = f.map(|f| u16::from(f.code));
                break;
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    assert!(saw_error, "no rate_limited error");
    assert_eq!(close_code, Some(1008));
    srv.shutdown().await;
}

/// A wrong token is refused by the gateway; the client counts it, keeps trying,
/// and stores nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_refuses_a_wrong_token() {
    let (_dir, store) = temp_store().await;
    let (tx, rx) = mpsc::channel(4);
    let gw = Gateway::bind(GatewayConfig {
        token: "right".into(),
        ..GatewayConfig::default()
    })
    .await
    .unwrap()
    .serve(Source::Channel {
        trucks: Vec::new(),
        rx,
    })
    .unwrap();
    tx.send(fleet_points(1, 5)).await.unwrap();
    let mut cfg = live_config(gw.url());
    cfg.feed.token = "wrong".into();
    let live = Live::start(Arc::clone(&store), cfg).await.unwrap();
    let c = live.feed_counters();
    tokio::time::timeout(GUARD, async {
        while c.refusals.load(std::sync::atomic::Ordering::Relaxed) == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap();
    assert_eq!(c.last_refusal(), Some("unauthorized"));
    assert_eq!(c.connects.load(std::sync::atomic::Ordering::Relaxed), 0);
    assert!(stored(&store).await.is_empty());
    live.stop().await;
    gw.shutdown().await;
}

/// A server that welcomes and then goes silent is declared dead after three
/// heartbeats and reconnected to.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_server_is_detected_by_heartbeat_timeout() {
    let (_dir, store) = temp_store().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(async move {
        let mut held = Vec::new();
        loop {
            let (s, _) = listener.accept().await.unwrap();
            let mut ws = tokio_tungstenite::accept_async(s).await.unwrap();
            let _hello = ws.next().await;
            let w = ServerMsg::Welcome(Welcome {
                version: 1,
                stream: "silent".into(),
                heartbeat_ms: 30,
                oldest: 1,
                head: 0,
                window: 16,
            });
            ws.send(Message::text(w.encode())).await.unwrap();
            held.push(ws); // keep it open, say nothing more
        }
    });
    let live = Live::start(
        Arc::clone(&store),
        live_config(format!("ws://{addr}/feed/v1")),
    )
    .await
    .unwrap();
    let c = live.feed_counters();
    tokio::time::timeout(GUARD, async {
        while c
            .heartbeat_timeouts
            .load(std::sync::atomic::Ordering::Relaxed)
            < 2
        {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap();
    assert!(c.connects.load(std::sync::atomic::Ordering::Relaxed) >= 2);
    live.stop().await;
    server.abort();
}

/// Alerts go through the persisted outbox: a receiver resuming after any seq gets
/// exactly the rest, over the API and over `/ws/alerts`; a restart that replays the
/// same data adds none twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alert_outbox_resume_and_no_repeats_after_restart() {
    let (_dir, store) = temp_store().await;
    let t0 = 1_717_200_000_000i64;
    let mut pts = Vec::new();
    // T002 reports once, then falls silent while the fleet's clock moves on: offline.
    let mut p = TelemetryPoint::new("T002", t0);
    p.ignition = Some(false);
    pts.push(p);
    for m in 0..=70 {
        let ts = t0 + m * 60_000;
        // T000 runs low on fuel.
        let mut p = TelemetryPoint::new("T000", ts);
        p.ignition = Some(true);
        p.speed_kmh = Some(50.0);
        p.fuel_level_pct = Some(10.0);
        pts.push(p);
        // T001 idles for 40 minutes.
        if m <= 40 {
            let mut p = TelemetryPoint::new("T001", ts);
            p.ignition = Some(true);
            p.speed_kmh = Some(0.0);
            pts.push(p);
        }
    }
    let gw = feed_once(
        7,
        vec![profile("T000"), profile("T001"), profile("T002")],
        pts,
    )
    .await;
    let live = Live::start(Arc::clone(&store), live_config(gw.url()))
        .await
        .unwrap();
    wait_ended(&live).await;
    // The offline check rides on the stats tick: wait for the outbox to hold all three.
    let rule_alerts = |a: &[fc_live::Alert]| {
        let mut v: Vec<(String, String)> = a
            .iter()
            .filter(|a| a.event_id.is_none())
            .map(|a| (a.kind.code().to_string(), a.truck_id.clone()))
            .collect();
        v.sort();
        v
    };
    let all = tokio::time::timeout(GUARD, async {
        loop {
            let a = live.alerts_after(0, 1000).await.unwrap();
            if rule_alerts(&a).len() >= 3 {
                return a;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap();
    assert_eq!(
        rule_alerts(&all),
        [
            ("long_idle".to_string(), "T001".to_string()),
            ("low_fuel".to_string(), "T000".to_string()),
            ("offline".to_string(), "T002".to_string()),
        ]
    );
    assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));
    // A receiver that lagged behind after the first alert gets exactly the rest.
    let first = all[0].seq;
    assert_eq!(live.alerts_after(first, 1000).await.unwrap(), all[1..]);
    let srv = serve_bus(
        BusServerConfig {
            token: "bus".into(),
            ..BusServerConfig::default()
        },
        live.bus().clone(),
        Arc::clone(&store),
    )
    .await
    .unwrap();
    let (mut ws, _) = tokio_tungstenite::connect_async(format!(
        "ws://{}/ws/alerts?token=bus&after={first}",
        srv.local_addr()
    ))
    .await
    .unwrap();
    let mut got = Vec::new();
    while got.len() < all.len() - 1 {
        let m = tokio::time::timeout(GUARD, ws.next())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(m.to_text().unwrap()).unwrap();
        assert_eq!(v["type"], "alert");
        got.push(v["alert"]["seq"].as_i64().unwrap());
    }
    assert_eq!(got, all[1..].iter().map(|a| a.seq).collect::<Vec<_>>());
    srv.shutdown().await;
    live.stop().await;

    // Restart: the warm-up replays the stored points through the rules again, and the
    // gateway has nothing new; the outbox gains nothing.
    let live = Live::start(Arc::clone(&store), live_config(gw.url()))
        .await
        .unwrap();
    wait_ended(&live).await;
    assert_eq!(live.bus().snapshot().len(), 3, "warm-up fills the snapshot");
    assert_eq!(live.alerts_after(0, 1000).await.unwrap(), all);
    live.stop().await;
    gw.shutdown().await;
}

/// The offline rule runs in data time: a CSV from 2024 replayed at thousands of times
/// real time marks only the truck that fell silent for an hour of *data* time, not the
/// whole fleet by the wall clock, and the clock stops when the replay ends.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_marks_offline_in_data_time() {
    let (dir, store) = temp_store().await;
    let t0 = 1_717_200_000_000i64;
    let mut csv = String::from("truck_id,ts,speed_kmh,ignition,fuel_level_pct\n");
    for m in 0..=180i64 {
        for t in 0..3 {
            // T002 reports for the first 10 minutes only.
            if t == 2 && m > 10 {
                continue;
            }
            csv.push_str(&format!("T00{t},{},50,true,60\n", t0 + m * 60_000));
        }
    }
    let file = dir.path().join("replay.csv");
    std::fs::write(&file, csv).unwrap();
    let gw = Gateway::bind(GatewayConfig {
        token: TOKEN.into(),
        max_batch_points: 20,
        ..GatewayConfig::default()
    })
    .await
    .unwrap()
    .serve(Source::Replay {
        path: file,
        trucks: None,
        // Three data hours in about a second.
        speed: 10_000.0,
    })
    .unwrap();
    let live = Live::start(Arc::clone(&store), live_config(gw.url()))
        .await
        .unwrap();
    wait_ended(&live).await;
    let offline = || async {
        let mut v: Vec<(String, i64)> = live
            .alerts_after(0, 1000)
            .await
            .unwrap()
            .into_iter()
            .filter(|a| a.kind == fc_live::AlertKind::Offline)
            .map(|a| (a.truck_id, a.payload["last_seen_ms"].as_i64().unwrap()))
            .collect();
        v.sort();
        v
    };
    // Offline alerts ride on the stats tick (50 ms here): wait for T002's.
    tokio::time::timeout(GUARD, async {
        while offline().await.is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("T002 was never marked offline");
    // Several ticks later the ended replay has not moved the clock: still only T002.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(offline().await, [("T002".to_string(), t0 + 10 * 60_000)]);
    let stats = live.bus().subscribe_stats().borrow().clone();
    assert_eq!(stats.offline, 1, "{stats:?}");
    assert_eq!(stats.data_time_ms, t0 + 180 * 60_000);
    live.stop().await;
    gw.shutdown().await;
}

/// A tracker whose clock runs hours ahead (a wrong time zone, a reset RTC) does not
/// drag the fleet's data clock forward: without the guard, the ended feed's clock
/// would freeze five hours past the other trucks and mark every one of them offline.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truck_clock_hours_ahead_does_not_push_the_fleet_offline() {
    let (_dir, store) = temp_store().await;
    let t0 = 1_717_200_000_000i64;
    let mut pts = Vec::new();
    for m in 0..=180i64 {
        for t in 0..3 {
            let mut p = TelemetryPoint::new(format!("T00{t}"), t0 + m * 60_000);
            p.ignition = Some(true);
            p.speed_kmh = Some(50.0);
            pts.push(p);
        }
        if m == 90 {
            let mut p = TelemetryPoint::new("T009", t0 + 180 * 60_000 + 5 * 3_600_000);
            p.ignition = Some(true);
            pts.push(p);
        }
    }
    let gw = feed_once(20, Vec::new(), pts).await;
    let mut cfg = live_config(gw.url());
    // Well above the feed's own bursts, well below the five hours.
    cfg.rules.offline_after_ms = 2 * 3_600_000;
    let live = Live::start(Arc::clone(&store), cfg).await.unwrap();
    wait_ended(&live).await;
    // Wait for a stats tick that has seen all four trucks, then a few more ticks.
    let mut stats = live.bus().subscribe_stats();
    tokio::time::timeout(GUARD, async {
        loop {
            {
                let s = stats.borrow_and_update();
                if s.trucks == 4 && s.stored == 3 * 181 + 1 {
                    break;
                }
            }
            stats.changed().await.unwrap();
        }
    })
    .await
    .expect("the stats never showed the four trucks");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let offline: Vec<String> = live
        .alerts_after(0, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|a| a.kind == fc_live::AlertKind::Offline)
        .map(|a| a.truck_id)
        .collect();
    assert!(offline.is_empty(), "marked offline: {offline:?}");
    let s = live.bus().subscribe_stats().borrow().clone();
    assert_eq!((s.offline, s.data_time_ms), (0, t0 + 180 * 60_000), "{s:?}");
    live.stop().await;
    gw.shutdown().await;
}

/// The batch fast path decodes a batch whatever the key order and still tells
/// garbage and unknown types apart.
#[test]
fn batch_decoding_fast_path() {
    let first = r#"{"type":"batch","seq":3,"emitted_ms":5,"points":[{"truck_id":"T1","ts":7,"fuel_l":1.5}]}"#;
    let last = r#"{"seq":3,"emitted_ms":5,"points":[{"truck_id":"T1","ts":7,"fuel_l":1.5}],"type":"batch"}"#;
    let a = ServerMsg::decode(first, 1 << 20).unwrap();
    assert_eq!(ServerMsg::decode(last, 1 << 20).unwrap(), a);
    let ServerMsg::Batch(b) = a else {
        panic!("not a batch")
    };
    assert_eq!((b.seq, b.points[0].fuel_l), (3, Some(1.5)));
    use fc_live::protocol::Reject;
    let bad = r#"{"type":"batch","seq":"x","emitted_ms":5,"points":[]}"#;
    assert_eq!(ServerMsg::decode(bad, 1 << 20), Err(Reject::Malformed));
    let newer = r#"{"type":"batch_v2","seq":1}"#;
    assert_eq!(ServerMsg::decode(newer, 1 << 20), Err(Reject::Unknown));
    assert_eq!(ServerMsg::decode(first, 10), Err(Reject::Oversized));
}
