//! Parse throughput on a generated canonical CSV held in memory.
//!
//! `cargo run --release -p fc-import --example parse_bench -- [ROWS]` (default 2,000,000).

use std::fmt::Write;
use std::io::Cursor;
use std::time::Instant;

use fc_import::{ImportOptions, Record, from_reader};
use fc_model::{CANONICAL_HEADER, format_ts};

/// Nanoseconds this thread has run on a CPU (Linux), so that a busy shared machine does
/// not distort the figure; falls back to wall time elsewhere.
fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

struct Clock(Instant, Option<u64>);

impl Clock {
    fn start() -> Clock {
        Clock(Instant::now(), cpu_ns())
    }

    /// (wall seconds, on-CPU seconds)
    fn stop(&self) -> (f64, f64) {
        let wall = self.0.elapsed().as_secs_f64();
        let cpu = match (self.1, cpu_ns()) {
            (Some(a), Some(b)) => (b - a) as f64 / 1e9,
            _ => wall,
        };
        (wall, cpu)
    }
}

fn main() {
    let rows: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2_000_000);
    let mut text = String::with_capacity(rows * 140);
    text.push_str(CANONICAL_HEADER);
    text.push('\n');
    let mut row = String::new();
    for i in 0..rows {
        let f = i as f64;
        row.clear();
        // Same column order and number formatting as a canonical export.
        let _ = write!(
            row,
            "T{:03},{},{:.6},{:.6},{:.1},{},{},,{:.2},,{:.1},{:.2},{},D{},,,,,",
            i % 200,
            format_ts(1_709_294_400_000 + (i as i64 / 200) * 30_000),
            40.0 + (f * 1e-5) % 1.0,
            -3.7 + (f * 7e-6) % 1.0,
            (f * 0.37) % 110.0,
            (i * 13) % 2400,
            ((i * 7) % 1000) as f64 / 10.0,
            12_000.0 + f * 0.01,
            250_000.0 + f * 0.2,
            8_000.0 + f * 0.008,
            i % 17 != 0,
            i % 300
        );
        text.push_str(&row);
        text.push('\n');
    }
    let bytes = text.into_bytes();
    let only_csv = std::env::args().nth(2).as_deref() == Some("csv");
    let mb = bytes.len() as f64 / 1e6;
    // Baseline: the CSV tokenizer alone over the same bytes.
    let clock = Clock::start();
    let mut rdr = csv::ReaderBuilder::new().from_reader(&bytes[..]);
    let mut rec = csv::ByteRecord::new();
    let mut n = 0u64;
    while let Ok(true) = rdr.read_byte_record(&mut rec) {
        n += 1;
    }
    let (wall, cpu) = clock.stop();
    println!(
        "csv tokenizer alone: {n} rows, wall {wall:.3} s, cpu {cpu:.3} s: {:.0} rows/s (cpu)",
        n as f64 / cpu
    );
    if only_csv {
        return;
    }
    let clock = Clock::start();
    let mut reader = match from_reader("bench.csv", Cursor::new(bytes), &ImportOptions::default()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let (mut points, mut other) = (0u64, 0u64);
    while let Ok(Some(r)) = reader.next_record() {
        match r {
            Record::Point { issues, .. } if issues.is_empty() => points += 1,
            _ => other += 1,
        }
    }
    let (wall, cpu) = clock.stop();
    println!(
        "fc-import: {points} points ({other} other) from {mb:.1} MB, wall {wall:.3} s, cpu {cpu:.3} s: {:.0} rows/s (cpu), {:.0} rows/s (wall), {:.0} MB/s (cpu)",
        points as f64 / cpu,
        points as f64 / wall,
        mb / cpu
    );
}
