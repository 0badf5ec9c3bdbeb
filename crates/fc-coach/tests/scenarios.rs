//! Simulated drivers with known habits (fc-sim's coaching scenarios) through
//! the real path: detector events and points into the rollup builder, then
//! scorecards and recommendations.

use chrono_tz::Tz;
use fc_coach::{CoachConfig, CoachReport, Period, Prices, Rollup, RollupBuilder, coach};
use fc_ledger::{DetectorConfig, TruckDetector, split_final};
use fc_sim::coaching::{SPEED_LIMIT_KMH, coaching_fleet, coaching_profile, simulate_coaching};

const DAYS: u32 = 10;

fn rollups_of_fleet(seed: u64) -> Vec<Rollup> {
    let tz: Tz = "Etc/GMT-1".parse().unwrap(); // the simulator's UTC+1
    let cfg = CoachConfig {
        speed_limit_kmh: SPEED_LIMIT_KMH,
        ..CoachConfig::default()
    };
    let mut all = Vec::new();
    for spec in coaching_fleet(DAYS) {
        let (points, _) = simulate_coaching(&spec, DAYS, seed, fc_sim::DEFAULT_START_MS);
        let profile = coaching_profile(&spec.truck_id);
        let mut det = TruckDetector::new(&profile, &DetectorConfig::default());
        let mut b = RollupBuilder::new(&spec.truck_id, &profile, tz, &cfg);
        let mut updates = Vec::new();
        for p in &points {
            det.push_into(p, &mut updates);
            b.push(p);
        }
        updates.extend(det.finish());
        let (events, _) = split_final(updates);
        for e in &events {
            b.event(e);
        }
        b.set_idle_rate(det.learned_rates().idle_lph);
        all.extend(b.finish());
    }
    all
}

fn report(rollups: &[Rollup]) -> CoachReport {
    let days: Vec<&str> = rollups.iter().map(|r| r.day.as_str()).collect();
    let period = Period {
        from_day: days.iter().min().unwrap().to_string(),
        to_day: days.iter().max().unwrap().to_string(),
        days: DAYS,
    };
    let prices = Prices {
        currency: "EUR".into(),
        fuel_price_per_l: 1.75,
    };
    let cfg = CoachConfig {
        speed_limit_kmh: SPEED_LIMIT_KMH,
        ..CoachConfig::default()
    };
    coach(rollups, &period, &prices, &cfg).unwrap()
}

#[test]
fn habits_are_found_and_the_hard_route_is_not_punished() {
    for seed in [1, 2] {
        let rollups = rollups_of_fleet(seed);
        let rep = report(&rollups);
        let card = |id: &str| rep.drivers.iter().find(|d| d.driver_id == id).unwrap();
        let top = |id: &str| card(id).recommendations.first().map(|r| r.code.clone());
        let summary: Vec<String> = rep
            .drivers
            .iter()
            .map(|d| {
                format!(
                    "{} {:.1} [{:.1},{:.1}] {:?} eff={:?} recs={:?}",
                    d.driver_id,
                    d.score.value,
                    d.score.low,
                    d.score.high,
                    d.score
                        .parts
                        .iter()
                        .map(|p| (p.name.clone(), p.score.round()))
                        .collect::<Vec<_>>(),
                    d.metrics.efficiency_ratio,
                    d.recommendations
                        .iter()
                        .map(|r| (r.code.clone(), r.litres_per_week.round()))
                        .collect::<Vec<_>>()
                )
            })
            .collect();
        let s = summary.join("\n");
        assert!(!rep.model.fallback, "{:?}", rep.model);
        // The idler is told about idling first, the speeder about speed.
        assert_eq!(top("C07").as_deref(), Some("idle"), "seed {seed}\n{s}");
        assert_eq!(top("C08").as_deref(), Some("speeding"), "seed {seed}\n{s}");
        // The harsh driver hears about harsh braking.
        assert!(
            card("C09")
                .recommendations
                .iter()
                .any(|r| r.code == "harsh_braking"),
            "seed {seed}\n{s}"
        );
        // The careful driver on the hardest route scores above the fleet median,
        // and above every typical driver on easier routes' median.
        let median = rep.fleet_median_score.unwrap();
        assert!(card("C10").score.value > median, "seed {seed}\n{s}");
        for bad in ["C07", "C08", "C09"] {
            assert!(
                card("C10").score.value > card(bad).score.value,
                "{bad} seed {seed}\n{s}"
            );
        }
        // Little distance: provisional, and a much wider interval than anyone else's.
        let low = card("C11");
        assert!(low.score.provisional, "{s}");
        let width = |id: &str| card(id).score.high - card(id).score.low;
        for d in &rep.drivers {
            if d.driver_id != "C11" && !d.driver_id.is_empty() {
                assert!(
                    width("C11") > 2.0 * width(&d.driver_id),
                    "{} seed {seed}\n{s}",
                    d.driver_id
                );
            }
        }
        assert!(low.score.value > 20.0, "{s}");
        // Every recommendation carries its numbers.
        for d in &rep.drivers {
            for r in &d.recommendations {
                assert!(r.litres_per_week > 0.0 && r.value > r.fleet_best, "{r:?}");
                assert!((r.money_per_week - 1.75 * r.litres_per_week).abs() < 1e-9);
            }
        }
    }
}

#[test]
fn rollups_add_up_whatever_the_grouping() {
    let rollups = rollups_of_fleet(3);
    let rep = report(&rollups);
    let drivers_km: f64 = rep.drivers.iter().map(|d| d.metrics.distance_km).sum();
    let trucks_km: f64 = rep.trucks.iter().map(|t| t.metrics.distance_km).sum();
    let raw_km: f64 = rollups.iter().map(|r| r.distance_km).sum();
    assert!((trucks_km - raw_km).abs() < 1e-6);
    assert!(drivers_km <= raw_km + 1e-6);
}
