//! From telemetry to labelled rows: the detector and a [`TruckTrack`] per truck,
//! then every final event and candidate with its features, labelled by the
//! simulator's ground truth and, above it, by the dispatchers' verdicts.

use std::collections::HashMap;

use fc_ledger::eval::{Label, match_events};
use fc_ledger::{
    Candidate, DETECTOR_VERSION, DetectorConfig, EventKind, EventStatus, EventUpdate, FuelEvent,
    TruckDetector, split_final,
};
use fc_model::{TelemetryPoint, TruckProfile};

use crate::features::{FleetContext, Item, VerdictPlace};
use crate::model::Row;
use crate::track::TruckTrack;

/// One truck's detector output and telemetry context.
#[derive(Debug, Clone)]
pub struct TruckOutput {
    /// Truck id.
    pub truck_id: String,
    /// Final fills, drains and faults.
    pub events: Vec<FuelEvent>,
    /// Sub-threshold candidates.
    pub candidates: Vec<Candidate>,
    /// Its telemetry context.
    pub track: TruckTrack,
}

/// A fleet's detector output (see [`FleetRun`]).
#[derive(Debug, Clone, Default)]
pub struct FleetOutput {
    /// Per truck, in profile order.
    pub trucks: Vec<TruckOutput>,
    /// Points seen.
    pub points: u64,
}

/// Runs the detector and a track per truck over a fleet's points (any chunking).
pub struct FleetRun {
    index: HashMap<String, usize>,
    ids: Vec<String>,
    dets: Vec<TruckDetector>,
    tracks: Vec<TruckTrack>,
    updates: Vec<Vec<EventUpdate>>,
    cfg: DetectorConfig,
    points: u64,
}

impl std::fmt::Debug for FleetRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FleetRun")
            .field("trucks", &self.ids.len())
            .field("points", &self.points)
            .finish_non_exhaustive()
    }
}

impl FleetRun {
    /// One detector per profile; trucks without a profile get one on their first point.
    pub fn new(profiles: &[TruckProfile], cfg: &DetectorConfig) -> Self {
        let mut run = FleetRun {
            index: HashMap::new(),
            ids: Vec::new(),
            dets: Vec::new(),
            tracks: Vec::new(),
            updates: Vec::new(),
            cfg: cfg.clone(),
            points: 0,
        };
        for p in profiles {
            run.add(p);
        }
        run
    }

    fn add(&mut self, p: &TruckProfile) -> usize {
        let i = self.ids.len();
        self.index.insert(p.truck_id.clone(), i);
        self.ids.push(p.truck_id.clone());
        self.dets.push(TruckDetector::new(p, &self.cfg));
        self.tracks.push(TruckTrack::new());
        self.updates.push(Vec::new());
        i
    }

    /// Feeds one point.
    pub fn push(&mut self, p: &TelemetryPoint) {
        self.points += 1;
        let i = match self.index.get(&p.truck_id) {
            Some(&i) => i,
            None => self.add(&TruckProfile {
                truck_id: p.truck_id.clone(),
                name: p.truck_id.clone(),
                fuel_type: None,
                tanks: Vec::new(),
            }),
        };
        let u = &mut self.updates[i];
        let before = u.len();
        self.dets[i].push_into(p, u);
        if u.len() > before {
            u.retain(|x| !matches!(x, EventUpdate::Event(e) if e.status != EventStatus::Final));
        }
        self.tracks[i].push(p);
    }

    /// Ends the input.
    pub fn finish(mut self) -> FleetOutput {
        let mut trucks = Vec::with_capacity(self.ids.len());
        for (i, id) in self.ids.iter().enumerate() {
            let mut u = std::mem::take(&mut self.updates[i]);
            u.extend(self.dets[i].finish());
            let (events, candidates) = split_final(u);
            trucks.push(TruckOutput {
                truck_id: id.clone(),
                events,
                candidates,
                track: std::mem::take(&mut self.tracks[i]),
            });
        }
        FleetOutput {
            trucks,
            points: self.points,
        }
    }
}

/// A candidate seen as a final event (for matching against labels).
pub fn candidate_as_event(c: &Candidate) -> FuelEvent {
    FuelEvent {
        id: c.id.clone(),
        truck_id: c.truck_id.clone(),
        kind: c.kind,
        status: EventStatus::Final,
        revision: 0,
        detector_version: DETECTOR_VERSION.to_string(),
        start_ms: c.start_ms,
        end_ms: c.end_ms,
        volume_l: c.volume_l,
        lat: c.lat,
        lon: c.lon,
        rule_confidence: c.rule_confidence,
        evidence: c.evidence.clone(),
    }
}

/// Stable 64-bit FNV-1a (groups for the held-out split).
pub fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Every fill and drain item of a fleet with its truck index and whether the
/// detector alerted on it by itself.
pub fn items(out: &FleetOutput) -> Vec<(usize, Item<'_>, bool)> {
    let mut v = Vec::new();
    for (ti, t) in out.trucks.iter().enumerate() {
        for e in t.events.iter().filter(|e| e.kind != EventKind::SensorFault) {
            v.push((ti, Item::of_event(e), true));
        }
        for c in t
            .candidates
            .iter()
            .filter(|c| c.kind != EventKind::SensorFault)
        {
            v.push((ti, Item::of_candidate(c), false));
        }
    }
    v
}

/// Ids of the items that are real: labels go to final events first (as the
/// rule-only evaluation matches them), the rest to candidates, one to one.
pub fn true_ids(out: &FleetOutput, labels: &[Label]) -> std::collections::HashSet<String> {
    let events: Vec<FuelEvent> = out
        .trucks
        .iter()
        .flat_map(|t| t.events.iter().cloned())
        .collect();
    let mut real = std::collections::HashSet::new();
    let mut used = vec![false; labels.len()];
    for (ei, li) in match_events(&events, labels) {
        real.insert(events[ei].id.clone());
        used[li] = true;
    }
    let rest: Vec<Label> = labels
        .iter()
        .zip(&used)
        .filter(|(_, u)| !**u)
        .map(|(l, _)| l.clone())
        .collect();
    let cands: Vec<FuelEvent> = out
        .trucks
        .iter()
        .flat_map(|t| t.candidates.iter().map(candidate_as_event))
        .collect();
    for (ci, _) in match_events(&cands, &rest) {
        real.insert(cands[ci].id.clone());
    }
    real
}

/// The fleet context of a run: stations from purchases and fills, parking from tracks.
pub fn context(
    out: &FleetOutput,
    tz: chrono_tz::Tz,
    purchases: &[fc_model::Purchase],
    verdicts: &[VerdictPlace],
) -> FleetContext {
    let fills: Vec<FuelEvent> = out
        .trucks
        .iter()
        .flat_map(|t| {
            t.events
                .iter()
                .filter(|e| e.kind == EventKind::Fill)
                .cloned()
        })
        .collect();
    let mut ctx = FleetContext::new(tz).with_fuel(purchases, &fills);
    for t in &out.trucks {
        ctx.set_parking(&t.truck_id, &t.track.parking_places());
    }
    ctx.set_verdicts(verdicts);
    ctx
}

/// Verdict places for the items that have a verdict (`true` = false alarm).
pub fn verdict_places(out: &FleetOutput, verdicts: &HashMap<String, bool>) -> Vec<VerdictPlace> {
    items(out)
        .into_iter()
        .filter_map(|(ti, it, _)| {
            let fa = *verdicts.get(it.id)?;
            let tf = out.trucks[ti].track.features(
                it.start_ms,
                it.end_ms,
                it.evidence.window_start_ms,
                it.evidence.window_end_ms,
            );
            let lat = it.lat.or(tf.lat)?;
            let lon = it.lon.or(tf.lon)?;
            Some(VerdictPlace {
                event_id: it.id.to_string(),
                kind: it.kind,
                lat,
                lon,
                false_alarm: fa,
            })
        })
        .collect()
}

/// Labelled rows of one fleet. With `labels`, every item is a row (a verdict
/// overrides its label); without, only items that have a verdict.
pub fn rows(
    out: &FleetOutput,
    ctx: &FleetContext,
    labels: Option<&[Label]>,
    verdicts: &HashMap<String, bool>,
    source: &str,
) -> Vec<Row> {
    let real = labels.map(|l| true_ids(out, l));
    let mut rows = Vec::new();
    for (ti, it, rule_alarm) in items(out) {
        let verdict = verdicts.get(it.id).copied();
        let y = match (verdict, &real) {
            (Some(false_alarm), _) => !false_alarm,
            (None, Some(real)) => real.contains(it.id),
            (None, None) => continue,
        };
        let track = &out.trucks[ti].track;
        let tf = track.features(
            it.start_ms,
            it.end_ms,
            it.evidence.window_start_ms,
            it.evidence.window_end_ms,
        );
        rows.push(Row {
            kind: it.kind,
            x: ctx.features(&it, Some(&tf)),
            y,
            from_verdict: verdict.is_some(),
            rule_alarm,
            group: fnv(&format!("{source}/{}", it.truck_id)),
        });
    }
    rows
}
