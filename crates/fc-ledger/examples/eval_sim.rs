//! Scores the detector and both baselines on fc-sim fleets (decision 13).
//!
//! `cargo run --release -p fc-ledger --example eval_sim -- [options]`
//!
//! * `--profiles clean,default,hard` (default: all three)
//! * `--seeds 1-5` or `--seeds 1,2,7` (default 1-5)
//! * `--trucks 50 --days 14`
//! * `--jobs N`: seeds simulated in parallel (default 1; the machine is shared)
//! * `--detail`: list every miss and false alarm of ours (truck, window, volume, scenario, traps)
//! * `--trace T005`: print every update (provisional, final, retracted, candidate) of one truck
//! * environment `FC_DETECTOR_CONFIG`: JSON overrides of `DetectorConfig` (one setting's effect)
//!
//! The detector sees every truck's points in arrival order, late and duplicated rows
//! included, exactly as live ingest would; the baselines get the same rows.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use fc_ledger::eval::{self, Evaluator, MATCH_SLACK_MS, Score};
use fc_ledger::{DetectorConfig, EventKind, EventUpdate, FuelEvent};
use fc_model::TruckProfile;
use fc_sim::{Fleet, Label, LabelKind, Profile, SimConfig, Trap};

const METHODS: [&str; 3] = [
    eval::Method::Ours.code(),
    eval::Method::Traccar.code(),
    eval::Method::Wialon.code(),
];
/// Traps this close to a miss or false alarm are named as its likely cause.
const TRAP_NEAR_MS: i64 = 60 * 60_000;
const HOUR_MS: i64 = 3_600_000;

struct Opts {
    profiles: Vec<Profile>,
    seeds: Vec<u64>,
    trucks: usize,
    days: u32,
    jobs: usize,
    detail: bool,
    trace: Option<String>,
}

fn parse_seeds(s: &str) -> Vec<u64> {
    let mut v = Vec::new();
    for part in s.split(',') {
        if let Some((a, b)) = part.split_once('-') {
            if let (Ok(a), Ok(b)) = (a.trim().parse::<u64>(), b.trim().parse::<u64>()) {
                v.extend(a..=b);
            }
        } else if let Ok(x) = part.trim().parse() {
            v.push(x);
        }
    }
    v
}

fn opts() -> Opts {
    let mut o = Opts {
        profiles: Profile::ALL.to_vec(),
        seeds: (1..=5).collect(),
        trucks: 50,
        days: 14,
        jobs: 1,
        detail: false,
        trace: None,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let val = args.get(i + 1).cloned().unwrap_or_default();
        match args[i].as_str() {
            "--profiles" => {
                o.profiles = val.split(',').filter_map(|p| p.parse().ok()).collect();
                i += 1;
            }
            "--seeds" => {
                o.seeds = parse_seeds(&val);
                i += 1;
            }
            "--trucks" => {
                o.trucks = val.parse().unwrap_or(o.trucks);
                i += 1;
            }
            "--days" => {
                o.days = val.parse().unwrap_or(o.days);
                i += 1;
            }
            "--jobs" => {
                o.jobs = val.parse().unwrap_or(1).max(1);
                i += 1;
            }
            "--detail" => o.detail = true,
            "--trace" => {
                o.trace = Some(val);
                i += 1;
            }
            other => eprintln!("ignored argument {other}"),
        }
        i += 1;
    }
    o
}

/// The detector's settings: defaults, or a JSON object of overrides in
/// `FC_DETECTOR_CONFIG` (e.g. `{"k_sigma": 3.5}`) to measure one setting's effect.
fn detector_config() -> DetectorConfig {
    match std::env::var("FC_DETECTOR_CONFIG") {
        Ok(j) if !j.trim().is_empty() => serde_json::from_str(&j).unwrap_or_else(|e| {
            eprintln!("FC_DETECTOR_CONFIG: {e}");
            std::process::exit(2);
        }),
        _ => DetectorConfig::default(),
    }
}

/// Why a label was missed or an alarm was false, tallied per method.
#[derive(Default)]
struct Breakdown {
    /// (kind, scenario) -> misses
    miss_scenario: BTreeMap<(String, String), usize>,
    /// (kind, nearby trap kinds) -> misses
    miss_trap: BTreeMap<(String, String), usize>,
    /// (kind, scenario) -> labels
    labels_scenario: BTreeMap<(String, String), usize>,
    /// (kind, explanation) -> false alarms
    false_alarm: BTreeMap<(String, String), usize>,
}

struct RunResult {
    profile: Profile,
    seed: u64,
    scores: Vec<Score>,
    /// Scores on the labels some reading could show (`FleetEvents::observable`).
    observable: Vec<Score>,
    /// Labels left out of `observable` (no level read after them).
    unobservable: usize,
    breakdown: Vec<Breakdown>,
    detail: String,
    points: usize,
    detect_secs: f64,
}

fn kind_str(k: EventKind) -> &'static str {
    match k {
        EventKind::Fill => "fill",
        EventKind::Drain => "drain",
        EventKind::SensorFault => "fault",
    }
}

fn near(a: (i64, i64), b: (i64, i64), slack: i64) -> bool {
    a.0 - slack <= b.1 && b.0 - slack <= a.1
}

/// Sorted, de-duplicated kinds of the traps on `truck` near `w`; `none` when there are none.
fn traps_near(traps: &[Trap], truck: &str, w: (i64, i64)) -> String {
    let mut k: Vec<&str> = traps
        .iter()
        .filter(|t| t.truck_id == truck && near(w, (t.start, t.end), TRAP_NEAR_MS))
        .map(|t| t.kind.as_str())
        .collect();
    k.sort_unstable();
    k.dedup();
    if k.is_empty() {
        "none".into()
    } else {
        k.join("+")
    }
}

fn fmt_ts(ms: i64) -> String {
    fc_model::format_ts(ms)
}

#[allow(clippy::too_many_arguments)]
fn explain(
    method: usize,
    events: &[FuelEvent],
    candidates: &[fc_ledger::Candidate],
    labels: &[Label],
    elabels: &[eval::Label],
    traps: &[Trap],
    bd: &mut Breakdown,
    detail: &mut String,
    want_detail: bool,
) {
    let m = eval::match_events(events, elabels);
    let mut ev_matched = vec![false; events.len()];
    let mut lab_matched = vec![None; labels.len()];
    for &(ei, li) in &m {
        ev_matched[ei] = true;
        lab_matched[li] = Some(ei);
    }
    for (li, l) in labels.iter().enumerate() {
        let k = l.kind.as_str().to_string();
        *bd.labels_scenario
            .entry((k.clone(), l.scenario.clone()))
            .or_default() += 1;
        if lab_matched[li].is_some() {
            continue;
        }
        *bd.miss_scenario
            .entry((k.clone(), l.scenario.clone()))
            .or_default() += 1;
        let tr = traps_near(traps, &l.truck_id, (l.start, l.end));
        *bd.miss_trap.entry((k.clone(), tr.clone())).or_default() += 1;
        if want_detail && method == 0 {
            // what did we see nearby (any kind, any status)?
            let seen: Vec<String> = events
                .iter()
                .filter(|e| {
                    e.truck_id == l.truck_id
                        && near((e.start_ms, e.end_ms), (l.start, l.end), 3 * HOUR_MS)
                })
                .map(|e| {
                    format!(
                        "{}:{:.0}L@{}..{}",
                        kind_str(e.kind),
                        e.volume_l,
                        fmt_ts(e.start_ms),
                        fmt_ts(e.end_ms)
                    )
                })
                .collect();
            // sub-threshold candidates of the same kind overlapping the label: how close it came
            let cands: Vec<String> = candidates
                .iter()
                .filter(|c| {
                    c.truck_id == l.truck_id
                        && kind_str(c.kind) == l.kind.as_str()
                        && near((c.start_ms, c.end_ms), (l.start, l.end), MATCH_SLACK_MS)
                })
                .map(|c| {
                    format!(
                        "{:.0}L/thr{:.0}:{:?}:n{:.1}:cons{:.1}:th{:.1}",
                        c.volume_l,
                        c.evidence.threshold_l,
                        c.evidence.reason.code,
                        c.evidence.noise_l,
                        c.evidence.reason.consumption_allowance_l,
                        c.evidence.reason.thermal_allowance_l
                    )
                })
                .collect();
            let _ = writeln!(
                detail,
                "  MISS {} {} {} {:.1}L {}..{} lvl {:.0}->{:.0} traps[{}] near[{}] cand[{}]",
                l.truck_id,
                k,
                l.scenario,
                l.volume_l,
                fmt_ts(l.start),
                fmt_ts(l.end),
                l.level_before_l,
                l.level_after_l,
                tr,
                seen.join(" "),
                cands.join(" ")
            );
        }
    }
    for (ei, e) in events.iter().enumerate() {
        if ev_matched[ei] || !matches!(e.kind, EventKind::Fill | EventKind::Drain) {
            continue;
        }
        let k = kind_str(e.kind);
        let w = (e.start_ms, e.end_ms);
        // Same-kind label already taken by another detection: the event was split.
        let same_kind_label = labels.iter().any(|l| {
            l.truck_id == e.truck_id
                && kind_str(e.kind) == l.kind.as_str()
                && near(w, (l.start, l.end), MATCH_SLACK_MS)
        });
        let other_label = labels.iter().find(|l| {
            l.truck_id == e.truck_id
                && kind_str(e.kind) != l.kind.as_str()
                && near(w, (l.start, l.end), TRAP_NEAR_MS)
        });
        let why = if same_kind_label {
            "split/duplicate".to_string()
        } else if let Some(l) = other_label {
            format!("near {} {}", l.kind.as_str(), l.scenario)
        } else {
            format!("traps[{}]", traps_near(traps, &e.truck_id, w))
        };
        *bd.false_alarm
            .entry((k.to_string(), why.clone()))
            .or_default() += 1;
        if want_detail && method == 0 {
            let ev = &e.evidence;
            let _ = writeln!(
                detail,
                "  FALSE {} {} {:.1}L {}..{} {:?} thr {:.1} noise {:.2} q {:.1} cons {:.1} {:?} unobs {}min moved {} ign {:?} lvl {:.0}->{:.0} | {}",
                e.truck_id,
                k,
                e.volume_l,
                fmt_ts(e.start_ms),
                fmt_ts(e.end_ms),
                ev.reason.code,
                ev.threshold_l,
                ev.noise_l,
                ev.quantum_l,
                ev.expected_consumption_l,
                ev.consumption_source,
                ev.unobserved_ms / 60_000,
                ev.moved,
                ev.ignition_on,
                ev.level_before_l,
                ev.level_after_l,
                why
            );
        }
    }
    if want_detail && method == 0 {
        // large volume errors on matches
        for &(ei, li) in &m {
            let (e, l) = (&events[ei], &labels[li]);
            let err = (e.volume_l - l.volume_l).abs() / l.volume_l.max(1e-9);
            // every match's signed error, for biases per scenario and reason
            let _ = writeln!(
                detail,
                "  VOLALL {} {} {:?} {:.4}",
                l.kind.as_str(),
                l.scenario,
                e.evidence.reason.code,
                (e.volume_l - l.volume_l) / l.volume_l.max(1e-9)
            );
            if err > 0.15 {
                let _ = writeln!(
                    detail,
                    "  VOLERR {} {} {} true {:.1}L got {:.1}L ({:.0}%) {}..{} det {}..{} {:?} cons {:.1} {:?} traps[{}]",
                    l.truck_id,
                    l.kind.as_str(),
                    l.scenario,
                    l.volume_l,
                    e.volume_l,
                    100.0 * err,
                    fmt_ts(l.start),
                    fmt_ts(l.end),
                    fmt_ts(e.start_ms),
                    fmt_ts(e.end_ms),
                    e.evidence.reason.code,
                    e.evidence.expected_consumption_l,
                    e.evidence.consumption_source,
                    traps_near(traps, &l.truck_id, (l.start, l.end))
                );
            }
        }
    }
}

fn run(
    profile: Profile,
    seed: u64,
    trucks: usize,
    days: u32,
    want_detail: bool,
    trace: Option<&str>,
) -> RunResult {
    let cfg = SimConfig::new(trucks, days, seed, profile);
    let mut fleet = match Fleet::new(&cfg) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let profiles: Vec<TruckProfile> = fleet.trucks().to_vec();
    let mut ev = Evaluator::new(&profiles, &detector_config());
    if let Some(t) = trace {
        ev.trace(t);
    }
    let mut labels: Vec<Label> = Vec::new();
    let mut traps: Vec<Trap> = Vec::new();
    let end = fleet.end_ms();
    let mut t = fleet.start_ms();
    let mut points = 0usize;
    let mut detect_secs = 0.0;
    // Hour by hour, as a live feed would deliver them; a last call flushes late rows.
    loop {
        t = (t + HOUR_MS).min(end);
        let batch = fleet.next_until(t);
        points += batch.len();
        let clock = std::time::Instant::now();
        for p in batch {
            ev.push(p);
        }
        detect_secs += clock.elapsed().as_secs_f64();
        labels.extend(fleet.take_labels());
        traps.extend(fleet.take_traps());
        if t >= end && fleet.is_finished() {
            break;
        }
    }
    let clock = std::time::Instant::now();
    let events = ev.finish();
    detect_secs += clock.elapsed().as_secs_f64();
    for u in events.traces.values() {
        print_trace(u);
    }
    let elabels: Vec<eval::Label> = labels
        .iter()
        .map(|l| eval::Label {
            truck_id: l.truck_id.clone(),
            kind: match l.kind {
                LabelKind::Fill => EventKind::Fill,
                LabelKind::Drain => EventKind::Drain,
            },
            start_ms: l.start,
            end_ms: l.end,
            volume_l: l.volume_l,
        })
        .collect();
    let truck_days = trucks as f64 * f64::from(days);
    let mut scores = Vec::new();
    let mut breakdown = Vec::new();
    let mut detail = String::new();
    if want_detail {
        let _ = writeln!(detail, "== {profile} seed {seed}");
    }
    let seen = events.observable(&elabels);
    let unobservable = elabels.len() - seen.len();
    let observable: Vec<Score> = events
        .score(&seen, truck_days)
        .into_iter()
        .map(|(_, s)| s)
        .collect();
    for (mi, (method, score)) in events.score(&elabels, truck_days).into_iter().enumerate() {
        scores.push(score);
        let mut bd = Breakdown::default();
        explain(
            mi,
            events.of(method),
            if mi == 0 { &events.candidates } else { &[] },
            &labels,
            &elabels,
            &traps,
            &mut bd,
            &mut detail,
            want_detail,
        );
        breakdown.push(bd);
    }
    RunResult {
        profile,
        seed,
        scores,
        observable,
        unobservable,
        breakdown,
        detail,
        points,
        detect_secs,
    }
}

fn print_trace(updates: &[EventUpdate]) {
    for u in updates {
        let (tag, e) = match u {
            EventUpdate::Event(e) => (format!("{:?}", e.status), e.clone()),
            EventUpdate::Candidate(c) => (
                "Candidate".to_string(),
                FuelEvent {
                    id: c.id.clone(),
                    truck_id: c.truck_id.clone(),
                    kind: c.kind,
                    status: fc_ledger::EventStatus::Final,
                    revision: 0,
                    detector_version: String::new(),
                    start_ms: c.start_ms,
                    end_ms: c.end_ms,
                    volume_l: c.volume_l,
                    lat: c.lat,
                    lon: c.lon,
                    rule_confidence: c.rule_confidence,
                    evidence: c.evidence.clone(),
                },
            ),
        };
        let ev = &e.evidence;
        println!(
            "TRACE {tag} {} {:.1}L {}..{} win {} {:?} thr {:.1} (cons {:.1} therm {:.1}) noise {:.2}{} q {:.2} lvl {:.1}->{:.1} exp {:.1} {:?} unobs {}min moved {}",
            kind_str(e.kind),
            e.volume_l,
            fmt_ts(e.start_ms),
            fmt_ts(e.end_ms),
            fmt_ts(ev.window_start_ms),
            ev.reason.code,
            ev.threshold_l,
            ev.reason.consumption_allowance_l,
            ev.reason.thermal_allowance_l,
            ev.noise_l,
            if ev.noise_measured { "" } else { "(prior)" },
            ev.quantum_l,
            ev.level_before_l,
            ev.level_after_l,
            ev.expected_consumption_l,
            ev.consumption_source,
            ev.unobserved_ms / 60_000,
            ev.moved
        );
    }
}

fn cell(v: &[f64], scale: f64, prec: usize) -> String {
    match eval::spread(v) {
        None => "-".into(),
        Some(s) => format!(
            "{:.p$}±{:.p$} [{:.p$}..{:.p$}]",
            s.mean * scale,
            s.sd * scale,
            s.min * scale,
            s.max * scale,
            p = prec
        ),
    }
}

/// One table of per-method, per-kind scores (mean and spread over the runs).
fn score_table(runs: &[&RunResult], pick: fn(&RunResult) -> &[Score]) {
    println!(
        "| method | kind | precision | recall | F1 | median vol. error % | false drains /100 truck-days |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (mi, name) in METHODS.iter().enumerate() {
        for kind in ["fill", "drain"] {
            let ks = |r: &RunResult| {
                let s = &pick(r)[mi];
                if kind == "fill" {
                    s.fill.clone()
                } else {
                    s.drain.clone()
                }
            };
            let p: Vec<f64> = runs.iter().map(|r| ks(r).precision).collect();
            let rc: Vec<f64> = runs.iter().map(|r| ks(r).recall).collect();
            let f: Vec<f64> = runs.iter().map(|r| ks(r).f1).collect();
            let ve: Vec<f64> = runs
                .iter()
                .map(|r| ks(r).median_volume_error.unwrap_or(f64::NAN))
                .collect();
            let fd: Vec<f64> = runs
                .iter()
                .map(|r| pick(r)[mi].false_drains_per_100_truck_days)
                .collect();
            println!(
                "| {name} | {kind} | {} | {} | {} | {} | {} |",
                cell(&p, 1.0, 3),
                cell(&rc, 1.0, 3),
                cell(&f, 1.0, 3),
                cell(&ve, 100.0, 1),
                if kind == "drain" {
                    cell(&fd, 1.0, 2)
                } else {
                    String::new()
                }
            );
        }
    }
}

fn report(profile: Profile, runs: &[&RunResult]) {
    let seeds: Vec<String> = runs.iter().map(|r| r.seed.to_string()).collect();
    println!(
        "\n### {profile} — seeds {} (mean±sd [min..max] over seeds)",
        seeds.join(",")
    );
    score_table(runs, |r| &r.scores);
    let dropped: usize = runs.iter().map(|r| r.unobservable).sum();
    println!(
        "\nOn the labels some reading could show ({dropped} labels after their truck's last level left out, all seeds):"
    );
    score_table(runs, |r| &r.observable);
    for (mi, name) in METHODS.iter().enumerate() {
        let mut labels: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut miss: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut mtrap: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut fa: BTreeMap<(String, String), usize> = BTreeMap::new();
        for r in runs {
            let b = &r.breakdown[mi];
            for (k, v) in &b.labels_scenario {
                *labels.entry(k.clone()).or_default() += v;
            }
            for (k, v) in &b.miss_scenario {
                *miss.entry(k.clone()).or_default() += v;
            }
            for (k, v) in &b.miss_trap {
                *mtrap.entry(k.clone()).or_default() += v;
            }
            for (k, v) in &b.false_alarm {
                *fa.entry(k.clone()).or_default() += v;
            }
        }
        let by_scn: Vec<String> = labels
            .iter()
            .map(|(k, n)| {
                format!(
                    "{}/{} {}/{}",
                    k.0,
                    k.1,
                    miss.get(k).copied().unwrap_or(0),
                    n
                )
            })
            .collect();
        println!(
            "\n{name}: misses by scenario (missed/labels, all seeds): {}",
            by_scn.join(", ")
        );
        let list = |m: &BTreeMap<(String, String), usize>| {
            let mut v: Vec<_> = m.iter().collect();
            v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            v.iter()
                .take(12)
                .map(|(k, n)| format!("{}/{} {}", k.0, k.1, n))
                .collect::<Vec<_>>()
                .join(", ")
        };
        println!("{name}: misses by nearby trap: {}", list(&mtrap));
        println!("{name}: false alarms by cause: {}", list(&fa));
    }
    let pts: usize = runs.iter().map(|r| r.points).sum();
    let secs: f64 = runs.iter().map(|r| r.detect_secs).sum();
    println!(
        "\nours: {pts} points through the detector in {secs:.2} s ({:.0} ns/point incl. ingest order)",
        secs * 1e9 / pts.max(1) as f64
    );
}

fn main() {
    let o = opts();
    let mut jobs: Vec<(Profile, u64)> = Vec::new();
    for &p in &o.profiles {
        for &s in &o.seeds {
            jobs.push((p, s));
        }
    }
    let mut results: Vec<RunResult> = Vec::new();
    for chunk in jobs.chunks(o.jobs) {
        let got: Vec<RunResult> = std::thread::scope(|sc| {
            let hs: Vec<_> = chunk
                .iter()
                .map(|&(p, s)| {
                    let tr = o.trace.as_deref();
                    sc.spawn(move || run(p, s, o.trucks, o.days, o.detail, tr))
                })
                .collect();
            hs.into_iter().filter_map(|h| h.join().ok()).collect()
        });
        for r in got {
            eprintln!(
                "done {} seed {}: ours fill F1 {:.3} drain F1 {:.3}",
                r.profile, r.seed, r.scores[0].fill.f1, r.scores[0].drain.f1
            );
            if o.detail {
                print!("{}", r.detail);
            }
            results.push(r);
        }
    }
    println!(
        "\n## fc-sim evaluation: {} trucks x {} days",
        o.trucks, o.days
    );
    for &p in &o.profiles {
        let runs: Vec<&RunResult> = results.iter().filter(|r| r.profile == p).collect();
        if !runs.is_empty() {
            report(p, &runs);
        }
    }
}
