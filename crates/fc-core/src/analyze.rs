//! Analysis: telemetry through one streaming detector and one streaming ledger per
//! truck, purchases reconciled against the final fills. Files are analysed in
//! memory and nothing is stored; stored data is read truck by truck. Either way
//! memory grows with the number of trucks (and events), never with the rows.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::sync_channel;
use std::time::Instant;

use fc_coach::{CoachConfig, Rollup, RollupBuilder};
use fc_import::{FileKind, FileReader, ImportOptions, Record};
use fc_ledger::{
    Candidate, DETECTOR_VERSION, DetectorConfig, EventKind, EventStatus, EventUpdate, Evidence,
    FuelEvent, Ledger, LedgerBuilder, LedgerConfig, ReconcileConfig, TruckDetector, reconcile,
    split_final,
};
use fc_model::{Purchase, TelemetryPoint, TruckProfile, format_ts};
use fc_store::PurchaseFilter;
use futures::TryStreamExt;

use crate::core::Core;
use crate::dto::ImportProgress;
use crate::dto_analysis::{
    AnalysisFileDto, AnalysisReport, EventDto, EvidenceDto, EvidenceSampleDto, PurchaseDto,
    TruckLedgerDto,
};
use crate::error::{CoreError, Result};
use crate::settings::FleetSettings;

/// Rows per batch from the reader thread: large enough to amortise the channel.
const BATCH_ROWS: usize = 16_384;

/// A model that reranks events and candidates (decision 12). This is the seam the
/// ML work plugs into; without one, `confidence` is the detector's own.
pub trait EventModel: Send + Sync {
    /// Version stamped on every scored event.
    fn version(&self) -> String;
    /// The model's score in 0..1 for a change of `kind` and `volume_l` with this evidence.
    fn score(
        &self,
        kind: EventKind,
        volume_l: f64,
        rule_confidence: f64,
        evidence: &Evidence,
    ) -> f64;
    /// The confidence used for alerting, from the rule's and the model's.
    fn combine(&self, rule_confidence: f64, ml_score: f64) -> f64 {
        0.5 * (rule_confidence + ml_score)
    }
    /// A theft model that wants each truck's telemetry context (`fc-ml`); with one,
    /// scores use the context and carry an explanation.
    fn theft_model(&self) -> Option<&fc_ml::Model> {
        None
    }
}

/// What to analyse.
#[derive(Clone, Default)]
pub struct AnalyzeRequest {
    /// Telemetry files; trucks and purchases files among them are recognised by their header.
    pub files: Vec<PathBuf>,
    /// Truck profile files (`--trucks`).
    pub trucks: Vec<PathBuf>,
    /// Purchase files (`--purchases`).
    pub purchases: Vec<PathBuf>,
    /// Zone for naive timestamps; default: the fleet's.
    pub time_zone: Option<String>,
    /// Also list sub-threshold events and candidates.
    pub candidates: bool,
    /// A reranking model, if one is loaded.
    pub model: Option<Arc<dyn EventModel>>,
}

impl std::fmt::Debug for AnalyzeRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnalyzeRequest")
            .field("files", &self.files)
            .field("trucks", &self.trucks)
            .field("purchases", &self.purchases)
            .field("time_zone", &self.time_zone)
            .field("candidates", &self.candidates)
            .field("model", &self.model.as_ref().map(|m| m.version()))
            .finish()
    }
}

/// Analyses files in memory; nothing is stored.
pub fn analyze_files(
    request: &AnalyzeRequest,
    settings: &FleetSettings,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<AnalysisReport> {
    let started = Instant::now();
    settings.validate()?;
    let tz = match &request.time_zone {
        Some(name) => crate::settings::parse_tz(name)?,
        None => settings.tz()?,
    };
    let opts = ImportOptions::in_zone(tz);
    let mut files = Vec::new();
    let mut profiles: HashMap<String, TruckProfile> = HashMap::new();
    let mut purchases: Vec<Purchase> = Vec::new();
    let mut telemetry: Vec<(PathBuf, FileReader)> = Vec::new();

    // Profiles must be known before the first point, so side files are read first.
    let forced = request
        .trucks
        .iter()
        .map(|p| (p, Some(FileKind::Trucks)))
        .chain(
            request
                .purchases
                .iter()
                .map(|p| (p, Some(FileKind::Purchases))),
        )
        .chain(request.files.iter().map(|p| (p, None)));
    for (path, kind) in forced {
        let o = ImportOptions {
            kind,
            ..opts.clone()
        };
        let mut reader = fc_import::open(path, &o)?;
        match reader.plan().kind {
            FileKind::Telemetry => telemetry.push((path.clone(), reader)),
            kind => {
                let mut tally = AnalysisFileDto {
                    file: path.display().to_string(),
                    kind: kind.code().to_string(),
                    rows: 0,
                    rejected_rows: 0,
                    rejected_fields: 0,
                };
                while let Some(record) = reader.next_record()? {
                    count(&mut tally, &record);
                    match record {
                        Record::Truck { profile, .. } => {
                            profiles.insert(profile.truck_id.clone(), profile);
                        }
                        Record::Purchase { purchase, .. } => purchases.push(purchase),
                        _ => {}
                    }
                }
                files.push(tally);
            }
        }
    }

    let empty = empty_profile();
    let mut session = Session::new(&profiles, &empty, settings, request);
    session.coach_tz = tz;
    let n_files = u32::try_from(telemetry.len()).unwrap_or(u32::MAX);
    for (index, (path, reader)) in telemetry.into_iter().enumerate() {
        let name = path.display().to_string();
        let bytes_total = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let file_index = u32::try_from(index).unwrap_or(u32::MAX);
        let tally = stream_file(reader, &name, &mut |batch, bytes, rows| {
            session.push_batch(batch);
            progress(ImportProgress {
                file: name.clone(),
                file_index,
                files: n_files,
                bytes_read: bytes,
                bytes_total,
                rows,
            });
        })?;
        files.push(tally);
    }
    let rejected_rows = files.iter().map(|f| f.rejected_rows).sum();
    let rejected_fields = files.iter().map(|f| f.rejected_fields).sum();
    let mut report = session.finish(&purchases, settings, tz.name(), request);
    report.source = "files".into();
    report.files = files;
    report.rejected_rows = rejected_rows;
    report.rejected_fields = rejected_fields;
    report.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    Ok(report)
}

impl Core {
    /// Analyses the stored data (points streamed truck by truck); nothing is written.
    pub async fn analyze_stored(
        &self,
        request: &AnalyzeRequest,
        progress: &mut (dyn FnMut(ImportProgress) + Send),
    ) -> Result<AnalysisReport> {
        let started = Instant::now();
        let settings = self.fleet_settings().await?;
        let store = self.store();
        let profiles: HashMap<String, TruckProfile> = store
            .trucks()
            .await?
            .into_iter()
            .map(|p| (p.truck_id.clone(), p))
            .collect();
        let purchases = store.purchases(PurchaseFilter::default()).await?;
        let total: u64 = store.point_stats().await?.iter().map(|s| s.points).sum();
        let empty = empty_profile();
        let mut session = Session::new(&profiles, &empty, &settings, request);
        let mut points = std::pin::pin!(store.points(fc_store::PointFilter::default()));
        let mut current: Option<String> = None;
        let mut rows = 0u64;
        while let Some(p) = points.try_next().await? {
            // Points come ordered by truck: a finished truck leaves memory at once.
            if current.as_deref() != Some(p.truck_id.as_str()) {
                if let Some(done) = current.take() {
                    session.finish_truck(&done);
                }
                current = Some(p.truck_id.clone());
            }
            session.push(&p);
            rows += 1;
            if rows.is_multiple_of(65_536) {
                progress(ImportProgress {
                    file: "store".into(),
                    file_index: 0,
                    files: 1,
                    bytes_read: rows,
                    bytes_total: total,
                    rows,
                });
            }
        }
        let (mut rejected_rows, mut rejected_fields) = (0, 0);
        for q in store.quarantine_counts().await? {
            if ROW_REASONS.contains(&q.reason.as_str()) {
                rejected_rows += q.count;
            } else {
                rejected_fields += q.count;
            }
        }
        let mut report = session.finish(&purchases, &settings, &settings.time_zone, request);
        report.source = "store".into();
        report.rejected_rows = rejected_rows;
        report.rejected_fields = rejected_fields;
        report.elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        Ok(report)
    }
}

/// Quarantine reasons that refuse a whole row (the others null one value).
const ROW_REASONS: [&str; 8] = [
    "missing_truck_id",
    "bad_truck_id",
    "missing_ts",
    "bad_ts",
    "ts_out_of_range",
    "column_count",
    "bad_json",
    "conflicting_duplicate",
];

fn empty_profile() -> TruckProfile {
    TruckProfile {
        truck_id: String::new(),
        name: String::new(),
        fuel_type: None,
        tanks: Vec::new(),
    }
}

fn count(tally: &mut AnalysisFileDto, record: &Record) {
    tally.rows += 1;
    match record {
        Record::Rejected(_) => tally.rejected_rows += 1,
        r => tally.rejected_fields += r.issues().len() as u64,
    }
}

enum Msg {
    Batch(Vec<TelemetryPoint>, u64, u64),
    Failed(fc_import::ImportError),
    Done(AnalysisFileDto),
}

/// Reads one telemetry file on its own thread (parsing and detection use both
/// cores) and hands batches to `sink` on this one, in file order.
fn stream_file(
    mut reader: FileReader,
    name: &str,
    sink: &mut dyn FnMut(&[TelemetryPoint], u64, u64),
) -> Result<AnalysisFileDto> {
    let (tx, rx) = sync_channel::<Msg>(2);
    // Analysed batches go back to the reader: it drops their points (the strings it
    // allocated itself, cheaper to free on the thread that made them) and refills them.
    let (back_tx, back_rx) = sync_channel::<Vec<TelemetryPoint>>(4);
    let name = name.to_string();
    std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut tally = AnalysisFileDto {
                file: name,
                kind: FileKind::Telemetry.code().to_string(),
                rows: 0,
                rejected_rows: 0,
                rejected_fields: 0,
            };
            let mut batch = Vec::with_capacity(BATCH_ROWS);
            loop {
                match reader.next_record() {
                    Ok(Some(record)) => {
                        count(&mut tally, &record);
                        if let Record::Point { point, .. } = record {
                            batch.push(point);
                            if batch.len() >= BATCH_ROWS {
                                let next = match back_rx.try_recv() {
                                    Ok(mut v) => {
                                        v.clear();
                                        v
                                    }
                                    Err(_) => Vec::with_capacity(BATCH_ROWS),
                                };
                                let full = std::mem::replace(&mut batch, next);
                                if tx
                                    .send(Msg::Batch(full, reader.bytes_read(), tally.rows))
                                    .is_err()
                                {
                                    return;
                                }
                            }
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        let _ = tx.send(Msg::Failed(e));
                        return;
                    }
                }
            }
            let _ = tx.send(Msg::Batch(batch, reader.bytes_read(), tally.rows));
            let _ = tx.send(Msg::Done(tally));
        });
        let mut done = None;
        for msg in rx {
            match msg {
                Msg::Batch(points, bytes, rows) => {
                    sink(&points, bytes, rows);
                    // Full (the reader is ahead) or gone: dropped here instead.
                    let _ = back_tx.try_send(points);
                }
                Msg::Failed(e) => return Err(CoreError::Import(e)),
                Msg::Done(t) => done = Some(t),
            }
        }
        done.ok_or_else(|| CoreError::Internal("the telemetry reader stopped early".into()))
    })
}

/// One truck's streaming state.
struct TruckRun<'p> {
    det: TruckDetector,
    /// Telemetry context for a theft model (only when one is loaded).
    track: Option<fc_ml::TruckTrack>,
    ledger: LedgerBuilder<'p>,
    coach: RollupBuilder<'p>,
    updates: Vec<EventUpdate>,
    name: String,
    has_profile: bool,
    points: u64,
    first: i64,
    last: i64,
}

/// A truck after the end of its data.
struct TruckResult {
    ledger: Ledger,
    name: String,
    has_profile: bool,
    points: u64,
    first: i64,
    last: i64,
    late_dropped: u64,
    duplicates: u64,
    events: Vec<FuelEvent>,
    candidates: Vec<Candidate>,
    track: Option<fc_ml::TruckTrack>,
}

struct Session<'p> {
    profiles: &'p HashMap<String, TruckProfile>,
    empty: &'p TruckProfile,
    dcfg: DetectorConfig,
    lcfg: LedgerConfig,
    keep_candidates: bool,
    keep_tracks: bool,
    /// Truck id -> its slot in `runs` (looked up once per row).
    keys: HashMap<String, usize>,
    /// Streaming state per truck; a slot is emptied when its truck finishes.
    runs: Vec<Option<TruckRun<'p>>>,
    /// Scratch of `push_batch`: (slot, position in the batch), reused batch after batch.
    order: Vec<(u32, u32)>,
    done: BTreeMap<String, TruckResult>,
    ccfg: CoachConfig,
    coach_tz: chrono_tz::Tz,
    rollups: Vec<Rollup>,
}

impl<'p> Session<'p> {
    fn new(
        profiles: &'p HashMap<String, TruckProfile>,
        empty: &'p TruckProfile,
        settings: &FleetSettings,
        request: &AnalyzeRequest,
    ) -> Self {
        Session {
            profiles,
            empty,
            dcfg: DetectorConfig::default(),
            lcfg: LedgerConfig {
                idle_min_s: i64::from(settings.idle_min_s),
                ..LedgerConfig::default()
            },
            // A model reranks candidates, so it needs them too.
            keep_candidates: request.candidates || request.model.is_some(),
            keep_tracks: request
                .model
                .as_ref()
                .is_some_and(|m| m.theft_model().is_some()),
            keys: HashMap::new(),
            runs: Vec::new(),
            order: Vec::new(),
            done: BTreeMap::new(),
            ccfg: crate::coach::coach_config(settings),
            coach_tz: settings.tz().unwrap_or(chrono_tz::Tz::UTC),
            rollups: Vec::new(),
        }
    }

    fn push(&mut self, p: &TelemetryPoint) {
        let k = self.slot(p);
        if let Some(run) = self.runs[k].as_mut() {
            run.push(p, self.keep_candidates);
        }
    }

    /// Feeds a batch truck by truck. Each truck's points keep their order, so every
    /// detector and ledger sees exactly what `push` point by point would give it; but
    /// a truck's state (a few KB) is loaded into the cache once per batch instead of
    /// once per row: with 1,000 interleaved trucks, cache misses cost more CPU than
    /// detection itself (0.86 vs 1.58 s of CPU for 1M rows, sorted vs interleaved).
    fn push_batch(&mut self, batch: &[TelemetryPoint]) {
        let mut order = std::mem::take(&mut self.order);
        order.clear();
        for (i, p) in batch.iter().enumerate() {
            let k = self.slot(p);
            order.push((
                u32::try_from(k).unwrap_or(u32::MAX),
                u32::try_from(i).unwrap_or(u32::MAX),
            ));
        }
        // By slot, then by position: a stable grouping.
        order.sort_unstable();
        for &(k, i) in &order {
            if let (Some(Some(run)), Some(p)) =
                (self.runs.get_mut(k as usize), batch.get(i as usize))
            {
                run.push(p, self.keep_candidates);
            }
        }
        self.order = order;
    }

    /// The slot of the point's truck, starting its run on its first point.
    fn slot(&mut self, p: &TelemetryPoint) -> usize {
        if let Some(&k) = self.keys.get(p.truck_id.as_str())
            && self.runs[k].is_some()
        {
            return k;
        }
        let (profile, has_profile) = match self.profiles.get(&p.truck_id) {
            Some(prof) => (prof, true),
            None => (self.empty, false),
        };
        // The detector names its events after the profile's truck id.
        let det_profile = TruckProfile {
            truck_id: p.truck_id.clone(),
            ..profile.clone()
        };
        let run = TruckRun {
            det: TruckDetector::new(&det_profile, &self.dcfg),
            track: self.keep_tracks.then(fc_ml::TruckTrack::new),
            ledger: LedgerBuilder::new(&p.truck_id, profile, i64::MIN, i64::MAX, &self.lcfg),
            coach: RollupBuilder::new(&p.truck_id, profile, self.coach_tz, &self.ccfg),
            updates: Vec::new(),
            name: if profile.name.is_empty() {
                p.truck_id.clone()
            } else {
                profile.name.clone()
            },
            has_profile,
            points: 0,
            first: p.ts,
            last: p.ts,
        };
        match self.keys.get(p.truck_id.as_str()) {
            // A truck that finished and comes back (stored data is ordered by truck, so
            // only out-of-order input does this) starts again in its old slot.
            Some(&k) => {
                self.runs[k] = Some(run);
                k
            }
            None => {
                self.runs.push(Some(run));
                let k = self.runs.len() - 1;
                self.keys.insert(p.truck_id.clone(), k);
                k
            }
        }
    }

    fn finish_truck(&mut self, truck_id: &str) {
        let Some(mut run) = self
            .keys
            .get(truck_id)
            .and_then(|&k| self.runs.get_mut(k))
            .and_then(Option::take)
        else {
            return;
        };
        let mut updates = std::mem::take(&mut run.updates);
        updates.extend(run.det.finish());
        let (events, candidates) = split_final(updates);
        run.ledger.set_idle_rate(run.det.learned_rates().idle_lph);
        for e in &events {
            run.coach.event(e);
        }
        run.coach.set_idle_rate(run.det.learned_rates().idle_lph);
        self.rollups.extend(run.coach.finish());
        let (late_dropped, duplicates) = run.ledger.dropped();
        let ledger = run.ledger.finish(&events);
        self.done.insert(
            truck_id.to_string(),
            TruckResult {
                ledger,
                name: run.name,
                has_profile: run.has_profile,
                points: run.points,
                first: run.first,
                last: run.last,
                late_dropped,
                duplicates,
                events,
                candidates: if self.keep_candidates {
                    candidates
                } else {
                    Vec::new()
                },
                track: run.track,
            },
        );
    }

    fn finish(
        mut self,
        purchases: &[Purchase],
        settings: &FleetSettings,
        zone: &str,
        request: &AnalyzeRequest,
    ) -> AnalysisReport {
        let ids: Vec<String> = self
            .keys
            .iter()
            .filter(|(_, k)| self.runs[**k].is_some())
            .map(|(id, _)| id.clone())
            .collect();
        for id in ids {
            self.finish_truck(&id);
        }
        let theft = request.model.as_deref().and_then(|m| m.theft_model());
        let contextual = theft.map(|m| {
            let fills: Vec<FuelEvent> = self
                .done
                .values()
                .flat_map(|t| {
                    t.events
                        .iter()
                        .filter(|e| e.kind == EventKind::Fill)
                        .cloned()
                })
                .collect();
            let tracks = self
                .done
                .iter()
                .filter_map(|(id, t)| t.track.as_ref().map(|tr| (id.as_str(), tr)))
                .collect();
            let tz = crate::settings::parse_tz(zone).unwrap_or(chrono_tz::UTC);
            crate::ml::Contextual::new(m, tz, purchases, &fills, tracks)
        });
        let scorer = Scorer {
            model: request.model.as_deref(),
            contextual: contextual.as_ref(),
            threshold: settings.alert_threshold,
        };
        let mut events = Vec::new();
        let mut candidates = Vec::new();
        let mut faults = Vec::new();
        let mut trucks = Vec::new();
        let mut fills: Vec<FuelEvent> = Vec::new();
        let mut rows = 0;
        for (id, t) in &self.done {
            rows += t.points;
            let mut alerts = 0;
            for e in &t.events {
                let dto = scorer.event(e);
                match e.kind {
                    EventKind::SensorFault => faults.push(dto),
                    _ if dto.alert => {
                        alerts += 1;
                        events.push(dto);
                    }
                    _ => candidates.push(dto),
                }
                if e.kind == EventKind::Fill {
                    fills.push(e.clone());
                }
            }
            for c in &t.candidates {
                candidates.push(scorer.candidate(c));
            }
            trucks.push(ledger_dto(id, t, alerts));
        }
        let rec = reconcile(purchases, &fills, &reconcile_config(settings));
        let purchases = purchase_dtos(purchases, &rec.purchases);
        let by_id: HashMap<&str, &FuelEvent> = fills.iter().map(|f| (f.id.as_str(), f)).collect();
        let (drivers, coaching) =
            crate::coach::analysis_drivers(std::mem::take(&mut self.rollups), settings);
        let unpaid_fills = rec
            .unpaid_fill_ids
            .iter()
            .filter_map(|id| by_id.get(id.as_str()).map(|f| scorer.event(f)))
            .collect();
        AnalysisReport {
            source: String::new(),
            files: Vec::new(),
            time_zone: zone.to_string(),
            alert_threshold: settings.alert_threshold,
            events,
            candidates: request.candidates.then_some(candidates),
            sensor_faults: faults,
            trucks,
            purchases,
            unpaid_fills,
            rows,
            rejected_rows: 0,
            rejected_fields: 0,
            detector_version: DETECTOR_VERSION.to_string(),
            elapsed_ms: 0,
            drivers,
            coaching,
        }
    }
}

impl TruckRun<'_> {
    fn push(&mut self, p: &TelemetryPoint, keep_candidates: bool) {
        self.points += 1;
        self.first = self.first.min(p.ts);
        self.last = self.last.max(p.ts);
        let before = self.updates.len();
        self.det.push_into(p, &mut self.updates);
        if self.updates.len() > before {
            // Only final events (and candidates when wanted) are reported: provisional
            // updates would make memory grow with the rows.
            self.updates.retain(|u| match u {
                EventUpdate::Event(e) => e.status == EventStatus::Final,
                EventUpdate::Candidate(_) => keep_candidates,
            });
        }
        // The session routed the point by its truck id already.
        self.ledger.push_own(p);
        self.coach.push(p);
        // The model's telemetry context (kept only when a model scores).
        if let Some(track) = &mut self.track {
            track.push(p);
        }
    }
}

/// Sets the scores of decision 12 in one place.
struct Scorer<'m> {
    model: Option<&'m dyn EventModel>,
    contextual: Option<&'m crate::ml::Contextual<'m>>,
    threshold: f64,
}

impl Scorer<'_> {
    fn scores_of(&self, item: &fc_ml::Item<'_>) -> Scores {
        let scored = self.contextual.and_then(|c| c.score(item));
        match (self.model, scored) {
            (Some(m), Some(s)) => Scores {
                ml_score: Some(s.probability),
                confidence: m.combine(item.rule_confidence, s.probability),
                model_version: Some(m.version()),
                explanation: Some(crate::dto_analysis::explanation_dto(&s)),
            },
            _ => self.scores(
                item.kind,
                item.volume_l,
                item.rule_confidence,
                item.evidence,
            ),
        }
    }

    fn scores(&self, kind: EventKind, volume: f64, rule: f64, ev: &Evidence) -> Scores {
        match self.model {
            Some(m) => {
                let ml = m.score(kind, volume, rule, ev);
                Scores {
                    ml_score: Some(ml),
                    confidence: m.combine(rule, ml),
                    model_version: Some(m.version()),
                    explanation: None,
                }
            }
            None => Scores {
                ml_score: None,
                confidence: rule,
                model_version: None,
                explanation: None,
            },
        }
    }

    fn event(&self, e: &FuelEvent) -> EventDto {
        let s = if e.kind == EventKind::SensorFault {
            self.scores(e.kind, e.volume_l, e.rule_confidence, &e.evidence)
        } else {
            self.scores_of(&fc_ml::Item::of_event(e))
        };
        EventDto {
            id: e.id.clone(),
            truck_id: e.truck_id.clone(),
            kind: e.kind.code().to_string(),
            status: "final".into(),
            start: format_ts(e.start_ms),
            end: format_ts(e.end_ms),
            volume_l: e.volume_l,
            lat: e.lat,
            lon: e.lon,
            rule_confidence: e.rule_confidence,
            ml_score: s.ml_score,
            confidence: s.confidence,
            model_version: s.model_version,
            alert: e.kind != EventKind::SensorFault && s.confidence >= self.threshold,
            detector_version: e.detector_version.clone(),
            evidence: evidence_dto(&e.evidence),
            explanation: s.explanation,
        }
    }

    fn candidate(&self, c: &Candidate) -> EventDto {
        let s = self.scores_of(&fc_ml::Item::of_candidate(c));
        EventDto {
            id: c.id.clone(),
            truck_id: c.truck_id.clone(),
            kind: c.kind.code().to_string(),
            status: "candidate".into(),
            start: format_ts(c.start_ms),
            end: format_ts(c.end_ms),
            volume_l: c.volume_l,
            lat: c.lat,
            lon: c.lon,
            rule_confidence: c.rule_confidence,
            ml_score: s.ml_score,
            confidence: s.confidence,
            model_version: s.model_version,
            alert: false,
            detector_version: DETECTOR_VERSION.to_string(),
            evidence: evidence_dto(&c.evidence),
            explanation: s.explanation,
        }
    }
}

struct Scores {
    ml_score: Option<f64>,
    confidence: f64,
    model_version: Option<String>,
    explanation: Option<Vec<crate::dto_analysis::ContributionDto>>,
}

/// The snake_case code serde gives a unit enum variant.
fn code_of<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

pub(crate) fn evidence_dto(e: &Evidence) -> EvidenceDto {
    EvidenceDto {
        window_start: format_ts(e.window_start_ms),
        window_end: format_ts(e.window_end_ms),
        level_before_l: e.level_before_l,
        level_after_l: e.level_after_l,
        expected_consumption_l: e.expected_consumption_l,
        consumption_source: code_of(&e.consumption_source),
        threshold_l: e.threshold_l,
        noise_l: e.noise_l,
        noise_measured: e.noise_measured,
        unobserved_min: e.unobserved_ms as f64 / 60_000.0,
        moved: e.moved,
        ignition_on: e.ignition_on,
        reason: code_of(&e.reason.code),
        margin: e.reason.margin,
        samples: e
            .samples
            .iter()
            .map(|s| EvidenceSampleDto {
                ts: s.ts,
                raw_l: s.raw_l,
                filtered_l: s.filtered_l,
            })
            .collect(),
    }
}

fn ledger_dto(id: &str, t: &TruckResult, alerts: u32) -> TruckLedgerDto {
    ledger_view(
        LedgerHead {
            truck_id: id,
            name: &t.name,
            has_profile: t.has_profile,
            points: t.points,
            span: (t.points > 0).then_some((t.first, t.last)),
            late_dropped: t.late_dropped,
            duplicates: t.duplicates,
        },
        &t.ledger,
        alerts,
    )
}

/// Purchase-to-fill matching with the fleet's radius and window.
pub(crate) fn reconcile_config(settings: &FleetSettings) -> ReconcileConfig {
    ReconcileConfig {
        radius_m: settings.reconcile_radius_m,
        window_ms: (settings.reconcile_window_min * 60_000.0) as i64,
        ..ReconcileConfig::default()
    }
}

/// The transport shape of reconciled purchases (`matches` index into `purchases`).
pub(crate) fn purchase_dtos(
    purchases: &[Purchase],
    matches: &[fc_ledger::PurchaseMatch],
) -> Vec<PurchaseDto> {
    matches
        .iter()
        .filter_map(|m| {
            let p = purchases.get(m.purchase_index)?;
            Some(PurchaseDto {
                truck_id: p.truck_id.clone(),
                ts: format_ts(p.ts),
                litres: p.litres,
                price_per_l: p.price_per_l,
                station: p.station.clone(),
                card_id: p.card_id.clone(),
                status: code_of(&m.status),
                fill_id: m.fill_id.clone(),
                measured_l: m.measured_l,
                difference_l: m.difference_l,
                distance_m: m.distance_m,
                time_offset_min: m.time_offset_ms.map(|ms| ms as f64 / 60_000.0),
            })
        })
        .collect()
}

/// What a ledger view says about its truck and data besides the ledger itself.
pub(crate) struct LedgerHead<'a> {
    pub truck_id: &'a str,
    pub name: &'a str,
    pub has_profile: bool,
    pub points: u64,
    /// First and last point, UTC ms (none without points).
    pub span: Option<(i64, i64)>,
    pub late_dropped: u64,
    pub duplicates: u64,
}

/// One transport shape of a ledger, for analyses and the truck page alike.
pub(crate) fn ledger_view(h: LedgerHead<'_>, l: &Ledger, alerts: u32) -> TruckLedgerDto {
    TruckLedgerDto {
        truck_id: h.truck_id.to_string(),
        name: h.name.to_string(),
        has_profile: h.has_profile,
        points: h.points,
        first: h.span.map(|(first, _)| format_ts(first)),
        last: h.span.map(|(_, last)| format_ts(last)),
        distance_km: l.distance_km,
        distance_source: code_of(&l.distance_source),
        fuel_used_l: l.consumed_l,
        l_per_100km: l.l_per_100km,
        mpg_us: l.mpg_us,
        idle_h: l.idle_h,
        idle_fuel_l: l.idle_l,
        idle_source: code_of(&l.idle_source),
        start_level_l: l.start_level_l,
        end_level_l: l.end_level_l,
        fills: l.fills,
        fills_l: l.fills_l,
        drains: l.drains,
        drains_l: l.drains_l,
        ecu_fuel_used_l: l.ecu_consumed_l,
        ecu_disagreement_l: l.ecu_disagreement_l,
        alerts,
        late_dropped: h.late_dropped,
        duplicates: h.duplicates,
    }
}
