//! Theft scoring through the [`EventModel`] seam: the trained model behind it,
//! loading with a fallback to the rule's confidence, training from simulated
//! seeds, labelled folders and dispatchers' verdicts, and the rule-only against
//! rule+ML comparison that `eval` reports. The statistics live in `fc-ml`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use fc_import::{FileKind, ImportOptions, Record};
use fc_ledger::eval::{FleetEvents, Label};
use fc_ledger::{DetectorConfig, EventKind, Evidence};
use fc_ml::dataset::{self, FleetOutput, TruckOutput};
use fc_ml::metrics::KindComparison;
use fc_ml::{FleetContext, FleetRun, Item, Model, TrainingInfo, TruckTrack};
use fc_model::{Purchase, TelemetryPoint, TruckProfile};
use fc_sim::{Fleet, LabelKind, Profile, SimConfig};
use serde::Serialize;

use crate::analyze::EventModel;
use crate::error::{CoreError, Result};
use crate::simulate::sim_error;

/// Seeds `train` simulates by default; evaluation uses 1-5, never these.
pub const DEFAULT_TRAIN_SEEDS: [u64; 3] = [1001, 1002, 1003];

/// The default model file: `theft-model.json` in the app-data folder.
pub fn default_model_path() -> PathBuf {
    crate::paths::data_dir().join(fc_ml::MODEL_FILE)
}

/// A trained model behind the [`EventModel`] seam.
#[derive(Debug, Clone)]
pub struct TheftModel {
    model: Model,
}

impl TheftModel {
    /// Wraps a model.
    pub fn new(model: Model) -> Self {
        TheftModel { model }
    }

    /// The model.
    pub fn model(&self) -> &Model {
        &self.model
    }
}

impl EventModel for TheftModel {
    fn version(&self) -> String {
        self.model.model_version.clone()
    }

    /// Without the truck's context (the contextual path is `theft_model`): the
    /// context features are imputed, the rest comes from the evidence.
    fn score(
        &self,
        kind: EventKind,
        volume_l: f64,
        rule_confidence: f64,
        evidence: &Evidence,
    ) -> f64 {
        let item = Item {
            id: "",
            truck_id: "",
            kind,
            start_ms: evidence.window_start_ms,
            end_ms: evidence.window_end_ms,
            volume_l,
            lat: None,
            lon: None,
            rule_confidence,
            evidence,
        };
        let ctx = FleetContext::new(chrono_tz::UTC);
        self.model
            .score_item(&ctx, &item, None)
            .map_or(rule_confidence, |s| s.probability)
    }

    /// The calibrated probability already weighs the rule's confidence (a feature).
    fn combine(&self, _rule_confidence: f64, ml_score: f64) -> f64 {
        ml_score
    }

    fn theft_model(&self) -> Option<&Model> {
        Some(&self.model)
    }
}

/// What loading a model gave: the model, or why not (rule confidence is used then).
#[derive(Debug)]
pub struct ModelLoad {
    /// The model, if it loaded.
    pub model: Option<Arc<TheftModel>>,
    /// The file looked at.
    pub path: PathBuf,
    /// Why there is none (a default file that does not exist is no problem).
    pub problem: Option<CoreError>,
}

/// Loads `path`, else the default model file. Never fails: a missing, corrupt or
/// incompatible file gives `problem` and no model, and scores fall back to the rule's.
pub fn load_model(path: Option<&Path>) -> ModelLoad {
    let explicit = path.is_some();
    let path = path.map_or_else(default_model_path, Path::to_path_buf);
    match Model::load(&path) {
        Ok(m) => ModelLoad {
            model: Some(Arc::new(TheftModel::new(m))),
            path,
            problem: None,
        },
        Err(fc_ml::MlError::Missing { .. }) if !explicit => ModelLoad {
            model: None,
            path,
            problem: None,
        },
        Err(e) => ModelLoad {
            model: None,
            path,
            problem: Some(CoreError::Model(e)),
        },
    }
}

/// The fleet context and tracks used to score one analysis (see `analyze`).
pub(crate) struct Contextual<'a> {
    pub model: &'a Model,
    pub ctx: FleetContext,
    pub tracks: HashMap<&'a str, &'a TruckTrack>,
}

impl<'a> Contextual<'a> {
    pub(crate) fn new(
        model: &'a Model,
        tz: chrono_tz::Tz,
        purchases: &[Purchase],
        fills: &[fc_ledger::FuelEvent],
        tracks: HashMap<&'a str, &'a TruckTrack>,
    ) -> Self {
        let mut ctx = FleetContext::new(tz).with_fuel(purchases, fills);
        for (id, t) in &tracks {
            ctx.set_parking(id, &t.parking_places());
        }
        ctx.set_verdicts(&model.verdicts);
        Contextual { model, ctx, tracks }
    }

    pub(crate) fn score(&self, item: &Item<'_>) -> Option<fc_ml::Scored> {
        let track = self.tracks.get(item.truck_id).copied();
        self.model.score_item(&self.ctx, item, track)
    }
}

/// What to train on.
#[derive(Debug, Clone, Default)]
pub struct TrainRequest {
    /// Folders written by `simulate` (trucks.csv, telemetry.csv, labels.csv, purchases.csv).
    pub dirs: Vec<PathBuf>,
    /// Simulate this profile with `seeds` (when neither folders nor seeds are given:
    /// `hard` with [`DEFAULT_TRAIN_SEEDS`]).
    pub profile: Option<Profile>,
    /// Seeds to simulate.
    pub seeds: Vec<u64>,
    /// Trucks per simulated fleet (0: 50).
    pub trucks: usize,
    /// Days per simulated fleet (0: 14).
    pub days: u32,
    /// Dispatchers' verdicts by event id (`true` = false alarm); they override labels.
    pub verdicts: HashMap<String, bool>,
    /// Where to write the model (default: the app-data folder).
    pub out: Option<PathBuf>,
}

/// One head's training figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeadReport {
    /// `fill` or `drain`.
    pub kind: String,
    /// Rows.
    pub rows: usize,
    /// Real events among them.
    pub positives: usize,
    /// Held-out ROC AUC of the model.
    pub roc_auc: f64,
    /// Held-out ROC AUC of the rule's confidence.
    pub rule_roc_auc: f64,
    /// Held-out Brier score.
    pub brier: f64,
    /// Probability threshold that keeps the rules' recall.
    pub threshold_at_rule_recall: f64,
}

/// What `train` did.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainReport {
    /// The model file written.
    pub model_file: String,
    /// Its version.
    pub model_version: String,
    /// Sources.
    pub sources: Vec<String>,
    /// Telemetry points.
    pub points: u64,
    /// Rows (events and candidates).
    pub rows: usize,
    /// Rows labelled by a verdict.
    pub verdicts: usize,
    /// Per kind.
    pub heads: Vec<HeadReport>,
    /// Wall time, ms.
    pub elapsed_ms: u64,
    /// Stored events rescored with the new model (training over a database).
    pub rescored: u64,
}

/// A labelled fleet run.
struct Labelled {
    out: FleetOutput,
    labels: Option<Vec<Label>>,
    purchases: Vec<Purchase>,
    source: String,
}

fn sim_tz(cfg: &SimConfig) -> chrono_tz::Tz {
    // Etc/GMT zones have the POSIX sign: UTC+1 is Etc/GMT-1.
    let h = cfg.utc_offset_min / 60;
    let name = match h {
        0 => "UTC".to_string(),
        h if h > 0 => format!("Etc/GMT-{h}"),
        h => format!("Etc/GMT+{}", -h),
    };
    name.parse().unwrap_or(chrono_tz::UTC)
}

fn label_of(l: fc_sim::Label) -> Label {
    Label {
        truck_id: l.truck_id,
        kind: match l.kind {
            LabelKind::Fill => EventKind::Fill,
            LabelKind::Drain => EventKind::Drain,
        },
        start_ms: l.start,
        end_ms: l.end,
        volume_l: l.volume_l,
    }
}

fn run_sim(cfg: &SimConfig) -> Result<Labelled> {
    let mut fleet = Fleet::new(cfg).map_err(sim_error)?;
    let mut run = FleetRun::new(fleet.trucks(), &DetectorConfig::default());
    let (mut labels, mut purchases) = (Vec::new(), Vec::new());
    let end = fleet.end_ms();
    let mut t = fleet.start_ms();
    loop {
        t = (t + 3_600_000).min(end);
        for p in fleet.next_until(t) {
            run.push(&p);
        }
        labels.extend(fleet.take_labels().into_iter().map(label_of));
        purchases.extend(fleet.take_purchases());
        if t >= end && fleet.is_finished() {
            break;
        }
    }
    Ok(Labelled {
        out: run.finish(),
        labels: Some(labels),
        purchases,
        source: format!("sim {} seed {}", cfg.profile.as_str(), cfg.seed),
    })
}

fn read_dir(dir: &Path) -> Result<Labelled> {
    let opts = ImportOptions::default();
    let mut profiles: Vec<TruckProfile> = Vec::new();
    let read = |name: &str, kind: FileKind, f: &mut dyn FnMut(Record)| -> Result<bool> {
        let path = dir.join(name);
        if !path.exists() {
            return Ok(false);
        }
        let o = ImportOptions {
            kind: Some(kind),
            ..opts.clone()
        };
        let mut reader = fc_import::open(&path, &o)?;
        while let Some(r) = reader.next_record()? {
            f(r);
        }
        Ok(true)
    };
    read("trucks.csv", FileKind::Trucks, &mut |r| {
        if let Record::Truck { profile, .. } = r {
            profiles.push(profile);
        }
    })?;
    let mut purchases = Vec::new();
    read("purchases.csv", FileKind::Purchases, &mut |r| {
        if let Record::Purchase { purchase, .. } = r {
            purchases.push(purchase);
        }
    })?;
    let mut run = FleetRun::new(&profiles, &DetectorConfig::default());
    let found = read("telemetry.csv", FileKind::Telemetry, &mut |r| {
        if let Record::Point { point, .. } = r {
            run.push(&point);
        }
    })?;
    if !found {
        return Err(CoreError::Invalid {
            what: dir.display().to_string(),
            why: "no telemetry.csv in this folder; give a folder written by `simulate`".into(),
        });
    }
    let labels_path = dir.join("labels.csv");
    let labels = if labels_path.exists() {
        Some(crate::eval::read_labels(&labels_path)?)
    } else {
        None
    };
    Ok(Labelled {
        out: run.finish(),
        labels,
        purchases,
        source: dir.display().to_string(),
    })
}

/// Trains a model and writes it (see [`TrainRequest`]).
pub fn train(req: &TrainRequest, progress: &mut dyn FnMut(&str)) -> Result<TrainReport> {
    train_with(req, Vec::new(), Instant::now(), progress)
}

impl crate::Core {
    /// Trains on the request's sources plus the stored telemetry, labelled by the
    /// dispatchers' verdicts recorded in this database (they override every other label).
    pub async fn train_stored(
        &self,
        req: &TrainRequest,
        progress: &mut (dyn FnMut(&str) + Send),
    ) -> Result<TrainReport> {
        use futures::TryStreamExt;
        let started = Instant::now();
        let store = self.store();
        let mut req = req.clone();
        for v in store.verdicts().await? {
            let false_alarm = v.verdict == fc_store::VerdictKind::FalseAlarm;
            req.verdicts.insert(v.event_id, false_alarm);
        }
        let settings = self.fleet_settings().await?;
        let profiles = store.trucks().await?;
        let purchases = store.purchases(fc_store::PurchaseFilter::default()).await?;
        let mut run = FleetRun::new(&profiles, &DetectorConfig::default());
        let mut points = std::pin::pin!(store.points(fc_store::PointFilter::default()));
        while let Some(p) = points.try_next().await? {
            run.push(&p);
        }
        progress("store");
        let stored = Labelled {
            out: run.finish(),
            labels: None,
            purchases,
            source: "store".into(),
        };
        let mut report = train_with(&req, vec![(stored, settings.tz()?)], started, &mut |s| {
            progress(s)
        })?;
        // Stored events get the new model's scores (decision 12), verdicts untouched.
        let model = Model::load(Path::new(&report.model_file))?;
        report.rescored = self.rescore_stored(&TheftModel::new(model)).await?;
        Ok(report)
    }
}

fn train_with(
    req: &TrainRequest,
    extra: Vec<(Labelled, chrono_tz::Tz)>,
    started: Instant,
    progress: &mut dyn FnMut(&str),
) -> Result<TrainReport> {
    let mut jobs: Vec<SimConfig> = Vec::new();
    let (trucks, days) = (
        if req.trucks == 0 { 50 } else { req.trucks },
        if req.days == 0 { 14 } else { req.days },
    );
    let seeds: Vec<u64> = if req.seeds.is_empty() && req.dirs.is_empty() {
        DEFAULT_TRAIN_SEEDS.to_vec()
    } else {
        req.seeds.clone()
    };
    for &s in &seeds {
        let cfg = SimConfig::new(trucks, days, s, req.profile.unwrap_or(Profile::Hard));
        cfg.validate().map_err(sim_error)?;
        jobs.push(cfg);
    }
    let mut sets = extra;
    for dir in &req.dirs {
        progress(&dir.display().to_string());
        sets.push((read_dir(dir)?, chrono_tz::UTC));
    }
    // Two fleets at a time: two cores, each simulation single-threaded.
    for pair in jobs.chunks(2) {
        let done: Vec<Result<Labelled>> = std::thread::scope(|sc| {
            let hs: Vec<_> = pair.iter().map(|c| sc.spawn(move || run_sim(c))).collect();
            hs.into_iter()
                .map(|h| {
                    h.join().unwrap_or_else(|_| {
                        Err(CoreError::Internal("training thread panicked".into()))
                    })
                })
                .collect()
        });
        for (r, cfg) in done.into_iter().zip(pair) {
            let l = r?;
            progress(&l.source);
            sets.push((l, sim_tz(cfg)));
        }
    }
    let mut places = Vec::new();
    for (l, _) in &sets {
        places.extend(dataset::verdict_places(&l.out, &req.verdicts));
    }
    let mut rows = Vec::new();
    let mut info = TrainingInfo {
        trained_at_ms: chrono::Utc::now().timestamp_millis(),
        seeds: seeds.clone(),
        ..TrainingInfo::default()
    };
    for (l, tz) in &sets {
        let ctx = dataset::context(&l.out, *tz, &l.purchases, &places);
        rows.extend(dataset::rows(
            &l.out,
            &ctx,
            l.labels.as_deref(),
            &req.verdicts,
            &l.source,
        ));
        info.points += l.out.points;
        info.sources.push(l.source.clone());
    }
    info.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let model = Model::train(&rows, info, places)?;
    let path = req.out.clone().unwrap_or_else(default_model_path);
    model.save(&path)?;
    Ok(TrainReport {
        model_file: path.display().to_string(),
        model_version: model.model_version.clone(),
        sources: model.training.sources.clone(),
        points: model.training.points,
        rows: model.training.rows,
        verdicts: model.training.verdicts,
        heads: model
            .heads
            .iter()
            .map(|h| HeadReport {
                kind: h.kind.code().to_string(),
                rows: h.rows,
                positives: h.positives,
                roc_auc: h.metrics.roc_auc,
                rule_roc_auc: h.metrics.rule_roc_auc,
                brier: h.metrics.brier,
                threshold_at_rule_recall: h.threshold_at_rule_recall,
            })
            .collect(),
        elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        rescored: 0,
    })
}

/// Per-truck tracks for an evaluation run (the detector runs in the evaluator).
#[derive(Debug, Default)]
pub(crate) struct EvalTracks {
    tracks: HashMap<String, TruckTrack>,
    pub purchases: Vec<Purchase>,
}

impl EvalTracks {
    pub(crate) fn push(&mut self, p: &TelemetryPoint) {
        match self.tracks.get_mut(&p.truck_id) {
            Some(t) => t.push(p),
            None => {
                let mut t = TruckTrack::new();
                t.push(p);
                self.tracks.insert(p.truck_id.clone(), t);
            }
        }
    }

    /// Rule-only against rule+ML on this run.
    pub(crate) fn compare(
        mut self,
        events: &FleetEvents,
        labels: &[Label],
        truck_days: f64,
        model: &Model,
        tz: chrono_tz::Tz,
        threshold: f64,
    ) -> Vec<KindComparison> {
        let mut by_truck: HashMap<String, TruckOutput> = HashMap::new();
        for e in &events.ours {
            by_truck
                .entry(e.truck_id.clone())
                .or_insert_with(|| TruckOutput {
                    truck_id: e.truck_id.clone(),
                    events: Vec::new(),
                    candidates: Vec::new(),
                    track: self.tracks.remove(&e.truck_id).unwrap_or_default(),
                })
                .events
                .push(e.clone());
        }
        for c in &events.candidates {
            by_truck
                .entry(c.truck_id.clone())
                .or_insert_with(|| TruckOutput {
                    truck_id: c.truck_id.clone(),
                    events: Vec::new(),
                    candidates: Vec::new(),
                    track: self.tracks.remove(&c.truck_id).unwrap_or_default(),
                })
                .candidates
                .push(c.clone());
        }
        let mut trucks: Vec<TruckOutput> = by_truck.into_values().collect();
        trucks.sort_by(|a, b| a.truck_id.cmp(&b.truck_id));
        let out = FleetOutput { trucks, points: 0 };
        let ctx = dataset::context(&out, tz, &self.purchases, &model.verdicts);
        fc_ml::metrics::compare(&out, &ctx, model, labels, truck_days, threshold)
    }
}

/// The zone of a simulated fleet.
pub(crate) fn tz_of(cfg: &SimConfig) -> chrono_tz::Tz {
    sim_tz(cfg)
}

/// Refuses a model trained on any of the seeds about to be evaluated.
pub(crate) fn check_seeds(model: &Model, seeds: &[u64]) -> Result<()> {
    if let Some(s) = seeds.iter().find(|s| model.training.seeds.contains(s)) {
        return Err(CoreError::Invalid {
            what: "eval".into(),
            why: format!(
                "the model was trained on seed {s}; evaluate on seeds it never saw (e.g. 1-5)"
            ),
        });
    }
    Ok(())
}

/// Named values for the translated message of a model error.
pub(crate) fn error_args(e: &fc_ml::MlError) -> Vec<(&'static str, String)> {
    use fc_ml::MlError as E;
    match e {
        E::Missing { path } => vec![("path", path.clone())],
        E::Corrupt { path, why } | E::Incompatible { path, why } => {
            vec![("path", path.clone()), ("reason", why.clone())]
        }
        E::TooFewLabels {
            kind,
            positives,
            negatives,
            needed,
        } => vec![
            ("kind", kind.clone()),
            ("positives", positives.to_string()),
            ("negatives", negatives.to_string()),
            ("needed", needed.to_string()),
        ],
        E::Training(why) => vec![("reason", why.clone())],
        E::Io { path, source } => vec![("path", path.clone()), ("reason", source.to_string())],
    }
}

/// Purchases of a folder (none when it has no purchases.csv).
pub(crate) fn read_purchases(path: &Path) -> Result<Vec<Purchase>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let o = ImportOptions {
        kind: Some(FileKind::Purchases),
        ..ImportOptions::default()
    };
    let mut reader = fc_import::open(path, &o)?;
    let mut out = Vec::new();
    while let Some(r) = reader.next_record()? {
        if let Record::Purchase { purchase, .. } = r {
            out.push(purchase);
        }
    }
    Ok(out)
}

/// Mean and spread of the rule-only and rule+ML figures per group, kind and method.
pub(crate) fn summarize<'a>(
    runs: impl Iterator<Item = (&'a str, &'a crate::dto_analysis::EvalRunDto)>,
) -> Vec<crate::dto_analysis::MlSummaryDto> {
    use crate::dto_analysis::{MlSummaryDto, SpreadDto};
    type Key = (String, String, String);
    let mut acc: Vec<(Key, Vec<[f64; 6]>)> = Vec::new();
    for (group, run) in runs {
        for k in run.ml.iter().flatten() {
            for o in &k.operating {
                let (top, auc) = if o.method == "rules" {
                    (k.rule_precision_at_top, k.rule_roc_auc)
                } else {
                    (k.ml_precision_at_top, k.ml_roc_auc)
                };
                let key = (group.to_string(), k.kind.clone(), o.method.clone());
                let row = [
                    o.precision,
                    o.recall,
                    o.f1,
                    o.false_per_100_truck_days,
                    top,
                    auc,
                ];
                match acc.iter_mut().find(|(kk, _)| *kk == key) {
                    Some((_, v)) => v.push(row),
                    None => acc.push((key, vec![row])),
                }
            }
        }
    }
    let spread = |v: &[[f64; 6]], i: usize| {
        let s = fc_ledger::eval::spread(&v.iter().map(|r| r[i]).collect::<Vec<_>>());
        s.map_or(
            SpreadDto {
                mean: f64::NAN,
                sd: f64::NAN,
                min: f64::NAN,
                max: f64::NAN,
            },
            |s| SpreadDto {
                mean: s.mean,
                sd: s.sd,
                min: s.min,
                max: s.max,
            },
        )
    };
    acc.into_iter()
        .map(|((group, kind, method), v)| MlSummaryDto {
            group,
            kind,
            method,
            runs: u32::try_from(v.len()).unwrap_or(u32::MAX),
            precision: spread(&v, 0),
            recall: spread(&v, 1),
            f1: spread(&v, 2),
            false_per_100_truck_days: spread(&v, 3),
            precision_at_top: spread(&v, 4),
            roc_auc: spread(&v, 5),
        })
        .collect()
}

impl crate::Core {
    /// Rescores every stored fill and drain with `model` (telemetry context from the
    /// stored points, purchases, stored refuels); returns how many were updated.
    /// Retracted events and faults keep their scores.
    pub async fn rescore_stored(&self, model: &TheftModel) -> Result<u64> {
        use futures::TryStreamExt;
        let store = self.store();
        let settings = self.fleet_settings().await?;
        let stored = self
            .stored_events(&fc_store::EventFilter::default())
            .await?;
        let events: Vec<fc_ledger::FuelEvent> = stored
            .into_iter()
            .map(|(e, _, _)| e)
            .filter(|e| {
                e.kind != EventKind::SensorFault && e.status != fc_ledger::EventStatus::Retracted
            })
            .collect();
        if events.is_empty() {
            return Ok(0);
        }
        let mut tracks: HashMap<String, TruckTrack> = HashMap::new();
        let mut points = std::pin::pin!(store.points(fc_store::PointFilter::default()));
        while let Some(p) = points.try_next().await? {
            tracks.entry(p.truck_id.clone()).or_default().push(&p);
        }
        let purchases = store.purchases(fc_store::PurchaseFilter::default()).await?;
        let fills: Vec<fc_ledger::FuelEvent> = events
            .iter()
            .filter(|e| e.kind == EventKind::Fill)
            .cloned()
            .collect();
        let refs = tracks.iter().map(|(k, v)| (k.as_str(), v)).collect();
        let ctx = Contextual::new(model.model(), settings.tz()?, &purchases, &fills, refs);
        let scores: Vec<fc_store::EventScore> = events
            .iter()
            .filter_map(|e| {
                let s = ctx.score(&Item::of_event(e))?;
                Some(fc_store::EventScore {
                    event_id: e.id.clone(),
                    ml_score: Some(s.probability),
                    confidence: model.combine(e.rule_confidence, s.probability),
                    model_version: Some(model.version()),
                })
            })
            .collect();
        let updated = store.update_scores(&scores).await?;
        self.wrote(crate::cache::Write::Events);
        Ok(updated)
    }
}
