//! `eval`: our detector and two faithful baselines (Traccar, Wialon-style) scored
//! against ground-truth labels, on a simulated folder or on fresh simulations of a
//! profile over several seeds (decision 13: mean and spread over >= 5 seeds).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use fc_import::{FileKind, ImportOptions, Record};
use fc_ledger::eval::{self, Evaluator, KindScore, Label, Method, Score, Spread};
use fc_ledger::{DetectorConfig, EventKind};
use fc_model::{TruckProfile, parse_rfc3339_ms};
use fc_sim::{Fleet, LabelKind, Profile, SimConfig};

use crate::dto_analysis::{
    EvalReport, EvalRunDto, KindScoreDto, KindSpreadDto, MethodScoreDto, MethodSummaryDto,
    SpreadDto,
};
use crate::error::{CoreError, Result};
use crate::simulate::sim_error;

const DAY_MS: f64 = 86_400_000.0;

/// Every method's score on one data set.
type MethodScores = Vec<(Method, Score)>;
/// One evaluated data set: what is shown, and the scores to summarise.
type Run = (EvalRunDto, MethodScores);
const HOUR_MS: i64 = 3_600_000;
/// The default fleet alert threshold, for the rule+ML operating point at it.
const ALERT_THRESHOLD: f64 = 0.8;

/// What to evaluate.
#[derive(Debug, Clone, Default)]
pub struct EvalRequest {
    /// A folder written by `simulate` (telemetry.csv, trucks.csv, labels.csv).
    pub dir: Option<PathBuf>,
    /// Otherwise: simulate these profiles ...
    pub profiles: Vec<Profile>,
    /// ... with these seeds (at least 5 for a meaningful spread) ...
    pub seeds: Vec<u64>,
    /// ... this many trucks ...
    pub trucks: usize,
    /// ... over this many days.
    pub days: u32,
    /// A theft model to compare with the rules (trained on other seeds).
    pub model: Option<std::sync::Arc<fc_ml::Model>>,
}

/// Runs the evaluation; `progress` hears about each finished data set.
pub fn evaluate(
    request: &EvalRequest,
    progress: &mut dyn FnMut(&EvalRunDto),
) -> Result<EvalReport> {
    let started = Instant::now();
    let mut runs: Vec<(String, EvalRunDto, MethodScores)> = Vec::new();
    if let Some(dir) = &request.dir {
        let (run, scores) = eval_dir(dir, request.model.as_deref())?;
        progress(&run);
        runs.push((run.source.clone(), run, scores));
    } else {
        if request.profiles.is_empty() || request.seeds.is_empty() {
            return Err(CoreError::Invalid {
                what: "eval".into(),
                why: "give a folder written by `simulate`, or a profile and seeds".into(),
            });
        }
        let mut jobs = Vec::new();
        for &p in &request.profiles {
            for &s in &request.seeds {
                let cfg = SimConfig::new(request.trucks, request.days, s, p);
                cfg.validate().map_err(sim_error)?;
                jobs.push(cfg);
            }
        }
        if let Some(m) = &request.model {
            crate::ml::check_seeds(m, &request.seeds)?;
        }
        // Two seeds at a time: the machine has two cores and each run is single-threaded.
        for pair in jobs.chunks(2) {
            let done: Vec<Result<Run>> = std::thread::scope(|sc| {
                let model = request.model.as_deref();
                let handles: Vec<_> = pair
                    .iter()
                    .map(|c| sc.spawn(move || eval_sim(c, model)))
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join().unwrap_or_else(|_| {
                            Err(CoreError::Internal("evaluation thread panicked".into()))
                        })
                    })
                    .collect()
            });
            for r in done {
                let (run, scores) = r?;
                progress(&run);
                let group = run.profile.clone().unwrap_or_default();
                runs.push((group, run, scores));
            }
        }
    }
    let mut groups: BTreeMap<(usize, String), Vec<&MethodScores>> = BTreeMap::new();
    for (g, _, s) in &runs {
        // Keep profiles in the order asked for.
        let order = request
            .profiles
            .iter()
            .position(|p| p.as_str() == g)
            .unwrap_or(0);
        groups.entry((order, g.clone())).or_default().push(s);
    }
    let mut summary = Vec::new();
    for ((_, group), scores) in &groups {
        for m in Method::ALL {
            let of_m: Vec<Score> = scores
                .iter()
                .filter_map(|s| s.iter().find(|(mm, _)| *mm == m).map(|(_, s)| s.clone()))
                .collect();
            if let Some(sp) = eval::summarize(&of_m) {
                summary.push(MethodSummaryDto {
                    group: group.clone(),
                    method: m.code().to_string(),
                    runs: u32::try_from(sp.runs).unwrap_or(u32::MAX),
                    fill: kind_spread(&sp.fill),
                    drain: kind_spread(&sp.drain),
                    false_drains_per_100_truck_days: spread_dto(
                        &sp.false_drains_per_100_truck_days,
                    ),
                });
            }
        }
    }
    let ml_summary = crate::ml::summarize(runs.iter().map(|(g, r, _)| (g.as_str(), r)));
    Ok(EvalReport {
        runs: runs.into_iter().map(|(_, r, _)| r).collect(),
        summary,
        model_version: request.model.as_ref().map(|m| m.model_version.clone()),
        ml_summary,
        elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    })
}

fn spread_dto(s: &Spread) -> SpreadDto {
    SpreadDto {
        mean: s.mean,
        sd: s.sd,
        min: s.min,
        max: s.max,
    }
}

fn kind_spread(k: &eval::KindSpread) -> KindSpreadDto {
    KindSpreadDto {
        kind: k.kind.code().to_string(),
        precision: spread_dto(&k.precision),
        recall: spread_dto(&k.recall),
        f1: spread_dto(&k.f1),
        median_volume_error: k.median_volume_error.as_ref().map(spread_dto),
    }
}

fn kind_dto(k: &KindScore) -> KindScoreDto {
    KindScoreDto {
        kind: k.kind.code().to_string(),
        true_positives: k.true_positives as u64,
        false_positives: k.false_positives as u64,
        false_negatives: k.false_negatives as u64,
        precision: k.precision,
        recall: k.recall,
        f1: k.f1,
        median_volume_error: k.median_volume_error,
    }
}

fn methods_dto(scores: &[(Method, Score)]) -> Vec<MethodScoreDto> {
    scores
        .iter()
        .map(|(m, s)| MethodScoreDto {
            method: m.code().to_string(),
            fill: kind_dto(&s.fill),
            drain: kind_dto(&s.drain),
            false_drains_per_100_truck_days: s.false_drains_per_100_truck_days,
        })
        .collect()
}

fn eval_sim(cfg: &SimConfig, model: Option<&fc_ml::Model>) -> Result<Run> {
    let mut tracks = model.map(|_| crate::ml::EvalTracks::default());
    let mut fleet = Fleet::new(cfg).map_err(sim_error)?;
    let profiles: Vec<TruckProfile> = fleet.trucks().to_vec();
    let mut ev = Evaluator::new(&profiles, &DetectorConfig::default());
    let mut labels = Vec::new();
    let mut rows = 0u64;
    let end = fleet.end_ms();
    let mut t = fleet.start_ms();
    // Hour by hour, as a live feed delivers them; the last call flushes late rows.
    loop {
        t = (t + HOUR_MS).min(end);
        for p in fleet.next_until(t) {
            rows += 1;
            if let Some(tr) = &mut tracks {
                tr.push(&p);
            }
            ev.push(p);
        }
        if let Some(tr) = &mut tracks {
            tr.purchases.extend(fleet.take_purchases());
        }
        labels.extend(fleet.take_labels().into_iter().map(|l| Label {
            truck_id: l.truck_id,
            kind: match l.kind {
                LabelKind::Fill => EventKind::Fill,
                LabelKind::Drain => EventKind::Drain,
            },
            start_ms: l.start,
            end_ms: l.end,
            volume_l: l.volume_l,
        }));
        if t >= end && fleet.is_finished() {
            break;
        }
    }
    let truck_days = cfg.trucks as f64 * f64::from(cfg.days);
    let fleet_events = ev.finish();
    let scores = fleet_events.score(&labels, truck_days);
    let ml = model.zip(tracks).map(|(m, tr)| {
        tr.compare(
            &fleet_events,
            &labels,
            truck_days,
            m,
            crate::ml::tz_of(cfg),
            ALERT_THRESHOLD,
        )
    });
    let run = EvalRunDto {
        ml,
        source: format!("{} seed {}", cfg.profile.as_str(), cfg.seed),
        profile: Some(cfg.profile.as_str().to_string()),
        seed: Some(cfg.seed),
        rows,
        truck_days,
        labels: labels.len() as u64,
        methods: methods_dto(&scores),
    };
    Ok((run, scores))
}

fn eval_dir(dir: &Path, model: Option<&fc_ml::Model>) -> Result<Run> {
    let mut tracks = model.map(|_| crate::ml::EvalTracks::default());
    let opts = ImportOptions::default();
    let mut profiles = Vec::new();
    let trucks_opts = ImportOptions {
        kind: Some(FileKind::Trucks),
        ..opts.clone()
    };
    let mut reader = fc_import::open(&dir.join("trucks.csv"), &trucks_opts)?;
    while let Some(r) = reader.next_record()? {
        if let Record::Truck { profile, .. } = r {
            profiles.push(profile);
        }
    }
    let labels = read_labels(&dir.join("labels.csv"))?;
    let mut ev = Evaluator::new(&profiles, &DetectorConfig::default());
    let tele_opts = ImportOptions {
        kind: Some(FileKind::Telemetry),
        ..opts
    };
    let mut reader = fc_import::open(&dir.join("telemetry.csv"), &tele_opts)?;
    let (mut rows, mut min, mut max) = (0u64, i64::MAX, i64::MIN);
    while let Some(r) = reader.next_record()? {
        if let Record::Point { point, .. } = r {
            rows += 1;
            min = min.min(point.ts);
            max = max.max(point.ts);
            if let Some(tr) = &mut tracks {
                tr.push(&point);
            }
            ev.push(point);
        }
    }
    let days = if rows > 0 {
        ((max - min) as f64 / DAY_MS).round().max(1.0)
    } else {
        0.0
    };
    let truck_days = profiles.len() as f64 * days;
    let fleet_events = ev.finish();
    let scores = fleet_events.score(&labels, truck_days);
    let ml = match model.zip(tracks) {
        Some((m, mut tr)) => {
            tr.purchases = crate::ml::read_purchases(&dir.join("purchases.csv"))?;
            Some(tr.compare(
                &fleet_events,
                &labels,
                truck_days,
                m,
                chrono_tz::UTC,
                ALERT_THRESHOLD,
            ))
        }
        None => None,
    };
    let run = EvalRunDto {
        ml,
        source: dir.display().to_string(),
        profile: None,
        seed: None,
        rows,
        truck_days,
        labels: labels.len() as u64,
        methods: methods_dto(&scores),
    };
    Ok((run, scores))
}

/// `labels.csv`: truck_id,kind,start,end,volume_l[,scenario].
pub(crate) fn read_labels(path: &Path) -> Result<Vec<Label>> {
    let bad = |line: u64, why: &str| CoreError::Invalid {
        what: format!("{} line {line}", path.display()),
        why: why.to_string(),
    };
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| CoreError::Invalid {
            what: path.display().to_string(),
            why: e.to_string(),
        })?;
    let mut out = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let line = i as u64 + 2;
        let rec = rec.map_err(|e| bad(line, &e.to_string()))?;
        let field = |k: usize| rec.get(k).unwrap_or("").trim();
        let kind = match field(1) {
            "fill" => EventKind::Fill,
            "drain" => EventKind::Drain,
            other => return Err(bad(line, &format!("kind `{other}` is not fill or drain"))),
        };
        let ts = |k: usize| {
            parse_rfc3339_ms(field(k))
                .ok_or_else(|| bad(line, "start and end must be RFC 3339 times"))
        };
        let volume_l: f64 = field(4)
            .parse()
            .map_err(|_| bad(line, "volume_l must be a number"))?;
        out.push(Label {
            truck_id: field(0).to_string(),
            kind,
            start_ms: ts(2)?,
            end_ms: ts(3)?,
            volume_l,
        });
    }
    Ok(out)
}
