//! Drivers with known habits on known routes, at 1 Hz, with ground truth: the
//! coaching scenarios (an idler, a speeder, a harsh driver, a careful driver on
//! a hard hilly stop-and-go route, typical drivers, one with little distance).
//!
//! Each driver has a truck of their own. Every second the truck follows the
//! route's legs (cruise, brake to a stop, dwell, start) with the driver's
//! acceleration and braking, and burns fuel from road-load physics: inertia,
//! rolling resistance, grade and aerodynamic drag, at an engine efficiency
//! that drops outside the RPM green band. Sensors add what real ones add: GPS
//! speed noise, rare single-sample speed spikes, short dropouts, a noisy fuel
//! level and an ECU fuel counter.

use fc_model::{Tank, TelemetryPoint, TruckProfile};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use crate::geo::mix_all;

const DAY_MS: i64 = 86_400_000;
const G: f64 = 9.81;

/// A driver's habit (the ground truth coaching should find).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Habit {
    /// Moderate in everything.
    Typical,
    /// Leaves the engine running when stopped: warm-ups, breaks, deliveries.
    Idler,
    /// Cruises well above the speed limit.
    Speeder,
    /// Hard starts and hard stops.
    Harsh,
    /// Gentle, anticipating, engine off when stopped, never above the limit.
    Careful,
}

/// The kind of route a driver works.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Long flat motorway legs.
    Highway,
    /// Rolling hills, some stops.
    Hilly,
    /// Urban deliveries: short legs, many stops.
    StopAndGo,
    /// Short legs with many stops over steep hills: the hardest route.
    HillyStopAndGo,
}

/// One simulated driver and their truck.
#[derive(Debug, Clone, PartialEq)]
pub struct CoachDriverSpec {
    /// Driver id.
    pub driver_id: String,
    /// Truck id (one truck per driver).
    pub truck_id: String,
    /// Habit.
    pub habit: Habit,
    /// Route.
    pub route: Route,
    /// Distance driven per working day, km.
    pub km_per_day: f64,
    /// Working days (the first ones of the period).
    pub working_days: u32,
}

/// What really happened (for tests).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CoachTruth {
    /// Driver id.
    pub driver_id: String,
    /// Distance, km.
    pub distance_km: f64,
    /// Fuel burnt, litres.
    pub fuel_l: f64,
    /// Idle (engine on, standing) hours in stretches of 2 minutes or more.
    pub idle_h: f64,
    /// Hours above `SPEED_LIMIT_KMH`.
    pub over_speed_h: f64,
    /// Harsh starts (set to at least 1.8 m/s^2).
    pub harsh_accel: u32,
    /// Harsh stops (at least 3 m/s^2).
    pub harsh_brake: u32,
    /// Climb, metres.
    pub climb_m: f64,
}

/// The fleet's speed limit the scenarios are written for, km/h.
pub const SPEED_LIMIT_KMH: f64 = 90.0;

/// The standard coaching fleet: six typical drivers (two per plain route), an
/// idler, a speeder, a harsh driver, a careful driver on the hardest route and
/// a typical driver who drove only one short day.
pub fn coaching_fleet(days: u32) -> Vec<CoachDriverSpec> {
    let mk = |i: usize, habit, route, km, working| CoachDriverSpec {
        driver_id: format!("C{:02}", i + 1),
        truck_id: format!("CT{:02}", i + 1),
        habit,
        route,
        km_per_day: km,
        working_days: working,
    };
    let w = days;
    vec![
        mk(0, Habit::Typical, Route::Highway, 260.0, w),
        mk(1, Habit::Typical, Route::Highway, 240.0, w),
        mk(2, Habit::Typical, Route::Hilly, 170.0, w),
        mk(3, Habit::Typical, Route::Hilly, 160.0, w),
        mk(4, Habit::Typical, Route::StopAndGo, 80.0, w),
        mk(5, Habit::Typical, Route::HillyStopAndGo, 70.0, w),
        mk(6, Habit::Idler, Route::Highway, 230.0, w),
        mk(7, Habit::Speeder, Route::Highway, 270.0, w),
        mk(8, Habit::Harsh, Route::StopAndGo, 85.0, w),
        mk(9, Habit::Careful, Route::HillyStopAndGo, 75.0, w),
        mk(10, Habit::Typical, Route::Highway, 25.0, 1),
    ]
}

/// The tank of every scenario truck.
pub fn coaching_profile(truck_id: &str) -> TruckProfile {
    TruckProfile {
        truck_id: truck_id.to_string(),
        name: truck_id.to_string(),
        fuel_type: Some("diesel".into()),
        tanks: vec![Tank {
            capacity_l: 400.0,
            calibration: None,
        }],
    }
}

struct Style {
    accel: f64,
    brake: f64,
    harsh_p: f64,
    cruise: f64,
    idle_warmup_s: f64,
    idle_at_stop_p: f64,
    idle_stop_s: f64,
}

fn style(h: Habit) -> Style {
    match h {
        Habit::Typical => Style {
            accel: 0.8,
            brake: 1.4,
            harsh_p: 0.03,
            cruise: 86.0,
            idle_warmup_s: 180.0,
            idle_at_stop_p: 0.1,
            idle_stop_s: 300.0,
        },
        Habit::Idler => Style {
            accel: 0.8,
            brake: 1.4,
            harsh_p: 0.03,
            cruise: 86.0,
            idle_warmup_s: 1500.0,
            idle_at_stop_p: 1.0,
            idle_stop_s: 1500.0,
        },
        Habit::Speeder => Style {
            accel: 0.9,
            brake: 1.6,
            harsh_p: 0.05,
            cruise: 103.0,
            idle_warmup_s: 180.0,
            idle_at_stop_p: 0.1,
            idle_stop_s: 300.0,
        },
        Habit::Harsh => Style {
            accel: 1.2,
            brake: 2.0,
            harsh_p: 0.6,
            cruise: 88.0,
            idle_warmup_s: 180.0,
            idle_at_stop_p: 0.1,
            idle_stop_s: 300.0,
        },
        Habit::Careful => Style {
            accel: 0.55,
            brake: 1.0,
            harsh_p: 0.0,
            cruise: 82.0,
            idle_warmup_s: 60.0,
            idle_at_stop_p: 0.0,
            idle_stop_s: 0.0,
        },
    }
}

/// (leg length m, target km/h, dwell s at its end, delivery stop?)
fn leg(route: Route, cruise: f64, rng: &mut ChaCha8Rng) -> (f64, f64, f64, bool) {
    match route {
        Route::Highway => (rng.random_range(25_000.0..45_000.0), cruise, 30.0, false),
        Route::Hilly => (
            rng.random_range(6_000.0..12_000.0),
            cruise.min(75.0),
            40.0,
            rng.random_bool(0.2),
        ),
        Route::StopAndGo | Route::HillyStopAndGo => {
            let delivery = rng.random_bool(0.15);
            (
                rng.random_range(300.0..1_200.0),
                rng.random_range(40.0..50.0),
                if delivery {
                    rng.random_range(300.0..900.0)
                } else {
                    rng.random_range(15.0..50.0)
                },
                delivery,
            )
        }
    }
}

fn altitude(route: Route, x_m: f64) -> f64 {
    let tau = std::f64::consts::TAU;
    match route {
        // 4-5% grades at most.
        Route::Hilly => {
            300.0 + 45.0 * (tau * x_m / 6_000.0).sin() + 20.0 * (tau * x_m / 2_300.0).sin()
        }
        Route::HillyStopAndGo => {
            250.0 + 40.0 * (tau * x_m / 5_000.0).sin() + 15.0 * (tau * x_m / 1_700.0).sin()
        }
        Route::Highway | Route::StopAndGo => 120.0 + 3.0 * (tau * x_m / 9_000.0).sin(),
    }
}

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    rng.sample::<f64, _>(StandardNormal)
}

/// The truck's state across days.
struct Truck {
    fuel: f64,
    ecu: f64,
    odo: f64,
    x: f64,
    lat: f64,
    lon: f64,
}

/// Simulates one driver for `days` days from `start_ms` (a local midnight):
/// 1 Hz points while the engine runs, one every 5 minutes while parked.
pub fn simulate_coaching(
    spec: &CoachDriverSpec,
    days: u32,
    seed: u64,
    start_ms: i64,
) -> (Vec<TelemetryPoint>, CoachTruth) {
    let mut rng = ChaCha8Rng::seed_from_u64(mix_all(&[
        seed,
        0xC0AC,
        spec.truck_id.len() as u64,
        spec.driver_id.bytes().map(u64::from).sum(),
    ]));
    let st = style(spec.habit);
    let mass = 28_000.0 + rng.random_range(-2_000.0..2_000.0);
    let (cda, crr, p_max, idle_lph) = (5.8, 0.0065, 300_000.0, 2.6);
    let mut truth = CoachTruth {
        driver_id: spec.driver_id.clone(),
        ..CoachTruth::default()
    };
    let mut t = Truck {
        fuel: 300.0,
        ecu: 50_000.0,
        odo: 200_000.0,
        x: 0.0,
        lat: 47.0 + 0.01 * spec.truck_id.len() as f64,
        lon: 8.0,
    };
    let mut out = Vec::new();
    let point = |t: &Truck,
                 ts: i64,
                 v_kmh: f64,
                 ign: bool,
                 rpm: Option<f64>,
                 alt: f64,
                 driver: bool,
                 rng: &mut ChaCha8Rng| {
        let mut p = TelemetryPoint::new(spec.truck_id.clone(), ts);
        p.speed_kmh = Some((v_kmh + if v_kmh > 0.5 { 0.3 * normal(rng) } else { 0.0 }).max(0.0));
        p.ignition = Some(ign);
        p.rpm = rpm;
        p.fuel_l = Some(((t.fuel + 1.0 * normal(rng)) * 10.0).round() / 10.0);
        p.fuel_used_l = Some((t.ecu * 100.0).round() / 100.0);
        p.odometer_km = Some((t.odo * 1000.0).round() / 1000.0);
        p.alt_m = Some(alt + 1.5 * normal(rng));
        p.lat = Some(t.lat);
        p.lon = Some(t.lon);
        p.driver_id = driver.then(|| spec.driver_id.clone());
        p
    };
    for day in 0..days {
        let day0 = start_ms + i64::from(day) * DAY_MS;
        // Parked overnight until 06:30 (no driver logged in).
        let shift = day0 + 6 * 3_600_000 + 1_800_000 + rng.random_range(0..1_800_000);
        let mut ts = day0;
        while ts < shift {
            let alt = altitude(spec.route, t.x);
            out.push(point(&t, ts, 0.0, false, None, alt, false, &mut rng));
            ts += 300_000;
        }
        if day >= spec.working_days {
            let end = day0 + DAY_MS;
            while ts < end {
                let alt = altitude(spec.route, t.x);
                out.push(point(&t, ts, 0.0, false, None, alt, false, &mut rng));
                ts += 300_000;
            }
            continue;
        }
        ts = shift;
        let mut v = 0.0f64; // m/s
        let idle_rpm = 650.0;
        // Idle for `secs` seconds at the current place (engine on, standing).
        let idle = |t: &mut Truck,
                    ts: &mut i64,
                    secs: f64,
                    truth: &mut CoachTruth,
                    out: &mut Vec<TelemetryPoint>,
                    rng: &mut ChaCha8Rng| {
            let n = secs.round() as i64;
            for _ in 0..n {
                let alt = altitude(spec.route, t.x);
                out.push(point(
                    t,
                    *ts,
                    0.0,
                    true,
                    Some(idle_rpm + 20.0 * normal(rng)),
                    alt,
                    true,
                    rng,
                ));
                let f = idle_lph / 3600.0;
                t.fuel -= f;
                t.ecu += f;
                truth.fuel_l += f;
                *ts += 1000;
            }
            if n >= 120 {
                truth.idle_h += n as f64 / 3600.0;
            }
        };
        idle(
            &mut t,
            &mut ts,
            st.idle_warmup_s,
            &mut truth,
            &mut out,
            &mut rng,
        );
        let mut driven = 0.0;
        let mut lunch_done = false;
        while driven < spec.km_per_day * 1000.0 {
            let (len, target_kmh, dwell, delivery) = leg(spec.route, st.cruise, &mut rng);
            let len = len.min(spec.km_per_day * 1000.0 - driven + 50.0);
            let harsh_start = rng.random_bool(st.harsh_p);
            let harsh_stop = rng.random_bool(st.harsh_p);
            let accel = if harsh_start { 2.3 } else { st.accel };
            let brake = if harsh_stop { 3.6 } else { st.brake };
            if harsh_start {
                truth.harsh_accel += 1;
            }
            if harsh_stop {
                truth.harsh_brake += 1;
            }
            let vt = target_kmh / 3.6;
            let mut s = 0.0;
            let mut alt = altitude(spec.route, t.x);
            while s < len - 0.5 {
                let rem = len - s;
                // Brake at the rate that stops exactly at the end of the leg.
                let need = v * v / (2.0 * rem.max(0.1));
                let a_cmd = if need >= brake * 0.98 || rem < 1.0 {
                    -(need.max(0.3))
                } else if v < vt {
                    accel
                } else {
                    (vt - v).clamp(-0.5, 0.3)
                };
                let grade_now =
                    (altitude(spec.route, t.x + 5.0) - altitude(spec.route, t.x - 5.0)) / 10.0;
                let resist = mass * G * (crr + grade_now) + 0.5 * 1.2 * cda * v * v;
                let a_power = (p_max / v.max(1.0) - resist) / mass;
                let a = if a_cmd > 0.0 {
                    a_cmd.min(a_power)
                } else {
                    a_cmd
                };
                let v_new = (v + a).max(if rem > 2.0 { 0.5 } else { 0.0 });
                let dx = 0.5 * (v + v_new);
                let power = (mass * a + resist) * 0.5 * (v + v_new);
                let vk = v_new * 3.6;
                let accelerating = a > 0.4;
                let rpm = match spec.habit {
                    Habit::Careful => 1100.0 + 10.0 * vk.min(90.0) * 0.35,
                    Habit::Harsh if accelerating => 1950.0,
                    Habit::Speeder => 1000.0 + 7.3 * vk,
                    _ if accelerating && rng.random_bool(0.3) => 1800.0,
                    _ => 1200.0 + 4.5 * vk,
                };
                let rpm = if vk < 3.0 { idle_rpm } else { rpm } + 15.0 * normal(&mut rng);
                let eta = if (800.0..=1700.0).contains(&rpm) {
                    0.42
                } else {
                    0.36
                };
                let f = power.max(0.0) / (eta * 35.8e6)
                    + if power > 0.0 {
                        idle_lph / 3600.0
                    } else {
                        0.3 * idle_lph / 3600.0
                    };
                t.fuel -= f;
                t.ecu += f;
                truth.fuel_l += f;
                if vk > SPEED_LIMIT_KMH {
                    truth.over_speed_h += 1.0 / 3600.0;
                }
                v = v_new;
                s += dx;
                t.x += dx;
                t.odo += dx / 1000.0;
                t.lat += dx / 111_000.0 * 0.6;
                t.lon += dx / 111_000.0 * 0.8 / 0.68;
                truth.distance_km += dx / 1000.0;
                let new_alt = altitude(spec.route, t.x);
                if new_alt > alt {
                    truth.climb_m += new_alt - alt;
                }
                alt = new_alt;
                // Sensors: rare dropouts (the tracker misses 20-40 s) and single-sample spikes.
                if rng.random_bool(0.0005) {
                    ts += rng.random_range(20_000..40_000);
                    continue;
                }
                let mut p = point(&t, ts, vk, true, Some(rpm), alt, true, &mut rng);
                if vk > 20.0 && rng.random_bool(0.0003) {
                    p.speed_kmh = p.speed_kmh.map(|x| x + 16.0);
                }
                out.push(p);
                ts += 1000;
            }
            v = 0.0;
            driven += s;
            // Dwell: engine on only if the driver leaves it idling.
            let idles = delivery && rng.random_bool(st.idle_at_stop_p);
            if !lunch_done && driven > 0.5 * spec.km_per_day * 1000.0 {
                lunch_done = true;
                if rng.random_bool(st.idle_at_stop_p.max(0.05)) {
                    idle(
                        &mut t,
                        &mut ts,
                        st.idle_stop_s.max(600.0),
                        &mut truth,
                        &mut out,
                        &mut rng,
                    );
                } else {
                    park(&t, &mut ts, 2_700_000, spec, &mut out, &mut rng, &point);
                }
            } else if idles {
                idle(
                    &mut t,
                    &mut ts,
                    st.idle_stop_s,
                    &mut truth,
                    &mut out,
                    &mut rng,
                );
            } else if dwell >= 120.0 {
                park(
                    &t,
                    &mut ts,
                    (dwell * 1000.0) as i64,
                    spec,
                    &mut out,
                    &mut rng,
                    &point,
                );
            } else {
                // Traffic light or junction: engine on, standing briefly.
                idle(&mut t, &mut ts, dwell, &mut truth, &mut out, &mut rng);
            }
        }
        // Refuel before parking when below 40%: the driver is still logged in.
        if t.fuel < 160.0 {
            let target = 380.0;
            while t.fuel < target {
                t.fuel = (t.fuel + 0.8).min(target);
                let alt = altitude(spec.route, t.x);
                out.push(point(&t, ts, 0.0, false, None, alt, true, &mut rng));
                ts += 5_000;
            }
        }
        let end = day0 + DAY_MS;
        while ts < end {
            let alt = altitude(spec.route, t.x);
            out.push(point(&t, ts, 0.0, false, None, alt, false, &mut rng));
            ts += 300_000;
        }
    }
    (out, truth)
}

/// Writes the coaching fleet's telemetry as one canonical CSV file (trucks one
/// after the other, each in time order) and returns the ground truth.
pub fn write_coaching_csv(
    path: &std::path::Path,
    days: u32,
    seed: u64,
) -> Result<Vec<CoachTruth>, crate::SimError> {
    use std::io::Write;
    let io = |source| crate::SimError::Io {
        path: path.display().to_string(),
        source,
    };
    let file = std::fs::File::create(path).map_err(io)?;
    let mut out = std::io::BufWriter::new(file);
    writeln!(out, "{}", fc_model::CANONICAL_HEADER).map_err(io)?;
    let mut truths = Vec::new();
    let mut line = String::with_capacity(256);
    for spec in coaching_fleet(days) {
        let (points, truth) = simulate_coaching(&spec, days, seed, crate::DEFAULT_START_MS);
        for p in &points {
            line.clear();
            fc_model::write_point_row(p, &mut line);
            line.push('\n');
            out.write_all(line.as_bytes()).map_err(io)?;
        }
        truths.push(truth);
    }
    out.flush().map_err(io)?;
    Ok(truths)
}

/// Makes a reading: truck state, time, speed, ignition, RPM, altitude, driver logged in.
type PointFn<'a> =
    dyn Fn(&Truck, i64, f64, bool, Option<f64>, f64, bool, &mut ChaCha8Rng) -> TelemetryPoint + 'a;

fn park(
    t: &Truck,
    ts: &mut i64,
    ms: i64,
    spec: &CoachDriverSpec,
    out: &mut Vec<TelemetryPoint>,
    rng: &mut ChaCha8Rng,
    point: &PointFn<'_>,
) {
    let end = *ts + ms;
    while *ts < end {
        let alt = altitude(spec.route, t.x);
        out.push(point(t, *ts, 0.0, false, None, alt, true, rng));
        *ts += 60_000;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn habits_show_in_the_truth() {
        let fleet = coaching_fleet(2);
        let truth: Vec<CoachTruth> = fleet
            .iter()
            .map(|d| simulate_coaching(d, 2, 7, crate::DEFAULT_START_MS).1)
            .collect();
        let by = |id: &str| truth.iter().find(|t| t.driver_id == id).unwrap();
        let (idler, speeder, harsh, careful, typical) =
            (by("C07"), by("C08"), by("C09"), by("C10"), by("C01"));
        assert!(
            idler.idle_h > 3.0 * typical.idle_h.max(0.05),
            "{idler:?} {typical:?}"
        );
        assert!(speeder.over_speed_h > 1.0, "{speeder:?}");
        assert!(typical.over_speed_h < 0.05, "{typical:?}");
        assert!(harsh.harsh_brake > 10, "{harsh:?}");
        assert_eq!(careful.harsh_brake + careful.harsh_accel, 0);
        assert!(careful.climb_m > 1000.0, "{careful:?}");
        // Plausible consumption: 20-60 L/100 km.
        for t in &truth {
            let per100 = t.fuel_l / t.distance_km * 100.0;
            assert!((15.0..80.0).contains(&per100), "{t:?} {per100}");
        }
    }

    #[test]
    fn points_are_in_time_order_and_deterministic() {
        let d = &coaching_fleet(1)[9];
        let (a, _) = simulate_coaching(d, 1, 3, crate::DEFAULT_START_MS);
        let (b, _) = simulate_coaching(d, 1, 3, crate::DEFAULT_START_MS);
        assert_eq!(a, b);
        assert!(a.windows(2).all(|w| w[0].ts < w[1].ts));
    }
}
