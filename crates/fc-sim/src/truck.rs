//! One simulated truck: duty-cycle planner, vehicle and tank physics, sensors.

use std::collections::VecDeque;
use std::f64::consts::PI;
use std::sync::Arc;

use fc_model::{Purchase, TelemetryPoint};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use crate::config::Params;
use crate::geo::{Climate, Terrain, delta_m, delta_m_c, dist_m, mix_all, offset, offset_c, unit};
use crate::spec::{DriverProfile, Duty, TruckSpec};
use crate::{Label, LabelKind, Trap};

/// Volumetric thermal expansion of diesel, per degree C.
pub(crate) const BETA: f64 = 0.000_83;
const G: f64 = 9.81;
/// Lower heating value of diesel per litre (43 MJ/kg x 0.832 kg/L).
const DIESEL_J_PER_L: f64 = 35.8e6;
const ETA_DRIVELINE: f64 = 0.92;
const RHO_AIR: f64 = 1.2;
/// Reference temperature of the "true" (mass-like) fuel volume.
const T_REF: f64 = 15.0;
const SEC: i64 = 1_000;
const MIN: i64 = 60_000;
const HOUR: i64 = 3_600_000;
const DAY: i64 = 86_400_000;
/// Highway speed at 1000 rpm in each of 12 gears, km/h.
const KMH_PER_KRPM: [f64; 12] = [
    4.5, 6.0, 8.0, 10.5, 14.0, 18.5, 24.0, 31.0, 40.0, 51.0, 62.0, 72.0,
];

/// Everything shared by the trucks of one fleet.
pub(crate) struct Env {
    pub terrain: Terrain,
    pub climate: Climate,
    pub offset_ms: i64,
    pub params: Params,
    pub drivers: Vec<DriverProfile>,
    pub seed: u64,
    pub end_ms: i64,
    pub reefer: Option<crate::reefer::Reefer>,
    pub scripted: Option<crate::scripted::Scripted>,
}

impl Env {
    fn local_day(&self, t: i64) -> i64 {
        (t + self.offset_ms).div_euclid(DAY)
    }
    fn local_hour(&self, t: i64) -> f64 {
        (t + self.offset_ms).rem_euclid(DAY) as f64 / HOUR as f64
    }
    fn day_start(&self, day: i64) -> i64 {
        day * DAY - self.offset_ms
    }
}

/// 0 = Monday.
fn weekday(day: i64) -> i64 {
    (day + 3).rem_euclid(7)
}

/// A point on its way out, with the time it reaches the server.
pub(crate) struct Emitted {
    pub arrival: i64,
    pub seq: u64,
    pub point: TelemetryPoint,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Engine {
    Off,
    Idle,
    Pto,
    Run,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Purpose {
    Delivery,
    Depot,
    Station,
    Waypoint,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Road {
    Regional,
    Highway,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum StayKind {
    Park,
    Overnight,
    Warmup,
    Delivery,
    Lunch,
    Break,
    Refuel,
    Unload,
    SlopeWait,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Theft {
    NightSiphon,
    SlowDrain,
    Idling,
    InMotion,
    Small,
}

impl Theft {
    const ALL: [Theft; 5] = [
        Theft::NightSiphon,
        Theft::SlowDrain,
        Theft::Idling,
        Theft::InMotion,
        Theft::Small,
    ];
}

/// What to do next, before it has times attached.
#[derive(Clone, Copy, Debug)]
enum Intent {
    Leg {
        dest: (f64, f64),
        purpose: Purpose,
        road: Road,
    },
    Stay {
        kind: StayKind,
        dur: i64,
        engine: Engine,
    },
    /// Park until an absolute time.
    ParkUntil {
        kind: StayKind,
        until: i64,
    },
    Refuel,
}

#[derive(Clone, Copy, Debug)]
enum Ended {
    Start,
    Drive(Purpose),
    Stay(StayKind),
}

struct PurchasePlan {
    extra_l: f64,
    delay: i64,
    pos: (f64, f64),
}

/// Fuel moving in or out other than through the engine.
struct Transfer {
    kind: LabelKind,
    scenario: &'static str,
    start: i64,
    end: i64,
    rate_per_ms: f64,
    tank: usize,
    targets: Vec<f64>,
    goal: f64,
    done: f64,
    first: Option<i64>,
    last: i64,
    level_before: f64,
    purchase: Option<PurchasePlan>,
    finished: bool,
}

struct Leg {
    /// Cosine of the latitude at the start: legs are short enough for one value.
    cos_lat: f64,
    origin: (f64, f64),
    dest: (f64, f64),
    purpose: Purpose,
    road: Road,
    city_m: f64,
    next_light_odo: f64,
    light_red: bool,
    light_harsh: bool,
    light_wait: i64,
    waiting_until: i64,
    wiggle: f64,
    traffic: f64,
    slow_until: i64,
    slow_ms: f64,
    harsh_brake: bool,
    harsh_accel: bool,
    arrive_grade: Option<f64>,
    rough: bool,
    started: i64,
    drain: Option<Transfer>,
}

struct Stay {
    until: i64,
    engine: Engine,
    kind: StayKind,
    grade: f64,
    roll: f64,
    transfers: Vec<Transfer>,
    idle_boost: f64,
}

enum Activity {
    Drive(Box<Leg>),
    Stay(Stay),
    Done,
}

#[derive(Clone, Copy, Default)]
struct TankState {
    /// Litres at 15 degrees C (conserved by everything but fills, drains and the engine).
    l15: f64,
}

#[derive(Clone, Copy, Default)]
struct Slosh {
    tilt: f64,
    wave: f64,
}

/// The simulator's hidden truth for one truck, for tests and diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct TruckTruth {
    /// Litres (at 15 degrees C) in each tank now.
    pub tank_l: Vec<f64>,
    /// Capacity of each tank.
    pub capacity_l: Vec<f64>,
    /// Fuel burnt by the engine since the start, litres.
    pub consumed_l: f64,
    /// What the ECU counter added since the start (before resets), litres.
    pub ecu_counted_l: f64,
    /// The ECU counter's gain.
    pub ecu_gain: f64,
    /// Distance driven since the start, km.
    pub distance_km: f64,
    /// Engine-on time since the start, hours.
    pub engine_on_h: f64,
    /// Idling (engine on, standing) time since the start, hours.
    pub idle_h: f64,
    /// Fuel burnt while standing with the engine on, litres.
    pub idle_l: f64,
}

pub(crate) struct TruckSim {
    pub spec: TruckSpec,
    idx: usize,
    env: Arc<Env>,
    rng: ChaCha8Rng,
    pub t: i64,
    // kinematics
    lat: f64,
    lon: f64,
    alt: f64,
    v: f64,
    a_prev: f64,
    grade: f64,
    odo_m: f64,
    rpm: f64,
    rate_lph: f64,
    mass: f64,
    // engine and fuel
    engine: Engine,
    tanks: Vec<TankState>,
    fuel_temp: f64,
    slosh: Vec<Slosh>,
    consumed: f64,
    ecu_total: f64,
    reset_base: f64,
    engine_ms: i64,
    idle_ms: i64,
    idle_l: f64,
    ambient: f64,
    ambient_next: i64,
    relax: Relaxes,
    // plan
    act: Activity,
    queue: VecDeque<Intent>,
    driver: usize,
    stops_left: u32,
    stops_total: u32,
    lunch_done: bool,
    return_h: f64,
    trip_dest: (f64, f64),
    home_day: i64,
    driven_today: i64,
    since_break: i64,
    // daily randomness
    rolled_day: i64,
    pending_theft: Option<Theft>,
    stuck_pending: bool,
    brake_slope_pending: bool,
    phantom_pending: bool,
    gap_at: Option<i64>,
    reset_at: Option<i64>,
    far_at: Option<i64>,
    slope_then: Option<Purpose>,
    // device
    next_sample: i64,
    last_emit: i64,
    device_off_until: i64,
    gap_refuel: Option<i64>,
    stuck: Option<(i64, Option<[f64; 2]>)>,
    ar_noise: [f64; 2],
    seq: u64,
    pub out: Vec<Emitted>,
    pub delayed: Vec<Emitted>,
    pub labels: Vec<Label>,
    pub purchases: Vec<Purchase>,
    pending_purchases: Vec<Purchase>,
    pub traps: Vec<Trap>,
}

/// `1 - exp(-dt / tau)`, with the one-second drive step precomputed (it runs tens of millions of times).
#[derive(Clone, Copy)]
struct Relax {
    tau: f64,
    one_second: f64,
}

impl Relax {
    fn new(tau: f64) -> Self {
        Relax {
            tau,
            one_second: 1.0 - (-1.0 / tau).exp(),
        }
    }

    fn at(self, dt: f64) -> f64 {
        if dt == 1.0 {
            self.one_second
        } else {
            1.0 - (-dt / self.tau).exp()
        }
    }
}

const SLOSH_TILT_TAU_S: f64 = 2.0;
const SLOSH_WAVE_TAU_S: f64 = 6.0;
const CROSSOVER_TAU_S: f64 = 1_200.0;
const FUEL_HEAT_TAU_ON_S: f64 = 5_400.0;
const FUEL_HEAT_TAU_OFF_S: f64 = 14_400.0;

struct Relaxes {
    tilt: Relax,
    wave: Relax,
    crossover: Relax,
    heat_on: Relax,
    heat_off: Relax,
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    rng.sample::<f64, _>(StandardNormal)
}

fn r1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

impl TruckSim {
    pub(crate) fn new(
        spec: TruckSpec,
        idx: usize,
        env: Arc<Env>,
        rng: ChaCha8Rng,
        start: i64,
        driver: usize,
    ) -> Self {
        let mut rng = rng;
        let depot = spec.meta.depot;
        let caps: Vec<f64> = spec.profile.tanks.iter().map(|t| t.capacity_l).collect();
        let frac = rng.random_range(0.45..0.9);
        let tanks = caps.iter().map(|c| TankState { l15: c * frac }).collect();
        let alt = env.terrain.alt(depot.0, depot.1);
        let ambient = env.climate.ambient(start, alt);
        let n = caps.len();
        let ecu0 = spec.ecu0_l;
        let mass = spec.empty_kg;
        let mut sim = TruckSim {
            idx,
            rng,
            t: start,
            lat: depot.0,
            lon: depot.1,
            alt,
            v: 0.0,
            a_prev: 0.0,
            grade: 0.0,
            odo_m: 0.0,
            rpm: 0.0,
            rate_lph: 0.0,
            mass,
            engine: Engine::Off,
            tanks,
            fuel_temp: ambient,
            slosh: vec![Slosh::default(); n],
            consumed: 0.0,
            ecu_total: ecu0,
            reset_base: 0.0,
            engine_ms: 0,
            idle_ms: 0,
            idle_l: 0.0,
            ambient,
            ambient_next: start,
            relax: Relaxes {
                tilt: Relax::new(SLOSH_TILT_TAU_S),
                wave: Relax::new(SLOSH_WAVE_TAU_S),
                crossover: Relax::new(CROSSOVER_TAU_S),
                heat_on: Relax::new(FUEL_HEAT_TAU_ON_S),
                heat_off: Relax::new(FUEL_HEAT_TAU_OFF_S),
            },
            act: Activity::Done,
            queue: VecDeque::new(),
            driver,
            stops_left: 0,
            stops_total: 1,
            lunch_done: false,
            return_h: 17.0,
            trip_dest: depot,
            home_day: 0,
            driven_today: 0,
            since_break: 0,
            rolled_day: i64::MIN,
            pending_theft: None,
            stuck_pending: false,
            brake_slope_pending: false,
            phantom_pending: false,
            gap_at: None,
            reset_at: None,
            far_at: None,
            slope_then: None,
            next_sample: start,
            last_emit: i64::MIN,
            device_off_until: i64::MIN,
            gap_refuel: None,
            stuck: None,
            ar_noise: [0.0; 2],
            seq: 0,
            out: Vec::new(),
            delayed: Vec::new(),
            labels: Vec::new(),
            purchases: Vec::new(),
            pending_purchases: Vec::new(),
            traps: Vec::new(),
            env,
            spec,
        };
        if sim.spec.meta.thermal_drift_pct_per_c != 0.0 {
            let note = format!(
                "gauge drifts {:+.2} %/degC with ambient temperature",
                sim.spec.meta.thermal_drift_pct_per_c
            );
            sim.trap("thermal_drift", start, sim.env.end_ms, note);
        }
        sim.roll_day();
        sim.begin_next(Ended::Start);
        sim
    }

    /// Ends the simulation: transfers under way are labelled with what moved so far,
    /// purchases billed after the end are dropped.
    pub(crate) fn close(&mut self) {
        let act = std::mem::replace(&mut self.act, Activity::Done);
        let mut open: Vec<Transfer> = match act {
            Activity::Drive(mut leg) => leg.drain.take().into_iter().collect(),
            Activity::Stay(stay) => stay.transfers,
            Activity::Done => Vec::new(),
        };
        for tr in &mut open {
            if !tr.finished {
                self.finish_transfer(tr);
            }
        }
        let end = self.env.end_ms;
        self.pending_purchases.retain(|p| p.ts < end);
        self.purchases.append(&mut self.pending_purchases);
    }

    fn id(&self) -> &str {
        &self.spec.profile.truck_id
    }

    fn trap(&mut self, kind: &str, start: i64, end: i64, note: String) {
        self.traps.push(Trap {
            truck_id: self.spec.profile.truck_id.clone(),
            kind: kind.to_string(),
            start,
            end,
            note,
        });
    }

    fn caps(&self, i: usize) -> f64 {
        self.spec.profile.tanks[i].capacity_l
    }

    fn total_l15(&self) -> f64 {
        self.tanks.iter().map(|t| t.l15).sum()
    }

    fn total_cap(&self) -> f64 {
        self.spec.profile.capacity_l()
    }

    fn drv(&self) -> &DriverProfile {
        &self.env.drivers[self.driver]
    }

    pub(crate) fn truth(&self) -> TruckTruth {
        TruckTruth {
            tank_l: self.tanks.iter().map(|t| t.l15).collect(),
            capacity_l: self
                .spec
                .profile
                .tanks
                .iter()
                .map(|t| t.capacity_l)
                .collect(),
            consumed_l: self.consumed,
            ecu_counted_l: self.ecu_total - self.spec.ecu0_l,
            ecu_gain: self.spec.meta.ecu_gain,
            distance_km: self.odo_m / 1000.0,
            engine_on_h: self.engine_ms as f64 / HOUR as f64,
            idle_h: self.idle_ms as f64 / HOUR as f64,
            idle_l: self.idle_l,
        }
    }

    // ---------------------------------------------------------------- stepping

    /// Runs every step that ends at or before `until` (never past the fleet's end).
    pub(crate) fn advance(&mut self, until: i64) {
        let until = until.min(self.env.end_ms);
        loop {
            let dt = self.next_dt();
            if self.t + dt > until {
                break;
            }
            self.step(dt);
        }
    }

    /// The next step's length. Depends only on the state, never on the caller's
    /// horizon, so that any chunking of `advance` gives the same output.
    fn next_dt(&self) -> i64 {
        let t = self.t;
        match &self.act {
            Activity::Drive(_) => SEC,
            Activity::Done => DAY,
            Activity::Stay(s) => {
                let mut dt = MIN;
                let mut consider = |c: i64| {
                    if c > t {
                        dt = dt.min(c - t);
                    }
                };
                consider(s.until);
                for tr in &s.transfers {
                    if !tr.finished {
                        consider(tr.start);
                        consider(tr.end);
                        if tr.start <= t && t < tr.end {
                            consider(t + 10 * SEC);
                        }
                    }
                }
                consider(self.next_sample);
                consider(self.device_off_until);
                for c in [self.gap_at, self.reset_at, self.far_at]
                    .into_iter()
                    .flatten()
                {
                    consider(c);
                }
                for p in &self.pending_purchases {
                    consider(p.ts);
                }
                dt.max(1)
            }
        }
    }

    fn step(&mut self, dt: i64) {
        if self.env.local_day(self.t) != self.rolled_day {
            self.roll_day();
        }
        let t0 = self.t;
        let t1 = t0 + dt;
        if t1 >= self.ambient_next {
            self.ambient = self.env.climate.ambient(t1, self.alt);
            self.ambient_next = t1 + MIN;
        }
        let act = std::mem::replace(&mut self.act, Activity::Done);
        let mut ended = None;
        match act {
            Activity::Drive(mut leg) => {
                let arrived = self.drive_step(&mut leg, t1);
                self.t = t1;
                if arrived {
                    ended = self.finish_drive(*leg);
                } else {
                    self.act = Activity::Drive(leg);
                }
            }
            Activity::Stay(mut stay) => {
                self.stay_step(&mut stay, t0, t1);
                self.t = t1;
                if t1 >= stay.until {
                    for tr in &mut stay.transfers {
                        if !tr.finished {
                            self.finish_transfer(tr);
                        }
                    }
                    ended = Some(Ended::Stay(stay.kind));
                } else {
                    self.act = Activity::Stay(stay);
                }
            }
            Activity::Done => {
                self.t = t1;
            }
        }
        self.timed_events();
        if let Some(e) = ended {
            self.begin_next(e);
        }
        self.maybe_sample();
    }

    fn timed_events(&mut self) {
        let t = self.t;
        if self.gap_at.is_some_and(|g| t >= g) {
            self.gap_at = None;
            if self.device_off_until <= t {
                let dur = self.rng.random_range(2 * HOUR..8 * HOUR);
                self.device_off_until = t + dur;
                self.trap("data_gap", t, t + dur, "tracker offline".into());
            }
        }
        if self.reset_at.is_some_and(|r| t >= r) {
            self.reset_at = None;
            self.reset_base = self.ecu_total;
            self.trap(
                "counter_reset",
                t,
                t,
                "ECU fuel_used_l restarts at 0".into(),
            );
        }
        if self.far_at.is_some_and(|f| t >= f) {
            self.far_at = None;
            let d = self.rng.random_range(60_000.0..300_000.0);
            let b = self.rng.random_range(0.0..2.0 * PI);
            let pos = offset(self.lat, self.lon, d * b.cos(), d * b.sin());
            let litres = r1(self.rng.random_range(150.0..450.0));
            let p = self.purchase(t, litres, pos);
            self.trap(
                "fraud_far_station",
                t,
                t,
                format!(
                    "card used {:.0} km from the truck for {litres} L",
                    d / 1000.0
                ),
            );
            self.purchases.push(p);
        }
        if !self.pending_purchases.is_empty() {
            let mut i = 0;
            while i < self.pending_purchases.len() {
                if self.pending_purchases[i].ts <= t {
                    let p = self.pending_purchases.remove(i);
                    self.purchases.push(p);
                } else {
                    i += 1;
                }
            }
        }
    }

    fn purchase(&mut self, ts: i64, litres: f64, pos: (f64, f64)) -> Purchase {
        let code = mix_all(&[
            self.env.seed,
            (pos.0 * 1000.0).round() as i64 as u64,
            (pos.1 * 1000.0).round() as i64 as u64,
        ]) % 900
            + 100;
        let price = 1.45 + 0.5 * unit(mix_all(&[self.env.seed, code, 0x9]));
        Purchase {
            truck_id: self.id().to_string(),
            ts,
            litres,
            price_per_l: (price * 1000.0).round() / 1000.0,
            lat: Some((pos.0 * 1e6).round() / 1e6),
            lon: Some((pos.1 * 1e6).round() / 1e6),
            card_id: Some(format!("CARD-{}", self.id())),
            station: Some(format!("Station {code}")),
        }
    }

    fn roll_day(&mut self) {
        let env = Arc::clone(&self.env);
        let p = env.params;
        let day = env.local_day(self.t);
        self.rolled_day = day;
        let start = env.day_start(day);
        let r: [f64; 8] = std::array::from_fn(|_| self.rng.random());
        let when = self.rng.random_range(0..DAY);
        let when2 = self.rng.random_range(6 * HOUR..20 * HOUR);
        if r[0] < p.theft_per_day {
            let total: f64 = p.theft_weights.iter().sum();
            let mut x = r[1] * total;
            let mut pick = Theft::NightSiphon;
            for (k, w) in Theft::ALL.iter().zip(p.theft_weights) {
                if x < w {
                    pick = *k;
                    break;
                }
                x -= w;
            }
            self.pending_theft = Some(pick);
        }
        self.stuck_pending |= r[2] < p.stuck_per_day;
        self.brake_slope_pending |= r[3] < p.brake_slope_per_day;
        self.phantom_pending |= r[4] < p.phantom_per_day;
        if r[5] < p.gap_per_day {
            self.gap_at = Some(start + when);
        }
        if r[6] < p.reset_per_day && self.spec.meta.has_ecu {
            self.reset_at = Some(start + (when + 5 * HOUR) % DAY);
        }
        if r[7] < p.far_per_day {
            self.far_at = Some(start + when2);
        }
    }

    // ---------------------------------------------------------------- planning

    fn begin_next(&mut self, ended: Ended) {
        let ended = match (ended, self.slope_then.take()) {
            (Ended::Stay(StayKind::SlopeWait), Some(p)) => {
                self.grade *= 0.2; // rolled onto level ground
                Ended::Drive(p)
            }
            (e, _) => e,
        };
        if self.t >= self.env.end_ms {
            self.act = Activity::Done;
            return;
        }
        let intent = match self.queue.pop_front() {
            Some(i) => i,
            None => match self.spec.meta.duty {
                Duty::Regional => self.plan_regional(ended),
                Duty::LongHaul => self.plan_long_haul(ended),
            },
        };
        self.begin(intent);
    }

    fn is_workday(&self, day: i64) -> bool {
        let h = unit(mix_all(&[
            self.env.seed,
            self.idx as u64,
            0xD0FF,
            day as u64,
        ]));
        match weekday(day) {
            0..=4 => h > 0.05,
            5 => self.spec.meta.duty == Duty::Regional && h < 0.2,
            _ => false,
        }
    }

    /// Next departure in local time: regional 06:00-08:00, long haul 04:00-07:00 on Mondays.
    fn next_departure(&self, t: i64) -> i64 {
        let env = &self.env;
        let mut day = env.local_day(t);
        if env.local_hour(t) >= 4.0 {
            day += 1;
        }
        for _ in 0..30 {
            let ok = match self.spec.meta.duty {
                Duty::Regional => self.is_workday(day),
                Duty::LongHaul => weekday(day) == 0 || (weekday(day) < 3 && self.is_workday(day)),
            };
            if ok {
                let h = unit(mix_all(&[
                    self.env.seed,
                    self.idx as u64,
                    0xDE9,
                    day as u64,
                ]));
                let hour = match self.spec.meta.duty {
                    Duty::Regional => 6.0 + 2.0 * h,
                    Duty::LongHaul => 4.0 + 3.0 * h,
                };
                return env.day_start(day) + (hour * HOUR as f64) as i64;
            }
            day += 1;
        }
        env.day_start(day)
    }

    fn pick_driver(&mut self, day: i64) {
        // Regional trucks share one relief driver per group of five, at most one truck a day,
        // so that a driver is never in two trucks at once.
        let g = self.idx / 5;
        self.driver = self.idx;
        let wanted = match self.spec.meta.duty {
            Duty::Regional => {
                let h = mix_all(&[self.env.seed, 0x4E11EF, g as u64, day as u64]);
                let chosen = g * 5 + ((h >> 20) % 5) as usize;
                (unit(h) < 0.3 && chosen == self.idx).then(|| format!("R{:02}", g + 1))
            }
            // Long-haul trucks swap between their two drivers from trip to trip.
            Duty::LongHaul => self
                .rng
                .random_bool(0.3)
                .then(|| format!("{}B", self.spec.meta.primary_driver)),
        };
        if let Some(id) = wanted
            && let Some(i) = self.env.drivers.iter().position(|d| d.driver_id == id)
        {
            self.driver = i;
        }
    }

    fn plan_regional(&mut self, ended: Ended) -> Intent {
        let env = Arc::clone(&self.env);
        let depot = self.spec.meta.depot;
        match ended {
            Ended::Start | Ended::Drive(Purpose::Depot) => Intent::ParkUntil {
                kind: StayKind::Park,
                until: self.next_departure(self.t),
            },
            Ended::Stay(StayKind::Park) => {
                let day = env.local_day(self.t);
                self.pick_driver(day);
                self.stops_total = self.rng.random_range(4..=9);
                self.stops_left = self.stops_total;
                self.lunch_done = false;
                self.return_h = self.rng.random_range(15.5..18.0);
                self.mass = self.spec.empty_kg + self.spec.payload_max_kg;
                let cold = self.ambient < 0.0;
                let mins = if cold { 8..20 } else { 3..12 };
                Intent::Stay {
                    kind: StayKind::Warmup,
                    dur: self.rng.random_range(mins) * MIN,
                    engine: Engine::Idle,
                }
            }
            Ended::Drive(Purpose::Delivery) => {
                self.stops_left = self.stops_left.saturating_sub(1);
                let load =
                    f64::from(self.stops_left) / f64::from(self.stops_total.max(1)) * 0.8 + 0.2;
                self.mass = self.spec.empty_kg + self.spec.payload_max_kg * load;
                let dur = self.rng.random_range(12..40) * MIN;
                let pto = self.spec.meta.body.has_pto() && self.rng.random_bool(0.7);
                if pto {
                    // PTO for part of the stop: the idle part comes first, the rest off.
                    let p = self.rng.random_range(5..15) * MIN;
                    self.queue.push_back(Intent::Stay {
                        kind: StayKind::Delivery,
                        dur: (dur - p).max(3 * MIN),
                        engine: Engine::Off,
                    });
                    return Intent::Stay {
                        kind: StayKind::Delivery,
                        dur: p,
                        engine: Engine::Pto,
                    };
                }
                self.stop_with_habit(StayKind::Delivery, dur)
            }
            Ended::Stay(StayKind::Delivery)
                if !self.lunch_done && env.local_hour(self.t) >= 11.5 && self.queue.is_empty() =>
            {
                self.lunch_done = true;
                let dur = self.rng.random_range(30..50) * MIN;
                self.stop_with_habit(StayKind::Lunch, dur)
            }
            _ => {
                let h = env.local_hour(self.t);
                if h >= self.return_h || (self.stops_left == 0 && h >= 14.0) {
                    Intent::Leg {
                        dest: depot,
                        purpose: Purpose::Depot,
                        road: Road::Regional,
                    }
                } else {
                    // Next customer: 4-25 km away, kept within 55 km of the depot.
                    let here = (self.lat, self.lon);
                    let mut dest;
                    let mut tries = 0;
                    loop {
                        let d = self.rng.random_range(4_000.0..25_000.0);
                        let b = self.rng.random_range(0.0..2.0 * PI);
                        dest = offset(here.0, here.1, d * b.cos(), d * b.sin());
                        tries += 1;
                        if dist_m(dest, depot) < 55_000.0 || tries > 20 {
                            break;
                        }
                    }
                    Intent::Leg {
                        dest,
                        purpose: Purpose::Delivery,
                        road: Road::Regional,
                    }
                }
            }
        }
    }

    /// A stop where a driver with an idling habit leaves the engine running for part or all of it.
    fn stop_with_habit(&mut self, kind: StayKind, dur: i64) -> Intent {
        let idle_p = self.drv().idle_at_stops_p;
        if self.rng.random_bool(idle_p) {
            if self.rng.random_bool(0.5) {
                return Intent::Stay {
                    kind,
                    dur,
                    engine: Engine::Idle,
                };
            }
            let idle = (self.rng.random_range(0.1..0.5) * dur as f64) as i64;
            self.queue.push_front(Intent::Stay {
                kind,
                dur: (dur - idle).max(MIN),
                engine: Engine::Off,
            });
            return Intent::Stay {
                kind,
                dur: idle.max(MIN),
                engine: Engine::Idle,
            };
        }
        Intent::Stay {
            kind,
            dur,
            engine: Engine::Off,
        }
    }

    fn plan_long_haul(&mut self, ended: Ended) -> Intent {
        let env = Arc::clone(&self.env);
        let depot = self.spec.meta.depot;
        match ended {
            Ended::Start | Ended::Drive(Purpose::Depot) => {
                return Intent::ParkUntil {
                    kind: StayKind::Park,
                    until: self.next_departure(self.t),
                };
            }
            Ended::Stay(StayKind::Park) => {
                let day = env.local_day(self.t);
                self.pick_driver(day);
                self.home_day = day + (4 - weekday(day)).max(1);
                self.trip_dest = self.random_dest(depot, 250_000.0, 450_000.0);
                self.mass =
                    self.spec.empty_kg + self.spec.payload_max_kg * self.rng.random_range(0.5..1.0);
                self.driven_today = 0;
                self.since_break = 0;
                return Intent::Stay {
                    kind: StayKind::Warmup,
                    dur: self.rng.random_range(5..15) * MIN,
                    engine: Engine::Idle,
                };
            }
            Ended::Stay(StayKind::Overnight) => {
                self.driven_today = 0;
                self.since_break = 0;
            }
            Ended::Stay(StayKind::Break) => self.since_break = 0,
            _ => {}
        }
        let h = env.local_hour(self.t);
        let here = (self.lat, self.lon);
        if self.since_break >= 4 * HOUR + 30 * MIN {
            let dur = self.rng.random_range(45..55) * MIN;
            return self.stop_with_habit(StayKind::Break, dur);
        }
        if self.driven_today >= 9 * HOUR || !(4.0..21.0).contains(&h) {
            let day = env.local_day(self.t) + i64::from(h >= 4.0);
            let wake = env.day_start(day) + self.rng.random_range(5 * HOUR..6 * HOUR + 30 * MIN);
            let until = wake.max(self.t + 9 * HOUR);
            let climate = self.ambient < 3.0 || self.ambient > 22.0;
            let engine = if climate && self.rng.random_bool(self.drv().overnight_idle_p) {
                self.trap(
                    "overnight_idle",
                    self.t,
                    until,
                    format!(
                        "engine idles all night for cabin comfort ({:.0} degC)",
                        self.ambient
                    ),
                );
                Engine::Idle
            } else {
                Engine::Off
            };
            return Intent::Stay {
                kind: StayKind::Overnight,
                dur: until - self.t,
                engine,
            };
        }
        if dist_m(here, self.trip_dest) < 300.0 {
            let dur = self.rng.random_range(60..120) * MIN;
            let day = env.local_day(self.t);
            if day >= self.home_day {
                self.trip_dest = depot;
            } else {
                let mut d = self.random_dest(here, 200_000.0, 450_000.0);
                if dist_m(d, depot) > 650_000.0 {
                    d = self.random_dest(depot, 150_000.0, 350_000.0);
                }
                self.trip_dest = d;
            }
            self.mass =
                self.spec.empty_kg + self.spec.payload_max_kg * self.rng.random_range(0.3..1.0);
            return Intent::Stay {
                kind: StayKind::Unload,
                dur,
                engine: Engine::Off,
            };
        }
        let (dn, de) = delta_m(here, self.trip_dest);
        let d = dn.hypot(de);
        let home = self.trip_dest == depot;
        if d <= 70_000.0 {
            return Intent::Leg {
                dest: self.trip_dest,
                purpose: if home {
                    Purpose::Depot
                } else {
                    Purpose::Waypoint
                },
                road: Road::Highway,
            };
        }
        // A waypoint 40-60 km on, off the straight line: the route turns between waypoints.
        let step = self.rng.random_range(40_000.0..60_000.0);
        let lateral = self.rng.random_range(-8_000.0..8_000.0);
        let (un, ue) = (dn / d, de / d);
        let dest = offset(
            here.0,
            here.1,
            un * step - ue * lateral,
            ue * step + un * lateral,
        );
        Intent::Leg {
            dest,
            purpose: Purpose::Waypoint,
            road: Road::Highway,
        }
    }

    fn random_dest(&mut self, from: (f64, f64), lo: f64, hi: f64) -> (f64, f64) {
        let d = self.rng.random_range(lo..hi);
        let b = self.rng.random_range(0.0..2.0 * PI);
        offset(from.0, from.1, d * b.cos(), d * b.sin())
    }

    fn begin(&mut self, intent: Intent) {
        let t = self.t;
        match intent {
            Intent::Leg {
                dest,
                purpose,
                road,
            } => self.begin_leg(dest, purpose, road),
            Intent::Stay { kind, dur, engine } => self.begin_stay(kind, t + dur.max(MIN), engine),
            Intent::ParkUntil { kind, until } => {
                self.begin_stay(kind, until.max(t + MIN), Engine::Off)
            }
            Intent::Refuel => self.begin_refuel(),
        }
    }

    fn set_engine(&mut self, e: Engine) {
        let was_on = self.engine != Engine::Off;
        self.engine = e;
        let on = e != Engine::Off;
        // Standing values until the next step computes the real ones.
        (self.rpm, self.rate_lph) = match e {
            Engine::Off => (0.0, 0.0),
            Engine::Idle | Engine::Run => (self.spec.idle_rpm, self.spec.meta.idle_lph),
            Engine::Pto => (1_050.0, self.spec.meta.idle_lph + self.spec.pto_lph),
        };
        if was_on != on {
            self.emit_event();
        }
    }

    fn begin_leg(&mut self, dest: (f64, f64), purpose: Purpose, road: Road) {
        let env = Arc::clone(&self.env);
        let t = self.t;
        let here = (self.lat, self.lon);
        let level = self.total_l15() / self.total_cap();
        if purpose != Purpose::Station && purpose != Purpose::Depot || level < 0.12 {
            let threshold = self.drv().refuel_at_frac;
            if level < threshold && purpose != Purpose::Station && t + 2 * HOUR < env.end_ms {
                // Detour to a station 1-3 km on the way, then carry on to the same place.
                self.queue.push_front(Intent::Leg {
                    dest,
                    purpose,
                    road,
                });
                self.queue.push_front(Intent::Refuel);
                let (dn, de) = delta_m(here, dest);
                let d = dn.hypot(de).max(1.0);
                let step = self.rng.random_range(1_000.0..3_000.0_f64).min(d);
                let side = self.rng.random_range(-300.0..300.0);
                let station = offset(
                    here.0,
                    here.1,
                    dn / d * step - de / d * side,
                    de / d * step + dn / d * side,
                );
                if self.rng.random_bool(env.params.gap_refuel_p) && self.device_off_until <= t {
                    // The tracker goes offline on the way and comes back after the refuel.
                    self.device_off_until = i64::MAX;
                    self.gap_refuel = Some(t);
                }
                return self.begin_leg(station, Purpose::Station, road);
            }
        }
        self.set_engine(Engine::Run);
        let dist = dist_m(here, dest);
        let est_ms = (dist * 1.15
            / match road {
                Road::Regional => 13.0,
                Road::Highway => 22.0,
            }
            * 1000.0) as i64;
        let mut leg = Leg {
            cos_lat: ((here.0 + dest.0) * 0.5).to_radians().cos(),
            origin: here,
            dest,
            purpose,
            road,
            city_m: match road {
                Road::Regional => self.rng.random_range(1_500.0..4_000.0),
                Road::Highway => self.rng.random_range(800.0..2_500.0),
            },
            next_light_odo: self.odo_m,
            light_red: false,
            light_harsh: false,
            light_wait: 0,
            waiting_until: 0,
            wiggle: 0.0,
            traffic: 1.0,
            slow_until: 0,
            slow_ms: 0.0,
            harsh_brake: self.rng.random_bool(self.drv().harsh_brake_p),
            harsh_accel: self.rng.random_bool(self.drv().harsh_accel_p),
            arrive_grade: None,
            rough: self.rng.random_bool(self.spec.rough_share),
            started: t,
            drain: None,
        };
        self.new_light(&mut leg, true);
        if self.stuck_pending && est_ms > 20 * MIN {
            self.stuck_pending = false;
            let dur = self.rng.random_range(2 * HOUR..6 * HOUR);
            self.stuck = Some((t + dur, None));
            self.trap(
                "stuck_sensor",
                t,
                t + dur,
                "gauge frozen, then jumps to the true level".into(),
            );
        }
        if self.brake_slope_pending
            && matches!(purpose, Purpose::Delivery | Purpose::Waypoint)
            && est_ms > 5 * MIN
        {
            self.brake_slope_pending = false;
            leg.harsh_brake = true;
            // Nose down the slope on the side that moves fuel away from the sensor.
            let g = self.rng.random_range(0.06..0.09);
            leg.arrive_grade = Some(if self.spec.sensor_pos[0] > 0.0 { -g } else { g });
        }
        if self.pending_theft == Some(Theft::InMotion) && est_ms >= 15 * MIN {
            let goal = self
                .rng
                .random_range(40.0..80.0_f64)
                .min(self.total_l15() - 60.0);
            if goal > 30.0 && t + 3 * est_ms < self.env.end_ms {
                self.pending_theft = None;
                let start = t + MIN;
                let end = start + (est_ms as f64 * 0.7) as i64;
                let tank = self.rng.random_range(0..self.tanks.len());
                leg.drain = Some(self.transfer_out(start, end, goal, tank, "in_motion_theft"));
            }
        }
        self.act = Activity::Drive(Box::new(leg));
    }

    fn transfer_out(
        &self,
        start: i64,
        end: i64,
        goal: f64,
        tank: usize,
        scenario: &'static str,
    ) -> Transfer {
        Transfer {
            kind: LabelKind::Drain,
            scenario,
            start,
            end,
            rate_per_ms: goal / (end - start).max(1) as f64,
            tank,
            targets: Vec::new(),
            goal,
            done: 0.0,
            first: None,
            last: start,
            level_before: 0.0,
            purchase: None,
            finished: false,
        }
    }

    fn begin_stay(&mut self, kind: StayKind, until: i64, engine: Engine) {
        let env = Arc::clone(&self.env);
        let p = env.params;
        let t = self.t;
        self.v = 0.0;
        let mut stay = Stay {
            until,
            engine,
            kind,
            grade: self.grade,
            roll: 0.0,
            transfers: Vec::new(),
            idle_boost: 1.0,
        };
        if kind == StayKind::Overnight && engine == Engine::Idle {
            stay.idle_boost = 1.3; // heater or air conditioning load
        }
        if matches!(
            kind,
            StayKind::Park | StayKind::Overnight | StayKind::Delivery | StayKind::Unload
        ) && self.tanks.len() == 2
            && self.rng.random_bool(p.slope_park_p)
        {
            let r = self.rng.random_range(0.03..0.06);
            stay.roll = if self.rng.random_bool(0.5) { r } else { -r };
            self.trap(
                "tank_equalise",
                t,
                until,
                format!(
                    "parked on a {:.0}% side slope: fuel flows between the tanks",
                    r * 100.0
                ),
            );
        }
        // Idle theft: the engine runs while fuel is taken at a stop.
        if self.pending_theft == Some(Theft::Idling)
            && matches!(kind, StayKind::Delivery | StayKind::Lunch | StayKind::Break)
        {
            let goal = self
                .rng
                .random_range(30.0..100.0_f64)
                .min(self.total_l15() - 60.0);
            if goal > 20.0 && t + 2 * HOUR < env.end_ms {
                self.pending_theft = None;
                let start = t + self.rng.random_range(2 * MIN..5 * MIN);
                let end = start + self.rng.random_range(5 * MIN..20 * MIN);
                let tank = self.rng.random_range(0..self.tanks.len());
                stay.engine = Engine::Idle;
                stay.until = stay
                    .until
                    .max(end + self.rng.random_range(3 * MIN..8 * MIN));
                stay.transfers
                    .push(self.transfer_out(start, end, goal, tank, "idle_theft"));
            }
        }
        if matches!(kind, StayKind::Park | StayKind::Overnight) {
            self.plan_night_theft(&mut stay);
            if let Some((s, e, litres)) = env.reefer.and_then(|r| {
                let from_depot = dist_m((self.lat, self.lon), self.spec.meta.depot);
                let on_board = self.total_l15();
                r.plan(
                    self.idx,
                    env.local_day(t),
                    env.local_hour(t),
                    from_depot,
                    t,
                    stay.until,
                    on_board,
                    env.end_ms,
                )
            }) {
                let tank = self.tanks.len() - 1;
                stay.transfers
                    .push(self.transfer_out(s, e, litres, tank, crate::reefer::SCENARIO));
            }
            if let Some((s, e, litres)) = env.scripted.and_then(|sc| {
                let on_board = self.tanks.first().map_or(0.0, |tk| tk.l15);
                sc.plan(
                    self.idx,
                    t,
                    stay.until,
                    on_board,
                    stay.engine == Engine::Off,
                )
            }) {
                stay.transfers
                    .push(self.transfer_out(s, e, litres, 0, crate::scripted::SCENARIO));
            }
        }
        if self.phantom_pending
            && matches!(
                kind,
                StayKind::Delivery | StayKind::Lunch | StayKind::Break | StayKind::Unload
            )
        {
            self.phantom_pending = false;
            let ts = t + self.rng.random_range(2 * MIN..8 * MIN);
            let litres = r1(self.rng.random_range(80.0..250.0));
            let pos = offset(self.lat, self.lon, self.rng.random_range(-60.0..60.0), 40.0);
            let purchase = self.purchase(ts, litres, pos);
            self.pending_purchases.push(purchase);
            self.trap(
                "fraud_no_fill",
                ts,
                ts,
                format!("{litres} L billed at a station beside the truck, tank unchanged"),
            );
        }
        self.set_engine(stay.engine);
        self.act = Activity::Stay(stay);
    }

    /// Whether a 15-25 L theft is something a sensor could show (else thieves take more and
    /// it becomes a night siphon; a label nobody could see only measures the labeller).
    /// Needed: a tank of at least 600 L (a small one is watched too closely to steal a
    /// little), a tracker that reports while parked (else the only witnesses are two single
    /// readings), and gauge noise small enough that the medians of a parked night resolve
    /// 15 L at four sigma: the probe noise is partly correlated (AR(1), 0.9 per reading), so
    /// a median of ~15-30 parked readings keeps about 0.45 of one reading's noise and the
    /// difference of two such medians 0.65 of it; 4 x 0.65 sigma <= 15 L gives
    /// sigma <= ~6 L (about 1% of a 600 L tank).
    fn small_theft_visible(&self) -> bool {
        let meta = &self.spec.meta;
        let n = self.tanks.len().max(1) as f64;
        let sigma_l = meta.noise_pct / 100.0 * self.total_cap() / n.sqrt();
        self.total_cap() >= 600.0
            && meta.parked_interval_s.is_some()
            && 4.0 * 0.65 * sigma_l <= 15.0
    }

    fn plan_night_theft(&mut self, stay: &mut Stay) {
        let Some(kind) = self.pending_theft else {
            return;
        };
        if !matches!(kind, Theft::NightSiphon | Theft::SlowDrain | Theft::Small) {
            return;
        }
        let env = Arc::clone(&self.env);
        let t = self.t;
        let offset_in_night = self.rng.random_range(-90 * MIN..210 * MIN);
        // The first night (22:30-03:30 local) that starts at least 45 min after parking.
        let first_day = env.local_day(t);
        let Some(start) = (first_day..first_day + 4)
            .map(|d| env.day_start(d) + offset_in_night)
            .find(|&s| s >= t + 45 * MIN)
        else {
            return;
        };
        let kind = if kind == Theft::Small && !self.small_theft_visible() {
            Theft::NightSiphon
        } else {
            kind
        };
        let (goal, dur, scenario) = match kind {
            Theft::SlowDrain => {
                let dur = self.rng.random_range(60 * MIN..150 * MIN);
                let rate = self.rng.random_range(0.7..1.3);
                (rate * dur as f64 / MIN as f64, dur, "slow_drain")
            }
            Theft::Small => (
                self.rng.random_range(15.0..25.0),
                self.rng.random_range(3 * MIN..10 * MIN),
                "small_theft",
            ),
            _ => (
                self.rng.random_range(30.0..200.0),
                self.rng.random_range(5 * MIN..40 * MIN),
                "night_siphon",
            ),
        };
        let goal = goal.min(self.total_l15() - 40.0);
        let end = start + dur;
        if goal < 12.0 || end + 30 * MIN > stay.until || end + HOUR > env.end_ms {
            return;
        }
        self.pending_theft = None;
        // Thieves take from the tank they can reach; with two tanks either one.
        let tank = self.rng.random_range(0..self.tanks.len());
        stay.transfers
            .push(self.transfer_out(start, end, goal, tank, scenario));
    }

    fn begin_refuel(&mut self) {
        let env = Arc::clone(&self.env);
        let p = env.params;
        let t = self.t;
        let engine = if self.rng.random_bool(0.2) {
            Engine::Idle
        } else {
            Engine::Off
        };
        let start = t + self.rng.random_range(MIN..3 * MIN);
        let fill_to = self.rng.random_range(0.95..0.985);
        let targets: Vec<f64> = (0..self.tanks.len())
            .map(|i| (self.caps(i) * fill_to).max(self.tanks[i].l15))
            .collect();
        let goal: f64 = targets
            .iter()
            .zip(&self.tanks)
            .map(|(tg, s)| tg - s.l15)
            .sum();
        let pump = self.rng.random_range(40.0..75.0);
        let minutes = (goal / pump).clamp(3.0, 12.0);
        let end = start + (minutes * MIN as f64) as i64;
        let in_gap = self.gap_refuel.is_some();
        // A fill hidden in a gap keeps its card purchase: the bill is the only other witness.
        let cash = !in_gap && self.rng.random_bool(p.cash_p);
        let short = !cash && self.rng.random_bool(p.short_fill_p);
        let scenario = if short {
            "fraud_short_fill"
        } else if in_gap {
            "refuel_in_gap"
        } else if cash {
            "refuel_cash"
        } else if engine == Engine::Idle {
            "refuel_idling"
        } else {
            "refuel"
        };
        let delay = self.rng.random_range(MIN..4 * MIN);
        let pos = offset(
            self.lat,
            self.lon,
            self.rng.random_range(-50.0..50.0),
            self.rng.random_range(-50.0..50.0),
        );
        let purchase = (!cash).then(|| PurchasePlan {
            extra_l: if short {
                self.rng.random_range(30.0..120.0)
            } else {
                0.0
            },
            delay,
            pos,
        });
        let until = end + delay + self.rng.random_range(MIN..4 * MIN);
        if let Some(gap_start) = self.gap_refuel.take() {
            let back = until + self.rng.random_range(20 * MIN..90 * MIN);
            self.device_off_until = back;
            self.trap(
                "data_gap",
                gap_start,
                back,
                "tracker offline; a refuel happens inside".into(),
            );
        }
        if cash {
            self.trap(
                "cash_fill",
                start,
                end,
                "fill without a card purchase".into(),
            );
        }
        let tr = Transfer {
            kind: LabelKind::Fill,
            scenario,
            start,
            end,
            rate_per_ms: goal / (end - start).max(1) as f64,
            tank: 0,
            targets,
            goal,
            done: 0.0,
            first: None,
            last: start,
            level_before: 0.0,
            purchase,
            finished: false,
        };
        let stay = Stay {
            until,
            engine,
            kind: StayKind::Refuel,
            grade: self.grade * 0.3, // forecourts are nearly level
            roll: 0.0,
            transfers: vec![tr],
            idle_boost: 1.0,
        };
        self.v = 0.0;
        self.set_engine(engine);
        self.act = Activity::Stay(stay);
    }

    fn finish_drive(&mut self, mut leg: Leg) -> Option<Ended> {
        self.v = 0.0;
        self.a_prev = 0.0;
        if let Some(mut tr) = leg.drain.take() {
            self.finish_transfer(&mut tr);
        }
        if leg.rough {
            self.trap(
                "rough_road",
                leg.started,
                self.t,
                "rough surface: strong slosh while driving".into(),
            );
        }
        if let Some(g) = leg.arrive_grade {
            self.trap(
                "brake_on_slope",
                self.t,
                self.t,
                format!(
                    "harsh stop on a {:.0}% slope: the gauge reads low until the truck moves",
                    g.abs() * 100.0
                ),
            );
            // Wait on the slope with the engine on, then carry on as if the leg had just ended.
            self.grade = g;
            self.slope_then = Some(leg.purpose);
            let dur = self.rng.random_range(4 * MIN..10 * MIN);
            self.begin_stay(StayKind::SlopeWait, self.t + dur, Engine::Idle);
            return None;
        }
        Some(Ended::Drive(leg.purpose))
    }
}

// -------------------------------------------------------------------- physics

/// The vehicle constants of the road-load model.
pub(crate) struct RoadLoad {
    pub mass_kg: f64,
    pub crr: f64,
    pub cda: f64,
    pub eta: f64,
    pub idle_lph: f64,
}

/// Fuel rate for a speed (m/s), acceleration (m/s^2) and grade: rolling + aero +
/// grade + inertia at the wheels, through driveline and engine efficiency, on top
/// of the idle flow. Negative wheel power above walking pace is an injection cut.
pub(crate) fn fuel_rate_lph(k: &RoadLoad, v: f64, a: f64, grade: f64) -> f64 {
    let m = k.mass_kg;
    let mut f = 1.05 * m * a;
    if v > 0.05 {
        f += m * G * (k.crr + grade) + 0.5 * RHO_AIR * k.cda * v * v;
    }
    let p = f * v;
    if p > 0.0 {
        k.idle_lph + p / (ETA_DRIVELINE * k.eta) / DIESEL_J_PER_L * 3_600.0
    } else if v > 3.0 {
        0.0
    } else {
        k.idle_lph
    }
}

impl TruckSim {
    fn drive_step(&mut self, leg: &mut Leg, t1: i64) -> bool {
        let env = Arc::clone(&self.env);
        let drv = &env.drivers[self.driver];
        let dt = 1.0;
        let here = (self.lat, self.lon);
        let (dn, de) = delta_m_c(here, leg.dest, leg.cos_lat);
        let d_rem = dn.hypot(de);
        if t1 - leg.started > 20 * HOUR {
            // A leg that never ends would be a planner bug; do not hang the stream.
            self.lat = leg.dest.0;
            self.lon = leg.dest.1;
            return true;
        }
        let in_city = d_rem < leg.city_m || {
            let (on, oe) = delta_m_c(leg.origin, here, leg.cos_lat);
            on * on + oe * oe < leg.city_m * leg.city_m
        };
        if leg.waiting_until > 0 {
            if t1 < leg.waiting_until {
                self.v = 0.0;
                self.running(0.0, 0.0, dt, false);
                self.count_drive(leg, t1);
                return false;
            }
            leg.waiting_until = 0;
            self.new_light(leg, in_city);
            leg.harsh_accel = self.rng.random_bool(drv.harsh_accel_p);
        }
        let limit: f64 = match (in_city, leg.road) {
            (true, _) => 50.0 + 0.5 * drv.speeding_kmh,
            (false, Road::Regional) => 80.0 + 0.6 * drv.speeding_kmh,
            (false, Road::Highway) => drv.cruise_kmh,
        };
        leg.traffic += (1.0 - leg.traffic) * dt / 300.0 + 0.015 * normal(&mut self.rng);
        leg.traffic = leg.traffic.clamp(0.6, 1.03);
        let mut v_t = limit.min(90.0) / 3.6 * leg.traffic;
        if t1 < leg.slow_until {
            v_t = v_t.min(leg.slow_ms);
        } else if !in_city && self.rng.random::<f64>() < 1.0 / 3_600.0 {
            // Congestion or roadworks for a few minutes.
            leg.slow_until = t1 + self.rng.random_range(2 * MIN..10 * MIN);
            leg.slow_ms = self.rng.random_range(5.5..14.0);
        }
        let v = self.v;
        let final_stop = (d_rem - 3.0).max(0.0);
        let light_dist = leg.next_light_odo - self.odo_m;
        let (d_stop, harsh) = if leg.light_red && light_dist > 0.0 && light_dist < final_stop {
            (light_dist, leg.light_harsh)
        } else {
            (final_stop, leg.harsh_brake)
        };
        let need = v * v / (2.0 * d_stop.max(0.2));
        let brake_at = if harsh { 3.3 } else { drv.brake_ms2 };
        let a = if need >= brake_at && v > 0.0 {
            -need.min(6.0)
        } else {
            let accel = if leg.harsh_accel && v < 12.0 {
                2.8
            } else {
                drv.accel_ms2
            };
            let a = (0.35 * (v_t - v)).clamp(-drv.brake_ms2, accel);
            let f_res = self.mass * G * (self.spec.crr + self.grade)
                + 0.5 * RHO_AIR * self.spec.cda * v * v;
            let a_pow =
                (self.spec.p_max_w * ETA_DRIVELINE / v.max(2.0) - f_res) / (1.05 * self.mass);
            if a > a_pow { a_pow.max(-1.0) } else { a }
        };
        if v >= 12.0 {
            leg.harsh_accel = false;
        }
        let mut v1 = (v + a * dt).max(0.0);
        let mut ds = 0.5 * (v + v1) * dt;
        if leg.light_red && light_dist > 0.0 && light_dist - ds <= 1.0 {
            if v1 < 1.5 {
                v1 = 0.0;
                ds = ds.min(light_dist.max(0.0));
                leg.waiting_until = t1 + leg.light_wait;
            } else {
                // Could not stop in time: the light turned green.
                self.new_light(leg, in_city);
            }
        } else if light_dist <= 0.0 {
            self.new_light(leg, in_city);
        }
        let arrived = (d_rem - ds <= 3.0 && v1 < 1.5) || d_rem <= ds;
        leg.wiggle += -leg.wiggle * dt / 120.0 + 0.03 * normal(&mut self.rng);
        let scale = (d_rem / 3_000.0).min(1.0);
        let heading = de.atan2(dn) + leg.wiggle * scale;
        let (lat1, lon1) = if arrived {
            leg.dest
        } else {
            let (sin_h, cos_h) = heading.sin_cos();
            offset_c(self.lat, self.lon, ds * cos_h, ds * sin_h, leg.cos_lat)
        };
        let alt1 = env.terrain.alt(lat1, lon1);
        if ds > 0.5 {
            self.grade = ((alt1 - self.alt) / ds).clamp(-0.1, 0.1);
        }
        self.lat = lat1;
        self.lon = lon1;
        self.alt = alt1;
        self.odo_m += ds;
        let a_eff = (v1 - v) / dt;
        self.v = v1;
        self.running(0.5 * (v + v1), a_eff, dt, leg.rough);
        if v1 < 0.2 {
            // Clutch down at the standstill the step ended in.
            self.rpm = self.spec.idle_rpm;
        }
        if let Some(mut tr) = leg.drain.take() {
            self.apply_transfer(&mut tr, t1 - SEC, t1);
            leg.drain = Some(tr);
        }
        self.count_drive(leg, t1);
        arrived
    }

    fn count_drive(&mut self, _leg: &Leg, _t1: i64) {
        self.driven_today += SEC;
        self.since_break += SEC;
    }

    fn new_light(&mut self, leg: &mut Leg, in_city: bool) {
        let (gap, red_p) = match (in_city, leg.road) {
            (true, _) => (self.rng.random_range(250.0..1_000.0), 0.45),
            (false, Road::Regional) => (self.rng.random_range(2_000.0..6_000.0), 0.25),
            (false, Road::Highway) => (self.rng.random_range(5_000.0..10_000.0), 0.0),
        };
        leg.next_light_odo = self.odo_m + gap;
        leg.light_red = self.rng.random_bool(red_p);
        leg.light_wait = self.rng.random_range(15 * SEC..75 * SEC);
        leg.light_harsh = self.rng.random_bool(self.drv().harsh_brake_p);
    }

    /// Engine running in gear (or idling at a light) for `dt` seconds.
    fn running(&mut self, v_mid: f64, a: f64, dt: f64, rough: bool) {
        let rate = fuel_rate_lph(
            &RoadLoad {
                mass_kg: self.mass,
                crr: self.spec.crr,
                cda: self.spec.cda,
                eta: self.spec.eta,
                idle_lph: self.spec.meta.idle_lph,
            },
            v_mid,
            a,
            self.grade,
        );
        self.rate_lph = rate;
        self.rpm = self.gear_rpm(v_mid * 3.6, a);
        let litres = rate * dt / 3_600.0;
        self.consume(litres);
        let dt_ms = (dt * 1_000.0) as i64;
        self.engine_ms += dt_ms;
        if v_mid < 0.28 {
            self.idle_ms += dt_ms;
            self.idle_l += litres;
        }
        let da = a - self.a_prev;
        self.a_prev = a;
        self.update_slosh(a, da, dt, rough, v_mid, self.grade);
        self.equalise(dt, 0.0);
        self.thermal(dt, true);
    }

    fn gear_rpm(&self, v_kmh: f64, a: f64) -> f64 {
        if v_kmh < 3.0 {
            // Launching on the clutch revs above idle; a truck at a standstill idles.
            let launch = a > 0.1 && v_kmh > 0.7;
            return self.spec.idle_rpm + if launch { 300.0 } else { 0.0 };
        }
        let floor = if a > 0.3 { 1_250.0 } else { 1_000.0 };
        let mut rpm = v_kmh / KMH_PER_KRPM[0] * 1_000.0;
        for s in KMH_PER_KRPM.iter().rev() {
            let r = v_kmh / s * 1_000.0;
            if r >= floor {
                rpm = r;
                break;
            }
        }
        rpm.clamp(self.spec.idle_rpm, 2_100.0)
    }

    fn consume(&mut self, litres: f64) {
        self.consumed += litres;
        self.ecu_total += litres * self.spec.meta.ecu_gain;
        let mut rest = litres;
        for tk in &mut self.tanks {
            let take = rest.min(tk.l15.max(0.0));
            tk.l15 -= take;
            rest -= take;
            if rest <= 0.0 {
                break;
            }
        }
    }

    /// Two tanks joined by a crossover pipe level out (20 min time constant); a side
    /// slope shifts the balance towards the lower tank.
    fn equalise(&mut self, dt: f64, roll: f64) {
        if self.tanks.len() != 2 {
            return;
        }
        let (c0, c1) = (self.caps(0), self.caps(1));
        let (l0, l1) = (self.tanks[0].l15, self.tanks[1].l15);
        let total = l0 + l1;
        let f = total / (c0 + c1);
        let target0 = (f * c0 + roll * 2.0 * c0.min(c1))
            .clamp(0.0, c0)
            .clamp((total - c1).max(0.0), total);
        let flow = (target0 - l0) * self.relax.crossover.at(dt);
        self.tanks[0].l15 += flow;
        self.tanks[1].l15 -= flow;
    }

    /// Fuel warms towards ambient (plus return-fuel heat with the engine on).
    fn thermal(&mut self, dt: f64, engine_on: bool) {
        let (target, relax) = if engine_on {
            (self.ambient + 10.0, self.relax.heat_on)
        } else {
            (self.ambient, self.relax.heat_off)
        };
        self.fuel_temp += (target - self.fuel_temp) * relax.at(dt);
    }

    /// Surface tilt from acceleration and grade, plus decaying waves excited by
    /// changes of acceleration and by rough roads. Largest for half-full tanks.
    fn update_slosh(&mut self, a: f64, da: f64, dt: f64, rough: bool, v: f64, grade: f64) {
        let k = self.env.params.slosh_k;
        let relax = self.relax.tilt.at(dt);
        let decay = 1.0 - self.relax.wave.at(dt);
        for i in 0..self.tanks.len() {
            let c = self.caps(i);
            let f = (self.tanks[i].l15 / c).clamp(0.0, 1.0);
            let ff = (4.0 * f * (1.0 - f)).max(0.25);
            let pos = self.spec.sensor_pos[i];
            let eq = (k * c * ff * pos * (a / G + grade)).clamp(-0.12 * c, 0.12 * c);
            let s = &mut self.slosh[i];
            s.tilt += (eq - s.tilt) * relax;
            s.wave += 0.8 * k * c * ff * da.abs() / G;
            if rough {
                s.wave = s.wave.max(0.06 * k * c * ff * (v / 20.0).min(1.5));
            }
            s.wave = (s.wave * decay).min(0.1 * c);
        }
    }

    fn stay_step(&mut self, stay: &mut Stay, t0: i64, t1: i64) {
        let dt_ms = t1 - t0;
        let dt = dt_ms as f64 / 1_000.0;
        let idle = self.spec.meta.idle_lph;
        let rate = match stay.engine {
            Engine::Off => 0.0,
            Engine::Idle | Engine::Run => idle * stay.idle_boost,
            Engine::Pto => idle + self.spec.pto_lph,
        };
        self.rate_lph = rate;
        self.rpm = match stay.engine {
            Engine::Off => 0.0,
            Engine::Idle | Engine::Run => self.spec.idle_rpm,
            Engine::Pto => 1_050.0,
        };
        let on = stay.engine != Engine::Off;
        if on {
            let litres = rate * dt / 3_600.0;
            self.consume(litres);
            self.engine_ms += dt_ms;
            if stay.engine != Engine::Pto {
                self.idle_ms += dt_ms;
                self.idle_l += litres;
            }
        }
        for tr in &mut stay.transfers {
            self.apply_transfer(tr, t0, t1);
        }
        self.equalise(dt, stay.roll);
        self.thermal(dt, on);
        self.a_prev = 0.0;
        self.update_slosh(0.0, 0.0, dt, false, 0.0, stay.grade);
    }

    fn apply_transfer(&mut self, tr: &mut Transfer, t0: i64, t1: i64) {
        if tr.finished {
            return;
        }
        let a = t0.max(tr.start);
        let b = t1.min(tr.end);
        if b > a {
            let want = (tr.rate_per_ms * (b - a) as f64).min(tr.goal - tr.done);
            if want > 0.0 {
                if tr.first.is_none() {
                    tr.first = Some(a);
                    tr.level_before = self.total_l15();
                }
                let moved = match tr.kind {
                    LabelKind::Fill => {
                        let before: f64 = self.total_l15();
                        let mut rest = want;
                        for (tk, target) in self.tanks.iter_mut().zip(&tr.targets) {
                            let add = rest.min((target - tk.l15).max(0.0));
                            tk.l15 += add;
                            rest -= add;
                        }
                        let added = want - rest;
                        // Station fuel comes from underground tanks at about 12 degC.
                        let t_in = 0.5 * self.ambient + 6.0;
                        let total = before + added;
                        if total > 0.0 {
                            self.fuel_temp = (self.fuel_temp * before + t_in * added) / total;
                        }
                        added
                    }
                    LabelKind::Drain => {
                        let tk = &mut self.tanks[tr.tank];
                        let take = want.min((tk.l15 - 5.0).max(0.0));
                        tk.l15 -= take;
                        take
                    }
                };
                tr.done += moved;
                tr.last = b;
            }
        }
        if t1 >= tr.end || tr.done >= tr.goal - 1e-9 {
            self.finish_transfer(tr);
        }
    }

    fn finish_transfer(&mut self, tr: &mut Transfer) {
        // A theft in motion that completed during the leg is finished again when the leg
        // ends: label it once.
        if tr.finished {
            return;
        }
        tr.finished = true;
        let Some(first) = tr.first else {
            return;
        };
        if tr.done < 1.0 {
            return;
        }
        if tr.scenario == crate::reefer::SCENARIO {
            let note = format!("{:.1} L pumped into the reefer unit", tr.done);
            self.trap(crate::reefer::SCENARIO, first, tr.last, note);
            return;
        }
        self.labels.push(Label {
            truck_id: self.id().to_string(),
            kind: tr.kind,
            start: first,
            end: tr.last,
            volume_l: r1(tr.done),
            scenario: tr.scenario.to_string(),
            level_before_l: tr.level_before,
            level_after_l: self.total_l15(),
        });
        if let Some(pp) = tr.purchase.take() {
            let ts = tr.last + pp.delay;
            let litres = r1(tr.done + pp.extra_l);
            let p = self.purchase(ts, litres, pp.pos);
            if pp.extra_l > 0.0 {
                self.trap(
                    "fraud_short_fill",
                    first,
                    ts,
                    format!("billed {litres} L, filled {:.1} L", tr.done),
                );
            }
            self.pending_purchases.push(p);
        }
    }

    // ---------------------------------------------------------------- sensors

    fn maybe_sample(&mut self) {
        if self.t < self.device_off_until {
            return;
        }
        if self.t >= self.next_sample && self.last_emit != self.t {
            self.emit();
        }
    }

    /// Trackers report ignition changes at once.
    fn emit_event(&mut self) {
        if self.t >= self.device_off_until && self.last_emit != self.t {
            self.emit();
        }
    }

    fn emit(&mut self) {
        let point = self.make_point();
        let t = self.t;
        self.last_emit = t;
        let meta = &self.spec.meta;
        self.next_sample = if self.engine != Engine::Off {
            t + i64::from(meta.sample_interval_s) * SEC + self.rng.random_range(-3..=3) * SEC
        } else {
            match meta.parked_interval_s {
                Some(s) => {
                    let s = i64::from(s);
                    t + (s + self.rng.random_range(-s / 10..=s / 10)) * SEC
                }
                None => i64::MAX,
            }
        };
        let p = self.env.params;
        let late = self.rng.random_bool(p.ooo_rate);
        let dup = self.rng.random_bool(p.dup_rate);
        let seq = self.seq;
        self.seq += 2;
        if dup {
            self.out.push(Emitted {
                arrival: t,
                seq: seq + 1,
                point: point.clone(),
            });
        }
        if late {
            let arrival = t + self.rng.random_range(MIN..15 * MIN);
            self.delayed.push(Emitted {
                arrival,
                seq,
                point,
            });
        } else {
            self.out.push(Emitted {
                arrival: t,
                seq,
                point,
            });
        }
    }

    fn gauge_pct(&mut self, i: usize) -> f64 {
        let c = self.caps(i);
        let vol = self.tanks[i].l15 * (1.0 + BETA * (self.fuel_temp - T_REF));
        let phase = self.rng.random_range(0.0..2.0 * PI);
        let s = self.slosh[i];
        let frac = (vol + s.tilt + s.wave * phase.sin()) / c;
        let h = self.spec.meta.tank_shapes[i].height_frac(frac) * 100.0;
        let sigma = self.spec.meta.noise_pct;
        // A slowly wandering component on top of white noise, as real probes show.
        self.ar_noise[i] = 0.9 * self.ar_noise[i] + 0.19 * sigma * normal(&mut self.rng);
        let drift = self.spec.meta.thermal_drift_pct_per_c * (self.ambient - 20.0);
        let pct = (h + sigma * normal(&mut self.rng) + self.ar_noise[i] + drift).clamp(0.0, 100.0);
        if self.spec.meta.quantised {
            pct.round()
        } else {
            r1(pct)
        }
    }

    fn make_point(&mut self) -> TelemetryPoint {
        let env = Arc::clone(&self.env);
        let t = self.t;
        let mut p = TelemetryPoint::new(self.id(), t);
        let gps = env.params.gps_noise_m;
        let (n, e) = (gps * normal(&mut self.rng), gps * normal(&mut self.rng));
        let (lat, lon) = offset(self.lat, self.lon, n, e);
        p.lat = Some((lat * 1e6).round() / 1e6);
        p.lon = Some((lon * 1e6).round() / 1e6);
        p.speed_kmh = Some(if self.v > 0.2 {
            r1((self.v * 3.6 + 0.3 * normal(&mut self.rng)).max(0.0))
        } else {
            0.0
        });
        let on = self.engine != Engine::Off;
        p.ignition = Some(on);
        p.odometer_km = Some(r1(self.spec.odo0_km + self.odo_m / 1_000.0));
        p.alt_m = Some(r1(self.alt + 3.0 * normal(&mut self.rng)));
        if on {
            p.driver_id = Some(env.drivers[self.driver].driver_id.clone());
            if self.spec.meta.body.has_pto() {
                p.pto = Some(self.engine == Engine::Pto);
            }
        }
        if self.spec.meta.has_ecu && on {
            let gain = self.spec.meta.ecu_gain;
            p.rpm = Some((self.rpm + 15.0 * normal(&mut self.rng)).max(0.0).round());
            p.fuel_used_l = Some(((self.ecu_total - self.reset_base) * 2.0).floor() / 2.0);
            p.fuel_rate_lph = Some(r1((self.rate_lph
                * gain
                * (1.0 + 0.03 * normal(&mut self.rng)))
            .max(0.0)));
            p.engine_hours = Some(
                ((self.spec.eh0_h + self.engine_ms as f64 / HOUR as f64) * 20.0).round() / 20.0,
            );
            p.ambient_temp_c = Some(r1(self.ambient + 0.3 * normal(&mut self.rng)));
        }
        let n_tanks = self.tanks.len();
        let mut read = [0.0; 2];
        for (i, r) in read.iter_mut().enumerate().take(n_tanks) {
            *r = self.gauge_pct(i);
        }
        if let Some((until, held)) = self.stuck {
            if t < until {
                match held {
                    Some(h) => read = h,
                    None => self.stuck = Some((until, Some(read))),
                }
            } else {
                self.stuck = None;
            }
        }
        if self.rng.random_bool(env.params.spike_rate) {
            let v = if self.rng.random_bool(0.6) {
                0.0
            } else {
                100.0
            };
            read[0] = v;
            self.trap("spike", t, t, format!("gauge spike to {v}%"));
        }
        for (i, &pct) in read.iter().enumerate().take(n_tanks) {
            let tank = &self.spec.profile.tanks[i];
            let (pct_slot, l_slot) = if i == 0 {
                (&mut p.fuel_level_pct, &mut p.fuel_l)
            } else {
                (&mut p.fuel_level_pct_2, &mut p.fuel_l_2)
            };
            if self.spec.meta.reports_litres {
                *l_slot = Some(r1(tank.litres(pct)));
            } else {
                *pct_slot = Some(pct);
            }
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l_per_100km(mass_kg: f64, kmh: f64, grade: f64) -> f64 {
        let k = RoadLoad {
            mass_kg,
            crr: 0.0065,
            cda: 5.6,
            eta: 0.42,
            idle_lph: 2.5,
        };
        fuel_rate_lph(&k, kmh / 3.6, 0.0, grade) / kmh * 100.0
    }

    #[test]
    fn steady_consumption_is_truck_like() {
        // A loaded 40 t artic at 85 km/h burns roughly 30-36 L/100 km on the level.
        let loaded = l_per_100km(40_000.0, 85.0, 0.0);
        assert!((28.0..38.0).contains(&loaded), "{loaded}");
        // An 18 t rigid at 60 km/h: far less.
        let rigid = l_per_100km(18_000.0, 60.0, 0.0);
        assert!((12.0..22.0).contains(&rigid), "{rigid}");
        // Hills matter: 2% up costs more than double, 2% down is an injection cut.
        assert!(l_per_100km(40_000.0, 85.0, 0.02) > 2.0 * loaded);
        assert_eq!(l_per_100km(40_000.0, 85.0, -0.03), 0.0);
    }

    #[test]
    fn idle_and_acceleration() {
        let k = RoadLoad {
            mass_kg: 30_000.0,
            crr: 0.006,
            cda: 5.5,
            eta: 0.42,
            idle_lph: 2.0,
        };
        assert_eq!(fuel_rate_lph(&k, 0.0, 0.0, 0.0), 2.0);
        let cruise = fuel_rate_lph(&k, 15.0, 0.0, 0.0);
        let accel = fuel_rate_lph(&k, 15.0, 0.8, 0.0);
        assert!(accel > 2.0 * cruise, "{cruise} {accel}");
    }

    #[test]
    fn diesel_expands_about_point_eight_per_mille_per_degree() {
        let v15 = 600.0;
        let v25 = v15 * (1.0 + BETA * (25.0 - T_REF));
        assert!((v25 - v15 - 4.98).abs() < 0.01);
    }
}
