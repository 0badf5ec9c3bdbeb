//! Writes the coaching scenarios (drivers with known habits, 1 Hz) as one
//! canonical CSV: `cargo run --release -p fc-sim --example coaching_csv -- OUT.csv [DAYS] [SEED]`.
//! The fleet runs on UTC+1 (`fuelcopilot settings time_zone=Etc/GMT-1`).

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(out) = args.get(1) else {
        eprintln!("usage: coaching_csv OUT.csv [DAYS] [SEED]");
        std::process::exit(2);
    };
    let days = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(14);
    let seed = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    match fc_sim::coaching::write_coaching_csv(std::path::Path::new(out), days, seed) {
        Ok(truth) => {
            for t in truth {
                println!(
                    "{}: {:.0} km, {:.0} L, idle {:.1} h, over the limit {:.1} h, harsh {} starts {} stops",
                    t.driver_id,
                    t.distance_km,
                    t.fuel_l,
                    t.idle_h,
                    t.over_speed_h,
                    t.harsh_accel,
                    t.harsh_brake
                );
            }
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
