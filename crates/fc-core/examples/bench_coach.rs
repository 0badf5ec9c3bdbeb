//! Coaching benchmark (decision 20), run by `bench/coach.sh`:
//!
//! 1. Rollups built from a 1 Hz series (the coaching simulator's drivers, many
//!    truck-days) at >= 1M points/s, against plain iteration over the same points
//!    (reading every speed and fuel value) measured in the same run.
//! 2. Scorecards for 1000 drivers x 30 days from stored rollups in < 5 s:
//!    30,000 rollups written to a temporary SQLite store, then `Core::coach`
//!    (read, decode, model fit, scores, recommendations) timed end to end, with
//!    the in-memory `fc_coach::coach` and a plain sum of the rollups as references.
//!
//! Usage: bench_coach [DAYS] [DRIVERS]   (defaults 30 and 1000)

use std::hint::black_box;
use std::time::Instant;

use fc_coach::{CoachConfig, Rollup, RollupBuilder};
use fc_core::{CoachRequest, Core, FleetSettings};
use fc_model::TelemetryPoint;
use fc_sim::coaching::{coaching_fleet, coaching_profile, simulate_coaching};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let days: u32 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(30);
    let drivers: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let tz: chrono_tz::Tz = "Etc/GMT-1".parse()?;
    let cfg = CoachConfig::default();

    // 1. Rollup building over a 1 Hz series.
    let sim_days = 14;
    let series: Vec<(String, Vec<TelemetryPoint>)> = coaching_fleet(sim_days)
        .iter()
        .map(|d| {
            let (p, _) = simulate_coaching(d, sim_days, 1, fc_sim::DEFAULT_START_MS);
            (d.truck_id.clone(), p)
        })
        .collect();
    let n: usize = series.iter().map(|(_, p)| p.len()).sum();
    let rounds = 3;
    let t = Instant::now();
    let mut acc = 0.0;
    for _ in 0..rounds {
        for (_, pts) in &series {
            for p in pts {
                acc += p.speed_kmh.unwrap_or(0.0) + p.fuel_l.unwrap_or(0.0) + p.rpm.unwrap_or(0.0);
            }
        }
    }
    black_box(acc);
    let plain_s = t.elapsed().as_secs_f64() / f64::from(rounds);
    let mut sample: Vec<Rollup> = Vec::new();
    let t = Instant::now();
    for round in 0..rounds {
        for (truck, pts) in &series {
            let profile = coaching_profile(truck);
            let mut b = RollupBuilder::new(truck, &profile, tz, &cfg);
            for p in pts {
                b.push(p);
            }
            let out = b.finish();
            if round == 0 {
                sample.extend(out.iter().filter(|r| r.distance_km > 0.0).cloned());
            }
            black_box(out);
        }
    }
    let build_s = t.elapsed().as_secs_f64() / f64::from(rounds);
    // The import hook also runs the detector, for the fills and drains in each
    // day's fuel balance: measured too, so the import cost is known.
    let t = Instant::now();
    for (truck, pts) in &series {
        let profile = coaching_profile(truck);
        let mut det =
            fc_ledger::TruckDetector::new(&profile, &fc_ledger::DetectorConfig::default());
        let mut b = RollupBuilder::new(truck, &profile, tz, &cfg);
        let mut updates = Vec::new();
        for p in pts {
            det.push_into(p, &mut updates);
            b.push(p);
            for u in updates.drain(..) {
                if let fc_ledger::EventUpdate::Event(e) = u {
                    b.event(&e);
                }
            }
        }
        for u in det.finish() {
            if let fc_ledger::EventUpdate::Event(e) = u {
                b.event(&e);
            }
        }
        black_box(b.finish());
    }
    let with_det_s = t.elapsed().as_secs_f64();
    println!(
        "rollups: {n} points (1 Hz while the engine runs, {} trucks x {sim_days} days)",
        series.len()
    );
    println!(
        "  plain iteration   {:>8.2} M points/s",
        n as f64 / plain_s / 1e6
    );
    println!(
        "  rollup builder    {:>8.2} M points/s   ({:.1}x the plain iteration's time; target >= 1 M/s)",
        n as f64 / build_s / 1e6,
        build_s / plain_s
    );

    println!(
        "  detector + builder {:>8.2} M points/s   (the import hook's per-point work)",
        n as f64 / with_det_s / 1e6
    );

    // 2. Scorecards for DRIVERS x DAYS from stored rollups.
    let start = chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap_or_default();
    let mut rollups = Vec::with_capacity(drivers * days as usize);
    for d in 0..drivers {
        for day in 0..days {
            // Real driver-days from the simulation, cycled, with a per-driver scale
            // so that drivers differ.
            let mut r = sample[(d * 7 + day as usize) % sample.len()].clone();
            let k = 0.8 + 0.4 * ((d * 37 % 100) as f64 / 100.0);
            r.idle_h *= k;
            r.idle_l *= k;
            r.over_speed_h *= 2.0 - k;
            r.over_speed_extra_l *= 2.0 - k;
            r.driver_id = format!("D{d:04}");
            r.truck_id = format!("T{d:04}");
            r.day = (start + chrono::Duration::days(i64::from(day)))
                .format("%Y-%m-%d")
                .to_string();
            r.start_ms = i64::from(day) * 86_400_000;
            rollups.push(r);
        }
    }
    let dir = tempfile::tempdir()?;
    let rt = tokio::runtime::Runtime::new()?;
    let (store_s, core_s, report_drivers) = rt.block_on(async {
        let core = Core::open(&format!("sqlite:{}", dir.path().join("bench.db").display())).await?;
        core.save_fleet_settings(&FleetSettings::default()).await?;
        let records: Vec<fc_store::RollupRecord> = rollups
            .iter()
            .map(|r| fc_store::RollupRecord {
                truck_id: r.truck_id.clone(),
                day: r.day.clone(),
                driver_id: r.driver_id.clone(),
                start_ms: r.start_ms,
                end_ms: r.end_ms,
                metrics: serde_json::to_value(r).unwrap_or_default(),
            })
            .collect();
        let t = Instant::now();
        core.store().upsert_rollups(&records).await?;
        let store_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let rep = core
            .coach(&CoachRequest {
                driver: None,
                period: Some(format!("{days}d")),
            })
            .await?;
        let core_s = t.elapsed().as_secs_f64();
        core.close().await;
        anyhow::Ok((store_s, core_s, rep.drivers.len()))
    })?;
    let period = fc_core::parse_period(
        Some(&format!("{days}d")),
        &rollups.last().map(|r| r.day.clone()).unwrap_or_default(),
    )?;
    let prices = fc_coach::Prices {
        currency: "EUR".into(),
        fuel_price_per_l: 1.6,
    };
    let t = Instant::now();
    let rep = fc_coach::coach(&rollups, &period, &prices, &cfg)?;
    let mem_s = t.elapsed().as_secs_f64();
    black_box(&rep);
    let t = Instant::now();
    let mut total = Rollup::default();
    for r in &rollups {
        total.add(r);
    }
    black_box(&total);
    let sum_s = t.elapsed().as_secs_f64();
    println!(
        "scorecards: {drivers} drivers x {days} days = {} rollups ({} cards)",
        rollups.len(),
        report_drivers
    );
    println!("  store write (once, not part of the target) {store_s:>8.3} s");
    println!("  Core::coach from the store  {core_s:>8.3} s   (target < 5 s)");
    println!("  fc_coach::coach in memory   {mem_s:>8.3} s");
    println!("  plain sum of the rollups    {sum_s:>8.4} s");
    Ok(())
}
