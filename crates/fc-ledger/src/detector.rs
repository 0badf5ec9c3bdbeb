//! The per-truck streaming detector: one code path for live ingest and batch.
//!
//! Points go through a small reorder buffer (lateness horizon), then a core that
//! sees them strictly in time order. The core therefore behaves identically for
//! any chunking of the same points, which is what makes final events stable.

use std::collections::VecDeque;

use fc_model::{Tank, TelemetryPoint, TruckProfile};

use crate::config::DetectorConfig;
use crate::event::{
    Candidate, ConsumptionSource, DETECTOR_VERSION, EventKind, EventStatus, EventUpdate, Evidence,
    EvidenceSample, FuelEvent, Reason, ReasonCode, event_id,
};
use crate::geo::haversine_km;
use crate::level::{MAX_ABS_TS, MAX_LITRES};

const NA: f64 = f64::NAN;
const HIST_CAP: usize = 128;
const NOISE_CAP: usize = 256;
const REF_CAP: usize = 16;
/// Readings per block whose median measures the noise of a level taken as a median.
const BLOCK: usize = 8;
/// Block-median differences kept (each ~8 readings: 512 readings of history).
const BLOCK_CAP: usize = 64;
/// Block-median differences needed before their spread is used.
const BLOCK_MIN: usize = 12;
const MAX_EVIDENCE: usize = 64;
/// Levels (moving ones included) whose median gives the level on either side of a stop
/// when placing a rise found across a trip: slosh is zero-mean, a median of 5 readings a
/// few minutes apart keeps it to tens of litres, far below a refuel.
const JUMP_N: usize = 5;
/// Moving readings a leg's level needs before it is compared with a trusted one.
const MOVE_MIN_N: usize = 3;
/// E[|Z| given |Z| below its 80th percentile] for a standard normal Z.
const TRIMMED_HALF_NORMAL_MEAN: f64 = 0.5586;
/// A fuel counter rising faster than this is garbage, not consumption.
const MAX_PLAUSIBLE_LPH: f64 = 200.0;
/// Odometer or GPS distance implying more than this speed is a jump, not travel.
const MAX_PLAUSIBLE_KMH: f64 = 160.0;
/// An odometer advance of this much between two points proves the truck drove.
const ODO_TRAVEL_KM: f64 = 0.05;
/// Without an odometer, a GPS displacement of this much does (jitter at rest stays below).
const GPS_TRAVEL_KM: f64 = 0.2;

/// Counters about the input, for the import/ingest report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DetectorStats {
    /// Points pushed.
    pub points: u64,
    /// Points older than the lateness horizon allows (dropped).
    pub late_dropped: u64,
    /// Points whose timestamp was already buffered (the first one is kept).
    pub duplicates: u64,
    /// Points without any usable fuel level (used for context only).
    pub without_level: u64,
    /// Points with an absurd timestamp (beyond +/- 31,000 years), ignored.
    pub invalid: u64,
}

/// Learned consumption rates of a truck, useful to the ledger.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LearnedRates {
    /// Idle consumption, L/h.
    pub idle_lph: f64,
    /// Driving consumption, L/km.
    pub l_per_km: f64,
}

/// A telemetry point reduced to what the detector needs: `Copy`, no strings,
/// so buffering never allocates per point.
#[derive(Debug, Clone, Copy)]
struct Sample {
    ts: i64,
    fuel_l: f64,
    pct: f64,
    fuel_l2: f64,
    pct2: f64,
    speed: f64,
    ign: i8,
    pto: i8,
    rate: f64,
    counter: f64,
    odo: f64,
    lat: f64,
    lon: f64,
}

fn opt(v: Option<f64>) -> f64 {
    match v {
        Some(x) if x.is_finite() => x,
        _ => NA,
    }
}

fn flag(v: Option<bool>) -> i8 {
    match v {
        Some(true) => 1,
        Some(false) => 0,
        None => -1,
    }
}

impl Sample {
    fn of(p: &TelemetryPoint) -> Self {
        Sample {
            ts: p.ts,
            fuel_l: opt(p.fuel_l),
            pct: opt(p.fuel_level_pct),
            fuel_l2: opt(p.fuel_l_2),
            pct2: opt(p.fuel_level_pct_2),
            speed: opt(p.speed_kmh),
            ign: flag(p.ignition),
            pto: flag(p.pto),
            rate: opt(p.fuel_rate_lph),
            counter: opt(p.fuel_used_l),
            odo: opt(p.odometer_km),
            lat: opt(p.lat),
            lon: opt(p.lon),
        }
    }
}

/// Streaming fill/drain/fault detector for one truck.
pub struct TruckDetector {
    lateness_ms: i64,
    buf: VecDeque<Sample>,
    max_seen: Option<i64>,
    released: Option<i64>,
    stats: DetectorStats,
    core: Core,
}

impl TruckDetector {
    /// A detector for one truck. The profile gives the tanks (calibration, capacity).
    pub fn new(profile: &TruckProfile, config: &DetectorConfig) -> Self {
        TruckDetector {
            lateness_ms: config.lateness_ms.max(0),
            buf: VecDeque::with_capacity(64),
            max_seen: None,
            released: None,
            stats: DetectorStats::default(),
            core: Core::new(profile, config),
        }
    }

    /// Feeds one point; returns the event updates it caused (usually none).
    pub fn push(&mut self, point: &TelemetryPoint) -> Vec<EventUpdate> {
        let mut out = Vec::new();
        self.push_into(point, &mut out);
        out
    }

    /// Like [`TruckDetector::push`], appending to `out` (no allocation when nothing happens).
    pub fn push_into(&mut self, point: &TelemetryPoint, out: &mut Vec<EventUpdate>) {
        self.stats.points += 1;
        if !(-MAX_ABS_TS..=MAX_ABS_TS).contains(&point.ts) {
            self.stats.invalid += 1;
            return;
        }
        let s = Sample::of(point);
        if let Some(r) = self.released
            && s.ts <= r
        {
            if s.ts == r {
                self.stats.duplicates += 1;
            } else {
                self.stats.late_dropped += 1;
            }
            return;
        }
        let pos = match self.buf.back() {
            Some(b) if b.ts >= s.ts => match self.buf.binary_search_by(|x| x.ts.cmp(&s.ts)) {
                Ok(_) => {
                    self.stats.duplicates += 1;
                    return;
                }
                Err(i) => i,
            },
            _ => self.buf.len(),
        };
        if pos == self.buf.len() {
            self.buf.push_back(s);
        } else {
            self.buf.insert(pos, s);
        }
        let max = self.max_seen.map_or(s.ts, |m| m.max(s.ts));
        self.max_seen = Some(max);
        let horizon = max.saturating_sub(self.lateness_ms);
        while let Some(front) = self.buf.front() {
            if front.ts > horizon {
                break;
            }
            if let Some(f) = self.buf.pop_front() {
                self.release(f);
            }
        }
        out.append(&mut self.core.out);
    }

    /// End of input: releases the buffer and finalises open events.
    pub fn finish(&mut self) -> Vec<EventUpdate> {
        while let Some(f) = self.buf.pop_front() {
            self.release(f);
        }
        self.core.finish();
        std::mem::take(&mut self.core.out)
    }

    fn release(&mut self, s: Sample) {
        self.released = Some(s.ts);
        self.core.step(&s, &mut self.stats);
    }

    /// Input counters so far.
    pub fn stats(&self) -> DetectorStats {
        self.stats
    }

    /// Current sensor noise (one sigma, litres) and whether it was measured.
    pub fn noise(&self) -> (f64, bool) {
        (self.core.sigma_eff(), self.core.sigma_measured)
    }

    /// Starts recording every trusted level with the detector's own filtered value (the
    /// running median, consumption-corrected, as the evidence samples show it), so that a
    /// chart shows what the detector saw. Take them with [`TruckDetector::take_levels`].
    pub fn record_levels(&mut self) {
        self.core.tap.get_or_insert_with(Vec::new);
    }

    /// The levels recorded since the last call, in time order.
    pub fn take_levels(&mut self) -> Vec<EvidenceSample> {
        self.core
            .tap
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Consumption rates learned so far (defaults until learned).
    pub fn learned_rates(&self) -> LearnedRates {
        LearnedRates {
            idle_lph: self.core.idle_lph(),
            l_per_km: self.core.l_per_km(),
        }
    }
}

/// Runs a detector over a whole series (any order) and returns the final events
/// and candidates, sorted by start.
pub fn detect_batch(
    profile: &TruckProfile,
    config: &DetectorConfig,
    points: &[TelemetryPoint],
) -> (Vec<FuelEvent>, Vec<Candidate>) {
    let mut det = TruckDetector::new(profile, config);
    let mut ups = Vec::new();
    for p in points {
        det.push_into(p, &mut ups);
    }
    ups.extend(det.finish());
    split_final(ups)
}

/// Keeps the final events and the candidates of a stream of updates, sorted by start.
pub fn split_final(updates: Vec<EventUpdate>) -> (Vec<FuelEvent>, Vec<Candidate>) {
    let mut events = Vec::new();
    let mut cands = Vec::new();
    for u in updates {
        match u {
            EventUpdate::Event(e) if e.status == EventStatus::Final => events.push(e),
            EventUpdate::Candidate(c) => cands.push(c),
            EventUpdate::Event(_) => {}
        }
    }
    events.sort_by_key(|e| (e.start_ms, e.kind));
    cands.sort_by_key(|c| (c.start_ms, c.kind));
    (events, cands)
}

#[derive(Debug, Clone, Copy)]
struct Anchor {
    c: f64,
    /// Readings behind `c` (a median of `n`); 1 for a single (or extreme) value.
    n: usize,
    ts: i64,
    u: f64,
    u_sd: f64,
    km: f64,
}

#[derive(Debug, Clone, Copy)]
struct Hist {
    ts: i64,
    l: f64,
    c: f64,
    f: f64,
    u: f64,
    stretch: u32,
}

#[derive(Debug, Clone, Copy)]
struct Open {
    kind: EventKind,
    dir: f64,
    start: i64,
    window_start: i64,
    before_c: f64,
    /// Readings behind `before_c` (the anchor's `n`).
    n_before: usize,
    before_l: f64,
    u_start: f64,
    src: ConsumptionSource,
    thr: f64,
    /// Threshold of the final decision, set on closing from the noise of the two medians.
    final_thr: f64,
    cons_allow: f64,
    thermal_allow: f64,
    reason: ReasonCode,
    extreme: f64,
    extreme_ts: i64,
    progress_ref: f64,
    progress_ts: i64,
    /// Longest time between two progress steps so far (slow drains step rarely).
    step_gap: i64,
    n_after: usize,
    provisional: bool,
    lat: f64,
    lon: f64,
    ign: i8,
    moved: bool,
    unobs_ms: i64,
    /// Expected consumption at the end, when known; else looked up in the history.
    u_end: f64,
}

/// A stop or gap that ended: the level before it and the first levels read after it.
#[derive(Debug, Clone, Copy)]
struct JumpWait {
    start: i64,
    before: f64,
    /// Median of the newest levels before it whatever the stops between (`lead`), and how many.
    lead: f64,
    lead_n: usize,
    /// Expected consumption (`u`) when it began.
    u: f64,
    after: [f64; JUMP_N],
    n: usize,
}

/// The step of the consumption-corrected level across one stop or dark period of a
/// stretch, from the medians of the levels read on the legs either side of it.
#[derive(Debug, Clone, Copy)]
struct Jump {
    start: i64,
    /// Median of the newest levels before it, across short stops too, and how many.
    lead: f64,
    lead_n: usize,
    /// after - before.
    rise: f64,
    /// Expected consumption (`u`) when it began.
    u: f64,
}

#[derive(Debug, Clone, Copy)]
struct Fault {
    start: i64,
    u_start: f64,
    lat: f64,
    lon: f64,
    level_l: f64,
}

struct Core {
    cfg: DetectorConfig,
    truck_id: String,
    tanks: Vec<Tank>,
    capacity: f64,
    // context, as of the last released sample
    last_ts: Option<i64>,
    ign: i8,
    pto: i8,
    rate: f64,
    counter: f64,
    odo: f64,
    lat: f64,
    lon: f64,
    t2_l: f64,
    moving: bool,
    stop_since: Option<i64>,
    last_move_ts: Option<i64>,
    // consumption model
    u: f64,
    u_sd: f64,
    km: f64,
    src_since_anchor: ConsumptionSource,
    idle_l: f64,
    idle_h: f64,
    drive_l: f64,
    drive_km: f64,
    balance_moves: u32,
    // signal quality
    quantum: f64,
    noise_off: Ring,
    noise_on: Ring,
    noise_new: u32,
    sigma: f64,
    sigma_measured: bool,
    scratch: Vec<f64>,
    prev_obs: Option<(i64, f64, f64)>,
    /// Noise from the first few differences, used (never below the prior) until measured.
    early_sigma: f64,
    /// Current block of consecutive stable readings (consumption-corrected).
    blk: [f64; BLOCK],
    blk_len: usize,
    /// Ignition at the block's first reading (a block mixing states is not used).
    blk_ign: i8,
    /// Medians of the previous two complete blocks of this stable run (`[older, newer]`).
    blk_med: [f64; 2],
    block_off: Ring,
    block_on: Ring,
    /// Noise (one sigma) of a median of `BLOCK` readings, measured; NaN until then.
    s8: f64,
    /// `s8` from engine-on blocks only (idling: readings every 30-60 s, minutes apart);
    /// NaN until measured.
    s8_on: f64,
    /// |level after a trip - level before| of trips that showed no event (consumption-corrected).
    stop_diffs: Ring,
    /// Noise (one sigma) of a level read at one stop as seen from another; NaN until measured.
    s_stop: f64,
    filt: [f64; 9],
    filt_len: usize,
    filt_pos: usize,
    /// Trusted levels and their filtered values, recorded for a chart (off unless asked).
    tap: Option<Vec<EvidenceSample>>,
    hist: VecDeque<Hist>,
    stretch: u32,
    // unobserved stretch (gap, trip, frozen sensor)
    unobs: bool,
    unobs_since: Option<i64>,
    unobs_moved: bool,
    collect: [(i64, f64, f64); 9],
    collect_len: usize,
    /// Collected samples that came from the current stop (the rest from earlier stops).
    collect_fresh: usize,
    /// Consumption uncertainty when the first collected sample was taken.
    collect_u_sd: f64,
    /// Where fuel could have been added before the first collected sample: the longest
    /// stop or dark period of the stretch up to and including that sample's stop.
    collect_still: Option<(i64, i64)>,
    /// Start of the current stop or data gap (the truck not known to be moving).
    still_start: Option<i64>,
    /// Longest completed stop or gap of this stretch.
    best_still: Option<(i64, i64)>,
    /// The newest `JUMP_N` consumption-corrected levels, moving ones included (ring).
    raw: [f64; JUMP_N],
    raw_len: usize,
    raw_pos: usize,
    /// Median of `raw` when the current stop or gap began (the level before it).
    still_before: f64,
    /// `lead` median when the current stop or gap began, and how many readings.
    still_lead: f64,
    still_lead_n: usize,
    /// The newest `JUMP_N` consumption-corrected levels, moving ones included, kept across
    /// stops (ring): the level just before a stop when its leg was too short to show it.
    lead: [f64; JUMP_N],
    lead_len: usize,
    lead_pos: usize,
    /// Expected consumption when the current stop or gap began.
    still_before_u: f64,
    /// When the current stop or gap began.
    still_before_ts: i64,
    /// A stop or gap of this stretch that just ended, waiting for `JUMP_N` levels after it.
    jump_wait: Option<JumpWait>,
    /// The stop or gap of this stretch across which the level rose most: (start, end, rise).
    best_jump: Option<Jump>,
    /// |level before a stop from the moving readings of the leg - trusted level at the
    /// stop| of trips that showed no event: the error of a level read on the move.
    move_diffs: Ring,
    /// Noise (one sigma) of a level read as the median of moving readings, compared with
    /// a trusted one; NaN until measured.
    s_move: f64,
    last_obs_ts: Option<i64>,
    // levels and events
    anchor: Option<Anchor>,
    refr: [f64; REF_CAP],
    refr_len: usize,
    open: Option<Open>,
    /// A closed event held back briefly so that a drain that pauses is not split in two.
    pending: Option<(Open, f64, i64)>,
    /// No trusted level was seen since the pending event closed (a stationary gap followed it).
    dark_since_pending: bool,
    // frozen-sensor tracking
    run_key: (u64, u64),
    run_start_u: f64,
    run_last_ts: i64,
    suspect_since: Option<i64>,
    fault: Option<Fault>,
    out: Vec<EventUpdate>,
}

/// A fixed ring of f64 that never reallocates.
struct Ring {
    v: Vec<f64>,
    pos: usize,
}

impl Ring {
    fn new(cap: usize) -> Self {
        Ring {
            v: Vec::with_capacity(cap),
            pos: 0,
        }
    }
    fn push(&mut self, x: f64) {
        if self.v.len() < self.v.capacity() {
            self.v.push(x);
        } else {
            self.v[self.pos] = x;
            self.pos = (self.pos + 1) % self.v.len();
        }
    }
}

/// Sigma of the noise behind |differences| `d` (each the difference of two independent
/// readings): the mean of the lower 80% of `d`, robust to spikes and events like a
/// median, but not stuck on one value when the gauge is quantised (a median of |d|
/// lands on 0 or one step). For Gaussian noise that mean is 0.5586 * sqrt(2) * sigma.
fn trimmed_sigma(d: &[f64], scratch: &mut Vec<f64>) -> f64 {
    scratch.clear();
    scratch.extend_from_slice(d);
    let k = (scratch.len() * 4) / 5;
    let lower = if k > 0 && k < scratch.len() {
        scratch.select_nth_unstable_by(k, f64::total_cmp).0
    } else {
        &mut scratch[..]
    };
    let mean = lower.iter().sum::<f64>() / lower.len().max(1) as f64;
    mean / (TRIMMED_HALF_NORMAL_MEAN * std::f64::consts::SQRT_2)
}

/// How many of the newest values (`v[0]` newest) form the level a change settled at:
/// older values join while they agree with the median of those taken within `band`. A
/// quiet stop may leave one reading taken mid-refuel and one after it; their average is
/// no level. A lone newest value that disagrees with two or more before it is taken
/// for a spike and skipped (the returned run then starts at `v[1]`: the slice is
/// rotated so that it comes first).
fn settled_tail(v: &mut [f64], band: f64) -> usize {
    fn run(v: &[f64], band: f64) -> usize {
        let mut k = 1;
        let mut tmp = [0.0; 9];
        while k < v.len() && k < tmp.len() {
            tmp[..k].copy_from_slice(&v[..k]);
            let m = median_mut(&mut tmp[..k]);
            if (v[k] - m).abs() > band {
                break;
            }
            k += 1;
        }
        k
    }
    if v.is_empty() {
        return 0;
    }
    let first = run(v, band);
    if first == 1 && v.len() >= 3 {
        let second = run(&v[1..], band);
        if second >= 2 {
            v.rotate_left(1);
            return second;
        }
    }
    first
}

/// Median of a small slice, sorting it in place.
fn median_mut(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return NA;
    }
    v.sort_unstable_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    }
}

fn bits(x: f64) -> u64 {
    if x.is_nan() { u64::MAX } else { x.to_bits() }
}

fn some(x: f64) -> Option<f64> {
    if x.is_finite() { Some(x) } else { None }
}

/// Rule confidence: 0.5 at the threshold rising towards 1 with the margin,
/// scaled down by weak evidence (prior noise, unobserved stretch, guessed consumption).
fn confidence(margin: f64, ev: &Evidence) -> f64 {
    let base = if margin >= 1.0 {
        1.0 - 0.5 * (-2.0 * (margin - 1.0)).exp()
    } else {
        0.5 * margin.max(0.0).powi(2)
    };
    let mut q = if ev.noise_measured { 1.0 } else { 0.9 };
    if ev.unobserved_ms > 0 {
        let h = ev.unobserved_ms as f64 / 3_600_000.0;
        q *= 0.92 - (0.02 * h).min(0.15);
    }
    q *= match ev.consumption_source {
        ConsumptionSource::None | ConsumptionSource::EcuCounter => 1.0,
        ConsumptionSource::FuelRate => 0.97,
        ConsumptionSource::Learned if ev.moved => 0.85,
        ConsumptionSource::Learned => 0.95,
    };
    (base * q).clamp(0.0, 1.0)
}

impl Core {
    fn new(profile: &TruckProfile, cfg: &DetectorConfig) -> Self {
        let tanks = profile.tanks.clone();
        let capacity = profile.capacity_l().max(1.0);
        Core {
            cfg: cfg.clone(),
            truck_id: profile.truck_id.clone(),
            tanks,
            capacity,
            last_ts: None,
            ign: -1,
            pto: -1,
            rate: NA,
            counter: NA,
            odo: NA,
            lat: NA,
            lon: NA,
            t2_l: NA,
            moving: false,
            stop_since: None,
            last_move_ts: None,
            u: 0.0,
            u_sd: 0.0,
            km: 0.0,
            src_since_anchor: ConsumptionSource::None,
            idle_l: 0.0,
            idle_h: 0.0,
            drive_l: 0.0,
            drive_km: 0.0,
            balance_moves: 0,
            quantum: f64::INFINITY,
            noise_off: Ring::new(NOISE_CAP),
            noise_on: Ring::new(NOISE_CAP),
            noise_new: 0,
            sigma: 0.0,
            sigma_measured: false,
            scratch: Vec::with_capacity(NOISE_CAP),
            prev_obs: None,
            early_sigma: 0.0,
            blk: [0.0; BLOCK],
            blk_len: 0,
            blk_ign: -1,
            blk_med: [NA; 2],
            block_off: Ring::new(BLOCK_CAP),
            block_on: Ring::new(BLOCK_CAP),
            s8: NA,
            s8_on: NA,
            stop_diffs: Ring::new(BLOCK_CAP),
            s_stop: NA,
            filt: [0.0; 9],
            filt_len: 0,
            filt_pos: 0,
            tap: None,
            hist: VecDeque::with_capacity(HIST_CAP),
            stretch: 0,
            unobs: true,
            unobs_since: None,
            unobs_moved: false,
            collect: [(0, 0.0, 0.0); 9],
            collect_len: 0,
            collect_fresh: 0,
            collect_u_sd: 0.0,
            collect_still: None,
            still_start: None,
            best_still: None,
            raw: [0.0; JUMP_N],
            raw_len: 0,
            raw_pos: 0,
            still_before: NA,
            still_lead: NA,
            still_lead_n: 0,
            lead: [0.0; JUMP_N],
            lead_len: 0,
            lead_pos: 0,
            still_before_u: 0.0,
            still_before_ts: 0,
            jump_wait: None,
            best_jump: None,
            move_diffs: Ring::new(BLOCK_CAP),
            s_move: NA,
            last_obs_ts: None,
            anchor: None,
            refr: [0.0; REF_CAP],
            refr_len: 0,
            open: None,
            pending: None,
            dark_since_pending: false,
            run_key: (u64::MAX - 1, 0),
            run_start_u: 0.0,
            run_last_ts: 0,
            suspect_since: None,
            fault: None,
            out: Vec::new(),
        }
    }

    fn idle_lph(&self) -> f64 {
        if self.idle_h >= 0.5 {
            (self.idle_l / self.idle_h).clamp(0.3, 15.0)
        } else {
            self.cfg.default_idle_lph
        }
    }

    fn l_per_km(&self) -> f64 {
        if self.drive_km >= 20.0 {
            (self.drive_l / self.drive_km).clamp(0.08, 1.5)
        } else {
            self.cfg.default_l_per_km
        }
    }

    /// Relative uncertainty of learned driving consumption: wide until a few trips balanced.
    fn learned_rel(&self) -> f64 {
        if self.drive_km >= 200.0 || self.balance_moves >= 3 {
            0.15
        } else {
            0.3
        }
    }

    fn quantum_l(&self) -> f64 {
        if self.quantum.is_finite() {
            self.quantum
        } else {
            0.0
        }
    }

    fn sigma_eff(&self) -> f64 {
        let prior = (self.cfg.noise_prior_fraction * self.capacity).max(self.cfg.noise_prior_min_l);
        let s = if self.sigma_measured {
            self.sigma
        } else {
            prior.max(self.early_sigma)
        };
        s.max(self.quantum_l() / 12f64.sqrt()).max(0.05)
    }

    fn base_thr(&self) -> f64 {
        (self.cfg.k_sigma * std::f64::consts::SQRT_2 * self.sigma_eff() + self.quantum_l())
            .max(self.cfg.min_volume_l)
    }

    /// Noise (one sigma) of a level taken as the median of `n` readings. Probe noise is
    /// correlated from reading to reading, so `sigma / sqrt(n)` would be too small: beyond
    /// one reading it comes from the measured spread of block medians (`s8`), scaled up as
    /// `sqrt(8 / n)` for fewer readings (an upper bound when the noise is correlated) and
    /// not above one reading's noise, but never below `s8` itself: a slow wander that first
    /// differences cannot see (they measure `sigma`) shows in the block medians.
    fn level_sd(&self, n: usize, s8: f64) -> f64 {
        let s = self.sigma_eff();
        if !s8.is_finite() || !self.sigma_measured {
            return s;
        }
        let k = (BLOCK as f64 / n.clamp(1, BLOCK) as f64).sqrt();
        (s8 * k).min(s).max(s8).max(0.05)
    }

    /// Base threshold of a comparison of two levels, medians of `na` and `nb` readings taken
    /// with the engine in state `ign`. Block medians of a parked tracker reporting every
    /// 5-15 min lie hours apart and carry hours of the probe's wander; an idling truck's
    /// (readings every 30-60 s) lie minutes apart, as do the levels an idle theft compares:
    /// so engine-on comparisons use engine-on blocks once they are measured.
    fn pair_thr(&self, na: usize, nb: usize, ign: i8) -> f64 {
        let s8 = if ign == 1 && self.s8_on.is_finite() {
            self.s8_on
        } else {
            self.s8
        };
        let (a, b) = (self.level_sd(na, s8), self.level_sd(nb, s8));
        (self.cfg.k_sigma * (a * a + b * b).sqrt() + self.quantum_l()).max(self.cfg.min_volume_l)
    }

    /// Level in litres, tanks summed; `fuel_l` wins over the gauge.
    fn level(&mut self, s: &Sample) -> Option<f64> {
        let sane = |v: f64| v.is_finite() && (0.0..=MAX_LITRES).contains(&v);
        let t1 = if sane(s.fuel_l) {
            Some(s.fuel_l)
        } else if s.pct.is_finite() {
            self.tanks.first().map(|t| t.litres(s.pct))
        } else {
            None
        }?;
        let t2 = if sane(s.fuel_l2) {
            Some(s.fuel_l2)
        } else if s.pct2.is_finite() {
            self.tanks.get(1).map(|t| t.litres(s.pct2))
        } else {
            None
        };
        match t2 {
            Some(v) => {
                self.t2_l = v;
                Some(t1 + v)
            }
            // A second sensor that skips a message keeps its last value.
            None if self.t2_l.is_finite() => Some(t1 + self.t2_l),
            None => Some(t1),
        }
    }

    fn step(&mut self, s: &Sample, stats: &mut DetectorStats) {
        let moving_now = if s.speed.is_finite() {
            s.speed >= self.cfg.moving_speed_kmh
        } else if s.ign == 0 {
            false
        } else {
            self.moving
        };
        let mut moved_between = false;
        if let Some(lt) = self.last_ts {
            let dt = s.ts - lt;
            let gap = dt > self.cfg.max_gap_ms;
            // A tracker sampling every 30-60 s misses short drives: speed 0 at both ends
            // but the odometer moved. The truck stopped moments ago and its fuel still
            // sloshes, so this sample starts the settle time like a moving one.
            moved_between = self.consume(s, dt, gap, moving_now) && !moving_now;
            if gap {
                // Nothing is known about the dark time: fuel may have moved in it.
                if self.still_start.is_none() {
                    self.still_start = Some(lt);
                    self.still_before = self.raw_median();
                    self.still_lead = self.lead_median();
                    self.still_lead_n = self.lead_len;
                    self.still_before_u = self.u;
                    self.still_before_ts = lt;
                }
                self.mark_unobserved(false);
            }
        }
        if (moving_now || moved_between)
            && let Some(s0) = self.still_start.take()
            && self.unobs
        {
            let s0 = s0.max(self.unobs_since.unwrap_or(s0));
            if self.best_still.is_none_or(|b| s.ts - s0 > b.1 - b.0) {
                self.best_still = Some((s0, s.ts));
            }
            self.settle_jump();
            self.jump_wait = Some(JumpWait {
                start: s0,
                before: self.still_before,
                lead: self.still_lead,
                lead_n: self.still_lead_n,
                u: self.still_before_u,
                after: [0.0; JUMP_N],
                n: 0,
            });
            // The level before the next stop comes from the leg that leads to it only.
            self.raw_len = 0;
            self.raw_pos = 0;
        }
        if !moving_now && self.still_start.is_none() {
            self.still_start = Some(s.ts);
            self.still_before = self.raw_median();
            self.still_lead = self.lead_median();
            self.still_lead_n = self.lead_len;
            self.still_before_u = self.u;
            self.still_before_ts = s.ts;
        }
        self.last_ts = Some(s.ts);
        if s.ign >= 0 {
            self.ign = s.ign;
        }
        if s.pto >= 0 {
            self.pto = s.pto;
        }
        self.rate = s.rate;
        if s.counter.is_finite() {
            self.counter = s.counter;
        }
        if s.odo.is_finite() {
            self.odo = s.odo;
        }
        if s.lat.is_finite() && s.lon.is_finite() {
            self.lat = s.lat;
            self.lon = s.lon;
        }
        if moving_now || moved_between {
            if !self.moving {
                self.mark_unobserved(true);
            }
            self.unobs_moved = true;
            self.last_move_ts = Some(s.ts);
            self.stop_since = if moving_now { None } else { Some(s.ts) };
        } else if self.stop_since.is_none() {
            self.stop_since = Some(s.ts);
        }
        self.moving = moving_now;
        let Some(level) = self.level(s) else {
            stats.without_level += 1;
            return;
        };
        let suspect = self.stuck_check(s, level);
        if !suspect {
            // A frozen reading says nothing about where fuel went in.
            self.push_raw(level + self.u);
        }
        if moving_now {
            return;
        }
        if let Some(m) = self.last_move_ts
            && s.ts - m < self.cfg.settle_ms
        {
            return;
        }
        if suspect {
            self.mark_unobserved(false);
            return;
        }
        self.observe(s.ts, level);
    }

    /// Expected consumption over (last_ts, s.ts], best source first.
    /// Returns whether the truck travelled since the previous point (odometer or GPS),
    /// whatever the speeds sampled at both ends said.
    fn consume(&mut self, s: &Sample, dt: i64, gap: bool, moving_now: bool) -> bool {
        if dt <= 0 {
            return false;
        }
        let h = dt as f64 / 3_600_000.0;
        // distance, guarded against odometer resets and GPS jumps
        let mut dist = NA;
        // Smallest distance that proves travel: an odometer does not creep at rest; GPS
        // jitter at rest stays well below 200 m.
        let mut proof_km = ODO_TRAVEL_KM;
        if self.odo.is_finite() && s.odo.is_finite() {
            let d = s.odo - self.odo;
            if d >= 0.0 && d <= MAX_PLAUSIBLE_KMH * h + 0.5 {
                dist = d;
            }
        } else if self.lat.is_finite() && s.lat.is_finite() && s.lon.is_finite() {
            proof_km = GPS_TRAVEL_KM;
            let d = haversine_km(self.lat, self.lon, s.lat, s.lon);
            if d <= MAX_PLAUSIBLE_KMH * h + 0.05 {
                dist = d;
            }
        }
        if dist.is_finite() {
            self.km += dist;
        }
        let travelled = dist.is_finite() && dist > 0.2;
        let stationary = !(self.moving || moving_now || travelled);
        let mut took: Option<(f64, f64, ConsumptionSource)> = None;
        if self.counter.is_finite() && s.counter.is_finite() {
            let d = s.counter - self.counter;
            // A falling counter is a reset (new segment), never negative consumption.
            if d >= 0.0 && d <= MAX_PLAUSIBLE_LPH * h + 1.0 {
                took = Some((d, 0.03, ConsumptionSource::EcuCounter));
            }
        }
        if took.is_none() && !gap && (self.rate.is_finite() || s.rate.is_finite()) {
            let r = match (self.rate.is_finite(), s.rate.is_finite()) {
                (true, true) => 0.5 * (self.rate + s.rate),
                (true, false) => self.rate,
                _ => s.rate,
            };
            took = Some((r * h, 0.05, ConsumptionSource::FuelRate));
        }
        let (du, rel, src) = match took {
            Some(t) => {
                if !gap {
                    // learn the truck's own rates from measured sources
                    if stationary && self.ign == 1 && self.pto != 1 {
                        self.idle_l += t.0;
                        self.idle_h += h;
                    } else if dist.is_finite() && dist > 0.2 {
                        self.drive_l += t.0;
                        self.drive_km += dist;
                    }
                }
                t
            }
            None => {
                // Trackers report the switch-on as it happens: off at the start of the
                // interval means the engine was off through it (even across a silent night).
                let ign_off = self.ign == 0;
                if dist.is_finite() && dist > 0.2 {
                    (
                        self.l_per_km() * dist,
                        self.learned_rel(),
                        ConsumptionSource::Learned,
                    )
                } else if ign_off || (self.ign < 0 && !self.moving) {
                    (0.0, 0.0, ConsumptionSource::None)
                } else if self.moving || moving_now {
                    (
                        self.cfg.default_drive_lph * h,
                        0.3,
                        ConsumptionSource::Learned,
                    )
                } else {
                    (self.idle_lph() * h, 0.3, ConsumptionSource::Learned)
                }
            }
        };
        if gap {
            // whatever happened while silent is a little less certain
            self.u_sd += 0.5;
        }
        if du > 0.0 {
            self.u += du;
            self.u_sd += rel * du;
            if src > self.src_since_anchor {
                self.src_since_anchor = src;
            }
        }
        !gap && dist.is_finite() && dist >= proof_km
    }

    fn lead_median(&self) -> f64 {
        let mut tmp = self.lead;
        median_mut(&mut tmp[..self.lead_len])
    }

    fn raw_median(&self) -> f64 {
        let mut tmp = self.raw;
        median_mut(&mut tmp[..self.raw_len])
    }

    /// Records a level read in any state (moving included), for placing a rise in a trip.
    fn push_raw(&mut self, c: f64) {
        self.lead[self.lead_pos] = c;
        self.lead_pos = (self.lead_pos + 1) % JUMP_N;
        self.lead_len = (self.lead_len + 1).min(JUMP_N);
        self.raw[self.raw_pos] = c;
        self.raw_pos = (self.raw_pos + 1) % JUMP_N;
        self.raw_len = (self.raw_len + 1).min(JUMP_N);
        if let Some(w) = self.jump_wait.as_mut() {
            w.after[w.n] = c;
            w.n += 1;
            if w.n == JUMP_N {
                self.settle_jump();
            }
        }
    }

    /// Scores the stop or gap waiting for levels after it: the rise across it.
    fn settle_jump(&mut self) {
        let Some(mut w) = self.jump_wait.take() else {
            return;
        };
        if w.n == 0 || !w.before.is_finite() {
            return;
        }
        let rise = median_mut(&mut w.after[..w.n]) - w.before;
        if self.best_jump.is_none_or(|b| rise > b.rise) {
            self.best_jump = Some(Jump {
                start: w.start,
                lead: w.lead,
                lead_n: w.lead_n,
                rise,
                u: w.u,
            });
        }
    }

    fn mark_unobserved(&mut self, moved: bool) {
        if self.unobs && self.collect_fresh > 0 {
            self.keep_agreeing_collected();
        }
        if self.unobs
            && self.collect_fresh > 0
            && (self.collect_len >= 2 || self.short_stop_agrees())
        {
            // A stop too short for a full re-entry. If it still shows the reference level,
            // it becomes the new reference (consumption uncertainty does not pile up over a
            // day of short stops). Two samples that agree with each other are a level too:
            // a refuel stop with the engine off gives little more, and waiting for the next
            // stop would net the fill against whatever happens later (a night siphon).
            self.reenter();
        }
        if !self.unobs {
            if self.open.is_some() {
                // Driving off or going dark ends a stationary event: close it on the levels
                // seen so far. Left open, whatever the next stretch shows (a refuel a day
                // later) would be credited to it. A change that carries on in the dark
                // continues it (see `open_event`).
                self.close_on_tail();
            }
            self.unobs = true;
            self.unobs_since = self.last_obs_ts;
            self.unobs_moved = false;
            self.prev_obs = None;
            self.filt_len = 0;
            self.filt_pos = 0;
            self.stretch = self.stretch.wrapping_add(1);
            self.best_still = None;
            self.jump_wait = None;
            self.best_jump = None;
            self.collect_len = 0;
        }
        // Samples of an earlier stop stay collected until a later stop confirms or contradicts them.
        self.collect_fresh = 0;
        if moved {
            self.unobs_moved = true;
        }
    }

    /// Tracks runs of bit-identical readings; returns whether the reading is suspect (frozen).
    fn stuck_check(&mut self, s: &Sample, level: f64) -> bool {
        let key = if s.fuel_l.is_finite() {
            (bits(s.fuel_l), bits(s.fuel_l2))
        } else {
            (bits(s.pct), bits(s.pct2))
        };
        if key != self.run_key {
            if let Some(f) = self.fault.take() {
                self.emit_fault(f, self.run_last_ts);
            }
            self.run_key = key;
            self.run_start_u = self.u;
            self.run_last_ts = s.ts;
            self.suspect_since = None;
            return false;
        }
        self.run_last_ts = s.ts;
        let hidden = self.u - self.run_start_u;
        let tol = self.cfg.stuck_tolerance_l.max(2.0 * self.quantum_l());
        if hidden > tol && self.suspect_since.is_none() {
            self.suspect_since = Some(s.ts);
        }
        if let Some(ss) = self.suspect_since
            && self.fault.is_none()
            && s.ts - ss >= self.cfg.stuck_min_ms
            && hidden >= self.cfg.stuck_fault_l
        {
            self.fault = Some(Fault {
                start: ss,
                u_start: self.run_start_u,
                lat: self.lat,
                lon: self.lon,
                level_l: level,
            });
            let f = self.fault.as_ref().copied();
            if let Some(f) = f {
                let ev = self.fault_event(f, s.ts, EventStatus::Provisional, 0);
                self.out.push(EventUpdate::Event(ev));
            }
        }
        self.suspect_since.is_some()
    }

    fn fault_event(&self, f: Fault, end: i64, status: EventStatus, revision: u32) -> FuelEvent {
        let hidden = self.u - f.u_start;
        let margin = hidden / self.cfg.stuck_fault_l.max(1e-9);
        let evidence = Evidence {
            window_start_ms: f.start,
            window_end_ms: end,
            samples: Vec::new(),
            level_before_l: f.level_l,
            level_after_l: f.level_l,
            expected_consumption_l: hidden,
            consumption_source: self.src_since_anchor,
            threshold_l: self.cfg.stuck_fault_l,
            noise_l: self.sigma_eff(),
            noise_measured: self.sigma_measured,
            quantum_l: self.quantum_l(),
            unobserved_ms: end - f.start,
            moved: self.km > 0.0,
            ignition_on: ign_opt(self.ign),
            reason: Reason {
                code: ReasonCode::StuckSensor,
                margin,
                observed_change_l: 0.0,
                consumption_allowance_l: 0.0,
                thermal_allowance_l: 0.0,
            },
        };
        FuelEvent {
            id: event_id(&self.truck_id, EventKind::SensorFault, f.start),
            truck_id: self.truck_id.clone(),
            kind: EventKind::SensorFault,
            status,
            revision,
            detector_version: DETECTOR_VERSION.to_string(),
            start_ms: f.start,
            end_ms: end,
            volume_l: hidden,
            lat: some(f.lat),
            lon: some(f.lon),
            rule_confidence: (0.5 + 0.5 * (1.0 - 1.0 / margin.max(1.0))).clamp(0.0, 1.0),
            evidence,
        }
    }

    fn emit_fault(&mut self, f: Fault, end: i64) {
        let ev = self.fault_event(f, end, EventStatus::Final, 1);
        self.out.push(EventUpdate::Event(ev));
    }

    fn observe(&mut self, ts: i64, l: f64) {
        let c = l + self.u;
        if self.unobs {
            if self.collect_len > 0 && self.collect_fresh == 0 && !self.agrees_with_collected(c) {
                // The earlier stop's few samples are contradicted: they were not the level.
                self.collect_len = 0;
            }
            if self.collect_len == 0 {
                self.collect_u_sd = self.u_sd;
                let here = (self.still_start.unwrap_or(ts), ts);
                self.collect_still = match self.best_still {
                    Some(b) if b.1 - b.0 > here.1 - here.0 => Some(b),
                    _ => Some(here),
                };
            }
            if self.collect_len < self.collect.len() {
                self.collect[self.collect_len] = (ts, l, c);
                self.collect_len += 1;
                self.collect_fresh += 1;
            }
            if self.collect_len >= self.cfg.reentry_samples.clamp(1, 9) {
                self.reenter();
            }
            return;
        }
        self.obs_common(ts, l, c);
    }

    fn reenter(&mut self) {
        let n = self.collect_len;
        if n == 0 {
            return;
        }
        let mut cs = [0.0; 9];
        for (i, x) in self.collect[..n].iter().enumerate() {
            cs[i] = x.2;
        }
        let med_c = median_mut(&mut cs[..n]);
        let first_ts = self.collect[0].0;
        let since = self.unobs_since;
        let moved = self.unobs_moved;
        self.unobs = false;
        match self.anchor {
            None => self.set_anchor(med_c, n, first_ts),
            Some(a) if self.open.is_none() => {
                let interval = since.map_or(0, |s| first_ts - s);
                let level_now = med_c - self.u;
                let (thr, cons_allow, thermal) = self.stretch_thr(&a, first_ts, level_now);
                let delta = med_c - a.c;
                if delta.abs() > 0.5 * thr {
                    let kind = if delta > 0.0 {
                        EventKind::Fill
                    } else {
                        EventKind::Drain
                    };
                    let ws = since.unwrap_or(first_ts);
                    // Fuel is not added while driving: a rise found after a trip began at a stop
                    // (or in a dark period) of it: the one across which the levels read all
                    // along, moving ones too, rose by most of it; else the longest.
                    // Where the rise happened, and the level just before it.
                    let mut rise_at: Option<Jump> = None;
                    let start = if kind == EventKind::Fill && moved {
                        self.settle_jump();
                        let here = Jump {
                            start: self.still_before_ts,
                            lead: self.still_lead,
                            lead_n: self.still_lead_n,
                            rise: med_c - self.still_before,
                            u: self.still_before_u,
                        };
                        let jump = match self.best_jump {
                            Some(j) if !here.rise.is_finite() || here.rise <= j.rise => j,
                            _ => here,
                        };
                        let at = if jump.rise >= 0.5 * delta {
                            rise_at = Some(jump);
                            Some(jump.start)
                        } else {
                            self.collect_still.map(|p| p.0)
                        };
                        let at = at.unwrap_or(first_ts);
                        at.clamp(ws, first_ts)
                    } else {
                        ws
                    };
                    // A silent night with a siphon, or a theft on the road, then a refuel before
                    // the next trusted reading: only their sum reaches the reference. The levels
                    // read on the leg that led to the pump show the part lost before it.
                    let split = rise_at.and_then(|j| {
                        self.split_before_rise(&a, &j, ws, start, cons_allow, thermal)
                    });
                    let (before_c, n_before, before_l, u_start, win) = match split {
                        Some(j) => (j.lead, j.lead_n, j.lead - j.u, j.u, start),
                        None => (a.c, a.n, a.c - a.u, a.u, ws),
                    };
                    let reason = match (kind, moved) {
                        (EventKind::Fill, true) => ReasonCode::StopToStopRise,
                        (EventKind::Fill, false) => ReasonCode::GapRise,
                        (_, true) => ReasonCode::StopToStopDrop,
                        (_, false) => ReasonCode::GapDrop,
                    };
                    self.open_event(
                        Open {
                            kind,
                            dir: delta.signum(),
                            start,
                            window_start: win,
                            before_c,
                            n_before,
                            before_l,
                            u_start,
                            src: self.src_since_anchor,
                            thr,
                            final_thr: NA,
                            cons_allow,
                            thermal_allow: thermal,
                            reason,
                            extreme: 0.0,
                            extreme_ts: first_ts,
                            progress_ref: 0.0,
                            progress_ts: first_ts,
                            step_gap: 0,
                            n_after: 0,
                            provisional: false,
                            lat: self.lat,
                            lon: self.lon,
                            ign: self.ign,
                            moved,
                            unobs_ms: interval,
                            u_end: NA,
                        },
                        first_ts,
                    );
                } else {
                    if moved {
                        // What a stop reads as seen from the previous one: tilt on another
                        // grade, a slosh wave not yet settled, the consumption estimate's error.
                        self.stop_diffs.push(delta.abs());
                        if self.stop_diffs.v.len() >= BLOCK_MIN {
                            self.s_stop = trimmed_sigma(&self.stop_diffs.v, &mut self.scratch);
                        }
                        // What the leg's moving readings said just before this stop, against
                        // what the stop reads once settled: slosh, tilt, the probe's wander.
                        if self.still_lead.is_finite() && self.still_lead_n >= MOVE_MIN_N {
                            let d = self.still_lead - med_c;
                            self.move_diffs.push(d.abs());
                            if self.move_diffs.v.len() >= BLOCK_MIN {
                                self.s_move = trimmed_sigma(&self.move_diffs.v, &mut self.scratch);
                            }
                        }
                    }
                    if moved && self.src_since_anchor == ConsumptionSource::Learned {
                        // Balance the trip on the levels to learn this truck's L/km.
                        let km = self.km - a.km;
                        let used = (a.c - a.u) - level_now;
                        if km >= 20.0 && used > 0.0 && (0.08..=1.5).contains(&(used / km)) {
                            self.drive_l += used;
                            self.drive_km += km;
                            self.balance_moves += 1;
                        }
                    }
                    self.set_anchor(med_c, n, first_ts);
                }
            }
            Some(_) => {}
        }
        for i in 0..n {
            let (ts, l, c) = self.collect[i];
            self.obs_common(ts, l, c);
        }
        self.collect_len = 0;
        self.collect_fresh = 0;
    }

    /// The part of a rise found after a trip that was lost before the rise, when the levels
    /// read on the leg leading to the stop of the rise show it: a drain from the reference to
    /// that leg is emitted (final or candidate) and, when final, the rise is returned, to be
    /// measured from that leg's level. The comparison is a trusted level against a median of moving
    /// readings: its noise `s_move` is measured on the trips that showed nothing. Fuel
    /// consumed between the leg's readings and the stop is a few litres at most and is in
    /// the consumption allowance; nothing is split before `s_move` is measured.
    fn split_before_rise(
        &mut self,
        a: &Anchor,
        j: &Jump,
        ws: i64,
        rise_start: i64,
        cons_allow: f64,
        thermal: f64,
    ) -> Option<Jump> {
        if !self.s_move.is_finite() || !j.lead.is_finite() || j.lead_n < MOVE_MIN_N {
            return None;
        }
        let base = (self.cfg.k_sigma * self.s_move + self.quantum_l()).max(self.cfg.min_volume_l);
        let thr = base + cons_allow + thermal;
        let lost = a.c - j.lead;
        if lost < 0.5 * thr {
            return None;
        }
        self.flush_pending();
        let d = Open {
            kind: EventKind::Drain,
            dir: -1.0,
            start: ws,
            window_start: ws,
            before_c: a.c,
            n_before: a.n,
            before_l: a.c - a.u,
            u_start: a.u,
            src: self.src_since_anchor,
            thr,
            final_thr: NA,
            cons_allow,
            thermal_allow: thermal,
            reason: ReasonCode::StopToStopDrop,
            extreme: lost,
            extreme_ts: rise_start,
            progress_ref: lost,
            progress_ts: rise_start,
            step_gap: 0,
            n_after: 0,
            provisional: false,
            lat: NA,
            lon: NA,
            ign: self.ign,
            moved: true,
            unobs_ms: rise_start - ws,
            u_end: j.u,
        };
        self.emit_closed(d, j.lead, rise_start.max(ws));
        // A drain short of its threshold is only a candidate: the rise keeps the reference.
        (lost >= thr).then_some(*j)
    }

    /// Threshold of a comparison across the current stretch (noise, consumption, thermal).
    fn stretch_thr(&self, a: &Anchor, first_ts: i64, level_now: f64) -> (f64, f64, f64) {
        let interval = self.unobs_since.map_or(0, |s| first_ts - s);
        let cons_allow = self.cfg.k_consumption * (self.u_sd - a.u_sd);
        let thermal = self.cfg.thermal_fraction
            * level_now.max(0.0)
            * (interval as f64 / self.cfg.thermal_ms.max(1) as f64).min(1.0);
        (self.base_thr() + cons_allow + thermal, cons_allow, thermal)
    }

    /// Reduces the few samples of a stop that ended before a full re-entry to those that
    /// agree with each other: the largest group within `k_sigma sqrt(2) sigma + q` of one
    /// of them (two readings of one level), newest first on a tie. Without two agreeing,
    /// only the newest is kept, for the next stop to confirm or replace. Two readings that
    /// disagree are no level: one is a spike (a rail at 0 or full, a glitch) or fuel moved
    /// between them, and their mean is neither; taken as a level it made 270-410 L false
    /// drain-and-fill pairs on parked trackers that report every 15 min.
    fn keep_agreeing_collected(&mut self) {
        let n = self.collect_len;
        if n < 2 {
            return;
        }
        let band =
            self.cfg.k_sigma * std::f64::consts::SQRT_2 * self.sigma_eff() + self.quantum_l();
        let mut best = (0, n - 1);
        for i in (0..n).rev() {
            let ci = self.collect[i].2;
            let k = self.collect[..n]
                .iter()
                .filter(|x| (x.2 - ci).abs() <= band)
                .count();
            if k > best.0 {
                best = (k, i);
            }
        }
        if best.0 == n {
            return;
        }
        let keep = self.collect;
        let centre = keep[best.1].2;
        let mut m = 0;
        for x in keep[..n].iter() {
            if best.0 >= 2 && (x.2 - centre).abs() <= band || best.0 < 2 && x.0 == keep[n - 1].0 {
                self.collect[m] = *x;
                m += 1;
            }
        }
        self.collect_fresh = self.collect_fresh.min(m);
        self.collect_len = m;
    }

    /// Whether the few samples of a stop that just ended agree with the reference level.
    fn short_stop_agrees(&self) -> bool {
        let (Some(a), None) = (self.anchor, self.open) else {
            return false;
        };
        let n = self.collect_len;
        let mut cs = [0.0; 9];
        for (i, x) in self.collect[..n].iter().enumerate() {
            cs[i] = x.2;
        }
        let med_c = median_mut(&mut cs[..n]);
        let (thr, _, _) = self.stretch_thr(&a, self.collect[0].0, med_c - self.u);
        (med_c - a.c).abs() <= 0.5 * thr
    }

    /// Whether a new sample agrees with the samples collected at earlier stops.
    fn agrees_with_collected(&self, c: f64) -> bool {
        let n = self.collect_len;
        let mut cs = [0.0; 9];
        for (i, x) in self.collect[..n].iter().enumerate() {
            cs[i] = x.2;
        }
        let med_c = median_mut(&mut cs[..n]);
        let band = self.base_thr() + self.cfg.k_consumption * (self.u_sd - self.collect_u_sd);
        let d = (c - med_c).abs();
        // Within the band of two readings of one level (k_sigma sqrt(2) sigma + q, plus the
        // consumption uncertainty between them) and nearer to them than to the reference:
        // half the band alone replaced the one reading after a refuel whenever the next
        // stop's reading was 2.5 sigma off it, and the fill moved to a later stop.
        d <= 0.5 * band || (d <= band && self.anchor.is_none_or(|a| d < (c - a.c).abs()))
    }

    fn set_anchor(&mut self, c: f64, n: usize, ts: i64) {
        self.anchor = Some(Anchor {
            c,
            n: n.max(1),
            ts,
            u: self.u,
            u_sd: self.u_sd,
            km: self.km,
        });
        self.src_since_anchor = ConsumptionSource::None;
        self.refr_len = 0;
    }

    /// Adds a stable reading to the current block; a full block's median is compared with
    /// the one two blocks back (one block between them, so the correlated part of the noise
    /// of neighbouring blocks does not cancel) and that difference feeds `s8`.
    fn update_blocks(&mut self, chained: bool, c: f64) {
        if !chained {
            self.blk_len = 0;
            self.blk_med = [NA; 2];
        }
        if self.open.is_some() {
            return;
        }
        if self.blk_len == 0 {
            self.blk_ign = self.ign;
        } else if self.ign != self.blk_ign {
            // Vibration-free and engine-on noise differ: a block mixing them is neither.
            self.blk_len = 0;
            self.blk_med = [NA; 2];
            self.blk_ign = self.ign;
        }
        self.blk[self.blk_len] = c;
        self.blk_len += 1;
        if self.blk_len < BLOCK {
            return;
        }
        self.blk_len = 0;
        let mut tmp = self.blk;
        let m = median_mut(&mut tmp);
        let older = self.blk_med[0];
        self.blk_med = [self.blk_med[1], m];
        if !older.is_finite() {
            return;
        }
        let d = (m - older).abs();
        if self.blk_ign == 0 {
            self.block_off.push(d);
        } else {
            self.block_on.push(d);
            if self.block_on.v.len() >= BLOCK_MIN {
                self.s8_on = trimmed_sigma(&self.block_on.v, &mut self.scratch);
            }
        }
        // Same preference as `sigma`: engine-off blocks once there are enough of them.
        let ring = if self.block_off.v.len() >= BLOCK_MIN {
            &self.block_off.v
        } else if self.block_on.v.len() >= BLOCK_MIN {
            &self.block_on.v
        } else {
            return;
        };
        self.s8 = trimmed_sigma(ring, &mut self.scratch);
    }

    fn update_noise(&mut self, ts: i64, l: f64, c: f64) {
        let chained = self
            .prev_obs
            .is_some_and(|(pts, _, _)| ts - pts <= self.cfg.max_gap_ms)
            && self.open.is_none();
        self.update_blocks(chained, c);
        if let Some((pts, pl, pc)) = self.prev_obs
            && ts - pts <= self.cfg.max_gap_ms
            && self.open.is_none()
        {
            let step = (l - pl).abs();
            if step > 1e-6 && step < self.quantum {
                self.quantum = step;
            }
            // Differences of the consumption-corrected level: a parked tracker reporting every
            // 5-15 min, or a truck idling, still measures its noise (consumption is taken out).
            let d = (c - pc).abs();
            if self.ign == 0 {
                self.noise_off.push(d);
            } else {
                self.noise_on.push(d);
            }
            self.noise_new += 1;
            let min = self.cfg.noise_min_samples;
            // Until enough differences exist, a first estimate every 8 (never below the prior).
            let early = !self.sigma_measured && self.noise_new >= 8;
            if self.noise_new >= 32 || early {
                self.noise_new = 0;
                let ring = if self.noise_off.v.len() >= min {
                    Some((&self.noise_off.v, true))
                } else if self.noise_on.v.len() >= min {
                    Some((&self.noise_on.v, true))
                } else if self.noise_off.v.len() + self.noise_on.v.len() >= 8 {
                    Some((
                        if self.noise_off.v.len() >= self.noise_on.v.len() {
                            &self.noise_off.v
                        } else {
                            &self.noise_on.v
                        },
                        false,
                    ))
                } else {
                    None
                };
                if let Some((r, enough)) = ring
                    && !r.is_empty()
                {
                    let est = trimmed_sigma(r, &mut self.scratch);
                    if enough {
                        self.sigma = est;
                        self.sigma_measured = true;
                    } else {
                        self.early_sigma = est;
                    }
                }
            }
        }
        self.prev_obs = Some((ts, l, c));
    }

    fn obs_common(&mut self, ts: i64, l: f64, c: f64) {
        self.last_obs_ts = Some(ts);
        if self.open.is_none() {
            self.dark_since_pending = false;
        }
        self.update_noise(ts, l, c);
        let w = self.cfg.window();
        self.filt[self.filt_pos] = c;
        self.filt_pos = (self.filt_pos + 1) % w;
        self.filt_len = (self.filt_len + 1).min(w);
        let mut tmp = [0.0; 9];
        tmp[..self.filt_len].copy_from_slice(&self.filt[..self.filt_len]);
        let f = median_mut(&mut tmp[..self.filt_len]);
        if let Some(tap) = &mut self.tap {
            tap.push(EvidenceSample {
                ts,
                raw_l: l,
                filtered_l: f - self.u,
            });
        }
        if self.hist.len() == HIST_CAP {
            self.hist.pop_front();
        }
        self.hist.push_back(Hist {
            ts,
            l,
            c,
            f,
            u: self.u,
            stretch: self.stretch,
        });
        if self.filt_len < 3.min(w) {
            return;
        }
        let Some(a) = self.anchor else { return };
        if self.open.is_some() {
            self.progress(ts, f);
            return;
        }
        if let Some((_, _, end)) = self.pending
            && ts - end > self.cfg.merge_ms
        {
            self.flush_pending();
        }
        let cons_allow = self.cfg.k_consumption * (self.u_sd - a.u_sd);
        let thr = self.base_thr() + cons_allow;
        let dev = f - a.c;
        if dev.abs() > 0.5 * thr {
            let dir = dev.signum();
            let start = self.refine_start(a.c, dir);
            self.open_event(
                Open {
                    kind: if dir > 0.0 {
                        EventKind::Fill
                    } else {
                        EventKind::Drain
                    },
                    dir,
                    start,
                    window_start: start,
                    before_c: a.c,
                    n_before: a.n,
                    before_l: a.c - a.u,
                    u_start: a.u,
                    src: self.src_since_anchor,
                    thr,
                    final_thr: NA,
                    cons_allow,
                    thermal_allow: 0.0,
                    reason: if dir > 0.0 {
                        ReasonCode::StationaryRise
                    } else {
                        ReasonCode::StationaryDrop
                    },
                    extreme: 0.0,
                    extreme_ts: ts,
                    progress_ref: 0.0,
                    progress_ts: ts,
                    step_gap: 0,
                    n_after: 0,
                    provisional: false,
                    lat: self.lat,
                    lon: self.lon,
                    ign: self.ign,
                    moved: false,
                    unobs_ms: 0,
                    u_end: NA,
                },
                ts,
            );
            self.progress(ts, f);
            return;
        }
        // Stable: refresh the reference now and then so slow thermal drift never accumulates.
        if self.refr_len < REF_CAP {
            self.refr[self.refr_len] = f;
            self.refr_len += 1;
        } else {
            self.refr.copy_within(1.., 0);
            self.refr[REF_CAP - 1] = f;
        }
        if ts - a.ts >= self.cfg.reanchor_ms && self.refr_len == REF_CAP {
            let half = REF_CAP / 2;
            let mut x = self.refr;
            let m1 = median_mut(&mut x[..half]);
            let m2 = median_mut(&mut x[half..]);
            if (m2 - m1).abs() <= 0.25 * thr {
                let mut y = self.refr;
                let m = median_mut(&mut y);
                // Medians of 5 over 16 consecutive readings: a level of at least `BLOCK` readings.
                self.set_anchor(m, REF_CAP, ts);
            }
        }
    }

    /// Last trusted sample still at the old level, walking back through this stretch.
    fn refine_start(&self, anchor_c: f64, dir: f64) -> i64 {
        let tol = self.sigma_eff().max(self.quantum_l());
        let mut start = self.hist.back().map_or(0, |h| h.ts);
        for h in self.hist.iter().rev() {
            if h.stretch != self.stretch {
                break;
            }
            start = h.ts;
            if dir * (h.f - anchor_c) <= tol {
                break;
            }
        }
        start
    }

    fn progress(&mut self, ts: i64, f: f64) {
        let sigma = self.sigma_eff();
        let q = self.quantum_l();
        let Some(mut o) = self.open else { return };
        let x = o.dir * (f - o.before_c);
        // One quantisation step is real progress; noise alone rarely makes 1.5 sigma.
        let eps = (1.5 * sigma).max(0.5 * q).max(0.5);
        if x > o.extreme {
            o.extreme = x;
            o.extreme_ts = ts;
        }
        if x > o.progress_ref + eps {
            o.step_gap = o.step_gap.max(ts - o.progress_ts);
            o.progress_ref = x;
            o.progress_ts = ts;
            o.n_after = 0;
        } else {
            o.n_after += 1;
        }
        if !o.provisional && x >= o.thr {
            o.provisional = true;
            let ev = self.build_event(&o, x, ts, f, EventStatus::Provisional, 0);
            self.out.push(EventUpdate::Event(ev));
        }
        self.open = Some(o);
        let reversal = (0.5 * o.thr).max(3.0 * sigma + q);
        if x < o.extreme - reversal {
            if x.abs() < 0.5 * o.thr {
                // Back at the old level: a sensor excursion, not fuel that left and came back.
                self.drop_excursion(x);
            } else {
                let after = o.before_c + o.dir * o.extreme;
                // The extreme of the filtered level: one value, biased outwards.
                self.close(after, 1, o.extreme_ts);
            }
        } else if ts - o.progress_ts >= self.cfg.end_quiet_ms.max(2 * o.step_gap)
            && o.n_after >= self.cfg.end_samples
        {
            self.close_on_tail();
        }
    }

    /// Discards the open event (keeping the anchor); its extreme becomes a candidate.
    fn drop_excursion(&mut self, x: f64) {
        let Some(o) = self.open.take() else { return };
        let f = o.before_c + o.dir * o.extreme;
        if o.provisional {
            let ev = self.build_event(
                &o,
                x.max(0.0),
                o.extreme_ts,
                o.before_c,
                EventStatus::Retracted,
                1,
            );
            self.out.push(EventUpdate::Event(ev));
        }
        if o.extreme >= self.cfg.candidate_fraction * o.thr {
            let ev = self.build_event(&o, o.extreme, o.extreme_ts, f, EventStatus::Final, 0);
            self.out.push(EventUpdate::Candidate(to_candidate(ev)));
        }
        self.refr_len = 0;
    }

    /// Closes the open event on the median of the samples since its last progress.
    fn close_on_tail(&mut self) {
        let Some(o) = self.open else { return };
        let mut tmp = [0.0; 9];
        let mut n = 0;
        // The samples since the last progress (the level it settled at). Samples from before
        // it are on the way and never count: a refuel at a quiet stop may leave only two
        // readings after it, and padding with earlier ones would halve the fill.
        for h in self.hist.iter().rev() {
            if n == tmp.len() || h.stretch != self.stretch || h.ts < o.progress_ts {
                break;
            }
            tmp[n] = h.c;
            n += 1;
        }
        let (after, n_level) = if n > 0 {
            let band =
                self.cfg.k_sigma * std::f64::consts::SQRT_2 * self.sigma_eff() + self.quantum_l();
            let tail = settled_tail(&mut tmp[..n], band);
            (median_mut(&mut tmp[..tail]), tail)
        } else {
            (self.hist.back().map_or(o.before_c, |h| h.f), 1)
        };
        let end = o.extreme_ts.max(o.start);
        self.close(after, n_level, end);
    }

    /// Closes the open event at `after_c`, a level from `n_after` readings.
    fn close(&mut self, after_c: f64, n_after: usize, end: i64) {
        let Some(mut o) = self.open.take() else {
            return;
        };
        o.src = o.src.max(self.src_since_anchor);
        let base = self.pair_thr(o.n_before, n_after, o.ign);
        let base = if !o.moved {
            Some(base)
        } else if self.s_stop.is_finite() && self.sigma_measured {
            // After a trip the truck stands elsewhere (another tilt, slosh not quite settled):
            // the offset between stops is measured on the trips that showed nothing.
            let between =
                self.cfg.k_sigma * std::f64::consts::SQRT_2 * self.s_stop + self.quantum_l();
            Some(base.max(between))
        } else {
            None
        };
        if let Some(b) = base {
            o.final_thr = b + o.cons_allow + o.thermal_allow;
        }
        let ts = self.hist.back().map_or(end, |h| h.ts).max(end);
        self.set_anchor(after_c, n_after, ts);
        self.flush_pending();
        self.pending = Some((o, after_c, end));
        self.dark_since_pending = true;
    }

    fn flush_pending(&mut self) {
        if let Some((o, after_c, end)) = self.pending.take() {
            self.emit_closed(o, after_c, end);
        }
    }

    /// Opens an event, continuing a pending one of the same kind that ended moments ago.
    fn open_event(&mut self, mut o: Open, ts: i64) {
        match self.pending {
            Some((p, after_c, end))
                if p.kind == o.kind
                    && (ts - end <= self.cfg.merge_ms
                        || (self.dark_since_pending
                            && !o.moved
                            && p.dir * (after_c - p.before_c) >= p.thr)) =>
            {
                self.pending = None;
                let done = p.dir * (after_c - p.before_c);
                o.start = p.start;
                o.window_start = p.window_start;
                o.before_c = p.before_c;
                o.n_before = p.n_before;
                o.before_l = p.before_l;
                o.u_start = p.u_start;
                o.src = o.src.max(p.src);
                o.thr = o.thr.max(p.thr);
                o.cons_allow = o.cons_allow.max(p.cons_allow);
                o.thermal_allow = o.thermal_allow.max(p.thermal_allow);
                o.provisional = p.provisional;
                o.extreme = done;
                o.extreme_ts = end;
                o.progress_ref = done;
                o.step_gap = p.step_gap.max(ts - p.progress_ts);
                o.moved |= p.moved;
                o.unobs_ms = o.unobs_ms.max(p.unobs_ms);
                o.reason = p.reason;
                o.lat = p.lat;
                o.lon = p.lon;
                o.ign = p.ign;
            }
            _ => self.flush_pending(),
        }
        self.open = Some(o);
    }

    fn emit_closed(&mut self, mut o: Open, after_c: f64, end: i64) {
        let vol = o.dir * (after_c - o.before_c);
        if o.final_thr.is_finite() {
            // The decision compares two medians: their noise, not one reading's.
            o.thr = o.final_thr;
        }
        if vol >= o.thr {
            let rev = u32::from(o.provisional);
            let ev = self.build_event(&o, vol, end, after_c, EventStatus::Final, rev);
            self.out.push(EventUpdate::Event(ev));
        } else {
            if o.provisional {
                let ev =
                    self.build_event(&o, vol.max(0.0), end, after_c, EventStatus::Retracted, 1);
                self.out.push(EventUpdate::Event(ev));
            }
            if vol >= self.cfg.candidate_fraction * o.thr {
                let ev = self.build_event(&o, vol, end, after_c, EventStatus::Final, 0);
                self.out.push(EventUpdate::Candidate(to_candidate(ev)));
            }
        }
    }

    /// `f_c` is the consumption-corrected level at `end`.
    fn build_event(
        &self,
        o: &Open,
        vol: f64,
        end: i64,
        f_c: f64,
        status: EventStatus,
        revision: u32,
    ) -> FuelEvent {
        let u_end = if o.u_end.is_finite() {
            o.u_end
        } else {
            self.hist
                .iter()
                .rev()
                .find(|h| h.ts <= end)
                .map_or(self.u, |h| h.u)
        };
        let expected = (u_end - o.u_start).max(0.0);
        let after_l = f_c - u_end;
        let lo = o.window_start - 15 * 60_000;
        let hi = end + 15 * 60_000;
        let inside = self
            .hist
            .iter()
            .filter(|h| h.ts >= lo && h.ts <= hi)
            .count();
        let stride = inside.div_ceil(MAX_EVIDENCE).max(1);
        let samples = self
            .hist
            .iter()
            .filter(|h| h.ts >= lo && h.ts <= hi)
            .step_by(stride)
            .map(|h| EvidenceSample {
                ts: h.ts,
                raw_l: h.l,
                filtered_l: h.f - h.u,
            })
            .collect();
        let margin = vol / o.thr.max(1e-9);
        let evidence = Evidence {
            window_start_ms: o.window_start,
            window_end_ms: end,
            samples,
            level_before_l: o.before_l,
            level_after_l: after_l,
            expected_consumption_l: expected,
            consumption_source: o.src.max(self.src_since_anchor),
            threshold_l: o.thr,
            noise_l: self.sigma_eff(),
            noise_measured: self.sigma_measured,
            quantum_l: self.quantum_l(),
            unobserved_ms: o.unobs_ms,
            moved: o.moved,
            ignition_on: ign_opt(o.ign),
            reason: Reason {
                code: o.reason,
                margin,
                observed_change_l: after_l - o.before_l,
                consumption_allowance_l: o.cons_allow,
                thermal_allowance_l: o.thermal_allow,
            },
        };
        FuelEvent {
            id: event_id(&self.truck_id, o.kind, o.start),
            truck_id: self.truck_id.clone(),
            kind: o.kind,
            status,
            revision,
            detector_version: DETECTOR_VERSION.to_string(),
            start_ms: o.start,
            end_ms: end.max(o.start),
            volume_l: vol.max(0.0),
            lat: some(o.lat),
            lon: some(o.lon),
            rule_confidence: confidence(margin, &evidence),
            evidence,
        }
    }

    fn finish(&mut self) {
        if self.unobs && self.collect_len > 0 && self.anchor.is_some() {
            self.keep_agreeing_collected();
            self.reenter();
        }
        if self.open.is_some() {
            self.close_on_tail();
        }
        self.flush_pending();
        if let Some(f) = self.fault.take() {
            self.emit_fault(f, self.run_last_ts);
        }
    }
}

fn ign_opt(i: i8) -> Option<bool> {
    match i {
        1 => Some(true),
        0 => Some(false),
        _ => None,
    }
}

fn to_candidate(ev: FuelEvent) -> Candidate {
    Candidate {
        id: ev.id,
        truck_id: ev.truck_id,
        kind: ev.kind,
        start_ms: ev.start_ms,
        end_ms: ev.end_ms,
        volume_l: ev.volume_l,
        lat: ev.lat,
        lon: ev.lon,
        rule_confidence: ev.rule_confidence,
        evidence: ev.evidence,
    }
}
