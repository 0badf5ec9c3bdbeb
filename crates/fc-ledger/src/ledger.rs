//! The fuel ledger per truck and period, and driving efficiency.
//!
//! consumed = start level - end level + fills - drains (decision 20: fuel used
//! always comes from here, never from first-minus-last level), cross-checked
//! against the ECU counter where present.

use std::collections::VecDeque;

use fc_model::units::{KM_PER_MI, L_PER_US_GAL};
use fc_model::{TelemetryPoint, TruckProfile};
use serde::{Deserialize, Serialize};

use crate::event::{EventKind, EventStatus, FuelEvent};
use crate::geo::haversine_km;
use crate::level::{LevelReader, MAX_ABS_TS, time_order};

/// Ledger settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LedgerConfig {
    /// Idle counts only in runs at least this long (decision 20), seconds.
    pub idle_min_s: i64,
    /// Idle needs speed below this, km/h.
    pub idle_speed_kmh: f64,
    /// Intervals longer than this between points are not counted as idle or GPS travel, ms.
    pub max_interval_ms: i64,
    /// Idle rate when neither the ECU counter nor the fuel rate is present, L/h
    /// (pass the detector's learned rate).
    pub idle_rate_lph: f64,
    /// Stationary samples whose median gives the start and end levels.
    pub level_samples: usize,
    /// Speed implied by a GPS or odometer step above which the step is a jump, km/h.
    pub max_speed_kmh: f64,
    /// [`LedgerBuilder`] reorders points up to this much older than the newest seen
    /// (the detector's horizon); older ones are dropped and counted, ms.
    pub lateness_ms: i64,
}

impl Default for LedgerConfig {
    fn default() -> Self {
        LedgerConfig {
            idle_min_s: 120,
            idle_speed_kmh: 1.0,
            max_interval_ms: 5 * 60_000,
            idle_rate_lph: 2.5,
            level_samples: 9,
            max_speed_kmh: 160.0,
            lateness_ms: 10 * 60_000,
        }
    }
}

/// How the distance was measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DistanceSource {
    /// Odometer deltas (resets and jumps skipped).
    Odometer,
    /// GPS great-circle steps with jump guards.
    Gps,
    /// No distance data.
    None,
}

/// Where the idle litres came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdleFuelSource {
    /// ECU counter deltas over idle runs.
    EcuCounter,
    /// Integrated fuel rate.
    FuelRate,
    /// Idle hours times the idle rate.
    Rate,
    /// No idle.
    None,
}

/// One truck's fuel balance and efficiency over `[from_ms, to_ms)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ledger {
    /// Truck id.
    pub truck_id: String,
    /// Period start, UTC ms (inclusive).
    pub from_ms: i64,
    /// Period end, UTC ms (exclusive).
    pub to_ms: i64,
    /// Robust level at the start, litres.
    pub start_level_l: Option<f64>,
    /// Robust level at the end, litres.
    pub end_level_l: Option<f64>,
    /// Number of final fills ending in the period.
    pub fills: u32,
    /// Their volume, litres.
    pub fills_l: f64,
    /// Number of final drains ending in the period.
    pub drains: u32,
    /// Their volume, litres.
    pub drains_l: f64,
    /// start - end + fills - drains, litres.
    pub consumed_l: Option<f64>,
    /// Sum of the ECU counter's increases (resets skipped), litres.
    pub ecu_consumed_l: Option<f64>,
    /// consumed - ECU, litres (positive: the level lost more than the engine burned).
    pub ecu_disagreement_l: Option<f64>,
    /// The same as a fraction of the ECU figure.
    pub ecu_disagreement_fraction: Option<f64>,
    /// Distance driven, km.
    pub distance_km: f64,
    /// How it was measured.
    pub distance_source: DistanceSource,
    /// Litres per 100 km.
    pub l_per_100km: Option<f64>,
    /// Miles per US gallon.
    pub mpg_us: Option<f64>,
    /// Idle hours (ignition on, speed < 1 km/h, PTO off, runs of at least the minimum).
    pub idle_h: f64,
    /// Fuel burned idling, litres.
    pub idle_l: f64,
    /// Where the idle litres came from.
    pub idle_source: IdleFuelSource,
}

/// Builds the ledger of one truck for a period from its points (any order) and
/// the detector's events (only final fills and drains ending in the period count).
///
/// A thin wrapper over [`LedgerBuilder`]: the points are put in time order and
/// pushed, so batch and streaming share one implementation.
pub fn build_ledger(
    profile: &TruckProfile,
    points: &[TelemetryPoint],
    events: &[FuelEvent],
    from_ms: i64,
    to_ms: i64,
    cfg: &LedgerConfig,
) -> Ledger {
    let mut b = LedgerBuilder::new(&profile.truck_id, profile, from_ms, to_ms, cfg);
    for i in time_order(points) {
        b.push(&points[i]);
    }
    b.finish(events)
}

/// What the ledger keeps of a point: `Copy`, no strings, so the reorder buffer
/// never allocates per point.
#[derive(Debug, Clone, Copy)]
struct LedgerSample {
    ts: i64,
    fuel_l: Option<f64>,
    pct: Option<f64>,
    fuel_l2: Option<f64>,
    pct2: Option<f64>,
    speed: Option<f64>,
    ignition: Option<bool>,
    pto: Option<bool>,
    used: Option<f64>,
    rate: Option<f64>,
    odo: Option<f64>,
    lat: Option<f64>,
    lon: Option<f64>,
}

impl LedgerSample {
    fn of(p: &TelemetryPoint) -> Self {
        LedgerSample {
            ts: p.ts,
            fuel_l: p.fuel_l,
            pct: p.fuel_level_pct,
            fuel_l2: p.fuel_l_2,
            pct2: p.fuel_level_pct_2,
            speed: p.speed_kmh,
            ignition: p.ignition,
            pto: p.pto,
            used: p.fuel_used_l,
            rate: p.fuel_rate_lph,
            odo: p.odometer_km,
            lat: p.lat,
            lon: p.lon,
        }
    }

    fn is_idle(&self, cfg: &LedgerConfig) -> bool {
        idle_reading(self.ignition, self.speed, self.pto, cfg)
    }
}

/// The one idle test of decision 20 for a single reading: ignition on, speed
/// below `cfg.idle_speed_kmh`, PTO off (missing PTO counts as off). A reading
/// only counts as idle inside a run of at least `cfg.idle_min_s` ([`idle_run_counts`]).
/// The ledger and coaching both call these two functions.
pub fn idle_reading(
    ignition: Option<bool>,
    speed_kmh: Option<f64>,
    pto: Option<bool>,
    cfg: &LedgerConfig,
) -> bool {
    ignition == Some(true) && speed_kmh.is_some_and(|s| s < cfg.idle_speed_kmh) && pto != Some(true)
}

/// Whether an idle run of `duration_ms` is long enough to count (decision 20).
pub fn idle_run_counts(duration_ms: i64, cfg: &LedgerConfig) -> bool {
    duration_ms >= cfg.idle_min_s.saturating_mul(1000)
}

/// Up to `n` values: the first `n` seen, or (as a ring) the last `n`.
#[derive(Debug, Clone)]
struct Keep {
    n: usize,
    v: Vec<f64>,
    next: usize,
}

impl Keep {
    fn new(n: usize) -> Self {
        Keep {
            n,
            v: Vec::with_capacity(n),
            next: 0,
        }
    }

    fn full(&self) -> bool {
        self.v.len() >= self.n
    }

    fn first(&mut self, x: f64) {
        if !self.full() {
            self.v.push(x);
        }
    }

    fn last(&mut self, x: f64) {
        if !self.full() {
            self.v.push(x);
        } else {
            self.v[self.next] = x;
            self.next = (self.next + 1) % self.n;
        }
    }

    fn median(&self) -> Option<f64> {
        median(&mut self.v.clone())
    }
}

/// An idle run being followed (decision 20).
#[derive(Debug, Clone, Copy)]
struct IdleRun {
    start_ts: i64,
    start_used: Option<f64>,
    last: LedgerSample,
    all_rate: bool,
    rate_l: f64,
}

/// Streams one truck's points into its [`Ledger`] with O(1) state per truck:
/// a small reorder buffer (the lateness horizon), running sums and the few
/// samples the boundary levels need. Points may arrive late or out of order
/// within `cfg.lateness_ms`; older ones are dropped and counted. Cloning gives a
/// snapshot that can be finished while the original streams on.
#[derive(Clone)]
pub struct LedgerBuilder<'p> {
    truck_id: String,
    from_ms: i64,
    to_ms: i64,
    cfg: LedgerConfig,
    idle_rate_lph: f64,
    reader: LevelReader<'p>,
    buf: VecDeque<LedgerSample>,
    max_seen: Option<i64>,
    released: Option<i64>,
    late_dropped: u64,
    duplicates: u64,
    // boundary levels
    first_any: Keep,
    first_still: Keep,
    last_any: Keep,
    last_still: Keep,
    // ECU counter
    ecu_last: Option<(i64, f64)>,
    ecu_sum: f64,
    ecu_seen: bool,
    // odometer
    odo: f64,
    odo_pairs: u64,
    odo_last: Option<(i64, f64)>,
    odo_held: Option<(i64, f64)>,
    // GPS
    gps: f64,
    gps_pairs: u64,
    gps_last: Option<(i64, f64, f64, bool)>,
    // idle
    run: Option<IdleRun>,
    idle_h: f64,
    idle_measured_l: f64,
    idle_rate_h: f64,
    idle_source: IdleFuelSource,
}

impl std::fmt::Debug for LedgerBuilder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LedgerBuilder")
            .field("truck_id", &self.truck_id)
            .field("from_ms", &self.from_ms)
            .field("to_ms", &self.to_ms)
            .field("buffered", &self.buf.len())
            .finish_non_exhaustive()
    }
}

impl<'p> LedgerBuilder<'p> {
    /// A ledger of `truck_id` over `[from_ms, to_ms)`. The profile gives the tanks
    /// (its id is not used, so trucks without a profile of their own can share an
    /// empty one); points of other trucks are ignored.
    pub fn new(
        truck_id: &str,
        profile: &'p TruckProfile,
        from_ms: i64,
        to_ms: i64,
        cfg: &LedgerConfig,
    ) -> Self {
        let n = cfg.level_samples.max(1);
        LedgerBuilder {
            truck_id: truck_id.to_string(),
            from_ms,
            to_ms,
            cfg: cfg.clone(),
            idle_rate_lph: cfg.idle_rate_lph,
            reader: LevelReader::new(profile),
            buf: VecDeque::new(),
            max_seen: None,
            released: None,
            late_dropped: 0,
            duplicates: 0,
            first_any: Keep::new(n),
            first_still: Keep::new(n),
            last_any: Keep::new(n),
            last_still: Keep::new(n),
            ecu_last: None,
            ecu_sum: 0.0,
            ecu_seen: false,
            odo: 0.0,
            odo_pairs: 0,
            odo_last: None,
            odo_held: None,
            gps: 0.0,
            gps_pairs: 0,
            gps_last: None,
            run: None,
            idle_h: 0.0,
            idle_measured_l: 0.0,
            idle_rate_h: 0.0,
            idle_source: IdleFuelSource::None,
        }
    }

    /// Replaces the idle rate used where neither counter nor fuel rate exists
    /// (the detector's learned rate is best known at the end of the data).
    pub fn set_idle_rate(&mut self, lph: f64) {
        if lph.is_finite() && lph >= 0.0 {
            self.idle_rate_lph = lph;
        }
    }

    /// Points dropped because they came later than the lateness horizon allows,
    /// and points whose timestamp was already seen (the first is kept).
    pub fn dropped(&self) -> (u64, u64) {
        (self.late_dropped, self.duplicates)
    }

    /// Feeds one point (any truck's; others are ignored).
    pub fn push(&mut self, p: &TelemetryPoint) {
        if p.truck_id != self.truck_id {
            return;
        }
        self.push_own(p);
    }

    /// Like [`LedgerBuilder::push`] for a caller that already routed the point to its
    /// truck (analysis keys trucks once per row): the id is not compared again. With
    /// 1,000 interleaved trucks that comparison reads another heap line per row and
    /// cost 6 % of the analysis CPU.
    pub fn push_own(&mut self, p: &TelemetryPoint) {
        if p.ts < self.from_ms || p.ts >= self.to_ms || !(-MAX_ABS_TS..=MAX_ABS_TS).contains(&p.ts)
        {
            return;
        }
        let s = LedgerSample::of(p);
        if let Some(r) = self.released
            && s.ts <= r
        {
            if s.ts == r {
                self.duplicates += 1;
            } else {
                self.late_dropped += 1;
            }
            return;
        }
        // In time order the new point goes at the back: no search, no shifting.
        let pos = match self.buf.back() {
            Some(b) if b.ts >= s.ts => match self.buf.binary_search_by(|x| x.ts.cmp(&s.ts)) {
                Ok(_) => {
                    self.duplicates += 1;
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
        let horizon = max.saturating_sub(self.cfg.lateness_ms.max(0));
        while self.buf.front().is_some_and(|f| f.ts <= horizon) {
            if let Some(f) = self.buf.pop_front() {
                self.step(&f);
            }
        }
    }

    /// End of input: the ledger, counting the final fills and drains among
    /// `events` that belong to this truck and end in the period.
    pub fn finish(mut self, events: &[FuelEvent]) -> Ledger {
        while let Some(f) = self.buf.pop_front() {
            self.step(&f);
        }
        if let Some(run) = self.run.take() {
            self.close_run(&run, &run.last);
        }
        let start_level_l = pick(&self.first_still, &self.first_any);
        let end_level_l = pick(&self.last_still, &self.last_any);
        let mut fills = 0;
        let mut fills_l = 0.0;
        let mut drains = 0;
        let mut drains_l = 0.0;
        for e in events.iter().filter(|e| {
            e.truck_id == self.truck_id
                && e.status == EventStatus::Final
                && e.end_ms >= self.from_ms
                && e.end_ms < self.to_ms
        }) {
            match e.kind {
                EventKind::Fill => {
                    fills += 1;
                    fills_l += e.volume_l;
                }
                EventKind::Drain => {
                    drains += 1;
                    drains_l += e.volume_l;
                }
                EventKind::SensorFault => {}
            }
        }
        let consumed_l = match (start_level_l, end_level_l) {
            (Some(s), Some(e)) => Some(s - e + fills_l - drains_l),
            _ => None,
        };
        let ecu_consumed_l = self.ecu_seen.then_some(self.ecu_sum);
        let (ecu_disagreement_l, ecu_disagreement_fraction) = match (consumed_l, ecu_consumed_l) {
            (Some(c), Some(u)) => (Some(c - u), (u > 0.0).then(|| (c - u) / u)),
            _ => (None, None),
        };
        let (distance_km, distance_source) = if self.odo_pairs > 0 {
            (self.odo, DistanceSource::Odometer)
        } else if self.gps_pairs > 0 {
            (self.gps, DistanceSource::Gps)
        } else {
            (0.0, DistanceSource::None)
        };
        let (l_per_100km, mpg_us) = match consumed_l {
            Some(c) if distance_km >= 1.0 && c > 0.0 => (
                Some(c / distance_km * 100.0),
                Some((distance_km / KM_PER_MI) / (c / L_PER_US_GAL)),
            ),
            _ => (None, None),
        };
        Ledger {
            truck_id: self.truck_id,
            from_ms: self.from_ms,
            to_ms: self.to_ms,
            start_level_l,
            end_level_l,
            fills,
            fills_l,
            drains,
            drains_l,
            consumed_l,
            ecu_consumed_l,
            ecu_disagreement_l,
            ecu_disagreement_fraction,
            distance_km,
            distance_source,
            l_per_100km,
            mpg_us,
            idle_h: self.idle_h,
            idle_l: self.idle_measured_l + self.idle_rate_lph * self.idle_rate_h,
            idle_source: self.idle_source,
        }
    }

    /// One point, strictly in time order.
    fn step(&mut self, s: &LedgerSample) {
        self.released = Some(s.ts);
        self.level(s);
        self.ecu(s);
        self.odometer(s);
        self.gps(s);
        self.idle(s);
    }

    fn level(&mut self, s: &LedgerSample) {
        let Some(l) = self.reader.read_parts(s.fuel_l, s.pct, s.fuel_l2, s.pct2) else {
            return;
        };
        // Moving samples slosh: the boundary levels prefer stationary ones.
        let still = s.speed.is_none_or(|v| v < 3.0);
        self.first_any.first(l);
        self.last_any.last(l);
        if still {
            self.first_still.first(l);
            self.last_still.last(l);
        }
    }

    fn ecu(&mut self, s: &LedgerSample) {
        let Some(c) = s.used else { return };
        if let Some((t, l)) = self.ecu_last {
            let d = c - l;
            let h = (s.ts - t) as f64 / 3_600_000.0;
            // A decrease is a counter reset: a new segment, never negative fuel.
            if d >= 0.0 && d <= 200.0 * h + 1.0 {
                self.ecu_sum += d;
                self.ecu_seen = true;
            }
        }
        self.ecu_last = Some((s.ts, c));
    }

    fn odometer(&mut self, s: &LedgerSample) {
        let Some(o) = s.odo else { return };
        let cur = (s.ts, o);
        let max_kmh = self.cfg.max_speed_kmh;
        let plausible = |(t0, o0): (i64, f64), (t1, o1): (i64, f64)| {
            let d = o1 - o0;
            d >= 0.0 && d <= max_kmh * (t1 - t0) as f64 / 3_600_000.0 + 0.5
        };
        match self.odo_last {
            None => self.odo_last = Some(cur),
            Some(prev) => {
                self.odo_pairs += 1;
                if plausible(prev, cur) {
                    self.odo += o - prev.1;
                    self.odo_last = Some(cur);
                    self.odo_held = None;
                } else if self.odo_held.is_some_and(|h| plausible(h, cur)) {
                    // A reading that jumped is confirmed by the next one: a reset or a
                    // replaced unit, the new base. Otherwise it was a glitch.
                    self.odo_last = Some(cur);
                    self.odo_held = None;
                } else {
                    self.odo_held = Some(cur);
                }
            }
        }
    }

    fn gps(&mut self, s: &LedgerSample) {
        let (Some(lat), Some(lon)) = (s.lat, s.lon) else {
            return;
        };
        // (0, 0) is a receiver without a fix, not a place.
        if lat == 0.0 && lon == 0.0 {
            return;
        }
        let still = s.speed.is_some_and(|v| v < self.cfg.idle_speed_kmh);
        if let Some((t, la, lo, was_still)) = self.gps_last
            // Once the odometer gave a distance, GPS is never reported (see `finish`):
            // spare the trigonometry (5 % of the analysis CPU).
            && self.odo_pairs == 0
        {
            let d = haversine_km(la, lo, lat, lon);
            let h = (s.ts - t) as f64 / 3_600_000.0;
            self.gps_pairs += 1;
            // Jitter at rest and jumps faster than a truck are not travel.
            if !(still && was_still) && d <= self.cfg.max_speed_kmh * h {
                self.gps += d;
            }
        }
        self.gps_last = Some((s.ts, lat, lon, still));
    }

    /// Idle runs: consecutive idle points without a long silence; each state holds
    /// until the next point if that comes soon, so a run ends at the point after it.
    fn idle(&mut self, s: &LedgerSample) {
        let max = self.cfg.max_interval_ms;
        let idle = s.is_idle(&self.cfg);
        if let Some(mut run) = self.run.take() {
            let gap = s.ts - run.last.ts;
            if gap <= max {
                run.rate_l += trapezoid(&run.last, s);
                run.all_rate &= s.rate.is_some();
                if idle {
                    run.last = *s;
                    self.run = Some(run);
                } else {
                    self.close_run(&run, s);
                }
                return;
            }
            self.close_run(&run, &run.last);
        }
        if idle {
            self.run = Some(IdleRun {
                start_ts: s.ts,
                start_used: s.used,
                last: *s,
                all_rate: s.rate.is_some(),
                rate_l: 0.0,
            });
        }
    }

    fn close_run(&mut self, run: &IdleRun, end: &LedgerSample) {
        let dur_ms = end.ts - run.start_ts;
        if !idle_run_counts(dur_ms, &self.cfg) {
            return;
        }
        let h = dur_ms as f64 / 3_600_000.0;
        self.idle_h += h;
        let source = match (run.start_used, end.used) {
            (Some(a), Some(b)) if b >= a => {
                self.idle_measured_l += b - a;
                IdleFuelSource::EcuCounter
            }
            _ if run.all_rate => {
                self.idle_measured_l += run.rate_l;
                IdleFuelSource::FuelRate
            }
            _ => {
                self.idle_rate_h += h;
                IdleFuelSource::Rate
            }
        };
        if self.idle_source == IdleFuelSource::None || source == IdleFuelSource::Rate {
            self.idle_source = source;
        }
    }
}

fn trapezoid(a: &LedgerSample, b: &LedgerSample) -> f64 {
    let dt = (b.ts - a.ts) as f64 / 3_600_000.0;
    0.5 * (a.rate.unwrap_or(0.0) + b.rate.unwrap_or(0.0)) * dt
}

fn pick(still: &Keep, any: &Keep) -> Option<f64> {
    if still.v.is_empty() {
        any.median()
    } else {
        still.median()
    }
}

fn median(v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        0.5 * (v[n / 2 - 1] + v[n / 2])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Evidence, Reason, ReasonCode};
    use fc_model::Tank;

    fn profile() -> TruckProfile {
        TruckProfile {
            truck_id: "T1".into(),
            name: "T1".into(),
            fuel_type: None,
            tanks: vec![Tank {
                capacity_l: 500.0,
                calibration: None,
            }],
        }
    }

    fn pt(min: i64, fuel: f64, speed: f64, ign: bool, odo: f64, used: f64) -> TelemetryPoint {
        let mut p = TelemetryPoint::new("T1", min * 60_000);
        p.fuel_l = Some(fuel);
        p.speed_kmh = Some(speed);
        p.ignition = Some(ign);
        p.odometer_km = Some(odo);
        p.fuel_used_l = Some(used);
        p
    }

    fn event(kind: EventKind, end_min: i64, vol: f64) -> FuelEvent {
        FuelEvent {
            id: format!("T1:{}:{end_min}", kind.code()),
            truck_id: "T1".into(),
            kind,
            status: EventStatus::Final,
            revision: 0,
            detector_version: "t".into(),
            start_ms: (end_min - 5) * 60_000,
            end_ms: end_min * 60_000,
            volume_l: vol,
            lat: None,
            lon: None,
            rule_confidence: 0.9,
            evidence: Evidence {
                window_start_ms: 0,
                window_end_ms: 0,
                samples: vec![],
                level_before_l: 0.0,
                level_after_l: 0.0,
                expected_consumption_l: 0.0,
                consumption_source: crate::ConsumptionSource::None,
                threshold_l: 10.0,
                noise_l: 1.0,
                noise_measured: true,
                quantum_l: 0.0,
                unobserved_ms: 0,
                moved: false,
                ignition_on: None,
                reason: Reason {
                    code: ReasonCode::StationaryRise,
                    margin: 2.0,
                    observed_change_l: 0.0,
                    consumption_allowance_l: 0.0,
                    thermal_allowance_l: 0.0,
                },
            },
        }
    }

    #[test]
    fn balance_across_a_refuel_and_efficiency() {
        // 10 min idle (2 L), 100 km drive (30 L, odometer with one bogus jump), fill 200 L, park
        let mut pts = Vec::new();
        let mut fuel = 300.0;
        let mut used = 1000.0;
        for m in 0..=10 {
            pts.push(pt(m, fuel, 0.0, true, 5000.0, used));
            fuel -= 0.2;
            used += 0.2;
        }
        for m in 11..=110 {
            fuel -= 0.3;
            used += 0.3;
            let odo = 5000.0 + (m - 10) as f64;
            pts.push(pt(
                m,
                fuel,
                60.0,
                true,
                if m == 50 { 99_999.0 } else { odo },
                used,
            ));
        }
        fuel += 200.0;
        for m in 111..=140 {
            pts.push(pt(m, fuel, 0.0, false, 5100.0, used));
        }
        pts.reverse(); // any order
        let events = vec![
            event(EventKind::Fill, 115, 200.0),
            event(EventKind::Fill, 500, 99.0),
        ];
        let l = build_ledger(
            &profile(),
            &pts,
            &events,
            0,
            200 * 60_000,
            &LedgerConfig::default(),
        );
        assert_eq!(l.fills, 1);
        let consumed = l.consumed_l.unwrap();
        assert!((consumed - 32.0).abs() < 0.6, "{consumed}");
        assert!((l.ecu_consumed_l.unwrap() - 32.2).abs() < 0.01);
        assert!(l.ecu_disagreement_l.unwrap().abs() < 1.0);
        assert_eq!(l.distance_source, DistanceSource::Odometer);
        assert!((l.distance_km - 100.0).abs() < 1.01, "{}", l.distance_km);
        let per100 = l.l_per_100km.unwrap();
        assert!((per100 - 32.0).abs() < 1.0, "{per100}");
        // 32 L/100 km = 7.35 mpg (US)
        assert!((l.mpg_us.unwrap() - 235.215 / per100).abs() < 0.01);
        assert!((l.idle_h - 11.0 / 60.0).abs() < 1e-9, "{}", l.idle_h);
        assert_eq!(l.idle_source, IdleFuelSource::EcuCounter);
        // each state holds until the next point: the idle run is 0..11 min, the counter rose 2.5 L
        assert!((l.idle_l - 2.5).abs() < 0.01, "{}", l.idle_l);
    }

    #[test]
    fn short_idle_pto_and_gps_jumps() {
        let mut pts = Vec::new();
        // 1 minute idle (below the 2 min minimum), then 10 minutes with PTO on
        for m in 0..=1 {
            let mut p = pt(m, 100.0, 0.0, true, 0.0, 0.0);
            p.odometer_km = None;
            p.fuel_used_l = None;
            pts.push(p);
        }
        let mut p = pt(2, 100.0, 30.0, true, 0.0, 0.0);
        p.odometer_km = None;
        p.fuel_used_l = None;
        pts.push(p);
        for m in 3..=13 {
            let mut p = pt(m, 100.0, 0.0, true, 0.0, 0.0);
            p.odometer_km = None;
            p.fuel_used_l = None;
            p.pto = Some(true);
            pts.push(p);
        }
        // GPS: 1 km steps each minute, and one teleport
        for (i, p) in pts.iter_mut().enumerate() {
            p.lat = Some(45.0 + i as f64 / 111.0);
            p.lon = Some(if i == 5 { 120.0 } else { 7.0 });
            p.speed_kmh = Some(60.0);
        }
        let l = build_ledger(
            &profile(),
            &pts,
            &[],
            0,
            20 * 60_000,
            &LedgerConfig::default(),
        );
        assert_eq!(l.distance_source, DistanceSource::Gps);
        // 13 one-km steps, two of which touch the teleport and are dropped
        assert!((l.distance_km - 11.0).abs() < 0.1, "{}", l.distance_km);
        assert_eq!(l.idle_h, 0.0);
        assert_eq!(l.idle_source, IdleFuelSource::None);
    }

    /// A day with idle runs (counter, rate, and neither), driving, a fill and GPS.
    fn mixed_day() -> Vec<TelemetryPoint> {
        let mut pts = Vec::new();
        let mut fuel = 300.0;
        let mut used = 50.0;
        for m in 0..600i64 {
            let phase = (m / 40) % 5;
            let (speed, ign) = match phase {
                0 => (0.0, true),
                1 | 2 => (70.0, true),
                3 => (0.0, false),
                _ => (0.5, true),
            };
            fuel -= if ign { 0.2 } else { 0.0 };
            used += if ign { 0.2 } else { 0.0 };
            if m == 300 {
                fuel += 150.0;
            }
            let mut p = pt(m, fuel, speed, ign, 1000.0 + m as f64 * 0.5, used);
            // idle rate on some runs, counter on others, neither on the rest
            if m % 200 >= 100 {
                p.fuel_used_l = None;
            }
            if m % 300 < 150 {
                p.fuel_rate_lph = Some(if speed > 1.0 { 30.0 } else { 2.0 });
            }
            if m >= 450 {
                p.odometer_km = None;
            }
            p.lat = Some(45.0 + m as f64 * 0.001);
            p.lon = Some(7.0);
            p.pto = (m % 97 == 0).then_some(true);
            pts.push(p);
        }
        pts
    }

    #[test]
    fn streaming_matches_batch_for_late_points_within_the_horizon() {
        let pts = mixed_day();
        let prof = profile();
        let events = vec![event(EventKind::Fill, 302, 150.0)];
        let cfg = LedgerConfig::default();
        let batch = build_ledger(&prof, &pts, &events, 0, 1000 * 60_000, &cfg);
        assert!(batch.idle_h > 0.5, "{batch:?}");
        assert_eq!(batch.fills, 1);
        // Swap neighbours in blocks of five: every point at most 4 minutes late.
        let mut shuffled = pts.clone();
        for c in shuffled.chunks_mut(5) {
            c.reverse();
        }
        let mut b = LedgerBuilder::new("T1", &prof, 0, 1000 * 60_000, &cfg);
        for p in &shuffled {
            b.push(p);
        }
        assert_eq!(b.dropped(), (0, 0));
        assert_eq!(b.finish(&events), batch);
    }

    #[test]
    fn streaming_drops_points_beyond_the_horizon_and_other_trucks() {
        let pts = mixed_day();
        let prof = profile();
        let cfg = LedgerConfig {
            lateness_ms: 60_000,
            ..LedgerConfig::default()
        };
        let mut b = LedgerBuilder::new("T1", &prof, 0, i64::MAX, &cfg);
        for p in &pts[10..] {
            b.push(p);
        }
        // ten minutes late, a duplicate, and someone else's point
        b.push(&pts[0]);
        b.push(&pts[599]);
        let mut other = pts[5].clone();
        other.truck_id = "T2".into();
        b.push(&other);
        assert_eq!(b.dropped(), (1, 1));
        let streamed = b.finish(&[]);
        let batch = build_ledger(&prof, &pts[10..], &[], 0, i64::MAX, &cfg);
        assert_eq!(streamed, batch);
    }

    #[test]
    fn idle_rate_can_be_given_at_the_end() {
        let mut pts = Vec::new();
        for m in 0..=30 {
            let mut p = pt(m, 100.0, 0.0, true, 0.0, 0.0);
            p.fuel_used_l = None;
            p.odometer_km = None;
            pts.push(p);
        }
        let prof = profile();
        let cfg = LedgerConfig::default();
        let mut b = LedgerBuilder::new("T1", &prof, 0, i64::MAX, &cfg);
        for p in &pts {
            b.push(p);
        }
        b.set_idle_rate(4.0);
        let l = b.finish(&[]);
        assert_eq!(l.idle_source, IdleFuelSource::Rate);
        assert!((l.idle_h - 0.5).abs() < 1e-9);
        assert!((l.idle_l - 2.0).abs() < 1e-9, "{}", l.idle_l);
    }
}
