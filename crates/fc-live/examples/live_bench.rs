//! The live load benchmark's client side (run by `bench/live.sh`): follows a
//! `fuelcopilot serve-feed` gateway through the real client, pipeline and
//! embedded store, measures feed-to-first-truck-update latency at a bus
//! subscriber, samples its own RSS, and at the end checks the store against
//! the gateway's summary (count and key digest): lost and doubled points.
//!
//! `live_bench URL TOKEN DB_PATH SUMMARY_JSON`

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use fc_live::{FeedClientConfig, Live, LiveConfig, now_ms};
use fc_store::{PointFilter, Store};
use futures::TryStreamExt;

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// CPU seconds used by this process (user + system).
fn cpu_s() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the parenthesised command name: utime and stime are 14th and 15th.
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
            Some(ticks / 100.0)
        })
        .unwrap_or(0.0)
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn pct(h: &[AtomicU64], q: f64) -> usize {
    let total: u64 = h.iter().map(|a| a.load(Ordering::Relaxed)).sum();
    let rank = ((q * total as f64).ceil() as u64).max(1);
    let mut acc = 0;
    for (i, a) in h.iter().enumerate() {
        acc += a.load(Ordering::Relaxed);
        if acc >= rank {
            return i;
        }
    }
    h.len() - 1
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, token, db, summary] = args.as_slice() else {
        eprintln!("usage: live_bench URL TOKEN DB_PATH SUMMARY_JSON");
        std::process::exit(2);
    };
    let store = Arc::new(Store::open_path(std::path::Path::new(db)).await?);
    let mut cfg = LiveConfig::new(FeedClientConfig::new(url.clone(), token.clone()));
    cfg.feed_name = "bench".into();
    let live = Live::start(Arc::clone(&store), cfg).await?;

    // Latency: one sample per point, at the first truck-update that carries it.
    let hist: Arc<Vec<AtomicU64>> = Arc::new((0..60_001).map(|_| AtomicU64::new(0)).collect());
    // The same after the first 30 s (start-up: 10,000 profiles stored, detectors built).
    let steady: Arc<Vec<AtomicU64>> = Arc::new((0..60_001).map(|_| AtomicU64::new(0)).collect());
    let t_start = now_ms();
    let seen = Arc::new(AtomicU64::new(0));
    let first_update = Arc::new(AtomicU64::new(0));
    let mut rx = live.bus().subscribe_updates();
    let (h, s, f) = (
        Arc::clone(&hist),
        Arc::clone(&seen),
        Arc::clone(&first_update),
    );
    let hs = Arc::clone(&steady);
    let lagged = Arc::new(AtomicU64::new(0));
    let lg = Arc::clone(&lagged);
    let sub = tokio::spawn(async move {
        loop {
            match rx.recv().await {
                Ok(b) => {
                    let now = now_ms();
                    let _ = f.compare_exchange(0, now as u64, Ordering::Relaxed, Ordering::Relaxed);
                    for u in &b.updates {
                        let ms = (now - u.emitted_ms).clamp(0, 60_000) as usize;
                        h[ms].fetch_add(u64::from(u.points), Ordering::Relaxed);
                        if now - t_start >= 30_000 {
                            hs[ms].fetch_add(u64::from(u.points), Ordering::Relaxed);
                        }
                        s.fetch_add(u64::from(u.points), Ordering::Relaxed);
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(n)) => {
                    lg.fetch_add(n, Ordering::Relaxed);
                }
                Err(_) => return,
            }
        }
    });

    let started = Instant::now();
    let load_start = loadavg();
    let mut rss: Vec<(f64, f64)> = vec![(0.0, rss_mib())];
    let mut ended = live.ended();
    let mut stats = live.bus().subscribe_stats();
    // RSS every second for the maximum, every tenth second kept for the slope.
    let mut sample = tokio::time::interval(Duration::from_secs(1));
    sample.tick().await;
    let mut ticks = 0u64;
    let mut max_rss_seen = rss[0].1;
    // (elapsed s, stored) at the 10 s samples: the steady rate leaves out start-up and the end.
    let mut stored_at: Vec<(f64, u64)> = Vec::new();
    let last_seq = loop {
        tokio::select! {
            _ = sample.tick() => {
                ticks += 1;
                let r = rss_mib();
                max_rss_seen = max_rss_seen.max(r);
                if !ticks.is_multiple_of(10) {
                    continue;
                }
                let t = started.elapsed().as_secs_f64();
                rss.push((t, r));
                let st = Arc::clone(&stats.borrow_and_update());
                stored_at.push((t, st.stored));
                eprintln!(
                    "t={t:.0}s rss={r:.1}MiB stored={} rate={:.0}/s p99(1s)={}ms queue={} reconnects={}",
                    st.stored, st.points_per_s, st.latency.p99_ms, st.queue_depth, st.feed.connects.saturating_sub(1)
                );
            }
            r = ended.changed() => {
                r?;
                if let Some(seq) = *ended.borrow_and_update() {
                    break seq;
                }
            }
        }
    };
    let wall = started.elapsed().as_secs_f64();
    rss.push((wall, rss_mib()));
    let stages = live.stages();
    let st = Arc::clone(&stats.borrow());
    let end_ms = now_ms();
    live.stop().await;
    sub.abort();

    // Ground truth: the gateway's summary (written when its stream ended).
    let text = loop {
        match std::fs::read_to_string(summary) {
            Ok(t) => break t,
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    };
    let sum: serde_json::Value = serde_json::from_str(&text)?;
    let sent = sum["points"].as_u64().unwrap_or(0);
    let sent_digest: u64 = sum["digest"].as_str().unwrap_or("0").parse()?;
    let mut stored = 0u64;
    let mut digest = 0u64;
    let mut pts = std::pin::pin!(store.points(PointFilter::default()));
    while let Some(p) = pts.try_next().await? {
        stored += 1;
        digest = digest.wrapping_add(fc_live::key_digest(&p.truck_id, p.ts));
    }
    let lost = sent.saturating_sub(stored);
    let doubled = stored.saturating_sub(sent);
    let first = first_update.load(Ordering::Relaxed) as i64;
    let span_s = ((end_ms - first) as f64 / 1000.0).max(1e-3);
    // RSS slope (least squares, MiB/min) after the first minute, and over the second
    // half of the run: the detectors' bounded histories fill during the first minutes.
    let slope_from = |from: f64| {
        let tail: Vec<&(f64, f64)> = rss.iter().filter(|(t, _)| *t >= from).collect();
        if tail.len() < 2 {
            return 0.0;
        }
        let n = tail.len() as f64;
        let mt = tail.iter().map(|p| p.0).sum::<f64>() / n;
        let mr = tail.iter().map(|p| p.1).sum::<f64>() / n;
        let cov: f64 = tail.iter().map(|p| (p.0 - mt) * (p.1 - mr)).sum();
        let var: f64 = tail.iter().map(|p| (p.0 - mt).powi(2)).sum();
        if var > 0.0 { cov / var * 60.0 } else { 0.0 }
    };
    let slope = slope_from(60.0);
    let slope_half = slope_from(wall / 2.0);
    let max_rss = rss.iter().map(|p| p.1).fold(max_rss_seen, f64::max);
    let max_ms = hist
        .iter()
        .rposition(|a| a.load(Ordering::Relaxed) > 0)
        .unwrap_or(0);
    println!("live benchmark (loopback, gateway in its own process)");
    println!("  batches              {last_seq}");
    println!("  points sent          {sent}");
    println!("  points stored        {stored}");
    println!("  lost                 {lost}");
    println!("  doubled              {doubled}");
    println!(
        "  key digest           {}",
        if digest == sent_digest && lost == 0 && doubled == 0 {
            "match"
        } else {
            "MISMATCH"
        }
    );
    println!("  redelivered (absorbed as duplicates) {}", st.duplicates);
    println!(
        "  reconnects           {}",
        st.feed.connects.saturating_sub(1)
    );
    println!(
        "  bus receiver lagged  {} batches",
        lagged.load(Ordering::Relaxed)
    );
    println!(
        "  throughput           {:.0} points/s stored over {:.1} s (first update to end, the end-of-feed rollups included)",
        stored as f64 / span_s,
        span_s
    );
    // Steady: from the first 10 s sample after 30 s to the last one before the end.
    let steady_from = stored_at.iter().find(|(t, _)| *t >= 30.0);
    let steady_to = stored_at.iter().rev().find(|(t, _)| *t < wall - 5.0);
    if let (Some(a), Some(b)) = (steady_from, steady_to)
        && b.0 > a.0
    {
        println!(
            "  steady throughput    {:.0} points/s stored from {:.0} s to {:.0} s; the gateway offered {:.0} points/s",
            (b.1 - a.1) as f64 / (b.0 - a.0),
            a.0,
            b.0,
            sum["offered_per_s"].as_f64().unwrap_or(0.0)
        );
    }
    println!(
        "  feed->first truck-update latency over {} points: p50 {} ms, p95 {} ms, p99 {} ms, max {} ms",
        seen.load(Ordering::Relaxed),
        pct(&hist, 0.50),
        pct(&hist, 0.95),
        pct(&hist, 0.99),
        max_ms
    );
    let steady_n: u64 = steady.iter().map(|a| a.load(Ordering::Relaxed)).sum();
    if steady_n > 0 {
        println!(
            "  same, after the first 30 s, over {steady_n} points: p50 {} ms, p95 {} ms, p99 {} ms, max {} ms",
            pct(&steady, 0.50),
            pct(&steady, 0.95),
            pct(&steady, 0.99),
            steady
                .iter()
                .rposition(|a| a.load(Ordering::Relaxed) > 0)
                .unwrap_or(0)
        );
    }
    println!(
        "  RSS MiB              first {:.1}, last {:.1}, max {:.1}, slope after 60 s {:+.2} MiB/min, over the second half {:+.2} MiB/min ({} samples)",
        rss.first().map_or(0.0, |p| p.1),
        rss.last().map_or(0.0, |p| p.1),
        max_rss,
        slope,
        slope_half,
        rss.len()
    );
    println!(
        "  RSS samples          {}",
        rss.iter()
            .map(|(t, r)| format!("{t:.0}s:{r:.0}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "  commits {}, commit retries {}, wall {:.1} s",
        st.commits, st.commit_retries, wall
    );
    println!("  pipeline stages (ms; per flush unless per point):");
    println!(
        "    {:<13} {:>9} {:>11} {:>8} {:>8} {:>8} {:>9} {:>9}",
        "stage", "samples", "weight", "mean", "p50", "p99", "max", "total s"
    );
    for s in &stages {
        println!(
            "    {:<13} {:>9} {:>11} {:>8.2} {:>8.2} {:>8.2} {:>9.1} {:>9.1}",
            s.stage.name(),
            s.samples,
            s.weight,
            s.mean_ms,
            s.p50_ms,
            s.p99_ms,
            s.max_ms,
            s.total_s
        );
    }
    let cpu = cpu_s();
    println!(
        "  client CPU           {cpu:.1} s ({:.0} µs per point stored, {:.2} cores on average)",
        cpu / stored.max(1) as f64 * 1e6,
        cpu / wall.max(1e-3)
    );
    println!(
        "  machine load average at start {load_start}, at end {} (2 cores, shared)",
        loadavg()
    );
    Ok(())
}
