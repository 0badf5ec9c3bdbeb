//! Write throughput of `Store::write_batch` against the `sqlite3` CLI's `.import`.
//!
//! ```text
//! cargo run --release -p fc-store --example write_bench -- [ROWS] [BATCH] [--no-cli] [--dir DIR]
//! ```
//!
//! Points are generated in memory per batch (1000 trucks, interleaved by time,
//! every field set). The reference imports an equivalent CSV (same values,
//! `ts` as integer ms, the integer truck key in place of the id) with
//! `sqlite3 .import` into a table created by the same DDL as ours (same
//! primary key), same journal mode, synchronous level and page cache. Prints
//! rows/s for both, the busiest threads' CPU (the writer connection's worker
//! is the bottleneck) and the process's peak RSS after the store run, then
//! times per-truck range reads and the full export-order scan.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Instant;

use fc_model::TelemetryPoint;
use fc_store::{Origin, PointFilter, Store, WriteBatch};
use futures::TryStreamExt;

const TRUCKS: u64 = 1000;
const BASE_TS: i64 = 1_709_251_200_000; // 2024-03-01T00:00:00Z

/// Row `n` of the synthetic fleet: truck `n % 1000`, one reading every 30 s.
fn point(n: u64) -> TelemetryPoint {
    let truck = n % TRUCKS;
    let step = n / TRUCKS;
    let mut p = TelemetryPoint::new(format!("TRK-{truck:04}"), BASE_TS + step as i64 * 30_000);
    let t = step as f64;
    let k = truck as f64;
    p.lat = Some(40.0 + k * 0.001 + t * 1.0e-5);
    p.lon = Some(-3.7 + k * 0.001 - t * 1.3e-5);
    p.speed_kmh = Some(((step * 7 + truck) % 900) as f64 / 10.0);
    p.rpm = Some(800.0 + ((step * 13 + truck) % 1200) as f64);
    p.fuel_level_pct = Some(95.0 - (t * 0.01) % 80.0);
    p.fuel_l = Some(570.0 - (t * 0.06) % 480.0);
    p.fuel_used_l = Some(10_000.0 + k + t * 0.061);
    p.fuel_rate_lph = Some(20.0 + ((step + truck) % 150) as f64 / 10.0);
    p.odometer_km = Some(150_000.0 + k * 10.0 + t * 0.7);
    p.engine_hours = Some(5_000.0 + t / 120.0);
    p.ignition = Some(!step.is_multiple_of(50));
    p.driver_id = Some(format!("DRV-{:04}", (truck * 7) % 1200));
    p.pto = Some(step.is_multiple_of(97));
    p.alt_m = Some(600.0 + ((step + truck * 3) % 400) as f64 * 0.5);
    p.ambient_temp_c = Some(12.5 + ((step / 120) % 20) as f64 * 0.25);
    p.fuel_level_pct_2 = Some(50.0 + (t * 0.003) % 40.0);
    p.fuel_l_2 = Some(100.0 + (t * 0.01) % 80.0);
    p
}

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// User + system CPU seconds of this process so far (load-independent cost).
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let rest = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<f64> = rest
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    (f.get(10).copied().unwrap_or(0.0) + f.get(11).copied().unwrap_or(0.0)) / 100.0
}

/// CPU seconds per thread name (SQLite runs each connection on its own worker thread).
fn thread_cpu() -> Vec<(String, f64)> {
    let mut out: Vec<(String, f64)> = Vec::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return out;
    };
    for task in tasks.flatten() {
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        let name = stat
            .split_once('(')
            .and_then(|(_, r)| r.rsplit_once(')'))
            .map_or("", |(n, _)| n)
            .to_string();
        let rest = stat.rsplit(')').next().unwrap_or("");
        let f: Vec<f64> = rest
            .split_whitespace()
            .filter_map(|x| x.parse().ok())
            .collect();
        let secs = (f.get(10).copied().unwrap_or(0.0) + f.get(11).copied().unwrap_or(0.0)) / 100.0;
        out.push((name, secs));
    }
    out.sort_by(|a, b| b.1.total_cmp(&a.1));
    out
}

fn flag(v: Option<bool>) -> &'static str {
    if v == Some(true) { "1" } else { "0" }
}

fn write_csv(path: &Path, rows: u64) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(path)?);
    writeln!(out, "{}", fc_model::CANONICAL_HEADER)?;
    for n in 0..rows {
        let p = point(n);
        let f = |v: Option<f64>| v.map(|x| x.to_string()).unwrap_or_default();
        writeln!(
            out,
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            // The store keeps an integer truck key; so does the reference (truck + 1).
            n % TRUCKS + 1,
            p.ts,
            f(p.lat),
            f(p.lon),
            f(p.speed_kmh),
            f(p.rpm),
            f(p.fuel_level_pct),
            f(p.fuel_l),
            f(p.fuel_used_l),
            f(p.fuel_rate_lph),
            f(p.odometer_km),
            f(p.engine_hours),
            flag(p.ignition),
            p.driver_id.as_deref().unwrap_or(""),
            flag(p.pto),
            f(p.alt_m),
            f(p.ambient_temp_c),
            f(p.fuel_level_pct_2),
            f(p.fuel_l_2),
        )?;
    }
    out.flush()
}

fn migration_ddl() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../migrations/sqlite/0001_initial.sql"
    );
    let sql = std::fs::read_to_string(path).unwrap_or_default();
    // Only the telemetry table: the reference has our key and columns, nothing else.
    let start = sql.find("CREATE TABLE telemetry").unwrap_or(0);
    let end = sql[start..].find(';').map_or(sql.len(), |e| start + e + 1);
    sql[start..end].to_string()
}

fn run_cli(dir: &Path, csv: &Path, ddl: &str, label: &str) -> Option<f64> {
    let db = dir.join(format!("reference-{label}.db"));
    let _ = std::fs::remove_file(&db);
    let script = format!(
        "PRAGMA journal_mode=WAL;\nPRAGMA synchronous=NORMAL;\nPRAGMA cache_size=-32768;\n{ddl}\n.import --csv --skip 1 {} telemetry\n",
        csv.display()
    );
    let start = Instant::now();
    let mut child = Command::new("sqlite3")
        .arg(&db)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .ok()?;
    child.stdin.take()?.write_all(script.as_bytes()).ok()?;
    let status = child.wait().ok()?;
    let secs = start.elapsed().as_secs_f64();
    status.success().then_some(secs)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut nums = args.iter().filter_map(|a| a.parse::<u64>().ok());
    let rows = nums.next().unwrap_or(5_000_000);
    let batch = nums.next().unwrap_or(20_000).max(1);
    let no_cli = args.iter().any(|a| a == "--no-cli");
    let dir = args
        .iter()
        .position(|a| a == "--dir")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("fc-store-bench"));
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("bench.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }

    let store = Store::open_path(&db).await?;
    let source: Arc<str> = Arc::from("bench");
    let cpu0 = cpu_secs();
    let mut gen_secs = 0.0;
    let mut write_secs = 0.0;
    let mut stored = 0;
    let mut n = 0;
    while n < rows {
        let t0 = Instant::now();
        let end = (n + batch).min(rows);
        let points: Vec<_> = (n..end)
            .map(|i| (point(i), Origin::line(&source, i + 2)))
            .collect();
        gen_secs += t0.elapsed().as_secs_f64();
        let t1 = Instant::now();
        let out = store
            .write_batch(WriteBatch {
                points,
                ..WriteBatch::default()
            })
            .await?;
        write_secs += t1.elapsed().as_secs_f64();
        stored += out.stored;
        n = end;
    }
    // The writer connection's worker thread is the bottleneck: its CPU is the figure to watch.
    let threads: Vec<String> = thread_cpu()
        .into_iter()
        .take(4)
        .map(|(n, c)| format!("{n} {c:.2} s"))
        .collect();
    println!("busiest threads after the writes: {}", threads.join(", "));
    let t2 = Instant::now();
    store.close().await;
    let close_secs = t2.elapsed().as_secs_f64();
    let cpu = cpu_secs() - cpu0;
    let rss = peak_rss_kib().unwrap_or(0);
    println!(
        "store: {rows} rows in batches of {batch}: write_batch {write_secs:.2} s = {:.0} rows/s \
         (incl. close {close_secs:.2} s: {:.0} rows/s; generating points {gen_secs:.2} s), stored {stored}, peak RSS {} MiB, \
         CPU {cpu:.2} s = {:.2} us/row",
        rows as f64 / write_secs,
        rows as f64 / (write_secs + close_secs),
        rss / 1024,
        cpu * 1e6 / rows as f64
    );

    // Re-writing the last batch: everything is a duplicate (the slow path).
    let store = Store::open_path(&db).await?;
    let start = rows.saturating_sub(batch);
    let points: Vec<_> = (start..rows)
        .map(|i| (point(i), Origin::line(&source, i + 2)))
        .collect();
    let t3 = Instant::now();
    let out = store
        .write_batch(WriteBatch {
            points,
            ..WriteBatch::default()
        })
        .await?;
    println!(
        "store: re-writing {} rows: {:.0} rows/s, duplicates {}",
        rows - start,
        (rows - start) as f64 / t3.elapsed().as_secs_f64(),
        out.duplicates
    );

    // Reads: per-truck range reads (a fifth of each truck's span, 100 trucks)
    // and the full export-order scan, wall clock and process CPU.
    let steps = (rows / TRUCKS).max(1) as i64;
    let (t4, c4) = (Instant::now(), cpu_secs());
    let mut range_rows = 0u64;
    for truck in (0..TRUCKS).step_by(10) {
        let from = BASE_TS + (steps * 2 / 5) * 30_000;
        let filter = PointFilter {
            trucks: Some(vec![format!("TRK-{truck:04}")]),
            from: Some(from),
            to: Some(from + (steps / 5).max(1) * 30_000),
        };
        range_rows += store
            .points(filter)
            .try_fold(0u64, |n, _| async move { Ok(n + 1) })
            .await?;
    }
    let (range_secs, range_cpu) = (t4.elapsed().as_secs_f64(), cpu_secs() - c4);
    let (t5, c5) = (Instant::now(), cpu_secs());
    let scanned = store
        .points(PointFilter::default())
        .try_fold(0u64, |n, _| async move { Ok(n + 1) })
        .await?;
    let (scan_secs, scan_cpu) = (t5.elapsed().as_secs_f64(), cpu_secs() - c5);
    println!(
        "store: range reads of 100 trucks: {range_rows} rows in {:.1} ms (CPU {:.1} ms); \
         full export-order scan: {scanned} rows in {scan_secs:.2} s = {:.0} rows/s (CPU {scan_cpu:.2} s)",
        range_secs * 1e3,
        range_cpu * 1e3,
        scanned as f64 / scan_secs
    );
    store.close().await;

    if !no_cli {
        let csv = dir.join("bench.csv");
        write_csv(&csv, rows)?;
        let ddl = migration_ddl();
        let reference = [
            ("same-ddl", ddl),
            (
                "rowid-unique",
                "CREATE TABLE telemetry (truck_key INTEGER NOT NULL, ts INTEGER NOT NULL, lat REAL, lon REAL, \
                 speed_kmh REAL, rpm REAL, fuel_level_pct REAL, fuel_l REAL, fuel_used_l REAL, \
                 fuel_rate_lph REAL, odometer_km REAL, engine_hours REAL, ignition INTEGER, driver_id TEXT, \
                 pto INTEGER, alt_m REAL, ambient_temp_c REAL, fuel_level_pct_2 REAL, fuel_l_2 REAL, \
                 UNIQUE (truck_key, ts));"
                    .to_string(),
            ),
        ];
        for (label, ddl) in reference {
            match run_cli(&dir, &csv, &ddl, label) {
                Some(secs) => println!(
                    "sqlite3 .import ({label}): {secs:.2} s = {:.0} rows/s; store/CLI = {:.0}%",
                    rows as f64 / secs,
                    100.0 * (rows as f64 / write_secs) / (rows as f64 / secs)
                ),
                None => println!("sqlite3 .import ({label}): could not run sqlite3"),
            }
        }
    }
    Ok(())
}
