//! A simulated, labelled fleet through the detector and tracks.

#![allow(dead_code)]

use fc_ledger::eval::Label;
use fc_ledger::{DetectorConfig, EventKind};
use fc_ml::{FleetOutput, FleetRun};
use fc_sim::{Fleet, LabelKind, SimConfig, Trap};

pub struct Sim {
    pub out: FleetOutput,
    pub labels: Vec<Label>,
    pub traps: Vec<Trap>,
    pub purchases: Vec<fc_model::Purchase>,
    pub truck_days: f64,
}

pub fn simulate(cfg: &SimConfig) -> Sim {
    let mut fleet = Fleet::new(cfg).expect("valid config");
    let mut run = FleetRun::new(fleet.trucks(), &DetectorConfig::default());
    let (mut labels, mut traps, mut purchases) = (Vec::new(), Vec::new(), Vec::new());
    let end = fleet.end_ms();
    let mut t = fleet.start_ms();
    loop {
        t = (t + 6 * 3_600_000).min(end);
        for p in fleet.next_until(t) {
            run.push(&p);
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
        traps.extend(fleet.take_traps());
        purchases.extend(fleet.take_purchases());
        if t >= end && fleet.is_finished() {
            break;
        }
    }
    Sim {
        out: run.finish(),
        labels,
        traps,
        purchases,
        truck_days: cfg.trucks as f64 * f64::from(cfg.days),
    }
}

pub fn tz() -> chrono_tz::Tz {
    "Europe/Paris".parse().expect("zone")
}
