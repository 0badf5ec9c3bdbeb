//! Reference for `bench/analyze.sh`: reads a telemetry file with fc-import and
//! does nothing else, so the analysis rate can be compared with plain parsing
//! on the same (noisy, shared) machine.
//!
//! `cargo run --release -p fc-core --example parse_only -- FILE`

use std::time::Instant;

use fc_import::{ImportOptions, Record};

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: parse_only FILE");
        std::process::exit(2);
    };
    let started = Instant::now();
    let mut reader = match fc_import::open(std::path::Path::new(&path), &ImportOptions::default()) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let (mut points, mut other) = (0u64, 0u64);
    // Sum a field so the parse cannot be optimised away.
    let mut checksum = 0.0f64;
    loop {
        match reader.next_record() {
            Ok(Some(Record::Point { point, .. })) => {
                points += 1;
                checksum += point.fuel_level_pct.unwrap_or(0.0);
            }
            Ok(Some(_)) => other += 1,
            Ok(None) => break,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
    }
    let secs = started.elapsed().as_secs_f64();
    println!(
        "{{\"points\":{points},\"other_rows\":{other},\"seconds\":{secs:.3},\"rows_per_s\":{:.0},\"checksum\":{checksum:.1}}}",
        (points + other) as f64 / secs.max(1e-9)
    );
}
