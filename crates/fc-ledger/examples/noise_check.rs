//! Compares each simulated truck's true gauge noise with the detector's estimate.
//!
//! `cargo run --release -p fc-ledger --example noise_check -- PROFILE SEED [TRUCKS]`
//! Columns: truck, tanks, capacity, quantised, true noise (% of tank and litres, white
//! plus the AR(1) part, for a straight tank), detector sigma (litres), measured.

use fc_ledger::{DetectorConfig, TruckDetector};
use fc_sim::{Fleet, Profile, SimConfig};

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let profile: Profile = a
        .first()
        .and_then(|s| s.parse().ok())
        .unwrap_or(Profile::Hard);
    let seed: u64 = a.get(1).and_then(|s| s.parse().ok()).unwrap_or(1);
    let trucks: usize = a.get(2).and_then(|s| s.parse().ok()).unwrap_or(50);
    let Ok(mut fleet) = Fleet::new(&SimConfig::new(trucks, 14, seed, profile)) else {
        eprintln!("bad config");
        std::process::exit(2);
    };
    let cfg = DetectorConfig::default();
    let profiles = fleet.trucks().to_vec();
    let metas = fleet.truck_meta().to_vec();
    let mut dets: Vec<TruckDetector> = profiles
        .iter()
        .map(|p| TruckDetector::new(p, &cfg))
        .collect();
    let mut t = fleet.start_ms();
    while !fleet.is_finished() {
        t += 3_600_000;
        for p in fleet.next_until(t) {
            if let Some(i) = profiles.iter().position(|x| x.truck_id == p.truck_id) {
                let _ = dets[i].push(&p);
            }
        }
    }
    for (i, d) in dets.iter_mut().enumerate() {
        let _ = d.finish();
        let (s, measured) = d.noise();
        let m = &metas[i];
        let cap = profiles[i].capacity_l();
        let per_tank = cap / profiles[i].tanks.len().max(1) as f64;
        // white sigma plus AR(1) with coefficient 0.9 and innovation 0.19 sigma
        let total_pct = m.noise_pct * (1.0f64 + 0.19f64.powi(2) / (1.0 - 0.81)).sqrt();
        let true_l = total_pct / 100.0 * per_tank * (profiles[i].tanks.len() as f64).sqrt();
        println!(
            "{} tanks {} cap {:>6.0} q {:>5} noise {:.2}% ~{:>5.2} L  det {:>5.2} L measured {} ratio {:.2}",
            m.truck_id,
            profiles[i].tanks.len(),
            cap,
            m.quantised,
            m.noise_pct,
            true_l,
            s,
            measured,
            s / true_l
        );
    }
}
