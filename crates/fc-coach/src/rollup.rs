//! Per truck, per local day, per driver rollups, built by streaming one
//! truck's points (decision 10: kept forever, updated at ingest).
//!
//! A rollup holds only sums, so rollups of any set of days, trucks or drivers
//! add up to the metrics of the whole ([`Rollup::add`]). Distance, fuel used
//! and idle come from [`fc_ledger::LedgerBuilder`] (one per rollup), so coaching
//! and the ledger share one idle rule and one fuel balance (decision 20).
//!
//! ```text
//! let mut b = RollupBuilder::new("T1", &profile, tz, &cfg);
//! for p in points_of_t1_in_time_order { b.push(&p); }   // import or live ingest
//! b.event(&final_fill);                                   // final fills and drains, any time
//! let closed = b.take_closed(watermark_ms);               // live: rollups ended before the watermark
//! let rest = b.finish();                                  // end of input: everything left
//! ```

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use fc_ledger::{EventKind, EventStatus, FuelEvent, LedgerBuilder, LedgerConfig};
use fc_model::{TelemetryPoint, TruckProfile};
use serde::{Deserialize, Serialize};

use crate::config::CoachConfig;

/// The driver id of points that carry none.
pub const UNKNOWN_DRIVER: &str = "";

/// One truck's metrics for one driver on one local day. All fields but the
/// identity are sums, so rollups add up.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Rollup {
    /// Truck id.
    pub truck_id: String,
    /// Driver id (`""`: points without a driver).
    pub driver_id: String,
    /// Local day in the fleet's zone, `YYYY-MM-DD`.
    pub day: String,
    /// First point, UTC ms.
    pub start_ms: i64,
    /// Last point, UTC ms.
    pub end_ms: i64,
    /// Points used.
    pub points: u64,
    /// Points older than the previous one of the truck (not used for coaching, counted).
    pub out_of_order: u64,
    /// Distance from the ledger (odometer, else GPS), km.
    pub distance_km: f64,
    /// Fuel used from the ledger's level balance (ECU counter where there is no level), litres.
    pub fuel_l: Option<f64>,
    /// Final fills ending in the rollup, litres (part of the balance).
    pub fills_l: f64,
    /// Final drains ending in the rollup, litres (part of the balance).
    pub drains_l: f64,
    /// Engine-on time, hours.
    pub engine_h: f64,
    /// Time moving (at or above 1 km/h), hours.
    pub moving_h: f64,
    /// Idle time from the ledger (decision 20), hours.
    pub idle_h: f64,
    /// Idle fuel from the ledger, litres.
    pub idle_l: f64,
    /// Time above the speed limit, hours.
    pub over_speed_h: f64,
    /// Extra fuel the time above the limit cost (aerodynamic drag), litres.
    pub over_speed_extra_l: f64,
    /// Harsh accelerations.
    pub harsh_accel: u32,
    /// Harsh brakings.
    pub harsh_brake: u32,
    /// Kinetic energy per kg at the start of each harsh braking, summed, J/kg.
    pub harsh_brake_j_per_kg: f64,
    /// Kinetic energy per kg gained in harsh accelerations, summed, J/kg.
    pub harsh_accel_j_per_kg: f64,
    /// Single-sample speed spikes and implausible steps rejected.
    pub speed_glitches: u32,
    /// Speed steps not used for harsh events because they were too long.
    pub harsh_gaps: u32,
    /// Distance covered by steps short enough for harsh events, km.
    pub harsh_km: f64,
    /// Driving engine time with an RPM reading, hours.
    pub rpm_h: f64,
    /// Of which outside the green band, hours.
    pub rpm_out_h: f64,
    /// Stops (moving, then standing).
    pub stops: u32,
    /// Distance integrated from speed, km (the base of `v2_km`).
    pub speed_km: f64,
    /// Sum of v^2 x distance, (km/h)^2 x km: aerodynamic work along the way.
    pub v2_km: f64,
    /// Climb, metres (hysteresis against GPS altitude noise).
    pub climb_m: f64,
    /// Distance with altitude readings, km.
    pub alt_km: f64,
}

impl Rollup {
    /// Adds another rollup's sums to this one (identity fields are kept).
    pub fn add(&mut self, o: &Rollup) {
        self.start_ms = if self.points == 0 {
            o.start_ms
        } else {
            self.start_ms.min(o.start_ms)
        };
        self.end_ms = self.end_ms.max(o.end_ms);
        self.points += o.points;
        self.out_of_order += o.out_of_order;
        self.distance_km += o.distance_km;
        self.fuel_l = match (self.fuel_l, o.fuel_l) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
        self.fills_l += o.fills_l;
        self.drains_l += o.drains_l;
        self.engine_h += o.engine_h;
        self.moving_h += o.moving_h;
        self.idle_h += o.idle_h;
        self.idle_l += o.idle_l;
        self.over_speed_h += o.over_speed_h;
        self.over_speed_extra_l += o.over_speed_extra_l;
        self.harsh_accel += o.harsh_accel;
        self.harsh_brake += o.harsh_brake;
        self.harsh_brake_j_per_kg += o.harsh_brake_j_per_kg;
        self.harsh_accel_j_per_kg += o.harsh_accel_j_per_kg;
        self.speed_glitches += o.speed_glitches;
        self.harsh_gaps += o.harsh_gaps;
        self.harsh_km += o.harsh_km;
        self.rpm_h += o.rpm_h;
        self.rpm_out_h += o.rpm_out_h;
        self.stops += o.stops;
        self.speed_km += o.speed_km;
        self.v2_km += o.v2_km;
        self.climb_m += o.climb_m;
        self.alt_km += o.alt_km;
    }
}

/// The local day holding an instant, with its UTC bounds (cached per day).
#[derive(Debug, Clone)]
struct DayWindow {
    label: String,
    start: i64,
    end: i64,
}

fn day_window(tz: Tz, ts: i64) -> DayWindow {
    let date = DateTime::<Utc>::from_timestamp_millis(ts)
        .map(|t| t.with_timezone(&tz).date_naive())
        .unwrap_or_default();
    let start = local_midnight_ms(tz, date);
    let end = date
        .succ_opt()
        .map_or(i64::MAX, |d| local_midnight_ms(tz, d));
    DayWindow {
        label: format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day()),
        start,
        end: end.max(start + 1),
    }
}

/// UTC ms of the first instant of `date` in `tz` (a DST gap at midnight moves it later).
pub fn local_midnight_ms(tz: Tz, date: NaiveDate) -> i64 {
    let mut t = date.and_hms_opt(0, 0, 0).unwrap_or_default();
    for _ in 0..4 {
        if let Some(dt) = tz.from_local_datetime(&t).earliest() {
            return dt.timestamp_millis();
        }
        t += chrono::Duration::minutes(30);
    }
    t.and_utc().timestamp_millis()
}

/// The previous reading, for step metrics.
#[derive(Debug, Clone, Copy)]
struct Prev {
    ts: i64,
    speed: Option<f64>,
    engine: bool,
    rpm: Option<f64>,
}

/// A harsh step waiting for the next step: a single-sample spike is a speed
/// that jumps and comes straight back, which only the next step can tell.
#[derive(Debug, Clone, Copy)]
struct Pending {
    sign: i8,
    j_per_kg: f64,
}

/// One open (or closed, awaiting late events) rollup.
#[derive(Clone)]
struct Segment<'p> {
    r: Rollup,
    window: DayWindow,
    ledger: LedgerBuilder<'p>,
    events: Vec<FuelEvent>,
}

/// Streams one truck's points into [`Rollup`]s, one per (local day, driver).
///
/// Points should come in time order (store order, or a live feed); a point
/// older than the previous one is counted in `out_of_order` and not used. A
/// point without a driver id belongs to the driver of the truck's current
/// rollup that day. Memory: the open rollup plus closed ones not yet taken.
pub struct RollupBuilder<'p> {
    truck_id: String,
    profile: &'p TruckProfile,
    tz: Tz,
    cfg: CoachConfig,
    lcfg: LedgerConfig,
    /// Physics constants folded once.
    aero_l_per_m: f64,
    open: Option<Segment<'p>>,
    closed: Vec<Segment<'p>>,
    prev: Option<Prev>,
    last_ts: Option<i64>,
    pending: Option<Pending>,
    episode: i8,
    moving: bool,
    alt_anchor: Option<f64>,
    idle_rate_lph: Option<f64>,
}

impl std::fmt::Debug for RollupBuilder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RollupBuilder")
            .field("truck_id", &self.truck_id)
            .field("closed", &self.closed.len())
            .finish_non_exhaustive()
    }
}

impl<'p> RollupBuilder<'p> {
    /// A builder for `truck_id` (points of other trucks are ignored); the profile
    /// gives the tanks for the ledger's level balance, `tz` the fleet's days.
    pub fn new(truck_id: &str, profile: &'p TruckProfile, tz: Tz, cfg: &CoachConfig) -> Self {
        // Aerodynamic drag force is 0.5 * rho * CdA * v^2 and the work against it per
        // metre is that force; at speed v instead of the limit L the engine does
        // 0.5 * rho * CdA * (v^2 - L^2) extra joules per metre, burnt at the engine's
        // efficiency. Rolling resistance does not depend on speed, so it cancels.
        let aero_l_per_m = 0.5 * cfg.air_density * cfg.cda_m2 / cfg.useful_j_per_l();
        RollupBuilder {
            truck_id: truck_id.to_string(),
            profile,
            tz,
            cfg: cfg.clone(),
            lcfg: cfg.ledger(),
            aero_l_per_m,
            open: None,
            closed: Vec::new(),
            prev: None,
            last_ts: None,
            pending: None,
            episode: 0,
            moving: false,
            alt_anchor: None,
            idle_rate_lph: None,
        }
    }

    /// The idle rate for ledger idle litres where neither the ECU counter nor a
    /// fuel rate exists (e.g. the detector's learned rate), L/h.
    pub fn set_idle_rate(&mut self, lph: f64) {
        if lph.is_finite() && lph >= 0.0 {
            self.idle_rate_lph = Some(lph);
        }
    }

    /// Feeds one point.
    pub fn push(&mut self, p: &TelemetryPoint) {
        if p.truck_id != self.truck_id {
            return;
        }
        if self.last_ts.is_some_and(|t| p.ts <= t) {
            if let Some(seg) = self.open.as_mut() {
                seg.r.out_of_order += 1;
            }
            return;
        }
        self.last_ts = Some(p.ts);
        let same_segment = self.open.as_ref().is_some_and(|s| {
            p.ts < s.window.end
                && p.ts >= s.window.start
                && p.driver_id
                    .as_deref()
                    .is_none_or(|d| d == s.r.driver_id.as_str())
        });
        if !same_segment {
            self.start_segment(p);
        }
        self.step(p);
    }

    fn start_segment(&mut self, p: &TelemetryPoint) {
        let window = match &self.open {
            Some(s) if p.ts >= s.window.start && p.ts < s.window.end => s.window.clone(),
            _ => day_window(self.tz, p.ts),
        };
        let driver = match (&p.driver_id, &self.open) {
            (Some(d), _) => d.clone(),
            // A point without a driver continues the same day's driver.
            (None, Some(s)) if s.window.start == window.start => s.r.driver_id.clone(),
            (None, _) => UNKNOWN_DRIVER.to_string(),
        };
        if let Some(mut old) = self.open.take() {
            commit(&mut old.r, self.pending.take());
            self.closed.push(old);
        }
        // Harsh, stop and climb state do not cross rollups (joined trips).
        self.prev = None;
        self.pending = None;
        self.episode = 0;
        self.moving = false;
        self.alt_anchor = None;
        let ledger = LedgerBuilder::new(
            &self.truck_id,
            self.profile,
            window.start,
            window.end,
            &self.lcfg,
        );
        self.open = Some(Segment {
            r: Rollup {
                truck_id: self.truck_id.clone(),
                driver_id: driver,
                day: window.label.clone(),
                start_ms: p.ts,
                end_ms: p.ts,
                ..Rollup::default()
            },
            window,
            ledger,
            events: Vec::new(),
        });
    }

    fn step(&mut self, p: &TelemetryPoint) {
        let cfg = &self.cfg;
        let Some(seg) = self.open.as_mut() else {
            return;
        };
        seg.ledger.push(p);
        let r = &mut seg.r;
        r.points += 1;
        r.end_ms = p.ts;
        let speed = p.speed_kmh;
        let engine = match p.ignition {
            Some(on) => on,
            None => p.rpm.is_some_and(|x| x > 300.0) || speed.is_some_and(|v| v >= 1.0),
        };
        if let Some(prev) = self.prev {
            let dt_ms = p.ts - prev.ts;
            // A state holds until the next reading if that comes within the ledger's
            // interval; longer silences are not counted as any state.
            if dt_ms <= self.lcfg.max_interval_ms {
                let h = dt_ms as f64 / 3_600_000.0;
                if prev.engine {
                    r.engine_h += h;
                }
                if let Some(v0) = prev.speed {
                    // Trapezoid distance and v^2 work for the step.
                    let v1 = speed.unwrap_or(v0);
                    let km = 0.5 * (v0 + v1) * h;
                    if v0 >= 1.0 {
                        r.moving_h += h;
                        if prev.engine
                            && let Some(rpm) = prev.rpm
                        {
                            r.rpm_h += h;
                            if rpm < cfg.rpm_green.0 || rpm > cfg.rpm_green.1 {
                                r.rpm_out_h += h;
                            }
                        }
                    }
                    r.speed_km += km;
                    let v2 = (v0 * v0 + v0 * v1 + v1 * v1) / 3.0;
                    r.v2_km += v2 * km;
                    let limit = cfg.speed_limit_kmh;
                    if v0 > limit {
                        r.over_speed_h += h;
                        let (vm, lm) = (v0 / 3.6, limit / 3.6);
                        r.over_speed_extra_l +=
                            self.aero_l_per_m * (vm * vm - lm * lm) * km * 1000.0;
                    }
                }
            }
            // Harsh events: short steps only, both readings with the engine on.
            match (prev.speed, speed) {
                (Some(v0), Some(v1)) if prev.engine && engine => {
                    let dt_s = dt_ms as f64 / 1000.0;
                    if dt_s > cfg.max_harsh_step_s {
                        r.harsh_gaps += 1;
                        commit(r, self.pending.take());
                        self.episode = 0;
                    } else {
                        let a = (v1 - v0) / 3.6 / dt_s;
                        r.harsh_km += 0.5 * (v0 + v1) * dt_s / 3600.0;
                        harsh_step(r, cfg, a, v0, v1, &mut self.pending, &mut self.episode);
                    }
                }
                _ => {
                    commit(r, self.pending.take());
                    self.episode = 0;
                }
            }
        }
        // Stops: moving at or above `moving_kmh`, then standing (below 1 km/h).
        if let Some(v) = speed {
            if v >= cfg.moving_kmh {
                self.moving = true;
            } else if v < 1.0 && self.moving {
                self.moving = false;
                r.stops += 1;
            }
        }
        // Climb with a 5 m hysteresis: GPS altitude wanders by metres at rest.
        if let Some(alt) = p.alt_m {
            if let Some(prev) = self.prev
                && prev.speed.is_some()
                && p.ts - prev.ts <= self.lcfg.max_interval_ms
            {
                let v0 = prev.speed.unwrap_or(0.0);
                let v1 = speed.unwrap_or(v0);
                r.alt_km += 0.5 * (v0 + v1) * (p.ts - prev.ts) as f64 / 3_600_000.0;
            }
            match self.alt_anchor {
                None => self.alt_anchor = Some(alt),
                Some(a) if alt > a + 5.0 => {
                    r.climb_m += alt - a;
                    self.alt_anchor = Some(alt);
                }
                Some(a) if alt < a - 5.0 => self.alt_anchor = Some(alt),
                _ => {}
            }
        }
        self.prev = Some(Prev {
            ts: p.ts,
            speed,
            engine,
            rpm: p.rpm,
        });
    }

    /// A fill or drain from the detector: final ones count in the balance of the
    /// rollup whose day and time span hold its end (open or not yet taken).
    pub fn event(&mut self, e: &FuelEvent) {
        if e.truck_id != self.truck_id
            || e.status != EventStatus::Final
            || e.kind == EventKind::SensorFault
        {
            return;
        }
        let holds = |s: &Segment<'_>| e.end_ms >= s.window.start && e.end_ms < s.window.end;
        // In time order; between two rollups of a day (a driver change) the
        // event goes to the later one that started before it ended.
        let mut segs: Vec<&mut Segment<'p>> =
            self.closed.iter_mut().chain(self.open.iter_mut()).collect();
        let pick = segs
            .iter()
            .rposition(|s| holds(s) && s.r.start_ms <= e.end_ms)
            .or_else(|| segs.iter().position(|s| holds(s)));
        if let Some(i) = pick {
            segs[i].events.push(e.clone());
        }
    }

    /// Rollups that ended before `watermark_ms` (the live pipeline passes its
    /// newest time minus the detector's horizon, so late final events are in).
    pub fn take_closed(&mut self, watermark_ms: i64) -> Vec<Rollup> {
        let (done, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.closed)
            .into_iter()
            .partition(|s| s.r.end_ms < watermark_ms);
        self.closed = keep;
        done.into_iter().map(|s| self.close(s)).collect()
    }

    /// A snapshot of the open rollup (live dashboards), without closing it.
    pub fn open_day(&self) -> Option<&str> {
        self.open.as_ref().map(|s| s.r.day.as_str())
    }

    /// The rollups not yet taken (closed ones awaiting late events, then the open
    /// one) as they stand, without closing anything: what [`Self::finish`] would give
    /// if the input ended now. Live ingest stores these between day ends.
    pub fn snapshot(&self) -> Vec<Rollup> {
        let mut out: Vec<Rollup> = self.closed.iter().map(|s| self.close(s.clone())).collect();
        if let Some(s) = &self.open {
            let mut s = s.clone();
            commit(&mut s.r, self.pending);
            out.push(self.close(s));
        }
        out
    }

    /// End of input: every rollup not yet taken, in time order.
    pub fn finish(mut self) -> Vec<Rollup> {
        if let Some(mut s) = self.open.take() {
            commit(&mut s.r, self.pending.take());
            self.closed.push(s);
        }
        let closed = std::mem::take(&mut self.closed);
        closed.into_iter().map(|s| self.close(s)).collect()
    }

    fn close(&self, mut s: Segment<'p>) -> Rollup {
        if let Some(rate) = self.idle_rate_lph {
            s.ledger.set_idle_rate(rate);
        }
        let l = s.ledger.finish(&s.events);
        let mut r = s.r;
        // Odometer, else GPS (the ledger's); a tracker with neither still reports
        // speed, and its integral is the distance then.
        r.distance_km = if l.distance_source == fc_ledger::ledger::DistanceSource::None {
            r.speed_km
        } else {
            l.distance_km
        };
        r.fuel_l = l.consumed_l.or(l.ecu_consumed_l).map(|f| f.max(0.0));
        r.fills_l = l.fills_l;
        r.drains_l = l.drains_l;
        r.idle_h = l.idle_h;
        r.idle_l = l.idle_l;
        r
    }
}

/// Counts a confirmed harsh step.
fn commit(r: &mut Rollup, p: Option<Pending>) {
    if let Some(p) = p {
        if p.sign == 0 {
            return;
        }
        if p.sign > 0 {
            r.harsh_accel += 1;
            r.harsh_accel_j_per_kg += p.j_per_kg;
        } else {
            r.harsh_brake += 1;
            r.harsh_brake_j_per_kg += p.j_per_kg;
        }
    }
}

/// One speed step of acceleration `a` (m/s^2) from `v0` to `v1` (km/h).
///
/// - steeper than physics allows (tyre grip is about 8 m/s^2): a glitch;
/// - above a threshold and straight back the other way at the next step: a
///   single-sample spike (a GPS jump or a bad reading), neither counts;
/// - consecutive steps over the same threshold are one event.
fn harsh_step(
    r: &mut Rollup,
    cfg: &CoachConfig,
    a: f64,
    v0: f64,
    v1: f64,
    pending: &mut Option<Pending>,
    episode: &mut i8,
) {
    if a.abs() > cfg.max_plausible_ms2 {
        // A jump and its return are one glitch.
        if !matches!(pending, Some(Pending { sign: 0, .. })) {
            r.speed_glitches += 1;
        }
        // The step after a jump is the jump coming back: skip it too.
        *pending = Some(Pending {
            sign: 0,
            j_per_kg: 0.0,
        });
        *episode = 0;
        return;
    }
    let sign: i8 = if a >= cfg.harsh_accel_ms2 {
        1
    } else if a <= -cfg.harsh_brake_ms2 {
        -1
    } else {
        0
    };
    if let Some(p) = pending.take() {
        if p.sign == 0 {
            // The step right after an implausible one.
            *episode = 0;
            return;
        }
        if sign == -p.sign {
            r.speed_glitches += 1;
            *episode = 0;
            return;
        }
        commit(r, Some(p));
        *episode = p.sign;
    }
    if sign == 0 {
        *episode = 0;
    } else if sign != *episode {
        let (m0, m1) = (v0 / 3.6, v1 / 3.6);
        let j = if sign > 0 {
            0.5 * (m1 * m1 - m0 * m0)
        } else {
            0.5 * m0 * m0
        };
        *pending = Some(Pending { sign, j_per_kg: j });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> TruckProfile {
        TruckProfile {
            truck_id: "T1".into(),
            name: "T1".into(),
            fuel_type: None,
            tanks: vec![fc_model::Tank {
                capacity_l: 400.0,
                calibration: None,
            }],
        }
    }

    /// 1 Hz points from a speed list (km/h), ignition on, starting at `t0` seconds.
    fn series(t0: i64, speeds: &[f64]) -> Vec<TelemetryPoint> {
        speeds
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let mut p = TelemetryPoint::new("T1", (t0 + i as i64) * 1000);
                p.speed_kmh = Some(*v);
                p.ignition = Some(true);
                p.driver_id = Some("D1".into());
                p
            })
            .collect()
    }

    fn run(points: &[TelemetryPoint]) -> Vec<Rollup> {
        let prof = profile();
        let mut b = RollupBuilder::new("T1", &prof, Tz::UTC, &CoachConfig::default());
        for p in points {
            b.push(p);
        }
        b.finish()
    }

    fn total(rs: &[Rollup]) -> Rollup {
        let mut t = Rollup::default();
        for r in rs {
            t.add(r);
        }
        t
    }

    /// Cruise, then a real harsh brake (60 -> 0 km/h at 3.3 m/s^2), then gentle driving.
    fn brake_then_cruise() -> Vec<f64> {
        let mut v = vec![60.0; 20];
        let mut s = 60.0;
        while s > 0.0 {
            s = (s - 12.0_f64).max(0.0);
            v.push(s);
        }
        v.extend((0..30).map(|i| f64::from(i) * 2.0)); // 0.56 m/s^2
        v
    }

    /// A snapshot taken mid-stream equals what `finish` gives at that point, and
    /// streaming on afterwards is unaffected by it.
    #[test]
    fn snapshot_is_finish_without_closing() {
        let mut speeds = brake_then_cruise();
        speeds.extend(brake_then_cruise());
        let pts = series(86_400 - 40, &speeds); // crosses midnight UTC
        let prof = profile();
        let cut = pts.len() - 25;
        let mut b = RollupBuilder::new("T1", &prof, Tz::UTC, &CoachConfig::default());
        for p in &pts[..cut] {
            b.push(p);
        }
        let snap = b.snapshot();
        assert_eq!(snap, run(&pts[..cut]));
        assert_eq!(snap.len(), 2, "two days: {snap:?}");
        assert!(snap.iter().all(|r| r.points > 0) && total(&snap).harsh_brake >= 1);
        for p in &pts[cut..] {
            b.push(p);
        }
        assert_eq!(b.finish(), run(&pts));
    }

    #[test]
    fn harsh_guards_table() {
        // (name, speeds, expected accel, expected brake, expected glitches)
        let mut spike = vec![50.0; 20];
        spike[10] = 65.0; // +4.2 m/s^2 and straight back: a spike, not two events
        let mut jump = vec![50.0; 20];
        jump[10] = 120.0; // +19 m/s^2: beyond tyre grip
        let mut sustained = vec![20.0; 10];
        sustained.extend([27.0, 34.0, 41.0, 48.0]); // +1.9 m/s^2 for 4 s: one event
        sustained.extend(vec![48.0; 10]);
        let cases: Vec<(&str, Vec<f64>, u32, u32, u32)> = vec![
            ("harsh brake", brake_then_cruise(), 0, 1, 0),
            ("single-sample spike", spike, 0, 0, 1),
            ("GPS jump", jump, 0, 0, 1),
            ("sustained acceleration is one event", sustained, 1, 0, 0),
            ("gentle", (0..60).map(f64::from).collect(), 0, 0, 0),
        ];
        for (name, speeds, acc, brk, gl) in cases {
            let t = total(&run(&series(0, &speeds)));
            assert_eq!(
                (t.harsh_accel, t.harsh_brake, t.speed_glitches),
                (acc, brk, gl),
                "{name}: {t:?}"
            );
        }
    }

    #[test]
    fn gaps_and_joined_trips_are_not_harsh() {
        // 80 km/h, then 20 s of silence, then 0 km/h: not a brake of 1.1 m/s^2 over
        // 20 s (fine) nor a harsh one; and a 2 s gap with 80 -> 0 is also dropped
        // because max_harsh_step_s is 5 s only when the step is shorter.
        let mut pts = series(0, &[80.0; 10]);
        let mut late = series(30, &[0.0; 10]);
        pts.append(&mut late);
        let t = total(&run(&pts));
        assert_eq!((t.harsh_brake, t.harsh_accel), (0, 0), "{t:?}");
        assert_eq!(t.harsh_gaps, 1);
        // Two trips joined: ignition off at 70 km/h (last reading) and the next trip
        // starts at 0: the engine-off reading breaks the step.
        let mut a = series(0, &[70.0; 10]);
        let mut off = TelemetryPoint::new("T1", 10_000);
        off.ignition = Some(false);
        off.speed_kmh = Some(0.0);
        a.push(off);
        let mut b = series(11, &[0.0, 5.0, 10.0]);
        a.append(&mut b);
        let t = total(&run(&a));
        assert_eq!((t.harsh_brake, t.harsh_accel), (0, 0), "{t:?}");
        // A driver change between two readings 1 s apart is a new rollup: no event
        // from the last speed of one driver to the first of the next.
        let mut a = series(0, &[70.0; 10]);
        let mut b = series(10, &[0.0; 10]);
        for p in &mut b {
            p.driver_id = Some("D2".into());
        }
        a.append(&mut b);
        let rs = run(&a);
        assert_eq!(rs.len(), 2);
        let t = total(&rs);
        assert_eq!((t.harsh_brake, t.speed_glitches), (0, 0), "{t:?}");
    }

    #[test]
    fn idle_follows_the_shared_rule() {
        // (name, seconds idling, pto, min run s, expected idle hours)
        let cases = [
            ("long idle", 600, None, 120, 600.0),
            ("too short", 100, None, 120, 0.0),
            ("pto on is work", 600, Some(true), 120, 0.0),
            ("pto off explicit", 600, Some(false), 120, 600.0),
            ("fleet minimum 15 min", 600, None, 900, 0.0),
        ];
        for (name, secs, pto, min_s, want_s) in cases {
            let mut speeds = vec![0.0; secs + 1];
            speeds.extend(vec![30.0; 5]);
            let mut pts = series(0, &speeds);
            for p in pts.iter_mut().take(secs + 1) {
                p.pto = pto;
            }
            let prof = profile();
            let cfg = CoachConfig {
                idle_min_s: min_s,
                ..CoachConfig::default()
            };
            let mut b = RollupBuilder::new("T1", &prof, Tz::UTC, &cfg);
            for p in &pts {
                b.push(p);
            }
            let t = total(&b.finish());
            // Each state holds until the next reading: a run ends at the reading after it.
            let want_h = if want_s > 0.0 {
                (want_s + 1.0) / 3600.0
            } else {
                0.0
            };
            assert!((t.idle_h - want_h).abs() < 1e-9, "{name}: {}", t.idle_h);
        }
    }

    #[test]
    fn days_follow_the_fleet_zone_and_drivers_split_rollups() {
        // 22:30 to 01:30 UTC in Madrid (UTC+1 in winter): 23:30 -> 02:30 local.
        let start = 1_700_000_000_000 / 86_400_000 * 86_400_000 + 22 * 3_600_000 + 1_800_000;
        let mut pts = Vec::new();
        for i in 0..(3 * 60) {
            let mut p = TelemetryPoint::new("T1", start + i * 60_000);
            p.speed_kmh = Some(60.0);
            p.ignition = Some(true);
            p.driver_id = (i % 7 != 3).then(|| "D1".to_string()); // gaps in the driver id
            pts.push(p);
        }
        let prof = profile();
        let tz: Tz = "Europe/Madrid".parse().unwrap();
        let mut b = RollupBuilder::new("T1", &prof, tz, &CoachConfig::default());
        for p in &pts {
            b.push(p);
        }
        let rs = b.finish();
        assert_eq!(rs.len(), 2, "{rs:?}");
        assert!(rs.iter().all(|r| r.driver_id == "D1"));
        assert_ne!(rs[0].day, rs[1].day);
        assert_eq!(rs[0].points + rs[1].points, 180);
        // 30 minutes before local midnight
        assert_eq!(rs[0].points, 30);
    }

    #[test]
    fn over_speed_costs_fuel_by_aerodynamic_drag() {
        // One hour at 100 km/h with a 90 limit: 100 km.
        let pts: Vec<_> = (0..=3600)
            .map(|i| {
                let mut p = TelemetryPoint::new("T1", i * 1000);
                p.speed_kmh = Some(100.0);
                p.ignition = Some(true);
                p
            })
            .collect();
        let t = total(&run(&pts));
        assert!((t.over_speed_h - 1.0).abs() < 1e-6);
        // 0.5 * 1.2 * 5.8 * (27.78^2 - 25^2) J/m over 100 km at 40% of 35.8 MJ/L
        let cfg = CoachConfig::default();
        let want = 0.5 * 1.2 * 5.8 * ((100.0f64 / 3.6).powi(2) - 25.0f64.powi(2)) * 100_000.0
            / (cfg.engine_efficiency * cfg.diesel_mj_per_l * 1e6);
        assert!(
            (t.over_speed_extra_l - want).abs() < 0.01,
            "{}",
            t.over_speed_extra_l
        );
        assert!((3.0..4.5).contains(&want), "{want} L per 100 km");
        assert!((t.speed_km - 100.0).abs() < 0.01);
    }

    #[test]
    fn fills_enter_the_balance_of_their_day_and_closed_days_wait_for_the_watermark() {
        use fc_ledger::{EventKind, EventStatus, FuelEvent};
        // Day 1: 2 h at 60 km/h burning 0.5 L/min, a 200 L fill at 12:00 while parked;
        // day 2 starts: day 1 is closed but kept until the watermark passes it.
        let mut pts = Vec::new();
        let mut fuel = 300.0;
        for m in 0..240i64 {
            let mut p = TelemetryPoint::new("T1", 8 * 3_600_000 + m * 60_000);
            // parked 20 min, driving 2 h, parked (the fill at 11:00)
            let driving = (20..140).contains(&m);
            p.speed_kmh = Some(if driving { 60.0 } else { 0.0 });
            p.ignition = Some(driving);
            p.driver_id = Some("D1".into());
            if driving {
                fuel -= 0.5;
            }
            if m == 180 {
                fuel += 200.0;
            }
            p.fuel_l = Some(fuel);
            pts.push(p);
        }
        let prof = profile();
        let mut b = RollupBuilder::new("T1", &prof, Tz::UTC, &CoachConfig::default());
        for p in &pts {
            b.push(p);
        }
        let mut next = TelemetryPoint::new("T1", 86_400_000 + 8 * 3_600_000);
        next.ignition = Some(false);
        next.speed_kmh = Some(0.0);
        b.push(&next);
        assert!(b.take_closed(8 * 3_600_000 + 239 * 60_000).is_empty());
        let fill = FuelEvent {
            id: "T1:fill:x".into(),
            truck_id: "T1".into(),
            kind: EventKind::Fill,
            status: EventStatus::Final,
            revision: 0,
            detector_version: "t".into(),
            start_ms: 8 * 3_600_000 + 179 * 60_000,
            end_ms: 8 * 3_600_000 + 181 * 60_000,
            volume_l: 200.0,
            lat: None,
            lon: None,
            rule_confidence: 0.9,
            evidence: serde_json::from_value(serde_json::json!({
                "window_start_ms": 0, "window_end_ms": 0, "samples": [],
                "level_before_l": 0.0, "level_after_l": 0.0, "expected_consumption_l": 0.0,
                "consumption_source": "none", "threshold_l": 10.0, "noise_l": 1.0,
                "noise_measured": true, "quantum_l": 0.0, "unobserved_ms": 0, "moved": false,
                "ignition_on": null,
                "reason": {"code": "stationary_rise", "margin": 2.0, "observed_change_l": 0.0,
                           "consumption_allowance_l": 0.0, "thermal_allowance_l": 0.0}
            }))
            .unwrap(),
        };
        b.event(&fill);
        let closed = b.take_closed(86_400_000 + 8 * 3_600_000);
        assert_eq!(closed.len(), 1);
        let d1 = &closed[0];
        assert_eq!(
            (d1.day.as_str(), d1.driver_id.as_str()),
            ("1970-01-01", "D1")
        );
        // 60 L burnt: start 300 - end 440 + 200 filled
        assert!((d1.fuel_l.unwrap() - 60.0).abs() < 1.0, "{d1:?}");
        assert!((d1.fills_l - 200.0).abs() < 1e-9);
        assert_eq!(b.finish().len(), 1);
    }

    #[test]
    fn out_of_order_points_are_counted_not_used() {
        let mut pts = series(0, &[10.0; 10]);
        pts.swap(3, 4);
        let t = total(&run(&pts));
        assert_eq!(t.out_of_order, 1);
        assert_eq!(t.points, 9);
    }
}
