//! A small, physically honest synthetic truck for the detector tests: true fuel
//! volume evolves with consumption, fills and drains; the sensor reads it with
//! Gaussian noise, optional quantisation, slosh in motion, thermal expansion,
//! spikes and a frozen mode. Labels record what really happened.
#![allow(dead_code)]

use fc_ledger::EventKind;
use fc_model::{Tank, TelemetryPoint, TruckProfile};

pub const T0: i64 = 1_709_251_200_000; // 2024-03-01T00:00Z
pub const MIN: i64 = 60_000;

#[derive(Debug, Clone)]
pub struct Truth {
    pub kind: EventKind,
    pub start_ms: i64,
    pub end_ms: i64,
    pub volume_l: f64,
}

pub struct Sim {
    pub id: String,
    pub points: Vec<TelemetryPoint>,
    pub truth: Vec<Truth>,
    pub t: i64,
    pub step_ms: i64,
    /// True litres in tank 1 and tank 2.
    pub level: f64,
    pub level2: f64,
    pub two_tanks: bool,
    pub capacity: f64,
    pub counter: f64,
    pub odo: f64,
    pub lat: f64,
    pub lon: f64,
    pub noise_l: f64,
    pub quant_pct: Option<f64>,
    pub slosh_l: f64,
    pub thermal_l: f64,
    pub spike_prob: f64,
    pub with_counter: bool,
    pub with_rate: bool,
    pub report_pct: bool,
    pub stuck: Option<f64>,
    pub idle_lph: f64,
    pub l_per_km: f64,
    rng: u64,
}

impl Sim {
    pub fn new(seed: u64, capacity: f64, level: f64) -> Self {
        Sim {
            id: "T1".into(),
            points: Vec::new(),
            truth: Vec::new(),
            t: T0,
            step_ms: MIN,
            level,
            level2: 0.0,
            two_tanks: false,
            capacity,
            counter: 10_000.0,
            odo: 120_000.0,
            lat: 45.0,
            lon: 7.0,
            noise_l: 1.0,
            quant_pct: None,
            slosh_l: 12.0,
            thermal_l: 0.0,
            spike_prob: 0.0,
            with_counter: false,
            with_rate: false,
            report_pct: true,
            stuck: None,
            idle_lph: 2.8,
            l_per_km: 0.31,
            rng: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1,
        }
    }

    pub fn profile(&self) -> TruckProfile {
        let mut tanks = vec![Tank {
            capacity_l: self.capacity,
            calibration: None,
        }];
        if self.two_tanks {
            tanks.push(Tank {
                capacity_l: self.capacity,
                calibration: None,
            });
        }
        TruckProfile {
            truck_id: self.id.clone(),
            name: self.id.clone(),
            fuel_type: None,
            tanks,
        }
    }

    fn next_u64(&mut self) -> u64 {
        // xorshift64*
        let mut x = self.rng;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.rng = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn gauss(&mut self) -> f64 {
        let u1 = self.uniform().max(1e-12);
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    fn read(&mut self, true_l: f64, moving: bool) -> f64 {
        if let Some(s) = self.stuck {
            return s;
        }
        let day = (self.t - T0) as f64 / 86_400_000.0;
        let thermal = self.thermal_l * (2.0 * std::f64::consts::PI * (day - 0.3)).sin();
        let slosh = if moving {
            self.slosh_l * (self.uniform() * 2.0 - 1.0)
        } else {
            0.0
        };
        let mut v = true_l + thermal + slosh + self.noise_l * self.gauss();
        if self.spike_prob > 0.0 && self.uniform() < self.spike_prob {
            v = if self.uniform() < 0.5 {
                0.0
            } else {
                self.capacity
            };
        }
        v.clamp(0.0, self.capacity)
    }

    fn emit(&mut self, speed: f64, ign: bool, rate: f64) {
        let moving = speed >= 3.0;
        let mut p = TelemetryPoint::new(self.id.clone(), self.t);
        let r1 = self.read(self.level, moving);
        if self.report_pct {
            let mut pct = r1 / self.capacity * 100.0;
            if let Some(q) = self.quant_pct {
                pct = (pct / q).round() * q;
            }
            p.fuel_level_pct = Some(pct.clamp(0.0, 100.0));
        } else {
            p.fuel_l = Some(r1);
        }
        if self.two_tanks {
            let l2 = self.level2;
            let r2 = (l2 + self.noise_l * self.gauss()).clamp(0.0, self.capacity);
            p.fuel_level_pct_2 = Some(r2 / self.capacity * 100.0);
        }
        p.speed_kmh = Some(speed);
        p.ignition = Some(ign);
        p.lat = Some(self.lat);
        p.lon = Some(self.lon);
        p.odometer_km = Some(self.odo);
        if self.with_counter {
            p.fuel_used_l = Some(self.counter);
        }
        if self.with_rate {
            p.fuel_rate_lph = Some(rate);
        }
        self.points.push(p);
    }

    fn burn(&mut self, litres: f64) {
        self.level = (self.level - litres).max(0.0);
        self.counter += litres;
    }

    /// Parked for `minutes`, engine idling or off.
    pub fn park(&mut self, minutes: i64, ign: bool) {
        for _ in 0..(minutes * MIN / self.step_ms) {
            self.t += self.step_ms;
            let rate = if ign { self.idle_lph } else { 0.0 };
            self.burn(rate * self.step_ms as f64 / 3_600_000.0);
            let speed = (self.gauss().abs() * 0.3).min(0.9);
            self.emit(speed, ign, rate);
        }
    }

    /// Driving at about `kmh` for `minutes`; `steal_lpm` litres per minute leave the tank too.
    pub fn drive_with(&mut self, minutes: i64, kmh: f64, steal_lpm: f64) {
        let steps = minutes * MIN / self.step_ms;
        for _ in 0..steps {
            self.t += self.step_ms;
            let v = (kmh + 8.0 * self.gauss()).clamp(5.0, 110.0);
            let km = v * self.step_ms as f64 / 3_600_000.0;
            self.odo += km;
            self.lat += km / 111.0;
            let burn = km * self.l_per_km;
            self.burn(burn);
            self.level = (self.level - steal_lpm * self.step_ms as f64 / MIN as f64).max(0.0);
            let rate = burn / (self.step_ms as f64 / 3_600_000.0);
            self.emit(v, true, rate);
        }
    }

    pub fn drive(&mut self, minutes: i64, kmh: f64) {
        self.drive_with(minutes, kmh, 0.0);
    }

    /// Pumping `litres` in (positive) or out (negative) at `lpm` while parked.
    pub fn pump(&mut self, litres: f64, lpm: f64, ign: bool) {
        let start = self.t;
        let mut left = litres.abs();
        let dir = litres.signum();
        let per = lpm * self.step_ms as f64 / MIN as f64;
        let mut moved = 0.0;
        while left > 1e-9 {
            self.t += self.step_ms;
            let d = left.min(per);
            left -= d;
            let before = self.level;
            self.level = (self.level + dir * d).clamp(0.0, self.capacity);
            moved += (self.level - before).abs();
            let rate = if ign { self.idle_lph } else { 0.0 };
            self.burn(rate * self.step_ms as f64 / 3_600_000.0);
            self.emit(0.0, ign, rate);
        }
        self.truth.push(Truth {
            kind: if dir > 0.0 {
                EventKind::Fill
            } else {
                EventKind::Drain
            },
            start_ms: start,
            end_ms: self.t,
            volume_l: moved,
        });
    }

    /// No data for `minutes`; `during` runs meanwhile (its points are discarded).
    pub fn gap(&mut self, during: impl FnOnce(&mut Sim)) {
        let n = self.points.len();
        during(self);
        self.points.truncate(n);
    }
}
