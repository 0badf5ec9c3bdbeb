//! Prints one simulated truck's points next to the simulator's hidden truth, to see
//! why the detector saw what it saw.
//!
//! `cargo run --release -p fc-ledger --example sim_probe -- PROFILE SEED TRUCK FROM TO [DAYS]`
//! with `FROM`/`TO` as RFC 3339 (UTC) and `DAYS` the fleet's length (14, as eval_sim). Columns: time, speed, ignition, level read
//! (litres, tanks summed), true litres on board at 15 degC, ECU counter, ambient.

use fc_model::{TruckProfile, format_ts, parse_rfc3339_ms};
use fc_sim::{Fleet, Profile, SimConfig};

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    if a.len() < 5 {
        eprintln!("usage: sim_probe PROFILE SEED TRUCK FROM TO [DAYS]");
        std::process::exit(2);
    }
    let profile: Profile = a[0].parse().unwrap_or(Profile::Hard);
    let seed: u64 = a[1].parse().unwrap_or(1);
    let truck = a[2].clone();
    let (Some(from), Some(to)) = (parse_rfc3339_ms(&a[3]), parse_rfc3339_ms(&a[4])) else {
        eprintln!("bad time");
        std::process::exit(2);
    };
    let idx: usize = truck
        .trim_start_matches('T')
        .parse::<usize>()
        .unwrap_or(1)
        .saturating_sub(1);
    // The fleet's length changes what is drawn for it: use eval_sim's (14) unless told.
    let days: u32 = a.get(5).and_then(|d| d.parse().ok()).unwrap_or(14);
    let cfg = SimConfig::new(idx + 1, days, seed, profile);
    let Ok(mut fleet) = Fleet::new(&cfg) else {
        eprintln!("bad config");
        std::process::exit(2);
    };
    let prof: TruckProfile = fleet.trucks()[idx].clone();
    let step = 5_000;
    let mut t = fleet.start_ms();
    while t < to + 3_600_000 && !fleet.is_finished() {
        t += step;
        let pts = fleet.next_until(t);
        let truth = fleet.truth(idx);
        for p in pts {
            if p.truck_id != truck || p.ts < from || p.ts > to {
                continue;
            }
            let l1 = p.fuel_l.or_else(|| {
                p.fuel_level_pct
                    .and_then(|x| prof.tanks.first().map(|t| t.litres(x)))
            });
            let l2 = p.fuel_l_2.or_else(|| {
                p.fuel_level_pct_2
                    .and_then(|x| prof.tanks.get(1).map(|t| t.litres(x)))
            });
            let lvl = l1.unwrap_or(f64::NAN) + l2.unwrap_or(0.0);
            let tr: f64 = truth.as_ref().map_or(f64::NAN, |x| x.tank_l.iter().sum());
            println!(
                "{} v={:>5.1} ign={:>5} lvl={:>7.1} true={:>7.1} d={:>6.1} ecu={:>9.1} amb={:>5.1} pct={:?}/{:?}",
                format_ts(p.ts),
                p.speed_kmh.unwrap_or(f64::NAN),
                p.ignition.map_or("-".into(), |b| b.to_string()),
                lvl,
                tr,
                lvl - tr,
                p.fuel_used_l.unwrap_or(f64::NAN),
                p.ambient_temp_c.unwrap_or(f64::NAN),
                p.fuel_level_pct,
                p.fuel_level_pct_2,
            );
        }
    }
}
