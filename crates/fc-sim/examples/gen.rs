//! Writes a data set and reports the generation speed:
//! `cargo run --release -p fc-sim --example gen -- DIR [trucks] [days] [seed] [profile]`.

use std::time::Instant;

use fc_sim::{Profile, SimConfig, write_dataset};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).cloned().unwrap_or_else(|| "sim-out".into());
    let num = |i: usize, d: u64| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(d);
    let profile: Profile = args
        .get(5)
        .and_then(|s| s.parse().ok())
        .unwrap_or(Profile::Hard);
    let cfg = SimConfig::new(num(2, 50) as usize, num(3, 14) as u32, num(4, 1), profile);
    let t = Instant::now();
    match write_dataset(std::path::Path::new(&dir), &cfg) {
        Ok(s) => {
            let secs = t.elapsed().as_secs_f64();
            println!(
                "{s:?}\n{secs:.2} s, {:.0} rows/s",
                s.rows as f64 / secs.max(1e-9)
            );
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
