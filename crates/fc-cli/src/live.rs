//! `serve-feed` (the gateway) and `serve` (server mode): argument parsing and
//! rendering over the core API's live side.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::Duration;

use clap::Args;
use fc_core::{Chaos, Core, FeedServeOptions, FeedSource, LiveSource, SimConfig};
use fc_i18n::{Arg, Translator};

/// Simulated fleet options shared by both commands.
#[derive(Debug, Args)]
pub struct SimArgs {
    /// Simulated trucks.
    #[arg(long = "sim-trucks", default_value_t = 20)]
    sim_trucks: usize,
    /// Simulated days (the stream ends after them).
    #[arg(long = "sim-days", default_value_t = 30)]
    sim_days: u32,
    /// Seed of the simulated fleet.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// `clean`, `default` or `hard`.
    #[arg(long, default_value = "default")]
    profile: String,
    /// Simulated seconds per second.
    #[arg(long, default_value_t = 60.0)]
    speedup: f64,
}

impl SimArgs {
    fn config(&self) -> anyhow::Result<SimConfig> {
        let profile = fc_core::parse_profile(&self.profile)?;
        Ok(SimConfig::new(
            self.sim_trucks,
            self.sim_days,
            self.seed,
            profile,
        ))
    }
}

#[derive(Debug, Args)]
pub struct ServeFeedArgs {
    /// Address to listen on (loopback unless you mean otherwise).
    #[arg(long, default_value = "127.0.0.1:8765")]
    listen: SocketAddr,
    /// Token clients must present; default: a random one, printed.
    #[arg(long, env = "FUELCOPILOT_FEED_TOKEN")]
    token: Option<String>,
    /// Replay this canonical CSV (or JSON Lines) instead of simulating.
    #[arg(long)]
    replay: Option<PathBuf>,
    /// Truck profiles sent with the replay.
    #[arg(long = "trucks")]
    trucks_file: Option<PathBuf>,
    /// Replay speed, times real time.
    #[arg(long, default_value_t = 1.0)]
    speed: f64,
    /// Load-generator mode: this many points per second from the simulated fleet.
    #[arg(long)]
    rate: Option<f64>,
    /// End the stream after this many seconds (the gateway keeps serving).
    #[arg(long)]
    duration: Option<f64>,
    /// Batches kept for clients that resume.
    #[arg(long, default_value_t = 100_000)]
    replay_window: usize,
    /// Write a JSON summary (batches, points, key digest) here when the stream ends.
    #[arg(long)]
    summary: Option<PathBuf>,
    #[command(flatten)]
    sim: SimArgs,
    /// Testing clients: cut every connection this many ms after it opens.
    #[arg(long, hide = true)]
    chaos_drop_ms: Option<u64>,
    /// Testing clients: a bad message before every n-th batch.
    #[arg(long, hide = true)]
    chaos_bad_every: Option<u32>,
}

pub async fn serve_feed(
    args: ServeFeedArgs,
    json: bool,
    tr: &Translator,
) -> anyhow::Result<ExitCode> {
    let token = args.token.clone().unwrap_or_else(fc_live_token);
    let source = match &args.replay {
        Some(file) => FeedSource::Replay {
            file: file.clone(),
            trucks: args.trucks_file.clone(),
            speed: args.speed,
        },
        None => FeedSource::Simulator {
            config: args.sim.config()?,
            speedup: args.sim.speedup,
            rate: args.rate,
        },
    };
    let mut gw = fc_core::serve_feed(
        FeedServeOptions {
            listen: args.listen,
            token: token.clone(),
            replay_batches: args.replay_window,
            chaos: Chaos {
                drop_after_ms: args.chaos_drop_ms,
                bad_every: args.chaos_bad_every,
                oversized_bytes: 8 << 20,
            },
        },
        source,
    )
    .await?;
    if !json {
        println!(
            "{}",
            tr.t_args("live-feed-listening", &[("url", gw.url().into())])
        );
        if args.token.is_none() {
            println!(
                "{}",
                tr.t_args("live-feed-token", &[("token", token.clone().into())])
            );
        }
        let line = match (&args.replay, args.rate) {
            (Some(f), _) => tr.t_args(
                "live-feed-source-replay",
                &[
                    ("file", f.display().to_string().into()),
                    ("speed", tr.num(args.speed, 1).into()),
                ],
            ),
            (None, Some(rate)) => tr.t_args(
                "live-feed-source-rate",
                &[
                    ("trucks", Arg::from(args.sim.sim_trucks as u64)),
                    ("rate", tr.num(rate, 0).into()),
                ],
            ),
            (None, None) => tr.t_args(
                "live-feed-source-sim",
                &[
                    ("trucks", Arg::from(args.sim.sim_trucks as u64)),
                    ("speed", tr.num(args.sim.speedup, 1).into()),
                ],
            ),
        };
        println!("{line}");
    } else {
        println!("{}", serde_json::json!({ "url": gw.url(), "token": token }));
    }
    let until = args.duration.map(Duration::from_secs_f64);
    let timer = async {
        match until {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(timer);
    let mut summarised = false;
    let mut timed_out = false;
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            _ = &mut timer, if !summarised && !timed_out => {
                timed_out = true;
                gw.end_source().await;
            }
            last = gw.wait_ended(), if !summarised => {
                summarised = true;
                let c = gw.counters();
                let points = c.points.load(Ordering::Relaxed);
                let span_ms = c.last_batch_ms.load(Ordering::Relaxed)
                    - c.first_batch_ms.load(Ordering::Relaxed);
                let summary = serde_json::json!({
                    "last_seq": last,
                    "batches": c.batches.load(Ordering::Relaxed),
                    "points": points,
                    "digest": c.digest.load(Ordering::Relaxed).to_string(),
                    // The rate the source offered (the load generator's own bound).
                    "offered_per_s": if span_ms > 0 { points as f64 * 1000.0 / span_ms as f64 } else { 0.0 },
                });
                if let Some(path) = &args.summary {
                    let tmp = path.with_extension("partial");
                    std::fs::write(&tmp, summary.to_string())?;
                    std::fs::rename(&tmp, path)?;
                }
                if json {
                    println!("{summary}");
                } else {
                    println!("{}", tr.t_args("live-feed-ended", &[
                        ("batches", Arg::from(c.batches.load(Ordering::Relaxed))),
                        ("points", Arg::from(c.points.load(Ordering::Relaxed))),
                    ]));
                }
            }
        }
    }
    gw.shutdown().await;
    if !json {
        println!("{}", tr.t("live-stopped"));
    }
    Ok(ExitCode::SUCCESS)
}

fn fc_live_token() -> String {
    fc_core::random_token()
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Follow this feed (`ws://host:port/feed/v1`); default: the built-in simulated fleet
    /// (into the demo database unless --db is given).
    #[arg(long)]
    feed: Option<String>,
    /// The feed's token.
    #[arg(long, env = "FUELCOPILOT_FEED_TOKEN", default_value = "")]
    feed_token: String,
    /// Where the bus server listens.
    #[arg(long, default_value = "127.0.0.1:8766")]
    listen: SocketAddr,
    /// Token bus clients must present (`Authorization: Bearer` or `?token=`); default: random, printed.
    #[arg(long, env = "FUELCOPILOT_TOKEN")]
    token: Option<String>,
    /// Messages per second a bus client may send before it is disconnected.
    #[arg(long, default_value_t = 5.0)]
    rate_limit: f64,
    /// Stop once a finite feed has ended and everything is stored.
    #[arg(long)]
    until_end: bool,
    /// Theft model file; default: theft-model.json in the app-data folder, if trained.
    #[arg(long)]
    model: Option<std::path::PathBuf>,
    #[command(flatten)]
    sim: SimArgs,
}

pub async fn serve(
    args: ServeArgs,
    db: Option<String>,
    json: bool,
    tr: &Translator,
) -> anyhow::Result<ExitCode> {
    let (source, db) = match &args.feed {
        Some(url) => (
            LiveSource::Feed {
                url: url.clone(),
                token: args.feed_token.clone(),
            },
            db.unwrap_or_else(fc_core::paths::default_db_url),
        ),
        None => (
            LiveSource::Simulator {
                config: args.sim.config()?,
                speedup: args.sim.speedup,
            },
            // Decision 10: the simulated fleet never writes into a real fleet's database.
            db.unwrap_or_else(|| format!("sqlite://{}", fc_core::paths::demo_db_path().display())),
        ),
    };
    let core = Core::open(&db).await?;
    let model = crate::ml::load(args.model.as_deref(), json, tr);
    let live = core.start_live_with(source, model).await?;
    let token = args.token.clone().unwrap_or_else(fc_live_token);
    let server = live
        .serve_bus(fc_core::BusServerConfig {
            listen: args.listen,
            token: token.clone(),
            inbound_per_s: args.rate_limit,
            inbound_burst: (args.rate_limit * 4.0).max(1.0),
            ..fc_core::BusServerConfig::default()
        })
        .await?;
    let url = format!("ws://{}", server.local_addr());
    let feed = args
        .feed
        .clone()
        .unwrap_or_else(|| tr.t("live-builtin-sim"));
    if json {
        println!(
            "{}",
            serde_json::json!({ "bus": url, "token": token, "feed": feed, "db": db })
        );
    } else {
        println!(
            "{}",
            tr.t_args(
                "live-serve-following",
                &[("feed", feed.into()), ("db", db.clone().into())]
            )
        );
        println!(
            "{}",
            tr.t_args("live-serve-listening", &[("url", url.into())])
        );
        if args.token.is_none() {
            println!(
                "{}",
                tr.t_args("live-feed-token", &[("token", token.into())])
            );
        }
    }
    let mut stats = live.bus().subscribe_stats();
    let mut ended = live.ended();
    let mut ticks = 0u64;
    let mut refusal_shown = false;
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            r = ended.changed(), if args.until_end => {
                if r.is_err() { break; }
                if let Some(seq) = *ended.borrow_and_update() {
                    if !json {
                        println!("{}", tr.t_args("live-serve-ended", &[("seq", Arg::from(seq))]));
                    }
                    break;
                }
            }
            r = stats.changed() => {
                if r.is_err() { break; }
                let s = std::sync::Arc::clone(&stats.borrow_and_update());
                ticks += 1;
                if json {
                    println!("{}", serde_json::to_string(&*s)?);
                } else if ticks.is_multiple_of(10) {
                    let state = if s.feed.connected { tr.t("live-connected") } else { tr.t("live-disconnected") };
                    println!("{}", tr.t_args("live-serve-status", &[
                        ("trucks", Arg::from(u64::from(s.trucks))),
                        ("driving", Arg::from(u64::from(s.driving))),
                        ("idle", Arg::from(u64::from(s.idle))),
                        ("offline", Arg::from(u64::from(s.offline))),
                        ("rate", tr.num(s.points_per_s, 0).into()),
                        ("stored", Arg::from(s.stored)),
                        ("p99", tr.num(s.latency.p99_ms, 0).into()),
                        ("feed", state.into()),
                    ]));
                }
                if let Some(code) = &s.feed.refusal
                    && !refusal_shown
                    && !json
                {
                    refusal_shown = true;
                    eprintln!("{}", tr.t_args("live-refused", &[("code", code.clone().into())]));
                }
            }
        }
    }
    server.shutdown().await;
    live.stop().await;
    core.close().await;
    if !json {
        println!("{}", tr.t("live-stopped"));
    }
    Ok(ExitCode::SUCCESS)
}
