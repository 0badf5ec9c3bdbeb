//! End-to-end properties of the simulated fleet.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use fc_model::{CANONICAL_HEADER, Calibration, Field, FieldKind, TelemetryPoint, parse_rfc3339_ms};
use fc_sim::{
    Fleet, LABELS_HEADER, Label, LabelKind, PURCHASES_HEADER, Profile, SimConfig, TRAPS_HEADER,
    TRUCKS_HEADER, write_dataset,
};

const FILES: [&str; 5] = [
    "telemetry.csv",
    "trucks.csv",
    "purchases.csv",
    "labels.csv",
    "traps.csv",
];

fn run_all(cfg: &SimConfig) -> (Fleet, Vec<TelemetryPoint>, Vec<Label>) {
    let mut fleet = Fleet::new(cfg).unwrap();
    let end = fleet.end_ms();
    let points = fleet.next_until(end);
    let labels = fleet.take_labels();
    (fleet, points, labels)
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap()
}

#[test]
fn the_same_seed_gives_byte_identical_files() {
    let cfg = SimConfig::new(4, 3, 42, Profile::Hard);
    let (a, b, c) = (
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
        tempfile::tempdir().unwrap(),
    );
    let sa = write_dataset(a.path(), &cfg).unwrap();
    let sb = write_dataset(b.path(), &cfg).unwrap();
    assert_eq!(sa, sb);
    assert!(sa.rows > 1_000, "{sa:?}");
    for f in FILES {
        assert_eq!(read(a.path(), f), read(b.path(), f), "{f}");
    }
    let other = SimConfig { seed: 43, ..cfg };
    write_dataset(c.path(), &other).unwrap();
    assert_ne!(
        read(a.path(), "telemetry.csv"),
        read(c.path(), "telemetry.csv")
    );
}

#[test]
fn files_parse_and_stay_in_range() {
    let cfg = SimConfig::new(6, 4, 7, Profile::Hard);
    let dir = tempfile::tempdir().unwrap();
    let summary = write_dataset(dir.path(), &cfg).unwrap();
    let (start, end) = (cfg.start_ms, cfg.end_ms());

    let mut rdr = csv::Reader::from_path(dir.path().join("telemetry.csv")).unwrap();
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header.join(","), CANONICAL_HEADER);
    let mut rows = 0u64;
    for rec in rdr.records() {
        let rec = rec.unwrap();
        assert_eq!(rec.len(), header.len());
        let ts = parse_rfc3339_ms(&rec[1]).unwrap();
        assert!((start..end).contains(&ts), "{ts}");
        for (i, f) in Field::ALL.iter().enumerate() {
            let v = &rec[i];
            match f.kind() {
                FieldKind::Float if !v.is_empty() => {
                    f.check(v.parse::<f64>().unwrap()).unwrap();
                }
                FieldKind::Bool if !v.is_empty() => assert!(v == "true" || v == "false"),
                _ => {}
            }
        }
        rows += 1;
    }
    assert_eq!(rows, summary.rows);

    let text = |name: &str| String::from_utf8(read(dir.path(), name)).unwrap();
    let trucks = text("trucks.csv");
    assert_eq!(trucks.lines().next(), Some(TRUCKS_HEADER));
    let mut rdr = csv::Reader::from_reader(trucks.as_bytes());
    let mut n = 0;
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let cap: f64 = rec[2].parse().unwrap();
        assert!((300.0..=900.0).contains(&cap));
        let cal = Calibration::parse(&rec[4]).unwrap();
        assert!((cal.capacity_l() - cap).abs() < 0.01);
        if !rec[5].is_empty() {
            let cap2: f64 = rec[5].parse().unwrap();
            assert!((Calibration::parse(&rec[6]).unwrap().capacity_l() - cap2).abs() < 0.01);
        }
        n += 1;
    }
    assert_eq!(n, 6);

    let labels = text("labels.csv");
    assert_eq!(labels.lines().next(), Some(LABELS_HEADER));
    for rec in csv::Reader::from_reader(labels.as_bytes()).records() {
        let rec = rec.unwrap();
        assert!(rec[1] == *"fill" || rec[1] == *"drain");
        let (s, e) = (
            parse_rfc3339_ms(&rec[2]).unwrap(),
            parse_rfc3339_ms(&rec[3]).unwrap(),
        );
        assert!(start <= s && s <= e && e < end, "{rec:?}");
        assert!(rec[4].parse::<f64>().unwrap() > 0.0);
        assert!(!rec[5].is_empty());
    }
    let purchases = text("purchases.csv");
    assert_eq!(purchases.lines().next(), Some(PURCHASES_HEADER));
    for rec in csv::Reader::from_reader(purchases.as_bytes()).records() {
        let rec = rec.unwrap();
        let ts = parse_rfc3339_ms(&rec[1]).unwrap();
        assert!((start..end).contains(&ts));
        assert!(rec[2].parse::<f64>().unwrap() > 0.0);
    }
    let traps = text("traps.csv");
    assert_eq!(traps.lines().next(), Some(TRAPS_HEADER));
    assert_eq!(
        csv::Reader::from_reader(traps.as_bytes()).records().count(),
        summary.traps
    );
}

#[test]
fn streaming_in_small_steps_matches_one_call() {
    let cfg = SimConfig::new(5, 2, 9, Profile::Hard);
    let (mut whole, all, labels) = run_all(&cfg);
    let mut fleet = Fleet::new(&cfg).unwrap();
    let mut stepped = Vec::new();
    let mut stepped_labels = Vec::new();
    let mut t = cfg.start_ms;
    let mut k = 0i64;
    while t < cfg.end_ms() {
        // Irregular steps, some shorter than a second, some of several minutes.
        k += 1;
        t += [250, 1_000, 37_000, 600_000, 1][(k % 5) as usize] + k % 7;
        let batch = fleet.next_until(t);
        assert!(batch.iter().all(|p| p.ts <= t));
        stepped.extend(batch);
        stepped_labels.extend(fleet.take_labels());
    }
    stepped.extend(fleet.next_until(cfg.end_ms()));
    stepped_labels.extend(fleet.take_labels());
    assert!(fleet.is_finished());
    assert_eq!(stepped.len(), all.len());
    assert!(stepped == all, "streams differ");
    let key = |l: &Label| (l.truck_id.clone(), l.start, l.kind);
    let mut a: Vec<_> = labels.iter().map(key).collect();
    let mut b: Vec<_> = stepped_labels.iter().map(key).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
    let mut pa = whole.take_purchases();
    let mut pb = fleet.take_purchases();
    pa.sort_by_key(|p| (p.ts, p.truck_id.clone()));
    pb.sort_by_key(|p| (p.ts, p.truck_id.clone()));
    assert_eq!(pa, pb);
}

#[test]
fn clean_fleet_is_physically_sane() {
    let cfg = SimConfig::new(12, 7, 5, Profile::Clean);
    let (fleet, points, labels) = run_all(&cfg);
    let mut total_l = 0.0;
    let mut total_km = 0.0;
    for (i, meta) in fleet.truck_meta().iter().enumerate() {
        let truth = fleet.truth(i).unwrap();
        assert!(truth.distance_km > 200.0, "{} {truth:?}", meta.truck_id);
        let per100 = truth.consumed_l / truth.distance_km * 100.0;
        assert!((18.0..50.0).contains(&per100), "{} {per100}", meta.truck_id);
        total_l += truth.consumed_l;
        total_km += truth.distance_km;
        for (l, c) in truth.tank_l.iter().zip(&truth.capacity_l) {
            assert!(*l >= 0.0 && l <= c, "{l} {c}");
        }
        // The ECU counts the true consumption times its gain (no resets in clean).
        let rel = truth.ecu_counted_l / truth.consumed_l - 1.0;
        assert!((rel - (truth.ecu_gain - 1.0)).abs() < 1e-9);
        assert!(rel.abs() <= 0.04);
        if meta.has_ecu {
            let used: Vec<f64> = points
                .iter()
                .filter(|p| p.truck_id == meta.truck_id)
                .filter_map(|p| p.fuel_used_l)
                .collect();
            let counted = (used[used.len() - 1] - used[0]) / truth.ecu_gain;
            assert!(
                (counted - truth.consumed_l).abs() < 0.01 * truth.consumed_l + 2.0,
                "{} {counted} {}",
                meta.truck_id,
                truth.consumed_l
            );
        }
        let idle_lph = truth.idle_l / truth.idle_h;
        assert!((1.4..4.6).contains(&idle_lph), "{idle_lph}");
    }
    let fleet_avg = total_l / total_km * 100.0;
    assert!((22.0..42.0).contains(&fleet_avg), "{fleet_avg}");

    // Gauges stay inside the tank; idling engines turn at idle speed.
    let caps: BTreeMap<&str, f64> = fleet
        .trucks()
        .iter()
        .map(|t| (t.truck_id.as_str(), t.tanks[0].capacity_l))
        .collect();
    for p in &points {
        if let Some(l) = p.fuel_l {
            assert!(l <= caps[p.truck_id.as_str()] + 1e-9);
        }
        if p.ignition == Some(true)
            && p.speed_kmh == Some(0.0)
            && p.pto != Some(true)
            && let Some(rpm) = p.rpm
        {
            assert!((540.0..=820.0).contains(&rpm), "{rpm} {p:?}");
        }
        assert!(p.speed_kmh.unwrap_or(0.0) < 100.0);
    }

    // Fills raise the true level by their volume; parked drains lower it by theirs.
    assert!(labels.iter().any(|l| l.kind == LabelKind::Fill));
    for l in &labels {
        let delta = l.level_after_l - l.level_before_l;
        match (l.kind, l.scenario.as_str()) {
            (LabelKind::Fill, _) => assert!((delta - l.volume_l).abs() < 2.0, "{l:?}"),
            (LabelKind::Drain, "in_motion_theft") => assert!(delta < -l.volume_l + 0.05),
            (LabelKind::Drain, _) => assert!((delta + l.volume_l).abs() < 2.0, "{l:?}"),
        }
    }
}

#[test]
fn hard_fleet_has_every_scenario_and_fault() {
    let cfg = SimConfig::new(50, 14, 1, Profile::Hard);
    let mut fleet = Fleet::new(&cfg).unwrap();
    let mut last_ts: BTreeMap<String, i64> = BTreeMap::new();
    let (mut late, mut dups, mut rows) = (0u64, 0u64, 0u64);
    let mut prev: Option<TelemetryPoint> = None;
    let mut t = cfg.start_ms;
    while t < cfg.end_ms() {
        t += 6 * 3_600_000;
        for p in fleet.next_until(t) {
            rows += 1;
            let last = last_ts.entry(p.truck_id.clone()).or_insert(i64::MIN);
            if p.ts < *last {
                late += 1;
            }
            *last = (*last).max(p.ts);
            if prev.as_ref() == Some(&p) {
                dups += 1;
            }
            prev = Some(p);
        }
    }
    assert!(late > 0 && dups > 0, "late {late}, duplicates {dups}");
    assert!(dups < rows / 50);
    let labels = fleet.take_labels();
    let scenarios: BTreeSet<&str> = labels.iter().map(|l| l.scenario.as_str()).collect();
    for s in [
        "refuel",
        "refuel_cash",
        "refuel_idling",
        "refuel_in_gap",
        "fraud_short_fill",
        "night_siphon",
        "slow_drain",
        "idle_theft",
        "in_motion_theft",
    ] {
        assert!(scenarios.contains(s), "missing scenario {s}");
    }
    let traps = fleet.take_traps();
    let kinds: BTreeSet<&str> = traps.iter().map(|t| t.kind.as_str()).collect();
    for k in [
        "spike",
        "stuck_sensor",
        "data_gap",
        "counter_reset",
        "thermal_drift",
        "rough_road",
        "tank_equalise",
        "brake_on_slope",
        "fraud_no_fill",
        "fraud_far_station",
        "fraud_short_fill",
        "cash_fill",
    ] {
        assert!(kinds.contains(k), "missing trap {k}");
    }
    // Every transfer is labelled once (a theft in motion that ends before its leg once was twice).
    let mut keys: Vec<(&str, i64, LabelKind)> = labels
        .iter()
        .map(|l| (l.truck_id.as_str(), l.start, l.kind))
        .collect();
    keys.sort_unstable();
    let n = keys.len();
    keys.dedup();
    assert_eq!(keys.len(), n, "duplicate labels");
    // Roughly 1-3 thefts per truck per fortnight.
    let drains = labels.iter().filter(|l| l.kind == LabelKind::Drain).count() as f64 / 50.0;
    assert!((1.0..=3.0).contains(&drains), "{drains}");
    assert_small_thefts_visible(&fleet, &labels);
    // Card purchases follow card fills; short fills are billed for more than went in.
    let purchases = fleet.take_purchases();
    for l in labels.iter().filter(|l| l.kind == LabelKind::Fill) {
        let billed = purchases
            .iter()
            .find(|p| p.truck_id == l.truck_id && p.ts >= l.end && p.ts - l.end <= 10 * 60_000);
        match l.scenario.as_str() {
            "refuel_cash" => assert!(billed.is_none()),
            "fraud_short_fill" => assert!(
                billed.is_some_and(|b| b.litres > l.volume_l + 25.0),
                "{l:?} {billed:?}"
            ),
            _ => assert!(
                billed.is_some_and(|b| (b.litres - l.volume_l).abs() < 0.11),
                "{l:?} {billed:?}"
            ),
        }
    }
}

/// Small thefts only where a sensor could show them: a tank of 600 L or more, a tracker
/// reporting while parked, and gauge noise a parked night's medians resolve (sigma <= ~6 L).
/// Returns how many there were.
fn assert_small_thefts_visible(fleet: &Fleet, labels: &[fc_sim::Label]) -> usize {
    let mut n = 0;
    for l in labels.iter().filter(|l| l.scenario == "small_theft") {
        n += 1;
        assert!((15.0..=25.0).contains(&l.volume_l));
        let i = fleet
            .trucks()
            .iter()
            .position(|t| t.truck_id == l.truck_id)
            .expect("labelled truck exists");
        let (profile, meta) = (&fleet.trucks()[i], &fleet.truck_meta()[i]);
        let cap = profile.capacity_l();
        let sigma_l = meta.noise_pct / 100.0 * cap / (profile.tanks.len() as f64).sqrt();
        assert!(cap >= 600.0 && meta.parked_interval_s.is_some(), "{l:?}");
        assert!(sigma_l <= 15.0 / 2.6 + 1e-9, "{l:?}: sigma {sigma_l} L");
    }
    n
}

#[test]
fn small_thefts_happen_only_where_a_sensor_could_show_them() {
    // The default profile's quieter gauges leave room for small thefts; the rule holds there too.
    let cfg = SimConfig::new(50, 14, 3, Profile::Default);
    let mut fleet = Fleet::new(&cfg).expect("valid config");
    while !fleet.is_finished() {
        let t = fleet.now_ms() + 6 * 3_600_000;
        let _ = fleet.next_until(t);
    }
    let labels = fleet.take_labels();
    assert!(
        assert_small_thefts_visible(&fleet, &labels) > 0,
        "no small theft at all"
    );
}
